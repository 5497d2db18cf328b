"""Stock: the one place that takes units from a product and gives them back.

Every change is a single conditional UPDATE checked by its row count, so two
buyers racing for the last unit cannot both get it, on SQLite (whose write
transactions are serialised, see extensions._begin_sqlite) or on PostgreSQL
(where the UPDATE takes the row lock and re-checks its WHERE after waiting).
Taking a unit also counts the order against 구매 가능 횟수 and closes the link
(진열 안함) when the limit is reached, in the same statement; when the order is cancelled or
expires unpaid, giving the units back opens the link again if that limit closed it and the
merchant has not touched it since (a refunded sale leaves it closed).
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from .extensions import db
from .models import SYSTEM, DisplayStatus, OrderItem, Product, ProductEvent, ProductVariant


@dataclass(frozen=True)
class Reservation:
    closed_link: bool  # this order used up 구매 가능 횟수 and switched the product to 진열 안함
    stock_taken: bool  # units came off the stock (재고관리 was on): record it on the order line


def in_lock_order(items):
    """Order lines in the order their rows are locked by everyone: by product, then combination."""
    return sorted(items, key=lambda item: (item.product_id or 0, item.variant_id or 0))


def reserve(
    product_id: int, quantity: int, now: datetime, variants: dict[int, int] | None = None
) -> Reservation | None:
    """Take ``quantity`` units of a product for one order (counted once against 구매 가능 횟수), and of
    each 옵션 combination in ``variants`` (id → units; they add up to ``quantity``); ``None`` when the
    product, or one of the combinations, cannot sell them now.

    Rows are locked product first, then its combinations by id, by every caller (orders, restocks, the
    merchant's save), so two transactions never wait on each other. The caller rolls back on ``None``.
    """
    taken = _take(product_id, quantity, Product.open_for_sale(now))
    if taken is None:
        return None
    for variant_id, units in sorted((variants or {}).items()):
        if not _take_variant(product_id, variant_id, units):
            return None
    return taken


def _managed(product_id: int):
    return sa.select(Product.stock_managed).where(Product.id == product_id).scalar_subquery()


def _take_variant(product_id: int, variant_id: int, quantity: int) -> bool:
    """A combination's units (판매함, and enough of them under 재고관리): the same guarded UPDATE as a product's.
    The product's own stock is their sum, and :func:`_take` takes from it next."""
    return bool(
        db.session.execute(
            sa.update(ProductVariant)
            .where(
                ProductVariant.id == variant_id,
                ProductVariant.product_id == product_id,
                ProductVariant.on_sale.is_(True),
                sa.or_(_managed(product_id).is_(False), ProductVariant.stock_quantity >= quantity),
            )
            .values(
                stock_quantity=sa.case(
                    (_managed(product_id).is_(True), ProductVariant.stock_quantity - quantity),
                    else_=ProductVariant.stock_quantity,
                )
            )
            .execution_options(synchronize_session=False)
        ).rowcount
    )


def retake(item: OrderItem) -> bool:
    """Take an order line's units again (a deposit that arrived after its order was cancelled).

    Only stock and 구매 가능 횟수 are checked: the buyer bought while the link was open. False when
    the units are gone; the line records what it holds again otherwise.
    """
    if item.product_id is None or item.reserved:
        return item.reserved
    displayed = db.session.scalar(
        sa.select(Product.display_status == DisplayStatus.DISPLAYED).where(Product.id == item.product_id)
    )
    if item.option_text and item.variant_id is None:
        return False  # the combination was removed since
    counted = _other_line_holds(item)  # the order already counts against 구매 가능 횟수 through another line
    taken = _take(item.product_id, item.quantity, sa.true() if counted else sa.not_(Product.limit_reached), counted)
    if taken is None:
        return False
    if item.variant_id is not None and not _take_variant(item.product_id, item.variant_id, item.quantity):
        return False
    if taken.closed_link and displayed:  # the limit closed it now, not the merchant earlier
        db.session.add(ProductEvent(product_id=item.product_id, actor=SYSTEM, action="auto_closed"))
    db.session.execute(
        sa.update(OrderItem)
        .where(OrderItem.id == item.id)
        .values(reserved=True, stock_taken=taken.stock_taken)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(item)
    return True


def _other_line_holds(item: OrderItem) -> bool:
    """Another line of the item's order holds units of the same product (an order counts once)."""
    return bool(
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OrderItem)
            .where(
                OrderItem.order_id == item.order_id,
                OrderItem.product_id == item.product_id,
                OrderItem.id != item.id,
                OrderItem.reserved.is_(True),
            )
        )
    )


