"""A lead coaches one agent through a one-on-one and the review, in two browsers side by side."""

from datetime import date

import pytest

from growth.models import Goal, Review, ReviewCycle, Role, Team, User
from growth.passwords import hash_password

from ..conftest import PASSWORD
from .conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def people(live_server):
    team = Team.create(name="Tier 1 Support")
    password_hash = hash_password(PASSWORD)
    lead = User.create(email="leo@example.com", name="Leo Martin", role=Role.LEAD.value,
                       team=team, hired_on=date(2019, 3, 4), password_hash=password_hash)
    Team.update(lead=lead).where(Team.id == team.id).execute()
    agent = User.create(email="ana@example.com", name="Ana Ruiz", role=Role.AGENT.value,
                        team=team, hired_on=date(2022, 5, 2), password_hash=password_hash)
    cycle = ReviewCycle.ensure_for(date.today())
    Goal.create(owner=agent, cycle=cycle, title="Learn SQL joins")
    return {"lead": lead, "agent": agent, "cycle": cycle}


def accept_dialogs(page):
    page.on("dialog", lambda dialog: dialog.accept())


def test_one_on_one_then_a_blind_review_shared_and_acknowledged(page_for, people):
    lead = page_for()
    agent = page_for()
    accept_dialogs(lead)
    accept_dialogs(agent)

    # The lead records a one-on-one with a private note and an action item.
    sign_in(lead, "leo@example.com", PASSWORD)
    lead.get_by_role("link", name="My team").click()
    lead.get_by_role("link", name="Ana Ruiz").first.click()
    lead.get_by_label("Shared notes").fill("Talked about the SQL course and the docs backlog.")
    lead.get_by_label("Private notes").fill("Seems tired; check the queue load.")
    lead.get_by_label("Action item 1").fill("Finish module 4 of the SQL course")
    lead.get_by_role("button", name="Record the one-on-one").click()
    lead.get_by_text("One-on-one recorded.").wait_for()
    assert lead.get_by_text("Seems tired; check the queue load.").is_visible()

    # ...and opens the review for the current cycle.
    lead.get_by_label("Cycle").select_option(label=people["cycle"].name)
    lead.get_by_role("button", name="Open the review").click()
    lead.get_by_text("Review opened as a draft.").wait_for()
    review_url = lead.url

    # The agent sees the shared part only, and starts the self-assessment.
    sign_in(agent, "ana@example.com", PASSWORD)
    agent.get_by_role("link", name="Coaching").click()
    agent.get_by_text("Talked about the SQL course").wait_for()
    assert agent.get_by_text("Finish module 4 of the SQL course").count() >= 1
    assert "Seems tired" not in agent.content()
    agent.get_by_role("link", name=f"Review {people['cycle'].name}").click()
    agent.get_by_label("Your self-assessment").fill("I finished the joins chapter early.")
    agent.get_by_role("button", name="Save draft").click()
    agent.get_by_text("Only you can read it until you submit it.").wait_for()

    # Blind: the lead can't read the draft; writes and saves their part.
    lead.goto(review_url)
    assert "finished the joins chapter" not in lead.content()
    assert lead.get_by_text("hasn’t submitted their self-assessment yet").is_visible()
    notes = lead.get_by_label("Coaching notes", exact=True)
    notes.fill("Great pace this half; share what you learn.")
    goal = lead.get_by_role("group", name="Learn SQL joins")  # the goal is named once
    goal.get_by_label("Outcome").select_option(label="Achieved")
    comment = goal.get_by_label("Comment")
    comment.fill("Module 4 done and used in the billing report.")
    lead.get_by_label("Focus for the next cycle").fill("Mentor a new starter.")
    lead.get_by_label("Held on").fill(date.today().isoformat())
    lead.get_by_role("button", name="Save draft").click()
    lead.get_by_text("Draft saved.").wait_for()

    # Blind the other way: the agent can't read the lead's draft; submits.
    agent.reload()
    assert "Great pace this half" not in agent.content()
    agent.get_by_role("button", name="Submit to my lead").click()
    agent.get_by_text("Submitted: your lead can read it now.").wait_for()
    assert agent.get_by_label("Your self-assessment").count() == 0  # read-only now

    # The lead reads it now and shares the review.
    lead.reload()
    lead.get_by_text("I finished the joins chapter early.").wait_for()
    lead.get_by_role("button", name="Share with Ana Ruiz").click()
    lead.get_by_text("Shared: they can read your part now.").wait_for()
    # Shared: the lead's button saves changes, no longer a draft.
    assert lead.get_by_role("button", name="Save draft").count() == 0
    assert lead.get_by_role("button", name="Save changes").is_visible()

    # The agent reads the shared review and acknowledges it.
    agent.reload()
    agent.get_by_text("Great pace this half; share what you learn.").wait_for()
    assert agent.get_by_text("Module 4 done and used in the billing report.").is_visible()
    agent.get_by_label("Your response (optional)").fill("Thanks, agreed on mentoring.")
    agent.get_by_role("button", name="Acknowledge the review").click()
    agent.get_by_text("Acknowledged. The review is complete.").wait_for()
    assert agent.get_by_role("button", name="Acknowledge the review").count() == 0

    lead.reload()
    lead.get_by_text("Thanks, agreed on mentoring.").wait_for()
    # Read-only for the lead too.
    assert lead.get_by_label("Coaching notes", exact=True).count() == 0
    review = Review.get(Review.person == people["agent"].id)
    assert review.status == "acknowledged"
    assert Goal.get(Goal.owner == people["agent"].id).status == "achieved"


