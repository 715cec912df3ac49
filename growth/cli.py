"""The `growth` command line (also `flask --app growth …`).

Every message for a person is translated, in the language the environment asks for
(GROWTH_LOCALE, LC_ALL, LC_MESSAGES, LANG: see i18n.environment_locale); what a program
reads (the CSV on standard output) stays locale-neutral.
"""

import secrets
import sqlite3
import sys
from datetime import date
from pathlib import Path

import click
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from .db import database, is_sqlite


class Option(click.Option):
    """click.Option with its help translated when shown: click would turn a lazy string into
    English text when this module is imported, before any language is chosen."""

    def __init__(self, *args, help=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.help = help

    def get_help_record(self, ctx):
        record = super().get_help_record(ctx)
        return None if record is None else (record[0], str(record[1]))


def option(*declarations, **attrs):
    return click.option(*declarations, cls=Option, **attrs)


def fail(message: str):
    """One line on stderr and a non-zero exit; nothing was written."""
    click.echo(_("Error: %(message)s", message=message), err=True)
    sys.exit(1)


def _iso_date(value: str | None, flag: str) -> date | None:
    if value is None:
        return None
    from .forms import DATE_RANGE_MESSAGE
    from .weeks import in_range

    try:
        day = date.fromisoformat(value)
    except ValueError:
        fail(_("%(field)s must be a date written YYYY-MM-DD, not %(value)s.",
               field=flag, value=repr(value)))
        return None
    if not in_range(day):
        fail(_("%(field)s: %(problem)s", field=flag, problem=str(DATE_RANGE_MESSAGE)))
    return day


db_group = click.Group("db", help=_l("Database migrations."))


@db_group.command("upgrade", help=_l("Apply pending migrations from migrations/ "
                                     "(safe to run again)."))
@with_appcontext
def db_upgrade():
    from . import db

    applied = db.upgrade()
    if applied:
        click.echo(_("Applied: %(migrations)s", migrations=", ".join(applied)))
    else:
        click.echo(_("The database is up to date."))


@db_group.command("status", help=_l("List applied and pending migrations."))
@with_appcontext
def db_status():
    from . import db

    for migration in db.status():
        if migration.applied:
            when = migration.applied.strftime("%Y-%m-%d %H:%M")
            state = _("applied %(when)s", when=when)
        else:
            state = _("pending")
        click.echo(f"{migration.name:<30} {state}")


@click.command("create-user", help=_l("Create one account and print its one-time password."))
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice(["agent", "lead", "hr", "admin"]))
@option("--team", default=None, help=_l("Team name; created when missing."))
@option("--hired-on", default=None, help=_l("YYYY-MM-DD (default: today)."))
@with_appcontext
def create_user(email, name, role, team, hired_on):
    from .admin.service import AdminError
    from .admin.service import create_user as create
    from .labels import ROLES
    from .models import Team, utcnow

    hired = _iso_date(hired_on, "--hired-on")
    if "@" not in email:
        fail(_("%(email)s is not an email address.", email=repr(email)))
    with database.connection_context():
        team_id = None
        if team:
            found = Team.get_or_none(Team.name == team) or Team.create(name=team)
            team_id = found.id
        password = secrets.token_urlsafe(12)
        try:
            user, _created = create(None, email=email, name=name, role=role, team_id=team_id,
                          hired_on=hired, password=password)
        except AdminError as error:
            fail(str(error))
        if role == "lead" and team_id:
            Team.update(lead=user.id, lead_since=utcnow()).where(
                Team.id == team_id, Team.lead.is_null()).execute()
    click.echo(_("Created %(email)s (%(role)s). One-time password: %(password)s",
                 email=user.email, role=ROLES[role], password=password))
    click.echo(_("They choose their own password at the first sign-in."))


@click.command("set-password", help=_l("Set a password: prompts twice on a terminal, else "
                                       "reads one line from standard input."))
