"""The back office: 알림 설정 (messages to buyers) and its 테스트 발송."""

import secrets

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .. import messaging
from ..extensions import db
from ..messaging import settings, templates
from ..models import MessageTemplate, utcnow
from ..settings import shop_settings
from ..text import is_mobile_number, phone_digits
from ..urls import absolute_url
from . import bp
from .forms.messages import MessageSettingsForm, TestMessageForm


def _settings_page(form: MessageSettingsForm, test_form: TestMessageForm | None = None, status: int = 200):
    info = settings.current()
    if test_form is None:
        phone = current_shop_mobile()
        test_form = TestMessageForm(formdata=None, phone=phone)
    bodies = {template: templates.body(template) for template in templates.ORDER_TEMPLATES}
    secret_set = bool(current_app.config.get("SOLAPI_WEBHOOK_SECRET"))
    return render_template(
        "admin/message_settings.html",
        form=form,
        test_form=test_form,
        info=info,
        missing=settings.missing(info),
        templates=templates,
        bodies=bodies,
        sizes={template: messaging.text_type(body) for template, body in bodies.items()},
        webhook_url=absolute_url("shop.solapi_webhook") if secret_set else None,
    ), status


def current_shop_mobile() -> str:
    """The shop's contact number when it is a mobile (the merchant's own phone, for 테스트 발송)."""
    digits = phone_digits(shop_settings().phone)
    return digits if is_mobile_number(digits) else ""


@bp.route("/settings/messages", methods=["GET", "POST"])
def message_settings():
    """알림 설정: on/off, 발신번호, 카카오 채널, each message's switch and 템플릿 ID, and what is missing."""
    form = MessageSettingsForm()
    if request.method == "GET":
        form.fill(settings.current())
        return _settings_page(form)
    if not form.validate_on_submit():
        return _settings_page(form, status=422)
    settings.save(
        bool(form.enabled.data),
        form.sender_number.data or "",
        form.kakao_pf_id.data or "",
        form.switches(),
        actor=current_user.email,
    )
    db.session.commit()
    flash(_("Message settings saved."), "success")
    return redirect(url_for("admin.message_settings"))


@bp.post("/settings/messages/test")
def message_test():
    """테스트 발송: a message with made-up values to the merchant's phone, sent now with the saved settings."""
    form = TestMessageForm()
    if not form.validate_on_submit():
        page_form = MessageSettingsForm(formdata=None)
        page_form.fill(settings.current())
        return _settings_page(page_form, test_form=form, status=422)
    info = settings.current()
    provider = messaging.provider()
    if provider is None or not info.sender_number:
        flash(_("Set the SOLAPI keys and the sender number first: the test uses the saved settings."), "error")
        return redirect(url_for("admin.message_settings", _anchor="test"))
    template = MessageTemplate(form.template.data)
    values = templates.sample_variables(template, utcnow())
    outgoing = messaging.Outgoing(
        key=f"test:{secrets.token_hex(8)}",
        to=form.phone.data,
        sender=info.sender_number,
        text=templates.fill(templates.body(template), values),
        alimtalk=info.alimtalk(template, values),
    )
    db.session.rollback()  # only read: no transaction stays open while the provider is called
    _flash_outcome(messaging.deliver(provider, outgoing))
    return redirect(url_for("admin.message_settings", _anchor="test"))


def _flash_outcome(outcome) -> None:
    if isinstance(outcome, messaging.Sent):
        channel = str(templates.CHANNEL_LABELS.get(outcome.channel, outcome.channel))
        flash(_("The test message was sent as %(channel)s. Check the phone.", channel=channel), "success")
        if outcome.note:
            flash(_("KakaoTalk refused it, so it went as a text message: %(reason)s", reason=outcome.note), "warning")
    elif isinstance(outcome, messaging.Refused):
        flash(_("SOLAPI refused the test message: %(reason)s", reason=outcome.reason), "error")
    else:
        flash(_("SOLAPI did not answer (%(reason)s). Check the phone in a moment.", reason=outcome.reason), "warning")
