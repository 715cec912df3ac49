"""The twice-yearly review: opening, blind writing, sharing, acknowledging, evidence."""

import re
from datetime import date, datetime, timedelta

import pytest

from growth.coaching import service
from growth.models import (
    ActionItem,
    Activity,
    AuditEvent,
    DevDay,
    Goal,
    Review,
    ReviewCycle,
    ReviewGoal,
)
from growth.weeks import monday_of

from .test_coaching import signed_in


@pytest.fixture
def cycle(app):
    return ReviewCycle.ensure_for(date.today())


@pytest.fixture
def goals(world, cycle):
    return [Goal.create(owner=world.agent_a, cycle=cycle, title="Learn SQL"),
            Goal.create(owner=world.agent_a, cycle=cycle, title="Write three articles")]


@pytest.fixture
def review(world, cycle, goals):
    return service.open_review(world.lead_a, world.agent_a, cycle.id)


def lead_form(review, goals, **extra):
    data = {"version": str(Review.get_by_id(review.id).version), "notes": "Coaching words",
            "held_on": date.today().isoformat(), "next_focus": "Mentor a new starter"}
    for goal, outcome in zip(goals, ["achieved", "dropped"], strict=True):
        data[f"outcome-{goal.id}"] = outcome
        data[f"comment-{goal.id}"] = f"Comment on {goal.title}"
    data.update(extra)
    return data


