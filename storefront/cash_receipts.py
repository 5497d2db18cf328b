"""현금영수증 for bank transfers: what the buyer asked for, when one is due, and its issue.

Online retail must issue one for every cash payment of 100,000원 or more even
when the buyer asks for none (then to the tax office's number 010-000-1234), and
for any amount when the buyer asks. The merchant issues it at Hometax and marks it
발급 완료, or, with Toss keys set, issues it here through ``POST /v1/cash-receipts``.

A receipt is for what the buyer finally paid (paid less refunded). Toss answers a request with
IN_PROGRESS (발급 요청); the tax office's COMPLETED or FAILED is looked up later by the cron job
(:func:`check_requested`), and a failed one is due again with its reason shown. A refund after
the receipt cancels the refunded part at Toss (:func:`follow_refund`); a receipt issued at
Hometax is flagged on the order until the merchant has cancelled that part there.
"""

import hashlib
from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from . import ledger, payments
from .business import format_brn
from .clock import local_date
from .extensions import db
from .fields import options
from .formatting import phone, won
from .models import SYSTEM, CashReceiptType, Notification, Order, OrderEvent, OrderStatus, PaymentMethod, utcnow
from .payments import PaymentError
from .payments.toss import GatewayUnreachable

REQUIRED_FROM = 100_000  # 원: issue one even when the buyer did not ask
TAX_OFFICE_NUMBER = "0100001234"  # 국세청 지정번호, for receipts nobody asked for
ISSUED_NOTE = "cash_receipt_issued"
REQUESTED, ISSUED, FAILED, CANCELLED = "requested", "issued", "failed", "cancelled"
STATUS_LABELS = {
    REQUESTED: _l("Requested (waiting for the tax office)"),
    ISSUED: _l("Issued"),
    FAILED: _l("Not issued"),
    CANCELLED: _l("Receipt cancelled"),
}
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


def amount_paid(order: Order) -> int:
    """What a receipt for this order is for: what the buyer finally paid (paid less refunded)."""
    return ledger.totals(order).balance


def over_issued(order: Order) -> int:
    """How much of an issued receipt a later refund took back (to cancel at Toss or Hometax), or 0."""
    if order.cash_receipt_status not in (REQUESTED, ISSUED) or order.cash_receipt_amount is None:
        return 0
    return max(order.cash_receipt_amount - amount_paid(order), 0)


def needs_self_issue(order: Order) -> bool:
    """Due although the buyer asked for none: the merchant issues it to the tax office's number."""
    return is_due(order) and order.cash_receipt_type is CashReceiptType.NONE


def mark_issued(
    order: Order,
    actor: str,
    *,
    key: str | None = None,
    url: str = "",
    status: str = ISSUED,
    now: datetime | None = None,
) -> bool:
    """Record the receipt as issued, or requested at Toss (once: a second click or a second admin
    changes nothing)."""
    if order.payment_method is not PaymentMethod.BANK_TRANSFER or order.paid_at is None:
        return False
    now = now or utcnow()
    result = db.session.execute(
        sa.update(Order)
        .where(Order.id == order.id, Order.cash_receipt_issued_at.is_(None))
        .values(
            cash_receipt_issued_at=now,
            cash_receipt_key=key,
            cash_receipt_url=url[:500],
            cash_receipt_status=status,
            cash_receipt_amount=amount_paid(order),
            cash_receipt_error="",
        )
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
        "amount": amount_paid(order),
        "orderId": order.order_no,
        "orderName": order.order_name,
        "customerIdentityNumber": number,
        "type": _TOSS_TYPES.get(order.cash_receipt_type, "소득공제"),
    }
    # After a receipt the tax office refused, the next request is a new one (its key names the refused one).
    key = hashlib.sha256(f"cash-receipt:{order.order_no}:{order.cash_receipt_key or ''}".encode()).hexdigest()
    db.session.commit()  # nothing held across the gateway call
    client = _client()
    try:
        receipt = client.issue_cash_receipt(body, key)
    except PaymentError as exc:
        raise IssueFailed(str(exc) or exc.code) from exc
    except GatewayUnreachable as exc:
        raise IssueFailed(str(_l("Toss Payments did not answer. Try again in a moment."))) from exc
    if receipt.get("issueStatus") == "FAILED" or not receipt.get("receiptKey"):
        raise IssueFailed(_failure(receipt))
    status = ISSUED if receipt.get("issueStatus") == "COMPLETED" else REQUESTED
    key, url = str(receipt["receiptKey"])[:200], str(receipt.get("receiptUrl") or "")
    return mark_issued(order, actor, key=key, url=url, status=status)


