"""Merchant accounts: lookup for Flask-Login, first-run setup, the owner and staff accounts."""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from . import logins
from .extensions import db, login_manager
from .models import AdminRole, AdminUser, AuditEntry, SetupCode, utcnow


@login_manager.user_loader
def load_user(cookie_id: str) -> AdminUser | None:
    """The admin of a login cookie, while that login is active (storefront.logins)."""
    return logins.load(cookie_id)


def has_admin() -> bool:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AdminUser)) > 0


def find_admin(email: str) -> AdminUser | None:
    return db.session.scalar(sa.select(AdminUser).where(AdminUser.email == email.strip().lower()))


def authenticate(email: str, password: str) -> AdminUser | None:
    user = find_admin(email)
    if user is None:
        # Same work whether or not the account exists, so timing does not tell.
        AdminUser(password_hash="").set_password(password)
        return None
    return user if user.check_password(password) else None


def create_or_update_admin(email: str, password: str) -> AdminUser:
    user = find_admin(email)
    if user is None:
        user = AdminUser(email=email.strip().lower())
        db.session.add(user)
    user.set_password(password)
    db.session.flush()
    return user


# Accounts: the owner adds and removes 운영자 (staff); everyone changes their own password.

MIN_PASSWORD_LENGTH = 8


class AccountError(ValueError):
    """A change to accounts that is refused; ``str(exc)`` is a message for the merchant."""


def _audit(actor: str, action: str, detail: str) -> None:
    db.session.add(AuditEntry(actor=actor, subject="account", action=action, detail=detail))


def staff_and_owners() -> list[AdminUser]:
    return list(db.session.scalars(sa.select(AdminUser).order_by(AdminUser.role, AdminUser.id)))


def account_history(limit: int = 20) -> list[AuditEntry]:
    return list(
        db.session.scalars(
            sa.select(AuditEntry).where(AuditEntry.subject == "account").order_by(AuditEntry.id.desc()).limit(limit)
        )
    )


def add_staff(email: str, password: str, actor: AdminUser) -> AdminUser:
    if not actor.is_owner:
        raise AccountError(_l("Only the owner can manage accounts."))
    if find_admin(email) is not None:
        raise AccountError(_l("An account with this e-mail already exists."))
    user = AdminUser(email=email.strip().lower(), role=AdminRole.STAFF)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    _audit(actor.email, "staff_added", user.email)
    return user


def remove_staff(user: AdminUser, actor: AdminUser) -> None:
    """Delete a staff account: its logins end at once; its name stays in the history it wrote."""
    if not actor.is_owner:
        raise AccountError(_l("Only the owner can manage accounts."))
    if user.is_owner:
        raise AccountError(_l("The owner's account cannot be removed."))
    _audit(actor.email, "staff_removed", user.email)
    db.session.delete(user)
    db.session.flush()


def change_password(user: AdminUser, current: str, new: str) -> bool:
    """Set a new password when ``current`` is right; every other login of the account ends."""
    if not user.check_password(current):
        return False
    user.set_password(new, keep=user.current_login)
    _audit(user.email, "password_changed", "")
    db.session.flush()
    return True


# First run: with no admin yet, a one-time code printed on the server's console lets its holder
# create the owner's account. Nobody else can: the setup page refuses without a valid code.

SETUP_CODE_LIFETIME = timedelta(hours=1)


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def new_setup_code() -> str:
    code = secrets.token_urlsafe(16)
    db.session.add(SetupCode(code_hash=_code_hash(code), expires_at=utcnow() + SETUP_CODE_LIFETIME))
    db.session.flush()
    return code


def setup_message(link: str, code: str) -> str:
    """What the server's console shows so that the merchant can make the owner's account in the browser."""
    return (
        "No admin account yet. To create the owner's account, open within one hour:\n"
        f"  {link}\n"
        f"(or open /admin/setup on this shop and enter the code {code}). The link works once."
    )


def setup_code_pending() -> bool:
    """A code printed within the hour is still waiting to be used."""
    pending = sa.select(SetupCode.id).where(SetupCode.expires_at > utcnow()).limit(1)
    return db.session.scalar(pending) is not None


def setup_code_valid(code: str | None) -> bool:
    if not code or len(code) > 100:
        return False
    found = db.session.scalar(
        sa.select(SetupCode.id).where(SetupCode.code_hash == _code_hash(code), SetupCode.expires_at > utcnow())
    )
    return found is not None


def create_first_admin(code: str, email: str, password: str) -> AdminUser | None:
    """The owner's account, made with a setup code; None when the code is not (or no longer) valid.

    The code is used up in the same transaction, with every other code: it works once.
    """
    claimed = db.session.execute(
        sa.delete(SetupCode).where(SetupCode.code_hash == _code_hash(code), SetupCode.expires_at > utcnow())
    ).rowcount
    if claimed != 1 or has_admin():
        return None
    db.session.execute(sa.delete(SetupCode))
    user = create_or_update_admin(email, password)
    _audit(user.email, "owner_created", "setup code")
    return user
