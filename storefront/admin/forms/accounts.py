"""Forms of logging in, the first-run setup, 비밀번호 변경 and 운영자 계정."""

from flask_babel import lazy_gettext as _l
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
)

from ...auth import MIN_PASSWORD_LENGTH
from ...text import clean_line


class LoginForm(FlaskForm):
    email = EmailField(
        _l("E-mail"),
        filters=[clean_line],
        validators=[DataRequired(_l("Enter your e-mail.")), Email(_l("Enter a valid e-mail address."))],
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])


def _new_password(label) -> PasswordField:
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Enter a password.")),
            Length(min=MIN_PASSWORD_LENGTH, message=_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)),
            Length(max=200, message=_l("Up to %(n)d characters.", n=200)),
        ],
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
    password = _new_password(_l("Password"))
    password_confirm = _repeat(_l("Password again"), "password")


class SetupForm(AccountForm):
    code = HiddenField()


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired(_l("Enter your password."))])
    new_password = _new_password(_l("New password"))
    new_password_confirm = _repeat(_l("New password again"), "new_password")
