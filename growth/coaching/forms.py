from datetime import date

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from ..forms import (
    DATE_RANGE_MESSAGE,
    BaseForm,
    CreateForm,
    DateField,
    VersionedForm,
    select_choices,
    text_problem,
    to_nfc,
)
from ..labels import GOAL_STATUSES
from ..weeks import in_range
from .service import OUTCOMES

NOTES_MAX = 20_000
ITEM_MAX = 500
ACTION_ROWS = 3

OUTCOME_LABELS = {value.value: GOAL_STATUSES[value.value] for value in OUTCOMES}
ACTION_OWNERS = {"person": _l("They do it"), "lead": _l("I do it")}


def _notes(label, description=None):
    return TextAreaField(label, description=description,
                         validators=[Length(max=NOTES_MAX)])


class OneOnOneForm(CreateForm):
    """A meeting's notes plus up to three action items sent as repeated
    `action_text`, `action_owner`, `action_due` fields (a row without text is ignored)."""

    held_on = DateField(_l("Held on"), validators=[InputRequired()], default=date.today)
    shared_notes = _notes(_l("Shared notes"),
                          _l("They can read these on their coaching page."))
    private_notes = _notes(_l("Private notes"),
                           _l("Yours alone: not for them, HR, admins or any other lead, and "
                              "in no export."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        posted = request.method == "POST"
        texts, owners, dues = (request.form.getlist(name) if posted else []
                               for name in ("action_text", "action_owner", "action_due"))
        rows = max(ACTION_ROWS, len(texts))
        self.action_rows = [{
            "text": to_nfc(texts[i]) if i < len(texts) else "",
            "owner": owners[i] if i < len(owners) else "person",
            "due": dues[i] if i < len(dues) else "",
            "errors": [],
        } for i in range(rows)]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for row in self.action_rows:
            text = row["text"].strip()
            if not text:
                continue
            if len(text) > ITEM_MAX:
                row["errors"].append(_l("Keep an action item to %(max)s characters.",
                                        max=ITEM_MAX))
            problem = text_problem(text, multiline=False)
            if problem is not None:
                row["errors"].append(problem)
            if row["owner"] not in ACTION_OWNERS:
                row["errors"].append(_l("Choose who does it."))
            if row["due"]:
                try:
                    due = date.fromisoformat(row["due"])
                except ValueError:
                    row["errors"].append(_l("Enter the due date as YYYY-MM-DD."))
                else:
                    if not in_range(due):
                        row["errors"].append(DATE_RANGE_MESSAGE)
            valid = valid and not row["errors"]
        return valid

    def action_items(self) -> list[dict]:
        return [{"text": row["text"].strip(), "owner": row["owner"],
                 "due_on": date.fromisoformat(row["due"]) if row["due"] else None}
                for row in self.action_rows if row["text"].strip()]


class AgendaForm(CreateForm):
    text = StringField(_l("Something to talk about next time"),
                       validators=[DataRequired(), Length(max=ITEM_MAX)])


class ActionItemForm(BaseForm):
    done = BooleanField(_l("Done"))


class OpenReviewForm(BaseForm):
    cycle_id = SelectField(_l("Cycle"), coerce=int, validate_choice=False)

    def set_cycles(self, cycles):
        self.cycle_id.choices = select_choices({c.id: c.name for c in cycles})

    def validate_cycle_id(self, field):
        if field.data is None:
            raise ValidationError(_l("Choose a cycle."))


class OpenTeamReviewsForm(CreateForm):
    """Open the reviews of a whole team for a cycle (one form per team on the team page)."""

    cycle_id = SelectField(_l("Cycle"), coerce=int, validate_choice=False)

    def for_team(self, team_id: int, cycles) -> "OpenTeamReviewsForm":
        self.cycle_id.choices = select_choices({c.id: c.name for c in cycles})
        # Each team's form on the page has its own field id.
        self.cycle_id.id = self.cycle_id.label.field_id = f"open-reviews-{team_id}"
        return self

    def validate_cycle_id(self, field):
        if field.data is None:
            raise ValidationError(_l("Choose a cycle."))


class SelfAssessmentForm(VersionedForm):
    text = _notes(_l("Your self-assessment"),
                  _l("Your lead reads it once you submit it. After that it can't be changed."))
    submit = BooleanField(_l("Submit"))


class AcknowledgeForm(BaseForm):
    response = _notes(_l("Your response (optional)"))


class ReviewForm(VersionedForm):
    notes = _notes(_l("Coaching notes"))
    held_on = DateField(_l("Held on"), validators=[Optional()])
    next_focus = _notes(_l("Focus for the next cycle"))

    goal_titles: dict = {}

    def outcomes(self, goals) -> dict:
        return {g.id: (self[f"outcome-{g.id}"].data or "", self[f"comment-{g.id}"].data or "")
                for g in goals}

    def show_conflict(self, version: int, saved: dict) -> None:
        # The page names each goal once, in its fieldset's legend; the list of what is saved
        # stands alone, so there a goal's fields carry its title.
        super().show_conflict(version, saved)
        names = [name for name in saved if name in self]
        self.saved = [(f"{self.goal_titles[name]} · {label}" if name in self.goal_titles
                       else label, value)
                      for name, (label, value) in zip(names, self.saved, strict=True)]


def review_form(goals, data=None, **kwargs) -> ReviewForm:
    """The lead's review form with `outcome-<goal_id>` and `comment-<goal_id>` per goal."""

    class Form(ReviewForm):
        goal_titles = {}

    for goal in goals:
        # Labelled "Outcome" and "Comment" only: the fieldset's legend names the goal.
        setattr(Form, f"outcome-{goal.id}", SelectField(
            _l("Outcome"), choices=select_choices(OUTCOME_LABELS, blank=_l("Not decided yet"))))
        setattr(Form, f"comment-{goal.id}", _notes(_l("Comment")))
        Form.goal_titles.update({f"outcome-{goal.id}": goal.title,
                                 f"comment-{goal.id}": goal.title})
    return Form(data=data, **kwargs)

