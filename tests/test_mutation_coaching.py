"""Coaching rules that `make mutate` found no test pinning: what sharing refuses and where it
says so, goals following the outcomes, what acknowledging changes (and audits), whose
self-assessment a save writes, who a team's opening reaches, what it records and what a
repeated form answers, and when an action item was ticked."""

from datetime import date, datetime, timedelta

import pytest

from growth.coaching import service
from growth.coaching.service import CoachingError, ReviewLocked
from growth.integrity import StaleEdit
from growth.models import (
    ActionItem,
    AgendaItem,
    AuditEvent,
    Goal,
    OneOnOne,
    Review,
    ReviewCycle,
    ReviewGoal,
    Role,
    Team,
    User,
)

DAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context():
        yield


@pytest.fixture
def cycle(app):
    return ReviewCycle.ensure_for(DAY)


@pytest.fixture
def goals(world, cycle):
    return [Goal.create(owner=world.agent_a, cycle=cycle, title="Learn SQL"),
            Goal.create(owner=world.agent_a, cycle=cycle, title="Write three articles")]


@pytest.fixture
def review(world, cycle, goals):
    return service.open_review(world.lead_a, world.agent_a, cycle.id, today=DAY)


def share(lead, review, outcomes, held_on=DAY):
    service.share_review(lead, review, version=Review.get_by_id(review.id).version,
                         notes="Coaching words", held_on=held_on, next_focus="",
                         outcomes=outcomes)


def refusal(call, *args, **kwargs) -> CoachingError:
    with pytest.raises(CoachingError) as caught:
        call(*args, **kwargs)
    return caught.value


# Sharing ---------------------------------------------------------------------------------

def test_sharing_without_the_date_says_so_next_to_the_date(world, review, goals):
    error = refusal(share, world.lead_a, review,
                    {g.id: ("achieved", "") for g in goals}, held_on=None)
    assert (error.field, str(error)) == ("held_on", "Enter the date you held the review.")
    assert Review.get_by_id(review.id).status == "draft"


def test_sharing_without_an_outcome_points_at_the_first_goal_missing_one(world, review,
                                                                         goals):
    error = refusal(share, world.lead_a, review, {goals[0].id: ("achieved", "")})
    assert (error.field, str(error)) == (
        f"outcome-{goals[1].id}", "Choose an outcome for every goal before sharing.")
    assert Review.get_by_id(review.id).status == "draft"
    assert Goal.get_by_id(goals[0].id).status == "open"


def test_sharing_sets_the_goals_outcomes_and_marks_them_changed(world, review, goals,
                                                                monkeypatch):
    later = datetime(2030, 1, 1, 12, 0)
    monkeypatch.setattr(service, "utcnow", lambda: later)
    share(world.lead_a, review, {goals[0].id: ("achieved", ""), goals[1].id: ("missed", "")})
    assert [(g.status, g.updated_at) for g in Goal.select().order_by(Goal.id)] == [
        ("achieved", later), ("missed", later)]
    shared = AuditEvent.get(AuditEvent.action == "review_shared")
    assert (shared.actor_id, shared.target_id) == (world.lead_a.id, review.id)


def test_correcting_a_shared_review_leaves_goals_without_an_outcome_as_they_are(
        world, review, goals):
    share(world.lead_a, review, {goals[0].id: ("achieved", ""), goals[1].id: ("missed", "")})
    service.edit_review(world.lead_a, review, version=Review.get_by_id(review.id).version,
                        notes="Corrected", held_on=DAY, next_focus="",
                        outcomes={goals[0].id: ("partly", "")})
    assert [g.status for g in Goal.select().order_by(Goal.id)] == ["partly", "missed"]


# Acknowledging -----------------------------------------------------------------------------

def test_acknowledging_keeps_an_empty_response_empty_and_counts_as_a_change(world, review,
                                                                           goals):
    share(world.lead_a, review, {g.id: ("achieved", "") for g in goals})
    before = Review.get_by_id(review.id).version
    service.acknowledge_review(world.agent_a, review, "")
    done = Review.get_by_id(review.id)
    assert (done.status, done.response, done.version) == ("acknowledged", "", before + 1)
    event = AuditEvent.get(AuditEvent.action == "review_acknowledged")
    assert (event.actor_id, event.target_type, event.target_id) == (
        world.agent_a.id, "review", review.id)


