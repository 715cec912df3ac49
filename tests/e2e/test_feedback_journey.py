"""An agent reviews a teammate's ticket, the teammate reads and replies, the lead sees it on
/team; a role-play is recorded and shows in three participants' weeks."""

from datetime import date

import pytest

from growth.models import Role, Team, User
from growth.passwords import hash_password

from ..conftest import PASSWORD
from .conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def people(live_server):
    team = Team.create(name="Tier 1 Support")
    password_hash = hash_password(PASSWORD)

    def person(email, name, role):
        return User.create(email=email, name=name, role=role.value, team=team,
                           hired_on=date(2021, 3, 1), password_hash=password_hash)

    lead = person("leo@example.com", "Leo Martin", Role.LEAD)
    Team.update(lead=lead).where(Team.id == team.id).execute()
    return {"lead": lead, "ana": person("ana@example.com", "Ana Ruiz", Role.AGENT),
            "ben": person("ben@example.com", "Ben Okafor", Role.AGENT)}


def test_a_review_given_read_replied_and_seen_by_the_lead(page_for, people):
    ana, ben, lead = page_for(), page_for(), page_for()

    sign_in(ana, "ana@example.com", PASSWORD)
    ana.get_by_role("link", name="Feedback").click()
    ana.get_by_label("Whose ticket").select_option(label="Ben Okafor")
    ana.get_by_label("Ticket link").fill("https://support.example.com/tickets/48213")
    ana.get_by_label("Amazing").check()
    ana.get_by_label("What worked").fill("You named the customer's worry before the fix.")
    ana.get_by_label("One thing to adjust (optional)").fill("One apology is enough.")
    ana.get_by_label("Tone").check()
    ana.get_by_label("Minutes it took (optional)").fill("15")
    ana.get_by_role("button", name="Save review").click()
    ana.get_by_text("Review saved.").wait_for()

    sign_in(ben, "ben@example.com", PASSWORD)
    ben.get_by_text("1 new review of your tickets").wait_for()
    ben.get_by_role("link", name="Ana Ruiz: Amazing").click()
    assert ben.get_by_text("You named the customer's worry before the fix.").is_visible()
    ben.get_by_label("Your reply").fill("Thanks! I'll trim the apology.")
    ben.get_by_role("button", name="Send reply").click()
    ben.get_by_text("Reply sent.").wait_for()
    assert ben.get_by_role("button", name="Send reply").count() == 0

    ana.reload()
    ana.goto(ben.url)
    ana.get_by_text("Thanks! I'll trim the apology.").wait_for()
    assert ana.get_by_role("button", name="Delete this review").count() == 0

    sign_in(lead, "leo@example.com", PASSWORD)
    lead.get_by_role("link", name="My team").click()
    table = lead.locator(".team-feedback")
    ben_row = table.locator("tr", has_text="Ben Okafor")
    assert "Amazing 1" in ben_row.inner_text()
    assert "No review received in four weeks" in table.locator(
        "tr", has_text="Ana Ruiz").inner_text()


def test_a_role_play_shows_in_three_weeks(page_for, people):
    ana = page_for()
    sign_in(ana, "ana@example.com", PASSWORD)
    ana.get_by_role("link", name="Practice").click()
    ana.get_by_label("Scenario").fill("Refund not arrived; the customer writes in capitals")
    ana.get_by_label("Minutes").fill("45")
    ana.locator("#customer_ids").get_by_label("Ben Okafor").check()
    ana.locator("#agent_ids").get_by_label("Ana Ruiz").check()
    ana.locator("#observer_ids").get_by_label("Leo Martin").check()
    ana.get_by_label("Takeaways").fill("Name the feeling before the policy.")
    ana.get_by_role("button", name="Record role-play").click()
    ana.get_by_text("Role-play recorded.").wait_for()

    for email in ("ana@example.com", "ben@example.com", "leo@example.com"):
        page = page_for()
        sign_in(page, email, PASSWORD)
        page.get_by_role("link", name="My week").click()
        page.get_by_text("Refund not arrived; the customer writes in capitals").first.wait_for()
        assert page.get_by_text("Role-play practice").count() >= 1
