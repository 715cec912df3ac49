"""HR figures in SQL aggregates (see DESIGN "HR figures").

Every figure is counted by the database, in a fixed number of queries whatever the size of
the roster: per-person weeks and minutes come from one GROUP BY over `dev_day` (one row per
person and week, its `minutes` the week's total), and team figures from a GROUP BY over
those. Python only divides and rounds, with Decimal, so SQLite and PostgreSQL give the same
bytes. Employed Mondays are counted arithmetically on day numbers (days since 1970-01-01,
a Thursday), never by generating one row per week.
"""

import logging
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from ..db import database, is_sqlite
from ..models import DayStatus, GoalStatus, LeaveReason, ReviewStatus, SkipReason

EPOCH = date(1970, 1, 1)
DAYS_A_YEAR = Decimal("365.25")
NO_TEAM = "(no team)"
ALL = "ALL"
ALL_KEY = -1  # the "everyone" group; teams are keyed by id, people without a team by 0
BANDS = ("low", "middle", "high")  # participation under 25 %, 25–75 %, 75 % and over

peewee_log = logging.getLogger("peewee")


def default_period(end: date) -> tuple[date, date]:
    """The last 12 months: `to` is the given day, `from` the same date a year earlier."""
    try:
        start = end.replace(year=end.year - 1)
    except ValueError:  # 29 February
        start = end.replace(year=end.year - 1, day=28)
    return start, end


# Rounding ---------------------------------------------------------------------------------

def ratio(numerator, denominator, places: int) -> Decimal | None:
    """numerator / denominator rounded half up; None when there is nothing to divide."""
    if not denominator:
        return None
    value = Decimal(numerator) / Decimal(denominator)
    return value.quantize(Decimal(10) ** -places, rounding=ROUND_HALF_UP)


def years(days, people=1) -> Decimal | None:
    """Days (summed over `people`) as years of 365.25 days, 2 decimals; None for nobody
    (ratio's denominator is then 0)."""
    return ratio(Decimal(days), Decimal(people) * DAYS_A_YEAR, 2)


# SQL --------------------------------------------------------------------------------------

def _day_number(column: str) -> str:
    """SQL for the day number of a date column (an integer on both databases)."""
    if is_sqlite():
        return f"CAST(julianday({column}) - 2440587.5 AS INTEGER)"
    return f"({column} - DATE '1970-01-01')"


def _prepare(sql: str, params: dict) -> tuple[str, list]:
    """`sql` with its `:name` placeholders (a name may repeat) in the driver's style, and
    the values in order."""
    values = []

    def placeholder(match):
        value = params[match.group(1)]
        if isinstance(value, datetime) and is_sqlite():
            value = value.isoformat(" ")  # how peewee stores date-times in SQLite
        elif isinstance(value, date) and is_sqlite():
            value = value.isoformat()  # how peewee stores dates in SQLite
        values.append(value)
        return database.param

    if not is_sqlite():
        sql = sql.replace("%", "%%")
    sql = re.sub(r"(?<![:\w]):([a-z_][a-z0-9_]*)\b", placeholder, sql)
    return sql, values


STREAM_BATCH = 200  # rows a PostgreSQL export reads at a time


def _execute(sql: str, **params):
    """Run `sql` with `:name` placeholders (a name may repeat) on either database."""
    return database.execute_sql(*_prepare(sql, params))


def _stream(sql: str, **params) -> Iterator[tuple]:
    """The rows of `sql`, a few at a time, never all of them in memory: SQLite steps its
    cursor; PostgreSQL reads a server-side (named) cursor STREAM_BATCH rows at a time, in a
    transaction that ends when the rows do (or when the reader stops early)."""
    if is_sqlite():
        cursor = _execute(sql, **params)
        try:
            yield from cursor
        finally:
            cursor.close()  # the statement's read snapshot would hold back checkpoints
        return
    sql, values = _prepare(sql, params)
    peewee_log.debug((sql, values))  # as peewee logs the queries it runs itself
    with database.atomic(), database.connection().cursor(
            name=f"growth_{uuid.uuid4().hex}") as cursor:
        cursor.itersize = STREAM_BATCH
        cursor.execute(sql, values)
        yield from cursor


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)  # SQLite gives the stored YYYY-MM-DD text


