from flask_babel import lazy_gettext as _l
from wtforms import (
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import SelectField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..dev_days.forms import optional_int
from ..forms import BaseForm, CreateForm, DateField, select_choices
from ..labels import RATINGS, REVIEW_ASPECTS
from . import service


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class TicketReviewForm(CreateForm):
    reviewee_id = SelectField(_l("Whose ticket"), coerce=optional_int, choices=[],
                              invalid_choice_message=_l(
                                  "Choose a teammate, someone you lead, or yourself."))
    ticket_url = StringField(_l("Ticket link"), validators=[
        DataRequired(_l("Paste the ticket's web address.")), Length(max=service.URL_MAX)])
    ticket_ref = StringField(_l("Reference (optional)"),
                             validators=[Length(max=service.REF_MAX)])
    rating = RadioField(_l("How was it?"), coerce=int,
                        choices=select_choices(RATINGS),
                        validators=[InputRequired(_l("Pick one of the four."))],
                        validate_choice=True)
    praise = TextAreaField(_l("What worked"), validators=[
        DataRequired(_l("Say what worked.")), Length(max=service.TEXT_MAX)])
    suggestion = TextAreaField(_l("One thing to adjust (optional)"),
                               validators=[Length(max=service.TEXT_MAX)])
    aspects = CheckboxesField(_l("What stood out"),
                              choices=select_choices(REVIEW_ASPECTS))
    minutes = IntegerField(_l("Minutes it took (optional)"), validators=[
        Optional(), NumberRange(1, service.REVIEW_MINUTES_MAX,
                                _l("Enter the minutes, from 1 to 240, or leave them empty."))])

    def set_people(self, people, me):
        self.reviewee_id.choices = select_choices(
            {p.id: (_l("Myself (self-review)") if p.id == me.id else p.name)
             for p in people}, blank=_l("Choose…"))


class ReplyForm(BaseForm):
    reply = TextAreaField(_l("Your reply"), validators=[
        DataRequired(_l("Write your reply.")), Length(max=service.TEXT_MAX)])


class PracticeForm(CreateForm):
    held_on = DateField(_l("Held on"), validators=[DataRequired(_l("Enter a date."))])
    scenario = StringField(_l("Scenario"), validators=[
        DataRequired(_l("Name the scenario.")), Length(max=service.SCENARIO_MAX)])
    brief = TextAreaField(_l("Brief"), validators=[Length(max=service.PRACTICE_TEXT_MAX)])
    minutes = IntegerField(_l("Minutes"), validators=[
        InputRequired(_l("Enter the minutes, from 5 to 480.")),
        NumberRange(*service.PRACTICE_MINUTES, _l("Enter the minutes, from 5 to 480."))])
    customer_ids = CheckboxesField(_l("Played the customer"), coerce=int, choices=[])
    agent_ids = CheckboxesField(_l("Played the agent"), coerce=int, choices=[])
    observer_ids = CheckboxesField(_l("Observed"), coerce=int, choices=[])
    takeaways = TextAreaField(_l("Takeaways"),
                              validators=[Length(max=service.PRACTICE_TEXT_MAX)])

    def set_people(self, people):
        for name in ("customer_ids", "agent_ids", "observer_ids"):
            self[name].choices = select_choices({p.id: p.name for p in people})
