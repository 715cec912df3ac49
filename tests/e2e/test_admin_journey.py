"""An admin finds people and reads the audit log; HR mistypes a period and is told what is
wrong; a lead learns that "keep me signed in" is not theirs; an agent ticks an action item."""

from datetime import date, timedelta

import pytest

from growth.coaching import service as coaching
from growth.models import Role, Team, User
from growth.passwords import hash_password

from ..conftest import PASSWORD
from .conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def people(live_server):
    team = Team.create(name="Billing & Accounts")
    password_hash = hash_password(PASSWORD)

    def person(email, name, role, **fields):
        return User.create(email=email, name=name, role=role.value, hired_on=date(2021, 3, 1),
                           password_hash=password_hash, **fields)

    lead = person("bea@example.com", "Bea Santos", Role.LEAD, team=team)
    Team.update(lead=lead).where(Team.id == team.id).execute()
    return {
        "admin": person("adam@example.com", "Adam Weiss", Role.ADMIN),
        "hr": person("hana@example.com", "Hana Okafor", Role.HR),
        "lead": lead,
        "agent": person("carmen@example.com", "Carmen Vidal", Role.AGENT, team=team),
        "other": person("diego@example.com", "Diego Ramos", Role.AGENT, team=team),
    }


def test_admin_searches_people_and_reads_the_audit_log(page, people):
    sign_in(page, people["admin"].email, PASSWORD)
    main = page.get_by_role("navigation", name="Main")
    main.get_by_role("link", name="Admin").click()
    page.get_by_role("heading", name="People").wait_for()
    assert main.get_by_role("link", name="Audit log").count() == 0

    page.get_by_label("Name or email").fill("carmen")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/admin/users?q=carmen")
    rows = page.locator("table.data tbody")
    assert "Carmen Vidal" in rows.inner_text()
    assert "Diego Ramos" not in rows.inner_text()
    page.get_by_role("link", name="Show everyone").click()
    page.wait_for_url("**/admin/users")
    assert "Diego Ramos" in page.locator("table.data tbody").inner_text()

    # Reset Carmen's password: the audit log names the event and her.
    page.get_by_role("link", name="Carmen Vidal").click()
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Reset password").click()
    page.get_by_role("navigation", name="Admin").get_by_role("link", name="Audit log").click()
    page.get_by_role("heading", name="Audit log").wait_for()
    table = page.locator("table.data tbody").inner_text()
    assert "Password reset by an admin" in table and "Signed in" in table
    assert "Carmen Vidal" in table and "Adam Weiss" in table
    assert "user #" not in table and "password_reset" not in table

    page.get_by_label("Action").select_option(label="Password reset by an admin")
    page.get_by_label("Person (name or email)").fill("Carmen")
    page.get_by_role("button", name="Filter").click()
    rows = page.locator("table.data tbody tr")
    assert rows.count() == 1
    assert "Carmen Vidal" in rows.first.inner_text()


def test_hr_chooses_a_reversed_period_and_is_told_so(page, people):
    sign_in(page, people["hr"].email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Retention").click()
    page.get_by_label("From").fill("2026-12-01")
    page.get_by_label("To").fill("2026-01-01")
    page.get_by_role("button", name="Show").click()
    last_day = page.locator(".field", has=page.get_by_label("To"))
    assert "The period is reversed" in last_day.inner_text()
    assert "YYYY-MM-DD" not in page.locator("main").inner_text()
    assert page.locator("svg.chart-plot").count() == 0

    page.get_by_label("To").fill("2026-12-31")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/hr?from=2026-12-01&to=2026-12-31")
    assert page.locator("svg.chart-plot").count() == 4
    assert "People without a development-day allowance are left out." in page.content()


def test_a_lead_is_told_keep_me_signed_in_is_for_agents(page, people):
    page.goto("/login")
    assert page.get_by_text("For agents only.").is_visible()
    page.get_by_label("Email").fill(people["lead"].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Keep me signed in on this device").check()
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("not kept signed in: that is for agents only").wait_for()
    assert not [c for c in page.context.cookies() if c["name"] == "remember_token"]


def test_an_agent_ticks_an_action_item_and_sees_which(page, people):
    coaching.record_one_on_one(
        people["lead"], people["agent"], held_on=date.today() - timedelta(days=7),
        shared_notes="Talked about the billing FAQ.", private_notes="",
        action_items=[{"text": "Write up the three most common billing questions",
                       "owner": "person", "due_on": None}])
    sign_in(page, people["agent"].email, PASSWORD)
    page.goto("/one-on-ones")
    item = page.locator("li.action-item", has_text="three most common billing questions")
    item.get_by_role("button", name="Mark done").click()
    page.get_by_text("Marked done: “Write up the three most common billing questions”.") \
        .wait_for()
