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
    assert client.post(path, data={"version": str(review.self_version), "text": "Mine",
                                   "submit": "y"}).status_code == 302
    assert client.post(path, data={"version": str(review.self_version + 1),
                                   "text": "Changed after"}).status_code == 409, (
        "can_write_self_assessment: a submitted self-assessment is final")
    assert client_for(world.lead_a).post(path, data={
        "version": "1", "text": "The lead's words"}).status_code == 403


def test_can_edit_share_and_acknowledge_review_follow_the_stages(world, things, client_for):
    review = things["review"]
    path = f"/reviews/{review.id}"
    lead, person = client_for(world.lead_a), client_for(world.agent_a)
    assert person.post(f"{path}/acknowledge", data={}).status_code == 409, (
        "can_acknowledge_review: not a draft")
    today = date.today().isoformat()
    assert lead.post(f"{path}/share", data={
        "version": str(review.version), "notes": "Done", "held_on": today,
        f"outcome-{things['goal'].id}": "achieved"}).status_code == 302
    assert lead.post(f"{path}/share", data={"version": str(review.version + 1),
                                            "notes": "Again"}).status_code == 409, (
        "can_share_review: shared once")
    assert person.post(f"{path}/acknowledge", data={}).status_code == 302
    assert lead.post(f"{path}/edit", data={"version": str(review.version + 1),
                                           "notes": "After"}).status_code == 409, (
        "can_edit_review: an acknowledged review is final")
    assert Review.get_by_id(review.id).notes == "Done"


def test_can_review_person_refuses_someone_of_another_team(world, client_for):
    response = client_for(world.agent_a).post("/feedback", data={
        "reviewee_id": str(world.agent_b.id), "ticket_url": "https://t.example/9",
        "rating": "3", "praise": "Nice"})
    assert response.status_code == 422, "can_review_person: not a teammate"
    assert TicketReview.select().count() == 0