def page(client, review):
    response = client.get(f"/reviews/{review.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# Opening ------------------------------------------------------------------------------

def test_lead_opens_a_draft_for_the_current_cycle(world, client_for, cycle):
    lead = signed_in(client_for, world.lead_a)
    response = lead.post(f"/team/{world.agent_a.id}/reviews", data={"cycle_id": cycle.id})
    review = Review.get()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/reviews/{review.id}")
    assert (review.person_id, review.cycle_id, review.lead_id, review.status) == (
        world.agent_a.id, cycle.id, world.lead_a.id, "draft")
    assert AuditEvent.get(AuditEvent.action == "review_opened").target_id == review.id


def test_opening_twice_is_a_friendly_redirect_not_an_error(world, client_for, review, cycle):
    lead = signed_in(client_for, world.lead_a)
    response = lead.post(f"/team/{world.agent_a.id}/reviews", data={"cycle_id": cycle.id},
                         follow_redirects=True)
    assert response.status_code == 200
    assert "already open" in response.get_data(as_text=True)
    assert Review.select().count() == 1


def test_an_ended_cycle_can_be_opened_but_not_a_future_one(world, client_for, cycle):
    ended = ReviewCycle.ensure_for(cycle.starts_on - timedelta(days=1))
    future = ReviewCycle.ensure_for(cycle.ends_on + timedelta(days=1))
    lead = signed_in(client_for, world.lead_a)
    response = lead.post(f"/team/{world.agent_a.id}/reviews", data={"cycle_id": future.id})
    assert response.status_code == 422
    assert "current cycle or one that has ended" in response.get_data(as_text=True)
    for bad in ("", "abc", "999999"):
        assert lead.post(f"/team/{world.agent_a.id}/reviews",
                         data={"cycle_id": bad}).status_code == 422
    assert Review.select().count() == 0
    assert lead.post(f"/team/{world.agent_a.id}/reviews",
                     data={"cycle_id": ended.id}).status_code == 302
    assert Review.get().cycle_id == ended.id


@pytest.mark.parametrize("who, status", [("agent_a", 403), ("hr", 403), ("lead_b", 404)])
def test_only_their_lead_opens_a_review(world, client_for, cycle, who, status):
    client = signed_in(client_for, getattr(world, who))
    assert client.post(f"/team/{world.agent_a.id}/reviews",
                       data={"cycle_id": cycle.id}).status_code == status
    assert Review.select().count() == 0


@pytest.mark.parametrize("who", ["agent_a2", "agent_b", "lead_b", "hr", "admin"])
def test_strangers_get_404_for_the_review(world, client_for, review, goals, who):
    client = signed_in(client_for, getattr(world, who))
    assert client.get(f"/reviews/{review.id}").status_code == 404
    for action, data in (("self-assessment", {"text": "x"}), ("acknowledge", {}),
                         ("edit", lead_form(review, goals)), ("share", lead_form(review, goals))):
        assert client.post(f"/reviews/{review.id}/{action}", data=data).status_code == 404
    assert Review.get_by_id(review.id).notes == ""


# Blind writing --------------------------------------------------------------------------

def test_self_assessment_is_blind_until_submitted(world, client_for, review):
    agent = signed_in(client_for, world.agent_a)
    lead = signed_in(client_for, world.lead_a)
    assert agent.post(f"/reviews/{review.id}/self-assessment",
                      data={"text": "My draft words", "version": "1"}).status_code == 302
    assert "My draft words" in page(agent, review)
    lead_page = page(lead, review)
    assert "My draft words" not in lead_page
    assert "hasn’t submitted" in lead_page

    assert agent.post(f"/reviews/{review.id}/self-assessment",
                      data={"text": "My final words", "submit": "1",
                            "version": "2"}).status_code == 302
    assert "My final words" in page(lead, review)
    assert AuditEvent.select().where(AuditEvent.action == "self_assessment_submitted").exists()

    again = agent.post(f"/reviews/{review.id}/self-assessment",
                       data={"text": "Changed my mind", "submit": "1", "version": "3"})
    assert again.status_code == 409
    assert Review.get_by_id(review.id).self_assessment == "My final words"
    assert 'name="text"' not in page(agent, review).split('id="coaching"')[0]


def test_the_lead_cannot_write_the_self_assessment(world, client_for, review):
    lead = signed_in(client_for, world.lead_a)
    assert lead.post(f"/reviews/{review.id}/self-assessment",
                     data={"text": "x"}).status_code == 403
    assert Review.get_by_id(review.id).self_assessment == ""


def test_self_assessment_over_the_limit_is_refused(world, client_for, review):
    agent = signed_in(client_for, world.agent_a)
    response = agent.post(f"/reviews/{review.id}/self-assessment", data={"text": "x" * 20_001,
                                                                         "version": "1"})
    assert response.status_code == 422
    assert Review.get_by_id(review.id).self_assessment == ""


def test_coaching_notes_are_blind_until_shared(world, client_for, review, goals):
    lead = signed_in(client_for, world.lead_a)
    agent = signed_in(client_for, world.agent_a)
    assert lead.post(f"/reviews/{review.id}/edit",
                     data=lead_form(review, goals)).status_code == 302
    saved = Review.get_by_id(review.id)
    assert (saved.notes, saved.status, saved.version) == ("Coaching words", "draft", 2)
    assert {o.outcome for o in ReviewGoal.select()} == {"achieved", "dropped"}
    assert {g.status for g in Goal.select()} == {"open"}  # not until shared
    agent_page = page(agent, review)
    for hidden in ("Coaching words", "Mentor a new starter", "Comment on Learn SQL"):
        assert hidden not in agent_page
    assert "writing their part" in agent_page


# Sharing and acknowledging ----------------------------------------------------------------

def test_a_stale_form_is_refused(world, client_for, review, goals):
    lead = signed_in(client_for, world.lead_a)
    stale = lead_form(review, goals)
    assert lead.post(f"/reviews/{review.id}/edit", data=stale).status_code == 302
    stale["notes"] = "Overwrites the newer text"
    assert lead.post(f"/reviews/{review.id}/edit", data=stale).status_code == 409
    assert lead.post(f"/reviews/{review.id}/share", data=stale).status_code == 409
    saved = Review.get_by_id(review.id)
    assert (saved.notes, saved.status) == ("Coaching words", "draft")


def test_a_stale_review_form_shows_what_is_saved_and_keeps_what_was_typed(world, client_for,
                                                                          review, goals):
    lead = signed_in(client_for, world.lead_a)
    stale = lead_form(review, goals)
    assert lead.post(f"/reviews/{review.id}/edit", data=stale).status_code == 302
    response = lead.post(f"/reviews/{review.id}/edit",
                         data={**stale, "notes": "The second tab's words"})
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "changed after you opened it" in text
    assert "Coaching words" in text and "The second tab&#39;s words" in text
    assert 'name="version" type="hidden" value="2"' in text
    assert Review.get_by_id(review.id).notes == "Coaching words"


def test_sharing_needs_a_date_and_every_outcome(world, client_for, review, goals):
    lead = signed_in(client_for, world.lead_a)
    response = lead.post(f"/reviews/{review.id}/share",
                         data=lead_form(review, goals, held_on=""))
    assert response.status_code == 422
    assert "date you held the review" in response.get_data(as_text=True)
    response = lead.post(f"/reviews/{review.id}/share",
                         data=lead_form(review, goals, **{f"outcome-{goals[0].id}": ""}))
    assert response.status_code == 422
    assert "outcome for every goal" in response.get_data(as_text=True)
    assert "Coaching words" in response.get_data(as_text=True)  # input kept
    assert Review.get_by_id(review.id).status == "draft"
    response = lead.post(f"/reviews/{review.id}/share",
                         data=lead_form(review, goals, **{f"outcome-{goals[0].id}": "great"}))
    assert response.status_code == 422


def test_share_then_acknowledge_then_read_only(world, client_for, review, goals, today):
    lead = signed_in(client_for, world.lead_a)
    agent = signed_in(client_for, world.agent_a)
    assert lead.post(f"/reviews/{review.id}/share",
                     data=lead_form(review, goals)).status_code == 302
    shared = Review.get_by_id(review.id)
    assert shared.status == "shared" and shared.held_on == today and shared.shared_at
    assert {g.title: g.status for g in Goal.select()} == {
        "Learn SQL": "achieved", "Write three articles": "dropped"}
    assert AuditEvent.get(AuditEvent.action == "review_shared").target_id == review.id
    agent_page = page(agent, review)
    assert "Coaching words" in agent_page and "Comment on Learn SQL" in agent_page
    assert "Acknowledge the review" in agent_page

    # Shared reviews can still be corrected; goals follow.
    fix = lead_form(review, goals, **{f"outcome-{goals[1].id}": "partly"})
    assert lead.post(f"/reviews/{review.id}/edit", data=fix).status_code == 302
    assert Goal.get_by_id(goals[1].id).status == "partly"
    assert lead.post(f"/reviews/{review.id}/share", data=lead_form(review, goals)
                     ).status_code == 409
    assert lead.post(f"/reviews/{review.id}/acknowledge", data={}).status_code == 403

    assert agent.post(f"/reviews/{review.id}/acknowledge",
                      data={"response": "Thanks, agreed"}).status_code == 302
    done = Review.get_by_id(review.id)
    assert done.status == "acknowledged" and done.response == "Thanks, agreed"
    assert AuditEvent.get(AuditEvent.action == "review_acknowledged").actor_id == world.agent_a.id

    version = done.version
    assert lead.post(f"/reviews/{review.id}/edit",
                     data=lead_form(review, goals, notes="Later")).status_code == 409
    assert lead.post(f"/reviews/{review.id}/share", data=lead_form(review, goals)
                     ).status_code == 409
    assert agent.post(f"/reviews/{review.id}/acknowledge",
                      data={"response": "again"}).status_code == 409
    assert agent.post(f"/reviews/{review.id}/self-assessment",
                      data={"text": "late"}).status_code == 409
    after = Review.get_by_id(review.id)
    assert (after.notes, after.response, after.self_assessment, after.version) == (
        "Coaching words", "Thanks, agreed", "", version)
    assert Goal.get_by_id(goals[1].id).status == "partly"
    lead_page = page(lead, review)
    assert 'name="notes"' not in lead_page and "Thanks, agreed" in lead_page


def test_a_draft_cannot_be_acknowledged(world, client_for, review):
    agent = signed_in(client_for, world.agent_a)
    assert agent.post(f"/reviews/{review.id}/acknowledge", data={}).status_code == 409
    assert Review.get_by_id(review.id).status == "draft"


def test_outcomes_for_goals_outside_the_review_are_ignored(world, client_for, review, goals,
                                                          cycle):
    others = Goal.create(owner=world.agent_a2, cycle=cycle, title="Not theirs")
    lead = signed_in(client_for, world.lead_a)
    data = lead_form(review, goals, **{f"outcome-{others.id}": "missed"})
    assert lead.post(f"/reviews/{review.id}/share", data=data).status_code == 302
    assert Goal.get_by_id(others.id).status == "open"
    assert not ReviewGoal.select().where(ReviewGoal.goal == others.id).exists()


def test_goalless_review_can_be_shared(world, client_for, make_user, cycle, today):
    review = service.open_review(world.lead_a, world.agent_a2, cycle.id)
    lead = signed_in(client_for, world.lead_a)
    assert lead.post(f"/reviews/{review.id}/share", data={
        "version": "1", "notes": "n", "held_on": today.isoformat(), "next_focus": ""}
    ).status_code == 302
    assert Review.get_by_id(review.id).status == "shared"


# Evidence ---------------------------------------------------------------------------------

def test_both_see_the_evidence_of_the_cycle(world, client_for, review, goals, today):
    monday = monday_of(today)
    logged = DevDay.create(user=world.agent_a, week_start=monday, minutes=150, status="logged",
                           rating=4)
    Activity.create(dev_day=logged, kind="learning", minutes=90, goal=goals[0], note="SQL ch. 3")
    Activity.create(dev_day=logged, kind="docs", minutes=60, goal=goals[0])
    if monday - timedelta(weeks=1) >= review.cycle.starts_on:
        DevDay.create(user=world.agent_a, week_start=monday - timedelta(weeks=1),
                      status="skipped", skip_reason="workload")
    meeting = service.record_one_on_one(
        world.lead_a, world.agent_a, held_on=today, shared_notes="", private_notes="",
        action_items=[{"text": "Finish module 4", "owner": "person", "due_on": None}])
    assert ActionItem.get().one_on_one_id == meeting.id

    for client in (signed_in(client_for, world.agent_a), signed_in(client_for, world.lead_a)):
        html = page(client, review)
        evidence = html.split("Evidence from the cycle")[1]
        assert "Learn SQL" in evidence and "2.5 h" in evidence and "2 activities" in evidence
        assert "Courses, talks, books and articles: 1.5 h" in evidence
        assert "Finish module 4" in evidence
        assert "Amazing" in evidence


def test_a_stale_self_assessment_draft_answers_409_with_the_saved_text(world, client_for,
                                                                      review, goals):
    first, second = (signed_in(client_for, world.agent_a) for _ in range(2))
    path = f"/reviews/{review.id}/self-assessment"
    assert first.post(path, data={"text": "Tab one", "version": "1"}).status_code == 302
    assert first.post(path, data={"text": "Tab one", "version": "1"}).status_code == 302
    stale = second.post(path, data={"text": "Tab two", "version": "1"})
    assert stale.status_code == 409
    text = stale.get_data(as_text=True)
    assert "changed after you opened it" in text and "Tab one" in text and "Tab two" in text
    assert 'name="version" type="hidden" value="2"' in text
    assert second.post(path, data={"text": "Tab two", "submit": "1",
                                   "version": "1"}).status_code == 409
    assert Review.get_by_id(review.id).self_assessment == "Tab one"
    # The lead's saves never make the agent's form stale, nor the other way round.
    lead = signed_in(client_for, world.lead_a)
    assert lead.post(f"/reviews/{review.id}/edit",
                     data=lead_form(review, goals)).status_code == 302
    assert second.post(path, data={"text": "Both tabs", "version": "2"}).status_code == 302
    assert lead.post(f"/reviews/{review.id}/edit",
                     data=lead_form(review, goals, notes="More words")).status_code == 302


# Stages ---------------------------------------------------------------------------------

def _stage_badges(text: str) -> list[str]:
    return re.findall(r'<span class="badge review-stage[^"]*" data-stage="([a-z_]+)">', text)


def test_the_stage_follows_the_review_from_opening_to_acknowledgement(world, client_for,
                                                                      cycle, goals):
    lead = signed_in(client_for, world.lead_a)
    agent = signed_in(client_for, world.agent_a)
    seen = []

    def stage_everywhere():
        review = Review.get_or_none(Review.person == world.agent_a.id)
        places = [lead.get("/team").get_data(as_text=True)]
        if review is not None:
            places += [lead.get(f"/team/{world.agent_a.id}").get_data(as_text=True),
                       page(lead, review), page(agent, review),
                       agent.get("/one-on-ones").get_data(as_text=True)]
        stages = {_stage_badges(text)[0] if "review-stage" in text else None
                  for text in places[1:]}
        grid = places[0][places[0].index("team-grid"):]
        team_row = re.search(r'>Agent A</a>.*?data-stage="([a-z_]+)"', grid, re.S)
        stages.add(team_row.group(1))
        assert len(stages) == 1, stages  # every page says the same
        seen.append(stages.pop())
        return review

    stage_everywhere()
    lead.post(f"/team/{world.agent_a.id}/reviews", data={"cycle_id": cycle.id})
    review = stage_everywhere()
    agent.post(f"/reviews/{review.id}/self-assessment",
               data={"text": "Half way", "version": "1"})
    stage_everywhere()
    agent.post(f"/reviews/{review.id}/self-assessment",
               data={"text": "Done", "version": "2", "submit": "1"})
    stage_everywhere()
    lead.post(f"/reviews/{review.id}/edit", data=lead_form(review, goals))
    stage_everywhere()
    lead.post(f"/reviews/{review.id}/share", data=lead_form(review, goals))
    stage_everywhere()
    agent.post(f"/reviews/{review.id}/acknowledge", data={"response": ""})
    stage_everywhere()
    assert seen == ["not_opened", "self_in_progress", "self_in_progress", "self_submitted",
                    "lead_drafting", "shared", "acknowledged"]


def test_a_lead_who_drafted_before_the_submission_is_drafting_once_it_arrives(
        world, review, goals):
    service.edit_review(world.lead_a, review, version=1, notes="Early thoughts", held_on=None,
                        next_focus="", outcomes={})
    assert Review.get_by_id(review.id).stage == "self_in_progress"
    service.save_self_assessment(world.agent_a, review, "Mine", True, version=1)
    assert Review.get_by_id(review.id).stage == "lead_drafting"


@pytest.mark.parametrize("locale, words", [
    ("en", ["Not opened", "Self-assessment in progress", "Self-assessment submitted"]),
    ("es", ["Sin abrir", "Autoevaluación en curso", "Autoevaluación enviada"])])
def test_the_stages_read_in_both_languages(world, client_for, cycle, locale, words):
    from growth.models import User

    User.update(locale=locale).where(User.id == world.lead_a.id).execute()
    Review.create(person=world.agent_a, cycle=cycle, lead=world.lead_a)
    Review.create(person=world.agent_a2, cycle=cycle, lead=world.lead_a,
                  self_assessment="x", self_submitted_at=datetime.now())
    text = client_for(world.lead_a).get("/team").get_data(as_text=True)
    for word in words:
        assert f">{word}</span>" in text


def test_after_sharing_the_leads_button_saves_changes_not_a_draft(world, client_for, review,
                                                                  goals):
    lead = signed_in(client_for, world.lead_a)
    assert ">Save draft</button>" in page(lead, review)
    lead.post(f"/reviews/{review.id}/share", data=lead_form(review, goals))
    text = page(lead, review)
    assert ">Save draft</button>" not in text and ">Save changes</button>" in text
    response = lead.post(f"/reviews/{review.id}/edit",
                         data=lead_form(review, goals, notes="Later words"),
                         follow_redirects=True)
    assert "Changes saved." in response.get_data(as_text=True)
    assert Review.get_by_id(review.id).notes == "Later words"


def test_each_goal_is_named_once_in_the_leads_form(world, client_for, review, goals):
    text = page(signed_in(client_for, world.lead_a), review)
    form = text[text.index('action="/reviews/'):text.index("</form>", text.index(
        'action="/reviews/'))]
    for goal in goals:
        assert form.count(goal.title) == 1
        assert f"<legend>{goal.title}</legend>" in form
        assert f'<label for="outcome-{goal.id}">Outcome</label>' in form
        assert f'<label for="comment-{goal.id}">Comment</label>' in form


def test_a_stale_review_form_names_the_goal_of_each_saved_outcome(world, client_for, review,
                                                                  goals):
    lead = signed_in(client_for, world.lead_a)
    stale = lead_form(review, goals)
    lead.post(f"/reviews/{review.id}/edit", data=stale)
    text = lead.post(f"/reviews/{review.id}/edit", data={**stale, "notes": "Other"}
                     ).get_data(as_text=True)
    assert "<dt>Learn SQL · Outcome</dt>" in text


# Opening a whole team's reviews -------------------------------------------------------------

def test_a_team_opening_opens_the_missing_reviews_and_skips_the_rest(world, make_user, cycle):
    make_user(team=world.team_a, name="Future hire", hired_on=cycle.ends_on + timedelta(days=1))
    make_user(team=world.team_a, name="Gone", active=False)
    service.open_review(world.lead_a, world.agent_a, cycle.id)
    opened, had_one = service.open_team_reviews(world.lead_a, world.team_a, cycle.id, "key-1234")
    assert (opened, had_one) == (1, 1)
    people = {r.person_id for r in Review.select().where(Review.cycle == cycle.id)}
    assert people == {world.agent_a.id, world.agent_a2.id}  # not the lead, the gone, the future
    # The same form again (a double click) says what it did the first time, and opens nothing.
    assert service.open_team_reviews(world.lead_a, world.team_a, cycle.id, "key-1234") == (1, 1)
    # A new form finds everyone has one.
    assert service.open_team_reviews(world.lead_a, world.team_a, cycle.id, "key-5678") == (0, 2)
    assert Review.select().count() == 2


def test_a_team_opening_refuses_a_cycle_that_has_not_started(world, cycle):
    later = ReviewCycle.ensure_for(cycle.ends_on + timedelta(days=1))
    with pytest.raises(service.CoachingError):
        service.open_team_reviews(world.lead_a, world.team_a, later.id, "key-1234")
    assert Review.select().count() == 0


def test_the_lead_opens_the_teams_reviews_from_the_team_page(world, client_for, cycle):
    lead = signed_in(client_for, world.lead_a)
    text = lead.get("/team").get_data(as_text=True)
    action = f'action="/team/teams/{world.team_a.id}/reviews"'
    assert action in text
    key = re.search(action + r'.*?name="submission" type="hidden" value="([^"]+)"', text,
                    re.S).group(1)
    form = {"cycle_id": cycle.id, "submission": key}
    response = lead.post(f"/team/teams/{world.team_a.id}/reviews", data=form)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/team#team-{world.team_a.id}"
    shown = lead.get("/team").get_data(as_text=True)
    assert "Opened 2 reviews for " + cycle.name in shown
    assert Review.select().count() == 2
    again = lead.post(f"/team/teams/{world.team_a.id}/reviews", data=form,
                      follow_redirects=True).get_data(as_text=True)
    assert "Opened 2 reviews for " + cycle.name in again  # the double click's answer
    form["submission"] = "another-key-123"
    later = lead.post(f"/team/teams/{world.team_a.id}/reviews", data=form,
                      follow_redirects=True).get_data(as_text=True)
    assert "Everyone in Team A already has a review" in later
    assert Review.select().count() == 2


def test_a_bad_cycle_comes_back_on_the_team_page(world, client_for, cycle):
    lead = signed_in(client_for, world.lead_a)
    response = lead.post(f"/team/teams/{world.team_a.id}/reviews",
                         data={"cycle_id": "", "submission": "key-12345"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Choose a cycle." in text and "<h1>My team</h1>" in text
    response = lead.post(f"/team/teams/{world.team_a.id}/reviews",
                         data={"cycle_id": cycle.id, "submission": ""})  # no key: a new one
    assert response.status_code == 422 and Review.select().count() == 0


@pytest.mark.parametrize("who, status", [("lead_b", 404), ("agent_a", 403), ("hr", 403),
                                         ("admin", 403)])
def test_only_the_teams_lead_opens_its_reviews(world, client_for, cycle, who, status):
    client = signed_in(client_for, getattr(world, who))
    response = client.post(f"/team/teams/{world.team_a.id}/reviews",
                           data={"cycle_id": cycle.id, "submission": "key-12345"})
    assert response.status_code == status
    assert client.get(f"/team/teams/{world.team_a.id}/reviews").status_code == status
    assert Review.select().count() == 0
