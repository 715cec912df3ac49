from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..forms import BaseForm, CreateForm, VersionedForm, select_choices
from ..labels import ACTIVITY_KINDS, RATINGS, SKIP_REASONS
from . import service


def optional_int(value):
    """'' and None mean "none chosen"; anything else must be a whole number."""
    if value in (None, "", "None"):
        return None
    return int(value)


def web_link(form, field):
    link = (field.data or "").strip()
    if not link:
        return
    parts = urlsplit(link)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(
            ch.isspace() or ord(ch) < 32 for ch in link):
        raise ValidationError(_l("Enter a web address starting with http:// or https://."))


def goal_choices(goals):
    return select_choices({goal.id: goal.title for goal in goals}, blank=_l("No goal"))


class PlanForm(VersionedForm):
    day = DateField(_l("Day"), validators=[InputRequired(_l("Pick the day."))])
    plan = TextAreaField(
        _l("What the day is for"),
        validators=[Length(max=service.PLAN_MAX)],
        description=_l("A sentence is enough: what you want to learn or make."))
    goal_ids = SelectMultipleField(_l("Goals it serves"), coerce=int, choices=[],
                                   validate_choice=False)


class ActivityFields(BaseForm):
    kind = SelectField(_l("What you did"), choices=select_choices(ACTIVITY_KINDS))
    minutes = IntegerField(
        _l("Minutes"),
        validators=[InputRequired(_l("Enter the minutes, from 1 to 720.")),
                    NumberRange(min=1, max=service.MAX_ACTIVITY_MINUTES,
                                message=_l("Enter the minutes, from 1 to 720."))])
    note = TextAreaField(_l("Note"), validators=[Length(max=service.NOTE_MAX)])
    link = StringField(_l("Link"), validators=[Optional(), Length(max=service.LINK_MAX),
                                               web_link],
                       description=_l("Optional: the doc, ticket or course, as an http(s) link."))
    goal_id = SelectField(_l("Goal"), coerce=optional_int, choices=[], validate_choice=False)

    def set_goals(self, goals):
        self.goal_id.choices = goal_choices(goals)


class NewActivityForm(ActivityFields, CreateForm):
    pass


class ActivityForm(ActivityFields, VersionedForm):
    pass


class SkipForm(BaseForm):
    reason = SelectField(_l("Why"), choices=select_choices(SKIP_REASONS))
    note = TextAreaField(_l("Note"), id="skip-note",
                         validators=[Length(max=service.NOTE_MAX)])


class RatingForm(BaseForm):
    rating = RadioField(_l("How did the day go?"), coerce=int,
                        choices=select_choices(RATINGS),
                        validators=[InputRequired(_l("Pick one of the four."))])


class HistoryFilterForm(BaseForm):
    class Meta:
        csrf = False

    kind = SelectField(_l("Kind"), choices=select_choices(ACTIVITY_KINDS, blank=_l("All kinds")),
                       validators=[Optional()])