def _take(product_id: int, quantity: int, open_clause, counted: bool = False) -> Reservation | None:
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    reaches_limit = sa.and_(Product.purchase_limit.is_not(None), Product.order_count + 1 >= Product.purchase_limit)
    row = db.session.execute(
        sa.update(Product)
        .where(
            Product.id == product_id,
            open_clause,
            sa.or_(Product.stock_managed.is_(False), Product.stock_quantity >= quantity),
        )
        .values(
            stock_quantity=sa.case(
                (Product.stock_managed.is_(True), Product.stock_quantity - quantity),
                else_=Product.stock_quantity,
            ),
            order_count=Product.order_count + (0 if counted else 1),
            display_status=sa.case(
                (sa.and_(reaches_limit, sa.false() if counted else sa.true()), DisplayStatus.HIDDEN.value),
                else_=Product.display_status,
            ),
        )
        .returning(Product.display_status, Product.stock_managed)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        return None
    return Reservation(closed_link=row.display_status == DisplayStatus.HIDDEN, stock_taken=row.stock_managed)


def release(item: OrderItem, reopen_link: bool = False) -> None:
    """Give back what one order line holds: its units only if it took them, and its 구매 가능 횟수;
    with ``reopen_link`` (the order was cancelled unpaid), the link its limit closed opens again.

    The line's own flag is cleared by a guarded UPDATE, so a line gives back at most once, whoever asks.
    """
    if not item.reserved:
        return
    product_id, quantity, variant_id = item.product_id, item.quantity, item.variant_id
    options_now = product_id is not None and db.session.scalar(
        sa.select(Product.options_enabled).where(Product.id == product_id)
    )
    # The combination was removed since, or options were turned on since a plain line was bought: the
    # product's stock is its combinations' sum, and this line's units belong to none of them.
    combination_gone = variant_id is None and (bool(item.option_text) or bool(options_now))
    row = db.session.execute(
        sa.update(OrderItem)
        .where(OrderItem.id == item.id, OrderItem.reserved.is_(True))
        .values(reserved=False)
        .returning(OrderItem.stock_taken)
        .execution_options(synchronize_session=False)
    ).first()
    db.session.expire(item)
    if row is None or product_id is None:
        return
    back = quantity if row.stock_taken and not combination_gone else 0
    # The product's stock sums the combinations on sale: one taken off sale keeps what comes back.
    on_sale = variant_id is None or db.session.scalar(
        sa.select(ProductVariant.on_sale).where(ProductVariant.id == variant_id)
    )
    counted_elsewhere = _other_line_holds(item)  # the order still counts through another line
    db.session.execute(  # the product's row first, then its combination's (the order every caller locks in)
        sa.update(Product)
        .where(Product.id == product_id)
        .values(
            stock_quantity=Product.stock_quantity + (back if on_sale else 0),
            order_count=Product.order_count
            if counted_elsewhere
            else sa.case((Product.order_count > 0, Product.order_count - 1), else_=0),
        )
        .execution_options(synchronize_session=False)
    )
    if variant_id is not None and back:
        db.session.execute(
            sa.update(ProductVariant)
            .where(ProductVariant.id == variant_id)
            .values(stock_quantity=ProductVariant.stock_quantity + back)
            .execution_options(synchronize_session=False)
        )
    if reopen_link:
        _reopen_if_the_limit_closed_it(product_id)


def _reopen_if_the_limit_closed_it(product_id: int) -> None:
    """진열함 again when 구매 가능 횟수 closed the link (its last event, the gate's locks aside) and an
    order has just given its count back; a link the merchant closed or edited since stays as it is."""
    last_event = (
        sa.select(ProductEvent.action)
        .where(ProductEvent.product_id == Product.id, ProductEvent.action != "link_locked")
        .order_by(ProductEvent.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    reopened = db.session.execute(
        sa.update(Product)
        .where(
            Product.id == product_id,
            Product.display_status == DisplayStatus.HIDDEN,
            sa.not_(Product.limit_reached),
            last_event == "auto_closed",
        )
        .values(display_status=DisplayStatus.DISPLAYED)
        .returning(Product.id)
        .execution_options(synchronize_session=False)
    ).first()
    if reopened:
        db.session.add(ProductEvent(product_id=product_id, actor=SYSTEM, action="auto_reopened"))


def set_quantity(product_id: int, quantity: int, expected: int) -> bool:
    """The merchant's new stock count, written only if no order changed the stock since ``expected`` was read."""
    result = db.session.execute(
        sa.update(Product)
        .where(Product.id == product_id, Product.stock_quantity == expected)
        .values(stock_quantity=quantity)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