def check_requested() -> int:
    """The cron job: ask Toss how the tax office answered each receipt still 발급 요청; marks 발급 완료,
    or brings a failed one back to the merchant (due again, the reason shown, a notification).
    Returns how many changed. Toss lists receipts by the day they were requested."""
    waiting = db.session.scalars(
        sa.select(Order).where(Order.cash_receipt_status == REQUESTED, Order.cash_receipt_key.is_not(None))
    ).all()
    by_day: dict[str, dict[str, int]] = defaultdict(dict)
    for order in waiting:
        by_day[f"{local_date(order.cash_receipt_issued_at):%Y-%m-%d}"][order.cash_receipt_key] = order.id
    answers: dict[int, dict] = {}
    if by_day:
        db.session.commit()
        client = _client()
        for day, keys in by_day.items():
            for receipt in client.cash_receipts_requested_on(day):
                if receipt.get("receiptKey") in keys and receipt.get("transactionType", "CONFIRM") == "CONFIRM":
                    answers[keys[receipt["receiptKey"]]] = receipt
    changed = 0
    for order_id, receipt in answers.items():
        if receipt.get("issueStatus") == "COMPLETED":
            values = {"cash_receipt_status": ISSUED}
        elif receipt.get("issueStatus") == "FAILED":
            values = {
                "cash_receipt_status": FAILED,
                "cash_receipt_issued_at": None,
                "cash_receipt_error": _failure(receipt),
            }
            db.session.add(Notification(kind="cash_receipt_failed", order_id=order_id))
        else:
            continue
        changed += db.session.execute(
            sa.update(Order).where(Order.id == order_id, Order.cash_receipt_status == REQUESTED).values(**values)
        ).rowcount
    db.session.flush()
    return changed


def follow_refund(order: Order) -> str | None:
    """After a refund, cancel the refunded part of a receipt issued through Toss (all of it when
    nothing is left). Returns what the merchant must still do by hand, or None. Commits."""
    excess = over_issued(order)
    if not excess:
        return None
    if not order.cash_receipt_key:
        return str(HOMETAX_CANCEL_NEEDED)
    left = amount_paid(order)
    receipt_key, issued_for = order.cash_receipt_key, order.cash_receipt_amount
    idempotency = hashlib.sha256(f"cash-receipt-cancel:{receipt_key}:{issued_for}:{excess}".encode()).hexdigest()
    db.session.commit()
    try:
        _client().cancel_cash_receipt(receipt_key, excess if left else None, idempotency)
    except (PaymentError, GatewayUnreachable) as exc:
        reason = str(exc) or getattr(exc, "code", "")
        return _(
            "The cash receipt was not cancelled at Toss Payments (%(reason)s): "
            "try again, or cancel %(amount)s of it in the Toss Payments dashboard.",
            reason=reason,
            amount=won(excess),
        )
    mark_corrected(order, SYSTEM)
    db.session.commit()
    return None


def mark_corrected(order: Order, actor: str) -> bool:
    """The receipt now stands for what the buyer finally paid (the refunded part was cancelled)."""
    excess = over_issued(order)
    if not excess:
        return False
    left = amount_paid(order)
    db.session.execute(
        sa.update(Order)
        .where(Order.id == order.id)
        .values(cash_receipt_amount=left, cash_receipt_status=order.cash_receipt_status if left else CANCELLED)
        .execution_options(synchronize_session=False)
    )
    status = order.status.value
    db.session.add(
        OrderEvent(order_id=order.id, actor=actor, from_status=status, to_status=status, note="cash_receipt_cancelled")
    )
    db.session.flush()
    db.session.expire(order)
    return True


HOMETAX_CANCEL_NEEDED = _l(
    "A refund followed the cash receipt issued at Hometax: cancel the refunded part there, then mark it done here."
)


def _client():
    return payments.provider_for(PaymentMethod.CARD).client()


def _failure(receipt: dict) -> str:
    failure = receipt.get("failure") or {}
    return str(failure.get("message") or _l("Toss Payments could not issue the receipt."))[:300]



