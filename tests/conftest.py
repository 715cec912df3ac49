"""Fixtures: a fresh app and database per test, people per role, signed-in clients.

Every test runs on SQLite; with GROWTH_TEST_DATABASE_URL set (a PostgreSQL URL) it runs
on PostgreSQL as well. The schema is built by running the migrations.
"""

import os
import re
import shutil
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from flask.testing import FlaskClient

from growth import create_app
from growth.db import database, open_database, runner
from growth.forms import new_submission_key
from growth.i18n import LOCALE_VARIABLES
from growth.models import ALL_MODELS, Role, Team, User
from growth.passwords import hash_password

from .oidc import oidc_provider  # noqa: F401  (the test OpenID Provider, for every test folder)

PG_URL = os.environ.get("GROWTH_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
PASSWORD = "correct horse battery staple"

# Cheap hashing for speed; test_auth checks the production parameters separately.
TEST_HASH = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}

_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def csrf_token_in(page: str) -> str | None:
    """The CSRF token a page carries in its <meta name="csrf-token"> (None: no such tag).
    Every test that posts a form, through the test client or over HTTP, takes it here."""
    match = _CSRF.search(page)
    return match.group(1) if match else None


class Client(FlaskClient):
    """A test client whose form posts carry the session's CSRF token (csrf=False omits it)
    and, like a browser that has just loaded the form, a new one-time `submission` key for
    create forms (other forms ignore it). A test posting a form twice passes its own key;
    `submission=""` posts none. Edit forms' `version` is for each test to send."""

    _csrf_token = None

    def csrf_token(self) -> str:
        page = self.get("/login", follow_redirects=True).get_data(as_text=True)
        self._csrf_token = csrf_token_in(page)
        assert self._csrf_token, "no csrf-token meta tag on the page"
        return self._csrf_token

    def open(self, *args, **kwargs):
        # Each request gets its own app context (and `g`), as in production, even though
        # the test holds one open for its own calls.
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def post(self, *args, csrf: bool = True, **kwargs):
        data = kwargs.get("data")
        if "input_stream" not in kwargs and (data is None or isinstance(data, dict)):
            data = dict(data or {})
            if csrf:
                data.setdefault("csrf_token", self._csrf_token or self.csrf_token())
            data.setdefault("submission", new_submission_key())
            kwargs["data"] = data
        return super().post(*args, **kwargs)


@pytest.fixture(autouse=True)
def english_command_line(monkeypatch):
    """Outside a request Growth speaks the environment's language (GROWTH_LOCALE, LANG, …):
    tests run in English whatever the shell says, and set those variables themselves."""
    for name in LOCALE_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def failing_app(app):
    """The app with routes that fail the ways a request can: a bug, a bad query, a lock.
    The paths take any tail, to carry what a request could smuggle into the logs."""
    from peewee import OperationalError

    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        return 1 / 0

    @app.get("/broken-query/<rest>")
    def broken_query(rest):
        raise OperationalError('no such column: "secret_col" in SELECT "t1"."id" FROM user')

    @app.get("/locked")
    @app.get("/locked-db/<rest>")
    def locked(rest=None):
        raise OperationalError("database is locked")

    return app


class Clock:
    """Stands in for the `time` module in growth.security: sessions and remembered sign-ins
    age by `advance`, not by waiting."""

    def __init__(self):
        self.now = 1_900_000_000.0

    def time(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta).total_seconds()


@pytest.fixture
def clock(monkeypatch):
    from growth import security

    fake = Clock()
    monkeypatch.setattr(security, "time", fake)
    return fake


@pytest.fixture
def hash_verifications(monkeypatch):
    """A list that grows by one each time a password hash is verified."""
    from argon2 import PasswordHasher

    calls = []
    original = PasswordHasher.verify

    def counting(self, *args):
        calls.append(1)
        return original(self, *args)

    monkeypatch.setattr(PasswordHasher, "verify", counting)
    return calls


