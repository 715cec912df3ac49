"""The `growth` command line."""

import sqlite3
from datetime import date, timedelta

import pytest

from growth import demo
from growth.models import AuditEvent, Team, User
from growth.passwords import verify_password


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def run(*args, input=None):
        return runner.invoke(args=list(args), input=input)

    return run


def is_sqlite(db):
    return db.obj.__class__.__name__.endswith("SqliteDatabase")


def test_db_upgrade_is_safe_to_run_again(cli):
    result = cli("db", "upgrade")
    assert result.exit_code == 0
    assert "up to date" in result.output
    status = cli("db", "status")
    assert "0001_foundation" in status.output and "pending" not in status.output


def test_create_user(cli):
    result = cli("create-user", "Lea@Example.com", "--name", "Lea", "--role", "lead",
                 "--team", "Tier 2", "--hired-on", "2024-02-01")
    assert result.exit_code == 0, result.output
    lea = User.by_email("lea@example.com").get()
    assert (lea.role, lea.hired_on, lea.must_change_password) == ("lead", date(2024, 2, 1), True)
    assert Team.get(Team.name == "Tier 2").lead_id == lea.id
    password = result.output.split("One-time password: ")[1].split()[0]
    assert verify_password(lea.password_hash, password)


@pytest.mark.parametrize("args, message", [
    (["create-user", "not-an-email", "--name", "X", "--role", "agent"], "not an email"),
    (["create-user", "x@example.com", "--name", "X", "--role", "agent", "--hired-on",
      "2024-13-01"], "YYYY-MM-DD"),
])
def test_create_user_bad_input(cli, args, message):
    result = cli(*args)
    assert result.exit_code != 0
    assert message in result.output
    assert User.select().count() == 0


def test_create_user_twice_fails(cli):
    cli("create-user", "x@example.com", "--name", "X", "--role", "agent")
    result = cli("create-user", "X@example.com", "--name", "X", "--role", "agent")
    assert result.exit_code == 1
    assert "already has that email" in result.output


def test_set_password_reads_one_line_from_stdin(cli, world):
    result = cli("set-password", world.agent_a.email, input="a fine long passphrase\n")
    assert result.exit_code == 0, result.output
    assert verify_password(User.get_by_id(world.agent_a.id).password_hash,
                           "a fine long passphrase")
    short = cli("set-password", world.agent_a.email, input="short\n")
    assert short.exit_code == 1 and "12 characters" in short.output
    unknown = cli("set-password", "nobody@example.com", input="a fine long passphrase\n")
    assert unknown.exit_code == 1


HEADER = "email,name,role,team,hired_on,left_on,leave_reason,weekly_dev_hours\n"


def test_import_people_upserts_and_makes_leads(cli, tmp_path, world):
    past = (date.today() - timedelta(days=10)).isoformat()
    path = tmp_path / "people.csv"
    path.write_text(HEADER
                    + "new@example.com,New Person,agent,Team C,2025-01-06,,,\n"
                    + "newlead@example.com,New Lead,lead,Team C,2021-03-01,,,6\n"
                    + f"{world.agent_a.email.upper()},Agent A Renamed,agent,,2020-01-06,,,8\n"
                    + f"gone@example.com,Gone,agent,,2019-01-01,{past},voluntary,\n")
    result = cli("import-people", str(path))
    assert result.exit_code == 0, result.output
    assert "Created 3, updated 1, new teams 1" in result.output
    new_lead = User.by_email("newlead@example.com").get()
    assert Team.get(Team.name == "Team C").lead_id == new_lead.id
    assert new_lead.weekly_dev_hours == 6
    assert User.by_email("new@example.com").get().weekly_dev_hours == 8
    renamed = User.get_by_id(world.agent_a.id)
    assert (renamed.name, renamed.team_id) == ("Agent A Renamed", None)
    assert not User.by_email("gone@example.com").get().can_sign_in()


def test_import_people_is_all_or_nothing_and_names_every_bad_line(cli, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(HEADER
                    + "ok@example.com,Fine,agent,,2025-01-06,,,\n"
                    + "bad,No Email,agent,,2025-01-06,,,\n"
                    + "x@example.com,X,wizard,,2025-01-06,,,\n"
                    + "y@example.com,Y,agent,,2025-01-06,2024-01-01,voluntary,\n"
                    + "z@example.com,Z,agent,,2025-01-06,2025-02-01,,\n"
                    + "ok@example.com,Again,agent,,2025-01-06,,,\n")
    result = cli("import-people", str(path))
    assert result.exit_code == 1
    for line in ("line 3:", "line 4:", "line 5:", "line 6:", "line 7:"):
        assert line in result.output
    assert "line 2:" not in result.output
    assert User.select().count() == 0


def test_import_people_dry_run_writes_nothing(cli, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(HEADER + "ok@example.com,Fine,agent,Team Z,2025-01-06,,,\n")
    result = cli("import-people", str(path), "--dry-run")
    assert result.exit_code == 0 and "1 row is valid" in result.output
    assert User.select().count() == 0 and Team.select().count() == 0


def test_import_people_missing_file(cli):
    result = cli("import-people", "/no/such/file.csv")
    assert result.exit_code == 1 and "cannot read" in result.output


def test_demo_fills_an_empty_database_once(cli):
    result = cli("demo")
    assert result.exit_code == 0, result.output
    for email, *_ in demo.SIGN_INS:
        assert email in result.output
    assert User.select().count() > 15
    assert cli("demo").exit_code == 1
    again = cli("demo", "--if-empty")
    assert again.exit_code == 0 and "agent@example.com" in again.output


def test_backup_makes_a_consistent_copy(cli, db, world, tmp_path):
    target = tmp_path / "backup.db"
    result = cli("backup", str(target))
    if not is_sqlite(db):
        assert result.exit_code == 1 and "pg_dump" in result.output
        return
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("SELECT COUNT(*) FROM user").fetchone()[0] == User.select().count()
    copy.close()
    assert cli("backup", str(target)).exit_code == 1  # never overwrites


def test_export_rejects_reversed_dates(cli):
    result = cli("export", "retention", "--from", "2026-05-01", "--to", "2026-01-01")
    assert result.exit_code == 1
    assert "--from" in result.output
    assert not AuditEvent.select().where(AuditEvent.action.startswith("hr_export")).exists()
