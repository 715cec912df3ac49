from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import BaseForm, CreateForm, VersionedForm, select_choices
from . import service


class GoalFields(BaseForm):
    title = StringField(_l("Title"), validators=[
        DataRequired(_l("Give the goal a title.")), Length(max=service.TITLE_MAX)])
    why = TextAreaField(_l("Why it matters"), validators=[Length(max=service.TEXT_MAX)])
    success = TextAreaField(_l("How success will be seen"),
                            validators=[Length(max=service.TEXT_MAX)])
    cycle_id = SelectField(_l("Cycle"), coerce=int, choices=[],
                           invalid_choice_message=_l(
                               "Goals can be set for the current and the next cycle."))

    def set_cycles(self, cycles):
        self.cycle_id.choices = select_choices({c.id: c.name for c in cycles})


class NewGoalForm(GoalFields, CreateForm):
    pass


class GoalForm(GoalFields, VersionedForm):
    pass
