"""What the week, history and export pages show, read in a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from peewee import JOIN, Case, fn

from ..models import Activity, DevDay, DevDayGoal, Goal, ReviewCycle, SkipReason, Team, User
from ..weeks import monday_of, week_label

CHART_WEEKS = 26
HISTORY_WEEKS = 52

TAKEN, PARTLY, WORKLOAD, AWAY, SKIPPED, NOTHING, UPCOMING = (
    "taken", "partly", "workload", "away", "skipped", "nothing", "upcoming")

# How a week went, as history and the lead's pages show it (a Jinja global too).
WEEK_STATUSES = {
    TAKEN: _l("Taken"),
    PARTLY: _l("Partly taken"),
    WORKLOAD: _l("Lost to workload"),
    AWAY: _l("Away"),
    SKIPPED: _l("Skipped"),
    NOTHING: _l("Nothing logged"),
    UPCOMING: _l("In progress"),
}


@dataclass
class NewLead:
    name: str
    since: datetime


def new_team_lead(user, since: datetime) -> NewLead | None:
    """Who took over as lead of the person's team after `since` (a lead sees coaching,
    plans and self-assessments, so the team is told): None when nobody did."""
    if user.team_id is None:
        return None
    row = (Team.select(User.name, Team.lead_since)
           .join(User, on=(Team.lead == User.id))
           .where(Team.id == user.team_id, Team.lead_since > since, User.id != user.id)
           .tuples().first())
    return NewLead(*row) if row else None


def week_status(minutes: int, skip_reason: str | None, target_minutes: int,
                in_progress: bool = False) -> str:
    """taken (at or above target), partly, workload, away, skipped (other reason),
    nothing logged — or upcoming for the current week while nothing is logged."""
    if skip_reason == SkipReason.AWAY:
        return AWAY
    if minutes > 0 and minutes >= target_minutes:
        return TAKEN
    if skip_reason == SkipReason.WORKLOAD:
        return WORKLOAD
    if minutes > 0:
        return PARTLY
    if skip_reason:
        return SKIPPED
    return UPCOMING if in_progress else NOTHING


@dataclass
class WeekView:
    week_start: date
    day: DevDay | None
    plan_goal_ids: list[int]
    activities: list[Activity]
    goals: list[Goal]
    previous_plan: dict | None
    target_minutes: int

    @property
    def minutes(self) -> int:
        return self.day.minutes if self.day else 0

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)


def goals_for_week(user, week_start: date):
    """The person's goals whose cycle overlaps the week (open ones first)."""
    week_end = week_start + timedelta(days=6)
    return (Goal.select(Goal, ReviewCycle).join(ReviewCycle)
            .where(Goal.owner == user.id, ReviewCycle.starts_on <= week_end,
                   ReviewCycle.ends_on >= week_start)
            .order_by(ReviewCycle.starts_on, Goal.created_at, Goal.id))


def _latest_plan(user, week_start: date):
    """The id of the person's last planned day before the week."""
    return (DevDay.select(DevDay.id)
            .where(DevDay.user == user.id, DevDay.week_start < week_start,
                   DevDay.planned_on.is_null(False))
            .order_by(DevDay.week_start.desc()).limit(1))


def last_plan_text(user, week_start: date) -> str:
    """What the person's last plan before the week said ("" when there is none)."""
    return DevDay.select(DevDay.plan).where(
        DevDay.id.in_(_latest_plan(user, week_start))).scalar() or ""


def week_view(user, week_start: date) -> WeekView:
    """Everything the week page shows: five queries whatever the length of the history."""
    day = DevDay.for_week(user, week_start).first()
    plan_goal_ids, activities = [], []
    if day is not None:
        plan_goal_ids = [gid for (gid,) in DevDayGoal.select(DevDayGoal.goal)
                         .where(DevDayGoal.dev_day == day.id).tuples()]
        activities = list(Activity.select(Activity, Goal)
                          .join(Goal, JOIN.LEFT_OUTER, on=(Activity.goal == Goal.id))
                          .where(Activity.dev_day == day.id)
                          .order_by(Activity.created_at, Activity.id))
    latest_plan = _latest_plan(user, week_start)
    rows = list(DevDay.select(DevDay.week_start, DevDay.planned_on, DevDay.plan,
                              DevDayGoal.goal)
                .join(DevDayGoal, JOIN.LEFT_OUTER, on=(DevDayGoal.dev_day == DevDay.id))
                .where(DevDay.id.in_(latest_plan)).tuples())
    previous = None
    if rows:
        week, planned_on, plan, _goal = rows[0]
        previous = {"week_start": week, "weekday": planned_on.weekday(), "plan": plan,
                    "goal_ids": [goal for *_rest, goal in rows if goal is not None]}
    return WeekView(
        week_start=week_start, day=day, plan_goal_ids=plan_goal_ids, activities=activities,
        goals=list(goals_for_week(user, week_start)), previous_plan=previous,
        target_minutes=(user.weekly_dev_hours or 0) * 60)


