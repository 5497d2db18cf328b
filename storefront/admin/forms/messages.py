"""Forms of 알림 설정, its 테스트 발송, and 링크 보내기 › 문자로 보내기."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, ValidationError

from ...fields import PhoneField, mobile_number, options
from ...messaging import LMS_BYTES, text_bytes
from ...messaging.settings import TemplateSwitch, keys_set
from ...messaging.templates import CATALOGUE, ORDER_TEMPLATES
from ...models import MessageTemplate
from ...text import clean_line, clean_text

PROVIDER_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,40}")  # SOLAPI's pfId and template ids (KA01PF…, KA01TP…)
SENDER_RE = re.compile(r"0\d{8,10}|1\d{7}")  # KISA: 8 to 11 digits, landlines with their area code


def _provider_id(form, field):
    if field.data and not PROVIDER_ID_RE.fullmatch(field.data):
        raise ValidationError(_l("Paste the ID as SOLAPI shows it: letters and digits, up to 40."))


def id_field(label) -> StringField:
    """A pfId or a 템플릿 ID as pasted from the SOLAPI console."""
    return StringField(label, filters=[clean_line], validators=[_provider_id])


class MessageSettingsForm(FlaskForm):
    """알림 설정. Each message of :data:`ORDER_TEMPLATES` adds ``on_<name>`` and ``template_id_<name>`` below."""

    enabled = BooleanField(_l("Send messages to buyers"))
    sender_number = PhoneField(_l("Sender number"))
    kakao_pf_id = id_field(_l("KakaoTalk channel (pfId)"))

    def validate_sender_number(self, field):
        typed = bool(field.raw_data and field.raw_data[0].strip())
        if typed and not SENDER_RE.fullmatch(field.data or ""):
            raise ValidationError(_l("Enter the number as registered, e.g. 02-1234-5678 or 010-1234-5678."))
        if self.enabled.data and not field.data:
            raise ValidationError(_l("Enter the sender number registered with SOLAPI to send messages."))

    def validate_enabled(self, field):
        if field.data and not keys_set():
            raise ValidationError(_l("The SOLAPI API key and secret are not set on the server yet (see README)."))

    def fields_of(self, template: MessageTemplate):
        return getattr(self, f"on_{template.value}"), getattr(self, f"template_id_{template.value}")

    def switches(self) -> dict[MessageTemplate, TemplateSwitch]:
        return {
            template: TemplateSwitch(bool(on.data), template_id.data or "")
            for template in ORDER_TEMPLATES
            for on, template_id in [self.fields_of(template)]
        }

    def fill(self, info) -> None:
        self.enabled.data, self.sender_number.data, self.kakao_pf_id.data = (
            info.enabled, info.sender_number, info.kakao_pf_id
        )  # fmt: skip
        for template in ORDER_TEMPLATES:
            on, template_id = self.fields_of(template)
            on.data, template_id.data = info.switches[template].enabled, info.switches[template].template_id


for _template in ORDER_TEMPLATES:
    setattr(MessageSettingsForm, f"on_{_template.value}", BooleanField(CATALOGUE[_template].label))
    setattr(
        MessageSettingsForm,
        f"template_id_{_template.value}",
        id_field(_l("%(message)s template ID", message=CATALOGUE[_template].label)),
    )


class TestMessageForm(FlaskForm):
    """테스트 발송: one of the messages, with made-up values, to the merchant's own phone."""

    phone = PhoneField(
        _l("Your mobile number"), validators=[DataRequired(_l("Enter your mobile number.")), mobile_number]
    )
    template = SelectField(
        _l("Message"),
        choices=options(*((template.value, CATALOGUE[template].label) for template in ORDER_TEMPLATES)),
        validate_choice=True,
    )


class LinkMessageForm(FlaskForm):
    """문자로 보내기: the merchant's text, with the window's link, to the customer it is made for."""

    text = TextAreaField(_l("Message"), filters=[clean_text])
    nonce = HiddenField()

    def __init__(self, *args, url: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.url = url

    def validate_text(self, field):
        if not field.data:
            raise ValidationError(_l("Write the message."))
        if self.url and self.url not in field.data:
            raise ValidationError(_l("Keep the payment link in the message: %(url)s", url=self.url))
        if text_bytes(field.data) > LMS_BYTES:
            raise ValidationError(_l("A text message holds up to 2,000 bytes (about 1,000 Korean characters)."))

    def validate_nonce(self, field):
        if not re.fullmatch(r"[A-Za-z0-9_-]{32}", field.data or ""):
            raise ValidationError(_l("The form was out of date. Send it again."))
