"""The owner's 접속기록 (개인정보 접속기록), its monthly 점검, and how long logins and records last.

There is no route here, or anywhere in the admin, that changes or deletes a record.
"""

from datetime import date

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import access_log, exports
from ..clock import local_date
from ..extensions import db
from ..fields import options
from ..settings import save_settings, settings_row
from ..urls import page_number
from . import bp
from .forms.privacy import AccessLogFilterForm, PrivacySettingsForm, ReviewForm, ReviewMonthForm


@bp.context_processor
def access_labels():
    return {
        "access_action_label": access_log.action_label,
        "access_detail_label": access_log.detail_label,
        "export_purpose_label": exports.purpose_label,
    }


@bp.get("/access-log")
def access_records():
    return _records_page(PrivacySettingsForm(obj=settings_row()))


def _records_page(settings_form: PrivacySettingsForm, status: int = 200):
    filters = AccessLogFilterForm(request.args)
    filters.actor.choices = options(("", _("All")), *((actor, actor) for actor in access_log.actors()))
    page = db.paginate(
        access_log.select(filters.filters()),
        page=page_number(),
        per_page=current_app.config["ADMIN_PRODUCTS_PER_PAGE"],
        error_out=False,
        count=True,
    )
    return render_template("admin/access_log.html", filters=filters, page=page, settings_form=settings_form), status


@bp.post("/access-log/settings")
def privacy_settings():
    """자동 로그아웃 and how long 접속기록 are kept."""
    form = PrivacySettingsForm()
    if not form.validate_on_submit():
        return _records_page(form, 422)
    save_settings(
        {"idle_logout_minutes": form.idle_logout_minutes.data, "access_log_years": form.access_log_years.data},
        actor=current_user.email,
    )
    db.session.commit()
    flash(_("Settings saved."), "success")
    return redirect(url_for("admin.access_records"))


def _review_page(month: date, form: ReviewForm, status: int = 200):
    return render_template(
        "admin/access_review.html",
        month_form=ReviewMonthForm(formdata=None, month=month),
        review=access_log.review(month),
        form=form,
        this_month=local_date().replace(day=1),
    ), status


@bp.get("/access-log/review")
def access_review():
    month = ReviewMonthForm(request.args).chosen() or local_date().replace(day=1)
    return _review_page(month, ReviewForm(formdata=None))


@bp.post("/access-log/review")
def access_review_done():
    """점검 완료 for the month in the query string (this month or an earlier one)."""
    this_month = local_date().replace(day=1)
    month = ReviewMonthForm(request.args).chosen()
    form = ReviewForm()
    if month is None or month > this_month:
        return _review_page(this_month, form, 400)
    if not form.validate_on_submit():
        return _review_page(month, form, 422)
    access_log.mark_reviewed(month, current_user.email, form.note.data)
    db.session.commit()
    flash(_("The check of %(month)s was recorded.", month=f"{month:%Y-%m}"), "success")
    return redirect(url_for("admin.access_review", month=f"{month:%Y-%m}"))
