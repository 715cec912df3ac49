"""Development-day rules that `make mutate` found no test pinning: the full week's message,
a retried submit at the cap, taking a skip back, and the rating scale."""

import threading
import time
from datetime import date, datetime, timedelta

import pytest

from growth.db import is_sqlite
from growth.dev_days import service
from growth.dev_days.service import DayError
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


def log(user, week=THIS_WEEK, minutes=60, **fields):
    fields.setdefault("kind", "docs")
    return service.log_activity(user, week, minutes=minutes, today=TODAY, **fields)


def fill(user, week=THIS_WEEK, minutes=2400):
    """Log `minutes` in the week, in activities of at most 12 h."""
    while minutes > 0:
        log(user, week, minutes=min(720, minutes))
        minutes -= min(720, minutes)


def week_row(user, week=THIS_WEEK):
    return DevDay.for_week(user, week).first()


def refusal(call, *args, **kwargs) -> DayError:
    with pytest.raises(DayError) as caught:
        call(*args, **kwargs)
    return caught.value


# The 40 h cap's message --------------------------------------------------------------------

def test_logging_past_40_hours_says_what_is_logged_and_what_would_be_added(world, agent):
    # Other people's weeks hold other totals, whichever order the rows come in.
    log(world.lead_a, minutes=60)
    fill(world.agent_a2, minutes=2400)
    fill(agent, minutes=2370)
    error = refusal(log, agent, minutes=90)
    assert error.field == "minutes"
    assert str(error) == ("A week holds at most 40 h. 39.5 h are logged; "
                          "this would add 1.5 h.")


def test_one_minute_past_40_hours_is_named_in_minutes_not_as_0_h(agent):
    fill(agent)
    assert str(refusal(log, agent, minutes=1)) == (
        "A week holds at most 40 h. 40 h are logged; this would add 1 min.")


def test_editing_past_40_hours_says_what_the_change_would_add(agent):
    fill(agent, minutes=2340)
    last = log(agent, minutes=60)
    error = refusal(service.edit_activity, agent, last, version=last.version, kind="docs",
                    minutes=180)
    assert error.field == "minutes"
    assert str(error) == "A week holds at most 40 h. 40 h are logged; this would add 2 h."


# A retried submit once the week is full -----------------------------------------------------

def test_a_full_week_refuses_a_new_submit_rather_than_returning_another_activity(agent):
    fill(agent)
    error = refusal(log, agent, minutes=30, submission="fresh-key")
    assert error.field == "minutes"
    assert week_row(agent).minutes == 2400


def test_a_key_another_person_used_is_not_their_activity(world):
    theirs = log(world.agent_a2, minutes=30, submission="shared-key")
    fill(world.agent_a)
    error = refusal(log, world.agent_a, minutes=30, submission="shared-key")
    assert error.field == "minutes"
    assert theirs.dev_day.user_id == world.agent_a2.id
    assert week_row(world.agent_a).minutes == 2400


def test_a_key_used_last_week_is_not_this_weeks_activity(agent):
    log(agent, week=LAST_WEEK, minutes=30, submission="last-week-key")
    fill(agent)
    error = refusal(log, agent, minutes=30, submission="last-week-key")
    assert error.field == "minutes"


def test_a_repeated_submit_at_the_cap_returns_the_activity_it_logged(agent):
    fill(agent, minutes=2340)
    first = log(agent, minutes=60, submission="same-key")
    again = log(agent, minutes=60, submission="same-key")
    assert again.id == first.id
    assert week_row(agent).minutes == 2400


# Taking a skip back --------------------------------------------------------------------------

def test_taking_a_week_back_clears_the_skip_note(agent):
    service.skip_week(agent, NEXT_WEEK, reason="other", note="Team offsite", today=TODAY)
    service.take_week_back(agent, NEXT_WEEK)
    day = week_row(agent, NEXT_WEEK)
    assert (day.status, day.skip_reason, day.skip_note) == ("planned", None, "")


