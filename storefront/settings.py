"""The merchant's shop settings (one row).

Every page shows the shop's name and contact, so the row is read once and kept
for a few seconds in each process (a saved change reaches other app processes
within ``CACHE_SECONDS``; the process that saved it sees it at once).
"""

import time
from dataclasses import dataclass, fields

import sqlalchemy as sa
from flask import current_app

from .extensions import db
from .models import ShopSettings

CACHE_SECONDS = 10
_CACHE_KEY = "storefront.shop_settings"


@dataclass(frozen=True)
class ShopInfo:
    name: str
    description: str
    phone: str
    email: str
    notify_email: str
    bank_name: str
    bank_account: str
    bank_holder: str
    payment_due_days: int
    preview_image_hash: str | None
    favicon_hash: str | None

    @property
    def bank_ready(self) -> bool:
        return bool(self.bank_name and self.bank_account and self.bank_holder)

    def bank_line(self) -> str:
        return f"{self.bank_name} {self.bank_account} ({self.bank_holder})" if self.bank_ready else ""


def shop_settings() -> ShopInfo:
    cached = current_app.extensions.get(_CACHE_KEY)
    if cached is not None and cached[0] > time.monotonic():
        return cached[1]
    row = settings_row()
    info = ShopInfo(**{f.name: getattr(row, f.name) for f in fields(ShopInfo)})
    current_app.extensions[_CACHE_KEY] = (time.monotonic() + CACHE_SECONDS, info)
    return info


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
            favicon_hash=None,
        )
    return row


def save_settings(values: dict) -> ShopSettings:
    row = settings_row()
    for key, value in values.items():
        setattr(row, key, value)
    db.session.add(row)
    db.session.flush()
    current_app.extensions.pop(_CACHE_KEY, None)
    return row
