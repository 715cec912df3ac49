"""The plan box offers the last plan's words: typing writes a new plan, one button repeats it."""

from datetime import date, timedelta

import pytest

from growth.models import DevDay, Role, Team, User
from growth.passwords import hash_password
from growth.weeks import monday_of, week_label

from ..conftest import PASSWORD
from .conftest import sign_in

pytestmark = pytest.mark.browser

THIS_WEEK = monday_of(date.today())


@pytest.fixture
def agent(live_server):
    team = Team.create(name="Tier 1 Support")
    person = User.create(email="ana@example.com", name="Ana Ruiz", role=Role.AGENT.value,
                         team=team, hired_on=date(2022, 5, 2),
                         password_hash=hash_password(PASSWORD))
    last = THIS_WEEK - timedelta(weeks=1)
    DevDay.create(user=person, week_start=last, planned_on=last + timedelta(days=3),
                  plan="Finish the SQL course", status="planned")
    return person


def _plan_of(person, monday):
    return DevDay.get(DevDay.user == person.id, DevDay.week_start == monday).plan


def test_typing_in_the_plan_box_writes_a_new_plan(page_for, agent):
    page = page_for()
    sign_in(page, "ana@example.com", PASSWORD)
    page.get_by_role("heading", name="Plan the day").wait_for()
    box = page.get_by_label("What the day is for")
    assert box.input_value() == ""
    assert box.get_attribute("placeholder") == "Finish the SQL course"
    # Clicking into the box and typing, as a person does: what is typed is the whole plan.
    box.click()
    box.press_sequentially("Shadow Ben on billing tickets")
    assert box.input_value() == "Shadow Ben on billing tickets"
    page.get_by_role("button", name="Save plan").click()
    page.get_by_text("Your development day is planned.").wait_for()
    assert _plan_of(agent, THIS_WEEK) == "Shadow Ben on billing tickets"


def test_use_my_last_plan_repeats_it_in_one_click(page_for, agent):
    page = page_for()
    sign_in(page, "ana@example.com", PASSWORD)
    page.goto(f"/week/{week_label(THIS_WEEK + timedelta(weeks=1))}")
    page.get_by_role("button", name="Use my last plan").click()
    page.get_by_text("Your development day is planned.").wait_for()
    assert _plan_of(agent, THIS_WEEK + timedelta(weeks=1)) == "Finish the SQL course"
    # Planned now: the box holds the plan itself and the button is gone.
    assert page.get_by_label("What the day is for").input_value() == "Finish the SQL course"
    assert page.get_by_role("button", name="Use my last plan").count() == 0


def test_a_rejected_plan_reopened_shows_the_week_not_405(page_for, agent):
    page = page_for()
    sign_in(page, "ana@example.com", PASSWORD)
    page.get_by_label("Day", exact=True).fill("")
    page.get_by_role("button", name="Save plan").click()
    page.get_by_text("Pick the day.").wait_for()
    assert page.url.endswith("/plan")  # the form's address, as the browser shows it
    # Opened again from the address bar (a bookmark, a new tab): the week, not a 405.
    response = page.goto(page.url)
    assert response.status == 200 and not page.url.endswith("/plan")
    page.get_by_role("heading", name="Plan the day").wait_for()
