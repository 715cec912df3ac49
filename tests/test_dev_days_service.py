"""The development day's rules, checked on the use cases directly."""

import contextlib
import threading
from datetime import date, timedelta

import pytest

from growth.db import database
from growth.dev_days import service
from growth.dev_days.service import DayError
from growth.integrity import StaleEdit
from growth.models import Activity, DevDay, DevDayGoal, Goal, ReviewCycle
from growth.weeks import monday_of

TODAY = date(2026, 11, 25)  # a Wednesday
THIS_WEEK = monday_of(TODAY)
LAST_WEEK = THIS_WEEK - timedelta(weeks=1)
NEXT_WEEK = THIS_WEEK + timedelta(weeks=1)


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context():
        yield


@pytest.fixture
def agent(world):
    return world.agent_a


OWN_GOALS = "Choose one of your own goals."
RATE_AFTER_LOGGING = "Log what you did first: a day can be rated once something is logged."


def goal_of(user, title="Learn SQL"):
    cycle = ReviewCycle.ensure_for(TODAY)
    return Goal.create(owner=user, cycle=cycle, title=title)


def log(user, week=THIS_WEEK, minutes=60, **fields):
    fields.setdefault("kind", "docs")
    return service.log_activity(user, week, minutes=minutes, today=TODAY, **fields)


def week_row(user, week=THIS_WEEK):
    return DevDay.for_week(user, week).first()


def activity_sum(user, week=THIS_WEEK):
    return sum(a.minutes for a in Activity.select().join(DevDay)
               .where(DevDay.user == user.id, DevDay.week_start == week))


def assert_refused(field, message, call, *args, **kwargs):
    """`call` is refused with `message` (the whole of it, or its telling part) shown next to
    `field` (None: above the form)."""
    with pytest.raises(DayError) as caught:
        call(*args, **kwargs)
    assert (caught.value.field, message in str(caught.value)) == (field, True), (
        f"refused on {caught.value.field!r} with {str(caught.value)!r}, "
        f"expected {message!r} on {field!r}")
    return caught.value


# Logging --------------------------------------------------------------------------------

def test_logging_adds_to_one_row_per_week_and_keeps_the_total(agent):
    log(agent, minutes=90, note="Macro article")
    log(agent, minutes=30, kind="learning")
    assert DevDay.select().where(DevDay.user == agent.id).count() == 1
    day = week_row(agent)
    assert (day.minutes, day.status) == (120, "logged")
    assert activity_sum(agent) == 120


@pytest.mark.parametrize("minutes", [0, -5, 721, 10_000])
def test_minutes_outside_1_to_720_are_refused(agent, minutes):
    assert_refused("minutes", "Enter the minutes, from 1 to 720.", log, agent, minutes=minutes)
    assert week_row(agent) is None and Activity.select().count() == 0


def test_one_activity_may_be_720_minutes(agent):
    log(agent, minutes=720)
    assert week_row(agent).minutes == 720


def test_a_week_never_passes_40_hours(agent):
    for _ in range(3):
        log(agent, minutes=720)
    assert_refused("minutes", "A week holds at most 40 h. 36 h are logged; this would add 5 h.",
                   log, agent, minutes=300)
    assert week_row(agent).minutes == 2160 and Activity.select().count() == 3
    log(agent, minutes=240)  # exactly 40 h is fine
    assert week_row(agent).minutes == 2400
    assert_refused("minutes", "40 h are logged; this would add", log, agent, minutes=1)
    assert activity_sum(agent) == 2400


def test_an_unknown_kind_is_refused(agent):
    assert_refused("kind", "Choose what you did.", log, agent, kind="sleeping")


def test_text_and_link_limits(agent):
    assert_refused("note", "Keep the note under 1000 characters.", log, agent,
                   note="x" * 1001)
    log(agent, note="x" * 1000)
    for bad in ("javascript:alert(1)", "ftp://files.example.com/a", "example.com",
                "https://example.com/" + "a" * 2000):
        assert_refused("link", "Enter a web address starting with http:// or https://.",
                       log, agent, link=bad)
    log(agent, link="https://help.example.com/a")
    log(agent, link="http://help.example.com/b")
    assert Activity.select().count() == 3


def test_goal_must_be_ones_own(world, agent):
    theirs = goal_of(world.agent_a2, "Someone else's")
    assert_refused("goal_id", OWN_GOALS, log, agent, goal_id=theirs.id)
    assert_refused("goal_id", OWN_GOALS, log, agent, goal_id=99_999)
    mine = goal_of(agent)
    activity = log(agent, goal_id=mine.id)
    assert Activity.get_by_id(activity.id).goal_id == mine.id
    assert Activity.select().count() == 1


