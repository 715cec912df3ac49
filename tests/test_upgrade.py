"""Upgrades keep data: a database made by the first release, filled as people would have
filled it, goes through `growth db upgrade` with today's code and keeps every row and figure.

`tests/data/first_release/migrations/` holds the migrations exactly as the first release
shipped them (`git show 66fd8e4:migrations/<name>.py`); they are run here, on SQLite and
on PostgreSQL, to build that release's schema. Every future migration must keep this green.
"""

import csv
import io
import os
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.cli import ScriptInfo
from playhouse.migrations import Runner

from growth import create_app
from growth.cli import main
from growth.db import database, open_database
from tests.conftest import BACKENDS, TEST_HASH, csrf_token_in, fresh_database

FIRST_RELEASE = Path(__file__).parent / "data" / "first_release" / "migrations"
PERIOD = (date(2025, 1, 6), date(2025, 3, 31))


# What the first release's models filled in (peewee defaults live in Python, not the schema).
DEFAULTS = {
    "goal": {"why": "", "success": "", "status": "open"},
    "dev_day": {"plan": "", "status": "planned", "skip_note": ""},
    "activity": {"note": "", "link": ""},
    "one_on_one": {"shared_notes": "", "private_notes": ""},
    "action_item": {"done": False},
    "review": {"self_assessment": "", "notes": "", "next_focus": "", "response": ""},
    "review_goal": {"outcome": "", "comment": ""},
    "audit_event": {"actor_role": "", "target_type": "", "detail": "", "address": ""},
}


class OldDatabase:
    """Raw SQL against the first release's schema (today's models don't describe it)."""

    def __init__(self, db):
        self.db = db

    def insert(self, table: str, **values) -> int:
        values = {**DEFAULTS.get(table, {}), **values}
        columns = ", ".join(f'"{name}"' for name in values)
        marks = ", ".join(self.db.param for _ in values)
        cursor = self.db.execute_sql(
            f'INSERT INTO "{table}" ({columns}) VALUES ({marks}) RETURNING id',
            list(values.values()))
        return cursor.fetchone()[0]

    def snapshot(self, tables: list[str]) -> dict[str, list[dict]]:
        found = {}
        for table in tables:
            cursor = self.db.execute_sql(f'SELECT * FROM "{table}" ORDER BY id')
            names = [column[0] for column in cursor.description]
            found[table] = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        return found


def _fill(old: OldDatabase, password_hash: str) -> dict:
    """A small organisation as the first release would have stored it."""
    now = "2025-03-20 10:00:00"

    def person(email, name, role, team, hired_on, **more):
        return old.insert("user", email=email, name=name, role=role, team_id=team,
                          hired_on=hired_on, password_hash=password_hash, active=True,
                          weekly_dev_hours=8, session_version=1, must_change_password=False,
                          created_at=now, **more)

    tier1 = old.insert("team", name="Tier 1")
    tier2 = old.insert("team", name="Tier 2")
    lena = person("lena@example.com", "Lena Lead", "lead", tier1, "2020-01-06")
    ana = person("ana@example.com", "Ana Agent", "agent", tier1, "2022-03-01", locale="es")
    bo = person("bo@example.com", "Bo Newcomer", "agent", tier2, "2025-02-03")
    person("cy@example.com", "Cy Leaver", "agent", tier1, "2021-06-01",
           left_on="2025-02-28", leave_reason="voluntary")
    old.db.execute_sql(f'UPDATE "user" SET active = {old.db.param} WHERE email = '
                       f"{old.db.param}", [False, "cy@example.com"])
    person("hal@example.com", "Hal HR", "hr", None, "2019-01-07")
    ada = person("ada@example.com", "Ada Admin", "admin", None, "2019-01-07")
    old.db.execute_sql(f'UPDATE "team" SET lead_id = {old.db.param} WHERE id = '
                       f"{old.db.param}", [lena, tier1])

    cycle = old.insert("review_cycle", name="2025 H1", starts_on="2025-01-01",
                       ends_on="2025-06-30")
    goal = old.insert("goal", owner_id=ana, cycle_id=cycle, title="Own the billing docs",
                      why="Billing tickets take us longest", success="Three articles live",
                      status="achieved", created_at=now, updated_at=now)

    def dev_day(user, week, minutes, **more):
        return old.insert("dev_day", user_id=user, week_start=week, minutes=minutes,
                          created_at=now, updated_at=now, **more)

    week1 = dev_day(ana, "2025-01-06", 360, planned_on="2025-01-10", status="logged",
                    plan="Write the refunds article", rating=3)
    old.insert("dev_day_goal", dev_day_id=week1, goal_id=goal)
    old.insert("activity", dev_day_id=week1, kind="docs", minutes=240,
               note="Drafted the refunds article", link="https://docs.example.com/refunds",
               goal_id=goal, created_at=now)
    old.insert("activity", dev_day_id=week1, kind="reading", minutes=120,
               note="Read Bo's escalations", created_at=now)
    dev_day(ana, "2025-01-13", 0, status="skipped", skip_reason="workload",
            skip_note="Queue was on fire")
    week3 = dev_day(ana, "2025-01-20", 60, status="logged")
    old.insert("activity", dev_day_id=week3, kind="course", minutes=60, created_at=now)
    week_bo = dev_day(bo, "2025-02-03", 480, status="logged", plan="Product catch-up")
    old.insert("activity", dev_day_id=week_bo, kind="product", minutes=480, created_at=now)

    meeting = old.insert("one_on_one", person_id=ana, lead_id=lena, held_on="2025-02-12",
                         shared_notes="Billing docs are landing well",
                         private_notes="Ask about the team move", created_at=now)
    old.insert("action_item", person_id=ana, one_on_one_id=meeting, owner_id=ana,
               text="Publish the refunds article", due_on="2025-02-28", done=False,
               created_at=now)
    old.insert("agenda_item", person_id=ana, author_id=ana, text="Course budget",
               created_at=now)
    review = old.insert("review", person_id=ana, cycle_id=cycle, lead_id=lena,
                        status="shared", self_assessment="Docs are my thing now",
                        self_submitted_at=now, notes="Strong half", next_focus="Mentoring",
                        held_on="2025-03-14", shared_at=now, version=3, created_at=now)
    old.insert("review_goal", review_id=review, goal_id=goal, outcome="achieved",
               comment="Three articles")
    old.insert("audit_event", at=now, actor_id=ada, actor_role="admin", action="user_created",
               target_type="user", target_id=bo, detail="", address="10.0.0.7")
    old.insert("login_failure", account="ana@example.com", address="10.0.0.8", at=now)
    return {"ana": ana, "bo": bo}


