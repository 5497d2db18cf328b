"""Each action that moves the buyer's money, or closes a way to pay, in one place below the views.

The admin's buttons, the cron jobs and the webhooks reach the same functions: a view validates its
form, calls one of these and shows what it returns. Each commits where it says so, and never
across a call to a payment gateway (the providers commit before they call).
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from . import cash_receipts, ledger, lifecycle, payments
from .extensions import db
from .models import Order, PaymentMethod
from .payments.toss import GatewayUnreachable

CLOSE_IT_YOURSELF = _l("Close the virtual account in the Toss Payments console too.")


@dataclass(frozen=True)
class Outcome:
    done: bool
    problem: object = None  # why nothing happened (a message, or a lifecycle.RefundProblem)
    todo: object = None  # what the merchant must still do by hand


def confirm_deposit(order: Order, actor: str) -> lifecycle.Deposit:
    """입금 확인 of a bank transfer (virtual accounts are confirmed by the gateway). Commits."""
    result = payments.provider_for(order.payment_method).confirm(order, {"actor": actor})
    db.session.commit()
    return result


def cancel_order(order: Order, actor: str) -> Outcome:
    """주문 취소: the order cancelled and its stock back (committed), then its 가상계좌 closed at the
    gateway so that no money can arrive for it; ``todo`` when the gateway could not close it."""
    if not lifecycle.cancel(order, actor):
        db.session.rollback()
        return Outcome(False)
    db.session.commit()
    return Outcome(True, todo=_close_virtual_account(order))


def expire_due(now: datetime | None = None) -> int:
    """The cron job: every unpaid order past its deadline cancelled, its stock back (committed), and
    the 가상계좌 of those that had one closed. Returns how many were cancelled."""
    expired = lifecycle.expire_due(now)
    db.session.commit()
    for order in expired:
        _close_virtual_account(order)
    return len(expired)


def refund_order(
    order: Order,
    amount: int,
    actor: str,
    *,
    refunded_seen: int | None,
    restock: bool = False,
    include_shipping: bool = False,
    account: dict[str, str] | None = None,
    returned_items: set[int] | None = None,
) -> Outcome:
    """환불하기: ``amount`` given back through the order's provider and recorded (committed), the lines in
    ``returned_items`` back in stock; then the refunded part of its 현금영수증 cancelled. ``problem`` says why
    nothing was refunded."""
    problem = lifecycle.refund_problem(order, amount, refunded_seen, include_shipping)
    if problem:
        return Outcome(False, problem=problem)
    provider = payments.provider_for(order.payment_method)
    try:
        refunded = provider.refund(
            order, amount, "refunded by the merchant", actor, restock, refunded_seen=refunded_seen, **(account or {})
        )
    except (payments.PaymentError, GatewayUnreachable) as exc:
        db.session.rollback()
        return _refused(_l("The refund failed: %(reason)s", reason=str(exc) or getattr(exc, "code", "")))
    if not refunded:
        db.session.rollback()
        stale = ledger.totals(order).refunded != refunded_seen  # the same form sent twice at once
        return _refused(lifecycle.STALE_REFUND_FORM if stale else lifecycle.CANNOT_REFUND)
    lifecycle.return_lines(order, returned_items or set())  # the lines that came back, to stock
    db.session.commit()
    return Outcome(True, todo=cash_receipts.follow_refund(order))


def _refused(message) -> Outcome:
    return Outcome(False, problem=lifecycle.RefundProblem(str(message), about_amount=False))


def _close_virtual_account(order: Order) -> object:
    """A cancelled order's 가상계좌 closed at the gateway; what to tell the merchant when it failed."""
    if order.payment_method is not PaymentMethod.CARD:
        return None
    try:
        payments.provider_for(PaymentMethod.CARD).close_unpaid(order)
    except (GatewayUnreachable, payments.PaymentError):
        db.session.rollback()
        return CLOSE_IT_YOURSELF
    db.session.commit()
    return None
