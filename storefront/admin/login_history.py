"""로그인 기록 and 다른 기기 로그아웃; the idle-logout script's two small endpoints (storefront.logins)."""

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import logins
from ..extensions import db
from ..models import AdminUser
from ..numbers import parse_id
from . import bp
from .forms import ConfirmForm


@bp.get("/logins")
def login_history():
    """로그인 기록 of one's own account; the owner may open any account's with ``?account=<id>``."""
    account = current_user._get_current_object()
    if "account" in request.args:
        account_id = parse_id(request.args["account"])
        if account_id is None:
            abort(404)
        if account_id != current_user.id:
            if not current_user.is_owner:
                abort(403)
            account = db.get_or_404(AdminUser, account_id)
    return render_template(
        "admin/logins.html",
        account=account,
        own=account is current_user._get_current_object(),
        entries=logins.recent(account),
        current=current_user.current_login,
        describe_device=logins.describe_device,
        status_label=logins.status_label,
        is_active=logins.is_active,
        confirm_form=ConfirmForm(),
    )


@bp.post("/logins/end-others")
def end_other_logins():
    """다른 기기 로그아웃: every other login of this account ends; this one goes on."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ended = logins.end_others(current_user, keep=current_user.current_login)
    db.session.commit()
    if ended:
        flash(_("Logged out %(count)d other login(s) of this account.", count=ended), "success")
    else:
        flash(_("No other device was logged in."), "info")
    return redirect(url_for("admin.login_history"))


@bp.get("/session.json")
def session_status():
    """Seconds left before the idle logout, for idle.js; asking does not count as use (PASSIVE_ENDPOINTS).
    Another tab's use of the admin shows here, so a tab left open does not log out a merchant at work."""
    return jsonify(seconds_left=logins.seconds_left(current_user.current_login))


@bp.post("/session/keep-alive")
def session_keep_alive():
    """계속 사용 in the idle warning: the request itself is the use (the blueprint's guard touched the login)."""
    return jsonify(seconds_left=logins.seconds_left(current_user.current_login))


@bp.context_processor
def idle_logout():
    """Every admin page tells idle.js how long its login has left."""
    login = current_user.current_login if current_user.is_authenticated else None
    return {"idle_seconds_left": logins.seconds_left(login) if login is not None else None}
