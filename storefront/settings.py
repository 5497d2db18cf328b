"""The merchant's shop settings (one row).

Every page shows the shop's name and contact, so the row is read once per
request (or CLI command) and kept in ``g``. On shop pages it is read once per
content generation and process (storefront.pagecache): a saved change raises the
generation, so it reaches every app process on its next request.
"""

import json
import re
from dataclasses import dataclass, fields
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app, g

from . import pagecache
from .extensions import db
from .models import SYSTEM, AuditEntry, ShippingFeeType, ShippingMode, ShopSettings

_CACHE_KEY = "shop_settings"


@dataclass(frozen=True)
class ShopInfo:
    name: str
    description: str
    phone: str
    email: str
    notify_email: str
    require_two_factor: bool  # 2단계 인증 for every account (storefront.two_factor), read on every admin page
    bank_name: str
    bank_account: str
    bank_holder: str
    payment_due_days: int
    preview_image_hash: str | None
    business_name: str
    representative: str
    business_no: str
    mail_order_no: str
    business_address: str
    privacy_officer: str
    hosting_provider: str
    escrow_provider: str
    escrow_url: str
    favicon_hash: str | None
    shipping_fee_type: ShippingFeeType
    shipping_fee: int
    shipping_free_from: int
    shipping_quantity_unit: int
    return_shipping_fee: int
    exchange_shipping_fee: int
    jeju_extra_fee: int
    remote_extra_fee: int
    window_shipping_mode: ShippingMode
    idle_logout_minutes: int
    access_log_years: int

    @property
    def bank_ready(self) -> bool:
        return bool(self.bank_name and self.bank_account and self.bank_holder)

    def bank_line(self) -> str:
        return f"{self.bank_name} {self.bank_account} ({self.bank_holder})" if self.bank_ready else ""


def shop_settings() -> ShopInfo:
    info = g.get(_CACHE_KEY)
    if info is None:
        info = pagecache.settings(_read_settings)
        setattr(g, _CACHE_KEY, info)
    return info


def _read_settings() -> ShopInfo:
    row = settings_row()
    return ShopInfo(**{f.name: getattr(row, f.name) for f in fields(ShopInfo)})


def settings_row() -> ShopSettings:
    """The settings row to edit, made from the configuration's defaults the first time."""
    row = db.session.scalar(sa.select(ShopSettings).where(ShopSettings.id == 1))
    if row is None:
        config = current_app.config
        row = ShopSettings(
            id=1,
            name=config["SHOP_NAME"],
            description=config.get("SHOP_DESCRIPTION", ""),
            phone=config.get("SHOP_PHONE", ""),
            email=config.get("SHOP_EMAIL", ""),
            notify_email="",
            bank_name="",
            bank_account="",
            bank_holder="",
            payment_due_days=3,
            preview_image_hash=None,
            business_name="",
            representative="",
            business_no="",
            mail_order_no="",
            business_address="",
            privacy_officer="",
            hosting_provider="",
            escrow_provider="",
            escrow_url="",
            favicon_hash=None,
            shipping_fee_type=ShippingFeeType.FREE,
            shipping_fee=0,
            shipping_free_from=0,
            shipping_quantity_unit=1,
            return_shipping_fee=0,
            exchange_shipping_fee=0,
            jeju_extra_fee=0,
            remote_extra_fee=0,
            window_shipping_mode=ShippingMode.FREE,
            require_two_factor=False,
            idle_logout_minutes=30,
            access_log_years=2,
        )
    return row


def save_settings(values: dict, actor: str = SYSTEM) -> ShopSettings:
    """Save 상점 설정; the change is recorded with the account that made it (the names of the fields)."""
    row = settings_row()
    changed = sorted(key for key, value in values.items() if getattr(row, key) != value)
    for key, value in values.items():
        setattr(row, key, value)
    db.session.add(row)
    if changed:
        db.session.add(AuditEntry(actor=actor, subject="settings", action="saved", detail=json.dumps(changed)))
    db.session.flush()
    g.pop(_CACHE_KEY, None)
    return row


class BankLineParts(NamedTuple):
    before: str
    account: str
    after: str

    @property
    def account_digits(self) -> str:
        """What 계좌번호 복사 copies: banking apps take the number without hyphens."""
        return re.sub(r"\D", "", self.account)


_ACCOUNT_NUMBER = re.compile(r"\d[\d -]*\d")


def split_bank_line(line: str) -> BankLineParts:
    """The account number inside a :meth:`ShopInfo.bank_line` kept on an order: the longest run of digits."""
    match = max(_ACCOUNT_NUMBER.finditer(line), key=lambda m: len(m.group()), default=None)
    if match is None:
        return BankLineParts(line, "", "")
    return BankLineParts(line[: match.start()], match.group(), line[match.end() :])
