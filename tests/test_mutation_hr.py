"""HR figure rules that `make mutate` found no test pinning: rounding half up on exact
ties, the default period on 29 February, month ends from a month's last day, empty months
and bands, and a participation band whose people all left. Every expected figure is worked
out by hand from DESIGN "HR figures"."""

from datetime import date, timedelta

from growth.hr import queries
from growth.models import DevDay, Team

FROM = date(2025, 1, 6)  # a Monday
TO = FROM + timedelta(weeks=31)  # 2025-08-11, a Monday: 32 Mondays in the period


def week(user, monday, minutes):
    return DevDay.create(user=user, week_start=monday, minutes=minutes, status="logged")


def test_rates_on_an_exact_tie_round_half_up(make_team, make_user):
    # One person employed all along: 32 eligible weeks, 48 minutes logged in one of them.
    # participation_rate = 1 / 32 = 0.03125 -> 0.0313 (4 decimals, half up)
    # avg_dev_hours_per_week = 0.8 h / 32 = 0.025 -> 0.03 (2 decimals, half up)
    solo = make_team("Solo")
    person = make_user("agent", team=solo, hired_on=date(2020, 1, 6))
    week(person, FROM + timedelta(weeks=3), 48)
    team, everyone = queries.teams(FROM, TO)
    for row in (team, everyone):
        assert (row.eligible_weeks, row.participated_weeks, row.minutes) == (32, 1, 48)
        assert str(row.participation_rate) == "0.0313"
        assert str(row.avg_dev_hours_per_week) == "0.03"
    [figures] = queries.employees(FROM, TO)
    assert str(figures.participation_rate) == "0.0313"
    assert str(figures.dev_hours) == "0.80"


def test_the_default_period_of_29_february_starts_on_28_february():
    assert queries.default_period(date(2024, 2, 29)) == (date(2023, 2, 28), date(2024, 2, 29))
    assert queries.default_period(date(2024, 3, 1)) == (date(2023, 3, 1), date(2024, 3, 1))
    assert queries.default_period(date(2025, 2, 28)) == (date(2024, 2, 28), date(2025, 2, 28))


def test_month_points_from_the_last_day_of_november_and_within_one_month():
    # From 30 November the first point is the end of December, and the next year follows.
    assert queries.month_points(date(2024, 11, 30), date(2025, 1, 15)) == [
        (date(2024, 11, 30), date(2024, 12, 31)), (date(2024, 12, 31), date(2025, 1, 15))]
    assert queries.month_points(date(2025, 4, 30), date(2025, 5, 31)) == [
        (date(2025, 4, 30), date(2025, 5, 31))]
    assert queries.month_points(date(2025, 1, 10), date(2025, 1, 20)) == [
        (date(2025, 1, 10), date(2025, 1, 20))]
    assert queries.month_points(date(2025, 1, 20), date(2025, 1, 10)) == []


def test_months_before_anyone_was_hired_count_nobody(make_user):
    make_user("agent", hired_on=date(2025, 3, 10))
    found = queries.months(date(2025, 1, 6), date(2025, 3, 31))
    assert [(m.starts_after, m.ends_on, m.headcount, m.hires, m.leavers) for m in found] == [
        (date(2025, 1, 6), date(2025, 1, 31), 0, 0, 0),
        (date(2025, 1, 31), date(2025, 2, 28), 0, 0, 0),
        (date(2025, 2, 28), date(2025, 3, 31), 1, 1, 0),
    ]


def test_months_of_an_empty_roster_and_of_no_period(app):
    found = queries.months(FROM, date(2025, 2, 10))
    assert [(m.ends_on, m.headcount, m.hires, m.leavers) for m in found] == [
        (date(2025, 1, 31), 0, 0, 0), (date(2025, 2, 10), 0, 0, 0)]
    assert queries.months(FROM, FROM) == []


def test_a_band_whose_people_all_left_retains_nobody(make_user):
    # Employed on `from`, a development day every week (32 of 32: "high"), left before `to`.
    person = make_user("agent", hired_on=date(2020, 1, 6), left_on=TO - timedelta(days=1),
                       leave_reason="voluntary")
    for n in range(32):
        if FROM + timedelta(weeks=n) <= TO - timedelta(days=1):
            week(person, FROM + timedelta(weeks=n), 60)
    bands = queries.participation_bands(FROM, TO)
    assert [(b.band, b.people, b.retained) for b in bands] == [
        ("low", 0, 0), ("middle", 0, 0), ("high", 1, 0)]
    assert [b.retention_rate for b in bands[:2]] == [None, None]
    assert str(bands[2].retention_rate) == "0.0000"


def test_nobody_employed_still_gives_the_everyone_row(make_user):
    make_user("agent", hired_on=TO + timedelta(days=1))
    [everyone] = queries.teams(FROM, TO)
    assert everyone.is_all and everyone.team == "ALL"
    assert (everyone.headcount_start, everyone.headcount_end, everyone.hires,
            everyone.leavers) == (0, 0, 0, 0)
    assert everyone.retention_rate is None and everyone.participation_rate is None
    assert queries.period_counts(FROM, TO) == (0, 0)


def test_teams_are_listed_by_name_whatever_the_case_and_the_order_they_were_made(
        make_team, make_user):
    # Made Zulu, bravo, Alpha (their ids in that order); read A, b, Z, then (no team), ALL.
    for name in ("Zulu", "bravo", "Alpha"):
        make_user("agent", team=make_team(name), hired_on=date(2020, 1, 6))
    make_user("agent", hired_on=date(2020, 1, 6))
    rows = queries.teams(FROM, TO)
    assert [row.team for row in rows] == ["Alpha", "bravo", "Zulu", "(no team)", "ALL"]
    assert [row.headcount_end for row in rows] == [1, 1, 1, 1, 4]
    assert [row.is_all for row in rows] == [False, False, False, False, True]
    # Keyed by team id, 0 for no team (the dashboard names that row in the person's language).
    assert [row.key for row in rows[3:]] == [0, queries.ALL_KEY]
    assert {row.key for row in rows[:3]} == {team.id for team in Team.select()}
