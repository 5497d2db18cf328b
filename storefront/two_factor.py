"""2단계 인증 (TOTP, RFC 6238, with pyotp): the one home of its rules.

A secret is made when enrolment starts and only counts once a correct 인증 코드 confirmed it
(``two_factor_enabled_at``). A code is accepted one 30-second step either side of the server's clock,
and never for a step at or before the last one accepted (``totp_last_step``), so a code seen over a
shoulder or replayed cannot be used again, even within its 30 seconds. Both that and the 복구 코드
are claimed with a guarded UPDATE and its row count: two requests racing with one code cannot both win.

Between the password and the code, the login waits in the Flask session for five minutes; nothing is
logged in until the second step is done (admin/two_factor.py).
"""

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass

import pyotp
import sqlalchemy as sa
from flask import g, session
from flask_babel import lazy_gettext as _l
from pyotp.utils import strings_equal

from . import auth
from .extensions import db
from .models import SYSTEM, AdminUser, RecoveryCode, utcnow
from .settings import settings_row, shop_settings
from .sharing import qr_svg

DRIFT_STEPS = 1  # a phone's clock a little ahead or behind still works
RECOVERY_CODE_COUNT = 10
# Lower-case letters and digits a person reads without mistaking one for another (no i, l, o, 0, 1).
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_GROUPS = 3  # abcd-efgh-jkmn: 12 characters, about 59 bits
PENDING_SECONDS = 5 * 60
_PENDING_KEY = "two_factor_pending"

# While the shop requires 2단계 인증, an account without it reaches only these (and the public ones):
# the enrolment page, logout, and what the idle-logout script of that page asks.
ENROLMENT_ENDPOINTS = frozenset(
    {"admin.two_factor", "admin.logout", "admin.session_status", "admin.session_keep_alive"}
)


class TwoFactorError(ValueError):
    """A change that is refused; ``str(exc)`` is a message for the merchant."""


# The secret and its QR.


def issuer() -> str:
    return shop_settings().name or "Storefront"


def provisioning_uri(user: AdminUser) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=issuer())


def qr_data_uri(user: AdminUser) -> str:
    """The enrolment QR as a data: URI (the admin's CSP allows data: images, not inline scripts)."""
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(provisioning_uri(user))).decode()


