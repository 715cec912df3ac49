"""HR figures in SQL aggregates (see DESIGN "HR figures")."""

from datetime import date


def default_period(end: date) -> tuple[date, date]:
    """The last 12 months: `to` is the given day, `from` the same date a year earlier."""
    try:
        start = end.replace(year=end.year - 1)
    except ValueError:  # 29 February
        start = end.replace(year=end.year - 1, day=28)
    return start, end
