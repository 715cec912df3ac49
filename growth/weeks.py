"""ISO weeks written YYYY-Www, always represented by their Monday."""

import re
from datetime import date, timedelta

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")

# Every date Growth accepts (in a URL, a form, an imported file or on the command line) lies
# in these years: wide enough for any hire date, plan or report period, and far from the
# ends of what date arithmetic (a week's Sunday, a month chart, date.max) and the databases
# can hold.
EARLIEST = date(1900, 1, 1)
LATEST = date(2200, 12, 31)


def in_range(day: date) -> bool:
    return EARLIEST <= day <= LATEST


def parse_week(text: str) -> date | None:
    """The Monday of an ISO week string, or None when it is not a real ISO week or not
    wholly within EARLIEST..LATEST."""
    match = _WEEK.match(text or "")
    if not match:
        return None
    try:
        monday = date.fromisocalendar(int(match[1]), int(match[2]), 1)
    except ValueError:
        return None
    if not (in_range(monday) and in_range(monday + timedelta(days=6))):
        return None
    return monday


def week_label(monday: date) -> str:
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_days(monday: date) -> list[date]:
    return [monday + timedelta(days=i) for i in range(7)]
