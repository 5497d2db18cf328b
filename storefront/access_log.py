"""개인정보 접속기록: who showed, changed, downloaded or erased buyers' personal data, and the monthly 점검.

「개인정보의 안전성 확보조치 기준」 제8조 asks for the account, the time, where from, whose data and
the task of every such action, kept at least a year and checked every month (with the reason of
each download). Records are only ever added here: the app has no way to change or delete one, the
database refuses it (triggers in the migration), and :func:`prune` is the retention job's only door.
"""

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .clock import KST, midnight, utcnow
from .extensions import db
from .models import SYSTEM, AccessAction, AuditEntry, PersonalDataAccess
from .retention import cutoff
from .settings import shop_settings

ACTION_LABELS = {
    AccessAction.VIEW: _l("Viewed"),
    AccessAction.EDIT: _l("Changed"),
    AccessAction.DOWNLOAD: _l("Downloaded"),
    AccessAction.DELETE: _l("Deleted"),
}

# 수행업무 in more words: the screen or task that handled the data.
DETAILS = {
    "order_detail": _l("Order page"),
    "order_search": _l("Order search"),
    "order_export_csv": _l("Order list CSV"),
    "order_export_xlsx": _l("Order list Excel"),
    "refund_account": _l("Refund account entered"),
    "purge": _l("Personal data erased after the retention period"),
}

MAX_ORDER_NUMBERS = 200  # an export of thousands keeps its count and the first numbers
NIGHT_HOURS = frozenset({22, 23, 0, 1, 2, 3, 4, 5})  # KST
UNUSUAL_FACTOR = 10  # 10× an account's usual daily number
UNUSUAL_MINIMUM = 30  # …and at least this many, so a quiet account opening 3 orders is not flagged
USUAL_DAYS = 90  # "usual" is the busy days of the 90 days before the month


def record(
    action: AccessAction,
    detail: str,
    order_numbers: Sequence[str] = (),
    *,
    count: int | None = None,
    purpose: str = "",
    reason: str = "",
    actor: str | None = None,
) -> PersonalDataAccess:
    """Add one record, in the caller's transaction (it commits with the action it describes)."""
    if actor is None:
        actor = current_user.email if has_request_context() and current_user.is_authenticated else SYSTEM
    entry = PersonalDataAccess(
        created_at=utcnow().replace(microsecond=0),  # the rule asks for the second; no finer
        actor=actor,
        address=(request.remote_addr or "")[:45] if has_request_context() else "",
        action=action,
        order_numbers=", ".join(order_numbers[:MAX_ORDER_NUMBERS]),
        record_count=len(order_numbers) if count is None else count,
        detail=detail,
        purpose=purpose,
        reason=reason[:200],
    )
    db.session.add(entry)
    return entry


def action_label(action: AccessAction | str) -> str:
    return str(ACTION_LABELS[AccessAction(action)])


def detail_label(detail: str) -> str:
    return str(DETAILS.get(detail, detail))


# The owner's 접속기록 list.


@dataclass(frozen=True)
class Filters:
    actor: str = ""
    action: AccessAction | None = None
    start: date | None = None  # KST days, inclusive
    end: date | None = None
    order_no: str = ""


def select(filters: Filters) -> sa.Select:
    stmt = sa.select(PersonalDataAccess).order_by(PersonalDataAccess.id.desc())
    if filters.actor:
        stmt = stmt.where(PersonalDataAccess.actor == filters.actor)
    if filters.action is not None:
        stmt = stmt.where(PersonalDataAccess.action == filters.action)
    if filters.start is not None:
        stmt = stmt.where(PersonalDataAccess.created_at >= midnight(filters.start))
    if filters.end is not None:
        stmt = stmt.where(PersonalDataAccess.created_at < midnight(filters.end + timedelta(days=1)))
    if filters.order_no:
        stmt = stmt.where(PersonalDataAccess.order_numbers.contains(filters.order_no))
    return stmt


def actors() -> list[str]:
    """Every account that appears in the records (removed ones too), for the filter."""
    return list(db.session.scalars(sa.select(PersonalDataAccess.actor).distinct().order_by(PersonalDataAccess.actor)))


# 점검: the month's records per account, what stands out, and whether the owner checked them.