@click.argument("email")
@with_appcontext
def set_password(email):
    from .auth.service import PasswordPolicyError
    from .auth.service import set_password as store
    from .models import User

    if sys.stdin.isatty():
        password = click.prompt(_("New password"), hide_input=True,
                                confirmation_prompt=_("Repeat the new password"))
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    with database.connection_context():
        user = User.by_email(email).first()
        if user is None:
            fail(_("No account has the email %(email)s.", email=email))
        try:
            store(user, password)
        except PasswordPolicyError as error:
            fail(str(error))
    click.echo(_("Password set for %(email)s.", email=user.email))


@click.command("import-people", help=_l("Upsert people by email from a CSV file: all rows "
                                        "or none."))
@click.argument("path", type=click.Path(dir_okay=False))
@option("--dry-run", is_flag=True, help=_l("Check the file and report; write nothing."))
@with_appcontext
def import_people(path, dry_run):
    from . import people

    try:
        with open(path, newline="", encoding="utf-8-sig") as stream:
            rows = people.parse(stream)
    except OSError as error:
        fail(_("cannot read %(path)s: %(reason)s.", path=path, reason=error.strerror))
    except UnicodeDecodeError:
        fail(_("%(path)s is not UTF-8 text.", path=path))
    except people.PeopleFileError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        fail(ngettext("%(num)d bad row; nothing was imported.",
                      "%(num)d bad rows; nothing was imported.", len(error.problems)))
    if dry_run:
        click.echo(ngettext("%(num)d row is valid. Nothing was written (--dry-run).",
                            "%(num)d rows are valid. Nothing was written (--dry-run).",
                            len(rows)))
        return
    try:
        with database.connection_context():
            counts = people.apply(rows)
    except people.PeopleFileError as error:
        for problem in error.problems:
            click.echo(problem, err=True)
        fail(_("Nothing was imported."))
    click.echo(_("Created %(created)s, updated %(updated)s, new teams %(teams)s.",
                 created=counts["created"], updated=counts["updated"],
                 teams=counts["teams_created"]))


@click.command("export", help=_l("Export the retention or employees report, exactly as the "
                                 "/hr downloads."))
@click.argument("report", type=click.Choice(["retention", "employees"]))
@option("--from", "start", default=None, help=_l("YYYY-MM-DD (default: a year before --to)."))
@option("--to", "end", default=None, help=_l("YYYY-MM-DD (default: today)."))
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]), default="csv")
@option("-o", "output", default=None, type=click.Path(dir_okay=False),
        help=_l("File to write (default: the CSV on standard output)."))
@with_appcontext
def export(report, start, end, fmt, output):
    from .hr.queries import default_period

    end_d = _iso_date(end, "--to") or date.today()
    start_d = _iso_date(start, "--from") or default_period(end_d)[0]
    if start_d > end_d:
        fail(_("--from must not be after --to."))
    if fmt == "xlsx" and not output:
        fail(_("XLSX needs a file: add -o FILE.xlsx."))
    from . import audit
    from .hr import exports

    with database.connection_context():
        result = exports.export(report, start_d, end_d, fmt)
        data = result.data
        audit.record(f"hr_export_{report}",
                     detail=f"format={fmt} from={start_d} to={end_d} rows={result.rows} cli")
    if output:
        Path(output).write_bytes(data)
        click.echo(_("Wrote %(path)s.", path=output), err=True)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


@click.command("demo", help=_l("Fill an empty database with a demo organisation and print "
                               "the demo sign-ins."))
@option("--if-empty", is_flag=True, help=_l("Only print the sign-ins when people exist."))
@with_appcontext
def demo(if_empty):
    from . import demo as demo_data
    from .models import User

    with database.connection_context():
        if User.select().exists():
            if not if_empty:
                fail(_("the database already has people; the demo only fills an empty one."))
        else:
            click.echo(_("Building the demo organisation…"), err=True)
            demo_data.build()
    click.echo(demo_data.sign_in_table())


