"""HR figures: a hand-computed roster over the edges, properties over random rosters, and
the exports' exact bytes (the same literal on SQLite and PostgreSQL)."""

import csv
import io
from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from growth.hr import exports, queries
from growth.models import (
    Activity,
    DevDay,
    Goal,
    PracticeParticipant,
    PracticeSession,
    Review,
    ReviewCycle,
    Team,
    TicketReview,
    User,
)
from growth.weeks import monday_of

FROM, TO = date(2025, 1, 6), date(2025, 3, 31)  # both Mondays: 13 Mondays in the period
MONDAYS = [FROM + timedelta(weeks=n) for n in range(13)]


def week(user, monday, minutes=0, status="logged", reason=None, plan=""):
    return DevDay.create(user=user, week_start=monday, minutes=minutes, status=status,
                         skip_reason=reason, plan=plan)


def build_example(make_team, make_user):
    """The hand-computed roster (period 2025-01-06 … 2025-03-31):

    a1 alpha  hired 2018-01-01              2 weeks of 480 min, 1 away, 1 lost to workload
    a2 alpha  hired on `from`, left on `to`  (voluntary) 60 min in 6 of 13 weeks
    c1 alpha  hired on `to`                  nothing logged
    b1 Blue   left on `from` (involuntary)   120 min in its single week
    b2 Blue   hired 2025-01-15, left 2025-02-20 (voluntary): 4 eligible weeks (5 Mondays,
              one away), 480 + 60 min, and 100 min in the week of its hire (not employed
              on that Monday: not counted)
    b3 Blue   hired 2023-03-31              nothing logged, one acknowledged review on `to`
    n1 none   part-timer (4 h a week), 240 min every week; name starts with @
    n2 none   hired 2024-09-30, one away week and one planned week with 0 minutes
    old       left 2024-12-31, late (team Zeta) hired 2025-04-01: outside the period
    """
    alpha, blue, zeta = make_team("alpha"), make_team("Blue"), make_team("Zeta")
    a1 = make_user("agent", team=alpha, name="Ana One", email="a1@example.com",
                   hired_on=date(2018, 1, 1))
    a2 = make_user("lead", team=alpha, name="Alex Two", email="a2@example.com",
                   hired_on=FROM, left_on=TO, leave_reason="voluntary")
    make_user("agent", team=alpha, name="Cy One", email="c1@example.com", hired_on=TO)
    b1 = make_user("agent", team=blue, name="Bea One", email="b1@example.com",
                   hired_on=date(2023, 7, 1), left_on=FROM, leave_reason="involuntary")
    b2 = make_user("agent", team=blue, name="Ben Two", email="b2@example.com",
                   hired_on=date(2025, 1, 15), left_on=date(2025, 2, 20),
                   leave_reason="voluntary")
    b3 = make_user("agent", team=blue, name="Bo Three", email="b3@example.com",
                   hired_on=date(2023, 3, 31))
    n1 = make_user("hr", name="@Nadia", email="n1@example.com", hired_on=date(2022, 3, 31),
                   weekly_dev_hours=4)
    n2 = make_user("admin", name="Noor Two", email="n2@example.com",
                   hired_on=date(2024, 9, 30))
    old = make_user("agent", name="Old", email="old@example.com", hired_on=date(2020, 1, 1),
                    left_on=date(2024, 12, 31), leave_reason="other", active=False)
    make_user("agent", team=zeta, name="Late", email="late@example.com",
              hired_on=date(2025, 4, 1))

    secret = week(a1, MONDAYS[0], 480, plan="SECRET PLAN")
    Activity.create(dev_day=secret, kind="docs", minutes=480, note="SECRET NOTE")
    week(a1, MONDAYS[1], 480)
    week(a1, MONDAYS[2], status="skipped", reason="away")
    week(a1, MONDAYS[3], status="skipped", reason="workload")
    week(a1, date(2024, 12, 30), 300)  # before the period
    week(a1, date(2025, 4, 7), 300)  # after it
    for monday in MONDAYS[:6]:
        week(a2, monday, 60)
    week(b1, MONDAYS[0], 120)
    week(b2, date(2025, 1, 13), 100)
    week(b2, date(2025, 1, 20), 480)
    week(b2, date(2025, 2, 3), status="skipped", reason="away")
    week(b2, date(2025, 2, 10), 60)
    for monday in MONDAYS:
        week(n1, monday, 240)
    week(n2, date(2025, 2, 3), status="skipped", reason="away")
    week(n2, date(2025, 2, 10), 0, status="planned")
    week(old, date(2024, 12, 2), 480)

    h1 = ReviewCycle.create(name="2025 H1", starts_on=date(2025, 1, 1), ends_on=date(2025, 6, 30))
    h2 = ReviewCycle.create(name="2024 H2", starts_on=date(2024, 7, 1),
                            ends_on=date(2024, 12, 31))
    Goal.create(owner=a1, cycle=h1, title="SECRET GOAL", status="achieved")
    Goal.create(owner=a1, cycle=h1, title="Another goal")
    Goal.create(owner=a1, cycle=h2, title="Last half's goal", status="achieved")
    Review.create(person=a1, cycle=h2, status="shared", held_on=date(2025, 1, 20),
                  notes="SECRET REVIEW")
    Review.create(person=a1, cycle=h1, status="draft", held_on=date(2025, 3, 1))
    Review.create(person=b3, cycle=h1, status="acknowledged", held_on=TO)

    # Ticket reviews created in the period (its last day included) and role-plays held in
    # it: a1 gave a2 one and reviewed itself once; b3's review of a1 came a day late.
    def ticket(reviewer, reviewee, at, n):
        TicketReview.create(reviewer=reviewer, reviewee=reviewee, ticket_url=f"https://t/{n}",
                            ticket_hash=str(n), rating=3, praise="SECRET PRAISE",
                            suggestion="SECRET SUGGESTION", reply="SECRET REPLY", created_at=at)

    ticket(a1, a2, datetime(2025, 2, 3, 10), 1)
    ticket(a1, a1, datetime(2025, 3, 31, 23, 59), 2)
    ticket(b3, a1, datetime(2025, 4, 1, 0, 0), 3)
    ticket(b3, a1, datetime(2025, 1, 5, 23, 59), 4)
    for held_on in (date(2025, 2, 10), date(2025, 4, 1)):
        session = PracticeSession.create(team=alpha, organiser=a1, held_on=held_on,
                                         scenario="SECRET SCENARIO", minutes=30,
                                         takeaways="SECRET TAKEAWAYS")
        PracticeParticipant.create(session=session, user=a1, part="customer")
        PracticeParticipant.create(session=session, user=a2, part="agent")


