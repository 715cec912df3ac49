from flask_babel import lazy_gettext as _l
from wtforms import SearchField, SelectField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from ..forms import BaseForm, DateField, VersionedForm, select_choices
from ..labels import LEAVE_REASONS

# Long enough for any real question, short enough to keep the month chart to one query
# of a reasonable size.
LONGEST_PERIOD_YEARS = 50


def _id_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class PeriodForm(BaseForm):
    """The period of the dashboard and the exports: `?from=YYYY-MM-DD&to=YYYY-MM-DD`."""

    class Meta:
        csrf = False

    start = DateField(_l("From"), name="from",
                      validators=[InputRequired(message=_l("Choose the first day."))])
    end = DateField(_l("To"), name="to",
                    validators=[InputRequired(message=_l("Choose the last day."))])

    def validate_end(self, field):
        if self.start.data is None or field.data is None:
            return
        if field.data < self.start.data:
            raise ValidationError(_l("The period is reversed: its last day comes before its "
                                     "first. Choose a last day on or after the first."))
        if (field.data - self.start.data).days > LONGEST_PERIOD_YEARS * 366:
            raise ValidationError(_l("Choose a period of %(years)s years at most.",
                                     years=LONGEST_PERIOD_YEARS))

    @property
    def is_reversed(self) -> bool:
        """Both days are real dates, the last before the first (the only error then)."""
        return (self.start.data is not None and self.end.data is not None
                and self.end.data < self.start.data and not self.start.errors)

    def first_error(self) -> str:
        return next(iter(self.start.errors or self.end.errors), "")


class PeopleSearchForm(BaseForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Name or email"), validators=[Optional(), Length(max=254)])


class EmploymentForm(VersionedForm):
    hired_on = DateField(_l("Hired on"), validators=[InputRequired()])
    left_on = DateField(_l("Last day employed"), validators=[Optional()],
                        description=_l("Leave empty while they work here."))
    leave_reason = SelectField(_l("Reason for leaving"),
                               choices=select_choices(LEAVE_REASONS, blank=_l("Not leaving")))
    team_id = SelectField(_l("Team"), coerce=_id_or_none, validate_choice=True)

    def set_teams(self, teams):
        self.team_id.choices = select_choices({t.id: t.name for t in teams},
                                              blank=_l("No team"))
