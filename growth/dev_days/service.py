"""The development day's use cases: plan, log, edit, delete, skip and rate.

Every change to a week's activities moves `DevDay.minutes` in the same transaction with one
`UPDATE … SET minutes = minutes + ?` guarded by `minutes + ? <= 2400`, so the 40 h cap holds
under concurrent requests; the week's row is created with INSERT … ON CONFLICT DO NOTHING on
the UNIQUE (user, week_start), so a double submit never makes two.
"""

from datetime import date, timedelta

from flask_babel import gettext as _
from peewee import Case, IntegrityError

from ..coverage.service import refusal as coverage_refusal
from ..db import write_transaction
from ..i18n import day as format_day
from ..i18n import hours, week_span
from ..integrity import StaleEdit, update_versioned
from ..models import (
    Activity,
    ActivityKind,
    DayStatus,
    DevDay,
    DevDayGoal,
    Goal,
    SkipReason,
    utcnow,
)
from ..weeks import monday_of

MAX_ACTIVITY_MINUTES = 720
MAX_WEEK_MINUTES = 2400
PLAN_WEEKS_AHEAD = 12
PLAN_MAX = 2000
NOTE_MAX = 1000
LINK_MAX = 2000


class DayError(ValueError):
    """A rule was broken; `field` names the form field the message belongs to (None: the
    whole form)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# Which weeks take what ------------------------------------------------------------------

def _employment_problem(user, week_start: date) -> str | None:
    if week_start + timedelta(days=6) < user.hired_on:
        return _("This week is before you joined on %(date)s.", date=format_day(user.hired_on))
    if user.left_on and week_start > user.left_on:
        return _("This week is after your last day, %(date)s.", date=format_day(user.left_on))
    return None


def logging_problem(user, week_start: date, today: date | None = None) -> str | None:
    """Why activities can't be logged in this week, or None when they can: the current and
    past weeks of the person's employment (the weeks holding the hire and leaving dates
    included)."""
    today = today or date.today()
    if week_start > monday_of(today):
        return _("This week hasn't started yet: log what you did once it has.")
    return _employment_problem(user, week_start)


def planning_problem(user, week_start: date, today: date | None = None) -> str | None:
    """Why this week can't be planned, or None: the current week and up to 12 ahead."""
    current = monday_of(today or date.today())
    if week_start < current:
        return _("This week is over: plans are for this week and the next 12.")
    if week_start > current + timedelta(weeks=PLAN_WEEKS_AHEAD):
        return _("Plans can be made up to 12 weeks ahead.")
    return _employment_problem(user, week_start)


def skipping_problem(user, week_start: date, today: date | None = None) -> str | None:
    """A week can be skipped when it can be logged or planned (a holiday ahead, say)."""
    if logging_problem(user, week_start, today) is None:
        return None
    return planning_problem(user, week_start, today)


# Helpers --------------------------------------------------------------------------------

def _week_row(user, week_start: date) -> int:
    """The id of the person's row for the week, made if missing (never check-then-insert)."""
    DevDay.insert(user=user.id, week_start=week_start).on_conflict_ignore().execute()
    return (DevDay.select(DevDay.id)
            .where(DevDay.user == user.id, DevDay.week_start == week_start).scalar())


def _own_goal_ids(user, goal_ids, field: str) -> list[int]:
    wanted = {int(g) for g in goal_ids or () if g is not None}
    if not wanted:
        return []
    found = {gid for (gid,) in Goal.select(Goal.id)
             .where(Goal.owner == user.id, Goal.id.in_(list(wanted))).tuples()}
    if found != wanted:
        raise DayError(_("Choose one of your own goals."), field)
    return sorted(found)


def _check_activity(user, *, kind, minutes, note, link, goal_id) -> tuple[str, str, int | None]:
    if kind not in set(ActivityKind):
        raise DayError(_("Choose what you did."), "kind")
    if not isinstance(minutes, int) or not 1 <= minutes <= MAX_ACTIVITY_MINUTES:
        raise DayError(_("Enter the minutes, from 1 to 720."), "minutes")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DayError(_("Keep the note under %(n)s characters.", n=NOTE_MAX), "note")
    link = (link or "").strip()
    if link and (len(link) > LINK_MAX or not link.lower().startswith(("http://", "https://"))):
        raise DayError(_("Enter a web address starting with http:// or https://."), "link")
    goals = _own_goal_ids(user, [goal_id], "goal_id")
    return note, link, (goals[0] if goals else None)


