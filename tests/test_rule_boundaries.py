"""The numbers the rules are made of, probed on both sides of each boundary.

Each test names its rule and fails when the number moves: one activity holds 1 to 720
minutes, a week at most 2,400, the sign-in throttle counts failures over 15 minutes, an
address gets 100 attempts per window, and a review is due 30 days after its cycle ends.
The service's own refusal is what is checked, never the database CHECK behind it (which
answers with another message).
"""

import re
from datetime import UTC, date, datetime

import pytest

from growth.auth import service as auth_service
from growth.coaching import queries as coaching_queries
from growth.dev_days import service
from growth.dev_days.service import DayError
from growth.models import Activity, DevDay, LoginFailure, ReviewCycle
from growth.weeks import monday_of, week_label

from .conftest import PASSWORD

# A fixed Wednesday for the service calls (they take `today`); the pages use the real one.
TODAY = date(2026, 11, 25)
THIS_WEEK = monday_of(TODAY)

ACTIVITY_MESSAGE = "Enter the minutes, from 1 to 720."
WEEK_FULL = "A week holds at most 40 h. 40 h are logged; this would add "


@pytest.fixture
def request_context(app):
    with app.test_request_context():
        yield


def log(user, minutes, week=THIS_WEEK):
    return service.log_activity(user, week, kind="docs", minutes=minutes, today=TODAY)


def refusal(call, *args, **kwargs) -> DayError:
    with pytest.raises(DayError) as caught:
        call(*args, **kwargs)
    return caught.value


def field_errors(page: str, field: str) -> str:
    """The text of the error list tied to `field` on a page ('' when there is none)."""
    found = re.search(rf'<ul class="field-errors" id="{field}-errors">(.*?)</ul>', page, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1))).strip() if found else ""


def week_minutes(user, week=THIS_WEEK) -> int:
    return DevDay.select(DevDay.minutes).where(DevDay.user == user.id,
                                               DevDay.week_start == week).scalar() or 0


# Rule 1: one activity is 1 to 720 minutes ---------------------------------------------------

def test_activity_rule_720_minutes_accepted_721_refused_by_the_service(world, request_context):
    agent = world.agent_a
    log(agent, 720)
    error = refusal(log, agent, 721)
    assert (error.field, str(error)) == ("minutes", ACTIVITY_MESSAGE), (
        "activity rule: the service itself refuses 721 minutes with the activity message")
    assert week_minutes(agent) == 720 and Activity.select().count() == 1


def test_activity_rule_an_edit_to_721_minutes_is_refused_by_the_service(world,
                                                                        request_context):
    agent = world.agent_a
    activity = log(agent, 60)
    error = refusal(service.edit_activity, agent, activity, version=activity.version,
                    kind="docs", minutes=721)
    assert (error.field, str(error)) == ("minutes", ACTIVITY_MESSAGE), "activity rule (edit)"
    assert Activity.get_by_id(activity.id).minutes == 60 and week_minutes(agent) == 60


def test_activity_rule_721_minutes_shows_the_activity_message_next_to_the_field(
        world, client_for):
    week = monday_of(date.today())
    response = client_for(world.agent_a).post(f"/week/{week_label(week)}/activities",
                                              data={"kind": "docs", "minutes": "721"})
    assert response.status_code == 422
    assert field_errors(response.get_data(as_text=True), "minutes") == ACTIVITY_MESSAGE, (
        "activity rule: the person reads the activity message next to the minutes")
    assert Activity.select().count() == 0


# Rule 2: a week holds at most 2,400 minutes (40 h) ------------------------------------------

def fill_week(user, total=2400):
    """Log `total` minutes this week in activities of at most 720."""
    while total > 0:
        log(user, min(720, total))
        total -= min(720, total)


def test_week_rule_2400_minutes_accepted_2401_refused_by_the_service(world, request_context):
    agent = world.agent_a
    fill_week(agent, 2399)
    log(agent, 1)  # exactly 2,400: accepted
    assert week_minutes(agent) == 2400
    error = refusal(log, agent, 1)  # 2,401
    assert error.field == "minutes"
    assert str(error).startswith(WEEK_FULL), (
        "week rule: the service refuses minute 2,401 itself (the database CHECK's refusal "
        f"says only 'A week holds at most 40 h.'), got {str(error)!r}")
    assert week_minutes(agent) == 2400 and sum(a.minutes for a in Activity.select()) == 2400


def test_week_rule_an_edit_past_2400_minutes_is_refused_by_the_service(world,
                                                                       request_context):
    agent = world.agent_a
    fill_week(agent, 2160)  # three activities of 720
    last = log(agent, 239)
    service.edit_activity(agent, last, version=last.version, kind="docs",
                          minutes=240)  # to exactly 2,400: accepted
    assert week_minutes(agent) == 2400
    last = Activity.get_by_id(last.id)
    error = refusal(service.edit_activity, agent, last, version=last.version, kind="docs",
                    minutes=241)
    assert error.field == "minutes"
    assert str(error).startswith(WEEK_FULL), f"week rule (edit): got {str(error)!r}"
    assert week_minutes(agent) == 2400 and Activity.get_by_id(last.id).minutes == 240


def test_week_rule_minute_2401_shows_the_week_message_next_to_the_field(world, client_for):
    agent = world.agent_a
    week = monday_of(date.today())
    DevDay.create(user=agent, week_start=week, minutes=2340, status="logged")
    client = client_for(agent)
    path = f"/week/{week_label(week)}/activities"
    assert client.post(path, data={"kind": "docs", "minutes": "60"}).status_code == 302
    response = client.post(path, data={"kind": "docs", "minutes": "1"})
    assert response.status_code == 422
    shown = field_errors(response.get_data(as_text=True), "minutes")
    assert shown.startswith(WEEK_FULL), f"week rule: the page says {shown!r}"
    assert week_minutes(agent, week) == 2400


