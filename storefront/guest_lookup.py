"""비회원 주문조회: a buyer finds an order again with its 주문번호 and their 휴대폰 번호.

The answer is the same whether the order does not exist or the phone does not
match. Failed tries are stored in the database and counted per address and per
order number, so the limits hold across every app process; a found order is
remembered in the buyer's session, which then opens its page.
"""

import enum
import hmac
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, session

from . import orders
from .extensions import db
from .models import LookupAttempt, Order, utcnow

SESSION_KEY = "guest_orders"


class Outcome(enum.Enum):
    FOUND = "found"
    NOT_FOUND = "not_found"  # no such order, or another phone: one answer for both
    THROTTLED = "throttled"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    order: Order | None = None


def normalise_order_no(value: str | None) -> str:
    return re.sub(r"\s", "", value or "").upper()[:20]


def lookup(order_no: str, phone: str, address: str, now: datetime | None = None) -> Result:
    now = now or utcnow()
    order_no = normalise_order_no(order_no)
    address = (address or "unknown")[:64]
    if _throttled(order_no, address, now):
        return Result(Outcome.THROTTLED)
    order = orders.find_by_order_no(order_no) if order_no else None
    # Compare even when there is no order, so both answers take about as long.
    expected = order.buyer_phone if order is not None and order.buyer_phone else "-"
    if order is None or not hmac.compare_digest(expected.encode(), (phone or "").encode()):
        _record_failure(order_no, address, now)
        return Result(Outcome.NOT_FOUND)
    return Result(Outcome.FOUND, order)


def _throttled(order_no: str, address: str, now: datetime) -> bool:
    config = current_app.config
    since = now - timedelta(minutes=config["GUEST_LOOKUP_WINDOW_MINUTES"])
    counts = db.session.execute(
        sa.select(
            sa.func.count().filter(LookupAttempt.address == address),
            sa.func.count().filter(LookupAttempt.order_no == order_no),
        ).where(LookupAttempt.created_at > since)
    ).one()
    return counts[0] >= config["GUEST_LOOKUP_LIMIT_PER_ADDRESS"] or (
        bool(order_no) and counts[1] >= config["GUEST_LOOKUP_LIMIT_PER_ORDER"]
    )


def _record_failure(order_no: str, address: str, now: datetime) -> None:
    window = timedelta(minutes=current_app.config["GUEST_LOOKUP_WINDOW_MINUTES"])
    db.session.execute(sa.delete(LookupAttempt).where(LookupAttempt.created_at < now - window))
    db.session.add(LookupAttempt(order_no=order_no, address=address, created_at=now))
    db.session.flush()


def grant(order: Order) -> None:
    """Let this browser open the order's page (the last ten orders found)."""
    found = [no for no in session.get(SESSION_KEY, []) if no != order.order_no]
    session[SESSION_KEY] = (found + [order.order_no])[-10:]


def granted(order_no: str) -> bool:
    return order_no in session.get(SESSION_KEY, [])
