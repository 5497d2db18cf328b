"""Forms of 접속기록 and its 점검 (the owner's)."""

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Form, MonthField, SelectField, StringField
from wtforms.validators import InputRequired, NumberRange, Optional

from ...access_log import ACTION_LABELS, Filters
from ...fields import LenientIntegerField, line_field, options
from ...models import AccessAction
from ...text import clean_line


class AccessLogFilterForm(Form):
    """접속기록's filters, from the query string; a value that does not parse is ignored, not an error page."""

    actor = SelectField(_l("Login account"), default="", validate_choice=False)
    action = SelectField(
        _l("Task"),
        choices=options(("", _l("All")), *((action.value, label) for action, label in ACTION_LABELS.items())),
        default="",
        validate_choice=False,
    )
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
    order_no = StringField(_l("Order number"), filters=[lambda s: clean_line(s)[:20]])

    def filters(self) -> Filters:
        self.validate()
        action = self.action.data if self.action.data in {a.value for a in AccessAction} else None
        return Filters(
            actor=self.actor.data or "",
            action=AccessAction(action) if action else None,
            start=_plausible(self.start),
            end=_plausible(self.end),
            order_no=self.order_no.data or "",
        )


# A date typed outside these years is no filter at all (and no overflow turning it into UTC).
PLAUSIBLE = (date(2000, 1, 1), date(2100, 12, 31))


def _plausible(field) -> date | None:
    day = field.data if not field.errors else None
    return day if day is not None and PLAUSIBLE[0] <= day <= PLAUSIBLE[1] else None


class ReviewMonthForm(Form):
    """점검's month, from the query string: this month when it is missing, malformed or not plausible."""

    month = MonthField(_l("Month"), validators=[Optional()])

    def chosen(self) -> date | None:
        self.validate()
        month = _plausible(self.month)
        return month.replace(day=1) if month is not None else None


class ReviewForm(FlaskForm):
    """점검 완료: the owner says the month's records were checked, and what was found."""

    note = line_field(
        _l("What you found"), 300, required=_l("Write what you checked and found, even “nothing unusual”.")
    )


class PrivacySettingsForm(FlaskForm):
    idle_logout_minutes = LenientIntegerField(
        _l("Automatic logout after (minutes idle)"),
        validators=[
            InputRequired(_l("Enter the minutes.")),
            NumberRange(5, 480, _l("Between %(min)s and %(max)s minutes.")),
        ],
    )
    access_log_years = LenientIntegerField(
        _l("Keep access records (years)"),
        validators=[
            InputRequired(_l("Enter the years.")),
            NumberRange(1, 10, _l("Between %(min)s and %(max)s years: the rule asks for at least one year.")),
        ],
    )