RETENTION_CSV = (
    b"team,headcount_start,headcount_end,hires,leavers,voluntary_leavers,retention_rate,"
    b"turnover_rate,avg_tenure_years,median_tenure_years,tenure_lt1,tenure_1_3,tenure_3_5,"
    b"tenure_5_7,tenure_7_plus,participation_rate,avg_dev_hours_per_week\r\n"
    b"alpha,2,3,1,0,0,1.0000,0.0000,2.49,0.23,2,0,0,0,1,0.3077,0.85\r\n"
    b"Blue,2,1,1,2,1,0.5000,1.3333,2.00,2.00,0,1,0,0,0,0.1667,0.61\r\n"
    b"(no team),2,2,0,0,0,1.0000,0.0000,1.75,1.75,1,0,1,0,0,0.5200,2.08\r\n"
    b"ALL,6,6,2,2,1,0.8333,0.3333,2.16,1.25,3,1,1,0,1,0.3478,1.23\r\n"
)

EMPLOYEES_CSV = (
    b"email,name,team,role,hired_on,left_on,leave_reason,tenure_years,eligible_weeks,"
    b"participated_weeks,participation_rate,dev_hours,goals_set,goals_achieved,reviews_held,"
    b"last_review_on,ticket_reviews_given,ticket_reviews_received,self_reviews,"
    b"practice_sessions\r\n"
    b"a1@example.com,Ana One,alpha,agent,2018-01-01,,,7.24,12,2,0.1667,16.00,2,1,1,2025-01-20,"
    b"1,0,1,1\r\n"
    b"a2@example.com,Alex Two,alpha,lead,2025-01-06,2025-03-31,voluntary,0.23,13,6,0.4615,6.00,"
    b"0,0,0,,0,1,0,1\r\n"
    b"b1@example.com,Bea One,Blue,agent,2023-07-01,2025-01-06,involuntary,1.52,1,1,1.0000,2.00,"
    b"0,0,0,,0,0,0,0\r\n"
    b"b2@example.com,Ben Two,Blue,agent,2025-01-15,2025-02-20,voluntary,0.10,4,2,0.5000,9.00,"
    b"0,0,0,,0,0,0,0\r\n"
    b"b3@example.com,Bo Three,Blue,agent,2023-03-31,,,2.00,13,0,0.0000,0.00,0,0,1,2025-03-31,"
    b"0,0,0,0\r\n"
    b"c1@example.com,Cy One,alpha,agent,2025-03-31,,,0.00,1,0,0.0000,0.00,0,0,0,,0,0,0,0\r\n"
    b"n1@example.com,'@Nadia,(no team),hr,2022-03-31,,,3.00,13,13,1.0000,52.00,0,0,0,,0,0,0,0\r\n"
    b"n2@example.com,Noor Two,(no team),admin,2024-09-30,,,0.50,12,0,0.0000,0.00,0,0,0,,"
    b"0,0,0,0\r\n"
)


