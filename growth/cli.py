"""The `growth` command line (also `flask --app growth …`)."""

import sqlite3
import sys
from datetime import date
from pathlib import Path

import click
from flask.cli import FlaskGroup, with_appcontext

from .db import database, is_sqlite


def fail(message: str):
    """One line on stderr and a non-zero exit; nothing was written."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _iso_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} must be a date written YYYY-MM-DD, not {value!r}.")
        return None


db_group = click.Group("db", help="Database migrations.")


@db_group.command("upgrade")
@with_appcontext
def db_upgrade():
    """Apply pending migrations from migrations/ (safe to run again)."""
    from . import db

    applied = db.upgrade()
    click.echo("Applied: " + ", ".join(applied) if applied else "The database is up to date.")


@db_group.command("status")
@with_appcontext
def db_status():
    """List applied and pending migrations."""
    from . import db

    for migration in db.status():
        state = f"applied {migration.applied:%Y-%m-%d %H:%M}" if migration.applied else "pending"
        click.echo(f"{migration.name:<30} {state}")


@click.command("create-user")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(["agent", "lead", "hr", "admin"]))
@click.option("--team", default=None, help="Team name; created when missing.")
@click.option("--hired-on", default=None, help="YYYY-MM-DD (default: today).")
@with_appcontext
def create_user(email, name, role, team, hired_on):
    """Create one account and print its one-time password."""
    from .admin.service import AdminError
    from .admin.service import create_user as create
    from .models import Team

    hired = _iso_date(hired_on, "--hired-on")
    if "@" not in email:
        fail(f"{email!r} is not an email address.")
    with database.connection_context():
        team_id = None
        if team:
            found = Team.get_or_none(Team.name == team) or Team.create(name=team)
            team_id = found.id
        try:
            user, password = create(None, email=email, name=name, role=role, team_id=team_id,
                                    hired_on=hired)
        except AdminError as error:
            fail(str(error))
        if role == "lead" and team_id:
            Team.update(lead=user.id).where(Team.id == team_id, Team.lead.is_null()).execute()
    click.echo(f"Created {user.email} ({role}). One-time password: {password}")
    click.echo("They choose their own password at the first sign-in.")


@click.command("set-password")
@click.argument("email")
@with_appcontext
def set_password(email):
    """Set a password: prompts twice on a terminal, else reads one line from stdin."""
    from .auth.service import PasswordPolicyError
    from .auth.service import set_password as store
    from .models import User

    if sys.stdin.isatty():
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    with database.connection_context():
        user = User.by_email(email).first()
        if user is None:
            fail(f"No account has the email {email}.")
        try:
            store(user, password)
        except PasswordPolicyError as error:
            fail(str(error))
    click.echo(f"Password set for {user.email}.")


@click.command("import-people")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing.")
@with_appcontext
def import_people(path, dry_run):
    """Upsert people by email from a CSV file: all rows or none."""
    from . import people

    try:
        with open(path, newline="", encoding="utf-8-sig") as stream:
            rows = people.parse(stream)
    except OSError as error:
        fail(f"cannot read {path}: {error.strerror}.")
    except UnicodeDecodeError:
        fail(f"{path} is not UTF-8 text.")
    except people.PeopleFileError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        fail(f"{len(error.problems)} bad row(s); nothing was imported.")
    if dry_run:
        click.echo(f"{len(rows)} row(s) are valid. Nothing was written (--dry-run).")
        return
    with database.connection_context():
        counts = people.apply(rows)
    click.echo(f"Created {counts['created']}, updated {counts['updated']}, "
               f"new teams {counts['teams_created']}.")


@click.command("export")
@click.argument("report", type=click.Choice(["retention", "employees"]))
@click.option("--from", "start", default=None, help="YYYY-MM-DD (default: a year before --to)")
@click.option("--to", "end", default=None, help="YYYY-MM-DD (default: today)")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@click.option("-o", "output", default=None, type=click.Path(dir_okay=False),
              help="File to write (default: the CSV on standard output).")
@with_appcontext
def export(report, start, end, fmt, output):
    """The HR exports, exactly as the /hr downloads."""
    from .hr.queries import default_period

    end_d = _iso_date(end, "--to") or date.today()
    start_d = _iso_date(start, "--from") or default_period(end_d)[0]
    if start_d > end_d:
        fail("--from must not be after --to.")
    if fmt == "xlsx" and not output:
        fail("XLSX needs a file: add -o FILE.xlsx.")
    from . import audit
    from .hr import exports

    with database.connection_context():
        result = exports.export(report, start_d, end_d, fmt)
        data = result.data
        audit.record(f"hr_export_{report}",
                     detail=f"format={fmt} from={start_d} to={end_d} rows={result.rows} cli")
    if output:
        Path(output).write_bytes(data)
        click.echo(f"Wrote {output}.", err=True)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only print the sign-ins when people exist.")
@with_appcontext
def demo(if_empty):
    """Fill an empty database with a demo organisation and print the demo sign-ins."""
    from . import demo as demo_data
    from .models import User

    with database.connection_context():
        if User.select().exists():
            if not if_empty:
                fail("the database already has people; the demo only fills an empty one.")
        else:
            click.echo("Building the demo organisation…", err=True)
            demo_data.build()
    click.echo(demo_data.sign_in_table())


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup(path):
    """A consistent copy of the SQLite database while the app runs (online backup API)."""
    if not is_sqlite():
        fail("backup copies SQLite databases; for PostgreSQL use pg_dump "
             "(for example: pg_dump -Fc growth > growth.dump).")
    target = Path(path)
    if target.exists():
        fail(f"{path} exists already; choose a new file.")
    source_path = database.obj.database
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True)
    try:
        destination = sqlite3.connect(target)
        with destination:
            source.backup(destination)
        check = destination.execute("PRAGMA integrity_check").fetchone()[0]
        destination.close()
    finally:
        source.close()
    if check != "ok":
        fail(f"the copy failed its integrity check: {check}")
    click.echo(f"Backed up to {path}.")


def init_app(app):
    for command in (db_group, create_user, set_password, import_people, export, demo, backup):
        app.cli.add_command(command)


def _create_app():
    from . import create_app

    return create_app()


main = FlaskGroup(create_app=_create_app, add_default_commands=True,
                  help="Growth: development days, coaching and retention.")
