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
from .models import SYSTEM, DisplayStatus, OrderItem, Product, ProductEvent


@dataclass(frozen=True)
class Reservation:
    closed_link: bool  # this order used up 구매 가능 횟수 and switched the product to 진열 안함
    stock_taken: bool  # units came off the stock (재고관리 was on): record it on the order line


def reserve(product_id: int, quantity: int, now: datetime) -> Reservation | None:
    """Take ``quantity`` units for one order; ``None`` when the product cannot sell them now."""
    return _take(product_id, quantity, Product.open_for_sale(now))


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
    taken = _take(item.product_id, item.quantity, sa.not_(Product.limit_reached))
    if taken is None:
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


def _take(product_id: int, quantity: int, open_clause) -> Reservation | None:
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
            order_count=Product.order_count + 1,
            display_status=sa.case((reaches_limit, DisplayStatus.HIDDEN.value), else_=Product.display_status),
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
    product_id, quantity = item.product_id, item.quantity
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
    db.session.execute(
        sa.update(Product)
        .where(Product.id == product_id)
        .values(
            stock_quantity=Product.stock_quantity + (quantity if row.stock_taken else 0),
            order_count=sa.case((Product.order_count > 0, Product.order_count - 1), else_=0),
        )
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
