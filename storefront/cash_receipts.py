"""현금영수증 for bank transfers: what the buyer asked for, when one is due, and its issue.

Online retail must issue one for every cash payment of 100,000원 or more even
when the buyer asks for none (then to the tax office's number 010-000-1234), and
for any amount when the buyer asks. The merchant issues it at Hometax and marks it
발급 완료, or, with Toss keys set, issues it here through ``POST /v1/cash-receipts``.
"""

import hashlib
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from . import payments
from .business import format_brn
from .extensions import db
from .fields import options
from .formatting import phone
from .models import CashReceiptType, Order, OrderEvent, OrderStatus, PaymentMethod, utcnow
from .payments import PaymentError
from .payments.toss import GatewayUnreachable

REQUIRED_FROM = 100_000  # 원: issue one even when the buyer did not ask
TAX_OFFICE_NUMBER = "0100001234"  # 국세청 지정번호, for receipts nobody asked for
ISSUED_NOTE = "cash_receipt_issued"
LABELS = {
    CashReceiptType.NONE: _l("Not requested"),
    CashReceiptType.INCOME_DEDUCTION: _l("Income deduction (mobile number)"),
    CashReceiptType.EXPENSE_PROOF: _l("Proof of expense (business registration number)"),
}
CASH_RECEIPT_CHOICES = options(*((kind.value, label) for kind, label in LABELS.items()))
_TOSS_TYPES = {CashReceiptType.EXPENSE_PROOF: "지출증빙"}  # every other receipt is 소득공제


def label(kind: CashReceiptType | str) -> str:
    return str(LABELS[CashReceiptType(kind)])


def number_shown(order: Order) -> str:
    """The number the receipt goes to, written as people read it."""
    if order.cash_receipt_type is CashReceiptType.EXPENSE_PROOF:
        return format_brn(order.cash_receipt_number)
    return phone(order.cash_receipt_number)


def is_due(order: Order) -> bool:
    """A paid bank transfer that needs a receipt (asked for, or 100,000원 or more) not yet issued."""
    return (
        order.payment_method is PaymentMethod.BANK_TRANSFER
        and order.paid_at is not None
        and order.status not in (OrderStatus.CANCELLED, OrderStatus.REFUNDED)
        and order.cash_receipt_issued_at is None
        and (order.cash_receipt_type is not CashReceiptType.NONE or order.total_amount >= REQUIRED_FROM)
    )


def needs_self_issue(order: Order) -> bool:
    """Due although the buyer asked for none: the merchant issues it to the tax office's number."""
    return is_due(order) and order.cash_receipt_type is CashReceiptType.NONE


def mark_issued(
    order: Order, actor: str, *, key: str | None = None, url: str = "", now: datetime | None = None
) -> bool:
    """Record the receipt as issued (once: a second click or a second admin changes nothing)."""
    if order.payment_method is not PaymentMethod.BANK_TRANSFER or order.paid_at is None:
        return False
    now = now or utcnow()
    result = db.session.execute(
        sa.update(Order)
        .where(Order.id == order.id, Order.cash_receipt_issued_at.is_(None))
        .values(cash_receipt_issued_at=now, cash_receipt_key=key, cash_receipt_url=url[:500])
        .returning(Order.id)
        .execution_options(synchronize_session=False)
    )
    if result.first() is None:
        return False
    status = order.status.value
    db.session.add(
        OrderEvent(
            order_id=order.id, actor=actor, from_status=status, to_status=status, note=ISSUED_NOTE, created_at=now
        )
    )
    db.session.flush()
    db.session.expire(order)
    return True


def can_issue_online() -> bool:
    return payments.provider_for(PaymentMethod.CARD).available()


class IssueFailed(Exception):
    """Toss did not issue the receipt; ``str(exc)`` says why, in words the merchant can act on."""


def issue_online(order: Order, actor: str) -> bool:
    """Issue the receipt through Toss Payments' cash-receipt API, then record it as issued."""
    if not is_due(order):
        return False
    number = order.cash_receipt_number or TAX_OFFICE_NUMBER
    body = {
        "amount": order.total_amount,
        "orderId": order.order_no,
        "orderName": _order_name(order),
        "customerIdentityNumber": number,
        "type": _TOSS_TYPES.get(order.cash_receipt_type, "소득공제"),
    }
    key = hashlib.sha256(f"cash-receipt:{order.order_no}".encode()).hexdigest()
    client = payments.provider_for(PaymentMethod.CARD).gateway()  # ends the transaction before the call
    try:
        receipt = client.issue_cash_receipt(body, key)
    except PaymentError as exc:
        raise IssueFailed(str(exc) or exc.code) from exc
    except GatewayUnreachable as exc:
        raise IssueFailed(str(_l("Toss Payments did not answer. Try again in a moment."))) from exc
    if receipt.get("issueStatus") == "FAILED" or not receipt.get("receiptKey"):
        raise IssueFailed(str(_l("Toss Payments could not issue the receipt.")))
    return mark_issued(order, actor, key=str(receipt["receiptKey"])[:200], url=str(receipt.get("receiptUrl") or ""))


def _order_name(order: Order) -> str:
    names = [item.product_name for item in order.items]
    name = names[0] if names else order.order_no
    if len(names) > 1:
        name = f"{name} 외 {len(names) - 1}건"
    return name[:100]