# History --------------------------------------------------------------------------------

@dataclass
class WeekRow:
    week_start: date
    minutes: int  # the week's total, or the chosen kind's minutes when filtered
    total: int
    status: str
    rating: int | None
    planned_on: date | None
    skip_note: str

    @property
    def label(self) -> str:
        return week_label(self.week_start)


@dataclass
class History:
    weeks: list[WeekRow]  # newest first, every week of the person's employment
    chart: list[WeekRow]  # the last 26 weeks, oldest first
    by_kind: list[tuple[str, int, int]]  # (kind, minutes, activities), most minutes first
    streak: int
    best_streak: int
    target_minutes: int
    total_minutes: int
    counts: dict = field(default_factory=dict)


def _streaks(weeks_oldest_first: list[WeekRow], current: date) -> tuple[int, int]:
    """Weeks in a row with time logged (of the chosen kind, when one is chosen); away weeks
    pause a streak instead of breaking it, and the current week only counts once something
    is logged."""
    def paused(row: WeekRow) -> bool:
        return row.status in (AWAY, UPCOMING) or (row.week_start == current
                                                   and row.minutes <= 0)

    best = run = 0
    for row in weeks_oldest_first:
        if paused(row):
            continue
        run = run + 1 if row.minutes > 0 else 0
        best = max(best, run)
    current = 0
    for row in reversed(weeks_oldest_first):
        if paused(row):
            continue
        if row.minutes <= 0:
            break
        current += 1
    return current, best


def history(user, today: date | None = None, kind: str | None = None) -> History:
    """The person's weeks from hire to now (or their last day): three queries."""
    today = today or date.today()
    current = monday_of(today)
    last = min(current, monday_of(user.left_on)) if user.left_on else current
    first = monday_of(user.hired_on)
    target = (user.weekly_dev_hours or 0) * 60

    # Read-only rows: named tuples cost far less than 260 model instances for five years.
    days = {d.week_start: d for d in DevDay.select(
        DevDay.week_start, DevDay.minutes, DevDay.skip_reason, DevDay.skip_note,
        DevDay.rating, DevDay.planned_on).where(DevDay.user == user.id).namedtuples()}
    kind_minutes = {}
    if kind:
        kind_minutes = dict(Activity.select(DevDay.week_start, fn.SUM(Activity.minutes))
                            .join(DevDay).where(DevDay.user == user.id, Activity.kind == kind)
                            .group_by(DevDay.week_start).tuples())
    by_kind = [(k, int(m or 0), int(n)) for k, m, n in
               Activity.select(Activity.kind, fn.SUM(Activity.minutes), fn.COUNT(Activity.id))
               .join(DevDay).where(DevDay.user == user.id)
               .group_by(Activity.kind).order_by(fn.SUM(Activity.minutes).desc()).tuples()]

    def row_for(monday: date) -> WeekRow:
        day = days.get(monday)
        total = day.minutes if day else 0
        status = week_status(total, day.skip_reason if day else None, target,
                             in_progress=monday == current)
        return WeekRow(week_start=monday, total=total,
                       minutes=int(kind_minutes.get(monday, 0)) if kind else total,
                       status=status, rating=day.rating if day else None,
                       planned_on=day.planned_on if day else None,
                       skip_note=day.skip_note if day else "")

    employed = []
    monday = first
    while monday <= last:
        employed.append(row_for(monday))
        monday += timedelta(weeks=1)
    chart = [row_for(last - timedelta(weeks=n)) for n in range(CHART_WEEKS - 1, -1, -1)]
    streak, best = _streaks(employed, current)
    counts = {}
    for row in employed:
        counts[row.status] = counts.get(row.status, 0) + 1
    total = sum(m for k, m, _n in by_kind if not kind or k == kind)
    return History(weeks=list(reversed(employed)), chart=chart, by_kind=by_kind,
                   streak=streak, best_streak=best, target_minutes=target,
                   total_minutes=total, counts=counts)


@dataclass
class Bar:
    x: float  # percent of the plot's width
    y: float  # pixels from the top
    width: float  # percent of the plot's width
    height: float  # pixels
    row: WeekRow
    series: str  # the colour: the week's status, or "kind" when one kind is shown


@dataclass
class Chart:
    height: int  # pixels: the chart keeps its height and its text size at every width
    top: int
    bottom: int
    bars: list[Bar]
    target_y: float | None
    max_minutes: int
    ticks: list[tuple[float, int]]  # (y, minutes)
    labels: list[tuple[float, WeekRow, bool]]  # (x %, row, shown on a phone too)
    series: list[str]  # the colours drawn, in legend order