def test_hand_computed_retention_csv(make_team, make_user):
    build_example(make_team, make_user)
    assert exports.render("retention", FROM, TO, "csv") == RETENTION_CSV


def test_hand_computed_employees_csv(make_team, make_user):
    build_example(make_team, make_user)
    data = exports.render("employees", FROM, TO, "csv")
    assert data == EMPLOYEES_CSV
    for secret in (b"SECRET", b"Another goal", b"Old", b"Late"):  # no review or role-play text
        assert secret not in data


def test_participation_bands_of_the_example(make_team, make_user):
    build_example(make_team, make_user)
    bands = {band.band: band for band in queries.participation_bands(FROM, TO)}
    # Employed on `from`: a1 2/12 and b3 0/13 low, a2 6/13 middle, b1 1/1 and n1 13/13
    # high, n2 0/12 low. b1 left.
    assert (bands["low"].people, bands["low"].retained) == (3, 3)
    assert (bands["middle"].people, bands["middle"].retained) == (1, 1)
    assert (bands["high"].people, bands["high"].retained) == (2, 1)
    assert str(bands["high"].retention_rate) == "0.5000"


def test_people_without_an_allowance_stay_out_of_the_bands_only(make_team, make_user):
    build_example(make_team, make_user)
    retention_csv = exports.render("retention", FROM, TO, "csv")
    employees_csv = exports.render("employees", FROM, TO, "csv")
    # n2 (an admin, 0/12: "low") gets no development day; b3 (0/13, still here) neither.
    User.update(weekly_dev_hours=0).where(User.email.in_(["n2@example.com",
                                                          "b3@example.com"])).execute()
    bands = {band.band: band for band in queries.participation_bands(FROM, TO)}
    assert (bands["low"].people, bands["low"].retained) == (1, 1)  # a1 alone
    assert (bands["middle"].people, bands["high"].people) == (1, 2)
    # The documented figures and columns still count everyone, whatever their allowance.
    assert exports.render("retention", FROM, TO, "csv") == retention_csv
    assert exports.render("employees", FROM, TO, "csv") == employees_csv


def test_months_of_the_example_add_up(make_team, make_user):
    build_example(make_team, make_user)
    months = queries.months(FROM, TO)
    assert [(m.starts_after, m.ends_on) for m in months] == [
        (FROM, date(2025, 1, 31)), (date(2025, 1, 31), date(2025, 2, 28)),
        (date(2025, 2, 28), TO)]
    assert [(m.headcount, m.hires, m.leavers) for m in months] == [
        (6, 1, 1),  # b2 hired; b1 left on `from`
        (5, 0, 1),  # b2 left on 20 February
        (6, 1, 0),  # c1 hired on `to`; a2 still employed on `to`
    ]


def test_an_empty_period_has_an_all_row_with_empty_rates(app):
    assert exports.render("retention", FROM, TO, "csv").decode().splitlines()[1] == (
        "ALL,0,0,0,0,0,,,,,0,0,0,0,0,,")
    assert exports.render("employees", FROM, TO, "csv").decode().count("\r\n") == 1


def test_formula_text_is_escaped_in_csv(make_user):
    make_user("agent", name="=HYPERLINK(\"http://x\")", email="-x@example.com",
              hired_on=date(2024, 1, 1), team=Team.create(name="+Ops"))
    rows = list(csv.reader(io.StringIO(exports.render("employees", FROM, TO, "csv").decode())))
    assert rows[1][:3] == ["'-x@example.com", "'=HYPERLINK(\"http://x\")", "'+Ops"]


def test_headcount_identity_over_random_periods_of_one_roster(make_team, make_user):
    build_example(make_team, make_user)
    for start, end in [(date(2024, 1, 1), date(2025, 12, 31)), (FROM, FROM),
                       (date(2025, 1, 15), date(2025, 2, 20)), (TO, date(2026, 1, 1))]:
        for row in queries.teams(start, end):
            assert row.headcount_end == row.headcount_start + row.hires - row.leavers


# Properties over random rosters ----------------------------------------------------------

DAY0 = date(2024, 1, 1)


