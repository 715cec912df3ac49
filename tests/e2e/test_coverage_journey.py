"""Coverage in the browser: the lead sets the limit from the team page; an agent sees how
many are off on each weekday before picking one, and a plan for a full day is refused with
the days that have room."""

from datetime import date, timedelta

import pytest

from growth.models import DevDay, Role, Team, User
from growth.passwords import hash_password
from growth.weeks import monday_of, week_label

from ..conftest import PASSWORD
from .conftest import sign_in

pytestmark = pytest.mark.browser


def test_the_lead_sets_a_limit_and_an_agent_is_refused_a_full_day(page_for, live_server):
    team = Team.create(name="Tier 1 Support")
    password_hash = hash_password(PASSWORD)

    def person(email, name, role=Role.AGENT):
        return User.create(email=email, name=name, role=role.value, team=team,
                           hired_on=date(2021, 1, 4), password_hash=password_hash)

    lead = person("leo@example.com", "Leo Martin", Role.LEAD)
    Team.update(lead=lead).where(Team.id == team.id).execute()
    person("ana@example.com", "Ana Ruiz")
    monday = monday_of(date.today()) + timedelta(weeks=1)
    tuesday = monday + timedelta(days=1)
    for email, name in (("bo@example.com", "Bo Chen"), ("cy@example.com", "Cy Diaz")):
        DevDay.create(user=person(email, name), week_start=monday, planned_on=tuesday,
                      plan="Docs")

    page = page_for()
    sign_in(page, "leo@example.com", PASSWORD)
    page.get_by_role("link", name="My team").click()
    page.get_by_role("link", name="Change the limit").first.click()
    page.get_by_label("People off on the same weekday").fill("2")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Coverage for Tier 1 Support is saved.").wait_for()
    assert Team.get_by_id(team.id).max_off_per_day == 2

    agent = page_for()
    sign_in(agent, "ana@example.com", PASSWORD)
    agent.goto(f"/week/{week_label(monday)}")
    coverage = agent.locator("#coverage")
    assert "2 of 2 off" in coverage.inner_text()
    assert "Bo Chen" not in coverage.inner_text()  # counts, not names, for agents
    agent.get_by_label("Day", exact=True).fill(tuesday.isoformat())
    agent.get_by_role("button", name="Save plan").click()
    agent.get_by_text("Tuesday is full: 2 of your team already take their day then.").wait_for()
    assert "Monday, Wednesday, Thursday, Friday" in agent.content()
    agent.get_by_label("Day", exact=True).fill((tuesday + timedelta(days=1)).isoformat())
    agent.get_by_role("button", name="Save plan").click()
    agent.get_by_text("Your development day is planned.").wait_for()