def _too_much(day_id: int | None, adding: int) -> DayError:
    logged = DevDay.select(DevDay.minutes).where(DevDay.id == day_id).scalar()
    return DayError(_("A week holds at most 40 h. %(logged)s are logged; this would add "
                      "%(adding)s.", logged=hours(logged), adding=hours(adding)), "minutes")


def _lock_week(day_id: int) -> None:
    """Touch the week's row first (it changed: calendars see a new `updated_at`): on
    PostgreSQL the row lock queues concurrent edits of its activities, so each reads the
    minutes the previous one committed (SQLite's BEGIN IMMEDIATE already serialises
    writers)."""
    DevDay.update(updated_at=utcnow()).where(DevDay.id == day_id).execute()


# Use cases ------------------------------------------------------------------------------

def plan_week(user, week_start: date, *, version: int, day: date, plan: str = "", goal_ids=(),
              today: date | None = None) -> None:
    """Set the day, what it is for and the goals it serves. Planning a skipped week takes
    the skip back. `version` is the plan's version the form showed (1 for a week without
    a row yet); raises StaleEdit when a plan was saved since, unless that save was this
    very plan (a double-clicked submit)."""
    problem = planning_problem(user, week_start, today)
    if problem:
        raise DayError(problem)
    if not week_start <= day <= week_start + timedelta(days=6):
        raise DayError(_("Pick a day inside this week (%(span)s).",
                         span=week_span(week_start)), "day")
    plan = (plan or "").strip()
    if len(plan) > PLAN_MAX:
        raise DayError(_("Keep the plan under %(n)s characters.", n=PLAN_MAX), "plan")
    goals = _own_goal_ids(user, goal_ids, "goal_ids")
    with write_transaction():
        full = coverage_refusal(user, day)
        if full:
            raise DayError(full, "day")
        day_id = _week_row(user, week_start)
        saved = DevDay.update(
            planned_on=day, plan=plan, skip_reason=None, skip_note="", updated_at=utcnow(),
            status=Case(None, [(DevDay.minutes > 0, DayStatus.LOGGED.value)],
                        DayStatus.PLANNED.value),
            version=DevDay.version + 1,
        ).where(DevDay.id == day_id, DevDay.version == version).execute()
        if not saved:
            _repeated_plan_or_stale(day_id, day, plan, goals)
            return
        DevDayGoal.delete().where(DevDayGoal.dev_day == day_id).execute()
        if goals:
            DevDayGoal.insert_many(
                [{"dev_day": day_id, "goal": goal} for goal in goals]
            ).on_conflict_ignore().execute()


def _repeated_plan_or_stale(day_id: int, day: date, plan: str, goals: list[int]) -> None:
    current = DevDay.get_by_id(day_id)
    planned_goals = sorted(DevDayGoal.select(DevDayGoal.goal).where(
        DevDayGoal.dev_day == day_id).scalars())
    if (current.planned_on, current.plan, current.skip_reason, planned_goals) != (
            day, plan, None, goals):
        raise StaleEdit(current)


def _logged_with(user, week_start: date, submission: str | None) -> Activity | None:
    if not submission:
        return None
    return (Activity.select().join(DevDay)
            .where(DevDay.user == user.id, DevDay.week_start == week_start,
                   Activity.submission == submission).first())


def log_activity(user, week_start: date, *, kind: str, minutes: int, note: str = "",
                 link: str = "", goal_id: int | None = None, submission: str | None = None,
                 today: date | None = None) -> Activity:
    """Add one activity to the week and its minutes to the week's total; clears a skip.
    A `submission` key already used in this week (a double-clicked or retried submit)
    returns the activity it logged and adds nothing."""
    note, link, goal_id = _check_activity(user, kind=kind, minutes=minutes, note=note,
                                          link=link, goal_id=goal_id)
    problem = logging_problem(user, week_start, today)
    if problem:
        raise DayError(problem)
    try:
        with write_transaction():
            day_id = _week_row(user, week_start)
            added = DevDay.update(
                minutes=DevDay.minutes + minutes, status=DayStatus.LOGGED.value,
                skip_reason=None, skip_note="", updated_at=utcnow(),
            ).where(DevDay.id == day_id,
                    DevDay.minutes + minutes <= MAX_WEEK_MINUTES).execute()
            if not added:
                raise _too_much(day_id, minutes)
            return Activity.create(dev_day=day_id, kind=kind, minutes=minutes, note=note,
                                   link=link, goal=goal_id, submission=submission or None)
    except (IntegrityError, DayError):
        # A repeated key (UNIQUE per week) or a repeat refused because the first one's
        # minutes filled the week: either way it is the activity the first one logged, and
        # the transaction rolled back what the repeat had added.
        earlier = _logged_with(user, week_start, submission)
        if earlier is not None:
            return earlier
        raise


