"""관리자페이지: the merchant's back office. Every route is behind login, checked once here."""

from flask import Blueprint, abort, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import logins
from ..two_factor import ENROLMENT_ENDPOINTS, missing_second_factor, must_enrol
from ..urls import local_path

bp = Blueprint("admin", __name__, url_prefix="/admin")

# The Home Screen web app's manifest and service worker are public too: browsers fetch them without
# the login cookie, and hold nothing private (admin/webapp.py).
PUBLIC_ENDPOINTS = {"admin.login", "admin.login_code", "admin.setup", "admin.manifest", "admin.service_worker"}
# 운영자 계정 and 접속기록: staff cannot manage accounts, nor read what other accounts did.
OWNER_ENDPOINTS = {
    "admin.accounts", "admin.account_remove", "admin.two_factor_reset", "admin.two_factor_requirement",
    "admin.access_records", "admin.access_review", "admin.access_review_done", "admin.privacy_settings",
}  # fmt: skip


# Asked by the page's own script (static/js/idle.js), not by the merchant: not a sign of use.
PASSIVE_ENDPOINTS = {"admin.session_status"}


@bp.before_request
def require_login():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        if logins.end_if_idle(session.get("_user_id")):
            session.clear()
            flash(_("You were logged out because the admin was not used for a while. Please log in again."), "info")
        return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
    if missing_second_factor(current_user):
        # A login from before 2단계 인증 was turned on: it ends, and the next one asks for the code.
        logins.log_out(logins.EndReason.RESET)
        flash(_("This account now uses 2-step verification. Please log in again."), "info")
        return redirect(url_for("admin.login"))
    if request.endpoint not in PASSIVE_ENDPOINTS:
        logins.touch(current_user.current_login)
    if request.endpoint in OWNER_ENDPOINTS and not current_user.is_owner:
        abort(403)
    if request.endpoint not in ENROLMENT_ENDPOINTS and must_enrol(current_user):
        return redirect(url_for("admin.two_factor"))  # the shop requires 2단계 인증: enrol first
    return None


@bp.after_request
def no_store(response):
    # Back-office pages hold customers' details: keep them out of shared caches and history.
    response.headers.setdefault("Cache-Control", "no-store")
    response.headers.setdefault("X-Frame-Options", "DENY")
    return response


@bp.context_processor
def unread_orders():
    from ..notifications import unread_count
    from ..payments import taking_payments

    if not current_user.is_authenticated:
        return {"unread_orders": 0, "payments_off": False}
    # payments_off: every admin page says so while customers cannot pay.
    return {"unread_orders": unread_count(), "payments_off": not taking_payments()}


def safe_next(target: str | None) -> str:
    """A local path to return to after login; anything else goes to 관리자 홈."""
    return local_path(target, url_for("admin.index"))


from . import accounts, legal, login_history, messages, orders, privacy, products, push, settings, two_factor, webapp  # noqa: E402,F401  (each attaches its routes to bp)