def _stage_of(page, name: str) -> str:
    """The review stage the team page shows in the person's row."""
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))
    return row.locator(".review-stage").inner_text()


def test_the_lead_opens_the_teams_reviews_and_watches_the_stages_move(page_for, people):
    lead = page_for()
    agent = page_for()
    accept_dialogs(agent)
    team = Team.get(Team.name == "Tier 1 Support")
    User.create(email="ben@example.com", name="Ben Ortiz", role=Role.AGENT.value, team=team,
                hired_on=date(2023, 1, 9), password_hash=people["agent"].password_hash)

    # Signed in, the lead lands on the team page, where no review is open yet.
    sign_in(lead, "leo@example.com", PASSWORD)
    lead.wait_for_url("**/team")
    assert _stage_of(lead, "Ana Ruiz") == _stage_of(lead, "Ben Ortiz") == "Not opened"

    # One action opens everyone's review for the current cycle.
    lead.get_by_label("Cycle").select_option(label=people["cycle"].name)
    lead.get_by_role("button", name="Open everyone’s review").click()
    lead.get_by_text(f"Opened 2 reviews for {people['cycle'].name}.").wait_for()
    assert _stage_of(lead, "Ana Ruiz") == "Self-assessment in progress"
    assert Review.select().where(Review.cycle == people["cycle"].id).count() == 2

    # Pressed again, nobody gets a second one.
    lead.get_by_role("button", name="Open everyone’s review").click()
    lead.get_by_text("Everyone in Tier 1 Support already has a review").wait_for()
    assert Review.select().count() == 2

    # The agent writes, then submits the self-assessment; the lead's page follows.
    sign_in(agent, "ana@example.com", PASSWORD)
    agent.get_by_role("link", name="Coaching").click()
    reviews = agent.locator("#reviews")
    assert reviews.locator(".review-stage").first.inner_text() == "Self-assessment in progress"
    agent.get_by_role("link", name=f"Review {people['cycle'].name}").click()
    agent.get_by_label("Your self-assessment").fill("Joins done; next, window functions.")
    agent.get_by_role("button", name="Submit to my lead").click()
    agent.get_by_text("Submitted: your lead can read it now.").wait_for()
    assert agent.locator(".review-stage").inner_text() == "Self-assessment submitted"

    lead.reload()
    assert _stage_of(lead, "Ana Ruiz") == "Self-assessment submitted"
    assert _stage_of(lead, "Ben Ortiz") == "Self-assessment in progress"

    # The lead starts their part: drafting.
    lead.get_by_role("row").filter(has=lead.get_by_role("link", name="Ana Ruiz",
                                                        exact=True)).locator(
        ".review-stage").click()
    lead.get_by_label("Coaching notes", exact=True).fill("Good progress on SQL.")
    lead.get_by_role("button", name="Save draft").click()
    lead.get_by_text("Draft saved.").wait_for()
    assert lead.locator(".review-stage").inner_text() == "Lead drafting"
