"""Who is off on which weekday: one query per page, whatever the size of the team."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from babel import dates
from flask_babel import get_locale
from peewee import JOIN

from ..models import DayStatus, DevDay, Team, User

WORKDAYS = 5  # the weekdays a refusal names and the strips show: Monday to Friday


@dataclass
class DayCoverage:
    day: date
    names: list = field(default_factory=list)
    count: int = 0

    def full(self, limit: int | None) -> bool:
        return limit is not None and self.count >= limit


@dataclass
class WeekCoverage:
    team: Team
    monday: date
    limit: int | None
    days: list  # DayCoverage, Monday to Friday


def weekday_name(day: date) -> str:
    return dates.format_date(day, "EEEE", locale=get_locale() or dates.LC_TIME)


def _people_of(team_ids):
    """Members of the teams and their leads (a lead's own plan counts too)."""
    return (User.select(User.id).join(Team, JOIN.LEFT_OUTER, on=(User.team == Team.id))
            .where(User.team.in_(team_ids)))


def planned_days(team_ids, mondays, *, leaving_out: int | None = None):
    """(team id, planned date, name) for every plan on a weekday of those weeks by a member
    or the lead of those teams; skipped weeks and people who can't sign in are left out."""
    team_ids = list(team_ids)
    if not team_ids:
        return []
    team_of = Team.alias()
    in_team = User.team.in_(team_ids)
    query = (DevDay.select(User.team.alias("member_team"), team_of.id.alias("led_team"),
                           DevDay.planned_on, User.name)
             .join(User, on=(DevDay.user == User.id))
             .join(team_of, JOIN.LEFT_OUTER,
                   on=((team_of.lead == User.id) & team_of.id.in_(team_ids)))
             .where(DevDay.week_start.in_(list(mondays)), DevDay.planned_on.is_null(False),
                    DevDay.status != DayStatus.SKIPPED.value, User.active == True,  # noqa: E712
                    in_team | team_of.id.is_null(False))
             .order_by(DevDay.planned_on, User.name))
    if leaving_out is not None:
        query = query.where(DevDay.user != leaving_out)
    rows = []
    for member_team, led_team, planned_on, name in query.tuples():
        # A lead who is also a member of the team they lead counts once.
        for team_id in {t for t in (member_team, led_team) if t in team_ids}:
            rows.append((team_id, planned_on, name))
    return rows


def week_coverage(teams, mondays, *, leaving_out: int | None = None) -> list[WeekCoverage]:
    """Coverage of each team for each week (teams × weeks), from one query."""
    teams = list(teams)
    mondays = list(mondays)
    by_key = {}
    result = []
    for team in teams:
        for monday in mondays:
            week = WeekCoverage(team, monday, team.max_off_per_day,
                                [DayCoverage(monday + timedelta(days=i)) for i in range(WORKDAYS)])
            by_key[team.id, monday] = week
            result.append(week)
    for team_id, planned_on, name in planned_days([t.id for t in teams], mondays,
                                                  leaving_out=leaving_out):
        monday = planned_on - timedelta(days=planned_on.weekday())
        week = by_key.get((team_id, monday))
        if week is None or planned_on.weekday() >= WORKDAYS:
            continue
        cell = week.days[planned_on.weekday()]
        cell.count += 1
        cell.names.append(name)
    return result


def team_of(user):
    """The team whose coverage a person's plan counts in: their own, else one they lead."""
    if user.team_id is not None:
        return Team.get_or_none(Team.id == user.team_id)
    return Team.select().where(Team.lead == user.id).order_by(Team.id).first()


@dataclass
class PersonCoverage:
    week: WeekCoverage
    names: bool  # the lead sees who; everyone else how many


def for_person(user, monday: date, *, show_names) -> PersonCoverage | None:
    """The week's coverage of the person's team, the person left out (two queries)."""
    team = team_of(user)
    if team is None:
        return None
    week = week_coverage([team], [monday], leaving_out=user.id)[0]
    names = show_names(user, team)
    if not names:
        for cell in week.days:
            cell.names = []
    return PersonCoverage(week, names)


def for_lead(teams, monday: date) -> dict:
    """This and next week's coverage of each team, by team id (one query)."""
    by_team: dict = {}
    for week in week_coverage(teams, [monday, monday + timedelta(weeks=1)]):
        by_team.setdefault(week.team.id, []).append(week)
    return by_team