def test_taking_back_a_week_with_one_minute_logged_counts_it_as_logged(agent):
    log(agent, minutes=1)
    service.skip_week(agent, THIS_WEEK, reason="workload", today=TODAY)
    service.take_week_back(agent, THIS_WEEK)
    assert week_row(agent).status == "logged"


def test_taking_a_week_back_touches_only_that_persons_week(world):
    for person in (world.agent_a, world.agent_a2):
        service.skip_week(person, NEXT_WEEK, reason="away", today=TODAY)
    service.skip_week(world.agent_a, NEXT_WEEK + timedelta(weeks=1), reason="away",
                      today=TODAY)
    service.take_week_back(world.agent_a, NEXT_WEEK)
    assert week_row(world.agent_a, NEXT_WEEK).status == "planned"
    assert week_row(world.agent_a2, NEXT_WEEK).status == "skipped"
    assert week_row(world.agent_a, NEXT_WEEK + timedelta(weeks=1)).status == "skipped"


def test_taking_back_marks_the_week_changed_for_calendars_only_when_it_was_skipped(
        agent, monkeypatch):
    service.skip_week(agent, NEXT_WEEK, reason="away", today=TODAY)
    service.plan_week(agent, NEXT_WEEK + timedelta(weeks=1), version=1,
                      day=NEXT_WEEK + timedelta(weeks=1), today=TODAY)
    later = datetime(2030, 1, 1, 12, 0)
    monkeypatch.setattr(service, "utcnow", lambda: later)
    untouched = week_row(agent, NEXT_WEEK + timedelta(weeks=1)).updated_at
    service.take_week_back(agent, NEXT_WEEK)
    service.take_week_back(agent, NEXT_WEEK + timedelta(weeks=1))
    assert week_row(agent, NEXT_WEEK).updated_at == later
    assert week_row(agent, NEXT_WEEK + timedelta(weeks=1)).updated_at == untouched


# Rating ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("rating", [1, 2, 3, 4])
def test_each_of_the_four_ratings_is_kept(agent, rating):
    log(agent)
    service.rate_week(agent, THIS_WEEK, rating=rating)
    assert week_row(agent).rating == rating


def test_a_rating_off_the_scale_says_to_pick_one_of_the_four(agent):
    log(agent)
    error = refusal(service.rate_week, agent, THIS_WEEK, rating=5)
    assert (error.field, str(error)) == ("rating", "Pick one of the four.")


def test_before_anything_is_logged_the_rating_says_to_log_first(agent):
    service.plan_week(agent, THIS_WEEK, version=1, day=THIS_WEEK, today=TODAY)
    error = refusal(service.rate_week, agent, THIS_WEEK, rating=3)
    assert (error.field, str(error)) == (
        "rating", "Log what you did first: a day can be rated once something is logged.")


def test_one_minute_logged_is_enough_to_rate_the_week(agent):
    log(agent, minutes=1)
    service.rate_week(agent, THIS_WEEK, rating=2)
    assert week_row(agent).rating == 2


def test_rating_needs_something_logged_in_that_persons_week(world):
    log(world.agent_a2)
    service.rate_week(world.agent_a2, THIS_WEEK, rating=4)
    refusal(service.rate_week, world.agent_a, THIS_WEEK, rating=1)
    assert week_row(world.agent_a2).rating == 4


def test_rating_needs_something_logged_in_that_week(agent):
    log(agent, week=LAST_WEEK)
    service.rate_week(agent, LAST_WEEK, rating=4)
    refusal(service.rate_week, agent, THIS_WEEK, rating=1)
    assert week_row(agent, LAST_WEEK).rating == 4


def test_a_rating_marks_the_week_changed_for_calendars(agent, monkeypatch):
    log(agent)
    later = datetime(2030, 1, 1, 12, 0)
    monkeypatch.setattr(service, "utcnow", lambda: later)
    service.rate_week(agent, THIS_WEEK, rating=3)
    assert week_row(agent).updated_at == later


