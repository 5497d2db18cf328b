"""2단계 인증 pages: the login's second step, enrolment (next to 비밀번호 변경), and on 운영자 계정 the
owner's requirement and 2단계 인증 초기화. The rules are in storefront/two_factor.py."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import two_factor as rules
from ..extensions import db
from ..models import AdminUser
from ..throttle import LOCKED_OUT, throttle
from . import bp, safe_next
from .accounts import _complete_login
from .forms import ConfirmForm
from .forms.two_factor import CodeForm, PasswordAgainForm, RecoveryForm, RequirementForm


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """인증 코드 (or a 복구 코드) after the password: only then is the account logged in."""
    if current_user.is_authenticated:
        return redirect(url_for("admin.index"))
    pending = rules.pending_login()
    if pending is None:
        rules.forget_pending_login()
        flash(_("The login took more than 5 minutes or was interrupted. Log in again."), "info")
        return redirect(url_for("admin.login"))
    recovery = request.args.get("recovery") == "1"
    form = RecoveryForm() if recovery else CodeForm()
    if form.validate_on_submit():
        # Codes count with passwords in the one throttle: five wrong codes lock like five wrong passwords.
        attempt = throttle().begin(pending.user.email, request.remote_addr)
        if attempt is None:
            return _render_code(form, recovery, LOCKED_OUT), 429
        user = pending.user
        if recovery:
            ok = rules.use_recovery_code(user, form.recovery_code.data)
        else:
            ok = rules.use_code(user, form.code.data)
        db.session.commit()
        throttle().end(attempt, failed=not ok)
        if ok:
            _complete_login(user, two_factor=True)
            if recovery:
                flash(_("You logged in with a recovery code; it cannot be used again."), "warning")
            return redirect(safe_next(pending.next_url))
        if recovery:
            return _render_code(form, recovery, _("This recovery code is not correct or was already used.")), 401
        message = _("The code is not correct or was already used. Wait for the next code in the app and enter it.")
        return _render_code(form, recovery, message), 401
    return _render_code(form, recovery), 422 if form.errors else 200


def _render_code(form, recovery: bool, error: str | None = None):
    return render_template("admin/login_code.html", form=form, recovery=recovery, error=error)


@bp.route("/two-factor", methods=["GET", "POST"], endpoint="two_factor")
def two_factor_page():
    """2단계 인증: scan the QR (or type the secret), confirm with a code, keep the 복구 코드 shown once."""
    user = current_user._get_current_object()
    if user.two_factor_enabled:
        return _render_enabled(user)
    form = CodeForm()
    rules.start_enrolment(user)
    db.session.commit()
    if form.validate_on_submit():
        codes = rules.enable(user, form.code.data)
        if codes is not None:
            db.session.commit()
            flash(_("2-step verification is on. From now on, logging in asks for a code."), "success")
            return render_template("admin/recovery_codes.html", codes=codes)
        message = _("The code is not correct. Check that your phone’s time is right, then enter the newest code.")
        form.code.errors.append(message)
    return render_template(
        "admin/two_factor.html",
        form=form,
        qr=rules.qr_data_uri(user),
        secret=rules.grouped(user.totp_secret),
        required=rules.required(),
    ), 422 if form.errors else 200


def _render_enabled(user: AdminUser, status: int = 200, codes_form=None, off_form=None):
    return render_template(
        "admin/two_factor.html",
        codes_left=rules.recovery_codes_left(user),
        codes_total=rules.RECOVERY_CODE_COUNT,
        codes_form=codes_form or PasswordAgainForm(prefix="codes"),
        off_form=off_form or PasswordAgainForm(prefix="off"),
        required=rules.required(),
    ), status


@bp.post("/two-factor/recovery-codes")
def two_factor_codes():
    """복구 코드 다시 만들기: the old codes stop working, the new ones are shown once."""
    user = current_user._get_current_object()
    form = PasswordAgainForm(prefix="codes")
    if form.validate_on_submit():
        try:
            codes = rules.regenerate_recovery_codes(user, form.password.data)
        except rules.TwoFactorError as exc:
            db.session.rollback()
            form.password.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("New recovery codes are ready; the old ones no longer work."), "success")
            return render_template("admin/recovery_codes.html", codes=codes)
    if not user.two_factor_enabled:
        return redirect(url_for("admin.two_factor"))
    return _render_enabled(user, 422, codes_form=form)


@bp.post("/two-factor/off")
def two_factor_off():
    user = current_user._get_current_object()
    form = PasswordAgainForm(prefix="off")
    if form.validate_on_submit():
        try:
            rules.disable(user, form.password.data)
        except rules.TwoFactorError as exc:
            db.session.rollback()
            form.password.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("2-step verification is off. Logging in asks for the password only."), "success")
            return redirect(url_for("admin.two_factor"))
    if not user.two_factor_enabled:
        return redirect(url_for("admin.two_factor"))
    return _render_enabled(user, 422, off_form=form)


@bp.post("/accounts/<id:user_id>/two-factor/reset")
def two_factor_reset(user_id: int):
    """2단계 인증 초기화 (owner): a staff member who lost the phone enrols again at the next login."""
    user = db.get_or_404(AdminUser, user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        rules.reset(user, current_user._get_current_object())
    except rules.TwoFactorError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("2-step verification of %(email)s was reset; its logins have ended.", email=user.email), "success")
    return redirect(url_for("admin.accounts"))


@bp.post("/accounts/two-factor")
def two_factor_requirement():
    form = RequirementForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        rules.set_required(form.require_two_factor.data, current_user._get_current_object())
    except rules.TwoFactorError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        if form.require_two_factor.data:
            flash(_("Every account now needs 2-step verification to use the admin."), "success")
        else:
            flash(_("2-step verification is no longer required."), "success")
    return redirect(url_for("admin.accounts"))
