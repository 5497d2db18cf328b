"""이용약관, 개인정보처리방침, 교환/반품/환불 안내 and the checkout's 개인정보 수집·이용 동의.

A policy's current text is the merchant's last saved version, or, until they
save one, a default built from 사업자 정보 and the shop's settings. Saved texts
are never changed: each save adds a version. An order points at the versions
its buyer agreed to; when the text agreed to is a default not yet stored, it is
stored at that moment (actor ``system``), so every order can show what it said.
"""

from datetime import datetime

import sqlalchemy as sa
from flask import current_app, render_template
from flask_babel import lazy_gettext as _l

from . import business, payments
from .extensions import db
from .messaging import settings as messaging_settings
from .models import SYSTEM, Order, PaymentMethod, PolicyKind, PolicyVersion, utcnow
from .settings import shop_settings
from .text import clean_text

TITLES = {
    PolicyKind.TERMS: _l("Terms of use"),
    PolicyKind.PRIVACY: _l("Privacy policy"),
    PolicyKind.REFUND: _l("Exchange, return and refund policy"),
    PolicyKind.COLLECTION: _l("Consent to collecting and using personal data"),
}
# What each checkout consent covers: 개인정보 수집·이용 동의, then 구매조건 확인 및 결제 진행 동의.
CONSENTS = {
    "collection_consent_id": PolicyKind.COLLECTION,
    "terms_consent_id": PolicyKind.TERMS,
    "refund_consent_id": PolicyKind.REFUND,
}


def title(kind: PolicyKind) -> str:
    return str(TITLES[kind])


def default_text(kind: PolicyKind) -> str:
    """The prefilled text, written from 사업자 정보 and the settings as they are now."""
    info = shop_settings()
    return render_template(
        f"policies/{kind.value}.txt",
        shop=info,
        business_no=business.format_brn(info.business_no),
        retention_years=current_app.config["PERSONAL_DATA_RETENTION_YEARS"],
        bank=payments.provider_for(PaymentMethod.BANK_TRANSFER).available(),
        card=payments.provider_for(PaymentMethod.CARD).available(),
        messages=messaging_settings.current().ready,  # the buyer's phone also gets this order's messages
    ).strip()


def _latest(kind: PolicyKind, *, by_merchant: bool = False) -> PolicyVersion | None:
    stmt = sa.select(PolicyVersion).where(PolicyVersion.kind == kind)
    if by_merchant:
        stmt = stmt.where(PolicyVersion.actor != SYSTEM)
    return db.session.scalar(stmt.order_by(PolicyVersion.id.desc()).limit(1))


def current_text(kind: PolicyKind) -> str:
    saved = _latest(kind, by_merchant=True)
    return saved.body if saved is not None else default_text(kind)


def edited(kind: PolicyKind) -> bool:
    """Whether the merchant has saved their own text (else the default is shown)."""
    return _latest(kind, by_merchant=True) is not None


def history(kind: PolicyKind) -> list[PolicyVersion]:
    return list(
        db.session.scalars(sa.select(PolicyVersion).where(PolicyVersion.kind == kind).order_by(PolicyVersion.id.desc()))
    )


def save(kind: PolicyKind, body: str, actor: str) -> PolicyVersion | None:
    """Keep the merchant's text as a new version; None when it is the text already in force."""
    body = clean_text(body)
    if body == current_text(kind) and edited(kind):
        return None
    version = PolicyVersion(kind=kind, body=body, actor=actor)
    db.session.add(version)
    db.session.flush()
    return version


def version_in_force(kind: PolicyKind, now: datetime | None = None) -> PolicyVersion:
    """The stored version of the text shown now, storing the default first if it is not stored yet."""
    text = current_text(kind)
    latest = _latest(kind)
    if latest is not None and latest.body == text:
        return latest
    version = PolicyVersion(kind=kind, body=text, actor=SYSTEM, created_at=now or utcnow())
    db.session.add(version)
    db.session.flush()
    return version


def record_consent(order: Order, now: datetime) -> None:
    """The buyer ticked both checkout consents: note which texts and when."""
    for column, kind in CONSENTS.items():
        setattr(order, column, version_in_force(kind, now).id)
    order.consented_at = now
