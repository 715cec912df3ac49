"""HR signs in, changes the period, reads the charts, downloads both exports, and cannot open
a lead's or an agent's pages."""

import csv
import io

import pytest
from openpyxl import load_workbook

from growth.models import AuditEvent, Role, Team, User
from growth.passwords import hash_password

from ..conftest import PASSWORD
from ..test_hr_figures import EMPLOYEES_CSV, RETENTION_CSV, build_example
from .conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def example(live_server):
    """The hand-computed roster of test_hr_figures; n1@example.com is the HR person."""
    password_hash = hash_password(PASSWORD)

    def make_team(name):
        return Team.create(name=name)

    def make_user(role, *, team=None, name, email, hired_on, **fields):
        user = User.create(email=email, name=name, role=Role(role).value, team=team,
                           hired_on=hired_on, password_hash=password_hash, **fields)
        if role == "lead" and team is not None and team.lead_id is None:
            Team.update(lead=user).where(Team.id == team.id).execute()
            team.lead = user
        return user

    build_example(make_team, make_user)
    return {"hr": "n1@example.com", "lead": "a2@example.com", "agent": "b3@example.com"}


def test_hr_reads_the_retention_dashboard_and_downloads_both_exports(page, example):
    sign_in(page, example["hr"], PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Retention").click()
    page.get_by_role("heading", name="Retention", exact=True).wait_for()
    assert page.locator("svg.chart-plot").count() == 4  # the default period, last 12 months

    page.get_by_label("From").fill("2025-01-06")
    page.get_by_label("To").fill("2025-03-31")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/hr?from=2025-01-06&to=2025-03-31")

    teams_chart = page.get_by_role("img", name="Retention and turnover of each team")
    assert teams_chart.is_visible()
    chart_text = teams_chart.text_content()
    for expected in ("alpha", "Blue", "(no team)", "Everyone", "50%", "133%"):
        assert expected in chart_text
    assert page.get_by_role("img", name="Retention by development-day participation") \
        .is_visible()
    assert page.get_by_role("img", name="People employed at the end of the period, "
                                        "by years since hire").is_visible()
    # Every chart has its table; the band table says who stayed.
    page.locator("figure").filter(has_text="Does protected learning time keep people?") \
        .get_by_text("Show as a table").click()
    band_row = page.get_by_role("row", name="75 % and over")
    assert band_row.get_by_role("cell").all_inner_texts() == ["75 % and over", "2", "1", "50%"]
    team_row = page.get_by_role("row", name="Blue")
    assert team_row.get_by_role("cell").nth(0).inner_text() == "2"

    downloads = page.locator(".download-list li")
    with page.expect_download() as retention:
        downloads.filter(has_text="Retention by team").get_by_role("link", name="CSV").click()
    assert retention.value.suggested_filename == "retention_2025-01-06_2025-03-31.csv"
    with open(retention.value.path(), "rb") as stream:
        assert stream.read() == RETENTION_CSV

    with page.expect_download() as employees:
        downloads.filter(has_text="Figures per person").get_by_role("link", name="XLSX").click()
    assert employees.value.suggested_filename == "employees_2025-01-06_2025-03-31.xlsx"
    with open(employees.value.path(), "rb") as stream:
        sheet = load_workbook(io.BytesIO(stream.read())).worksheets[0]
    expected = list(csv.reader(io.StringIO(EMPLOYEES_CSV.decode())))
    assert [cell.value for cell in sheet[1]] == expected[0]
    assert [cell.value for cell in sheet[2]][:2] == ["a1@example.com", "Ana One"]
    assert sheet.max_row == len(expected)

    actions = [e.action for e in AuditEvent.select().order_by(AuditEvent.id)
               if e.action.startswith("hr_export")]
    assert actions == ["hr_export_retention", "hr_export_employees"]


def test_hr_cannot_open_a_leads_or_an_agents_pages(page, example):
    sign_in(page, example["hr"], PASSWORD)
    page.get_by_role("navigation", name="Main").wait_for()
    assert page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="My team").count() == 0
    assert page.goto("/team").status == 403
    page.get_by_role("heading", name="That area is not open to you").wait_for()
    agent = User.get(User.email == example["agent"])
    assert page.goto(f"/team/{agent.id}").status in (403, 404)
    lead = User.get(User.email == example["lead"])
    assert page.goto(f"/team/{lead.id}").status in (403, 404)