def test_future_weeks_cannot_be_logged(agent):
    assert_refused(None, "This week hasn't started yet: log what you did once it has.",
                   log, agent, week=NEXT_WEEK)
    log(agent, week=THIS_WEEK)
    log(agent, week=LAST_WEEK)
    log(agent, week=THIS_WEEK - timedelta(weeks=60))
    assert DevDay.select().count() == 3


def test_weeks_before_hire_and_after_leaving(make_user):
    hired = date(2026, 3, 11)  # a Wednesday
    left = date(2026, 9, 3)  # a Thursday
    person = make_user("agent", hired_on=hired, left_on=left, leave_reason="voluntary")
    assert_refused(None, "This week is before you joined on", log, person,
                   week=monday_of(hired) - timedelta(weeks=1))
    assert_refused(None, "This week is after your last day,", log, person,
                   week=monday_of(left) + timedelta(weeks=1))
    log(person, week=monday_of(hired))  # the week holding the hire date
    log(person, week=monday_of(left))  # the week holding the last day
    assert DevDay.select().count() == 2


# Editing and deleting -------------------------------------------------------------------

def test_editing_moves_the_total_by_the_difference(agent):
    first = log(agent, minutes=60)
    log(agent, minutes=120)
    service.edit_activity(agent, first, version=1, kind="coding", minutes=200, note="SQL", link="",
                          goal_id=None)
    assert week_row(agent).minutes == 320
    edited = Activity.get_by_id(first.id)
    assert (edited.kind, edited.minutes, edited.note) == ("coding", 200, "SQL")


def test_editing_can_not_pass_40_hours(agent):
    first = log(agent, minutes=60)
    for _ in range(3):
        log(agent, minutes=720)  # 37 h
    assert_refused("minutes", "A week holds at most 40 h. 37 h are logged; this would add 3.5 h.",
                   service.edit_activity, agent, first, version=1, kind="docs", minutes=270)
    assert_refused("minutes", "Enter the minutes, from 1 to 720.", service.edit_activity, agent,
                   first, version=1, kind="docs", minutes=721)
    assert week_row(agent).minutes == 2220 == activity_sum(agent)
    service.edit_activity(agent, first, version=1, kind="docs", minutes=240)  # exactly 40 h
    assert week_row(agent).minutes == 2400 == activity_sum(agent)


def test_deleting_takes_the_minutes_away_and_an_empty_week_loses_its_rating(agent):
    first = log(agent, minutes=60)
    second = log(agent, minutes=90)
    service.rate_week(agent, THIS_WEEK, rating=4)
    service.delete_activity(first)
    day = week_row(agent)
    assert (day.minutes, day.status, day.rating) == (90, "logged", 4)
    service.delete_activity(second)
    day = week_row(agent)
    assert (day.minutes, day.status, day.rating) == (0, "planned", None)
    service.delete_activity(second)  # a second click changes nothing
    assert week_row(agent).minutes == 0


# Planning -------------------------------------------------------------------------------

def test_plan_the_current_week_with_goals(agent):
    goal = goal_of(agent)
    service.plan_week(agent, THIS_WEEK, version=1, day=THIS_WEEK + timedelta(days=4),
                      plan="Course",
                      goal_ids=[goal.id], today=TODAY)
    day = week_row(agent)
    assert (day.planned_on, day.plan, day.status) == (THIS_WEEK + timedelta(days=4),
                                                       "Course", "planned")
    assert [link.goal_id for link in DevDayGoal.select()] == [goal.id]


def test_a_repeated_plan_keeps_one_row_and_replaces_its_goals(agent):
    one, two = goal_of(agent, "One"), goal_of(agent, "Two")
    for version, goals in enumerate(([one.id], [one.id, two.id], [two.id]), start=1):
        service.plan_week(agent, THIS_WEEK, version=version, day=THIS_WEEK, plan="Same",
                          goal_ids=goals, today=TODAY)
    assert DevDay.select().count() == 1
    assert [link.goal_id for link in DevDayGoal.select()] == [two.id]


def test_plans_reach_twelve_weeks_ahead_and_not_back(agent):
    ahead = THIS_WEEK + timedelta(weeks=12)
    service.plan_week(agent, ahead, version=1, day=ahead, today=TODAY)
    too_far = THIS_WEEK + timedelta(weeks=13)
    assert_refused(None, "Plans can be made up to 12 weeks ahead.", service.plan_week, agent,
                   too_far, version=1, day=too_far, today=TODAY)
    assert_refused(None, "This week is over: plans are for this week and the next 12.",
                   service.plan_week, agent, LAST_WEEK, version=1, day=LAST_WEEK, today=TODAY)
    assert DevDay.select().count() == 1


