"""HR pages and downloads: who may open them, bad periods, the files' headers and audit
trail, the employment record, and a fixed number of queries whatever the roster."""

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playhouse.test_utils import count_queries

from growth.hr import exports
from growth.models import AuditEvent, DevDay, Team, User

from .test_hr_figures import EMPLOYEES_CSV, FROM, RETENTION_CSV, TO, build_example

PERIOD = {"from": FROM.isoformat(), "to": TO.isoformat()}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def exports_logged():
    return list(AuditEvent.select().where(AuditEvent.action.startswith("hr_export"))
                .order_by(AuditEvent.id))


# The dashboard ------------------------------------------------------------------------------

def test_hr_sees_the_dashboard_with_charts_and_tables(world, client_for, make_team, make_user):
    build_example(make_team, make_user)
    page = client_for(world.hr).get("/hr", query_string=PERIOD)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count('<svg class="chart-plot"') == 4
    for heading in ("Headcount month by month", "Retention and turnover by team",
                    "Does protected learning time keep people?", "Show as a table"):
        assert heading in html
    assert "<script" not in html.split("</head>")[1]
    # Figures come through the locale filters: Blue's turnover 1.3333 shows as 133%.
    assert "133%" in html and ">2.49<" in html and "alpha" in html and "Blue" in html
    for secret in ("SECRET", "Another goal"):
        assert secret not in html


def test_the_headcount_chart_has_a_y_axis_with_values(world, client_for, make_team,
                                                      make_user):
    build_example(make_team, make_user)
    html = client_for(world.hr).get("/hr", query_string=PERIOD).get_data(as_text=True)
    chart = html.split('class="chart-frame chart-months"')[1].split("</div>")[0]
    axis = chart.split('class="chart-plot"')[0]
    ticks = [int(t) for t in re.findall(r'class="tick"[^>]*>(\d+)</text>', axis)]
    assert ticks[0] == 0 and len(ticks) >= 3 and ticks == sorted(ticks)
    # Each month's headcount is written on its bar, within the axis's range.
    values = [int(v) for v in re.findall(r'class="chart-value[^"]*"[^>]*>(\d+)</text>', chart)]
    assert values and max(values) <= ticks[-1]
    # The SVG has no viewBox: it stretches to its box while its text keeps its size.
    assert "viewBox" not in html.split("<main")[1].split("Figures by team")[0]


def test_every_chart_series_is_drawn_in_the_palette():
    css = (Path(__file__).resolve().parent.parent / "static/css/growth.css").read_text()
    for series in ("taken", "partly", "workload", "away", "kind", "headcount", "hires",
                   "leavers", "retention", "turnover", "tenure"):
        rule = re.search(rf"\.bar-{series}\b[^{{]*{{([^}}]*)}}", css)
        assert rule and "fill: var(--chart-" in rule.group(1), series


def test_the_default_period_is_the_last_twelve_months(world, client_for, today):
    html = client_for(world.hr).get("/hr").get_data(as_text=True)
    start = today.replace(year=today.year - 1) if not (today.month == 2 and today.day == 29) \
        else today.replace(year=today.year - 1, day=28)
    assert f'value="{start.isoformat()}"' in html
    assert f'value="{today.isoformat()}"' in html


def test_the_dashboard_speaks_spanish_numbers(world, client_for, make_team, make_user):
    build_example(make_team, make_user)
    User.update(locale="es").where(User.id == world.hr.id).execute()
    html = client_for(User.get_by_id(world.hr.id)).get(
        "/hr", query_string=PERIOD).get_data(as_text=True)
    assert "<h1>Retención</h1>" in html and "Retention" not in html
    assert ">2,49<" in html  # alpha's average tenure, with a decimal comma


def test_a_date_that_does_not_exist_is_named_in_spanish_too(world, client_for):
    User.update(locale="es").where(User.id == world.hr.id).execute()
    page = client_for(User.get_by_id(world.hr.id)).get(
        "/hr", query_string={"from": "2025-02-30", "to": "2025-03-31"})
    assert page.status_code == 400
    assert "Escribe una fecha que exista, como AAAA-MM-DD." in page.get_data(as_text=True)


@pytest.mark.parametrize("args, message", [
    ({"from": "2025-13-01", "to": "2025-03-31"}, "Enter a real date, written YYYY-MM-DD."),
    ({"from": "yesterday", "to": "2025-03-31"}, "Enter a real date, written YYYY-MM-DD."),
    ({"from": "2025-03-31", "to": "2025-01-01"}, "The period is reversed"),
    ({"from": "2025-01-01"}, "Choose the last day"),
    ({"from": "", "to": ""}, "Choose the first day"),
    ({"from": "1900-01-01", "to": "2025-01-01"}, "years at most"),
])
def test_a_bad_period_answers_400_with_a_message(world, client_for, args, message):
    client = client_for(world.hr)
    page = client.get("/hr", query_string=args)
    assert page.status_code == 400
    assert message in page.get_data(as_text=True)
    download = client.get("/hr/retention.csv", query_string=args)
    assert download.status_code == 400
    assert message in download.get_data(as_text=True)
    assert exports_logged() == []


