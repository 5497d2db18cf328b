"""The merchant's shop settings (one row), read once per request."""

import sqlalchemy as sa
from flask import current_app, g, has_request_context

from .extensions import db
from .models import ShopSettings


def shop_settings() -> ShopSettings:
    """The settings row, created from the configuration's defaults the first time."""
    if has_request_context() and "shop_settings" in g:
        return g.shop_settings
    settings = db.session.scalar(sa.select(ShopSettings).where(ShopSettings.id == 1))
    if settings is None:
        config = current_app.config
        settings = ShopSettings(
            id=1,
            name=config["SHOP_NAME"],
            description=config.get("SHOP_DESCRIPTION", ""),
            phone=config.get("SHOP_PHONE", ""),
            email=config.get("SHOP_EMAIL", ""),
            payment_due_days=3,
        )
    if has_request_context():
        g.shop_settings = settings
    return settings


def save_settings(values: dict) -> ShopSettings:
    settings = shop_settings()
    for key, value in values.items():
        setattr(settings, key, value)
    db.session.add(settings)
    db.session.flush()
    return settings
