"""The HR exports (DESIGN "HR figures"): the same table as CSV or XLSX, locale-neutral.

Only numbers, dates, stored values, names, emails and team names: never a word from a plan,
a note, a goal or a review.
"""

import csv
import io
import logging
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from ..db import database
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
    "ticket_reviews_given", "ticket_reviews_received", "self_reviews", "practice_sessions",
]
REPORTS = ("retention", "employees")
FORMATS = ("csv", "xlsx")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHUNK = 16 * 1024  # bytes handed to the server at a time

log = logging.getLogger("growth.exports")


class ExportTimeout(RuntimeError):
    """A download ran past its time: the connection is dropped so the file is never taken
    for complete (a chunked response without its last chunk is a failed download)."""


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


def _employee_row(person: queries.PersonFigures) -> list:
    return [
        person.email, person.name, person.team or queries.NO_TEAM, person.role,
        person.hired_on, person.left_on, person.leave_reason, person.tenure_years,
        person.eligible_weeks, person.participated_weeks, person.participation_rate,
        person.dev_hours, person.goals_set, person.goals_achieved, person.reviews_held,
        person.last_review_on, person.ticket_reviews_given, person.ticket_reviews_received,
        person.self_reviews, person.practice_sessions,
    ]


def _employee_stream(start: date, end: date) -> Iterator[list]:
    people = queries.iter_employees(start, end)
    try:
        for person in people:
            yield _employee_row(person)
    finally:
        people.close()  # now, not when collected: it ends the cursor's transaction


def employee_rows(start: date, end: date) -> list[list]:
    return [_employee_row(person) for person in queries.employees(start, end)]


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


# Rates are fractions (0.8571) shown as percentages (85.71 %): the value stays the fraction.
PERCENT_COLUMNS = {"retention_rate", "turnover_rate", "participation_rate"}
# Column widths in characters: the header's name and its filter button, or the width a
# typical email, name or team needs.
COLUMN_WIDTHS = {"email": 32, "name": 26, "team": 22}


def _xlsx_cell(sheet, value, percent: bool = False):
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", safe_cell(value)))
        cell.data_type = "s"  # never a formula, whatever the text
        return cell
    if isinstance(value, Decimal):
        cell = WriteOnlyCell(sheet, value=float(value))
        places = -value.as_tuple().exponent
        if percent:
            cell.number_format = "0." + "0" * (places - 2) + "%" if places > 2 else "0%"
        else:
            cell.number_format = "0." + "0" * places if places > 0 else "0"
        return cell
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def _write_xlsx(out, title: str, header: list[str], rows: Iterable[list]) -> None:
    """The table with its header row frozen and filterable, columns wide enough to read,
    dates as dates and rates as percentages."""
    # Write-only: each row goes to openpyxl's temporary sheet file as it is appended.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    # Set before the first row: openpyxl writes the panes and widths ahead of the rows.
    sheet.freeze_panes = "A2"
    for number, name in enumerate(header, start=1):
        width = max(COLUMN_WIDTHS.get(name, 0), len(name) + 4, 12)
        sheet.column_dimensions[get_column_letter(number)].width = width
    percent = [name in PERCENT_COLUMNS for name in header]
    sheet.append([_xlsx_cell(sheet, name) for name in header])
    written = 0
    try:
        for row in rows:
            sheet.append([_xlsx_cell(sheet, value, is_percent)
                          for value, is_percent in zip(row, percent, strict=True)])
            written += 1
    finally:
        # The filter goes after the rows in the file, so it can cover exactly them.
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{written + 1}"
        # Saving closes the sheet and removes openpyxl's temporary file of rows, which a
        # failed export would otherwise leave on disk until the process ends.
        workbook.save(out)


def to_xlsx(title: str, header: list[str], rows: list[list]) -> bytes:
    """The table on the first sheet, header in row 1, numbers as numbers, text as text."""
    out = io.BytesIO()
    _write_xlsx(out, title, header, rows)
    return out.getvalue()


def filename(report: str, start: date, end: date, fmt: str) -> str:
    return f"{report}_{start.isoformat()}_{end.isoformat()}.{fmt}"


