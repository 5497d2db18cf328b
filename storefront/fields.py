"""Form fields and helpers shared by the admin and the shop."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, IntegerField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional

from .numbers import parse_int
from .text import clean_line


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