# The people employed at some time in the period, with their weeks, minutes and tenure.
# `tenure_days` counts to the earlier of `to` and `left_on`; `employed_mondays` the Mondays
# in [from, to] on which they were employed.
PEOPLE_CTE = """
person AS (
  SELECT u.id, u.email, u.name, u.role, u.hired_on, u.left_on, u.leave_reason,
         u.team_id, t.name AS team_name,
         {hired_day} AS hired_day, {left_day} AS left_day
  FROM "user" u LEFT JOIN team t ON t.id = u.team_id
  WHERE u.hired_on <= :end AND (u.left_on IS NULL OR u.left_on >= :start)
),
span AS (
  SELECT id,
         CASE WHEN hired_day > :start_day THEN hired_day ELSE :start_day END AS first_day,
         CASE WHEN left_day < :end_day THEN left_day ELSE :end_day END AS last_day
  FROM person
),
mondays AS (
  SELECT id,
         first_day + ((4 - first_day) % 7 + 7) % 7 AS first_monday,
         last_day - ((last_day - 4) % 7 + 7) % 7 AS last_monday,
         last_day AS last_day
  FROM span
),
weeks AS (
  SELECT d.user_id AS id,
         SUM(CASE WHEN d.status = :skipped AND d.skip_reason = :away THEN 1 ELSE 0 END)
           AS away_weeks,
         SUM(CASE WHEN (d.status <> :skipped OR d.skip_reason IS NULL OR d.skip_reason <> :away)
                   AND d.minutes > 0 THEN 1 ELSE 0 END) AS participated_weeks,
         SUM(CASE WHEN (d.status <> :skipped OR d.skip_reason IS NULL OR d.skip_reason <> :away)
                  THEN d.minutes ELSE 0 END) AS minutes
  FROM dev_day d JOIN person p ON p.id = d.user_id
  WHERE d.week_start >= :start AND d.week_start <= :end AND d.week_start >= p.hired_on
    AND (p.left_on IS NULL OR d.week_start <= p.left_on)
  GROUP BY d.user_id
),
figures AS (
  SELECT p.id, p.email, p.name, p.role, p.hired_on, p.left_on, p.leave_reason,
         p.team_id, p.team_name,
         m.last_day - p.hired_day AS tenure_days,
         CASE WHEN p.hired_on <= :start THEN 1 ELSE 0 END AS at_start,
         CASE WHEN p.left_on IS NULL OR p.left_on >= :end THEN 1 ELSE 0 END AS at_end,
         CASE WHEN m.last_monday >= m.first_monday
              THEN (m.last_monday - m.first_monday) / 7 + 1 ELSE 0 END
           - COALESCE(w.away_weeks, 0) AS eligible_weeks,
         COALESCE(w.participated_weeks, 0) AS participated_weeks,
         COALESCE(w.minutes, 0) AS minutes
  FROM person p JOIN mondays m ON m.id = p.id LEFT JOIN weeks w ON w.id = p.id
)
"""


def _people_cte() -> str:
    # (mutmut: equivalent — the column names in upper case: SQL folds unquoted names)
    return PEOPLE_CTE.format(hired_day=_day_number("u.hired_on"),
                             left_day=_day_number("u.left_on"))


def _period_params(start: date, end: date) -> dict:
    return {
        "start": start, "end": end,
        "start_day": (start - EPOCH).days, "end_day": (end - EPOCH).days,
        "skipped": DayStatus.SKIPPED.value, "away": SkipReason.AWAY.value,
    }


# Per person (employees export) ------------------------------------------------------------

@dataclass
class PersonFigures:
    email: str
    name: str
    team: str | None
    role: str
    hired_on: date
    left_on: date | None
    leave_reason: str | None
    tenure_days: int
    eligible_weeks: int
    participated_weeks: int
    minutes: int
    goals_set: int
    goals_achieved: int
    reviews_held: int
    last_review_on: date | None
    ticket_reviews_given: int = 0
    ticket_reviews_received: int = 0
    self_reviews: int = 0
    practice_sessions: int = 0

    @property
    def tenure_years(self) -> Decimal:
        return years(self.tenure_days)

    @property
    def participation_rate(self) -> Decimal | None:
        return ratio(self.participated_weeks, self.eligible_weeks, 4)

    @property
    def dev_hours(self) -> Decimal:
        return ratio(self.minutes, 60, 2)