@pytest.mark.parametrize("offset", [-1, 7, 30])
def test_the_planned_day_must_be_inside_the_week(agent, offset):
    assert_refused("day", "Pick a day inside this week (", service.plan_week, agent, THIS_WEEK,
                   version=1,
                   day=THIS_WEEK + timedelta(days=offset), today=TODAY)
    assert DevDay.select().count() == 0


def test_plan_text_limit_and_foreign_goals(world, agent):
    assert_refused("plan", "Keep the plan under 2000 characters.", service.plan_week, agent,
                   THIS_WEEK, version=1, day=THIS_WEEK,
                   plan="x" * 2001, today=TODAY)
    theirs = goal_of(world.agent_a2)
    assert_refused("goal_ids", OWN_GOALS, service.plan_week, agent, THIS_WEEK, version=1,
                   day=THIS_WEEK,
                   goal_ids=[theirs.id], today=TODAY)
    assert DevDay.select().count() == 0
    service.plan_week(agent, THIS_WEEK, version=1, day=THIS_WEEK, plan="x" * 2000, today=TODAY)


# Skipping and rating --------------------------------------------------------------------

def test_away_is_refused_while_the_week_holds_activities(agent):
    log(agent)
    assert_refused("reason", "Activities are logged in this week, so it can't be marked as away.",
                   service.skip_week, agent, THIS_WEEK, reason="away", today=TODAY)
    assert week_row(agent).status == "logged"
    service.skip_week(agent, THIS_WEEK, reason="workload", note="Launch", today=TODAY)
    day = week_row(agent)
    assert (day.status, day.skip_reason, day.skip_note) == ("skipped", "workload", "Launch")


def test_logging_clears_a_skip(agent):
    service.skip_week(agent, LAST_WEEK, reason="away", note="Holiday", today=TODAY)
    assert week_row(agent, LAST_WEEK).skip_reason == "away"
    log(agent, week=LAST_WEEK)
    day = week_row(agent, LAST_WEEK)
    assert (day.status, day.skip_reason, day.skip_note, day.minutes) == ("logged", None, "", 60)


def test_a_holiday_ahead_can_be_marked_away_and_taken_back(agent):
    service.skip_week(agent, NEXT_WEEK, reason="away", today=TODAY)
    assert week_row(agent, NEXT_WEEK).status == "skipped"
    service.take_week_back(agent, NEXT_WEEK)
    day = week_row(agent, NEXT_WEEK)
    assert (day.status, day.skip_reason) == ("planned", None)


def test_skip_reason_and_note_are_checked(agent):
    assert_refused("reason", "Choose why the day is skipped.", service.skip_week, agent, THIS_WEEK,
                   reason="bored", today=TODAY)
    assert_refused("note", "Keep the note under 1000 characters.", service.skip_week, agent,
                   THIS_WEEK, reason="other",
                   note="x" * 1001, today=TODAY)
    assert DevDay.select().count() == 0


def test_a_week_is_rated_only_once_something_is_logged(agent):
    assert_refused("rating", RATE_AFTER_LOGGING, service.rate_week, agent, THIS_WEEK, rating=3)
    service.plan_week(agent, THIS_WEEK, version=1, day=THIS_WEEK, today=TODAY)
    assert_refused("rating", RATE_AFTER_LOGGING, service.rate_week, agent, THIS_WEEK, rating=3)
    log(agent)
    service.rate_week(agent, THIS_WEEK, rating=3)
    assert week_row(agent).rating == 3
    for bad in (0, 5):
        assert_refused("rating", "Pick one of the four.", service.rate_week, agent, THIS_WEEK,
                       rating=bad)
    assert week_row(agent).rating == 3


# Races ----------------------------------------------------------------------------------

def _in_threads(app, count, work):
    errors, start = [], threading.Barrier(count, timeout=20)

    def run(n):
        try:
            with app.test_request_context(), database.connection_context():
                start.wait()
                work(n)
        except Exception as error:  # noqa: BLE001 - collected and checked below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return errors


def test_simultaneous_logs_never_pass_the_cap_and_keep_the_total(app, agent):
    # Three threads (the pool holds four connections, the test keeps one), four logs each.
    def work(n):
        for _ in range(4):
            with contextlib.suppress(DayError):
                log(agent, minutes=300)

    errors = _in_threads(app, 3, work)
    assert errors == []
    day = week_row(agent)
    assert day.minutes == 2400 == activity_sum(agent)
    assert Activity.select().count() == 8


