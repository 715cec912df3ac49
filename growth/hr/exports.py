"""The HR exports (DESIGN "HR figures"): the same table as CSV or XLSX, locale-neutral.

Only numbers, dates, stored values, names, emails and team names: never a word from a plan,
a note, a goal or a review.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from ..exports import safe_cell
from . import queries

RETENTION_COLUMNS = [
    "team", "headcount_start", "headcount_end", "hires", "leavers", "voluntary_leavers",
    "retention_rate", "turnover_rate", "avg_tenure_years", "median_tenure_years",
    "tenure_lt1", "tenure_1_3", "tenure_3_5", "tenure_5_7", "tenure_7_plus",
    "participation_rate", "avg_dev_hours_per_week",
]
EMPLOYEES_COLUMNS = [
    "email", "name", "team", "role", "hired_on", "left_on", "leave_reason", "tenure_years",
    "eligible_weeks", "participated_weeks", "participation_rate", "dev_hours", "goals_set",
    "goals_achieved", "reviews_held", "last_review_on",
]
REPORTS = ("retention", "employees")
FORMATS = ("csv", "xlsx")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class Export:
    data: bytes
    rows: int
    filename: str
    mimetype: str


def retention_rows(start: date, end: date) -> list[list]:
    return [[
        row.team, row.headcount_start, row.headcount_end, row.hires, row.leavers,
        row.voluntary_leavers, row.retention_rate, row.turnover_rate, row.avg_tenure_years,
        row.median_tenure_years, *row.tenure_buckets, row.participation_rate,
        row.avg_dev_hours_per_week,
    ] for row in queries.teams(start, end)]


def employee_rows(start: date, end: date) -> list[list]:
    return [[
        person.email, person.name, person.team or queries.NO_TEAM, person.role,
        person.hired_on, person.left_on, person.leave_reason, person.tenure_years,
        person.eligible_weeks, person.participated_weeks, person.participation_rate,
        person.dev_hours, person.goals_set, person.goals_achieved, person.reviews_held,
        person.last_review_on,
    ] for person in queries.employees(start, end)]


def table(report: str, start: date, end: date) -> tuple[list[str], list[list]]:
    """The header and rows of a report (one query)."""
    if report == "retention":
        return RETENTION_COLUMNS, retention_rows(start, end)
    if report == "employees":
        return EMPLOYEES_COLUMNS, employee_rows(start, end)
    raise ValueError(f"unknown report {report!r}")


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, str):
        return safe_cell(value)
    return str(value)


def to_csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_csv_text(value) for value in row] for row in rows)
    return out.getvalue().encode("utf-8")


def _xlsx_cell(sheet, value):
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", safe_cell(value)))
        cell.data_type = "s"  # never a formula, whatever the text
        return cell
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=float(value))
        places = -value.as_tuple().exponent
        cell.number_format = "0." + "0" * places if places > 0 else "0"
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def to_xlsx(title: str, header: list[str], rows: list[list]) -> bytes:
    """The table on the first sheet, header in row 1, numbers as numbers, text as text."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append([_xlsx_cell(sheet, name) for name in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export(report: str, start: date, end: date, fmt: str) -> Export:
    header, rows = table(report, start, end)
    if fmt == "csv":
        data = to_csv(header, rows)
    elif fmt == "xlsx":
        data = to_xlsx(report, header, rows)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return Export(data, len(rows), f"{report}_{start.isoformat()}_{end.isoformat()}.{fmt}",
                  MIMETYPES[fmt])


def render(report: str, start: date, end: date, fmt: str) -> bytes:
    """The export's bytes (the `growth export` command)."""
    return export(report, start, end, fmt).data