@st.composite
def rosters(draw):
    people = draw(st.lists(st.tuples(
        st.integers(0, 900),  # hired, days after DAY0 - 400
        st.one_of(st.none(), st.integers(0, 700)),  # employed days before leaving
        st.sampled_from([None, 0, 1, 2]),  # team
        st.sampled_from(["voluntary", "involuntary", "other"]),
        st.lists(st.tuples(st.integers(0, 120), st.integers(0, 2400), st.booleans()),
                 max_size=6),  # (week offset, minutes, away)
    ), max_size=12))
    start = DAY0 + timedelta(days=draw(st.integers(0, 300)))
    end = start + timedelta(days=draw(st.integers(0, 500)))
    return people, start, end


def _by_hand(hired_on, left_on, logged, start, end):
    """One person's (eligible weeks, participated weeks, minutes, tenure days), walking the
    days one by one; None when they were not employed in the period."""
    if hired_on > end or (left_on is not None and left_on < start):
        return None
    eligible = participated = minutes = 0
    day = start
    while day <= end:
        employed = hired_on <= day and (left_on is None or day <= left_on)
        if day.weekday() == 0 and employed and day in logged and logged[day] is None:
            pass  # away
        elif day.weekday() == 0 and employed:
            eligible += 1
            participated += 1 if logged.get(day) else 0
            minutes += logged.get(day) or 0
        day += timedelta(days=1)
    last = min(end, left_on) if left_on else end
    return eligible, participated, minutes, (last - hired_on).days


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(roster=rosters())
def test_properties_over_random_rosters(app, roster):
    people, start, end = roster
    DevDay.delete().execute()
    User.delete().execute()
    Team.delete().execute()
    teams = [Team.create(name=name) for name in ("Red", "green", "Blue")]
    first_monday = monday_of(DAY0 - timedelta(days=400))
    expected = {}
    for n, (hired, stayed, team, reason, weeks) in enumerate(people):
        hired_on = DAY0 - timedelta(days=400) + timedelta(days=hired)
        left_on = hired_on + timedelta(days=stayed) if stayed is not None else None
        user = User.create(email=f"p{n}@example.com", name=f"P {n}", hired_on=hired_on,
                           left_on=left_on, leave_reason=reason if left_on else None,
                           team=teams[team] if team is not None else None)
        logged = {}
        for offset, minutes, away in {w[0]: w for w in weeks}.values():
            monday = first_monday + timedelta(weeks=offset)
            logged[monday] = None if away else minutes
            DevDay.create(user=user, week_start=monday, minutes=0 if away else minutes,
                          status="skipped" if away else "logged",
                          skip_reason="away" if away else None)
        expected[user.email] = _by_hand(hired_on, left_on, logged, start, end)
    rows = queries.teams(start, end)
    assert rows[-1].team == "ALL"
    for row in rows:
        assert row.headcount_end == row.headcount_start + row.hires - row.leavers
        for rate in (row.retention_rate, row.participation_rate):
            assert rate is None or 0 <= rate <= 1
        # Turnover is leavers over the mean headcount: never negative, but not capped at 1
        # (two leavers from an average of 1.5 people is 1.3333, as in the example).
        assert row.turnover_rate is None or row.turnover_rate >= 0
        assert row.tenure_lt1 + row.tenure_1_3 + row.tenure_3_5 + row.tenure_5_7 \
            + row.tenure_7_plus == row.headcount_end
    everyone = rows[-1]
    for field in ("headcount_start", "headcount_end", "hires", "leavers", "eligible_weeks",
                  "participated_weeks", "minutes"):
        assert getattr(everyone, field) == sum(getattr(row, field) for row in rows[:-1])
    found = queries.employees(start, end)
    assert {p.email: (p.eligible_weeks, p.participated_weeks, p.minutes, p.tenure_days)
            for p in found} == {email: figures for email, figures in expected.items()
                                if figures is not None}
    for person in found:
        assert person.participation_rate is None or 0 <= person.participation_rate <= 1
    months = queries.months(start, end)
    if months:
        assert months[-1].ends_on == end
        assert months[-1].headcount == everyone.headcount_end
        assert sum(m.hires for m in months) == everyone.hires
        assert sum(m.leavers for m in months) == everyone.leavers


def test_month_points_run_from_from_to_to_by_month_ends():
    assert queries.month_points(date(2025, 1, 31), date(2025, 3, 15)) == [
        (date(2025, 1, 31), date(2025, 2, 28)), (date(2025, 2, 28), date(2025, 3, 15))]
    assert queries.month_points(date(2024, 12, 15), date(2025, 1, 1)) == [
        (date(2024, 12, 15), date(2024, 12, 31)), (date(2024, 12, 31), date(2025, 1, 1))]
    assert queries.month_points(FROM, FROM) == []