def test_simultaneous_plans_make_one_row(app, agent):
    goal = goal_of(agent)

    def work(n):
        service.plan_week(agent, THIS_WEEK, version=1, day=THIS_WEEK, plan=f"Plan {n}",
                          goal_ids=[goal.id], today=TODAY)

    # Three tabs planned the fresh week differently: one plan is saved, the other two are
    # told it changed under them.
    errors = _in_threads(app, 3, work)
    assert len(errors) == 2 and all(isinstance(e, StaleEdit) for e in errors), errors
    assert DevDay.select().count() == 1
    assert DevDayGoal.select().count() == 1
    assert week_row(agent).version == 2


# One-time keys and versions -------------------------------------------------------------

def test_a_repeated_key_logs_one_activity_and_adds_its_minutes_once(agent):
    first = log(agent, minutes=90, note="Refunds", submission="key-of-the-form-1")
    again = log(agent, minutes=90, note="Refunds", submission="key-of-the-form-1")
    assert again.id == first.id
    assert Activity.select().count() == 1 and week_row(agent).minutes == 90
    log(agent, minutes=90, note="Refunds", submission="key-of-the-form-2")
    assert Activity.select().count() == 2 and week_row(agent).minutes == 180


def test_a_repeat_at_the_cap_is_the_same_activity_not_a_refusal(agent):
    for n in range(3):
        log(agent, minutes=720, submission=f"filler-key-{n}")
    last = log(agent, minutes=240, submission="the-last-key")  # 2400: the week is full
    assert log(agent, minutes=240, submission="the-last-key").id == last.id
    assert week_row(agent).minutes == 2400 == activity_sum(agent)


def test_someone_elses_key_logs_a_new_activity_of_their_own(world, agent):
    mine = log(agent, note="Mine", submission="copied-key-123")
    theirs = log(world.agent_a2, note="Theirs", submission="copied-key-123")
    assert theirs.id != mine.id
    assert (Activity.get_by_id(mine.id).note, week_row(agent).minutes) == ("Mine", 60)
    assert week_row(world.agent_a2).minutes == 60


def test_simultaneous_identical_logs_make_one_activity(app, agent):
    def work(n):
        log(agent, minutes=45, note="Same form", submission="double-clicked-key")

    assert _in_threads(app, 3, work) == []
    assert Activity.select().count() == 1
    assert week_row(agent).minutes == 45 == activity_sum(agent)


def test_a_stale_activity_edit_is_refused_and_changes_nothing(agent):
    activity = log(agent, minutes=60, note="First")
    service.edit_activity(agent, activity, version=1, kind="docs", minutes=120, note="Tab one")
    with pytest.raises(StaleEdit) as caught:
        service.edit_activity(agent, activity, version=1, kind="docs", minutes=30,
                              note="Tab two")
    assert (caught.value.row.note, caught.value.row.version) == ("Tab one", 2)
    saved = Activity.get_by_id(activity.id)
    assert (saved.note, saved.minutes, saved.version) == ("Tab one", 120, 2)
    assert week_row(agent).minutes == 120 == activity_sum(agent)
    # The same change twice (a double-clicked save) is done, not a conflict.
    service.edit_activity(agent, activity, version=1, kind="docs", minutes=120, note="Tab one")
    assert week_row(agent).minutes == 120 and Activity.get_by_id(activity.id).version == 2


def test_a_stale_plan_is_refused_but_the_same_plan_twice_is_not(agent):
    goal = goal_of(agent)
    service.plan_week(agent, THIS_WEEK, version=1, day=THIS_WEEK, plan="Course",
                      goal_ids=[goal.id], today=TODAY)
    service.plan_week(agent, THIS_WEEK, version=1, day=THIS_WEEK, plan="Course",
                      goal_ids=[goal.id], today=TODAY)
    with pytest.raises(StaleEdit):
        service.plan_week(agent, THIS_WEEK, version=1, day=THIS_WEEK, plan="Course",
                          goal_ids=[], today=TODAY)
    with pytest.raises(StaleEdit):
        service.plan_week(agent, THIS_WEEK, version=1, day=THIS_WEEK, plan="Other",
                          today=TODAY)
    day = week_row(agent)
    assert (day.plan, day.version) == ("Course", 2)
    assert [link.goal_id for link in DevDayGoal.select()] == [goal.id]


def test_logging_skipping_and_rating_leave_the_plan_form_current(agent):
    service.plan_week(agent, THIS_WEEK, version=1, day=THIS_WEEK, plan="Course", today=TODAY)
    log(agent)
    service.rate_week(agent, THIS_WEEK, rating=3)
    service.skip_week(agent, THIS_WEEK, reason="workload", today=TODAY)
    service.plan_week(agent, THIS_WEEK, version=2, day=THIS_WEEK, plan="Course, part two",
                      today=TODAY)
    assert week_row(agent).plan == "Course, part two"
