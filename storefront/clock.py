"""The shop's clock, and the one rule for time in the database.

Every time column stores UTC and every time bound to a query is turned into UTC first
(:class:`UTCDateTime`, the type of every ``Mapped[datetime]``), so SQLite — which keeps times as
text and would otherwise compare a Korean wall clock with a UTC one — and PostgreSQL compare the
same instant. Asia/Seoul is for showing times and for deciding what "today" is; a day on that
clock becomes a UTC range (:func:`start_of_day`) before it reaches SQL.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

KST = ZoneInfo("Asia/Seoul")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime) -> datetime:
    """An aware time in UTC; a naive one is taken to be UTC already."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_date(now: datetime | None = None) -> date:
    """Today's date on the shop's clock."""
    return (now or utcnow()).astimezone(KST).date()


def midnight(day: date) -> datetime:
    """The start of ``day`` on the shop's clock (Asia/Seoul), as a UTC instant."""
    return datetime(day.year, day.month, day.day, tzinfo=KST).astimezone(UTC)


def start_of_day(now: datetime | None = None, days: int = 0) -> datetime:
    """Midnight (Asia/Seoul) of the day ``days`` after ``now``'s, as a UTC instant."""
    return midnight(local_date(now) + timedelta(days=days))


class UTCDateTime(sa.TypeDecorator):
    """``TIMESTAMP WITH TIME ZONE`` whose values go in and come out as aware UTC datetimes."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return as_utc(value) if isinstance(value, datetime) else value

    def process_result_value(self, value, dialect):
        return as_utc(value) if isinstance(value, datetime) else value