def test_only_the_person_reviewed_can_acknowledge(world, review, goals):
    share(world.lead_a, review, {g.id: ("achieved", "") for g in goals})
    with pytest.raises(ReviewLocked):
        service.acknowledge_review(world.agent_a2, review, "Not mine")
    assert Review.get_by_id(review.id).status == "shared"


def test_a_draft_cannot_be_acknowledged(world, review):
    with pytest.raises(ReviewLocked):
        service.acknowledge_review(world.agent_a, review, "Too early")
    assert (Review.get_by_id(review.id).status, Review.get_by_id(review.id).response) == (
        "draft", "")


def test_acknowledging_one_review_leaves_the_persons_other_review_shared(world, cycle, review,
                                                                         goals):
    earlier = ReviewCycle.ensure_for(cycle.starts_on - timedelta(days=1))
    older = service.open_review(world.lead_a, world.agent_a, earlier.id, today=DAY)
    share(world.lead_a, older, {})
    share(world.lead_a, review, {g.id: ("achieved", "") for g in goals})
    service.acknowledge_review(world.agent_a, review, "Thanks")
    assert Review.get_by_id(older.id).status == "shared"


# The lead's part -----------------------------------------------------------------------------

def edit(lead, review, outcomes, notes="Coaching words", next_focus="Mentor a new starter"):
    service.edit_review(lead, review, version=Review.get_by_id(review.id).version, notes=notes,
                        held_on=DAY, next_focus=next_focus, outcomes=outcomes)


def saved_outcomes(review):
    return {rg.goal_id: (rg.outcome, rg.comment)
            for rg in ReviewGoal.select().where(ReviewGoal.review == review.id)}


def test_a_draft_keeps_the_notes_the_focus_and_each_goals_outcome_and_comment(world, review,
                                                                             goals):
    edit(world.lead_a, review, {goals[0].id: ("achieved", "Well done")})
    saved = Review.get_by_id(review.id)
    assert (saved.notes, saved.next_focus) == ("Coaching words", "Mentor a new starter")
    assert saved_outcomes(review) == {goals[0].id: ("achieved", "Well done"),
                                      goals[1].id: ("", "")}
    edit(world.lead_a, review, {goals[0].id: ("partly", "Half way"),
                                goals[1].id: (None, None)}, notes=None, next_focus=None)
    saved = Review.get_by_id(review.id)
    assert (saved.notes, saved.next_focus) == ("", "")
    assert saved_outcomes(review) == {goals[0].id: ("partly", "Half way"),
                                      goals[1].id: ("", "")}


def test_saving_one_review_leaves_another_persons_draft_alone(world, cycle, review, goals):
    other = service.open_review(world.lead_a, world.agent_a2, cycle.id, today=DAY)
    edit(world.lead_a, review, {})
    assert (Review.get_by_id(other.id).notes, Review.get_by_id(other.id).version) == ("", 1)


def test_an_acknowledged_review_is_read_only_for_the_lead(world, review, goals):
    share(world.lead_a, review, {g.id: ("achieved", "") for g in goals})
    service.acknowledge_review(world.agent_a, review, "Thanks")
    with pytest.raises(ReviewLocked):
        edit(world.lead_a, review, {}, notes="Later")
    assert Review.get_by_id(review.id).notes == "Coaching words"


def test_sharing_is_audited_with_the_person_reviewed(world, review, goals):
    share(world.lead_a, review, {g.id: ("achieved", "") for g in goals})
    shared = AuditEvent.get(AuditEvent.action == "review_shared")
    assert shared.detail == f"person={world.agent_a.id}"


# Opening a whole team's reviews -------------------------------------------------------------

def open_team(lead, team, cycle, submission="key-1234", today=DAY):
    return service.open_team_reviews(lead, team, cycle.id, submission, today=today)


def test_a_team_opening_for_a_cycle_not_started_says_so_next_to_the_cycle(world, cycle):
    later = ReviewCycle.ensure_for(cycle.ends_on + timedelta(days=1))
    error = refusal(open_team, world.lead_a, world.team_a, later)
    assert (error.field, str(error)) == ("cycle_id",
                                         "Choose the current cycle or one that has ended.")
    assert Review.select().count() == 0


