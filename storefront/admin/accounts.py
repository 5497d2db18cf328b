"""The back office: logging in, the first-run setup, 비밀번호 변경 and 운영자 계정."""

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from .. import auth, logins, two_factor
from ..auth import authenticate, has_admin
from ..extensions import db
from ..models import AdminUser
from ..throttle import LOCKED_OUT, throttle
from . import bp, safe_next
from .forms import ConfirmForm
from .forms.accounts import AccountForm, LoginForm, PasswordChangeForm, SetupForm
from .forms.two_factor import RequirementForm


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    if not has_admin():
        return redirect(url_for("admin.setup"))
    form = LoginForm()
    if form.validate_on_submit():
        attempt = throttle().begin(form.email.data, request.remote_addr)
        if attempt is None:
            return _render_login(LoginForm(), error=LOCKED_OUT), 429
        user = authenticate(form.email.data, form.password.data)
        throttle().end(attempt, failed=user is None)
        if user is not None:
            if user.two_factor_enabled:  # the password alone does not log in: 인증 코드 next
                two_factor.begin_pending_login(user, request.args.get("next"))
                return redirect(url_for("admin.login_code"))
            _complete_login(user)
            return redirect(safe_next(request.args.get("next")))
        # The same answer for an unknown e-mail and a wrong password.
        return _render_login(form, error=_("The e-mail or password is not correct.")), 401
    return _render_login(form)


def _complete_login(user: AdminUser, two_factor: bool = False) -> None:
    """Every login ends here: a fresh session, and a row in 로그인 기록 (committed) that the cookie names."""
    session.clear()  # a fresh session at login: nothing from before carries over
    logins.start(user, two_factor=two_factor)
    db.session.commit()
    login_user(user)  # no "remember me": the cookie lives as long as the browser session, and the login row


def _render_login(form: LoginForm, error: str | None = None):
    return render_template("admin/login.html", form=form, error=error)


@bp.post("/logout")
def logout():
    # Ends this login (other devices stay logged in): a copy of its cookie no longer opens the admin.
    logins.log_out(logins.EndReason.LOGOUT)
    flash(_("You have logged out."), "info")
    return redirect(url_for("admin.login"))


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    """관리자 계정 만들기: only with the one-time code printed on the server's console."""
    if has_admin():
        return redirect(url_for("admin.login"))
    code = (request.values.get("code") or "").strip()
    form = SetupForm()
    if auth.setup_code_valid(code):
        if form.validate_on_submit():
            user = auth.create_first_admin(code, form.email.data, form.password.data)
            if user is not None:
                db.session.commit()
                _complete_login(user)
                flash(_("Your admin account is ready. Start with the checklist below."), "success")
                return redirect(url_for("admin.index"))
        form.code.data = code
        status = 422 if form.errors else 200
        return render_template("admin/setup.html", form=form), status
    if not auth.setup_code_pending():
        fresh = auth.new_setup_code()
        db.session.commit()
        # Never a link built from the request's Host header: whoever sent this request chose it.
        base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
        current_app.logger.warning(auth.setup_message(base + url_for("admin.setup", code=fresh), fresh))
    return render_template("admin/setup.html", form=None, wrong_code=bool(code)), 403 if code else 200


@bp.route("/password", methods=["GET", "POST"])
def password():
    """비밀번호 변경: the current password is asked again; every other login of the account ends."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if auth.change_password(current_user, form.current_password.data, form.new_password.data):
            db.session.commit()
            login_user(current_user._get_current_object())  # this login goes on (a fresh login for Flask-Login)
            flash(_("Your password has been changed. Other logins of this account have ended."), "success")
            return redirect(url_for("admin.password"))
        form.current_password.errors.append(_("The current password is not correct."))
    return render_template("admin/password.html", form=form), 422 if form.errors else 200


@bp.route("/accounts", methods=["GET", "POST"])
def accounts():
    """운영자 계정: the owner adds staff accounts (removing is below)."""
    form = AccountForm()
    if form.validate_on_submit():
        try:
            user = auth.add_staff(form.email.data, form.password.data, current_user)
        except auth.AccountError as exc:
            db.session.rollback()
            form.email.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("%(email)s can now log in as staff.", email=user.email), "success")
            return redirect(url_for("admin.accounts"))
    return render_template(
        "admin/accounts.html",
        form=form,
        users=auth.staff_and_owners(),
        history=auth.account_history(),
        events=auth.ACCOUNT_EVENTS,
        confirm_form=ConfirmForm(),
        requirement_form=RequirementForm(require_two_factor=two_factor.required()),
    ), 422 if form.errors else 200


@bp.post("/accounts/<id:user_id>/remove")
def account_remove(user_id: int):
    user = db.get_or_404(AdminUser, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        auth.remove_staff(user, current_user)
    except auth.AccountError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("The account was removed; its logins have ended."), "success")
    return redirect(url_for("admin.accounts"))
