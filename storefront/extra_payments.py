"""추가 결제: asking the buyer of an order for more money (제주 추가 배송비, 옵션 변경 차액, 교환 배송비).

A request makes a personal payment window bound to the order's buyer (name and phone prefilled,
the four-digit check as the merchant chooses), sent with 링크 보내기 like any window. The buyer pays
it as an order of its own, which points back to the original (``parent_order_id``): its payment,
refunds and receipts go through the same paths as every order, and the window closes itself
after the one purchase. The original order keeps its status; its pages list what was asked and
paid, and what was paid in all.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from . import catalog, ledger
from .extensions import db
from .messaging import outbox
from .models import Order, OrderStatus, Product, ShippingMode

REASONS = {
    "jeju_shipping": _l("Jeju extra shipping fee"),
    "option_difference": _l("Option change difference"),
    "exchange_shipping": _l("Exchange shipping fee"),
    "other": _l("Other"),
}
MAX_AMOUNT = 10_000_000


@dataclass(frozen=True)
class ExtraPayment:
    window: Product
    order: Order | None  # the order that pays it, once the buyer ordered

    @property
    def paid(self) -> int:
        return ledger.totals(self.order).balance if self.order else 0


def request(order: Order, amount: int, reason: str, note: str, phone_check: bool, actor: str) -> Product:
    """추가 결제 요청: the window for ``amount``, bound to ``order``'s buyer."""
    label = str(REASONS.get(reason, REASONS["other"]))
    data = catalog.ProductData(
        **catalog.PERSONAL_PAYMENT_PRESET,
        name=f"{_l('Extra payment')} · {label} ({order.order_no})"[:200],
        price=amount,
        description=note,
        requires_shipping=False,  # money only: the goods travel with the original order
        shipping_mode=ShippingMode.FREE,
        category_id=catalog.personal_payment_category_id(),
        customer_name=order.buyer_name,
        customer_phone=order.buyer_phone,
        phone_check=phone_check and len(order.buyer_phone) >= 4,
    )
    window = catalog.create_product(data, actor=actor)
    window.extra_for_order_id = order.id
    db.session.flush()
    outbox.extra_payment(order, window, label)  # its link, to the buyer (알림톡/SMS), when the shop sends them
    return window


def for_order(order: Order) -> list[ExtraPayment]:
    """What was asked of this order's buyer, oldest first, each with the order that paid it (if any)."""
    windows = db.session.scalars(
        sa.select(Product).where(Product.extra_for_order_id == order.id).order_by(Product.id)
    ).all()
    paying = {
        child.items[0].product_id: child
        for child in db.session.scalars(
            sa.select(Order).where(Order.parent_order_id == order.id).order_by(Order.id)
        )
        if child.items and child.status is not OrderStatus.CANCELLED
    }
    return [ExtraPayment(window, paying.get(window.id)) for window in windows]


def paid_in_all(order: Order, extras: list[ExtraPayment]) -> int:
    """What the buyer holds paid for this order, its 추가 결제 included (refunds taken off)."""
    return ledger.totals(order).balance + sum(extra.paid for extra in extras)