def edit_activity(user, activity: Activity, *, version: int, kind: str, minutes: int,
                  note: str = "", link: str = "", goal_id: int | None = None) -> None:
    """Change one of the person's activities; the week's total moves by the difference.
    Raises StaleEdit when the activity was saved since `version` was read (a repeat of the
    same change is not an error)."""
    note, link, goal_id = _check_activity(user, kind=kind, minutes=minutes, note=note,
                                          link=link, goal_id=goal_id)
    # No database CHECK can refuse what follows: the activity was checked above and the
    # week's total moves only where it stays within the cap.
    with write_transaction():
        _lock_week(activity.dev_day_id)
        before = Activity.select(Activity.minutes).where(Activity.id == activity.id).scalar()
        if before is None:
            raise DayError(_("That activity was deleted in the meantime."))
        update_versioned(Activity, activity.id, version, {
            "kind": kind, "minutes": minutes, "note": note, "link": link, "goal": goal_id})
        delta = minutes - before
        moved = DevDay.update(minutes=DevDay.minutes + delta).where(
            DevDay.id == activity.dev_day_id,
            DevDay.minutes + delta <= MAX_WEEK_MINUTES).execute()
        if not moved:
            raise _too_much(activity.dev_day_id, delta)


def delete_activity(activity: Activity) -> None:
    """Remove one activity and its minutes; a week left empty is unrated and planned again.
    (Whose week it is was checked by the caller: the route, or the role-play's organiser.)"""
    with write_transaction():
        _lock_week(activity.dev_day_id)
        before = Activity.select(Activity.minutes).where(Activity.id == activity.id).scalar()
        if before is None:
            return  # a double-clicked delete: already gone
        Activity.delete().where(Activity.id == activity.id).execute()
        emptied = DevDay.minutes - before <= 0
        DevDay.update(
            minutes=DevDay.minutes - before,
            status=Case(None, [(DevDay.status == DayStatus.SKIPPED.value,
                                DayStatus.SKIPPED.value),
                               (emptied, DayStatus.PLANNED.value)], DayStatus.LOGGED.value),
            rating=Case(None, [(emptied, None)], DevDay.rating),
        ).where(DevDay.id == activity.dev_day_id).execute()


def skip_week(user, week_start: date, *, reason: str, note: str = "",
              today: date | None = None) -> None:
    """Mark the week as not taken. `away` is refused while the week holds activities."""
    if reason not in set(SkipReason):
        raise DayError(_("Choose why the day is skipped."), "reason")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise DayError(_("Keep the note under %(n)s characters.", n=NOTE_MAX), "note")
    problem = skipping_problem(user, week_start, today)
    if problem:
        raise DayError(problem)
    with write_transaction():
        day_id = _week_row(user, week_start)
        query = DevDay.update(status=DayStatus.SKIPPED.value, skip_reason=reason,
                              skip_note=note, updated_at=utcnow()).where(DevDay.id == day_id)
        if reason == SkipReason.AWAY:
            query = query.where(DevDay.minutes == 0)
        if not query.execute():
            raise DayError(_("Activities are logged in this week, so it can't be marked as "
                             "away. Delete them first, or choose another reason."), "reason")


def take_week_back(user, week_start: date) -> None:
    """Undo a skip: the week counts as planned (or logged) again."""
    DevDay.update(
        status=Case(None, [(DevDay.minutes > 0, DayStatus.LOGGED.value)],
                    DayStatus.PLANNED.value),
        skip_reason=None, skip_note="", updated_at=utcnow(),
    ).where(DevDay.user == user.id, DevDay.week_start == week_start,
            DevDay.status == DayStatus.SKIPPED.value).execute()


def rate_week(user, week_start: date, *, rating: int) -> None:
    """Rate how the day went (1 rough … 4 amazing), once something is logged."""
    if rating not in (1, 2, 3, 4):
        raise DayError(_("Pick one of the four."), "rating")
    rated = DevDay.update(rating=rating, updated_at=utcnow()).where(
        DevDay.user == user.id, DevDay.week_start == week_start,
        DevDay.minutes > 0).execute()
    if not rated:
        raise DayError(_("Log what you did first: a day can be rated once something is "
                         "logged."), "rating")
