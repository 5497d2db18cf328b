"""Forms of logging in, the first-run setup, 비밀번호 변경 and 운영자 계정."""

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    PasswordField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    ValidationError,
)

from ...auth import PASSWORD_RULE, password_problem
from ...text import clean_line


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        filters=[clean_line],
        validators=[DataRequired(_l("Enter your e-mail.")), Email(_l("Enter a valid e-mail address."))],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])


class PasswordRule:
    """The shop's password rule (auth.password_problem), against the form's e-mail field or, on
    비밀번호 변경, the logged-in account's."""

    def __init__(self, email_field: str | None = None):
        self.email_field = email_field

    def __call__(self, form, field) -> None:
        email = form[self.email_field].data if self.email_field else current_user.email
        problem = password_problem(field.data or "", email or "")
        if problem:
            raise ValidationError(str(problem))


def _new_password(label, email_field: str | None = None) -> PasswordField:
    return PasswordField(
        label, description=PASSWORD_RULE, validators=[DataRequired(_l("Enter a password.")), PasswordRule(email_field)]
    )


def _repeat(label, of: str) -> PasswordField:
    return PasswordField(label, validators=[EqualTo(of, message=_l("The two passwords are not the same."))])


class AccountForm(FlaskForm):
    """A new account: the owner's at first run, a staff member's on 운영자 계정."""

    email = EmailField(
        _l("E-mail"),
        filters=[clean_line],
        validators=[
            DataRequired(_l("Enter your e-mail.")),
            Email(_l("Enter a valid e-mail address.")),
            Length(max=254, message=_l("Up to %(n)d characters.", n=254)),
        ],
    )
    password = _new_password(_l("Password"), email_field="email")
    password_confirm = _repeat(_l("Password again"), "password")


class SetupForm(AccountForm):
    code = HiddenField()


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your password."))])
    new_password = _new_password(_l("New password"))
    new_password_confirm = _repeat(_l("New password again"), "new_password")