def test_a_team_opening_on_the_cycles_first_day_opens_its_reviews(world, cycle):
    assert open_team(world.lead_a, world.team_a, cycle, today=cycle.starts_on) == (2, 0)


def test_someone_hired_on_the_cycles_last_day_is_in_the_team_opening(world, make_user, cycle):
    newcomer = make_user(team=world.team_a, hired_on=cycle.ends_on)
    assert open_team(world.lead_a, world.team_a, cycle, today=cycle.ends_on) == (3, 0)
    assert Review.get_or_none(Review.person == newcomer.id, Review.cycle == cycle.id)


def test_each_review_a_team_opening_opens_names_the_lead_and_is_audited(world, cycle):
    open_team(world.lead_a, world.team_a, cycle)
    reviews = list(Review.select().order_by(Review.person))
    assert [(r.person_id, r.lead_id) for r in reviews] == [
        (world.agent_a.id, world.lead_a.id), (world.agent_a2.id, world.lead_a.id)]
    events = AuditEvent.select().where(AuditEvent.action == "review_opened")
    assert sorted((e.actor_id, e.target_type, e.target_id, e.detail) for e in events) == [
        (world.lead_a.id, "review", r.id, f"person={r.person_id} cycle={cycle.id} batch=key-1234")
        for r in reviews]


def test_a_second_team_opening_without_a_form_key_finds_everyone_has_a_review(world, cycle):
    assert open_team(world.lead_a, world.team_a, cycle, submission=None) == (2, 0)
    assert open_team(world.lead_a, world.team_a, cycle, submission=None) == (0, 2)
    assert Review.select().count() == 2


def test_a_new_lead_reusing_the_old_leads_form_key_is_not_told_of_the_old_leads_openings(
        world, make_user, cycle):
    assert open_team(world.lead_a, world.team_a, cycle) == (2, 0)
    successor = make_user(Role.LEAD, team=world.team_a, name="New lead")
    Team.update(lead=successor).where(Team.id == world.team_a.id).execute()
    User.update(team=None).where(User.id == world.lead_a.id).execute()  # the old lead moved on
    assert open_team(successor, world.team_a, cycle) == (0, 2)


# The self-assessment ---------------------------------------------------------------------------

def write_self(person, review, text, submit=False):
    service.save_self_assessment(person, review, text, submit,
                                 Review.get_by_id(review.id).self_version)


def test_saving_one_self_assessment_leaves_the_persons_other_review_alone(world, cycle,
                                                                          review):
    earlier = ReviewCycle.ensure_for(cycle.starts_on - timedelta(days=1))
    older = service.open_review(world.lead_a, world.agent_a, earlier.id, today=DAY)
    write_self(world.agent_a, review, "I learnt SQL.")
    assert [(r.id, r.self_assessment) for r in Review.select().order_by(Review.id)] == [
        (review.id, "I learnt SQL."), (older.id, "")]


def test_only_the_person_reviewed_writes_their_self_assessment(world, review):
    with pytest.raises(StaleEdit):
        write_self(world.lead_a, review, "Written for them", submit=True)
    kept = Review.get_by_id(review.id)
    assert (kept.self_assessment, kept.self_submitted_at) == ("", None)


# Action items ----------------------------------------------------------------------------------

def test_ticking_an_action_item_records_when_and_reopening_it_clears_that(world,
                                                                           monkeypatch):
    service.record_one_on_one(world.lead_a, world.agent_a, held_on=DAY, shared_notes="",
                              private_notes="", today=DAY,
                              action_items=[{"text": "Read the refund policy",
                                             "owner": "person"}])
    item = ActionItem.get()
    ticked_at = datetime(2030, 1, 1, 12, 0)
    monkeypatch.setattr(service, "utcnow", lambda: ticked_at)
    service.set_action_item_done(world.agent_a, item, True)
    assert (ActionItem.get_by_id(item.id).done, ActionItem.get_by_id(item.id).done_at) == (
        True, ticked_at)
    service.set_action_item_done(world.agent_a, item, False)
    assert (ActionItem.get_by_id(item.id).done, ActionItem.get_by_id(item.id).done_at) == (
        False, None)