EMPLOYEES_SQL = """
WITH {people},
goals AS (
  SELECT g.owner_id AS id, COUNT(*) AS goals_set,
         SUM(CASE WHEN g.status = :achieved THEN 1 ELSE 0 END) AS goals_achieved
  FROM goal g JOIN review_cycle c ON c.id = g.cycle_id
  WHERE c.starts_on <= :end AND c.ends_on >= :start
  GROUP BY g.owner_id
),
reviews AS (
  SELECT r.person_id AS id, COUNT(*) AS reviews_held, MAX(r.held_on) AS last_review_on
  FROM review r
  WHERE r.status IN (:shared, :acknowledged) AND r.held_on >= :start AND r.held_on <= :end
  GROUP BY r.person_id
),
given AS (
  SELECT t.reviewer_id AS id,
         SUM(CASE WHEN t.reviewer_id <> t.reviewee_id THEN 1 ELSE 0 END) AS given,
         SUM(CASE WHEN t.reviewer_id = t.reviewee_id THEN 1 ELSE 0 END) AS self_reviews
  FROM ticket_review t
  WHERE t.created_at >= :start_at AND t.created_at < :end_at
  GROUP BY t.reviewer_id
),
received AS (
  SELECT t.reviewee_id AS id, COUNT(*) AS received
  FROM ticket_review t
  WHERE t.reviewer_id <> t.reviewee_id AND t.created_at >= :start_at AND t.created_at < :end_at
  GROUP BY t.reviewee_id
),
practice AS (
  SELECT pp.user_id AS id, COUNT(*) AS sessions
  FROM practice_participant pp JOIN practice_session s ON s.id = pp.session_id
  WHERE s.held_on >= :start AND s.held_on <= :end
  GROUP BY pp.user_id
)
SELECT f.id, f.email, f.name, f.team_name, f.role, f.hired_on, f.left_on, f.leave_reason,
       f.tenure_days, f.eligible_weeks, f.participated_weeks, f.minutes,
       COALESCE(g.goals_set, 0), COALESCE(g.goals_achieved, 0),
       COALESCE(r.reviews_held, 0), r.last_review_on,
       COALESCE(tg.given, 0), COALESCE(tr.received, 0), COALESCE(tg.self_reviews, 0),
       COALESCE(pr.sessions, 0)
FROM figures f LEFT JOIN goals g ON g.id = f.id LEFT JOIN reviews r ON r.id = f.id
     LEFT JOIN given tg ON tg.id = f.id LEFT JOIN received tr ON tr.id = f.id
     LEFT JOIN practice pr ON pr.id = f.id
"""


def _employees_sql(start: date, end: date, order: str = "") -> tuple[str, dict]:
    return EMPLOYEES_SQL.format(people=_people_cte()) + order, dict(
        achieved=GoalStatus.ACHIEVED.value, shared=ReviewStatus.SHARED.value,
        acknowledged=ReviewStatus.ACKNOWLEDGED.value,
        # Reviews created in the period: from its first moment to the end of its last day.
        start_at=datetime.combine(start, time.min),
        end_at=datetime.combine(end + timedelta(days=1), time.min),
        **_period_params(start, end))


def _person(row) -> PersonFigures:
    (_id, email, name, team, role, hired_on, left_on, reason, tenure_days, eligible,
     participated, minutes, goals_set, goals_achieved, reviews_held, last_review,
     given, received, self_reviews, practice) = row
    return PersonFigures(
        email=email, name=name, team=team, role=role,
        hired_on=_as_date(hired_on), left_on=_as_date(left_on), leave_reason=reason,
        tenure_days=int(tenure_days), eligible_weeks=int(eligible),
        participated_weeks=int(participated), minutes=int(minutes),
        goals_set=int(goals_set), goals_achieved=int(goals_achieved),
        reviews_held=int(reviews_held), last_review_on=_as_date(last_review),
        ticket_reviews_given=int(given), ticket_reviews_received=int(received),
        self_reviews=int(self_reviews), practice_sessions=int(practice))


