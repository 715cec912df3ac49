"""What the coaching pages show, in a fixed number of queries whatever the team's size.

Each function returns plain rows for templates; templates never query.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from peewee import JOIN

from ..models import (
    ActionItem,
    Activity,
    AgendaItem,
    DayStatus,
    DevDay,
    Goal,
    OneOnOne,
    Review,
    ReviewCycle,
    ReviewStatus,
    SkipReason,
    Team,
    User,
    fn,
)
from ..weeks import monday_of

GRID_WEEKS = 12
QUARTER_WEEKS = 13
WORKLOAD_RUN = 3

# Week states, in the order the legend shows them.
TAKEN, PARTLY, WORKLOAD, AWAY, NOTHING, PLANNED, NOT_EMPLOYED = (
    "taken", "partly", "workload", "away", "nothing", "planned", "not_employed")
WEEK_STATES = {
    TAKEN: _l("Taken"),
    PARTLY: _l("Partly taken"),
    WORKLOAD: _l("Lost to workload"),
    AWAY: _l("Away"),
    NOTHING: _l("Nothing logged"),
    PLANNED: _l("Planned"),
    NOT_EMPLOYED: _l("Not employed"),
}


@dataclass
class WeekCell:
    monday: date
    state: str
    minutes: int = 0


@dataclass
class MemberRow:
    person: User
    team_name: str
    cells: list[WeekCell]
    this_week: tuple | None  # the current week's row from _days_by_person
    review: Review | None
    honoured: int
    eligible: int
    workload_run: int

    @property
    def honoured_rate(self) -> float | None:
        return self.honoured / self.eligible if self.eligible else None

    @property
    def flagged(self) -> bool:
        return self.workload_run >= WORKLOAD_RUN


@dataclass
class DueReview:
    person: User
    cycle: ReviewCycle
    review: Review | None
    overdue: bool


@dataclass
class TeamOverview:
    teams: list[Team]
    weeks: list[date]
    rows_by_team: dict[int, list[MemberRow]]
    cycle: ReviewCycle
    due: list[DueReview]
    ended: ReviewCycle | None = None  # the cycle that ended last


def _employed_in_week(person: User, monday: date) -> bool:
    sunday = monday + timedelta(days=6)
    return person.hired_on <= sunday and (person.left_on is None or person.left_on >= monday)


def week_state(person: User, monday: date, day, this_monday: date) -> str:
    """How a week went against the person's weekly target."""
    if not _employed_in_week(person, monday):
        return NOT_EMPLOYED
    if day is None:
        return NOTHING
    target = person.weekly_dev_hours * 60
    if day.minutes > 0:
        return TAKEN if day.minutes >= target else PARTLY
    if day.status == DayStatus.SKIPPED:
        return {SkipReason.AWAY: AWAY, SkipReason.WORKLOAD: WORKLOAD}.get(day.skip_reason,
                                                                           NOTHING)
    if monday >= this_monday and day.status == DayStatus.PLANNED:
        return PLANNED
    return NOTHING


def _person_weeks(person: User, days: dict, this_monday: date):
    """(cells for the grid, honoured, eligible weeks last quarter, workload weeks running)."""
    # Weeks back from this one: 0–11 for the grid, 1–13 for the quarter, 0–12 for the run.
    mondays = [this_monday - timedelta(weeks=back) for back in range(QUARTER_WEEKS + 1)]
    states = [week_state(person, monday, days.get(monday), this_monday) for monday in mondays]
    cells = []
    for back in range(GRID_WEEKS - 1, -1, -1):
        day = days.get(mondays[back])
        cells.append(WeekCell(mondays[back], states[back], day.minutes if day else 0))
    honoured = eligible = 0
    for state in states[1:QUARTER_WEEKS + 1]:  # complete weeks only
        if state in (NOT_EMPLOYED, AWAY):
            continue
        eligible += 1
        honoured += state == TAKEN
    # The current week counts once it is lost; until then the run is measured to last week.
    start = 0 if states[0] == WORKLOAD else 1
    run = 0
    for state in states[start:GRID_WEEKS + 1]:
        if state != WORKLOAD:
            break
        run += 1
    return cells, honoured, eligible, run