@pytest.mark.parametrize("kind", BACKENDS)
def test_a_first_release_database_upgrades_and_keeps_every_row(kind, tmp_path):
    from argon2 import PasswordHasher

    with fresh_database(kind, tmp_path, f"growth_upgrade_{os.getpid()}") as url:
        old_db = open_database(url, pool_size=2)
        database.initialize(old_db)
        with old_db.connection_context():
            assert Runner(old_db, directory=str(FIRST_RELEASE)).up() == [
                "0001_foundation", "0002_dev_days", "0003_coaching"]
            tables = sorted(t for t in old_db.get_tables() if t != "schema_migration")
            old = OldDatabase(old_db)
            with old_db.atomic():
                ids = _fill(old, PasswordHasher(**TEST_HASH).hash("a passphrase from 2025"))
            before = old.snapshot(tables)
        old_db.close_all()

        app = create_app({"ENV": "development", "TESTING": True, "DATABASE_URL": url,
                          "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
                          "PASSWORD_HASH": TEST_HASH, "INSTANCE_PATH": str(tmp_path)})
        result = CliRunner().invoke(main, ["db", "upgrade"],
                                    obj=ScriptInfo(create_app=lambda: app))
        assert result.exit_code == 0, result.output
        assert "Applied:" in result.output
        try:
            with app.app_context(), database.connection_context():
                _check_after_upgrade(app, tables, before, ids)
        finally:
            database.obj.close_all()


def _check_after_upgrade(app, tables, before, ids):
    from growth.db import runner
    from growth.hr import exports
    from growth.models import Activity, DevDay, User, fn

    assert all(m.applied for m in runner().status())
    after = OldDatabase(database.obj).snapshot(tables)
    for table in tables:
        assert len(after[table]) == len(before[table]), table
        for old_row, new_row in zip(before[table], after[table], strict=True):
            assert {k: new_row[k] for k in old_row} == old_row, table

    # Today's models read the old rows: every week's total is the sum of its activities.
    totals = dict(Activity.select(Activity.dev_day, fn.SUM(Activity.minutes))
                  .group_by(Activity.dev_day).tuples())
    days = list(DevDay.select())
    assert len(days) == 4
    for day in days:
        assert day.minutes == totals.get(day.id, 0)

    # The HR figures, computed by today's code from the upgraded rows.
    header, rows = exports.table("retention", *PERIOD)
    everyone = dict(zip(header, rows[-1], strict=True))
    assert everyone["team"] == "ALL"
    assert (everyone["headcount_start"], everyone["headcount_end"], everyone["hires"],
            everyone["leavers"], everyone["voluntary_leavers"]) == (5, 5, 1, 1, 1)
    data = exports.render("employees", *PERIOD, "csv").decode("utf-8-sig")
    people = {row["email"]: row for row in csv.DictReader(io.StringIO(data))}
    assert people["ana@example.com"]["dev_hours"] == "7.00"
    assert people["ana@example.com"]["participated_weeks"] == "2"
    assert people["ana@example.com"]["goals_achieved"] == "1"
    assert people["ana@example.com"]["reviews_held"] == "1"
    assert people["bo@example.com"]["dev_hours"] == "8.00"

    # Ana signs in with the password she had and sees her week and her review.
    ana = User.get_by_id(ids["ana"])
    assert ana.locale == "es" and ana.team.name == "Tier 1"
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"email": "ana@example.com",
                                           "csrf_token": csrf_token_in(page),
                                           "password": "a passphrase from 2025"})
    assert response.status_code == 302
    week = client.get("/week/2025-W02").get_data(as_text=True)
    assert "Drafted the refunds article" in week and "Write the refunds article" in week
