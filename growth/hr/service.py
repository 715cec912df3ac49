"""HR's use cases: the employment record."""

from datetime import date

from flask_babel import gettext as _

from .. import audit
from ..accounts import LastAdminError, refuse_losing_the_last_admin
from ..db import write_transaction
from ..integrity import update_versioned
from ..models import Role, Team, User


class EmploymentError(ValueError):
    """A rule was broken; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def update_employment(actor, person: User, *, version: int, hired_on: date,
                      left_on: date | None, leave_reason: str | None, team_id: int | None,
                      today: date | None = None) -> User:
    """Save hired_on, left_on, leave_reason and team. A leaving date in the past ends the
    person's sessions and sign-in; clearing it lets them sign in again. Raises StaleEdit
    when the record was saved (by HR or an admin) since `version` was read."""
    today = today or date.today()
    leave_reason = leave_reason or None
    if left_on is not None and left_on < hired_on:
        raise EmploymentError(_("The last day can't be before the hire date."), "left_on")
    if left_on is not None and leave_reason is None:
        raise EmploymentError(_("Choose why they left."), "leave_reason")
    if left_on is None and leave_reason is not None:
        raise EmploymentError(_("A reason is only for someone with a last day."),
                              "leave_reason")
    if team_id is not None and not Team.select().where(Team.id == team_id).exists():
        raise EmploymentError(_("Choose a team from the list."), "team_id")

    before = {"hired_on": person.hired_on, "left_on": person.left_on,
              "leave_reason": person.leave_reason, "team_id": person.team_id}
    after = {"hired_on": hired_on, "left_on": left_on, "leave_reason": leave_reason,
             "team_id": team_id}
    changed = [name for name in before if before[name] != after[name]]
    if not changed:
        return person
    has_left = left_on is not None and left_on < today
    moved = team_id != person.team_id
    fields = {"hired_on": hired_on, "left_on": left_on, "leave_reason": leave_reason,
              "team": team_id}
    also = {}
    if has_left:
        also["active"] = False
    elif person.left_on is not None and left_on is None:
        also["active"] = True  # the leaving is undone
    if moved or (has_left and "left_on" in changed):
        also["session_version"] = User.session_version + 1
    with write_transaction():
        try:
            refuse_losing_the_last_admin(person, role=person.role,
                                         active=also.get("active", person.active),
                                         left_on=left_on)
        except LastAdminError as error:
            raise EmploymentError(str(error), "left_on") from None
        if not update_versioned(User, person.id, version, fields, also=also):
            return User.get_by_id(person.id)  # a repeat: recorded the first time
        if has_left and person.role == Role.LEAD:
            Team.update(lead=None, version=Team.version + 1).where(
                Team.lead == person.id).execute()
        audit.record("employment_updated", person, actor=actor,
                     detail="changed=" + ",".join(changed))
        if moved:
            audit.record("team_changed", person, actor=actor,
                         detail=f"{person.team_id}->{team_id}")
        if has_left and person.active:
            audit.record("user_deactivated", person, actor=actor,
                         detail=f"reason={leave_reason}")
    return User.get_by_id(person.id)