def test_submitting_the_self_assessment_is_audited_as_the_persons_and_then_read_only(
        world, review):
    write_self(world.agent_a, review, "I learnt SQL.", submit=True)
    event = AuditEvent.get(AuditEvent.action == "self_assessment_submitted")
    assert (event.actor_id, event.target_type, event.target_id) == (
        world.agent_a.id, "review", review.id)
    with pytest.raises(ReviewLocked):
        write_self(world.agent_a, review, "Second thoughts")
    assert Review.get_by_id(review.id).self_assessment == "I learnt SQL."


def test_an_acknowledged_review_takes_no_self_assessment_any_more(world, review, goals):
    share(world.lead_a, review, {g.id: ("achieved", "") for g in goals})
    service.acknowledge_review(world.agent_a, review, "Thanks")
    with pytest.raises(ReviewLocked):
        write_self(world.agent_a, review, "Too late")
    assert Review.get_by_id(review.id).self_assessment == ""


@pytest.mark.parametrize("emptied", ["", None])
def test_an_emptied_draft_is_kept_empty_and_a_double_clicked_save_of_it_is_harmless(
        world, review, emptied):
    write_self(world.agent_a, review, "First words")
    version = Review.get_by_id(review.id).self_version
    service.save_self_assessment(world.agent_a, review, emptied, False, version)
    service.save_self_assessment(world.agent_a, review, emptied, False, version)
    kept = Review.get_by_id(review.id)
    assert (kept.self_assessment, kept.self_version) == ("", version + 1)


# One-on-ones -------------------------------------------------------------------------------------

def test_a_one_on_one_not_yet_held_is_refused_next_to_its_date(world):
    error = refusal(service.record_one_on_one, world.lead_a, world.agent_a,
                    held_on=DAY + timedelta(days=1), shared_notes="", private_notes="",
                    action_items=[], today=DAY)
    assert (error.field, str(error)) == ("held_on", "Record a one-on-one once it has been held.")
    assert OneOnOne.select().count() == 0


def test_a_one_on_one_keeps_its_notes_items_and_key_and_takes_up_the_persons_open_agenda(
        world):
    earlier = service.record_one_on_one(world.lead_a, world.agent_a, held_on=DAY,
                                        shared_notes="", private_notes="", action_items=[],
                                        today=DAY)
    service.add_agenda_item(world.lead_a, world.agent_a, " Conference budget ", "agenda-1234")
    service.add_agenda_item(world.agent_a2, world.agent_a2, "Someone else's topic")
    AgendaItem.create(person=world.agent_a, author=world.agent_a, text="Talked about",
                      one_on_one=earlier)
    meeting = service.record_one_on_one(
        world.lead_a, world.agent_a, held_on=DAY, shared_notes=None, private_notes=None,
        action_items=[{"text": "Draft the refunds article", "owner": "person",
                       "due_on": DAY + timedelta(days=14)},
                      {"text": "Ask product for release notes", "owner": "lead"}],
        submission="meeting-key-1234", today=DAY)
    kept = OneOnOne.get_by_id(meeting.id)
    assert (kept.person_id, kept.lead_id, kept.held_on, kept.shared_notes, kept.private_notes,
            kept.submission) == (world.agent_a.id, world.lead_a.id, DAY, "", "",
                                 "meeting-key-1234")
    assert [(i.person_id, i.one_on_one_id, i.owner_id, i.text, i.due_on)
            for i in ActionItem.select().order_by(ActionItem.id)] == [
        (world.agent_a.id, meeting.id, world.agent_a.id, "Draft the refunds article",
         DAY + timedelta(days=14)),
        (world.agent_a.id, meeting.id, world.lead_a.id, "Ask product for release notes", None)]
    assert [(a.text, a.author_id, a.submission, a.one_on_one_id)
            for a in AgendaItem.select().order_by(AgendaItem.id)] == [
        ("Conference budget", world.lead_a.id, "agenda-1234", meeting.id),
        ("Someone else's topic", world.agent_a2.id, None, None),
        ("Talked about", world.agent_a.id, None, earlier.id)]
    event = AuditEvent.select().where(AuditEvent.action == "one_on_one_recorded").order_by(
        AuditEvent.id.desc()).get()
    assert (event.actor_id, event.target_id, event.detail) == (
        world.lead_a.id, meeting.id, f"person={world.agent_a.id}")