# The online backup API copies a consistent snapshot while the app keeps writing.
@click.command("backup", help=_l("A consistent copy of the SQLite database while the app "
                                 "runs."))
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup(path):
    if not is_sqlite():
        fail(_("backup copies SQLite databases; for PostgreSQL use pg_dump (for example: "
               "%(example)s).", example="pg_dump -Fc growth > growth.dump"))
    target = Path(path)
    if target.exists():
        fail(_("%(path)s exists already; choose a new file.", path=path))
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
        fail(_("the copy failed its integrity check: %(result)s", result=check))
    click.echo(_("Backed up to %(path)s.", path=path))


@click.command("remind", help=_l("Send the day's reminders by email (run it once a day)."))
@option("--today", default=None, help=_l("YYYY-MM-DD (default: today)."))
@option("--dry-run", is_flag=True, help=_l("Print who would get what; send nothing."))
@with_appcontext
def remind(today, dry_run):
    from flask import current_app

    from .config import mail_problem
    from .reminders import service
    from .resources import ConfigError

    day = _iso_date(today, "--today") or date.today()
    if not dry_run:
        problem = mail_problem(current_app.config)
        if problem:
            raise ConfigError(problem)
    kinds = {"plan": _("plan"), "log": _("log"), "digest": _("digest")}
    with database.connection_context():
        outgoing = service.due(day)
        if dry_run:
            for item in outgoing:
                click.echo(_("%(kind)s → %(name)s <%(email)s>", kind=kinds[item.kind.value],
                             name=item.user.name, email=item.user.email))
            click.echo(ngettext("%(num)s reminder would be sent.",
                                "%(num)s reminders would be sent.", len(outgoing)), err=True)
            return
        try:
            result = service.send(day, outgoing)
        except service.MailError as error:
            fail(str(error))
    for email, reason in result.failed:
        click.echo(_("Refused by the mail server: %(email)s (%(reason)s)", email=email,
                     reason=reason), err=True)
    click.echo(_("Sent %(plan)s plan, %(log)s log and %(digest)s digest reminders.",
                 plan=result.sent["plan"], log=result.sent["log"],
                 digest=result.sent["digest"]))
    if result.stopped:
        fail(_("the mail server stopped the run (%(error)s); the rest are sent next time.",
               error=result.stopped))


def init_app(app):
    for command in (db_group, create_user, set_password, import_people, export, demo, backup,
                    remind):
        app.cli.add_command(command)


def _create_app():
    from . import create_app

    return create_app()


def _print_version(ctx, _param, value):
    if not value or ctx.resilient_parsing:
        return
    from . import __version__

    click.echo(f"growth {__version__}")
    ctx.exit()


class Group(FlaskGroup):
    """FlaskGroup whose own help text is translated too (Flask loads the app for the list of
    commands, which comes after that text), with Growth's version, and configuration errors
    told in one line with exit status 2."""

    def __init__(self, **kwargs):
        super().__init__(add_version_option=False, **kwargs)
        self.params.append(Option(
            ["--version"], is_flag=True, expose_value=False, is_eager=True,
            callback=_print_version, help=_l("Show the version and exit.")))

    def main(self, *args, **kwargs):
        from .resources import ConfigError

        try:
            return super().main(*args, **kwargs)
        except ConfigError as error:
            click.echo(_("Error: %(message)s", message=str(error)), err=True)
            sys.exit(2)

    def format_help_text(self, ctx, formatter):
        try:
            app = ctx.ensure_object(ScriptInfo).load_app()
        except Exception:  # the list of commands below tells what went wrong
            return super().format_help_text(ctx, formatter)
        with app.app_context():
            return super().format_help_text(ctx, formatter)


main = Group(create_app=_create_app, add_default_commands=True,
             help=_l("Growth: development days, coaching and retention."))
