"""DB-05: `growth backup` taken while people keep logging activities restores cleanly.

SQLite only: on PostgreSQL the command points to pg_dump (tests/test_cli.py checks that).
"""

import shutil
import sqlite3
import threading
import time
from datetime import date, timedelta

import pytest

from growth import create_app
from growth.db import database
from growth.dev_days import service
from growth.models import Role
from growth.weeks import monday_of
from tests.conftest import TEST_HASH, Client, sign_in

WRITERS = 4
WARM_UP = 0.5  # seconds of writing before the backup starts: a WAL full of fresh commits
NOTE = "Read the runbook on backups. " * 30  # ~900 characters: the file grows quickly


class Writers:
    """Threads logging activities through the service layer, each on its own connection,
    until stopped. `started` counts calls begun, `committed` calls that returned (their
    transaction committed): a snapshot taken between two moments holds at least the
    commits before the first and at most the calls begun before the second."""

    def __init__(self, app, people):
        self.app, self.people = app, people
        self.weeks = [monday_of(date.today()) - timedelta(weeks=n) for n in range(20)]
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.started = self.committed = 0
        self.errors = []
        self.threads = [threading.Thread(target=self.write, args=(person,), daemon=True)
                        for person in people]

    def counts(self) -> tuple[int, int]:
        with self.lock:
            return self.started, self.committed

    def write(self, person):
        try:
            with self.app.app_context(), database.connection_context():
                n = 0
                while not self.stop.is_set():
                    with self.lock:
                        self.started += 1
                    week = self.weeks[n % len(self.weeks)]
                    service.log_activity(person, week, kind="docs",
                                         minutes=1 + n % 5, note=NOTE)
                    with self.lock:
                        self.committed += 1
                    n += 1
        except Exception as error:  # reported by the test, not lost in a thread
            self.errors.append(error)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=10)
        assert not any(thread.is_alive() for thread in self.threads)


def restored_app(path, database_url):
    return create_app({
        "ENV": "development",
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "DATABASE_URL": database_url,
        "PASSWORD_HASH": TEST_HASH,
        "DB_POOL_SIZE": 2,
    })


def signed_in(app, user):
    app.test_client_class = Client
    client = app.test_client()
    sign_in(client, user.email)
    return client


def test_a_backup_taken_while_people_write_restores_cleanly(app, db, make_user, tmp_path):
    if not db.obj.__class__.__name__.endswith("SqliteDatabase"):
        pytest.skip("SQLite only: PostgreSQL is backed up with pg_dump")
    # How long a backup takes is the benchmark's figure (bench/run.py, "chores").
    people = [make_user(Role.AGENT) for _ in range(WRITERS)]
    target = tmp_path / "backup.db"
    with Writers(app, people) as writers:
        time.sleep(WARM_UP)
        _, before = writers.counts()  # committed before the backup starts
        result = app.test_cli_runner().invoke(args=["backup", str(target)])
        after, _ = writers.counts()  # begun before the backup ended
        time.sleep(0.1)  # writers keep going after it: the copy must not follow them
    assert not writers.errors, writers.errors
    assert result.exit_code == 0, result.output
    assert before > 0, "the writers wrote nothing before the backup"

    # Restore: the copy on its own, in another folder, as an operator would.
    restored = tmp_path / "restore" / "growth.db"
    restored.parent.mkdir()
    shutil.copy(target, restored)
    copy = sqlite3.connect(restored)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert copy.execute("PRAGMA foreign_key_check").fetchall() == []
        activities = copy.execute("SELECT COUNT(*) FROM activity").fetchone()[0]
        assert before <= activities <= after, (before, activities, after)
        # Each week's total is the sum of its activities: no half of a transaction.
        uneven = copy.execute(
            "SELECT d.id, d.minutes, COALESCE(SUM(a.minutes), 0) FROM dev_day d "
            "LEFT JOIN activity a ON a.dev_day_id = d.id GROUP BY d.id, d.minutes "
            "HAVING d.minutes <> COALESCE(SUM(a.minutes), 0)").fetchall()
        assert uneven == []
    finally:
        copy.close()

    # The restored file serves the app: the agent's week page.
    original = database.obj
    try:
        restored_growth = restored_app(restored, f"sqlite:///{restored}")
        page = signed_in(restored_growth, people[0]).get("/")
        assert page.status_code == 200, (page.status_code, page.headers.get("Location"))
        database.obj.close_all()
    finally:
        database.initialize(original)
