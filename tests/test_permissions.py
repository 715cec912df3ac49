"""The DESIGN role table as a truth table over the policy predicates (no HTTP)."""

from datetime import date, datetime

import pytest

from growth import permissions as p
from growth.models import (
    ActionItem,
    Goal,
    OneOnOne,
    PracticeParticipant,
    PracticeSession,
    Review,
    ReviewCycle,
    Role,
    Team,
    User,
)

ROLES = ["owner", "own_lead", "other_lead", "teammate", "hr", "admin"]


@pytest.fixture
def cast(world):
    """The person the data belongs to, and everyone who might look at it."""
    return {
        "owner": world.agent_a,
        "own_lead": world.lead_a,
        "other_lead": world.lead_b,
        "teammate": world.agent_a2,
        "hr": world.hr,
        "admin": world.admin,
    }


@pytest.fixture
def objects(world):
    cycle = ReviewCycle.ensure_for(date(2026, 3, 1))
    goal = Goal.create(owner=world.agent_a, cycle=cycle, title="Learn SQL")
    review = Review.create(person=world.agent_a, cycle=cycle, lead=world.lead_a)
    meeting = OneOnOne.create(person=world.agent_a, lead=world.lead_a, held_on=date(2026, 3, 2))
    item = ActionItem.create(person=world.agent_a, one_on_one=meeting, owner=world.agent_a,
                             text="Read the runbook")
    return {"goal": goal, "review": review, "meeting": meeting, "item": item}


def allowed(cast, predicate) -> set[str]:
    return {role for role in ROLES if predicate(cast[role])}


def test_weeks_and_goals(cast, objects, world):
    owner = world.agent_a
    assert allowed(cast, lambda u: p.can_write_weeks(u, owner)) == {"owner"}
    assert allowed(cast, lambda u: p.can_read_goal(u, objects["goal"])) == {"owner", "own_lead"}
    assert allowed(cast, lambda u: p.can_edit_goal(u, objects["goal"])) == {"owner"}


def test_self_assessment_is_blind_until_submitted(cast, objects):
    review = objects["review"]
    assert allowed(cast, lambda u: p.can_read_self_assessment(u, review)) == {"owner"}
    assert allowed(cast, lambda u: p.can_write_self_assessment(u, review)) == {"owner"}
    review.self_submitted_at = datetime(2026, 7, 1)
    assert allowed(cast, lambda u: p.can_read_self_assessment(u, review)) == {"owner",
                                                                            "own_lead"}
    assert allowed(cast, lambda u: p.can_write_self_assessment(u, review)) == set()


@pytest.mark.parametrize("status, coaching_readers, editors, sharers, acknowledgers", [
    ("draft", {"own_lead"}, {"own_lead"}, {"own_lead"}, set()),
    ("shared", {"own_lead", "owner"}, {"own_lead"}, set(), {"owner"}),
    ("acknowledged", {"own_lead", "owner"}, set(), set(), set()),
])
def test_review_stages(cast, objects, status, coaching_readers, editors, sharers,
                       acknowledgers):
    review = objects["review"]
    review.status = status
    assert allowed(cast, lambda u: p.can_read_review(u, review)) == {"owner", "own_lead"}
    assert allowed(cast, lambda u: p.can_read_coaching(u, review)) == coaching_readers
    assert allowed(cast, lambda u: p.can_edit_review(u, review)) == editors
    assert allowed(cast, lambda u: p.can_share_review(u, review)) == sharers
    assert allowed(cast, lambda u: p.can_acknowledge_review(u, review)) == acknowledgers


def test_one_on_ones_and_private_notes(cast, objects):
    meeting = objects["meeting"]
    assert allowed(cast, lambda u: p.can_read_one_on_one(u, meeting)) == {"owner", "own_lead"}
    assert allowed(cast, lambda u: p.can_read_private_notes(u, meeting)) == {"own_lead"}
    assert allowed(cast, lambda u: p.can_tick_action_item(u, objects["item"])) == {
        "owner", "own_lead"}
    assert allowed(cast, lambda u: p.can_add_agenda_item(u, meeting.person_id)) == {
        "owner", "own_lead"}


def test_a_person_and_their_employment_record(cast, world):
    assert allowed(cast, lambda u: p.can_read_person(u, world.agent_a)) == {"own_lead"}
    assert allowed(cast, lambda u: p.can_record_one_on_one(u, world.agent_a)) == {"own_lead"}
    assert allowed(cast, lambda u: p.can_edit_employment(u)) == {"hr", "admin"}


