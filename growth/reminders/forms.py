from flask_babel import lazy_gettext as _l
from wtforms import RadioField
from wtforms.validators import InputRequired

from ..forms import BaseForm, select_choices


class RemindersForm(BaseForm):
    reminders = RadioField(_l("Reminder emails"), choices=select_choices({
        "on": _l("On: remind me to plan and to log my development day"),
        "off": _l("Off")}), validators=[InputRequired()])
