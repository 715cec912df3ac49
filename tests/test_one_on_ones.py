"""One-on-ones: shared and private notes, action items, agenda items; who sees and does what."""

import re
from datetime import date, timedelta

import pytest

from growth.coaching import service
from growth.models import ActionItem, AgendaItem, AuditEvent, OneOnOne, Team

from .test_coaching import signed_in


def tomorrow() -> str:
    return (date.today() + timedelta(days=1)).isoformat()


def meeting_form(**extra):
    """The form's fields; a callable value (such as `tomorrow`) is read when the form is."""
    today = date.today()
    data = {"held_on": today.isoformat(), "shared_notes": "We talked about the docs backlog.",
            "private_notes": "Seems tired lately.",
            "action_text": ["Draft the refunds article", "Ask product for release notes", ""],
            "action_owner": ["person", "lead", "person"],
            "action_due": [(today + timedelta(days=14)).isoformat(), "", ""]}
    data.update({name: value() if callable(value) else value for name, value in extra.items()})
    return data


def test_lead_records_a_one_on_one_with_items_and_takes_up_the_agenda(world, client_for, today):
    service.add_agenda_item(world.agent_a, world.agent_a, "Conference budget")
    service.add_agenda_item(world.agent_a2, world.agent_a2, "Someone else's topic")
    lead = signed_in(client_for, world.lead_a)

    response = lead.post(f"/team/{world.agent_a.id}/one-on-ones", data=meeting_form())

    assert response.status_code == 302
    meeting = OneOnOne.get()
    assert (meeting.person_id, meeting.lead_id, meeting.held_on) == (
        world.agent_a.id, world.lead_a.id, today)
    assert meeting.private_notes == "Seems tired lately."
    items = {i.text: i for i in ActionItem.select()}
    assert set(items) == {"Draft the refunds article", "Ask product for release notes"}
    assert items["Draft the refunds article"].owner_id == world.agent_a.id
    assert items["Draft the refunds article"].due_on == today + timedelta(days=14)
    assert items["Ask product for release notes"].owner_id == world.lead_a.id
    agenda = {a.text: a.one_on_one_id for a in AgendaItem.select()}
    assert agenda == {"Conference budget": meeting.id, "Someone else's topic": None}
    event = AuditEvent.get(AuditEvent.action == "one_on_one_recorded")
    assert event.actor_id == world.lead_a.id and "tired" not in event.detail

    page = lead.get(f"/team/{world.agent_a.id}").get_data(as_text=True)
    assert "Seems tired lately." in page
    assert "Draft the refunds article" in page


