"""관리자 홈: what the shop still needs before customers can pay, and what happened today.

Each rule the home page shows lives in one function here, so a rule that grows
(new 사업자 정보 fields, new shipping statuses) changes in one place.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from . import business, lifecycle
from .clock import start_of_day
from .extensions import db
from .links import LinkStatus, link_status_clause
from .messaging import settings as messaging_settings
from .models import Order, OrderStatus, Product
from .payments import taking_payments
from .settings import ShopInfo, shop_settings


def shop_info_complete(info: ShopInfo) -> bool:
    """상점 정보: the shop has a name and a way for customers to reach it."""
    return bool(info.name and (info.phone or info.email))


def business_info_complete(info: ShopInfo) -> bool:
    """사업자 정보: everything the law asks an online shop to show is filled in."""
    return not business.missing_items(info)


def has_personal_payment_window() -> bool:
    """첫 개인결제창: the shop has made a link-only product."""
    return db.session.scalar(sa.select(sa.exists().where(Product.listed.is_(False))))


@dataclass(frozen=True)
class Step:
    label: str
    done: bool
    endpoint: str
    anchor: str = ""


def getting_started() -> list[Step]:
    """The 시작하기 checklist, in the order a new merchant does it."""
    info = shop_settings()
    return [
        Step(_l("Shop information"), shop_info_complete(info), "admin.settings", "shop-info"),
        Step(_l("Business information"), business_info_complete(info), "admin.settings", "business-info"),
        Step(_l("Payment method (bank account or card)"), taking_payments(), "admin.settings", "bank-transfer"),
        Step(_l("First personal payment window"), has_personal_payment_window(), "admin.product_new"),
    ]


def optional_steps(two_factor_on: bool = False) -> list[Step]:
    """What a shop can do without, offered below the checklist: messages to buyers (알림톡/문자), and
    2단계 인증 for the account looking (offered from the first run, not forced)."""
    messages_on = messaging_settings.current().ready
    return [
        Step(_l("Messages to buyers (KakaoTalk, text)"), messages_on, "admin.message_settings"),
        Step(_l("2-step verification for your account"), two_factor_on, "admin.two_factor"),
    ]


@dataclass(frozen=True)
class Figures:
    new_orders: int  # 새 주문: placed today
    awaiting_deposit: int  # 입금 대기: transfers to check, however old
    awaiting_deposit_amount: int
    to_ship: int  # 배송할 주문


def todays_figures(now: datetime | None = None) -> Figures:
    def count_if(condition):
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    waiting = Order.status == OrderStatus.AWAITING_DEPOSIT
    row = db.session.execute(
        sa.select(
            count_if(Order.created_at >= start_of_day(now)),
            count_if(waiting),
            sa.func.coalesce(sa.func.sum(sa.case((waiting, Order.total_amount), else_=0)), 0),
            count_if(lifecycle.to_ship_clause()),
        )
    ).one()
    return Figures(*(int(value) for value in row))


def link_counts(now: datetime | None = None) -> dict[LinkStatus, int]:
    """How many personal payment windows (link-only products) are in each link state (one query)."""
    states = sa.select(link_status_clause(now).label("state")).where(Product.listed.is_(False)).subquery()
    rows = db.session.execute(sa.select(states.c.state, sa.func.count()).group_by(states.c.state)).all()
    counts = dict.fromkeys(LinkStatus, 0)
    counts.update({LinkStatus(state): int(n) for state, n in rows})
    return counts