def test_areas_by_role(cast):
    assert allowed(cast, p.can_lead) == {"own_lead", "other_lead"}
    assert allowed(cast, p.can_use_hr) == {"hr"}
    assert allowed(cast, p.can_admin) == {"admin"}
    assert allowed(cast, p.can_read_audit) == {"hr", "admin"}
    assert allowed(cast, p.can_stay_signed_in) == {"owner", "teammate"}


def test_private_notes_stay_with_their_author_when_the_team_gets_a_new_lead(cast, objects,
                                                                            world):
    Team.update(lead=world.lead_b).where(Team.id == world.team_a.id).execute()
    meeting = objects["meeting"]
    assert allowed(cast, lambda u: p.can_read_one_on_one(u, meeting)) == {"owner",
                                                                        "other_lead"}
    assert allowed(cast, lambda u: p.can_read_private_notes(u, meeting)) == {"own_lead"}


def test_moving_a_person_moves_their_lead(cast, world):
    User.update(team=world.team_b).where(User.id == world.agent_a.id).execute()
    assert allowed(cast, lambda u: p.is_lead_of(u, world.agent_a)) == {"other_lead"}


def test_scopes_keep_other_teams_out(world):
    assert set(p.team_members_visible_to(world.lead_a)) == {world.agent_a, world.agent_a2}
    assert list(p.team_members_visible_to(world.hr)) == []


def test_a_lead_is_not_their_own_lead(world):
    assert not p.is_lead_of(world.lead_a, world.lead_a)


# Feedback and practice ---------------------------------------------------------------------

@pytest.fixture
def feedback_objects(world):
    from growth.models import PracticeParticipant, PracticeSession, TicketReview

    peer = TicketReview.create(reviewer=world.agent_a2, reviewee=world.agent_a, rating=3,
                               ticket_url="https://t.example/1", ticket_hash="h1", praise="p")
    own = TicketReview.create(reviewer=world.agent_a, reviewee=world.agent_a, rating=2,
                              ticket_url="https://t.example/2", ticket_hash="h2", praise="p")
    session = PracticeSession.create(team=world.team_a, organiser=world.agent_a2,
                                     held_on=date(2026, 3, 2), scenario="Refund", minutes=30)
    PracticeParticipant.create(session=session, user=world.agent_a, part="customer")
    return {"peer": peer, "own": own, "session": session}


def test_who_uses_feedback_and_whom_they_may_review(cast, world, make_user):
    assert allowed(cast, p.can_use_feedback) == {"owner", "own_lead", "other_lead", "teammate"}
    owner = world.agent_a
    assert allowed(cast, lambda u: p.can_review_person(u, owner)) == {
        "owner", "own_lead", "teammate"}
    for refused in (world.hr, world.admin, make_user(team=world.team_a, active=False)):
        assert allowed(cast, lambda u, r=refused: p.can_review_person(u, r)) == set()


def test_a_lead_reviews_the_people_of_the_team_they_lead_even_from_another_team(world,
                                                                                  make_user):
    lead = make_user(Role.LEAD, team=world.team_a)
    Team.update(lead=lead).where(Team.id == world.team_b.id).execute()
    assert p.can_review_person(lead, world.agent_b) is True


def test_whom_nobody_may_review_and_who_may_review_nobody(world, make_user):
    assert p.can_review_person(world.agent_a, None) is False
    assert p.can_review_person(world.agent_a, world.agent_a2.id) is False  # an id, not a person
    admin_in_a_team = make_user(Role.ADMIN, team=world.team_a)
    assert p.can_review_person(admin_in_a_team, world.agent_a) is False


@pytest.mark.parametrize("replied", [False, True])
def test_a_peer_review(cast, feedback_objects, replied):
    review = feedback_objects["peer"]  # by the teammate, of the owner's ticket
    if replied:
        review.replied_at = datetime(2026, 3, 3)
    assert allowed(cast, lambda u: p.can_read_ticket_review(u, review)) == {
        "owner", "own_lead", "teammate"}
    assert allowed(cast, lambda u: p.can_reply_ticket_review(u, review)) == (
        set() if replied else {"owner"})
    assert allowed(cast, lambda u: p.can_delete_ticket_review(u, review)) == (
        set() if replied else {"teammate"})