def test_one_on_ones_without_a_key_are_each_recorded(world):
    for _ in range(2):
        service.record_one_on_one(world.lead_a, world.agent_a, held_on=DAY, shared_notes="",
                                  private_notes="", action_items=[], submission="", today=DAY)
    assert [m.submission for m in OneOnOne.select()] == [None, None]


# Opening one review ------------------------------------------------------------------------------

def test_opening_a_review_for_a_cycle_not_started_says_so_next_to_the_cycle(world, cycle):
    later = ReviewCycle.ensure_for(cycle.ends_on + timedelta(days=1))
    for not_started, today in ((later, DAY), (cycle, cycle.starts_on - timedelta(days=1))):
        error = refusal(service.open_review, world.lead_a, world.agent_a, not_started.id,
                        today=today)
        assert (error.field, str(error)) == ("cycle_id",
                                             "Choose the current cycle or one that has ended.")
    assert Review.select().count() == 0


def test_the_cycles_a_review_opens_for_run_from_the_hire_to_today_newest_first(world,
                                                                             make_user, cycle):
    before = ReviewCycle.ensure_for(cycle.starts_on - timedelta(days=1))
    ReviewCycle.ensure_for(before.starts_on - timedelta(days=1))  # before the hire
    ReviewCycle.ensure_for(cycle.ends_on + timedelta(days=1))  # not started
    person = make_user(team=world.team_a, hired_on=before.ends_on)
    assert [c.id for c in service.openable_cycles(person, today=cycle.starts_on)] == [
        cycle.id, before.id]


def test_opening_a_review_records_its_lead_and_a_second_one_leads_to_the_first(world):
    earlier = ReviewCycle.ensure_for(DAY - timedelta(days=365))  # made first: the lower id
    cycle = ReviewCycle.ensure_for(DAY)
    other = service.open_review(world.lead_a, world.agent_a2, cycle.id, today=DAY)
    older = service.open_review(world.lead_a, world.agent_a, earlier.id, today=DAY)
    review = service.open_review(world.lead_a, world.agent_a, cycle.id, today=DAY)
    kept = Review.get_by_id(review.id)
    assert (kept.person_id, kept.cycle_id, kept.lead_id, kept.status) == (
        world.agent_a.id, cycle.id, world.lead_a.id, "draft")
    event = AuditEvent.select().where(AuditEvent.action == "review_opened").order_by(
        AuditEvent.id.desc()).get()
    assert (event.actor_id, event.target_type, event.target_id, event.detail) == (
        world.lead_a.id, "review", review.id, f"person={world.agent_a.id} cycle={cycle.id}")
    with pytest.raises(service.ReviewExists) as exists:
        service.open_review(world.lead_b, world.agent_a, cycle.id, today=DAY)
    assert exists.value.review.id == review.id not in (other.id, older.id)
    assert Review.select().count() == 3


def test_a_reviews_goals_are_the_persons_in_its_cycle_oldest_first(world, cycle, review,
                                                                   goals):
    earlier = ReviewCycle.ensure_for(cycle.starts_on - timedelta(days=1))
    Goal.create(owner=world.agent_a, cycle=earlier, title="Last half's goal")
    Goal.create(owner=world.agent_a2, cycle=cycle, title="A teammate's goal")
    first = Goal.create(owner=world.agent_a, cycle=cycle, title="Backdated",
                        created_at=datetime(2020, 1, 1))
    same_time = datetime(2026, 11, 25, 9, 0)
    Goal.update(created_at=same_time).where(Goal.id.in_([g.id for g in goals])).execute()
    assert [g.id for g in service.review_goals(review)] == [first.id] + [g.id for g in goals]


def test_the_cycles_offered_are_newest_first_whatever_order_they_were_made(make_user):
    person = make_user(hired_on=date(2025, 1, 6))
    made = [ReviewCycle.ensure_for(day) for day in
            (date(2025, 2, 1), date(2025, 8, 1), date(2026, 2, 1))]
    offered = [cycle.id for cycle in service.openable_cycles(person, today=date(2026, 3, 1))]
    assert offered == [made[2].id, made[1].id, made[0].id]