@pytest.mark.parametrize("change, field_message", [
    ({"held_on": ""}, "This field is required"),
    ({"held_on": "2026-02-30"}, "Enter a real date, written YYYY-MM-DD."),
    ({"held_on": tomorrow}, "once it has been held"),
    ({"shared_notes": "x" * 20_001}, "20000"),
    ({"action_text": ["y" * 501]}, "500 characters"),
    ({"action_due": ["soon", "", ""]}, "YYYY-MM-DD"),
    ({"action_owner": ["hr", "lead", "person"]}, "Choose who does it"),
])
def test_bad_input_keeps_what_was_typed_and_changes_nothing(world, client_for, change,
                                                            field_message):
    lead = signed_in(client_for, world.lead_a)
    data = meeting_form(**change)
    response = lead.post(f"/team/{world.agent_a.id}/one-on-ones", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert field_message in page
    assert data["private_notes"] in page  # what was typed is kept
    assert OneOnOne.select().count() == 0 and ActionItem.select().count() == 0


@pytest.mark.parametrize("who, status", [
    ("agent_a", 403), ("hr", 403), ("admin", 403), ("lead_b", 404)])
def test_only_their_lead_records_a_one_on_one(world, client_for, who, status):
    client = signed_in(client_for, getattr(world, who))
    response = client.post(f"/team/{world.agent_a.id}/one-on-ones", data=meeting_form())
    assert response.status_code == status
    assert client.post(f"/team/{world.agent_a.id}/agenda",
                       data={"text": "x"}).status_code == status
    assert OneOnOne.select().count() == 0 and AgendaItem.select().count() == 0


def test_posts_without_csrf_are_refused(world, client_for):
    lead = signed_in(client_for, world.lead_a)
    response = lead.post(f"/team/{world.agent_a.id}/one-on-ones", data=meeting_form(),
                         csrf=False)
    assert response.status_code == 400
    assert OneOnOne.select().count() == 0


def _meeting(world, **notes):
    return service.record_one_on_one(
        world.lead_a, world.agent_a, held_on=date.today() - timedelta(days=7),
        shared_notes=notes.get("shared", "Shared words"),
        private_notes=notes.get("private", "Private words"),
        action_items=[{"text": "Agent task", "owner": "person", "due_on": None},
                      {"text": "Lead task", "owner": "lead", "due_on": None}])


def test_the_agent_sees_the_shared_part_only(world, client_for):
    _meeting(world)
    page = signed_in(client_for, world.agent_a).get("/one-on-ones").get_data(as_text=True)
    assert "Shared words" in page
    assert "Private words" not in page
    assert "Agent task" in page and "Lead task" in page


def test_another_lead_who_wrote_earlier_keeps_their_private_notes(world, client_for, today):
    # lead_b wrote a note while leading agent_a; agent_a has moved to team A since.
    OneOnOne.create(person=world.agent_a, lead=world.lead_b, held_on=today,
                    shared_notes="Old shared", private_notes="Lead B private words")
    page = client_for(world.lead_a).get(f"/team/{world.agent_a.id}").get_data(as_text=True)
    assert "Old shared" in page
    assert "Lead B private words" not in page


def test_agent_ticks_own_items_but_not_the_leads(world, client_for):
    _meeting(world)
    mine = ActionItem.get(ActionItem.text == "Agent task")
    theirs = ActionItem.get(ActionItem.text == "Lead task")
    agent = signed_in(client_for, world.agent_a)

    assert agent.post(f"/action-items/{mine.id}/done", data={"done": "1"}).status_code == 302
    assert ActionItem.get_by_id(mine.id).done
    assert agent.post(f"/action-items/{theirs.id}/done",
                      data={"done": "1"}).status_code == 403
    assert not ActionItem.get_by_id(theirs.id).done
    assert agent.post(f"/action-items/{mine.id}/done", data={}).status_code == 302
    assert not ActionItem.get_by_id(mine.id).done  # reopened

    lead = signed_in(client_for, world.lead_a)
    assert lead.post(f"/action-items/{theirs.id}/done", data={"done": "1"}).status_code == 302
    assert lead.post(f"/action-items/{mine.id}/done", data={"done": "1"}).status_code == 302
    assert ActionItem.select().where(ActionItem.done == True).count() == 2  # noqa: E712


@pytest.mark.parametrize("who", ["agent_a2", "agent_b", "lead_b", "hr", "admin"])
def test_strangers_cannot_tick(world, client_for, who):
    _meeting(world)
    item = ActionItem.get(ActionItem.text == "Agent task")
    client = signed_in(client_for, getattr(world, who))
    assert client.post(f"/action-items/{item.id}/done", data={"done": "1"}).status_code == 404
    assert not ActionItem.get_by_id(item.id).done


def test_open_items_carry_over_to_the_next_meeting(world, client_for, today):
    _meeting(world)
    service.record_one_on_one(world.lead_a, world.agent_a, held_on=today, shared_notes="",
                              private_notes="", action_items=[])
    page = client_for(world.lead_a).get(f"/team/{world.agent_a.id}").get_data(as_text=True)
    open_panel = page.split('id="action-items"')[1].split("</section>")[0]
    assert "Agent task" in open_panel and "Lead task" in open_panel
    assert "2 open items carry over" in page


def test_agent_adds_agenda_items(world, client_for):
    agent = signed_in(client_for, world.agent_a)
    assert agent.post("/one-on-ones/agenda", data={"text": "Blog post feedback"}
                      ).status_code == 302
    item = AgendaItem.get()
    assert (item.person_id, item.author_id, item.one_on_one_id) == (
        world.agent_a.id, world.agent_a.id, None)
    response = agent.post("/one-on-ones/agenda", data={"text": ""})
    assert response.status_code == 422
    assert AgendaItem.select().count() == 1
    page = client_for(world.lead_a).get(f"/team/{world.agent_a.id}").get_data(as_text=True)
    assert "Blog post feedback" in page


def test_lead_adds_agenda_items_for_a_member(world, client_for):
    lead = signed_in(client_for, world.lead_a)
    assert lead.post(f"/team/{world.agent_a.id}/agenda", data={"text": "Tier 2 move"}
                     ).status_code == 302
    page = signed_in(client_for, world.agent_a).get("/one-on-ones").get_data(as_text=True)
    assert "Tier 2 move" in page


def test_private_notes_predicate_is_the_authors_alone(world):
    meeting = _meeting(world)
    from growth.permissions import can_read_private_notes

    assert can_read_private_notes(world.lead_a, meeting)
    for other in (world.agent_a, world.lead_b, world.hr, world.admin, world.agent_a2):
        assert not can_read_private_notes(other, meeting)


def test_a_double_clicked_submit_records_one_meeting(world, client_for):
    lead = signed_in(client_for, world.lead_a)
    page = lead.get(f"/team/{world.agent_a.id}").get_data(as_text=True)
    key = re.search(r'name="submission" type="hidden" value="([^"]+)"', page).group(1)
    for _ in range(2):
        response = lead.post(f"/team/{world.agent_a.id}/one-on-ones",
                             data=meeting_form(submission=key))
        assert response.status_code == 302
    assert OneOnOne.select().count() == 1
    assert ActionItem.select().count() == 2
    assert lead.post(f"/team/{world.agent_a.id}/one-on-ones",
                     data=meeting_form(submission="another-key")).status_code == 302
    assert OneOnOne.select().count() == 2


def test_another_leads_key_records_their_own_meeting(world, make_user, client_for):
    first = signed_in(client_for, world.lead_a)
    assert first.post(f"/team/{world.agent_a.id}/one-on-ones",
                      data=meeting_form(submission="copied-meeting-key")).status_code == 302
    # The team gets a new lead, who sends a form carrying the same key.
    other_lead = make_user("lead", name="New lead of A")
    Team.update(lead=other_lead).where(Team.id == world.team_a.id).execute()
    second = signed_in(client_for, other_lead)
    response = second.post(f"/team/{world.agent_a.id}/one-on-ones",
                           data=meeting_form(submission="copied-meeting-key",
                                             private_notes="Second lead's own words"))
    assert response.status_code == 302  # was a 500: the key was unique across all leads
    meetings = {m.lead_id: m.private_notes for m in OneOnOne.select()}
    assert meetings == {world.lead_a.id: "Seems tired lately.",
                        other_lead.id: "Second lead's own words"}


def test_a_meeting_form_without_its_key_is_refused_with_the_notes_kept(world, client_for):
    lead = signed_in(client_for, world.lead_a)
    response = lead.post(f"/team/{world.agent_a.id}/one-on-ones",
                         data=meeting_form(submission=""))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "We talked about the docs backlog." in page and "send it again" in page
    assert OneOnOne.select().count() == 0


@pytest.mark.parametrize("who", ["agent", "lead"])
def test_a_double_clicked_agenda_item_is_added_once(world, client_for, who):
    person = world.agent_a if who == "agent" else world.lead_a
    client = signed_in(client_for, person)
    path = "/one-on-ones" if who == "agent" else f"/team/{world.agent_a.id}"
    post_to = "/one-on-ones/agenda" if who == "agent" else f"/team/{world.agent_a.id}/agenda"
    page = client.get(path).get_data(as_text=True)
    form = page[page.index(f'action="{post_to}"'):]
    key = re.search(r'name="submission" type="hidden" value="([^"]+)"', form).group(1)
    responses = [client.post(post_to, data={"text": "Conference budget", "submission": key})
                 for _ in range(2)]
    assert [r.status_code for r in responses] == [302, 302]
    assert responses[0].location == responses[1].location
    assert AgendaItem.select().count() == 1
    assert client.post(post_to, data={"text": "Conference budget",
                                      "submission": ""}).status_code == 422
    assert AgendaItem.select().count() == 1


def test_an_agenda_key_belongs_to_its_author(world):
    mine = service.add_agenda_item(world.agent_a, world.agent_a, "Mine", "agenda-key-1234")
    theirs = service.add_agenda_item(world.agent_a2, world.agent_a2, "Theirs", "agenda-key-1234")
    assert mine.id != theirs.id and theirs.person_id == world.agent_a2.id
    assert service.add_agenda_item(world.agent_a, world.agent_a, "Mine",
                                   "agenda-key-1234").id == mine.id


def test_ticking_an_item_confirms_which_one_and_the_button_follows_its_text(world,
                                                                           client_for):
    _meeting(world)
    mine = ActionItem.get(ActionItem.text == "Agent task")
    agent = signed_in(client_for, world.agent_a)
    before = agent.get("/one-on-ones").get_data(as_text=True)
    tickable = [li.split("</li>")[0] for li in before.split('<li class="action-item')[1:]
                if "Agent task" in li.split("</li>")[0] and "Mark done" in li.split("</li>")[0]]
    assert len(tickable) == 1
    assert tickable[0].index("Agent task") < tickable[0].index("Mark done")
    # A screen reader moving from button to button hears which item each one marks.
    assert 'Mark done<span class="visually-hidden">: Agent task</span></button>' in tickable[0]
    done = agent.post(f"/action-items/{mine.id}/done", data={"done": "1"},
                      follow_redirects=True).get_data(as_text=True)
    assert "Marked done: “Agent task”." in done
    reopened = agent.post(f"/action-items/{mine.id}/done", data={},
                          follow_redirects=True).get_data(as_text=True)
    assert "Open again: “Agent task”." in reopened
    lead = signed_in(client_for, world.lead_a)
    theirs = ActionItem.get(ActionItem.text == "Lead task")
    page = lead.post(f"/action-items/{theirs.id}/done", data={"done": "1"},
                     follow_redirects=True).get_data(as_text=True)
    assert "Marked done: “Lead task”." in page


def test_a_long_item_is_shortened_in_its_confirmation(world, client_for):
    _meeting(world)
    item = ActionItem.get(ActionItem.text == "Agent task")
    ActionItem.update(text="Read " + "the runbook again " * 10).where(
        ActionItem.id == item.id).execute()
    page = signed_in(client_for, world.agent_a).post(
        f"/action-items/{item.id}/done", data={"done": "1"},
        follow_redirects=True).get_data(as_text=True)
    assert "Marked done: “Read the runbook again" in page
    assert "…”." in page