def employees(start: date, end: date) -> list[PersonFigures]:
    """One row per person employed at any time in the period, by email (one query)."""
    sql, params = _employees_sql(start, end)
    rows = [_person(row) for row in _execute(sql, **params).fetchall()]
    # Sorted here, not in SQL: collations differ between databases, bytes must not.
    rows.sort(key=lambda person: person.email)
    return rows


def iter_employees(start: date, end: date) -> Iterator[PersonFigures]:
    """employees(), the same rows in the same order, streamed from the database (one query).

    Ordered in SQL by the email's bytes (SQLite's BINARY, PostgreSQL's "C" collation):
    UTF-8 byte order is code point order, which is Python's order of `str`."""
    # (mutmut: equivalent — "binary": SQLite's collation names ignore case; the others fail
    # on PostgreSQL, which the tests run on too)
    collation = "BINARY" if is_sqlite() else '"C"'
    sql, params = _employees_sql(start, end, f"ORDER BY f.email COLLATE {collation}, f.id")
    rows = _stream(sql, **params)
    try:
        for row in rows:
            yield _person(row)
    finally:
        rows.close()  # now, not when collected: it ends the cursor's transaction


def period_counts(start: date, end: date) -> tuple[int, int]:
    """How many people were employed at some time in the period (the employees export's
    rows), and in how many groups by team, `(no team)` being one (the retention export's
    rows but ALL): one cheap query, no figures."""
    people, groups = _execute(
        # (mutmut: equivalent — the statement in lower case; upper case fails on PostgreSQL)
        'SELECT COUNT(*), COUNT(DISTINCT COALESCE(u.team_id, 0)) FROM "user" u '
        "WHERE u.hired_on <= :end AND (u.left_on IS NULL OR u.left_on >= :start)",
        start=start, end=end).fetchone()
    return int(people), int(groups)


# Per team and for everyone (retention export, dashboard) ----------------------------------

@dataclass
class TeamFigures:
    key: int  # team id, 0 for no team, ALL_KEY for everyone
    team: str
    headcount_start: int = 0
    headcount_end: int = 0
    hires: int = 0
    leavers: int = 0
    voluntary_leavers: int = 0
    retained: int = 0
    tenure_days: int = 0  # summed over the people employed on `to`
    median_days_sum: int = 0  # the middle one or two tenures of those people, summed
    median_days_count: int = 0
    tenure_lt1: int = 0
    tenure_1_3: int = 0
    tenure_3_5: int = 0
    tenure_5_7: int = 0
    tenure_7_plus: int = 0
    eligible_weeks: int = 0
    participated_weeks: int = 0
    minutes: int = 0

    @property
    def is_all(self) -> bool:
        return self.key == ALL_KEY

    @property
    def retention_rate(self) -> Decimal | None:
        return ratio(self.retained, self.headcount_start, 4)

    @property
    def turnover_rate(self) -> Decimal | None:
        # leavers / ((start + end) / 2) == 2 * leavers / (start + end)
        return ratio(2 * self.leavers, self.headcount_start + self.headcount_end, 4)

    @property
    def avg_tenure_years(self) -> Decimal | None:
        return years(self.tenure_days, self.headcount_end)

    @property
    def median_tenure_years(self) -> Decimal | None:
        return years(self.median_days_sum, self.median_days_count)

    @property
    def participation_rate(self) -> Decimal | None:
        return ratio(self.participated_weeks, self.eligible_weeks, 4)

    @property
    def avg_dev_hours_per_week(self) -> Decimal | None:
        return ratio(self.minutes, 60 * self.eligible_weeks, 2) if self.eligible_weeks else None

    @property
    def tenure_buckets(self) -> list[int]:
        return [self.tenure_lt1, self.tenure_1_3, self.tenure_3_5, self.tenure_5_7,
                self.tenure_7_plus]