@pytest.mark.parametrize("who", ["agent_a", "lead_a", "admin"])
@pytest.mark.parametrize("url", ["/hr", "/hr/retention.csv", "/hr/retention.xlsx",
                                 "/hr/employees.csv", "/hr/employees.xlsx"])
def test_only_hr_opens_the_figures(world, client_for, who, url):
    assert client_for(getattr(world, who)).get(url, query_string=PERIOD).status_code == 403
    assert exports_logged() == []


def test_anonymous_people_are_sent_to_sign_in(client):
    answer = client.get("/hr/employees.csv")
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


# Downloads --------------------------------------------------------------------------------

@pytest.mark.parametrize("report, expected", [("retention", RETENTION_CSV),
                                              ("employees", EMPLOYEES_CSV)])
def test_csv_download(world, client_for, make_team, make_user, report, expected):
    build_example(make_team, make_user)
    # The world's people are in the period too; the example's rows are all there.
    answer = client_for(world.hr).get(f"/hr/{report}.csv", query_string=PERIOD)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert answer.headers["Content-Disposition"] == (
        f'attachment; filename="{report}_2025-01-06_2025-03-31.csv"')
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.data == exports.render(report, FROM, TO, "csv")
    assert b"SECRET" not in answer.data
    [event] = exports_logged()
    rows = answer.data.count(b"\r\n") - 1
    assert event.action == f"hr_export_{report}" and event.actor_id == world.hr.id
    assert event.detail == f"format=csv from=2025-01-06 to=2025-03-31 rows={rows}"


def test_csv_download_of_the_example_alone(client_for, make_team, make_user):
    build_example(make_team, make_user)
    hr = User.get(User.email == "n1@example.com")
    client = client_for(hr)
    assert client.get("/hr/retention.csv", query_string=PERIOD).data == RETENTION_CSV
    assert client.get("/hr/employees.csv", query_string=PERIOD).data == EMPLOYEES_CSV


@pytest.mark.parametrize("report, expected", [("retention", RETENTION_CSV),
                                              ("employees", EMPLOYEES_CSV)])
