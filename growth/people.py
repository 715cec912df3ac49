"""Importing people from a CSV file: all rows or none, every bad row named by its line."""

import csv
import unicodedata
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from . import audit
from .accounts import staying_admins
from .db import write_transaction
from .forms import DATE_RANGE_MESSAGE, text_problem
from .models import EMAIL_MAX, LeaveReason, Role, Team, User, normalize_email, utcnow
from .weeks import in_range

COLUMNS = ["email", "name", "role", "team", "hired_on", "left_on", "leave_reason",
           "weekly_dev_hours"]


@dataclass
class PersonRow:
    line: int
    email: str
    name: str
    role: str
    team: str
    hired_on: date
    left_on: date | None
    leave_reason: str | None
    weekly_dev_hours: int


class PeopleFileError(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _date(text: str, column: str) -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("%(field)s must be a date written YYYY-MM-DD, not %(value)s.",
                           field=column, value=repr(text))) from None
    if not in_range(day):
        raise ValueError(_("%(field)s: %(problem)s", field=column,
                           problem=str(DATE_RANGE_MESSAGE)))
    return day


def _check_characters(values: dict) -> None:
    """The forms' rule on characters: every column is single-line text."""
    for column in COLUMNS:
        problem = text_problem(values[column], multiline=False)
        if problem is not None:
            raise ValueError(_("%(field)s: %(problem)s", field=column, problem=str(problem)))


def _one_of(values) -> str:
    return ", ".join(value.value for value in values)


def _records(reader: csv.DictReader):
    """(line, row) pairs; `line` is where the row starts in the file, so a quoted value
    holding line breaks doesn't shift the numbers of the rows after it."""
    while True:
        line = reader.line_num + 1
        try:
            raw = next(reader)
        except StopIteration:
            return
        yield line, raw


def parse(stream) -> list[PersonRow]:
    """Every row checked; raises PeopleFileError listing each bad line (the header is line 1),
    in the command line's language. Column names and values are quoted as in the file; a
    value is shown with repr() so no character from the file reaches the terminal raw."""
    reader = csv.DictReader(stream)
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise PeopleFileError([_("line %(line)s: %(problem)s", line=1, problem=_(
            "missing columns: %(columns)s.", columns=", ".join(missing)))])
    rows, problems, seen = [], [], {}
    for line, raw in _records(reader):
        values = {k: unicodedata.normalize("NFC", (raw.get(k) or "").strip()) for k in COLUMNS}
        try:
            _check_characters(values)
            email = normalize_email(values["email"])
            if "@" not in email or len(email) > EMAIL_MAX:
                raise ValueError(_("email %(value)s is not an email address.",
                                   value=repr(values["email"])))
            if email in seen:
                raise ValueError(_("email %(email)s also appears on line %(line)s.",
                                   email=email, line=seen[email]))
            if not values["name"] or len(values["name"]) > 200:
                raise ValueError(_("name is required (200 characters at most)."))
            if values["role"] not in {r.value for r in Role}:
                raise ValueError(_("role must be one of %(choices)s, not %(value)s.",
                                   choices=_one_of(Role), value=repr(values["role"])))
            if not values["hired_on"]:
                raise ValueError(_("hired_on is required."))
            hired_on = _date(values["hired_on"], "hired_on")
            left_on = _date(values["left_on"], "left_on") if values["left_on"] else None
            reason = values["leave_reason"] or None
            if left_on and left_on < hired_on:
                raise ValueError(_("left_on can't be before hired_on."))
            if left_on and not reason:
                raise ValueError(_("leave_reason is required when left_on is set."))
            if reason and reason not in {r.value for r in LeaveReason}:
                raise ValueError(_("leave_reason must be one of %(choices)s.",
                                   choices=_one_of(LeaveReason)))
            if reason and not left_on:
                raise ValueError(_("leave_reason is only for people with a left_on date."))
            hours_text = values["weekly_dev_hours"] or "8"
            if not hours_text.isdigit() or not 0 <= int(hours_text) <= 40:
                raise ValueError(_("weekly_dev_hours must be a whole number from 0 to 40."))
            if len(values["team"]) > 100:
                raise ValueError(_("team names have 100 characters at most."))
        except ValueError as error:
            problems.append(_("line %(line)s: %(problem)s", line=line, problem=str(error)))
            continue
        seen[email] = line
        rows.append(PersonRow(line, email, values["name"], values["role"], values["team"],
                              hired_on, left_on, reason, int(hours_text)))
    if problems:
        raise PeopleFileError(problems)
    return rows


def apply(rows: list[PersonRow], today: date | None = None) -> dict:
    """Upsert people by email in one transaction. Returns counts of what changed."""
    today = today or date.today()
    counts = {"created": 0, "updated": 0, "teams_created": 0}
    with write_transaction():
        admins = {row.id for row in staying_admins()}
        teams = {t.name.casefold(): t for t in Team.select()}
        lines = {}
        for row in rows:
            team = None
            if row.team:
                team = teams.get(row.team.casefold())
                if team is None:
                    team = teams[row.team.casefold()] = Team.create(name=row.team)
                    counts["teams_created"] += 1
            fields = {
                "name": row.name, "role": row.role, "team": team, "hired_on": row.hired_on,
                "left_on": row.left_on, "leave_reason": row.leave_reason,
                "weekly_dev_hours": row.weekly_dev_hours,
                "active": row.left_on is None or row.left_on >= today,
            }
            user = User.by_email(row.email).first()
            if user is None:
                user = User.create(email=row.email, password_hash="", **fields)
                counts["created"] += 1
            else:
                changed = user.role != row.role or user.team_id != (team.id if team else None)
                User.update(session_version=User.session_version + int(changed),
                            **fields).where(User.id == user.id).execute()
                counts["updated"] += 1
            lines[user.id] = row.line
            if row.role == Role.LEAD and team is not None and team.lead_id != user.id:
                Team.update(lead=user.id, lead_since=utcnow()).where(
                    Team.id == team.id).execute()
                audit.record("team_lead_changed", team,
                             detail=f"{team.lead_id}->{user.id}")
                team.lead_id = user.id
        if admins and not staying_admins().exists():
            # Raised inside the transaction: nothing of the file is written.
            raise PeopleFileError([
                _("line %(line)s: %(problem)s", line=lines[admin], problem=_(
                    "this would leave no admin: make someone else an admin first."))
                for admin in sorted(admins) if admin in lines])
    return counts

