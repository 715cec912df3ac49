from flask_babel import lazy_gettext as _l
from wtforms import EmailField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from ..forms import BaseForm, CreateForm, DateField, VersionedForm, email_address, select_choices
from ..labels import LEAVE_REASONS, ROLES

EMAIL_SHAPE = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter an email address."))


def _team_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class UserFields(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), email_address, EMAIL_SHAPE])
    role = SelectField(_l("Role"), choices=select_choices(ROLES))
    team_id = SelectField(_l("Team"), coerce=_team_or_none, validate_choice=True)
    hired_on = DateField(_l("Hired on"), validators=[InputRequired()])
    weekly_dev_hours = IntegerField(
        _l("Development hours a week"), default=8,
        validators=[InputRequired(), NumberRange(min=0, max=40)])

    def set_teams(self, teams):
        self.team_id.choices = select_choices({t.id: t.name for t in teams},
                                              blank=_l("No team"))


class NewUserForm(UserFields, CreateForm):
    pass


class UserForm(UserFields, VersionedForm):
    pass


class DeactivateForm(BaseForm):
    left_on = DateField(_l("Last day employed"), validators=[InputRequired()])
    leave_reason = SelectField(_l("Reason"), choices=select_choices(LEAVE_REASONS))


class TeamFields(BaseForm):
    name = StringField(_l("Team name"), validators=[DataRequired(), Length(max=100)])
    lead_id = SelectField(_l("Lead"), coerce=_team_or_none)

    def set_leads(self, leads):
        self.lead_id.choices = select_choices({u.id: u.name for u in leads},
                                              blank=_l("No lead yet"))


class NewTeamForm(TeamFields, CreateForm):
    pass


class TeamForm(TeamFields, VersionedForm):
    pass


class CycleForm(CreateForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=60)],
                       description=_l("For example: 2027 H1"))
    starts_on = DateField(_l("Starts on"), validators=[InputRequired()])
    ends_on = DateField(_l("Ends on"), validators=[InputRequired()])


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False

    action = StringField(_l("Action"), validators=[Optional(), Length(max=60)])
    person = StringField(_l("Person (name or email)"), validators=[Optional(), Length(max=254)])
