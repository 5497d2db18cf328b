"""Stock: the one place that takes units from a product and gives them back.

Every change is a single conditional UPDATE checked by its row count, so two
buyers racing for the last unit cannot both get it, on SQLite (whose write
transactions are serialised, see extensions._begin_sqlite) or on PostgreSQL
(where the UPDATE takes the row lock and re-checks its WHERE after waiting).
Taking a unit also counts the order against 구매 가능 횟수 and closes the link
(진열 안함) when the limit is reached, in the same statement.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from .extensions import db
from .models import DisplayStatus, Product


@dataclass(frozen=True)
class Reservation:
    closed_link: bool  # this order used up 구매 가능 횟수 and switched the product to 진열 안함


def reserve(product_id: int, quantity: int, now: datetime) -> Reservation | None:
    """Take ``quantity`` units for one order; ``None`` when the product cannot sell them now."""
    if quantity <= 0:
        raise ValueError("quantity must be positive")
    reaches_limit = sa.and_(Product.purchase_limit.is_not(None), Product.order_count + 1 >= Product.purchase_limit)
    row = db.session.execute(
        sa.update(Product)
        .where(
            Product.id == product_id,
            Product.display_status == DisplayStatus.DISPLAYED,
            sa.or_(Product.stock_managed.is_(False), Product.stock_quantity >= quantity),
            sa.or_(Product.purchase_limit.is_(None), Product.order_count < Product.purchase_limit),
            sa.or_(Product.sale_ends_at.is_(None), Product.sale_ends_at > now),
        )
        .values(
            stock_quantity=sa.case(
                (Product.stock_managed.is_(True), Product.stock_quantity - quantity),
                else_=Product.stock_quantity,
            ),
            order_count=Product.order_count + 1,
            display_status=sa.case((reaches_limit, DisplayStatus.HIDDEN.value), else_=Product.display_status),
        )
        .returning(Product.display_status)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        return None
    return Reservation(closed_link=row.display_status == DisplayStatus.HIDDEN)


def release(product_id: int | None, quantity: int) -> None:
    """Give back what one cancelled order took. Call only from a guarded order transition, so it runs once."""
    if product_id is None:
        return
    db.session.execute(
        sa.update(Product)
        .where(Product.id == product_id)
        .values(
            stock_quantity=sa.case(
                (Product.stock_managed.is_(True), Product.stock_quantity + quantity),
                else_=Product.stock_quantity,
            ),
            order_count=sa.case((Product.order_count > 0, Product.order_count - 1), else_=0),
        )
        .execution_options(synchronize_session=False)
    )


def set_quantity(product_id: int, quantity: int, expected: int) -> bool:
    """The merchant's new stock count, written only if no order changed the stock since ``expected`` was read."""
    result = db.session.execute(
        sa.update(Product)
        .where(Product.id == product_id, Product.stock_quantity == expected)
        .values(stock_quantity=quantity)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
