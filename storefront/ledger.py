"""The payment ledger: every exchange with a payment provider and every manual money event, as rows.

A row (:class:`~storefront.models.PaymentRecord`) says what happened (``kind``: confirm, lookup,
webhook, cancel at a provider; deposit, refund by hand), how much money it moved (``amount``:
positive in, negative out, 0 for none), the provider's status and error code, when and who. A
dispute is answered from these rows; :func:`totals` is the only place that adds them up.

Rows are added to the session (never committed here): they belong to the caller's transaction.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from .extensions import db
from .models import Order, PaymentKind, PaymentRecord


@dataclass(frozen=True)
class Totals:
    paid: int  # money received
    refunded: int  # money given back (a positive number)
    shipping_refunded: int = 0  # the part of ``refunded`` that was 배송비

    @property
    def balance(self) -> int:
        """What the shop still holds of the buyer's money: the most a refund may give back."""
        return self.paid - self.refunded


def record(order: Order, kind: PaymentKind, actor: str, amount: int = 0, **fields) -> PaymentRecord:
    """Add one ledger row for ``order``; ``fields`` are further columns (status, provider_code, payment_key…)."""
    row = PaymentRecord(order_id=order.id, kind=kind, actor=actor, amount=amount, **fields)
    db.session.add(row)
    return row


def totals(order: Order) -> Totals:
    """Paid, refunded and the balance of one order, from its ledger rows (one query)."""
    # A reversal takes money back off what was paid; only money the shop gave back is refunded.
    reversal = PaymentRecord.kind == PaymentKind.REVERSAL
    paid, refunded, shipping = db.session.execute(
        sa.select(
            sa.func.coalesce(
                sa.func.sum(
                    sa.case((PaymentRecord.amount > 0, PaymentRecord.amount), (reversal, PaymentRecord.amount), else_=0)
                ),
                0,
            ),
            sa.func.coalesce(
                sa.func.sum(
                    sa.case((sa.and_(PaymentRecord.amount < 0, sa.not_(reversal)), -PaymentRecord.amount), else_=0)
                ),
                0,
            ),
            sa.func.coalesce(sa.func.sum(PaymentRecord.shipping_amount), 0),
        ).where(PaymentRecord.order_id == order.id)
    ).one()
    return Totals(int(paid), int(refunded), int(shipping))


def shipping_held(order: Order, totals: Totals) -> int:
    """The 배송비 (and 추가 배송비) the shop still holds of this order."""
    return max(min(order.shipping_fee + order.extra_shipping_fee - totals.shipping_refunded, totals.balance), 0)


def shipping_part(order: Order, totals: Totals, amount: int) -> int:
    """Of a refund of ``amount``: the 배송비 it gives back. Goods go back first, then shipping."""
    return max(amount - (totals.balance - shipping_held(order, totals)), 0)