# Tenure buckets on whole days: years < 1  <=>  days < 365.25  <=>  4 * days < 1461.
TEAMS_SQL = """
WITH {people},
keyed AS (
  SELECT COALESCE(team_id, 0) AS k, f.* FROM figures f
  UNION ALL
  SELECT :all_key AS k, f.* FROM figures f
),
ranked AS (
  SELECT k, tenure_days,
         ROW_NUMBER() OVER (PARTITION BY k ORDER BY tenure_days) AS position,
         COUNT(*) OVER (PARTITION BY k) AS people
  FROM keyed WHERE at_end = 1
),
medians AS (
  SELECT k, SUM(tenure_days) AS days_sum, COUNT(*) AS days_count
  FROM ranked WHERE position IN ((people + 1) / 2, (people + 2) / 2)
  GROUP BY k
),
totals AS (
  SELECT k, MAX(team_name) AS team_name,
         SUM(at_start) AS headcount_start,
         SUM(at_end) AS headcount_end,
         SUM(1 - at_start) AS hires,
         SUM(1 - at_end) AS leavers,
         SUM(CASE WHEN at_end = 0 AND leave_reason = :voluntary THEN 1 ELSE 0 END)
           AS voluntary_leavers,
         SUM(at_start * at_end) AS retained,
         SUM(at_end * tenure_days) AS tenure_days,
         SUM(CASE WHEN at_end = 1 AND 4 * tenure_days < 1461 THEN 1 ELSE 0 END) AS lt1,
         SUM(CASE WHEN at_end = 1 AND 4 * tenure_days >= 1461 AND 4 * tenure_days < 4383
                  THEN 1 ELSE 0 END) AS y1_3,
         SUM(CASE WHEN at_end = 1 AND 4 * tenure_days >= 4383 AND 4 * tenure_days < 7305
                  THEN 1 ELSE 0 END) AS y3_5,
         SUM(CASE WHEN at_end = 1 AND 4 * tenure_days >= 7305 AND 4 * tenure_days < 10227
                  THEN 1 ELSE 0 END) AS y5_7,
         SUM(CASE WHEN at_end = 1 AND 4 * tenure_days >= 10227 THEN 1 ELSE 0 END) AS y7,
         SUM(eligible_weeks) AS eligible_weeks,
         SUM(participated_weeks) AS participated_weeks,
         SUM(minutes) AS minutes
  FROM keyed GROUP BY k
)
SELECT t.k, t.team_name, t.headcount_start, t.headcount_end, t.hires, t.leavers,
       t.voluntary_leavers, t.retained, t.tenure_days,
       COALESCE(m.days_sum, 0), COALESCE(m.days_count, 0),
       t.lt1, t.y1_3, t.y3_5, t.y5_7, t.y7, t.eligible_weeks, t.participated_weeks, t.minutes
FROM totals t LEFT JOIN medians m ON m.k = t.k
"""


def teams(start: date, end: date) -> list[TeamFigures]:
    """One row per team with anyone employed in the period (by name, case-insensitive), then
    `(no team)` if anyone has none, then ALL, which is always there (one query).

    People are counted in the team they belong to now. In the period, everyone was hired
    on or before `to` and left on or after `from`, so a hire is someone not employed on
    `from` and a leaver someone not employed on `to`.
    """
    cursor = _execute(TEAMS_SQL.format(people=_people_cte()), all_key=ALL_KEY,
                      voluntary=LeaveReason.VOLUNTARY.value, **_period_params(start, end))
    rows, everyone, no_team = [], TeamFigures(ALL_KEY, ALL), None
    for raw in cursor.fetchall():
        key, name, *numbers = raw
        key = int(key)
        label = ALL if key == ALL_KEY else (NO_TEAM if key == 0 else name)
        figures = TeamFigures(key, label, *(int(n or 0) for n in numbers))
        if key == ALL_KEY:
            everyone = figures
        elif key == 0:
            no_team = figures
        else:
            rows.append(figures)
    # Sorted here, not in SQL: collations differ between databases, bytes must not.
    rows.sort(key=lambda row: (row.team.casefold(), row.team))
    return rows + ([no_team] if no_team else []) + [everyone]


