"""Form fields and helpers shared by the admin and the shop."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, IntegerField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from .numbers import parse_int
from .text import clean_line, format_phone, is_mobile_number, phone_digits


def options(*pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class LenientIntegerField(IntegerField):
    """A whole number that may be typed as merchants write it: "12,000", "12000원", " 3 "."""

    def __init__(self, *args, invalid_message=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid_message = invalid_message or _l("Enter a whole number.")

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = re.sub(r"[\s,원₩]", "", valuelist[0] or "")
        if raw == "":
            self.data = None
            return
        self.data = parse_int(raw, minimum=-(10**12), maximum=10**12)
        if self.data is None:
            raise ValueError(self.invalid_message)


def line_field(label, max_length: int, required: str | None = None, **kwargs) -> StringField:
    """One line of text: cleaned of control characters, at most ``max_length`` characters.

    ``required`` is the message shown when it is left empty (None: optional).
    """
    validators = [DataRequired(required)] if required else []
    validators.append(Length(max=max_length, message=_l("Up to %(n)d characters.", n=max_length)))
    return StringField(label, filters=[clean_line], validators=validators, **kwargs)


def email_field(label) -> EmailField:
    """An optional e-mail address, checked when given."""
    return EmailField(
        label,
        filters=[clean_line],
        validators=[
            Optional(),
            Email(_l("Enter a valid e-mail address.")),
            Length(max=254, message=_l("Up to %(n)d characters.", n=254)),
        ],
    )


class PhoneField(StringField):
    """A phone number: stored as digits, shown back as 010-1234-5678 (or as typed when it is not a number)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("filters", [phone_digits])
        super().__init__(*args, **kwargs)

    def _value(self) -> str:
        shown = format_phone(self.data)
        if shown != self.data:
            return shown
        return self.raw_data[0] if self.raw_data else self.data or ""
def mobile_number(form, field):
    """Validator: a Korean mobile number, when one was typed (use with the phone_digits filter)."""
    if field.data and not is_mobile_number(field.data):
        raise ValidationError(_l("Enter a mobile number such as 010-1234-5678."))