STUB = 3  # pixels: a week without time still shows its status as a stub on the axis
SERIES_ORDER = (TAKEN, PARTLY, WORKLOAD, AWAY, SKIPPED, NOTHING, UPCOMING)


def chart(rows: list[WeekRow], target_minutes: int, kind: str | None = None,
          height: int = 220) -> Chart:
    """Geometry of the hours-per-week bar chart (server-rendered SVG): x in percent of the
    plot's width, y in pixels, so the chart stretches to its box while its text keeps its
    size. With a kind chosen, every bar is that kind's time and no target applies."""
    top, bottom = 12, 28
    plot_h = height - top - bottom
    target = 0 if kind else target_minutes
    top_minutes = max([target, *(r.minutes for r in rows), 60])
    top_minutes = -(-top_minutes // 120) * 120  # round up to whole 2 h steps
    slot = 100 / max(len(rows), 1)

    def y_of(minutes: int) -> float:
        return round(top + plot_h - plot_h * minutes / top_minutes, 1)

    bars, drawn = [], set()
    for index, row in enumerate(rows):
        series = "kind" if kind else row.status
        y = y_of(row.minutes)
        if row.minutes <= 0:
            if kind or row.status in (NOTHING, UPCOMING):
                continue  # nothing to show: no bar, and no legend entry for it
            y = top + plot_h - STUB
        drawn.add(series)
        bars.append(Bar(x=round(index * slot + slot * 0.15, 2), y=y,
                        width=round(slot * 0.7, 2), height=round(top + plot_h - y, 1),
                        row=row, series=series))
    step = max(120, -(-top_minutes // 4 // 60) * 60)
    ticks = [(y_of(m), m) for m in range(0, top_minutes + 1, step)]
    # Every fourth week is named under the axis, counting back from the newest; on a phone
    # every eighth.
    labels = [(round(i * slot + slot / 2, 2), r, (len(rows) - 1 - i) % 8 == 0)
              for i, r in enumerate(rows) if (len(rows) - 1 - i) % 4 == 0]
    series = ["kind"] if "kind" in drawn else [s for s in SERIES_ORDER if s in drawn]
    return Chart(height=height, top=top, bottom=top + plot_h, bars=bars,
                 target_y=y_of(target) if target else None, max_minutes=top_minutes,
                 ticks=ticks, labels=labels, series=series)


# Own data -------------------------------------------------------------------------------

def export_rows(user):
    """One row per activity, oldest week first: week, day, kind, minutes, note, link, goal."""
    return (Activity.select(DevDay.week_start, DevDay.planned_on, Activity.kind,
                            Activity.minutes, Activity.note, Activity.link, Goal.title)
            .join(DevDay)
            .switch(Activity).join(Goal, JOIN.LEFT_OUTER, on=(Activity.goal == Goal.id))
            .where(DevDay.user == user.id)
            .order_by(DevDay.week_start, Activity.created_at, Activity.id).tuples())


def _iso(value):
    return value.isoformat() if value else None


def own_data(user) -> dict:
    """Everything that is the person's own, for their JSON download: profile, weeks with
    their activities, goals, the shared side of one-on-ones and the parts of reviews they
    may read. Never anyone's private one-on-one notes."""
    from ..models import ActionItem, AgendaItem, OneOnOne, Review, ReviewGoal, Team
    from ..permissions import can_read_coaching

    team = Team.select(Team.name).where(Team.id == user.team_id).scalar() \
        if user.team_id else None
    goals = list(Goal.select(Goal, ReviewCycle).join(ReviewCycle)
                 .where(Goal.owner == user.id).order_by(ReviewCycle.starts_on, Goal.id))
    days = list(DevDay.select().where(DevDay.user == user.id).order_by(DevDay.week_start))
    links: dict[int, list[int]] = {}
    for day_id, goal_id in (DevDayGoal.select(DevDayGoal.dev_day, DevDayGoal.goal)
                            .join(DevDay).where(DevDay.user == user.id).tuples()):
        links.setdefault(day_id, []).append(goal_id)
    activities: dict[int, list[dict]] = {}
    for activity in (Activity.select().join(DevDay).where(DevDay.user == user.id)
                     .order_by(Activity.created_at, Activity.id)):
        activities.setdefault(activity.dev_day_id, []).append({
            "kind": activity.kind, "minutes": activity.minutes, "note": activity.note,
            "link": activity.link, "goal_id": activity.goal_id,
            "logged_at": _iso(activity.created_at)})
    meetings = list(OneOnOne.select(OneOnOne.id, OneOnOne.held_on, OneOnOne.shared_notes)
                    .where(OneOnOne.person == user.id).order_by(OneOnOne.held_on))
    items = list(ActionItem.select().where(ActionItem.person == user.id)
                 .order_by(ActionItem.created_at))
    agenda = list(AgendaItem.select().where(AgendaItem.person == user.id)
                  .order_by(AgendaItem.created_at))
    reviews = list(Review.select(Review, ReviewCycle).join(ReviewCycle)
                   .where(Review.person == user.id).order_by(ReviewCycle.starts_on))
    outcomes: dict[int, list[dict]] = {}
    for row in ReviewGoal.select().join(Review).where(Review.person == user.id):
        outcomes.setdefault(row.review_id, []).append(
            {"goal_id": row.goal_id, "outcome": row.outcome, "comment": row.comment})

    def review(r):
        data = {"cycle": r.cycle.name, "status": r.status,
                "self_assessment": r.self_assessment,
                "self_submitted_at": _iso(r.self_submitted_at), "response": r.response,
                "acknowledged_at": _iso(r.acknowledged_at)}
        if can_read_coaching(user, r):
            data.update(notes=r.notes, next_focus=r.next_focus, held_on=_iso(r.held_on),
                        shared_at=_iso(r.shared_at), goal_outcomes=outcomes.get(r.id, []))
        return data

    return {
        "exported_on": date.today().isoformat(),
        "profile": {"name": user.name, "email": user.email, "role": user.role,
                    "team": team, "hired_on": _iso(user.hired_on),
                    "left_on": _iso(user.left_on), "weekly_dev_hours": user.weekly_dev_hours,
                    "locale": user.locale},
        "goals": [{"id": g.id, "cycle": g.cycle.name, "cycle_starts_on": _iso(g.cycle.starts_on),
                   "cycle_ends_on": _iso(g.cycle.ends_on), "title": g.title, "why": g.why,
                   "success": g.success, "status": g.status,
                   "created_at": _iso(g.created_at)} for g in goals],
        "dev_days": [{"week": week_label(d.week_start), "week_start": _iso(d.week_start),
                      "planned_on": _iso(d.planned_on), "plan": d.plan, "status": d.status,
                      "skip_reason": d.skip_reason, "skip_note": d.skip_note,
                      "rating": d.rating, "minutes": d.minutes,
                      "goal_ids": sorted(links.get(d.id, [])),
                      "activities": activities.get(d.id, [])} for d in days],
        "one_on_ones": [{"held_on": _iso(m.held_on), "shared_notes": m.shared_notes}
                        for m in meetings],
        "action_items": [{"text": i.text, "due_on": _iso(i.due_on), "done": i.done,
                          "mine": i.owner_id == user.id} for i in items],
        "agenda_items": [{"text": a.text, "added_by_me": a.author_id == user.id}
                         for a in agenda],
        "reviews": [review(r) for r in reviews],
        **_own_feedback(user),
    }


def _own_feedback(user) -> dict:
    """The person's ticket reviews (given, received, self) and the role-plays they took
    part in, for their JSON download: two queries."""
    from ..models import PracticeParticipant, PracticeSession, TicketReview

    other = User.alias("other")
    reviews = (TicketReview.select(TicketReview, other.name.alias("other_name"))
               .join(other, on=Case(None, [(TicketReview.reviewer == user.id,
                                            TicketReview.reviewee)], TicketReview.reviewer)
                     == other.id)
               .where((TicketReview.reviewer == user.id) | (TicketReview.reviewee == user.id))
               .order_by(TicketReview.created_at, TicketReview.id).objects())
    sessions = (PracticeSession.select(PracticeSession, PracticeParticipant.part)
                .join(PracticeParticipant)
                .where(PracticeParticipant.user == user.id)
                .order_by(PracticeSession.held_on, PracticeSession.id).objects())

    def kind(r):
        if r.reviewer_id == r.reviewee_id:
            return "self"
        return "given" if r.reviewer_id == user.id else "received"

    return {
        "ticket_reviews": [{
            "kind": kind(r), "with": None if kind(r) == "self" else r.other_name,
            "ticket_url": r.ticket_url, "ticket_ref": r.ticket_ref, "rating": r.rating,
            "praise": r.praise, "suggestion": r.suggestion, "aspects": r.aspect_names,
            "created_at": _iso(r.created_at), "reply": r.reply,
            "replied_at": _iso(r.replied_at)} for r in reviews],
        "practice_sessions": [{
            "held_on": _iso(s.held_on), "scenario": s.scenario, "brief": s.brief,
            "minutes": s.minutes, "takeaways": s.takeaways, "part": s.part}
            for s in sessions],
    }
