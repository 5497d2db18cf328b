"""로그인 기록: every login to the back office is a row (AdminLogin), and the login cookie names that row.

The one home of login sessions. A login starts here (:func:`start`); its cookie, ``"{login.id}.{token}"``
(only the token's SHA-256 is stored), opens the admin while the row is not ended and the login has
not been idle longer than ShopSettings.idle_logout_minutes (개인정보의 안전성 확보조치 기준 제6조④).
Use keeps it alive (:func:`touch`, at most one write a minute); it ends here: logout, 다른 기기 로그아웃,
a password change, a reset (``AdminUser.end_sessions``) or idleness. Removing an account deletes its
rows (ON DELETE CASCADE). The server decides; static/js/idle.js only warns a minute before the end
and then shows the login page.

Flask-Login's "remember me" cookie is never set, and one made with the secret key would still name a
login row, so it opens nothing once that row has ended. Session protection stays Flask-Login's "basic":
"strong" would log a merchant out whenever a phone moves between Wi-Fi and LTE (its address changes);
a stolen cookie is answered by 다른 기기 로그아웃 and the idle limit instead.
"""

import enum
import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import g, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from sqlalchemy.orm import contains_eager
from sqlalchemy.orm.attributes import set_committed_value

from .clock import utcnow
from .extensions import db
from .models import AdminLogin, AdminUser, ShopSettings
from .numbers import parse_id
from .transactions import write_at_once

DEFAULT_IDLE_MINUTES = 30  # ShopSettings' default, for a shop whose settings row is not made yet
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often per login
RECENT = 20  # logins listed in 로그인 기록


class EndReason(enum.StrEnum):
    LOGOUT = "logout"
    IDLE = "idle"
    OTHER_DEVICE = "other_device"  # 다른 기기 로그아웃 from another login of the account
    PASSWORD = "password"  # 비밀번호 변경
    RESET = "reset"  # by the owner or the server's command (e.g. 2단계 인증 reset)


END_LABELS = {
    EndReason.LOGOUT: _l("Logged out"),
    EndReason.IDLE: _l("Logged out after inactivity"),
    EndReason.OTHER_DEVICE: _l("Logged out from another device"),
    EndReason.PASSWORD: _l("Password changed"),
    EndReason.RESET: _l("Ended by an account change"),
}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(user: AdminUser, two_factor: bool = False) -> AdminLogin:
    """Record a login of ``user`` from this request; ``user.get_id()`` is then its cookie identity."""
    token = secrets.token_urlsafe(32)
    login = AdminLogin(
        user=user,
        token_hash=_hash(token),
        address=(request.remote_addr or "")[:45],  # the client's, once ProxyFix has read X-Forwarded-For
        user_agent=request.user_agent.string[:300],
        two_factor=two_factor,
    )
    db.session.add(login)
    db.session.flush()
    user.use_login(login, f"{login.id}.{token}")
    return login


# The idle limit comes with the login in one statement: every admin page asks for both.
_IDLE_MINUTES = sa.func.coalesce(
    sa.select(ShopSettings.idle_logout_minutes).where(ShopSettings.id == 1).scalar_subquery(), DEFAULT_IDLE_MINUTES
)


def _find(cookie_id: str | None) -> AdminLogin | None:
    """The login a cookie names, whatever its state, when the cookie's token is its token."""
    login_id, _, token = (cookie_id or "").partition(".")
    login_id = parse_id(login_id)
    if login_id is None or not token or len(token) > 100:
        return None
    row = db.session.execute(
        sa.select(AdminLogin, _IDLE_MINUTES)
        .join(AdminLogin.user)
        .options(contains_eager(AdminLogin.user))
        .where(AdminLogin.id == login_id)
    ).one_or_none()
    if row is None or not hmac.compare_digest(row[0].token_hash, _hash(token)):
        return None
    g.idle_logout_minutes = row[1]
    return row[0]


def idle_limit() -> timedelta:
    if "idle_logout_minutes" not in g:
        g.idle_logout_minutes = db.session.scalar(sa.select(_IDLE_MINUTES))
    return timedelta(minutes=g.idle_logout_minutes)


def is_idle(login: AdminLogin, now: datetime | None = None) -> bool:
    return (now or utcnow()) - login.last_seen_at > idle_limit()


def is_active(login: AdminLogin) -> bool:
    return login.ended_at is None and not is_idle(login)


def seconds_left(login: AdminLogin) -> int:
    """Seconds until this login ends for idleness, unless it is used again."""
    return max(0, int((login.last_seen_at + idle_limit() - utcnow()).total_seconds()))


def load(cookie_id: str) -> AdminUser | None:
    """The account of a login cookie, while its login is active (Flask-Login's user loader)."""
    login = _find(cookie_id)
    if login is None or not is_active(login):
        return None
    login.user.use_login(login, cookie_id)
    return login.user


def touch(login: AdminLogin) -> None:
    """The login was used now: it stays alive. Written at most once a minute, by a conditional UPDATE
    (two requests at once write once), committed at once whatever the page."""
    now = utcnow()
    if now - login.last_seen_at < TOUCH_EVERY:
        return
    touched = write_at_once(
        sa.update(AdminLogin)
        .where(AdminLogin.id == login.id, AdminLogin.ended_at.is_(None), AdminLogin.last_seen_at < now - TOUCH_EVERY)
        .values(last_seen_at=now)
        .execution_options(synchronize_session=False)
    )
    if touched:
        set_committed_value(login, "last_seen_at", now)  # as stored; the page's own transaction stays read-only


