"""Merchant accounts: lookup for Flask-Login, first-run setup, the owner and staff accounts."""

import hashlib
import secrets
from datetime import timedelta
from functools import cache
from pathlib import Path

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


def create_or_update_admin(email: str, password: str, actor: str | None = None) -> AdminUser:
    """The owner's account made, or its password set again; recorded as ``actor``'s change when given
    (the CLI's ``create-admin``; the first-run setup records its own)."""
    user = find_admin(email)
    if user is None:
        user = AdminUser(email=email.strip().lower())
        db.session.add(user)
        action = "owner_created"
    else:
        action = "password_reset"
    user.set_password(password)
    db.session.flush()
    if actor is not None:
        record(actor, action, user.email)
    return user


# Passwords: one rule for every form and command that sets one. The 해설서 of the 안전성 확보조치 기준
# gives two readings (8 of 2 kinds or 10 of 1; 10 of 2 or 8 of 3); the stricter one is used. Any
# character that is not an ASCII letter or digit (a space, a symbol, 한글) counts as 특수문자, so a
# long passphrase of words passes.

MIN_PASSWORD_LENGTH = 8
LONG_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
PASSWORD_RULE = _l(
    "At least 10 characters of two kinds, or 8 of three kinds "
    "(upper-case letters, lower-case letters, numbers, symbols). Not your e-mail, not a common password."
)


@cache
def common_passwords() -> frozenset[str]:
    """The most used passwords (with those typical in Korea), shipped in common_passwords.txt."""
    text = (Path(__file__).with_name("common_passwords.txt")).read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def password_kinds(password: str) -> int:
    """How many of 영문 대문자, 영문 소문자, 숫자, 특수문자 the password uses."""
    ascii_letter = {c for c in password if c.isascii() and c.isalpha()}
    return sum(
        (
            any(c.isupper() for c in ascii_letter),
            any(c.islower() for c in ascii_letter),
            any(c.isascii() and c.isdigit() for c in password),
            any(not (c.isascii() and c.isalnum()) for c in password),
        )
    )


def password_problem(password: str, email: str = ""):
    """Why ``password`` may not be used (a message for the merchant), or None when it may."""
    kinds = password_kinds(password)
    if len(password) < MIN_PASSWORD_LENGTH:
        return _l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return _l("Up to %(n)d characters.", n=MAX_PASSWORD_LENGTH)
    if kinds < 2:
        return _l("Mix at least two kinds: upper-case letters, lower-case letters, numbers, symbols.")
    if len(password) < LONG_PASSWORD_LENGTH and kinds < 3:
        return _l("With fewer than 10 characters, use three kinds (upper-case, lower-case, numbers, symbols).")
    lowered = password.lower()
    email = email.strip().lower()
    local = email.partition("@")[0]
    if email and (lowered == email or email in lowered or (len(local) >= 3 and local in lowered)):
        return _l("Do not use your e-mail address, or its part before @, in the password.")
    if lowered in common_passwords():
        return _l("This is one of the most common passwords. Choose another.")
    return None


# Accounts: the owner adds and removes 운영자 (staff); everyone changes their own password.


class AccountError(ValueError):
    """A change to accounts that is refused; ``str(exc)`` is a message for the merchant."""


# 접근 권한 기록 (안전성 확보조치 기준 제5조③): every grant, change and removal of access, with who made it
# (``actor``), whose account (``detail``) and when. Kept at least 3 years: nothing in the app deletes
# an AuditEntry (retention.py prunes orders' personal data only).
ACCOUNT_EVENTS = {
    "owner_created": _l("Owner account created"),
    "staff_added": _l("Staff account added"),
    "staff_removed": _l("Staff account removed"),
    "password_changed": _l("Password changed"),
    "password_reset": _l("Password set again on the server"),
    "two_factor_enabled": _l("2-step verification turned on"),
    "two_factor_disabled": _l("2-step verification turned off"),
    "two_factor_reset": _l("2-step verification reset"),
    "recovery_codes_regenerated": _l("Recovery codes made again"),
    "recovery_code_used": _l("Recovery code used to log in"),
    "two_factor_required": _l("2-step verification required for every account"),
    "two_factor_not_required": _l("2-step verification no longer required"),
}


def record(actor: str, action: str, detail: str) -> None:
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
    record(actor.email, "staff_added", user.email)
    return user


def remove_staff(user: AdminUser, actor: AdminUser) -> None:
    """Delete a staff account: its logins end at once; its name stays in the history it wrote."""
    if not actor.is_owner:
        raise AccountError(_l("Only the owner can manage accounts."))
    if user.is_owner:
        raise AccountError(_l("The owner's account cannot be removed."))
    record(actor.email, "staff_removed", user.email)
    db.session.delete(user)
    db.session.flush()


def change_password(user: AdminUser, current: str, new: str) -> bool:
    """Set a new password when ``current`` is right; every other login of the account ends."""
    if not user.check_password(current):
        return False
    user.set_password(new, keep=user.current_login)
    record(user.email, "password_changed", user.email)
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
    record(user.email, "owner_created", user.email)
    return user