def _days_by_person(person_ids, first_monday: date, last_monday: date):
    """{person id: {monday: row}}; the rows are read-only named tuples (id, user_id,
    week_start, planned_on, plan, status, skip_reason, minutes, rating), cheaper to build
    than 840 model instances for a 60-person team."""
    days: dict[int, dict] = defaultdict(dict)
    if not person_ids:
        return days
    rows = (DevDay.select(DevDay.id, DevDay.user.alias("user_id"), DevDay.week_start,
                          DevDay.planned_on, DevDay.plan, DevDay.status, DevDay.skip_reason,
                          DevDay.minutes, DevDay.rating)
            .where(DevDay.user.in_(person_ids), DevDay.week_start >= first_monday,
                   DevDay.week_start <= last_monday)
            .namedtuples())
    for row in rows:
        days[row.user_id][row.week_start] = row
    return days


def last_ended_cycle(current: ReviewCycle) -> ReviewCycle:
    """The cycle that ended last: the one holding the day before the current one starts."""
    return ReviewCycle.ensure_for(current.starts_on - timedelta(days=1))


def team_overview(lead: User, today: date) -> TeamOverview:
    """Everything /team shows for the teams `lead` leads (a fixed number of queries)."""
    this_monday = monday_of(today)
    first_monday = this_monday - timedelta(weeks=QUARTER_WEEKS)
    teams = list(Team.select().where(Team.lead == lead.id).order_by(fn.LOWER(Team.name)))
    members = list(User.select()
                   .where(User.team.in_([t.id for t in teams] or [0]), User.id != lead.id,
                          User.active == True)  # noqa: E712
                   .order_by(fn.LOWER(User.name), User.id))
    ids = [m.id for m in members]
    days = _days_by_person(ids, first_monday, this_monday)
    cycle = ReviewCycle.ensure_for(today)
    ended = last_ended_cycle(cycle)
    cycle_ids = [cycle.id, ended.id]
    reviews = {}
    if ids:
        for review in Review.select().where(Review.person.in_(ids), Review.cycle.in_(cycle_ids)):
            reviews[(review.person_id, review.cycle_id)] = review
    names = {t.id: t.name for t in teams}
    rows_by_team: dict[int, list[MemberRow]] = {t.id: [] for t in teams}
    due = []
    for person in members:
        cells, honoured, eligible, run = _person_weeks(person, days[person.id], this_monday)
        rows_by_team[person.team_id].append(MemberRow(
            person, names[person.team_id], cells, days[person.id].get(this_monday),
            reviews.get((person.id, cycle.id)), honoured, eligible, run))
        if person.hired_on <= ended.ends_on:
            review = reviews.get((person.id, ended.id))
            if review is None or review.status == ReviewStatus.DRAFT:
                due.append(DueReview(person, ended, review, today > ended.due_on))
    weeks = [this_monday - timedelta(weeks=back) for back in range(GRID_WEEKS - 1, -1, -1)]
    return TeamOverview(teams, weeks, rows_by_team, cycle, due, ended)


def person_weeks(person: User, today: date):
    """The grid and recent weeks of one person (newest first for the list)."""
    this_monday = monday_of(today)
    days = _days_by_person([person.id], this_monday - timedelta(weeks=QUARTER_WEEKS),
                           this_monday)[person.id]
    cells, honoured, eligible, run = _person_weeks(person, days, this_monday)
    recent = sorted(days.values(), key=lambda d: d.week_start, reverse=True)
    return {"cells": cells, "honoured": honoured, "eligible": eligible,
            "rate": honoured / eligible if eligible else None,
            "flagged": run >= WORKLOAD_RUN, "recent": recent}


def goals_with_evidence(person: User):
    """The person's goals, newest cycle first, each with `minutes` and `activity_count`."""
    return list(Goal.select(Goal, ReviewCycle,
                            fn.COALESCE(fn.SUM(Activity.minutes), 0).alias("minutes"),
                            fn.COUNT(Activity.id).alias("activity_count"))
                .join(ReviewCycle, on=(Goal.cycle == ReviewCycle.id))
                .switch(Goal)
                .join(Activity, JOIN.LEFT_OUTER, on=(Activity.goal == Goal.id))
                .where(Goal.owner == person.id)
                .group_by(Goal.id, ReviewCycle.id)
                .order_by(ReviewCycle.starts_on.desc(), Goal.created_at, Goal.id))


@dataclass
class Meeting:
    meeting: OneOnOne
    action_items: list = field(default_factory=list)
    agenda_items: list = field(default_factory=list)


def _owner_names(person: User, lead_ids) -> dict[int, str]:
    names = {person.id: person.name}
    if lead_ids:
        names.update(dict(User.select(User.id, User.name).where(User.id.in_(list(lead_ids)))
                          .tuples()))
    return names