def export(report: str, start: date, end: date, fmt: str) -> Export:
    header, rows = table(report, start, end)
    if fmt == "csv":
        data = to_csv(header, rows)
    elif fmt == "xlsx":
        data = to_xlsx(report, header, rows)
    else:
        raise ValueError(f"unknown format {fmt!r}")
    return Export(data, len(rows), filename(report, start, end, fmt), MIMETYPES[fmt])


def render(report: str, start: date, end: date, fmt: str) -> bytes:
    """The export's bytes (the `growth export` command)."""
    return export(report, start, end, fmt).data


# Streamed (the /hr downloads) -------------------------------------------------------------

def row_count(report: str, start: date, end: date) -> int:
    """The rows `stream` will write but the header, counted up front (one cheap query)."""
    people, groups = queries.period_counts(start, end)
    if report == "employees":
        return people
    if report == "retention":
        return groups + 1  # and the ALL row
    raise ValueError(f"unknown report {report!r}")


def iter_table(report: str, start: date, end: date) -> tuple[list[str], Iterator[list]]:
    """table(), its rows read from the database as they are written. The retention rows,
    one per team, are read at once: they are few, and sorted by name in Python
    (case-insensitively, which no collation does alike on both databases); the employees
    rows stream."""
    if report == "retention":
        return RETENTION_COLUMNS, iter(retention_rows(start, end))
    if report == "employees":
        return EMPLOYEES_COLUMNS, _employee_stream(start, end)
    raise ValueError(f"unknown report {report!r}")


class _Lines(list):
    """What csv.writer writes to: the lines themselves (a StringIO would keep a buffer of
    4 bytes a character however much it is truncated)."""

    write = list.append


def csv_chunks(header: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    """to_csv()'s bytes in pieces of about CHUNK bytes."""
    lines = _Lines()
    writer = csv.writer(lines, lineterminator="\r\n")
    writer.writerow(header)
    size = 0
    for row in rows:
        writer.writerow([_csv_text(value) for value in row])
        size += len(lines[-1])  # one write a row
        if size >= CHUNK:
            yield "".join(lines).encode("utf-8")
            lines.clear()
            size = 0
    yield "".join(lines).encode("utf-8")


def xlsx_chunks(title: str, header: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    """A workbook like to_xlsx()'s, built in a temporary file (a ZIP's directory comes
    last), then read back in pieces of CHUNK bytes."""
    with tempfile.TemporaryFile() as out:
        _write_xlsx(out, title, header, rows)
        out.seek(0)
        while chunk := out.read(CHUNK):
            yield chunk


def stream(report: str, start: date, end: date, fmt: str, seconds: float) -> Iterator[bytes]:
    """The export's bytes, piece by piece; nothing is read before the first piece is asked
    for, so the caller can answer (and audit) first. Past `seconds` (a slow database, a slow
    reader, or a large XLSX: openpyxl writes under 2,000 rows a second) it gives up with
    ExportTimeout rather than hold a sync worker until gunicorn kills it."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    deadline = time.monotonic() + seconds
    # The rows are read after the view has returned and the request's connection has gone
    # back to the pool: a connection of its own, unless the caller holds one (a test, the
    # CLI). No request context is kept (stream_with_context would keep it pushed between
    # chunks, and a reader that drops the response midway would leave it there).
    opened = database.connect(reuse_if_open=True)
    header, rows = iter_table(report, start, end)
    rows = _until(deadline, rows)
    chunks = csv_chunks(header, rows) if fmt == "csv" else xlsx_chunks(report, header, rows)
    try:
        yield from _until(deadline, chunks)
    finally:
        rows.close()  # ends the database cursor and its transaction now
        if opened and not database.is_closed():
            database.close()


def _until(deadline: float, items: Iterator) -> Iterator:
    try:
        for item in items:
            if time.monotonic() > deadline:
                log.warning("export stopped: past its time")
                raise ExportTimeout("the export took longer than its time")
            yield item
    finally:
        if hasattr(items, "close"):
            items.close()