def test_a_self_review_is_its_authors_alone(cast, feedback_objects):
    review = feedback_objects["own"]
    assert allowed(cast, lambda u: p.can_read_ticket_review(u, review)) == {"owner"}
    assert allowed(cast, lambda u: p.can_reply_ticket_review(u, review)) == set()
    assert allowed(cast, lambda u: p.can_delete_ticket_review(u, review)) == {"owner"}


def test_a_practice_session(cast, feedback_objects):
    from growth.models import PracticeSession

    session = feedback_objects["session"]  # organised by the teammate, the owner took part
    assert allowed(cast, lambda u: p.can_read_practice(u, session)) == {
        "owner", "own_lead", "teammate"}
    assert allowed(cast, lambda u: p.can_delete_practice(u, session)) == {"teammate"}
    assert {role for role in ROLES if p.practice_sessions_visible_to(cast[role]).where(
        PracticeSession.id == session.id).exists()} == {"owner", "own_lead", "teammate"}


def test_the_people_offered_for_a_review_are_the_ones_that_may_be_reviewed(cast, world):
    people = [world.agent_a, world.agent_a2, world.agent_b, world.lead_a, world.lead_b,
              world.hr, world.admin]
    for role in ROLES:
        user = cast[role]
        offered = {person.id for person in p.people_reviewable_by(user)}
        assert offered == {x.id for x in people if p.can_review_person(user, x)}, role
def test_coverage_reminders_and_the_calendar_feed(cast, world):
    team = Team.get_by_id(world.team_a.id)
    assert allowed(cast, lambda u: p.can_set_coverage(u, team)) == {"own_lead"}
    assert allowed(cast, lambda u: p.can_see_who_is_off(u, team)) == {"own_lead"}
    owner = world.agent_a
    assert allowed(cast, lambda u: p.can_change_reminders(u, owner)) == {"owner"}
    assert allowed(cast, lambda u: p.can_manage_calendar(u, owner)) == {"owner"}


def test_a_leads_teams_are_listed_by_name(world, make_team, make_user):
    lead = make_user(Role.LEAD, team=None)
    for name in ("Zeta", "Alpha", "Mid"):
        make_team(name, lead=lead)
    assert [team.name for team in p.led_teams(lead)] == ["Alpha", "Mid", "Zeta"]


def test_a_session_is_read_by_its_own_participants_not_those_of_another(world):
    held = {"team": world.team_a, "organiser": world.agent_a, "held_on": date(2026, 3, 2),
            "scenario": "Refund", "minutes": 30}
    theirs = PracticeSession.create(**held)
    PracticeParticipant.create(session=theirs, user=world.agent_a2, part="customer")
    other = PracticeSession.create(**held)
    assert p.can_read_practice(world.agent_a2, theirs) is True
    assert p.can_read_practice(world.agent_a2, other) is False


def test_whom_a_person_may_review_is_offered_by_name_and_only_those(world, make_user):
    zed = make_user(Role.AGENT, team=world.team_a, name="Zed Teammate")
    amy = make_user(Role.AGENT, team=world.team_a, name="Amy Teammate")
    make_user(Role.AGENT, team=world.team_a, name="Ann Gone", active=False)
    make_user(Role.ADMIN, team=world.team_a, name="Ada Admin")
    offered = [person.id for person in p.people_reviewable_by(world.agent_a)]
    expected = sorted([world.agent_a, world.agent_a2, world.lead_a, zed, amy],
                      key=lambda person: person.name)
    assert offered == [person.id for person in expected]


def test_someone_in_no_team_is_offered_only_themself(world, make_user):
    loner = make_user(Role.AGENT, team=None, name="Lone Agent")
    make_user(Role.AGENT, team=None, name="Other Loner")
    assert [person.id for person in p.people_reviewable_by(loner)] == [loner.id]


def test_someone_named_a_teams_lead_without_the_lead_role_leads_nobody(world, make_user):
    former = make_user(Role.AGENT, team=None)
    Team.update(lead=former).where(Team.id == world.team_b.id).execute()
    assert p.is_lead_of(former, world.agent_b) is False
    assert p.is_lead_of(world.lead_b, world.agent_b) is False  # no longer its lead
    assert p.is_lead_of(world.lead_a, world.agent_a) is True
