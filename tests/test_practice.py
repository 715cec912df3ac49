"""Role-play sessions: recorded in a team, seen by every participant, one `roleplay`
activity per participant in the week of the session, removed with the session."""

import threading
from datetime import date, timedelta

import pytest
from playhouse.test_utils import count_queries

from growth.feedback import queries, service
from growth.models import Activity, DevDay, PracticeParticipant, PracticeSession
from growth.weeks import monday_of, week_label


def _form(world, **fields):
    return {"held_on": date.today().isoformat(), "scenario": "Refund not arrived",
            "brief": "The customer writes in capitals.", "minutes": "45",
            "takeaways": "Name the feeling before the policy.",
            "customer_ids": [str(world.agent_a2.id)], "agent_ids": [str(world.agent_a.id)],
            "observer_ids": [str(world.lead_a.id)], **fields}


def _roleplays(person):
    return list(Activity.select(Activity, DevDay).join(DevDay)
                .where(DevDay.user == person.id, Activity.kind == "roleplay"))


def record(world, **kw):
    return service.record_practice(
        world.agent_a, held_on=kw.pop("held_on", date.today()), scenario="Angry refund",
        minutes=kw.pop("minutes", 30), customer_ids=[world.agent_a2.id],
        agent_ids=[world.agent_a.id], observer_ids=[world.lead_a.id], **kw)


def test_every_participant_gets_one_roleplay_activity_in_that_week(world):
    held_on = date.today() - timedelta(days=8)
    session = record(world, held_on=held_on, minutes=40)
    for person in (world.agent_a, world.agent_a2, world.lead_a):
        activities = _roleplays(person)
        assert [(a.minutes, a.dev_day.week_start) for a in activities] == [
            (40, monday_of(held_on))]
        assert activities[0].dev_day.minutes == 40
    assert PracticeParticipant.select().where(
        PracticeParticipant.session == session.id).count() == 3


def test_a_repeated_key_makes_one_session_and_one_activity_each(world):
    first = record(world, submission="practice-key-1")
    again = record(world, submission="practice-key-1")
    assert again.id == first.id
    assert PracticeSession.select().count() == 1
    assert Activity.select().count() == 3
    assert DevDay.get(DevDay.user == world.agent_a.id).minutes == 30


def test_deleting_the_session_removes_the_activities_and_their_minutes(world):
    session = record(world)
    service.delete_practice(world.agent_a, session)
    assert PracticeSession.select().count() == 0 and Activity.select().count() == 0
    assert {d.minutes for d in DevDay.select()} == {0}


@pytest.mark.parametrize("change, field", [
    ({"customer_ids": []}, "customer_ids"), ({"agent_ids": []}, "agent_ids"),
    ({"observer_ids": ["AGENT_A"]}, "customer_ids"),
])
def test_parts_are_checked(world, change, field):
    parts = {"customer_ids": [world.agent_a2.id], "agent_ids": [world.agent_a.id],
             "observer_ids": []}
    parts.update({k: [world.agent_a.id if v == "AGENT_A" else v for v in vs]
                  for k, vs in change.items()})
    with pytest.raises(service.FeedbackError) as error:
        service.record_practice(world.agent_a, held_on=date.today(), scenario="S",
                                minutes=30, **parts)
    assert error.value.field == field
    assert PracticeSession.select().count() == 0


@pytest.mark.parametrize("field, value", [
    ("minutes", "4"), ("minutes", "481"), ("minutes", ""), ("scenario", ""),
    ("scenario", "s" * 201), ("brief", "b" * 4001), ("takeaways", "t" * 4001),
    ("held_on", (date.today() + timedelta(days=1)).isoformat()), ("held_on", "2026-02-30"),
    ("held_on", "2019-12-30"), ("customer_ids", []), ("agent_ids", []),
    ("agent_ids", ["AGENT_B"]), ("observer_ids", ["HR"]), ("customer_ids", ["999999"]),
    ("observer_ids", ["AGENT_A"]),
])
def test_every_input_rule_is_refused_and_nothing_written(world, client_for, field, value):
    names = {"AGENT_B": world.agent_b.id, "HR": world.hr.id, "AGENT_A": world.agent_a.id}
    if isinstance(value, list):
        value = [str(names.get(v, v)) for v in value]
    response = client_for(world.agent_a).post("/practice", data=_form(world, **{field: value}))
    assert response.status_code in (400, 422)
    assert PracticeSession.select().count() == 0 and Activity.select().count() == 0


def test_recording_through_the_form_shows_in_three_weeks(world, client_for):
    client = client_for(world.agent_a)
    assert client.get("/practice").status_code == 200
    response = client.post("/practice", data=_form(world))
    assert response.status_code == 302
    session = PracticeSession.get()
    assert response.headers["Location"].endswith(f"/practice/{session.id}")
    week = week_label(monday_of(date.today()))
    for person in (world.agent_a, world.agent_a2, world.lead_a):
        other = client_for(person)
        assert "Name the feeling" in other.get(f"/practice/{session.id}").get_data(as_text=True)
        page = other.get(f"/week/{week}").get_data(as_text=True)
        assert "Role-play practice" in page and "Refund not arrived" in page
    assert "Refund not arrived" in client.get("/practice").get_data(as_text=True)


