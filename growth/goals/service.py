"""Goals: the person sets their own for the current and the next cycle."""

from datetime import date, timedelta

from flask_babel import gettext as _

from ..db import database
from ..integrity import created_once, update_versioned
from ..models import Goal, ReviewCycle, utcnow

TITLE_MAX = 200
TEXT_MAX = 2000


class GoalError(ValueError):
    """A rule was broken; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def open_cycles(today: date | None = None) -> list[ReviewCycle]:
    """The current cycle and the next one, made from the default half years if missing."""
    current = ReviewCycle.ensure_for(today or date.today())
    following = ReviewCycle.ensure_for(current.ends_on + timedelta(days=1))
    return [current, following]


def _texts(title: str, why: str, success: str) -> tuple[str, str, str]:
    title, why, success = (title or "").strip(), (why or "").strip(), (success or "").strip()
    if not title:
        raise GoalError(_("Give the goal a title."), "title")
    if len(title) > TITLE_MAX:
        raise GoalError(_("Keep the title under %(n)s characters.", n=TITLE_MAX), "title")
    for name, text in (("why", why), ("success", success)):
        if len(text) > TEXT_MAX:
            raise GoalError(_("Keep this under %(n)s characters.", n=TEXT_MAX), name)
    return title, why, success


def create_goal(user, *, title: str, why: str = "", success: str = "", cycle_id: int,
                submission: str | None = None, today: date | None = None) -> Goal:
    """A new open goal of `user` in the current or the next cycle. A `submission` key the
    person already used (a double-clicked or retried submit) returns the goal it made."""
    title, why, success = _texts(title, why, success)
    if cycle_id not in {c.id for c in open_cycles(today)}:
        raise GoalError(_("Goals can be set for the current and the next cycle."), "cycle_id")

    def create():
        with database.atomic():
            return Goal.create(owner=user.id, cycle=cycle_id, title=title, why=why,
                               success=success, submission=submission or None)

    return created_once(Goal, submission, create, owner=user.id)


def edit_goal(user, goal: Goal, *, version: int, title: str, why: str = "", success: str = "",
              cycle_id: int | None = None, today: date | None = None) -> None:
    """Change the texts of one's own goal; it may move between the current and next cycle.
    Raises StaleEdit when the goal was saved since `version` was read."""
    if goal.owner_id != user.id:
        raise GoalError(_("Only the goal's owner can change it."))
    title, why, success = _texts(title, why, success)
    cycle_id = goal.cycle_id if cycle_id is None else cycle_id
    if cycle_id != goal.cycle_id and cycle_id not in {c.id for c in open_cycles(today)}:
        raise GoalError(_("Goals can be set for the current and the next cycle."), "cycle_id")
    with database.atomic():
        update_versioned(Goal, goal.id, version,
                         {"title": title, "why": why, "success": success, "cycle": cycle_id},
                         also={"updated_at": utcnow()})