# Rules 3 and 4: the sign-in throttle --------------------------------------------------------

def sign_in(client, email, password):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": token}, csrf=False)


@pytest.fixture
def throttle_clock(clock, monkeypatch):
    """The test clock drives the throttle's time as well as the sessions'."""
    monkeypatch.setattr(auth_service, "utcnow", lambda: datetime.fromtimestamp(
        clock.now, UTC).replace(tzinfo=None))
    return clock


def test_sign_in_window_rule_failures_count_for_15_minutes(world, app, throttle_clock):
    email = world.agent_a.email
    for _ in range(10):  # the account limit, all at one moment
        assert sign_in(app.test_client(), email, "wrong password!!").status_code == 401
    throttle_clock.advance(minutes=14, seconds=59)
    assert sign_in(app.test_client(), email, PASSWORD).status_code == 429, (
        "sign-in window rule: 14 min 59 s after ten failures the account is still refused")
    throttle_clock.advance(seconds=2)
    assert sign_in(app.test_client(), email, PASSWORD).status_code == 302, (
        "sign-in window rule: 15 min 1 s after the failures they no longer count")


def test_address_limit_rule_the_100th_attempt_is_checked_the_101st_refused(world, client):
    # 99 failures from this address, each for another account (no account limit applies).
    LoginFailure.insert_many([{"account": f"someone{n}", "address": "127.0.0.1"}
                              for n in range(99)]).execute()
    assert sign_in(client, world.agent_a.email, "wrong password!!").status_code == 401, (
        "address limit rule: the 100th attempt from an address is checked")
    assert sign_in(client, world.agent_b.email, PASSWORD).status_code == 429, (
        "address limit rule: the 101st attempt from an address is refused")


def test_address_limit_rule_the_100th_attempt_may_sign_in(world, client):
    LoginFailure.insert_many([{"account": f"someone{n}", "address": "127.0.0.1"}
                              for n in range(99)]).execute()
    assert sign_in(client, world.agent_a.email, PASSWORD).status_code == 302, (
        "address limit rule: the 100th attempt from an address signs in")


# Rule 5: a review is due 30 days after its cycle ends ----------------------------------------

@pytest.fixture
def first_half_2026():
    return ReviewCycle.create(name="2026 H1", starts_on=date(2026, 1, 1),
                              ends_on=date(2026, 6, 30))


def test_review_due_rule_30_days_after_the_cycle_ends(world, first_half_2026):
    assert first_half_2026.due_on == date(2026, 7, 30), "review due rule: 30 Jun + 30 days"


@pytest.mark.parametrize("today, overdue", [(date(2026, 7, 30), False),
                                            (date(2026, 7, 31), True)],
                         ids=["day 30: due, not overdue", "day 31: overdue"])
def test_review_due_rule_overdue_from_day_31(world, first_half_2026, today, overdue):
    due = coaching_queries.team_overview(world.lead_a, today).due
    assert {(d.person.name, d.cycle.name) for d in due} == {
        ("Agent A", "2026 H1"), ("Agent A2", "2026 H1")}
    assert {d.overdue for d in due} == {overdue}, (
        f"review due rule: on {today} a review of a cycle that ended on 30 June 2026 is "
        f"{'overdue' if overdue else 'due, not yet overdue'}")


# The 20,000-character limit on review notes --------------------------------------------------

NOTES_MESSAGE = "Field cannot be longer than 20000 characters."


@pytest.fixture
def draft_review(world):
    from growth.coaching import service as coaching_service

    cycle = ReviewCycle.ensure_for(date.today())
    return coaching_service.open_review(world.lead_a, world.agent_a, cycle.id)


@pytest.mark.parametrize("notes_field", ["notes", "next_focus"])
def test_review_notes_limit_rule_20000_accepted_20001_refused(world, client_for,
                                                              draft_review, notes_field):
    from growth.models import Review

    lead = client_for(world.lead_a)
    path = f"/reviews/{draft_review.id}/edit"
    saved = lead.post(path, data={"version": "1", notes_field: "x" * 20_000})
    assert saved.status_code == 302, "review notes limit rule: 20,000 characters are kept"
    assert len(getattr(Review.get_by_id(draft_review.id), notes_field)) == 20_000
    refused = lead.post(path, data={"version": "2", notes_field: "y" * 20_001})
    assert refused.status_code == 422
    assert field_errors(refused.get_data(as_text=True), notes_field) == NOTES_MESSAGE, (
        "review notes limit rule: 20,001 characters are refused next to the field")
    review = Review.get_by_id(draft_review.id)
    assert (getattr(review, notes_field), review.version) == ("x" * 20_000, 2)


def test_self_assessment_limit_rule_20000_accepted_20001_refused(world, client_for,
                                                                 draft_review):
    from growth.models import Review

    person = client_for(world.agent_a)
    path = f"/reviews/{draft_review.id}/self-assessment"
    refused = person.post(path, data={"version": "1", "text": "y" * 20_001})
    assert refused.status_code == 422
    assert field_errors(refused.get_data(as_text=True), "text") == NOTES_MESSAGE, (
        "self-assessment limit rule: 20,001 characters are refused next to the field")
    assert Review.get_by_id(draft_review.id).self_assessment == ""
    assert person.post(path, data={"version": "1", "text": "x" * 20_000}).status_code == 302
    assert Review.get_by_id(draft_review.id).self_assessment == "x" * 20_000
