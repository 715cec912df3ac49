"""Who is due which reminder on a given day: a fixed number of queries per kind, whatever
the number of people."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from peewee import JOIN, fn

from ..feedback.queries import lead_figures
from ..models import (
    DayStatus,
    DevDay,
    ReminderKind,
    ReminderSent,
    Review,
    ReviewCycle,
    ReviewStatus,
    Role,
    SkipReason,
    Team,
    User,
)
from ..weeks import monday_of

FRIDAY = 4
WORKLOAD_RUN = 3


def _reachable(monday: date, today: date):
    """Active people with reminders on and a development-day allowance, employed today."""
    return ((User.active == True) & (User.reminders == True)  # noqa: E712
            & (User.weekly_dev_hours > 0) & (User.hired_on <= today)
            & (User.left_on.is_null() | (User.left_on >= today))
            & (User.email != ""))


def _not_sent(kind: ReminderKind, monday: date):
    sent = ReminderSent.select(ReminderSent.user).where(
        ReminderSent.kind == kind.value, ReminderSent.week_start == monday)
    return User.id.not_in(sent)


def plan_due(today: date):
    """People with neither a plan nor a skip for this week (one query)."""
    monday = monday_of(today)
    settled = DevDay.select(DevDay.user).where(
        DevDay.week_start == monday,
        DevDay.planned_on.is_null(False) | (DevDay.status == DayStatus.SKIPPED.value))
    return list(User.select().where(_reachable(monday, today), _not_sent(ReminderKind.PLAN, monday),
                                    User.id.not_in(settled)).order_by(User.id))


def log_due(today: date):
    """People whose planned day is over (Friday when unplanned) with nothing logged and no
    skip (one query), each with their week's row (None when they have none)."""
    monday = monday_of(today)
    friday_passed = today.weekday() >= FRIDAY
    day_over = DevDay.planned_on < today
    if friday_passed:
        day_over = day_over | DevDay.planned_on.is_null()
    week = (DevDay.week_start == monday) & (DevDay.user == User.id)
    query = (User.select(User, DevDay.planned_on.alias("planned_on"))
             .join(DevDay, JOIN.LEFT_OUTER, on=week)
             .where(_reachable(monday, today), _not_sent(ReminderKind.LOG, monday)))
    if friday_passed:
        query = query.where(DevDay.id.is_null() | (
            day_over & (DevDay.minutes == 0) & (DevDay.status != DayStatus.SKIPPED.value)))
    else:
        query = query.where(day_over & (DevDay.minutes == 0)
                            & (DevDay.status != DayStatus.SKIPPED.value))
    return list(query.order_by(User.id).objects())


@dataclass
class Digest:
    lead: User
    members: list = field(default_factory=list)
    workload: list = field(default_factory=list)  # members who lost 3 weeks running
    no_review: list = field(default_factory=list)  # no ticket review received in 4 weeks
    due: list = field(default_factory=list)  # (member, overdue)
    took_day: list = field(default_factory=list)  # members who logged time last week
    counted: int = 0  # members whose last week counts (not away)
    cycle: ReviewCycle | None = None


def _last_ended_cycle(today: date) -> ReviewCycle | None:
    return (ReviewCycle.select().where(ReviewCycle.ends_on < today)
            .order_by(ReviewCycle.ends_on.desc()).first())


def digests_due(today: date) -> list[Digest]:
    """Each lead with members who hasn't had this week's digest, with what it says
    (a fixed number of queries, whatever the number of leads and members)."""
    monday = monday_of(today)
    lead_alias = User.alias()
    leads = list(
        User.select().where(
            User.role == Role.LEAD.value, _reachable(monday, today),
            _not_sent(ReminderKind.DIGEST, monday),
            fn.EXISTS(lead_alias.select(lead_alias.id)
                      .join(Team, on=(lead_alias.team == Team.id))
                      .where(Team.lead == User.id, lead_alias.id != User.id,
                             lead_alias.active == True,  # noqa: E712
                             lead_alias.left_on.is_null() | (lead_alias.left_on >= today))))
        .order_by(User.id))
    if not leads:
        return []
    digests = {lead.id: Digest(lead) for lead in leads}
    members = list(
        User.select(User, Team.lead.alias("lead_id")).join(Team, on=(User.team == Team.id))
        .where(Team.lead.in_(list(digests)), User.id != Team.lead, User.active == True,  # noqa: E712
               User.left_on.is_null() | (User.left_on >= today))
        .order_by(fn.LOWER(User.name), User.id).objects())
    by_id = {m.id: m for m in members}
    first = monday - timedelta(weeks=WORKLOAD_RUN)
    last_week = monday - timedelta(weeks=1)
    days: dict = {}
    for day in DevDay.select(DevDay.user, DevDay.week_start, DevDay.minutes, DevDay.status,
                             DevDay.skip_reason).where(
            DevDay.user.in_(list(by_id)), DevDay.week_start >= first,
            DevDay.week_start < monday):
        days[day.user_id, day.week_start] = day
    cycle = _last_ended_cycle(today)
    reviews = {}
    if cycle is not None:
        reviews = {r.person_id: r for r in Review.select(Review.person, Review.status).where(
            Review.cycle == cycle.id, Review.person.in_(list(by_id)))}
    feedback = lead_figures(list(by_id), today)
    for member in members:
        digest = digests[member.lead_id]
        digest.cycle = cycle
        if feedback[member.id].none_received:
            digest.no_review.append(member)
        digest.members.append(member)
        weeks = [days.get((member.id, first + timedelta(weeks=n))) for n in range(WORKLOAD_RUN)]
        if all(d is not None and d.skip_reason == SkipReason.WORKLOAD for d in weeks):
            digest.workload.append(member)
        last = days.get((member.id, last_week))
        if member.hired_on <= last_week + timedelta(days=6) and not (
                last is not None and last.skip_reason == SkipReason.AWAY):
            digest.counted += 1
            if last is not None and last.minutes > 0:
                digest.took_day.append(member)
        if cycle is not None and member.hired_on <= cycle.ends_on:
            review = reviews.get(member.id)
            if review is None or review.status == ReviewStatus.DRAFT:
                digest.due.append((member, today > cycle.due_on))
    return [d for d in digests.values() if d.members]