def grouped(secret: str) -> str:
    """The secret in groups of four, to type into an app that cannot scan."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def start_enrolment(user: AdminUser) -> None:
    """A secret for an account not yet enrolled; kept while the page is reopened, so a scan stays good."""
    if user.two_factor_enabled:
        raise TwoFactorError(_l("2-step verification is already on."))
    if not user.totp_secret:
        user.totp_secret = pyotp.random_base32()
        user.totp_last_step = None
        db.session.flush()


# 인증 코드.


def _normalise_code(code: str | None) -> str:
    return "".join((code or "").split()).replace("-", "")


def _matching_step(secret: str, code: str, now: float) -> int | None:
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    here = totp.timecode(now)
    for step in range(here - DRIFT_STEPS, here + DRIFT_STEPS + 1):
        if strings_equal(code, totp.generate_otp(step)):
            return step
    return None


def use_code(user: AdminUser, code: str | None, now: float | None = None) -> bool:
    """Accept a 6-digit 인증 코드 once: True when it matches a step later than any accepted before."""
    if not user.totp_secret:
        return False
    step = _matching_step(user.totp_secret, _normalise_code(code), time.time() if now is None else now)
    if step is None:
        return False
    claimed = db.session.execute(
        sa.update(AdminUser)
        .where(
            AdminUser.id == user.id,
            sa.or_(AdminUser.totp_last_step.is_(None), AdminUser.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return False
    user.totp_last_step = step
    return True


def enable(user: AdminUser, code: str | None) -> list[str] | None:
    """Turn 2단계 인증 on with a correct code: the new 복구 코드 (to show once), or None.

    Every other login of the account ends (one made with the password alone, perhaps by whoever
    learnt it, must not outlive the second factor); this one passed the code and goes on.
    """
    if user.two_factor_enabled or not use_code(user, code):
        return None
    user.two_factor_enabled_at = utcnow()
    codes = _replace_recovery_codes(user)
    current = user.current_login
    user.end_sessions(keep=current)
    if current is not None:
        current.two_factor = True
    auth.record(user.email, "two_factor_enabled", user.email)
    return codes


def missing_second_factor(user: AdminUser) -> bool:
    """A login of an account with 2단계 인증 that did not pass it (made before it was turned on)."""
    login = user.current_login
    return user.two_factor_enabled and login is not None and not login.two_factor


# 복구 코드.


def _recovery_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _new_recovery_code() -> str:
    letters = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(4 * RECOVERY_GROUPS))
    return "-".join(letters[i : i + 4] for i in range(0, len(letters), 4))


def _replace_recovery_codes(user: AdminUser) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(code.replace("-", ""))) for code in codes)
    db.session.flush()
    return codes


def use_recovery_code(user: AdminUser, code: str | None) -> bool:
    """Accept a 복구 코드 once (typed with or without hyphens or spaces, in any case)."""
    typed = _normalise_code(code).lower()
    if not user.two_factor_enabled or len(typed) != 4 * RECOVERY_GROUPS:
        return False
    claimed = db.session.execute(
        sa.update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _recovery_hash(typed),
            RecoveryCode.used_at.is_(None),
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return False
    auth.record(user.email, "recovery_code_used", user.email)
    return True


def recovery_codes_left(user: AdminUser) -> int:
    unused = sa.select(sa.func.count()).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    return db.session.scalar(unused)


def regenerate_recovery_codes(user: AdminUser, password: str) -> list[str]:
    """복구 코드 다시 만들기: new codes (the old ones stop working), after the password is asked again."""
    if not user.two_factor_enabled:
        raise TwoFactorError(_l("2-step verification is off."))
    if not user.check_password(password):
        raise TwoFactorError(_l("The current password is not correct."))
    codes = _replace_recovery_codes(user)
    auth.record(user.email, "recovery_codes_regenerated", user.email)
    return codes


# Turning it off, and resetting another account's.


def _clear(user: AdminUser) -> None:
    user.totp_secret = None
    user.totp_last_step = None
    user.two_factor_enabled_at = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def disable(user: AdminUser, password: str) -> None:
    """The account holder turns 2단계 인증 off, with the password; not while the shop requires it."""
    if not user.two_factor_enabled:
        raise TwoFactorError(_l("2-step verification is off."))
    if required():
        raise TwoFactorError(_l("This shop requires 2-step verification for every account: it cannot be turned off."))
    if not user.check_password(password):
        raise TwoFactorError(_l("The current password is not correct."))
    _clear(user)
    auth.record(user.email, "two_factor_disabled", user.email)
    db.session.flush()


def reset(user: AdminUser, actor: AdminUser | None) -> None:
    """2단계 인증 초기화: the owner's for a staff member (``actor``), or the CLI's (None) for any account
    whose phone is lost. The second factor is cleared and the account's logins end; it can enrol again (and must, while
    the shop requires it)."""
    if actor is not None:
        if not actor.is_owner:
            raise TwoFactorError(_l("Only the owner can manage accounts."))
        if user.is_owner:
            raise TwoFactorError(_l("The owner turns 2-step verification off on their own page."))
    if not user.two_factor_enabled and not user.totp_secret:
        raise TwoFactorError(_l("2-step verification is off."))
    _clear(user)
    user.end_sessions()
    auth.record(actor.email if actor else SYSTEM, "two_factor_reset", user.email)
    db.session.flush()


# The shop's requirement.


def required() -> bool:
    """The shop requires 2단계 인증 of every account, the owner's too."""
    return shop_settings().require_two_factor


def must_enrol(user: AdminUser) -> bool:
    """A logged-in account the shop's requirement confines to the enrolment page until it enrols."""
    return not user.two_factor_enabled and required()


def set_required(on: bool, actor: AdminUser) -> None:
    """The owner requires 2단계 인증 of every account, or stops; the owner must have enrolled first."""
    if not actor.is_owner:
        raise TwoFactorError(_l("Only the owner can manage accounts."))
    if on and not actor.two_factor_enabled:
        raise TwoFactorError(_l("Turn on 2-step verification for your own account first."))
    row = settings_row()
    if row.require_two_factor == on:
        return
    row.require_two_factor = on
    db.session.add(row)
    g.pop("shop_settings", None)  # this request's copy of the settings (storefront.settings) is stale
    auth.record(actor.email, "two_factor_required" if on else "two_factor_not_required", "")
    db.session.flush()


# The login between its two steps.


@dataclass(frozen=True)
class PendingLogin:
    user: AdminUser
    next_url: str | None


def _password_fingerprint(user: AdminUser) -> str:
    """Changes with the password; the session cookie is signed, not secret, so never the hash itself."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def begin_pending_login(user: AdminUser, next_url: str | None) -> None:
    """The password was right: remember the account for the 인증 코드 step (five minutes, not logged in)."""
    session.clear()
    # Tied to the password it was given with: a password change voids the pending step.
    session[_PENDING_KEY] = {
        "user": user.id,
        "password": _password_fingerprint(user),
        "until": time.time() + PENDING_SECONDS,
        "next": next_url or "",
    }


def pending_login() -> PendingLogin | None:
    pending = session.get(_PENDING_KEY)
    if not isinstance(pending, dict) or pending.get("until", 0) < time.time():
        return None
    user = db.session.get(AdminUser, pending.get("user"))
    if user is None or not user.two_factor_enabled or _password_fingerprint(user) != pending.get("password"):
        return None
    return PendingLogin(user, pending.get("next") or None)


def forget_pending_login() -> None:
    session.pop(_PENDING_KEY, None)