def end_if_idle(cookie_id: str | None) -> bool:
    """End the login a cookie names when idleness is why it no longer opens the admin; whether it did."""
    login = _find(cookie_id)
    if login is None or login.ended_at is not None or not is_idle(login):
        return False
    return bool(write_at_once(_ending(EndReason.IDLE).where(AdminLogin.id == login.id)))


def _ending(reason: EndReason | str) -> sa.Update:
    return sa.update(AdminLogin).where(AdminLogin.ended_at.is_(None)).values(ended_at=utcnow(), end_reason=str(reason))


def end(login: AdminLogin, reason: EndReason | str) -> bool:
    """End one login (in the request's transaction); False when it had already ended."""
    return db.session.execute(_ending(reason).where(AdminLogin.id == login.id)).rowcount == 1


def log_out(reason: EndReason) -> None:
    """End the current request's login (committed) and forget it in this browser."""
    end(current_user.current_login, reason)
    db.session.commit()
    logout_user()
    session.clear()


def end_all(user: AdminUser, reason: EndReason | str, keep: AdminLogin | None = None) -> int:
    """End every login of ``user`` but ``keep``; how many were still open."""
    if user.id is None:
        return 0
    statement = _ending(reason).where(AdminLogin.user_id == user.id)
    if keep is not None:
        statement = statement.where(AdminLogin.id != keep.id)
    return db.session.execute(statement).rowcount


def end_others(user: AdminUser, keep: AdminLogin) -> int:
    """다른 기기 로그아웃: every other login of the account still in use ends; how many. (Logins already
    idle no longer open anything, and are left to read as 자동 로그아웃.)"""
    in_use = AdminLogin.last_seen_at >= utcnow() - idle_limit()
    statement = _ending(EndReason.OTHER_DEVICE).where(AdminLogin.user_id == user.id, AdminLogin.id != keep.id, in_use)
    return db.session.execute(statement).rowcount


def recent(user: AdminUser, limit: int = RECENT) -> list[AdminLogin]:
    return list(
        db.session.scalars(
            sa.select(AdminLogin)
            .where(AdminLogin.user_id == user.id)
            .order_by(AdminLogin.created_at.desc(), AdminLogin.id.desc())
            .limit(limit)
        )
    )


def status_label(login: AdminLogin) -> str:
    """로그인 기록's 상태: in use, or how it ended (an idle login not yet seen again counts as ended)."""
    if login.ended_at is None:
        return str(END_LABELS[EndReason.IDLE]) if is_idle(login) else str(_l("In use"))
    try:
        return str(END_LABELS[EndReason(login.end_reason)])
    except ValueError:
        return str(_l("Ended"))


def prune(before: datetime) -> int:
    """Delete the logins that ended, or were last used, before ``before``; how many."""
    gone = sa.or_(
        AdminLogin.ended_at < before, sa.and_(AdminLogin.ended_at.is_(None), AdminLogin.last_seen_at < before)
    )
    return db.session.execute(sa.delete(AdminLogin).where(gone)).rowcount


# A readable device for 로그인 기록 from the User-Agent header: the app (in-app browsers first, as they
# also name the browser they are built on) and the system. Names are products, shown as they are.
_APPS = [
    (re.compile(r"KAKAOTALK", re.I), "KakaoTalk"),
    (re.compile(r"NAVER\(inapp|NAVER/", re.I), "NAVER"),
    (re.compile(r"Instagram"), "Instagram"),
    (re.compile(r"FBAN|FBAV"), "Facebook"),
    (re.compile(r"Line/"), "LINE"),
    (re.compile(r"SamsungBrowser"), "Samsung Internet"),
    (re.compile(r"Whale/"), "Whale"),
    (re.compile(r"Edg(e|A|iOS)?/"), "Edge"),
    (re.compile(r"OPR/|Opera"), "Opera"),
    (re.compile(r"Firefox/|FxiOS/"), "Firefox"),
    (re.compile(r"Chrome/|CriOS/"), "Chrome"),
    (re.compile(r"Version/[\d.]+.*Safari/"), "Safari"),
]
_IN_APP = {"KakaoTalk", "NAVER", "Instagram", "Facebook", "LINE"}
_SYSTEMS = [
    (re.compile(r"iPhone"), "iPhone"),
    (re.compile(r"iPad"), "iPad"),
    (re.compile(r"Android"), "Android"),
    (re.compile(r"CrOS"), "ChromeOS"),
    (re.compile(r"Macintosh|Mac OS X"), "Mac"),
    (re.compile(r"Windows"), "Windows"),
    (re.compile(r"Linux"), "Linux"),
]


def describe_device(user_agent: str) -> str:
    """A device as "Chrome · Android", "KakaoTalk 인앱 · iPhone", "Safari · Mac"; 알 수 없는 기기 when unknown."""
    app = next((name for pattern, name in _APPS if pattern.search(user_agent)), None)
    system = next((name for pattern, name in _SYSTEMS if pattern.search(user_agent)), None)
    if app in _IN_APP:
        app = str(_l("%(app)s in-app", app=app))
    parts = [part for part in (app, system) if part]
    return " · ".join(parts) if parts else str(_l("Unknown device"))