# Editing an activity ------------------------------------------------------------------------

def goal_of(user):
    return Goal.create(owner=user, cycle=ReviewCycle.ensure_for(TODAY), title="Learn SQL")


def test_an_edit_keeps_the_link_and_goal_it_is_given_and_clears_an_omitted_note(agent):
    goal = goal_of(agent)
    activity = log(agent, note="Read the refunds guide", link="https://docs.example.com/r",
                   goal_id=goal.id)
    service.edit_activity(agent, activity, version=activity.version, kind="learning",
                          minutes=90, link="https://docs.example.com/r", goal_id=goal.id)
    edited = type(activity).get_by_id(activity.id)
    assert (edited.kind, edited.minutes, edited.note, edited.link, edited.goal_id) == (
        "learning", 90, "", "https://docs.example.com/r", goal.id)


def test_an_edit_moves_only_its_own_weeks_total(world, agent):
    log(agent, week=LAST_WEEK, minutes=100)
    log(world.agent_a2, minutes=100)
    activity = log(agent, minutes=60)
    service.edit_activity(agent, activity, version=activity.version, kind="docs", minutes=90)
    totals = {(row.user_id, row.week_start): row.minutes for row in DevDay.select()}
    assert totals == {(agent.id, LAST_WEEK): 100, (world.agent_a2.id, THIS_WEEK): 100,
                      (agent.id, THIS_WEEK): 90}


def test_an_edit_marks_its_week_changed_for_calendars_and_no_other(agent, monkeypatch):
    log(agent, week=LAST_WEEK)
    activity = log(agent)
    later = datetime(2030, 1, 1, 12, 0)
    monkeypatch.setattr(service, "utcnow", lambda: later)
    service.edit_activity(agent, activity, version=activity.version, kind="docs", minutes=90)
    assert (week_row(agent).updated_at, week_row(agent, LAST_WEEK).updated_at != later) == (
        later, True)


def test_editing_an_activity_deleted_meanwhile_says_so(agent):
    activity = log(agent)
    service.delete_activity(activity)
    error = refusal(service.edit_activity, agent, activity, version=activity.version,
                    kind="docs", minutes=90)
    assert (str(error), error.field) == ("That activity was deleted in the meantime.", None)
    assert week_row(agent).minutes == 0


# Planning --------------------------------------------------------------------------------

def test_a_plan_without_words_stores_none(agent):
    service.plan_week(agent, NEXT_WEEK, version=1, day=NEXT_WEEK, today=TODAY)
    assert week_row(agent, NEXT_WEEK).plan == ""


def test_the_sunday_of_the_week_can_be_planned_and_the_next_monday_not(agent):
    sunday = NEXT_WEEK + timedelta(days=6)
    service.plan_week(agent, NEXT_WEEK, version=1, day=sunday, today=TODAY)
    assert week_row(agent, NEXT_WEEK).planned_on == sunday
    error = refusal(service.plan_week, agent, NEXT_WEEK, version=2,
                    day=sunday + timedelta(days=1), today=TODAY)
    assert (str(error), error.field) == ("Pick a day inside this week (30 Nov – 6 Dec 2026).",
                                         "day")


def test_a_plan_past_its_limit_says_how_long_it_may_be(agent):
    service.plan_week(agent, NEXT_WEEK, version=1, day=NEXT_WEEK, plan="x" * 2000, today=TODAY)
    error = refusal(service.plan_week, agent, NEXT_WEEK, version=2, day=NEXT_WEEK,
                    plan="x" * 2001, today=TODAY)
    assert (str(error), error.field) == ("Keep the plan under 2000 characters.", "plan")


def test_planning_a_skipped_week_clears_the_skip_and_its_note(agent, monkeypatch):
    service.skip_week(agent, NEXT_WEEK, reason="other", note="Team offsite", today=TODAY)
    later = datetime(2030, 1, 1, 12, 0)
    monkeypatch.setattr(service, "utcnow", lambda: later)
    service.plan_week(agent, NEXT_WEEK, version=1, day=NEXT_WEEK, today=TODAY)
    row = week_row(agent, NEXT_WEEK)
    assert (row.status, row.skip_reason, row.skip_note, row.updated_at) == (
        "planned", None, "", later)