@dataclass
class AccountMonth:
    actor: str
    counts: dict[AccessAction, int] = field(default_factory=lambda: defaultdict(int))
    rows_downloaded: int = 0
    busiest_day: date | None = None
    busiest_count: int = 0
    usual_per_day: float = 0.0
    unusual: bool = False


@dataclass
class Review:
    month: date  # the first day, KST
    accounts: list[AccountMonth]
    downloads: list[PersonalDataAccess]  # each with its 다운로드 사유, to be confirmed
    night_downloads: list[PersonalDataAccess]
    checks: list[AuditEntry]  # 점검 완료 records for this month


def month_range(month: date) -> tuple[datetime, datetime]:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return midnight(first), midnight(following)


def _views_per_day(entries: Iterable[PersonalDataAccess]) -> dict[str, dict[date, int]]:
    """Orders shown, per account per KST day (a search showing 20 orders counts 20)."""
    days: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for entry in entries:
        if entry.action is AccessAction.VIEW:
            days[entry.actor][entry.created_at.astimezone(KST).date()] += max(entry.record_count, 1)
    return days


def review(month: date) -> Review:
    start, end = month_range(month)
    entries = list(
        db.session.scalars(
            sa.select(PersonalDataAccess)
            .where(PersonalDataAccess.created_at >= start, PersonalDataAccess.created_at < end)
            .order_by(PersonalDataAccess.id)
        )
    )
    before = list(
        db.session.scalars(
            sa.select(PersonalDataAccess).where(
                PersonalDataAccess.created_at >= start - timedelta(days=USUAL_DAYS),
                PersonalDataAccess.created_at < start,
                PersonalDataAccess.action == AccessAction.VIEW,
            )
        )
    )
    usual = {actor: statistics.median(days.values()) for actor, days in _views_per_day(before).items()}
    accounts: dict[str, AccountMonth] = {}
    for entry in entries:
        account = accounts.setdefault(entry.actor, AccountMonth(entry.actor))
        account.counts[entry.action] += 1
        if entry.action is AccessAction.DOWNLOAD:
            account.rows_downloaded += entry.record_count
    for actor, days in _views_per_day(entries).items():
        account = accounts[actor]
        account.busiest_day, account.busiest_count = max(days.items(), key=lambda item: item[1])
        account.usual_per_day = usual.get(actor, 0.0)
        account.unusual = account.busiest_count >= max(UNUSUAL_FACTOR * account.usual_per_day, UNUSUAL_MINIMUM)
    downloads = [entry for entry in entries if entry.action is AccessAction.DOWNLOAD]
    return Review(
        month=month.replace(day=1),
        accounts=sorted(accounts.values(), key=lambda a: (not a.unusual, a.actor)),
        downloads=downloads,
        night_downloads=[e for e in downloads if e.created_at.astimezone(KST).hour in NIGHT_HOURS],
        checks=list(
            db.session.scalars(
                sa.select(AuditEntry)
                .where(AuditEntry.subject == "access_review", AuditEntry.action == f"{month:%Y-%m}")
                .order_by(AuditEntry.id)
            )
        ),
    )


def mark_reviewed(month: date, actor: str, note: str) -> None:
    """점검 완료: who checked the month's records, when, and what they found."""
    db.session.add(AuditEntry(actor=actor, subject="access_review", action=f"{month:%Y-%m}", detail=note))


# Retention: the cron job's door, the only one.


# The database refuses to delete a record younger than a year (UTC); a calendar year on the shop's
# clock can be a day shorter around 29 February, so the job never goes nearer than this.
LEAST_KEPT = timedelta(days=367)


def retention_cutoff(now: datetime | None = None) -> datetime:
    """Records (and 로그인 기록) older than this go: ShopSettings.access_log_years, never less than one."""
    before = cutoff(max(shop_settings().access_log_years, 1), now)
    return min(before, (now or utcnow()) - LEAST_KEPT)


def prune(now: datetime | None = None) -> int:
    """Delete the records older than :func:`retention_cutoff`."""
    before = retention_cutoff(now)
    result = db.session.execute(
        sa.delete(PersonalDataAccess)
        .where(PersonalDataAccess.created_at < before)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