@pytest.fixture
def migrated_sqlite_url(tmp_path, sqlite_template):
    """A URL of a migrated SQLite file of this test's own: a production app refuses to
    start on a database with pending migrations."""
    path = tmp_path / "production.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    """A migrated SQLite file, copied for each test (faster than migrating each time)."""
    path = tmp_path_factory.mktemp("template") / "growth.db"
    db = open_database(f"sqlite:///{path}")
    database.initialize(db)
    with db.connection_context():
        runner().up()
        db.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close_all()
    return path


@pytest.fixture(scope="session")
def pg_ready():
    """Migrate the PostgreSQL test database once per run, from an empty schema."""
    if not PG_URL:
        return None
    db = open_database(PG_URL)
    database.initialize(db)
    with db.connection_context():
        db.execute_sql("DROP SCHEMA IF EXISTS public CASCADE")
        db.execute_sql("CREATE SCHEMA public")
        runner().up()
    db.close_all()
    return PG_URL


@contextmanager
def fresh_database(kind: str, folder: Path, name: str):
    """A URL for an empty database of its own, dropped afterwards: a SQLite file in `folder`,
    or a PostgreSQL database `name` beside GROWTH_TEST_DATABASE_URL's."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / (name + '.db')}"
        return
    import psycopg

    admin = psycopg.connect(PG_URL, autocommit=True)
    try:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        yield urlunsplit(urlsplit(PG_URL)._replace(path=f"/{name}"))
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def _truncate_pg():
    tables = ", ".join(f'"{m._meta.table_name}"' for m in ALL_MODELS)
    with database.connection_context():
        # The audit log refuses DELETE; TRUNCATE is for tests only.
        database.execute_sql(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture(params=BACKENDS)
def database_url(request, tmp_path, sqlite_template):
    if request.param == "sqlite":
        path = tmp_path / "growth.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    request.getfixturevalue("pg_ready")
    return PG_URL


@pytest.fixture
def app_config():
    """Settings a test module adds to the app fixture's (override this fixture)."""
    return {}


@pytest.fixture
def app(database_url, tmp_path, app_config):
    app = create_app({
        "ENV": "development",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "DATABASE_URL": database_url,
        "PASSWORD_HASH": TEST_HASH,
        "DB_POOL_SIZE": 4,
        **app_config,
    })
    app.test_client_class = Client
    if database_url.startswith("postgresql"):
        _truncate_pg()
    with app.app_context(), database.connection_context():
        yield app
    database.obj.close_all()


@pytest.fixture
def db(app):
    """The database, with a connection held by the test (requests reuse it)."""
    return database


@pytest.fixture
def today():
    return date.today()


@pytest.fixture
def make_team(app):
    def make(name="Tier 1", lead=None):
        return Team.create(name=name, lead=lead)

    return make


@pytest.fixture
def make_user(app):
    counter = {"n": 0}
    password_hash = hash_password(PASSWORD)

    def make(role: str | Role = Role.AGENT, *, team=None, name=None, email=None,
             hired_on=date(2020, 1, 6), **fields):
        counter["n"] += 1
        n = counter["n"]
        role = Role(role)
        user = User.create(
            email=email or f"{role.value}{n}@example.com",
            name=name or f"{role.value.title()} {n}",
            role=role.value, team=team, hired_on=hired_on, password_hash=password_hash,
            **fields)
        if role == Role.LEAD and team is not None and team.lead_id is None:
            Team.update(lead=user).where(Team.id == team.id).execute()
            team.lead = user
        return user

    return make


@pytest.fixture
def world(make_team, make_user):
    """Two teams with their leads and two agents each, plus HR and an admin."""

    class World:
        pass

    w = World()
    w.team_a = make_team("Team A")
    w.team_b = make_team("Team B")
    w.lead_a = make_user(Role.LEAD, team=w.team_a, name="Lead A")
    w.lead_b = make_user(Role.LEAD, team=w.team_b, name="Lead B")
    w.agent_a = make_user(Role.AGENT, team=w.team_a, name="Agent A")
    w.agent_a2 = make_user(Role.AGENT, team=w.team_a, name="Agent A2")
    w.agent_b = make_user(Role.AGENT, team=w.team_b, name="Agent B")
    w.hr = make_user(Role.HR, name="HR Person")
    w.admin = make_user(Role.ADMIN, name="Admin Person")
    for person in (w.team_a, w.team_b):
        person.lead = Team.get_by_id(person.id).lead
    return w


def sign_in(client: Client, email: str, password: str = PASSWORD) -> None:
    """Sign `client` in as a person does: the sign-in form with its CSRF token and their
    password (fails the test when refused). What the form writes (the session, a `sign_in`
    audit event) is written; the cheap TEST_HASH keeps it fast."""
    client._csrf_token = None
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, f"{email} could not sign in: {response.status_code}"
    client._csrf_token = None  # signing in starts a new session, with a token of its own


@pytest.fixture
def client_for(app):
    """A new client signed in as `user` through the sign-in form (see `sign_in`). Users
    made by `make_user` have the password PASSWORD."""

    def signed_in(user) -> Client:
        client = app.test_client()
        sign_in(client, user.email)
        return client

    return signed_in


@pytest.fixture
def client(app):
    return app.test_client()