def test_planning_a_skipped_week_with_one_minute_logged_counts_it_as_logged(agent):
    log(agent, minutes=1)
    service.skip_week(agent, THIS_WEEK, reason="workload", today=TODAY)
    service.plan_week(agent, THIS_WEEK, version=1, day=THIS_WEEK, today=TODAY)
    assert week_row(agent).status == "logged"


def test_replanning_a_week_leaves_the_goals_of_other_weeks_alone(agent):
    goal = goal_of(agent)
    service.plan_week(agent, THIS_WEEK, version=1, day=THIS_WEEK, goal_ids=[goal.id],
                      today=TODAY)
    service.plan_week(agent, NEXT_WEEK, version=1, day=NEXT_WEEK, goal_ids=[goal.id],
                      today=TODAY)
    service.plan_week(agent, NEXT_WEEK, version=2, day=NEXT_WEEK, today=TODAY)
    planned = {(link.dev_day.week_start, link.goal_id) for link in DevDayGoal.select()}
    assert planned == {(THIS_WEEK, goal.id)}


def test_a_repeated_plan_with_goals_is_no_conflict_while_other_weeks_share_them(agent):
    goal = goal_of(agent)
    service.plan_week(agent, THIS_WEEK, version=1, day=THIS_WEEK, goal_ids=[goal.id],
                      today=TODAY)
    for _ in range(2):  # a double-clicked submit: the second one carries version 1 too
        service.plan_week(agent, NEXT_WEEK, version=1, day=NEXT_WEEK, plan="Courses",
                          goal_ids=[goal.id], today=TODAY)
    assert week_row(agent, NEXT_WEEK).version == 2


# Skipping --------------------------------------------------------------------------------

def test_a_skip_without_a_note_stores_none(agent):
    service.skip_week(agent, NEXT_WEEK, reason="other", today=TODAY)
    assert week_row(agent, NEXT_WEEK).skip_note == ""


def test_a_skip_with_an_unknown_reason_says_to_choose_one(agent):
    error = refusal(service.skip_week, agent, NEXT_WEEK, reason="bored", today=TODAY)
    assert (str(error), error.field) == ("Choose why the day is skipped.", "reason")


def test_a_skip_note_may_be_1000_characters_and_not_one_more(agent):
    service.skip_week(agent, NEXT_WEEK, reason="other", note="x" * 1000, today=TODAY)
    assert len(week_row(agent, NEXT_WEEK).skip_note) == 1000
    error = refusal(service.skip_week, agent, NEXT_WEEK, reason="other", note="x" * 1001,
                    today=TODAY)
    assert (str(error), error.field) == ("Keep the note under 1000 characters.", "note")


def test_a_week_too_far_ahead_of_the_day_asked_about_cannot_be_skipped(agent):
    too_far = THIS_WEEK + timedelta(weeks=13)
    error = refusal(service.skip_week, agent, too_far, reason="other", today=TODAY)
    assert (str(error), error.field) == ("Plans can be made up to 12 weeks ahead.", None)
    assert week_row(agent, too_far) is None


def test_a_skip_touches_only_that_week(world, agent, monkeypatch):
    log(agent, week=LAST_WEEK)
    log(world.agent_a2)
    later = datetime(2030, 1, 1, 12, 0)
    monkeypatch.setattr(service, "utcnow", lambda: later)
    service.skip_week(agent, THIS_WEEK, reason="workload", today=TODAY)
    statuses = {(row.user_id, row.week_start): (row.status, row.updated_at == later)
                for row in DevDay.select()}
    assert statuses == {(agent.id, LAST_WEEK): ("logged", False),
                        (world.agent_a2.id, THIS_WEEK): ("logged", False),
                        (agent.id, THIS_WEEK): ("skipped", True)}


