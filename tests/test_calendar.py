"""The private calendar feed: parses as iCalendar, moves an event when its plan moves,
carries no plan beyond its first line and no notes, a lead's members' days; revoked or
unknown addresses answer 404; tokens never reach the audit log, their use does."""

from datetime import date, timedelta

from icalendar import Calendar

from growth.calendar import service
from growth.dev_days import service as days
from growth.models import AuditEvent, DevDay, OneOnOne, Review, ReviewCycle, User
from growth.weeks import monday_of

NEXT_MONDAY = monday_of(date.today()) + timedelta(weeks=1)


def _events(client, token):
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/calendar")
    calendar = Calendar.from_ical(response.data)
    return response.data, {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def _plan(person, day, text, version=1):
    days.plan_week(person, NEXT_MONDAY, version=version, day=day, plan=text)


def test_the_feed_parses_and_an_event_moves_with_its_plan(world, client):
    token = service.make_feed(world.agent_a, world.agent_a)
    long_plan = "Write the refund article; " * 6 + "\nSECRET-SECOND-LINE"
    _plan(world.agent_a, NEXT_MONDAY + timedelta(days=1), long_plan)
    body, events = _events(client, token)
    (uid,) = [u for u in events if u.startswith("devday-")]
    event = events[uid]
    assert event.decoded("DTSTART") == NEXT_MONDAY + timedelta(days=1)
    assert event.decoded("DTEND") == NEXT_MONDAY + timedelta(days=2)
    assert str(event["SUMMARY"]).startswith("Development day: Write the refund article;")
    assert b"SECRET-SECOND-LINE" not in body
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))  # folded lines
    assert "DTSTAMP" in event and "LAST-MODIFIED" in event
    sequence = int(event["SEQUENCE"])
    _plan(world.agent_a, NEXT_MONDAY + timedelta(days=3), "Moved, with a comma; and a semicolon",
          version=2)
    _, moved = _events(client, token)
    assert set(moved) == set(events)  # the same UID: updated, not duplicated
    assert moved[uid].decoded("DTSTART") == NEXT_MONDAY + timedelta(days=3)
    assert int(moved[uid]["SEQUENCE"]) > sequence
    assert str(moved[uid]["SUMMARY"]) == "Development day: Moved, with a comma; and a semicolon"


def test_a_leads_feed_holds_members_days_one_on_ones_and_reviews_without_notes(world, client):
    _plan(world.agent_a, NEXT_MONDAY + timedelta(days=2), "CANARY-PLAN")
    _plan(world.agent_b, NEXT_MONDAY + timedelta(days=2), "Other team")
    OneOnOne.create(person=world.agent_a, lead=world.lead_a, held_on=date.today(),
                    shared_notes="CANARY-SHARED", private_notes="CANARY-PRIV")
    cycle = ReviewCycle.ensure_for(date.today())
    Review.create(person=world.agent_a, cycle=cycle, lead=world.lead_a, notes="CANARY-REVIEW")
    token = service.make_feed(world.lead_a, world.lead_a)
    body, events = _events(client, token)
    summaries = sorted(str(e["SUMMARY"]) for e in events.values())
    assert "Agent A: development day" in summaries
    assert "One-on-one with Agent A" in summaries
    assert f"Review of Agent A due: {cycle.name}" in summaries
    assert b"CANARY" not in body and b"Agent B" not in body and b"Other team" not in body
    agent_token = service.make_feed(world.agent_a, world.agent_a)
    body, events = _events(client, agent_token)
    summaries = sorted(str(e["SUMMARY"]) for e in events.values())
    assert "One-on-one with Lead A" in summaries and f"Review due: {cycle.name}" in summaries
    assert b"CANARY-SHARED" not in body and b"CANARY-PRIV" not in body


def test_a_new_address_revokes_the_old_and_removal_answers_404(world, client, client_for):
    account = client_for(world.agent_a)
    page = account.post("/account/calendar")
    assert page.status_code == 200
    first = page.get_data(as_text=True).split("/calendar/")[1].split(".ics")[0]
    assert client.get(f"/calendar/{first}.ics").status_code == 200
    second = account.post("/account/calendar").get_data(as_text=True).split(
        "/calendar/")[1].split(".ics")[0]
    assert client.get(f"/calendar/{first}.ics").status_code == 404
    assert client.get(f"/calendar/{second}.ics").status_code == 200
    assert account.post("/account/calendar/delete").status_code == 302
    assert client.get(f"/calendar/{second}.ics").status_code == 404
    assert User.get_by_id(world.agent_a.id).calendar_token_hash is None
    actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.id)]
    assert "calendar_feed_revoked" in actions and "calendar_feed_read" in actions
    assert "calendar_feed_refused" in actions
    for event in AuditEvent.select():
        assert first not in event.detail and second not in event.detail
    assert client.get("/calendar/nothing-like-a-token.ics").status_code == 404


def test_the_feed_of_someone_who_left_answers_404(world, client):
    token = service.make_feed(world.agent_a, world.agent_a)
    User.update(active=False).where(User.id == world.agent_a.id).execute()
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_event_titles_speak_the_persons_language(world, client):
    User.update(locale="es").where(User.id == world.agent_a.id).execute()
    token = service.make_feed(world.agent_a, world.agent_a)
    _plan(world.agent_a, NEXT_MONDAY, "")
    _, events = _events(client, token)
    assert [str(e["SUMMARY"]) for e in events.values()] == ["Día de desarrollo"]


def test_the_account_page_offers_reminders_and_the_calendar(world, client_for):
    page = client_for(world.agent_a).get("/account").get_data(as_text=True)
    assert "/account/reminders" in page and "/account/calendar" in page
    assert DevDay.select().count() == 0
