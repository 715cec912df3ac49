from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from ..forms import BaseForm, email_address, select_choices
from ..labels import LANGUAGE_NAMES


class LoginForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), email_address])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class SetPasswordForm(BaseForm):
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(min=12, max=256, message=_l(
            "Use at least 12 characters (256 at most)."))],
        description=_l("At least 12 characters. A short sentence is easy to remember."))
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two new "
                                                                      "passwords differ."))])


class PasswordForm(SetPasswordForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])


class AccountForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    locale = SelectField(_l("Language"), choices=select_choices(LANGUAGE_NAMES))