def test_away_is_refused_while_the_week_holds_activities_and_says_what_to_do(agent):
    log(agent)
    error = refusal(service.skip_week, agent, THIS_WEEK, reason="away", today=TODAY)
    assert (str(error), error.field) == (
        "Activities are logged in this week, so it can't be marked as away. Delete them "
        "first, or choose another reason.", "reason")


# Deleting --------------------------------------------------------------------------------

def test_deleting_an_activity_takes_away_its_own_minutes_and_marks_the_week_changed(
        world, agent, monkeypatch):
    log(world.agent_a2, minutes=45)
    log(agent, minutes=60)
    second = log(agent, minutes=90)
    later = datetime(2030, 1, 1, 12, 0)
    monkeypatch.setattr(service, "utcnow", lambda: later)
    service.delete_activity(second)
    assert (week_row(agent).minutes, week_row(agent).updated_at) == (60, later)
    assert week_row(world.agent_a2).minutes == 45


def test_a_week_left_with_one_minute_stays_logged_and_keeps_its_rating(agent):
    log(agent, minutes=1)
    last = log(agent, minutes=60)
    service.rate_week(agent, THIS_WEEK, rating=4)
    service.delete_activity(last)
    row = week_row(agent)
    assert (row.minutes, row.status, row.rating) == (1, "logged", 4)


# Waiting for another's row lock (PostgreSQL) ------------------------------------------------

def _started_and_waiting(db, work) -> threading.Thread:
    """Start `work` in a thread and return once it waits for a lock this test holds."""
    thread = threading.Thread(target=work)
    thread.start()
    deadline = time.monotonic() + 10
    while True:
        # Inside a transaction PostgreSQL keeps the first look at its statistics views.
        db.execute_sql("SELECT pg_stat_clear_snapshot()")
        if db.execute_sql("SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = "
                          "'Lock' AND datname = current_database()").fetchone()[0]:
            return thread
        assert time.monotonic() < deadline, "the second request never waited for the first"
        time.sleep(0.02)


def test_on_postgresql_a_delete_that_waited_for_another_delete_takes_nothing_twice(
        app, db, agent):
    if is_sqlite():
        pytest.skip("PostgreSQL only: on SQLite the second delete waits before it reads")
    log(agent, minutes=60)
    doomed = log(agent, minutes=90)
    outcome = {}

    def delete_again():
        with app.test_request_context(), db.connection_context():
            try:
                service.delete_activity(doomed)
                outcome["done"] = True
            except Exception as error:  # noqa: BLE001 - checked below
                outcome["error"] = error

    # The first delete (another tab), held open: the week is locked as the service locks it.
    with db.atomic():
        DevDay.update(minutes=DevDay.minutes - 90).where(DevDay.id == doomed.dev_day_id
                                                         ).execute()
        Activity.delete().where(Activity.id == doomed.id).execute()
        waiting = _started_and_waiting(db, delete_again)
    waiting.join(10)
    assert outcome == {"done": True}
    assert week_row(agent).minutes == 60



def test_on_postgresql_a_repeat_that_waited_for_the_first_submit_returns_its_activity(
        app, db, agent):
    if is_sqlite():
        pytest.skip("PostgreSQL only: on SQLite the repeat waits before it reads anything")
    log(agent, week=LAST_WEEK, minutes=30, submission="same-key")  # last week's form
    log(agent, minutes=60)
    day_id = week_row(agent).id
    outcome = {}

    def repeat():
        with app.test_request_context(), db.connection_context():
            try:
                outcome["activity"] = log(agent, minutes=90, submission="same-key")
            except Exception as error:  # noqa: BLE001 - checked below
                outcome["error"] = error

    # The first submit, held open: its minutes and activity are written, not yet committed.
    with db.atomic():
        DevDay.update(minutes=DevDay.minutes + 90).where(DevDay.id == day_id).execute()
        first = Activity.create(dev_day=day_id, kind="docs", minutes=90, submission="same-key")
        waiting = _started_and_waiting(db, repeat)
    waiting.join(10)
    assert outcome.get("activity") is not None, outcome
    assert outcome["activity"].id == first.id
    assert week_row(agent).minutes == 150
    assert Activity.select().count() == 3