# Retention by development-day participation (dashboard) -----------------------------------

@dataclass
class BandFigures:
    band: str
    people: int = 0  # employed on `from`
    retained: int = 0  # ...and still on `to`

    @property
    def retention_rate(self) -> Decimal | None:
        return ratio(self.retained, self.people, 4)


BANDS_SQL = """
WITH {people},
banded AS (
  SELECT CASE WHEN 4 * participated_weeks < eligible_weeks THEN 'low'
              WHEN 4 * participated_weeks < 3 * eligible_weeks THEN 'middle'
              ELSE 'high' END AS band,
         at_end
  FROM figures f JOIN "user" u ON u.id = f.id
  WHERE f.at_start = 1 AND f.eligible_weeks > 0 AND u.weekly_dev_hours > 0
)
SELECT band, COUNT(*), SUM(at_end) FROM banded GROUP BY band
"""


def participation_bands(start: date, end: date) -> list[BandFigures]:
    """Retention of the people employed on `from`, by their participation rate in the period:
    under 25 %, 25–75 %, 75 % and over. People without an eligible week, and people without
    a development-day allowance (`weekly_dev_hours` 0, who never log one), are left out."""
    found = {band: BandFigures(band) for band in BANDS}
    for band, people, retained in _execute(BANDS_SQL.format(people=_people_cte()),
                                           **_period_params(start, end)).fetchall():
        found[band] = BandFigures(band, int(people), int(retained or 0))
    return [found[band] for band in BANDS]


# Month by month (dashboard) ---------------------------------------------------------------

@dataclass
class MonthFigures:
    starts_after: date  # the previous point (hires after it, leavers on or after it)
    ends_on: date  # the month's last day, or `to`
    headcount: int = 0  # employed on `ends_on`
    hires: int = 0
    leavers: int = 0


def month_points(start: date, end: date) -> list[tuple[date, date]]:
    """Consecutive (previous point, month end) pairs from `from` to `to`; the last month
    ends on `to`. Over each pair, headcount_end = headcount_start + hires − leavers."""
    points, point = [], start
    while point < end:
        next_month = date(point.year + point.month // 12, point.month % 12 + 1, 1)
        month_end = min(next_month - timedelta(days=1), end)
        if month_end == point:  # `from` is a month's last day
            month_end = min(date(next_month.year + next_month.month // 12,
                                 next_month.month % 12 + 1, 1) - timedelta(days=1), end)
        points.append((point, month_end))
        point = month_end
    return points


def months(start: date, end: date) -> list[MonthFigures]:
    """Headcount at each month's end with the month's hires and leavers (one query)."""
    points = month_points(start, end)
    if not points:
        return []
    values, params = [], {}
    for index, (after, until) in enumerate(points):
        values.append(f"(:i{index}, :a{index}, :u{index})")
        params.update({f"i{index}": index, f"a{index}": after, f"u{index}": until})
    sql = f"""
    WITH points(i, after_day, until_day) AS (VALUES {", ".join(values)})
    SELECT p.i,
           SUM(CASE WHEN u.hired_on <= p.until_day
                     AND (u.left_on IS NULL OR u.left_on >= p.until_day) THEN 1 ELSE 0 END),
           SUM(CASE WHEN u.hired_on > p.after_day AND u.hired_on <= p.until_day
                    THEN 1 ELSE 0 END),
           SUM(CASE WHEN u.left_on >= p.after_day AND u.left_on < p.until_day
                    THEN 1 ELSE 0 END)
    FROM points p LEFT JOIN "user" u ON u.hired_on <= p.until_day
      AND (u.left_on IS NULL OR u.left_on >= p.after_day)
    GROUP BY p.i
    """  # noqa: S608 (placeholders only; the values are parameters)  # nosec B608
    # Every point has its row (the LEFT JOIN keeps it), its sums 0 when nobody matches.
    counted = {int(i): (int(h or 0), int(n or 0), int(out or 0))
               for i, h, n, out in _execute(sql, **params).fetchall()}
    return [MonthFigures(after, until, *counted[index])
            for index, (after, until) in enumerate(points)]
