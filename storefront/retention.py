"""Erasing buyers' personal data once the law no longer asks the shop to keep it.

전자상거래법 keeps contract and payment records for 5 years; after that the
names, phone numbers, addresses and e-mails of an order are erased. The order
itself stays, with its amounts, dates, items and statuses, so the books still add up. The messages
sent to buyers (발송 내역) lose their phone numbers and texts at the same age.
"""

from datetime import UTC, datetime

import sqlalchemy as sa

from .clock import KST
from .extensions import db
from .messaging import outbox
from .models import Order, utcnow

# The columns that say who the buyer is; everything else on an order is kept.
PERSONAL_COLUMNS = (
    "buyer_name", "buyer_phone", "buyer_email", "depositor_name", "recipient_name", "recipient_phone",
    "postcode", "address", "address_detail", "delivery_note", "cash_receipt_number",
)  # fmt: skip


def cutoff(years: int, now: datetime | None = None) -> datetime:
    """The moment ``years`` calendar years before ``now`` (29 February falls back to the 28th)."""
    local = (now or utcnow()).astimezone(KST)
    try:
        moved = local.replace(year=local.year - years)
    except ValueError:
        moved = local.replace(year=local.year - years, day=28)
    return moved.astimezone(UTC)


def _due(before: datetime):
    return sa.and_(Order.created_at < before, Order.personal_data_purged_at.is_(None))


def count_due(before: datetime) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Order).where(_due(before)))


def purge_personal_data(before: datetime, now: datetime | None = None) -> int:
    """Erase the personal data of orders placed before ``before``; returns how many orders changed."""
    result = db.session.execute(
        sa.update(Order)
        .where(_due(before))
        .values({name: "" for name in PERSONAL_COLUMNS} | {"personal_data_purged_at": now or utcnow()})
        .execution_options(synchronize_session=False)
    )
    outbox.erase_recipients(before)  # the phone numbers the buyers' messages went to
    return result.rowcount