def coaching_history(person: User, limit: int = 50):
    """One-on-ones (newest first) with their items, the open action items and the open agenda.

    Private notes come along in the rows; templates show them only to their author."""
    meetings = list(OneOnOne.select().where(OneOnOne.person == person.id)
                    .order_by(OneOnOne.held_on.desc(), OneOnOne.id.desc()).limit(limit))
    by_id = {m.id: Meeting(m) for m in meetings}
    items = list(ActionItem.select().where(ActionItem.person == person.id)
                 .order_by(ActionItem.done, ActionItem.due_on.is_null(), ActionItem.due_on,
                           ActionItem.id))
    agenda = list(AgendaItem.select().where(AgendaItem.person == person.id)
                  .order_by(AgendaItem.created_at, AgendaItem.id))
    names = _owner_names(person, {m.lead_id for m in meetings}
                         | {i.owner_id for i in items} | {a.author_id for a in agenda})
    for item in items:
        item.owner_name = names.get(item.owner_id, "")
        if item.one_on_one_id in by_id:
            by_id[item.one_on_one_id].action_items.append(item)
    open_agenda = []
    for entry in agenda:
        entry.author_name = names.get(entry.author_id, "")
        if entry.one_on_one_id is None:
            open_agenda.append(entry)
        elif entry.one_on_one_id in by_id:
            by_id[entry.one_on_one_id].agenda_items.append(entry)
    for meeting in meetings:
        meeting.lead_name = names.get(meeting.lead_id, "")
    return {"meetings": [by_id[m.id] for m in meetings],
            "open_items": [i for i in items if not i.done],
            "open_agenda": open_agenda}


def reviews_of(person: User):
    return list(Review.select(Review, ReviewCycle)
                .join(ReviewCycle, on=(Review.cycle == ReviewCycle.id))
                .where(Review.person == person.id)
                .order_by(ReviewCycle.starts_on.desc()))


def review_evidence(review: Review, person: User, today: date):
    """The evidence of the review's cycle: hours and activities per goal, weeks taken, lost
    to workload or away, the rating trend and the cycle's one-on-one action items."""
    cycle = review.cycle
    first_monday = monday_of(cycle.starts_on)
    last_monday = monday_of(min(cycle.ends_on, today))
    goals = list(Goal.select(Goal, fn.COALESCE(fn.SUM(Activity.minutes), 0).alias("minutes"),
                             fn.COUNT(Activity.id).alias("activity_count"))
                 .join(Activity, JOIN.LEFT_OUTER, on=(Activity.goal == Goal.id))
                 .where(Goal.owner == person.id, Goal.cycle == cycle.id)
                 .group_by(Goal.id).order_by(Goal.created_at, Goal.id))
    kinds: dict[int, list] = defaultdict(list)
    if goals:
        rows = (Activity.select(Activity.goal, Activity.kind,
                                fn.SUM(Activity.minutes).alias("minutes"))
                .where(Activity.goal.in_([g.id for g in goals]))
                .group_by(Activity.goal, Activity.kind)
                .order_by(Activity.goal, fn.SUM(Activity.minutes).desc()).tuples())
        for goal_id, kind, minutes in rows:
            kinds[goal_id].append((kind, minutes))
    for goal in goals:
        goal.kinds = kinds.get(goal.id, [])
    days = {d.week_start: d for d in
            DevDay.select().where(DevDay.user == person.id, DevDay.week_start >= first_monday,
                                  DevDay.week_start <= last_monday)}
    counts = dict.fromkeys((TAKEN, PARTLY, WORKLOAD, AWAY, NOTHING), 0)
    ratings = []
    total = 0
    monday = first_monday
    this_monday = monday_of(today)
    while monday <= last_monday:
        day = days.get(monday)
        state = week_state(person, monday, day, this_monday)
        if state == PLANNED:
            state = NOTHING
        if state != NOT_EMPLOYED:
            counts[state] += 1
        if day is not None:
            total += day.minutes
            if day.rating:
                ratings.append((monday, day.rating))
        monday += timedelta(weeks=1)
    items = list(ActionItem.select(ActionItem, OneOnOne.held_on)
                 .join(OneOnOne, on=(ActionItem.one_on_one == OneOnOne.id))
                 .where(ActionItem.person == person.id,
                        OneOnOne.held_on >= cycle.starts_on, OneOnOne.held_on <= cycle.ends_on)
                 .order_by(OneOnOne.held_on, ActionItem.id))
    names = _owner_names(person, {i.owner_id for i in items})
    for item in items:
        item.owner_name = names.get(item.owner_id, "")
    return {"goals": goals, "weeks": counts, "ratings": ratings, "total_minutes": total,
            "action_items": items}
