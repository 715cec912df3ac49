"""Each permission predicate, seen through the routes that ask it.

tests/test_permissions.py checks the predicates as a truth table; these check that the app
enforces through them: for each rule the wrong person is refused (404 for an object outside
their scope, 403 or 409 for a step they may not take) and the right person gets through, so a
predicate that always says yes, or always no, fails a request here. Each case is named after
the predicate it covers.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest

from growth.models import (
    ActionItem,
    Activity,
    AgendaItem,
    DevDay,
    Goal,
    OneOnOne,
    PracticeParticipant,
    PracticeSession,
    Review,
    ReviewCycle,
    Team,
    TicketReview,
)
from growth.weeks import monday_of


@pytest.fixture
def things(world):
    """One of each object, all about Agent A (team A, led by Lead A)."""
    today = date.today()
    cycle = ReviewCycle.ensure_for(today)
    day = DevDay.create(user=world.agent_a, week_start=monday_of(today), minutes=60,
                        status="logged")
    meeting = OneOnOne.create(person=world.agent_a, lead=world.lead_a,
                              held_on=today - timedelta(days=1), shared_notes="Shared words",
                              private_notes="private words of Lead A")
    session = PracticeSession.create(team=world.team_a, organiser=world.agent_a2,
                                     held_on=today, scenario="Refund", minutes=30)
    PracticeParticipant.create(session=session, user=world.agent_a, part="customer")
    return {
        "activity": Activity.create(dev_day=day, kind="docs", minutes=60),
        "goal": Goal.create(owner=world.agent_a, cycle=cycle, title="Learn SQL"),
        "review": Review.create(person=world.agent_a, cycle=cycle, lead=world.lead_a,
                                self_assessment="My own secret draft", notes="Lead draft"),
        "meeting": meeting,
        "own_item": ActionItem.create(person=world.agent_a, one_on_one=meeting,
                                      owner=world.agent_a, text="Read the runbook"),
        "lead_item": ActionItem.create(person=world.agent_a, one_on_one=meeting,
                                       owner=world.lead_a, text="Book the course"),
        "peer_review": TicketReview.create(
            reviewer=world.agent_a2, reviewee=world.agent_a, rating=3, praise="Kind words",
            ticket_url="https://t.example/1", ticket_hash="h1"),
        "practice": session,
    }


@dataclass
class Case:
    rule: str  # the predicate the case covers
    who: str  # a person of the `world` fixture
    method: str
    path: str  # formatted with the objects' ids and Agent A's (`person`)
    status: int
    data: dict = field(default_factory=dict)

    def __str__(self):
        return f"{self.rule}: {self.who} {self.method} {self.path} -> {self.status}"


CASES = [
    # can_write_weeks: an activity is changed by its owner alone, not even by their lead.
    Case("can_write_weeks", "lead_a", "GET", "/activities/{activity}/edit", 404),
    Case("can_write_weeks", "lead_a", "POST", "/activities/{activity}/delete", 404),
    Case("can_write_weeks", "agent_a", "GET", "/activities/{activity}/edit", 200),
    # can_read_person: the lead's page about one member of their team.
    Case("can_read_person", "lead_b", "GET", "/team/{person}", 404),
    Case("can_read_person", "lead_a", "GET", "/team/{person}", 200),
    # can_record_one_on_one
    Case("can_record_one_on_one", "lead_b", "POST", "/team/{person}/one-on-ones", 404,
         {"held_on": "{yesterday}", "shared_notes": "From another team's lead"}),
    Case("can_record_one_on_one", "lead_a", "POST", "/team/{person}/one-on-ones", 302,
         {"held_on": "{yesterday}", "shared_notes": "From their lead"}),
    # can_add_agenda_item: the person for themself, their lead for them.
    Case("can_add_agenda_item", "lead_b", "POST", "/team/{person}/agenda", 404,
         {"text": "From another team's lead"}),
    Case("can_add_agenda_item", "lead_a", "POST", "/team/{person}/agenda", 302,
         {"text": "From their lead"}),
    Case("can_add_agenda_item", "agent_a", "POST", "/one-on-ones/agenda", 302,
         {"text": "From the person"}),
    # can_read_review
    Case("can_read_review", "lead_b", "GET", "/reviews/{review}", 404),
    Case("can_read_review", "agent_a2", "GET", "/reviews/{review}", 404),
    Case("can_read_review", "agent_a", "GET", "/reviews/{review}", 200),
    Case("can_read_review", "lead_a", "GET", "/reviews/{review}", 200),
    # can_read_one_on_one: a meeting's action items, for the person and their lead.
    Case("can_read_one_on_one", "lead_b", "POST", "/action-items/{own_item}/done", 404,
         {"done": "y"}),
    Case("can_read_one_on_one", "agent_a2", "POST", "/action-items/{own_item}/done", 404,
         {"done": "y"}),
    Case("can_read_one_on_one", "lead_a", "POST", "/action-items/{lead_item}/done", 302,
         {"done": "y"}),
    # can_tick_action_item: the person reads their lead's item but does not tick it.
    Case("can_tick_action_item", "agent_a", "POST", "/action-items/{lead_item}/done", 403,
         {"done": "y"}),
    Case("can_tick_action_item", "agent_a", "POST", "/action-items/{own_item}/done", 302,
         {"done": "y"}),
    # can_read_goal and can_edit_goal
    Case("can_read_goal", "agent_a2", "GET", "/goals/{goal}", 404),
    Case("can_read_goal", "lead_b", "GET", "/goals/{goal}", 404),
    Case("can_read_goal", "lead_a", "GET", "/goals/{goal}", 200),
    Case("can_edit_goal", "lead_a", "POST", "/goals/{goal}/edit", 403,
         {"version": "1", "title": "Renamed by the lead"}),
    # can_read_ticket_review
    Case("can_read_ticket_review", "lead_b", "GET", "/feedback/{peer_review}", 404),
    Case("can_read_ticket_review", "agent_b", "GET", "/feedback/{peer_review}", 404),
    Case("can_read_ticket_review", "agent_a", "GET", "/feedback/{peer_review}", 200),
    Case("can_read_ticket_review", "lead_a", "GET", "/feedback/{peer_review}", 200),
    # can_reply_ticket_review and can_delete_ticket_review
    Case("can_reply_ticket_review", "agent_a2", "POST", "/feedback/{peer_review}/reply", 403,
         {"reply": "The reviewer answering themself"}),
    Case("can_reply_ticket_review", "agent_a", "POST", "/feedback/{peer_review}/reply", 302,
         {"reply": "Thanks"}),
    Case("can_delete_ticket_review", "agent_a", "POST", "/feedback/{peer_review}/delete", 403),
    Case("can_delete_ticket_review", "agent_a2", "POST", "/feedback/{peer_review}/delete",
         302),
    # can_read_practice and can_delete_practice
    Case("can_read_practice", "agent_b", "GET", "/practice/{practice}", 404),
    Case("can_read_practice", "lead_b", "GET", "/practice/{practice}", 404),
    Case("can_read_practice", "agent_a", "GET", "/practice/{practice}", 200),
    Case("can_read_practice", "lead_a", "GET", "/practice/{practice}", 200),
    Case("can_delete_practice", "agent_a", "POST", "/practice/{practice}/delete", 403),
    Case("can_delete_practice", "agent_a2", "POST", "/practice/{practice}/delete", 302),
    # can_set_coverage: a lead sets their own team's limit only.
    Case("can_set_coverage", "lead_b", "POST", "/team/settings", 404,
         {"team_id": "{team_a}", "version": "1", "max_off_per_day": "2"}),
    Case("can_set_coverage", "lead_a", "POST", "/team/settings", 302,
         {"team_id": "{team_a}", "version": "1", "max_off_per_day": "2"}),
    # Areas by role.
    Case("can_lead", "agent_a", "GET", "/team", 403),
    Case("can_lead", "lead_a", "GET", "/team", 200),
    Case("can_use_hr", "admin", "GET", "/hr", 403),
    Case("can_use_hr", "hr", "GET", "/hr", 200),
    Case("can_edit_employment", "lead_a", "GET", "/hr/people/{person}", 403),
    Case("can_edit_employment", "admin", "GET", "/hr/people/{person}", 200),
    Case("can_admin", "hr", "GET", "/admin/users", 403),
    Case("can_admin", "admin", "GET", "/admin/users", 200),
    Case("can_read_audit", "lead_a", "GET", "/admin/audit", 403),
    Case("can_read_audit", "hr", "GET", "/admin/audit", 200),
    Case("can_use_feedback", "hr", "GET", "/feedback", 403),
    Case("can_use_feedback", "agent_a", "GET", "/feedback", 200),
]


def _ids(world, things) -> dict:
    return {**{name: obj.id for name, obj in things.items()}, "person": world.agent_a.id,
            "team_a": world.team_a.id,
            "yesterday": (date.today() - timedelta(days=1)).isoformat()}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_route_enforces_the_predicate(world, things, client_for, case):
    ids = _ids(world, things)
    client = client_for(getattr(world, case.who))
    path = case.path.format(**ids)
    if case.method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, data={k: v.format(**ids) for k, v in case.data.items()})
    assert response.status_code == case.status, (
        f"{case.rule}: {case.who} {case.method} {path} answered {response.status_code}, "
        f"not {case.status}")


def test_can_edit_goal_offers_the_form_to_the_owner_only(world, things, client_for):
    form = f'action="/goals/{things["goal"].id}/edit"'
    path = f"/goals/{things['goal'].id}"
    assert form in client_for(world.agent_a).get(path).get_data(as_text=True), (
        "can_edit_goal: the owner edits their goal")
    assert form not in client_for(world.lead_a).get(path).get_data(as_text=True), (
        "can_edit_goal: their lead reads it only")


def test_can_record_one_on_one_and_can_add_agenda_item_refusals_change_nothing(
        world, things, client_for):
    lead_b = client_for(world.lead_b)
    person = world.agent_a.id
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    lead_b.post(f"/team/{person}/one-on-ones", data={"held_on": yesterday})
    lead_b.post(f"/team/{person}/agenda", data={"text": "Planted"})
    assert OneOnOne.select().count() == 1, "can_record_one_on_one"
    assert AgendaItem.select().count() == 0, "can_add_agenda_item"


def test_can_read_private_notes_keeps_them_with_their_author(world, things, client_for):
    page = client_for(world.lead_a).get(f"/team/{world.agent_a.id}").get_data(as_text=True)
    assert "private words of Lead A" in page, "can_read_private_notes: the author reads them"
    # A new lead of the team reads the person's page, not the old lead's private notes.
    Team.update(lead=world.lead_b).where(Team.id == world.team_a.id).execute()
    page = client_for(world.lead_b).get(f"/team/{world.agent_a.id}").get_data(as_text=True)
    assert "Shared words" in page
    assert "private words of Lead A" not in page, "can_read_private_notes: not the new lead"


def test_can_read_self_assessment_is_blind_until_submitted(world, things, client_for):
    path = f"/reviews/{things['review'].id}"
    assert "My own secret draft" in client_for(world.agent_a).get(path).get_data(
        as_text=True), "can_read_self_assessment: the person reads their own draft"
    assert "My own secret draft" not in client_for(world.lead_a).get(path).get_data(
        as_text=True), "can_read_self_assessment: the lead does not read it unsubmitted"
    Review.update(self_submitted_at=datetime(2026, 1, 2)).execute()
    assert "My own secret draft" in client_for(world.lead_a).get(path).get_data(
        as_text=True), "can_read_self_assessment: the lead reads it once submitted"


def test_can_read_coaching_shows_the_leads_part_once_shared(world, things, client_for):
    path = f"/reviews/{things['review'].id}"
    assert "Lead draft" not in client_for(world.agent_a).get(path).get_data(as_text=True), (
        "can_read_coaching: the person does not read a draft")
    Review.update(status="shared").execute()
    assert "Lead draft" in client_for(world.agent_a).get(path).get_data(as_text=True), (
        "can_read_coaching: the person reads the shared review")


def test_can_write_self_assessment_ends_at_submission(world, things, client_for):
    review = things["review"]
    client = client_for(world.agent_a)
    path = f"/reviews/{review.id}/self-assessment"
    form = f'action="{path}"'
    assert form in client.get(f"/reviews/{review.id}").get_data(as_text=True), (
        "can_write_self_assessment: the person is offered the form before submitting")
    assert client.post(path, data={"version": str(review.self_version), "text": "Mine",
                                   "submit": "y"}).status_code == 302
    assert form not in client.get(f"/reviews/{review.id}").get_data(as_text=True), (
        "can_write_self_assessment: no form once submitted")
    assert client.post(path, data={"version": str(review.self_version + 1),
                                   "text": "Changed after"}).status_code == 409, (
        "can_write_self_assessment: a submitted self-assessment is final")
    assert client_for(world.lead_a).post(path, data={
        "version": "1", "text": "The lead's words"}).status_code == 403
    assert Review.get_by_id(review.id).self_assessment == "Mine"


def _share(client, review, goal):
    return client.post(f"/reviews/{review.id}/share", data={
        "version": str(Review.get_by_id(review.id).version), "notes": "Done",
        "held_on": date.today().isoformat(), f"outcome-{goal.id}": "achieved"})


def test_can_share_review_once_while_a_draft(world, things, client_for):
    review, lead = things["review"], client_for(world.lead_a)
    page = lead.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert f'action="/reviews/{review.id}/share"' in page, "can_share_review: a draft"
    assert client_for(world.lead_b).post(f"/reviews/{review.id}/share",
                                         data={"version": "1"}).status_code == 404
    assert _share(lead, review, things["goal"]).status_code == 302
    page = lead.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert f'action="/reviews/{review.id}/share"' not in page, (
        "can_share_review: not offered once shared")
    assert _share(lead, review, things["goal"]).status_code == 409, (
        "can_share_review: shared once")


def test_can_acknowledge_review_once_shared(world, things, client_for):
    review, person = things["review"], client_for(world.agent_a)
    ack = f'action="/reviews/{review.id}/acknowledge"'
    assert ack not in person.get(f"/reviews/{review.id}").get_data(as_text=True), (
        "can_acknowledge_review: not offered on a draft")
    assert person.post(f"/reviews/{review.id}/acknowledge", data={}).status_code == 409, (
        "can_acknowledge_review: not a draft")
    _share(client_for(world.lead_a), review, things["goal"])
    assert ack in person.get(f"/reviews/{review.id}").get_data(as_text=True)
    assert client_for(world.lead_a).post(f"/reviews/{review.id}/acknowledge",
                                         data={}).status_code == 403
    assert person.post(f"/reviews/{review.id}/acknowledge", data={}).status_code == 302
    assert ack not in person.get(f"/reviews/{review.id}").get_data(as_text=True), (
        "can_acknowledge_review: once")


def test_can_edit_review_until_acknowledged(world, things, client_for):
    review, lead = things["review"], client_for(world.lead_a)
    edit = f'action="/reviews/{review.id}/edit"'
    assert edit in lead.get(f"/reviews/{review.id}").get_data(as_text=True)
    _share(lead, review, things["goal"])
    client_for(world.agent_a).post(f"/reviews/{review.id}/acknowledge", data={})
    assert edit not in lead.get(f"/reviews/{review.id}").get_data(as_text=True), (
        "can_edit_review: not offered once acknowledged")
    assert lead.post(f"/reviews/{review.id}/edit", data={
        "version": str(Review.get_by_id(review.id).version),
        "notes": "After"}).status_code == 409, "can_edit_review: an acknowledged review"
    assert Review.get_by_id(review.id).notes == "Done"


def test_can_delete_ticket_review_ends_with_the_reply(world, things, client_for):
    review = things["peer_review"]
    delete = f'action="/feedback/{review.id}/delete"'
    reviewer = client_for(world.agent_a2)
    assert delete in reviewer.get(f"/feedback/{review.id}").get_data(as_text=True), (
        "can_delete_ticket_review: the reviewer is offered it")
    TicketReview.update(reply="Thanks", replied_at=datetime(2026, 1, 2)).execute()
    assert delete not in reviewer.get(f"/feedback/{review.id}").get_data(as_text=True), (
        "can_delete_ticket_review: not offered once replied")
    assert client_for(world.agent_a2).post(
        f"/feedback/{review.id}/delete").status_code == 409, (
        "can_delete_ticket_review: not once the reviewee replied")
    assert TicketReview.select().count() == 1


def test_can_see_who_is_off_names_for_the_lead_counts_for_members(world, client_for):
    monday = monday_of(date.today())
    DevDay.create(user=world.agent_a2, week_start=monday, planned_on=monday,
                  status="planned")
    lead_page = client_for(world.lead_a).get("/").get_data(as_text=True)
    assert 'coverage-names">Agent A2<' in lead_page, "can_see_who_is_off: the team's lead"
    member_page = client_for(world.agent_a).get("/").get_data(as_text=True)
    assert 'id="coverage"' in member_page
    assert "coverage-names" not in member_page, "can_see_who_is_off: not a member"


def test_can_change_reminders_and_can_manage_calendar_for_oneself(world, client_for):
    # Both routes act on the signed-in person only: a predicate saying yes to everyone
    # changes nothing a request can reach; one saying no is refused here.
    client = client_for(world.agent_a)
    assert client.post("/account/reminders",
                       data={"reminders": "off"}).status_code == 302, "can_change_reminders"
    assert client.post("/account/calendar").status_code == 200, "can_manage_calendar"
    assert client.post("/account/calendar/delete").status_code == 302, "can_manage_calendar"


def test_can_review_person_refuses_someone_of_another_team(world, client_for):
    # The form offers only people_reviewable_by (whose agreement with can_review_person
    # tests/test_permissions.py pins); the service asks the predicate again.
    client = client_for(world.agent_a)
    form = {"ticket_url": "https://t.example/9", "rating": "3", "praise": "Nice"}
    refused = client.post("/feedback", data={"reviewee_id": str(world.agent_b.id), **form})
    assert refused.status_code == 422, "can_review_person: not a teammate"
    assert "Choose a teammate, someone you lead, or yourself." in refused.get_data(
        as_text=True)
    assert TicketReview.select().count() == 0
    assert client.post("/feedback", data={"reviewee_id": str(world.agent_a2.id),
                                          **form}).status_code == 302