# What an activity is checked for -----------------------------------------------------------

@pytest.mark.parametrize("fields, field, message", [
    ({"kind": "napping"}, "kind", "Choose what you did."),
    ({"note": "n" * 1001}, "note", "Keep the note under 1000 characters."),
    ({"link": "ftp://files.example.com/a"}, "link",
     "Enter a web address starting with http:// or https://."),
    ({"link": "https://docs.example.com/" + "a" * 1976}, "link",
     "Enter a web address starting with http:// or https://."),
])
def test_each_activity_refusal_is_worded_next_to_its_field(agent, fields, field, message):
    error = refusal(log, agent, **fields)
    assert (error.field, str(error)) == (field, message)
    assert week_row(agent) is None


def test_a_web_address_of_2000_characters_is_kept(agent):
    link = "https://docs.example.com/" + "a" * 1975
    assert len(link) == 2000
    assert log(agent, link=link).link == link


def test_an_activity_without_a_note_stores_none_and_marks_its_week_changed(agent,
                                                                           monkeypatch):
    log(agent, week=LAST_WEEK)
    later = datetime(2030, 1, 1, 12, 0)
    monkeypatch.setattr(service, "utcnow", lambda: later)
    assert log(agent).note == ""
    assert (week_row(agent).updated_at, week_row(agent, LAST_WEEK).updated_at != later) == (
        later, True)


def test_a_repeated_key_is_the_first_activity_even_in_a_full_week_of_another_kind(agent):
    fill(agent, minutes=2340)
    first = log(agent, minutes=60, submission="the-form")
    assert log(agent, minutes=60, kind="coding", submission="the-form").id == first.id
    assert log(agent, week=LAST_WEEK, minutes=60, submission="the-form").id != first.id


def test_a_past_week_is_over_for_plans(agent):
    error = refusal(service.plan_week, agent, LAST_WEEK, version=1, day=LAST_WEEK, today=TODAY)
    assert (str(error), error.field) == (
        "This week is over: plans are for this week and the next 12.", None)


def test_skipping_is_judged_on_the_day_asked_about_not_the_clock(agent):
    day_asked = date(2025, 1, 8)
    week = monday_of(day_asked) + timedelta(weeks=20)  # past by the clock, far ahead then
    error = refusal(service.skip_week, agent, week, reason="other", today=day_asked)
    assert str(error) == "Plans can be made up to 12 weeks ahead."


# The weeks of a person's employment --------------------------------------------------------

def test_the_week_holding_the_hire_is_theirs_and_the_one_before_is_not(make_user):
    person = make_user(hired_on=THIS_WEEK + timedelta(days=6))  # hired on a Sunday
    assert service.logging_problem(person, THIS_WEEK, TODAY) is None
    assert service.logging_problem(person, LAST_WEEK, TODAY) == (
        "This week is before you joined on 29 Nov 2026.")
    monday_hire = make_user(hired_on=THIS_WEEK + timedelta(days=7))
    assert service.planning_problem(monday_hire, THIS_WEEK, TODAY) == (
        "This week is before you joined on 30 Nov 2026.")


def test_the_week_holding_the_last_day_is_theirs_and_the_one_after_is_not(make_user):
    person = make_user(hired_on=date(2024, 1, 1), left_on=LAST_WEEK)  # left on a Monday
    assert service.logging_problem(person, LAST_WEEK, TODAY) is None
    assert service.logging_problem(person, THIS_WEEK, TODAY) == (
        "This week is after your last day, 16 Nov 2026.")


def test_a_week_not_started_says_to_log_once_it_has(agent):
    assert service.logging_problem(agent, NEXT_WEEK, TODAY) == (
        "This week hasn't started yet: log what you did once it has.")