def test_xlsx_download_holds_the_same_table(client_for, make_team, make_user, report,
                                            expected):
    build_example(make_team, make_user)
    Team.update(name="=SUM(A1)").where(Team.name == "alpha").execute()
    hr = User.get(User.email == "n1@example.com")
    answer = client_for(hr).get(f"/hr/{report}.xlsx", query_string=PERIOD)
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == XLSX
    assert answer.headers["Content-Disposition"] == (
        f'attachment; filename="{report}_2025-01-06_2025-03-31.xlsx"')
    assert answer.headers["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(answer.data)).worksheets[0]
    expected_rows = list(csv.reader(io.StringIO(
        expected.decode().replace("alpha", "'=SUM(A1)"))))
    for cells in sheet.iter_rows():
        assert all(cell.data_type != "f" for cell in cells)
        for cell in cells:
            if isinstance(cell.value, str):
                assert cell.data_type == "s"
    got = []
    for cells in sheet.iter_rows():
        row = []
        for cell in cells:
            value = cell.value
            if value is None:
                row.append("")
            elif hasattr(value, "date"):
                row.append(value.date().isoformat())
            elif isinstance(value, float | int):
                assert cell.data_type == "n"
                row.append(format(value, f".{_places(cell.number_format)}f"))
            else:
                row.append(value)
        got.append(row)
    assert got == expected_rows
    [event] = exports_logged()
    assert event.detail.startswith("format=xlsx from=2025-01-06 to=2025-03-31 rows=")


def _places(number_format: str) -> int:
    """The decimals a cell's value shows: a percentage shows two fewer than it has."""
    digits = len(number_format.split(".")[1].rstrip("%")) if "." in number_format else 0
    return digits + 2 if number_format.endswith("%") else digits


# The command line -------------------------------------------------------------------------

def test_cli_export_writes_the_csv_and_nothing_else_to_stdout(app, make_team, make_user):
    build_example(make_team, make_user)
    result = app.test_cli_runner().invoke(args=[
        "export", "employees", "--from", "2025-01-06", "--to", "2025-03-31"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == EMPLOYEES_CSV
    [event] = exports_logged()
    assert event.action == "hr_export_employees"
    assert event.detail == "format=csv from=2025-01-06 to=2025-03-31 rows=8 cli"


def test_cli_export_xlsx_to_a_file(app, make_team, make_user, tmp_path):
    build_example(make_team, make_user)
    target = tmp_path / "retention.xlsx"
    result = app.test_cli_runner().invoke(args=[
        "export", "retention", "--from", "2025-01-06", "--to", "2025-03-31", "--format",
        "xlsx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(target).worksheets[0]
    assert [cell.value for cell in sheet[1]][:3] == ["team", "headcount_start", "headcount_end"]
    assert [cell.value for cell in sheet[5]][:3] == ["ALL", 6, 6]
    assert len(exports_logged()) == 1


# Fixed query counts -----------------------------------------------------------------------

def roster(make_team, make_user, people: int):
    teams = [make_team(f"Team {people}-{n}") for n in range(3)]
    monday = date(2025, 1, 6)
    for n in range(people):
        user = make_user("agent", team=teams[n % 4] if n % 4 < 3 else None,
                         hired_on=date(2020 + n % 5, 1 + n % 12, 1 + n % 28),
                         left_on=date(2025, 2, 1 + n % 20) if n % 7 == 0 else None,
                         leave_reason="voluntary" if n % 7 == 0 else None)
        for week in range(n % 5):
            DevDay.create(user=user, week_start=monday + timedelta(weeks=week),
                          minutes=60 * week)


# Each request loads the signed-in person (1). The dashboard adds its three figures; an
# export its row count (checked against the limit before the first byte), its rows and its
# audit event; the employment records one list.
QUERIES = {"/hr": 1 + 3, "/hr/retention.csv": 1 + 3, "/hr/employees.csv": 1 + 3,
           "/hr/retention.xlsx": 1 + 3, "/hr/employees.xlsx": 1 + 3, "/hr/people": 1 + 1}


def test_pages_and_exports_cost_a_fixed_number_of_queries(world, client_for, make_team,
                                                          make_user):
    client = client_for(world.hr)
    counts = {}
    for size in (5, 50):
        roster(make_team, make_user, size if size == 5 else size - 5)
        for url in QUERIES:
            with count_queries() as counter:
                assert client.get(url, query_string=PERIOD).status_code == 200
            counts.setdefault(url, []).append(counter.count)
    assert counts == {url: [count, count] for url, count in QUERIES.items()}


def test_a_one_day_period_shows_figures_without_a_month_chart(world, client_for):
    page = client_for(world.hr).get("/hr", query_string={"from": "2025-01-06",
                                                         "to": "2025-01-06"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "The period is a single day." in html
    assert html.count('<svg class="chart-plot"') == 3


def test_a_reversed_period_says_so_next_to_the_last_day(world, client_for):
    page = client_for(world.hr).get("/hr", query_string={
        "from": "2026-12-01", "to": "2026-01-01"})
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    end_field = html.split('id="to"')[1].split('</div>')[0]
    assert "The period is reversed" in end_field
    assert "The period is reversed" not in html.split('id="to"')[0]
    assert "written YYYY-MM-DD" not in html
    assert "The figures need a period that runs forward" in html
    malformed = client_for(world.hr).get("/hr", query_string={"from": "2026-12-01",
                                                               "to": "soon"})
    assert "written YYYY-MM-DD" in malformed.get_data(as_text=True)


def test_the_dashboard_says_who_is_left_out_of_the_bands(world, client_for):
    html = client_for(world.hr).get("/hr").get_data(as_text=True)
    assert "People without a development-day allowance are left out." in html


@pytest.mark.parametrize("report", ["retention", "employees"])
def test_the_xlsx_reads_well_in_a_spreadsheet(client_for, make_team, make_user, report):
    build_example(make_team, make_user)
    hr = User.get(User.email == "n1@example.com")
    data = client_for(hr).get(f"/hr/{report}.xlsx", query_string=PERIOD).data
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    rows = sheet.max_row
    assert rows > 2
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}{rows}"
    for column, name in enumerate(header, start=1):
        width = sheet.column_dimensions[sheet.cell(1, column).column_letter].width
        assert width >= len(name) + 2, name
    rates = [header.index(name) + 1 for name in header if name.endswith("_rate")]
    assert rates
    shown = 0
    for column in rates:
        for row in range(2, rows + 1):
            cell = sheet.cell(row, column)
            if cell.value is not None:
                assert cell.number_format == "0.00%"
                assert 0 <= cell.value <= 2  # the fraction, not a percentage number
                shown += 1
    assert shown
    if report == "employees":
        assert sheet.column_dimensions["A"].width >= 30  # emails
        hired = sheet.cell(2, header.index("hired_on") + 1)
        assert cell_is_a_date(hired)
        expected = {row["email"]: row["hired_on"] for row in csv.DictReader(
            io.StringIO(EMPLOYEES_CSV.decode()))}
        email = sheet.cell(2, 1).value
        assert hired.value.date().isoformat() == expected[email]


def cell_is_a_date(cell) -> bool:
    return cell.is_date and cell.data_type == "d" and cell.number_format == "yyyy-mm-dd"


def test_the_cli_xlsx_has_the_same_frozen_filtered_header(app, make_team, make_user, tmp_path):
    build_example(make_team, make_user)
    target = tmp_path / "employees.xlsx"
    result = app.test_cli_runner().invoke(args=[
        "export", "employees", "--from", FROM.isoformat(), "--to", TO.isoformat(), "--format",
        "xlsx", "-o", str(target)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(target).worksheets[0]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:T")
