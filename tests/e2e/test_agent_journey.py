"""An agent plans the day, logs it with the keyboard only, rates it, reaches the target,
looks at history and downloads their activities."""

import csv
import io
from datetime import date

import pytest
from playwright.sync_api import expect

from growth.models import DevDay, Role
from growth.weeks import monday_of

from ..conftest import PASSWORD
from .conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def agent(live_server):
    from growth.models import Team, User
    from growth.passwords import hash_password

    team = Team.create(name="Tier 1")
    with live_server.app.test_request_context():
        password_hash = hash_password(PASSWORD)
    return User.create(email="ana@example.com", name="Ana Ruiz", role=Role.AGENT.value,
                       team=team, hired_on=date(2024, 1, 8), password_hash=password_hash)


def test_agent_plans_logs_rates_and_downloads(page, agent):
    sign_in(page, agent.email, PASSWORD)
    expect(page.get_by_role("heading", name="My week")).to_be_visible()
    bar = page.locator("progress#week-total")
    expect(bar).to_have_attribute("max", "480")
    expect(bar).to_have_attribute("value", "0")

    # Plan the day.
    page.get_by_label("What the day is for").fill("Finish the SQL course")
    page.get_by_role("button", name="Save plan").click()
    expect(page.get_by_text("Your development day is planned.")).to_be_visible()

    # Log three activities with the keyboard only.
    kind = page.get_by_label("What you did", exact=True)
    kind.focus()
    page.keyboard.press("End")  # the last kind, "Other"
    page.keyboard.press("Home")  # back to the first: documentation
    page.keyboard.press("Tab")
    expect(page.get_by_label("Minutes", exact=True)).to_be_focused()
    page.keyboard.type("240")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Logged 4 h.")).to_be_visible()

    # The cursor is ready for the next entry.
    expect(kind).to_be_focused()
    page.keyboard.press("ArrowDown")  # coding
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the minutes field to the quick picks
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="2 h")).to_be_focused()
    page.keyboard.press("Enter")  # picks 120 and returns to the minutes field
    expect(page.get_by_label("Minutes", exact=True)).to_have_value("120")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Logged 2 h.")).to_be_visible()

    expect(kind).to_be_focused()
    page.keyboard.press("ArrowDown")  # reading colleagues' tickets
    page.keyboard.press("Tab")
    page.keyboard.type("120")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Logged 2 h.")).to_be_visible()

    rows = page.locator("table.activities tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Writing or updating documentation")
    expect(rows.nth(1)).to_contain_text("Coding or learning to code")
    expect(rows.nth(2)).to_contain_text("Reading colleagues' tickets")

    # The bar reaches the target.
    expect(bar).to_have_attribute("value", "480")
    expect(page.get_by_text("8 h of 8 h")).to_be_visible()
    expect(page.get_by_text("Target reached")).to_be_visible()

    # Rate the day.
    page.get_by_label("Amazing").check()
    page.get_by_role("button", name="Save rating").click()
    expect(page.get_by_text("Thanks: your rating is saved.")).to_be_visible()
    expect(page.get_by_label("Amazing")).to_be_checked()

    week = DevDay.get(DevDay.user == agent.id, DevDay.week_start == monday_of(date.today()))
    assert (week.minutes, week.rating, week.plan) == (480, 4, "Finish the SQL course")

    # History shows the week as taken.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="History").click()
    expect(page.get_by_role("heading", name="History", exact=True)).to_be_visible()
    expect(page.locator("table.weeks tbody tr").first).to_contain_text("Taken")
    expect(page.locator(".week-chart rect.bar-taken")).to_have_count(1)

    # Download the activities.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download my activities (CSV)").click()
    download = download_info.value
    with open(download.path(), encoding="utf-8") as handle:
        rows = list(csv.reader(io.StringIO(handle.read())))
    assert rows[0] == ["week", "day", "kind", "minutes", "note", "link", "goal"]
    assert [(r[2], r[3]) for r in rows[1:]] == [("docs", "240"), ("coding", "120"),
                                                ("tickets", "120")]
