"""Login throttling: failed logins counted per e-mail and per address, in a store every app process shares.

The store is the database by default, so several gunicorn workers or machines
count together with no extra service. ``RATELIMIT_STORAGE_URI=redis://…`` counts
in Redis instead (through the ``limits`` library).

Each attempt is recorded and committed *before* the password is checked, then
counted: attempts running at the same time in different processes all see each
other, so no burst gets more tries than the limit. A refused attempt and a
successful login leave no row; a failed one stays for the window.
"""

from datetime import timedelta

import limits
import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from .extensions import db
from .models import LoginAttempt, utcnow

# What a refused attempt (a password or a 인증 코드) is told.
LOCKED_OUT = _l("Too many failed logins. For your security, wait 15 minutes and try again.")


def _limits() -> tuple[limits.RateLimitItem, limits.RateLimitItem]:
    config = current_app.config
    return limits.parse(config["LOGIN_LIMIT_PER_ACCOUNT"]), limits.parse(config["LOGIN_LIMIT_PER_ADDRESS"])


def _keys(email: str, address: str | None) -> tuple[str, str]:
    return (email or "").strip().lower()[:254], (address or "")[:45]


class DatabaseThrottle:
    def begin(self, email: str, address: str | None) -> int | None:
        """Record an attempt; its id, or None when the limits refuse it."""
        email, address = _keys(email, address)
        per_account, per_address = _limits()
        now = utcnow()
        oldest = now - timedelta(seconds=max(per_account.get_expiry(), per_address.get_expiry()))
        db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.created_at < oldest))
        attempt = LoginAttempt(email=email, address=address, created_at=now)
        db.session.add(attempt)
        db.session.commit()

        def count(column, value, item):
            since = now - timedelta(seconds=item.get_expiry())
            where = (column == value, LoginAttempt.created_at >= since, LoginAttempt.id <= attempt.id)
            return db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt).where(*where))

        if (
            count(LoginAttempt.email, email, per_account) > per_account.amount
            or count(LoginAttempt.address, address, per_address) > per_address.amount
        ):
            self.end(attempt.id, failed=False)
            return None
        db.session.commit()  # no transaction (on SQLite: no lock) held while the password is hashed
        return attempt.id

    def end(self, attempt_id: int, failed: bool) -> None:
        """Keep a failed attempt for the window; forget one that succeeded (or was refused)."""
        if not failed:
            db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.id == attempt_id))
        db.session.commit()


class StorageThrottle:
    """The same rule in a ``limits`` storage (Redis, or memory for a single process)."""

    def __init__(self, uri: str):
        self.limiter = MovingWindowRateLimiter(storage_from_string(uri))

    def begin(self, email: str, address: str | None) -> tuple[str, str] | None:
        keys = _keys(email, address)
        checks = zip(_limits(), ("account", "address"), keys, strict=True)
        if all(self.limiter.test(item, kind, key) for item, kind, key in checks):
            return keys
        return None

    def end(self, keys: tuple[str, str], failed: bool) -> None:
        if failed:
            for item, kind, key in zip(_limits(), ("account", "address"), keys, strict=True):
                self.limiter.hit(item, kind, key)


def throttle() -> DatabaseThrottle | StorageThrottle:
    """The app's throttle: in the database unless RATELIMIT_STORAGE_URI names another store."""
    uri = current_app.config["RATELIMIT_STORAGE_URI"]
    if not uri:
        return DatabaseThrottle()
    stores = current_app.extensions.setdefault("storefront.throttles", {})
    if uri not in stores:
        stores[uri] = StorageThrottle(uri)
    return stores[uri]
