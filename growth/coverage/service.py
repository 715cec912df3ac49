"""Coverage: how many of a team may take their development day on the same weekday.

The check runs inside the plan's transaction after taking the team's lock (a row lock on
PostgreSQL, BEGIN IMMEDIATE on SQLite), so two people planning the last free slot at the
same moment are served one after the other: exactly one gets it.
"""

from datetime import date, timedelta

from flask_babel import gettext as _

from .. import audit
from ..db import is_sqlite, write_transaction
from ..integrity import update_versioned
from ..models import Team
from ..permissions import can_set_coverage
from . import queries

LIMIT_MAX = 50


class CoverageError(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _lock_team(team_id: int) -> Team | None:
    query = Team.select().where(Team.id == team_id)
    if not is_sqlite():
        query = query.for_update()
    return query.first()


def refusal(user, day: date) -> str | None:
    """Why `day` is full for `user`'s team, naming the weekdays of that week with room; or
    None. Call inside the plan's write transaction."""
    team = queries.team_of(user)
    if team is None:
        return None
    team = _lock_team(team.id)
    if team is None or team.max_off_per_day is None:
        return None
    monday = day - timedelta(days=day.weekday())
    taken_on: dict[date, int] = {}
    for _team, planned_on, _name in queries.planned_days([team.id], [monday],
                                                         leaving_out=user.id):
        taken_on[planned_on] = taken_on.get(planned_on, 0) + 1
    taken = taken_on.get(day, 0)
    if taken < team.max_off_per_day:
        return None
    room = [queries.weekday_name(monday + timedelta(days=i)) for i in range(queries.WORKDAYS)
            if taken_on.get(monday + timedelta(days=i), 0) < team.max_off_per_day]
    if room:
        return _("%(day)s is full: %(count)s of your team already take their day then. "
                 "Days with room this week: %(room)s.", day=queries.weekday_name(day),
                 count=taken, room=", ".join(room))
    return _("%(day)s is full: %(count)s of your team already take their day then, and no "
             "weekday of this week has room left.", day=queries.weekday_name(day), count=taken)


def set_limit(user, team: Team, *, version: int, limit: int | None) -> None:
    """Set how many of `team` may be off on the same weekday (None: no limit). Raises
    PermissionError for a team `user` doesn't lead and StaleEdit on a stale form."""
    if not can_set_coverage(user, team):
        raise PermissionError
    if limit is not None and not 1 <= limit <= LIMIT_MAX:
        raise CoverageError(_("Enter a number from 1 to %(n)s, or leave it empty for no "
                              "limit.", n=LIMIT_MAX), "max_off_per_day")
    with write_transaction():
        if update_versioned(Team, team.id, version, {"max_off_per_day": limit}):
            audit.record("coverage_limit_changed", team, actor=user,
                         detail=f"max_off_per_day={'' if limit is None else limit}")
