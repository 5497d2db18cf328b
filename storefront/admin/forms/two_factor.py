"""Forms of 2단계 인증: the 인증 코드 at login and at enrolment, a 복구 코드, the password asked again."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Regexp


def _code_field() -> StringField:
    return StringField(
        _l("Verification code"),
        filters=[lambda value: "".join((value or "").split())],
        validators=[
            DataRequired(_l("Enter the 6-digit code from your authenticator app.")),
            Regexp(r"^\d{6}$", message=_l("The code is 6 digits.")),
        ],
    )


class CodeForm(FlaskForm):
    """인증 코드: the six digits the authenticator app shows (at login, and to confirm enrolment)."""

    code = _code_field()


class RecoveryForm(FlaskForm):
    recovery_code = StringField(
        _l("Recovery code"),
        validators=[
            DataRequired(_l("Enter one of your recovery codes.")),
            Length(max=40, message=_l("A recovery code looks like abcd-efgh-jkmn.")),
        ],
    )


class PasswordAgainForm(FlaskForm):
    """Asks the account's password again before 복구 코드 다시 만들기 or turning 2단계 인증 off."""

    password = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your password."))])


class RequirementForm(FlaskForm):
    """운영자 계정: 2단계 인증 for every account."""

    require_two_factor = BooleanField(_l("Require 2-step verification for every account"))
