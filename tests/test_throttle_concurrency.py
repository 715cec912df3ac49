"""The sign-in throttle under real gunicorn (4 sync workers): wrong passwords sent together
for one account are checked against the hash at most LOGIN_ACCOUNT_LIMIT times, because the
count and the record of an attempt happen in one locked transaction before any hashing.
Runs on SQLite and, when configured, on PostgreSQL."""

import threading
from collections import Counter

import pytest
from argon2 import PasswordHasher

from growth.models import AuditEvent, LoginFailure, Role, User

from .conftest import PASSWORD
from .test_concurrency import Browser, _gunicorn, _run_together

pytestmark = pytest.mark.slow

ATTEMPTS = 30
LIMIT = 10  # LOGIN_ACCOUNT_LIMIT


def test_wrong_passwords_sent_together_are_checked_at_most_the_limit(app, database_url,
                                                                      make_user, tmp_path):
    agent = make_user(Role.AGENT)
    # A production-strength hash: each check takes a while, as on the server the finding
    # came from, so requests overlap while passwords are checked.
    slow_hash = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=1).hash(PASSWORD)
    User.update(password_hash=slow_hash).where(User.id == agent.id).execute()
    statuses: Counter = Counter()
    lock = threading.Lock()

    with _gunicorn(database_url, tmp_path / "gunicorn.log") as port:
        browsers = [Browser(port) for _ in range(ATTEMPTS)]
        for browser in browsers:
            browser.request("GET", "/login")

        def attempt(n, browser):
            def work():
                response, _ = browser.request("POST", "/login", {
                    "email": agent.email, "password": f"wrong password {n}"})
                with lock:
                    statuses[response.status] += 1
            return work

        _run_together([attempt(n, b) for n, b in enumerate(browsers)])
        for browser in browsers:
            browser.close()

    assert sum(statuses.values()) == ATTEMPTS
    assert set(statuses) <= {401, 429}, (statuses, (tmp_path / "gunicorn.log").read_text())
    # Only an attempt that was checked answers "wrong password"; the rest are throttled.
    assert statuses[401] == LIMIT, statuses
    assert statuses[429] == ATTEMPTS - LIMIT
    assert AuditEvent.select().where(AuditEvent.action == "sign_in_failed").count() == LIMIT
    assert LoginFailure.select().count() == LIMIT
    assert AuditEvent.select().where(AuditEvent.action == "sign_in_throttled").count() == 1