def test_a_double_submit_at_once_makes_one_session(world, client_for):
    form = _form(world, submission="practice-double-submit")
    clients = [client_for(world.agent_a) for _ in range(4)]
    for c in clients:
        c.csrf_token()
    start, answers = threading.Barrier(len(clients)), []

    def post(c):
        start.wait()
        answers.append(c.post("/practice", data=form).status_code)

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [302] * len(clients)
    assert PracticeSession.select().count() == 1
    for person in (world.agent_a, world.agent_a2, world.lead_a):
        assert len(_roleplays(person)) == 1
        assert DevDay.get(DevDay.user == person.id).minutes == 45


def test_only_the_organiser_deletes(world, client_for):
    session = record(world)
    assert client_for(world.agent_a2).post(f"/practice/{session.id}/delete").status_code == 403
    assert client_for(world.lead_a).post(f"/practice/{session.id}/delete").status_code == 403
    assert client_for(world.agent_b).post(f"/practice/{session.id}/delete").status_code == 404
    assert client_for(world.agent_a).post(f"/practice/{session.id}/delete").status_code == 302
    assert Activity.select().count() == 0


def test_who_reads_a_session(world, client_for):
    session = record(world)
    expected = {"agent_a": 200, "agent_a2": 200, "lead_a": 200, "agent_b": 404,
                "lead_b": 404, "hr": 403, "admin": 403}
    for who, status in expected.items():
        assert client_for(getattr(world, who)).get(
            f"/practice/{session.id}").status_code == status, who


def test_past_scenarios_are_offered(world, client_for):
    record(world)
    assert queries.past_scenarios(world.team_a.id) == [("Angry refund", "")]
    assert 'value="Angry refund"' in client_for(world.agent_a2).get("/practice").get_data(
        as_text=True)


def test_the_practice_page_costs_the_same_whatever_the_history(world, client_for, db):
    client = client_for(world.agent_a)

    def cost():
        with count_queries() as counter:
            assert client.get("/practice").status_code == 200
        return counter.count

    record(world)
    client.get("/practice")
    few = cost()
    for n in range(30):
        record(world, held_on=date.today() - timedelta(days=n + 1))
    assert cost() == few


def _refusal(world, organiser=None, **fields):
    kw = {"held_on": date.today(), "scenario": "Angry refund", "minutes": 30,
          "customer_ids": [world.agent_a2.id], "agent_ids": [world.agent_a.id],
          "observer_ids": [world.lead_a.id], **fields}
    with pytest.raises(service.FeedbackError) as caught:
        service.record_practice(organiser or world.agent_a, **kw)
    assert PracticeSession.select().count() == 0 and Activity.select().count() == 0
    return caught.value.field, str(caught.value)


@pytest.mark.parametrize("fields, field, message", [
    ({"minutes": 4}, "minutes", "Enter the minutes, from 5 to 480."),
    ({"minutes": 481}, "minutes", "Enter the minutes, from 5 to 480."),
    ({"minutes": "45"}, "minutes", "Enter the minutes, from 5 to 480."),
    ({"scenario": " "}, "scenario", "Name the scenario."),
    ({"scenario": "s" * 201}, "scenario", "Keep this under 200 characters."),
    ({"brief": "b" * 4001}, "brief", "Keep this under 4000 characters."),
    ({"takeaways": "t" * 4001}, "takeaways", "Keep this under 4000 characters."),
    ({"held_on": date.today() + timedelta(days=1)}, "held_on",
     "Record a role-play once it has been held."),
    ({"customer_ids": []}, "customer_ids", "Someone has to play the customer."),
    ({"agent_ids": []}, "agent_ids", "Someone has to play the agent."),
    ({"observer_ids": ["AGENT_A"]}, "customer_ids", "Give each person one part."),
    ({"agent_ids": ["AGENT_B"]}, "customer_ids", "Choose the participants among your team."),
])
def test_each_refusal_says_what_to_change_next_to_its_field(world, fields, field, message):
    people = {"AGENT_A": world.agent_a.id, "AGENT_B": world.agent_b.id}
    fields = {k: [people[x] for x in v] if isinstance(v, list) and v else v
              for k, v in fields.items()}
    assert _refusal(world, **fields) == (field, message)


def test_someone_in_no_team_is_told_role_plays_belong_to_a_team(world, make_user):
    loner = make_user(team=None)
    assert _refusal(world, organiser=loner) == (
        None, "Role-plays are recorded within a team; you are in none.")


@pytest.mark.parametrize("minutes", [5, 480])
def test_five_and_480_minutes_are_both_accepted(world, minutes):
    session = record(world, minutes=minutes)
    assert session.minutes == minutes


def test_a_session_without_brief_or_takeaways_stores_none(world):
    session = PracticeSession.get_by_id(record(world).id)
    assert (session.brief, session.takeaways) == ("", "")


def test_deleting_one_session_leaves_the_organisers_other_sessions_whole(world):
    kept = record(world, minutes=40, held_on=date.today() - timedelta(days=7))
    gone = record(world, minutes=30)
    service.delete_practice(world.agent_a, gone)
    assert [s.id for s in PracticeSession.select()] == [kept.id]
    for person in (world.agent_a, world.agent_a2, world.lead_a):
        assert [(a.minutes, a.dev_day.week_start) for a in _roleplays(person)] == [
            (40, monday_of(kept.held_on))]


def test_only_the_organiser_may_delete_a_session_in_the_service_too(world):
    session = record(world)
    with pytest.raises(PermissionError):
        service.delete_practice(world.agent_a2, session)
    assert PracticeSession.select().count() == 1 and Activity.select().count() == 3
