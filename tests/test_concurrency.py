"""Many people at once, under real gunicorn (4 sync workers, 127.0.0.1 only): nothing is lost,
a double submit makes one row, and a database that stays locked answers 503 with Retry-After
without writing half a change. Runs on SQLite and, when configured, on PostgreSQL."""

import csv
import http.client
import io
import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from datetime import date, timedelta
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import pytest

from growth.models import Activity, DevDay, Role, fn
from growth.weeks import monday_of, week_label
from tests.conftest import PASSWORD, TEST_HASH, csrf_token_in

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
WRITERS = 16
LOGGING_SECONDS = float(os.environ.get("GROWTH_CONCURRENCY_SECONDS", "20"))
# How long the server waits for a lock on PostgreSQL before giving up (SQLite: busy_timeout).
PG_LOCK_TIMEOUT_MS = 1500



def _needs(app, *endpoints):
    """The endpoints a test drives: one renamed or gone fails the test (follow the rename
    here), it never skips it."""
    missing = [e for e in endpoints if e not in app.view_functions]
    assert not missing, f"endpoints renamed or gone: {', '.join(missing)}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _server_url(database_url: str) -> str:
    if database_url.startswith("postgres"):
        options = f"-c lock_timeout={PG_LOCK_TIMEOUT_MS} -c statement_timeout=10000"
        return f"{database_url}?{urlencode({'options': options})}"
    return database_url


@contextmanager
def _gunicorn(database_url: str, log_path: Path):
    port = _free_port()
    env = {
        **os.environ,
        "GROWTH_ENV": "production",
        "GROWTH_SECRET_KEY": secrets.token_hex(32),
        "GROWTH_SESSION_COOKIE_SECURE": "false",
        "GROWTH_DATABASE_URL": _server_url(database_url),
        "GROWTH_PASSWORD_HASH": json.dumps(TEST_HASH),
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [gunicorn, "--workers", "4", "--worker-class", "sync", "--no-control-socket",
             "--bind", f"{HOST}:{port}", "--timeout", "60", "growth:create_app()"],
            cwd=ROOT, env=env, stdout=log, stderr=log)
        try:
            deadline = time.monotonic() + 30
            while True:
                assert process.poll() is None, log_path.read_text()
                conn = http.client.HTTPConnection(HOST, port, timeout=2)
                try:
                    conn.request("GET", "/healthz")
                    if conn.getresponse().status == 200:
                        break
                except OSError:
                    pass  # not listening yet, or still starting its workers
                finally:
                    conn.close()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
            yield port
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


class Browser:
    """One person's keep-alive connection with their cookies and the page's CSRF token."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.token = ""

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode({**form, "csrf_token": self.token}, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.conn.close()  # gunicorn's sync workers may close a kept-alive connection
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        text = response.read().decode()
        jar = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        self.cookies.update({name: morsel.value for name, morsel in jar.items()})
        self.token = csrf_token_in(text) or self.token
        return response, text

    def sign_in(self, email: str) -> "Browser":
        self.request("GET", "/login")
        response, _ = self.request("POST", "/login", {"email": email, "password": PASSWORD})
        assert response.status == 302, f"signing in as {email}: {response.status}"
        self.request("GET", "/account/password")  # a page to take the new session's token from
        return self

    def close(self):
        self.conn.close()


def _export_notes(browser: Browser) -> Counter:
    response, text = browser.request("GET", "/me/export.csv")
    assert response.status == 200
    return Counter(row["note"] for row in csv.DictReader(io.StringIO(text)))


def _run_together(workers):
    """Start every callable at the same moment and wait for all of them."""
    barrier = threading.Barrier(len(workers))
    errors = []

    def run(work):
        try:
            barrier.wait()
            work()
        except Exception as error:  # noqa: BLE001 - reported by the test below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=LOGGING_SECONDS + 120)
    assert not errors, errors


def test_sixteen_writers_lose_nothing(app, database_url, make_team, make_user, tmp_path):
    _needs(app, "dev_days.log_activity", "dev_days.export_csv", "hr.download")
    team = make_team("Busy team")
    agents = [make_user(Role.AGENT, team=team) for _ in range(WRITERS // 2)]
    hr = make_user(Role.HR)
    week = week_label(monday_of(date.today()))
    statuses: Counter = Counter()
    accepted: dict[int, Counter] = {agent.id: Counter() for agent in agents}
    lock = threading.Lock()

    with _gunicorn(database_url, tmp_path / "gunicorn.log") as port:
        # Two browsers per person: both add to the same week's total at once.
        browsers = [(agent, Browser(port).sign_in(agent.email))
                    for agent in agents for _ in range(2)]
        deadline = time.monotonic() + LOGGING_SECONDS

        def writer(n, agent, browser):
            def work():
                i = 0
                while time.monotonic() < deadline:
                    i += 1
                    note = f"writer {n} activity {i}"
                    response, _ = browser.request("POST", f"/week/{week}/activities", {
                        "kind": "learning", "minutes": "1", "note": note, "link": "",
                        "goal_id": "", "submission": secrets.token_urlsafe(16)})
                    with lock:
                        statuses[response.status] += 1
                        if response.status == 302:
                            accepted[agent.id][note] += 1
            return work

        _run_together([writer(n, agent, browser)
                       for n, (agent, browser) in enumerate(browsers)])
        exported = {agent.id: _export_notes(browser) for agent, browser in browsers[::2]}
        # HR's figures read the week's running total: it must match what was accepted.
        hr_browser = Browser(port).sign_in(hr.email)
        response, text = hr_browser.request("GET", "/hr/employees.csv")
        hr_browser.close()
        assert response.status == 200
        dev_hours = {row["email"]: Decimal(row["dev_hours"])
                     for row in csv.DictReader(io.StringIO(text))}
        for _, browser in browsers:
            browser.close()

    assert sum(statuses.values()) >= WRITERS, statuses
    assert not [code for code in statuses if code >= 500], (
        statuses, (tmp_path / "gunicorn.log").read_text()[-3000:])
    assert set(statuses) == {302}, statuses
    for agent in agents:
        assert exported[agent.id] == accepted[agent.id]
        # The week's running total matches its activities exactly (no lost increment).
        day = DevDay.get(DevDay.user == agent.id)
        total = (Activity.select(fn.SUM(Activity.minutes))
                 .where(Activity.dev_day == day.id).scalar())
        assert day.minutes == total == sum(accepted[agent.id].values())
        assert dev_hours[agent.email] == (Decimal(total) / 60).quantize(Decimal("0.01"))


def test_identical_plans_submitted_together_make_one_plan(app, database_url, make_user,
                                                          tmp_path):
    _needs(app, "dev_days.plan")
    agent = make_user(Role.AGENT)
    current = monday_of(date.today())
    weeks = [current + timedelta(weeks=n) for n in range(1, 5)]
    statuses: Counter = Counter()
    lock = threading.Lock()

    with _gunicorn(database_url, tmp_path / "gunicorn.log") as port:
        browsers = [Browser(port).sign_in(agent.email) for _ in range(8)]
        for monday in weeks:
            def submit(browser, monday=monday):
                def work():
                    response, _ = browser.request("POST", f"/week/{week_label(monday)}/plan", {
                        "day": (monday + timedelta(days=2)).isoformat(),
                        "plan": "Pair with Tier 2 on webhooks", "version": "1"})
                    with lock:
                        statuses[response.status] += 1
                return work

            _run_together([submit(browser) for browser in browsers])
        for browser in browsers:
            browser.close()

    assert statuses == Counter({302: 8 * len(weeks)}), statuses
    rows = list(DevDay.select().where(DevDay.user == agent.id).order_by(DevDay.week_start))
    assert [row.week_start for row in rows] == weeks
    assert {(row.plan, row.planned_on - row.week_start) for row in rows} == {
        ("Pair with Tier 2 on webhooks", timedelta(days=2))}


@contextmanager
def _write_lock_held(database_url: str):
    """Another connection holding the write lock for as long as the block runs."""
    if database_url.startswith("sqlite"):
        holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    else:
        with psycopg.connect(database_url) as holder, holder.transaction():
            holder.execute("LOCK TABLE activity IN ACCESS EXCLUSIVE MODE")
            yield


def test_held_write_lock_answers_503_and_writes_nothing(app, database_url, make_user,
                                                        tmp_path):
    _needs(app, "dev_days.log_activity")
    agent = make_user(Role.AGENT)
    week = week_label(monday_of(date.today()))
    # One form: the retry after the 503 carries the same one-time key.
    form = {"kind": "docs", "minutes": "45", "note": "Refund article", "link": "",
            "goal_id": "", "submission": secrets.token_urlsafe(16)}

    with _gunicorn(database_url, tmp_path / "gunicorn.log") as port:
        browser = Browser(port).sign_in(agent.email)
        with _write_lock_held(database_url):
            started = time.monotonic()
            response, text = browser.request("POST", f"/week/{week}/activities", form)
            waited = time.monotonic() - started
        assert response.status == 503, text[:500]
        assert response.getheader("Retry-After")
        assert "Traceback" not in text
        assert waited < 15
        assert DevDay.select().where(DevDay.user == agent.id).count() == 0
        assert Activity.select().count() == 0

        # Once the lock is gone the same request goes through, exactly once.
        response, _ = browser.request("POST", f"/week/{week}/activities", form)
        assert response.status == 302
        browser.close()
    day = DevDay.get(DevDay.user == agent.id)
    assert day.minutes == 45
    assert [a.note for a in Activity.select()] == ["Refund article"]


# Ten identical posts of one create form at once (a double click, a retrying proxy) ----------

IDENTICAL_POSTS = 10


def _ten_at_once(port, email, path, form) -> tuple[Counter, set]:
    """Post the same form (one one-time key) from ten connections of one session at once;
    returns the statuses and the redirect targets."""
    first = Browser(port).sign_in(email)
    browsers = [first] + [Browser(port) for _ in range(IDENTICAL_POSTS - 1)]
    for browser in browsers[1:]:
        browser.cookies, browser.token = dict(first.cookies), first.token
    statuses, locations, lock = Counter(), set(), threading.Lock()

    def post(browser):
        def work():
            response, _ = browser.request("POST", path, form)
            with lock:
                statuses[response.status] += 1
                locations.add(response.getheader("Location"))
        return work

    _run_together([post(browser) for browser in browsers])
    for browser in browsers:
        browser.close()
    return statuses, locations


def test_ten_identical_create_posts_make_one_row_each(app, database_url, world, tmp_path):
    _needs(app, "dev_days.log_activity", "goals.index", "coaching.add_agenda_item")
    from growth.models import AgendaItem, Goal, OneOnOne, ReviewCycle

    week = week_label(monday_of(date.today()))
    cycle = ReviewCycle.ensure_for(date.today())
    agent, lead = world.agent_a, world.lead_a
    cases = [
        (agent, f"/week/{week}/activities", {"kind": "docs", "minutes": "45",
                                             "note": "Refund article", "link": "",
                                             "goal_id": ""}, Activity),
        (agent, "/goals", {"title": "Write five articles", "why": "Same questions",
                           "success": "", "cycle_id": str(cycle.id)}, Goal),
        (agent, "/one-on-ones/agenda", {"text": "Conference budget"}, AgendaItem),
        (lead, f"/team/{agent.id}/agenda", {"text": "Career path"}, AgendaItem),
        (lead, f"/team/{agent.id}/one-on-ones", {
            "held_on": date.today().isoformat(), "shared_notes": "Docs backlog",
            "private_notes": "", "action_text": "Draft the refunds article",
            "action_owner": "person", "action_due": ""}, OneOnOne),
    ]
    with _gunicorn(database_url, tmp_path / "gunicorn.log") as port:
        for person, path, form, model in cases:
            before = model.select().count()
            key = secrets.token_urlsafe(24)
            statuses, locations = _ten_at_once(port, person.email, path,
                                               {**form, "submission": key})
            assert statuses == Counter({302: IDENTICAL_POSTS}), (
                path, statuses, (tmp_path / "gunicorn.log").read_text()[-3000:])
            assert len(locations) == 1, (path, locations)
            assert model.select().count() == before + 1, path
            assert model.select().where(model.submission == key).count() == 1, path
    day = DevDay.get(DevDay.user == agent.id)
    assert day.minutes == 45 == Activity.select(fn.SUM(Activity.minutes)).scalar()


def test_two_tabs_saving_one_goal_at_once_keep_one_and_refuse_the_other(
        app, database_url, world, tmp_path):
    _needs(app, "goals.edit")
    from growth.models import Goal, ReviewCycle

    goal = Goal.create(owner=world.agent_a, cycle=ReviewCycle.ensure_for(date.today()),
                       title="Tier 2", why="Original")
    with _gunicorn(database_url, tmp_path / "gunicorn.log") as port:
        first = Browser(port).sign_in(world.agent_a.email)
        tabs = [first] + [Browser(port) for _ in range(5)]
        for tab in tabs[1:]:
            tab.cookies, tab.token = dict(first.cookies), first.token
        statuses, lock = Counter(), threading.Lock()

        def save(n, tab):
            def work():
                response, _ = tab.request("POST", f"/goals/{goal.id}/edit", {
                    "title": "Tier 2", "why": f"Reason from tab {n}", "success": "",
                    "cycle_id": str(goal.cycle_id), "version": "1"})
                with lock:
                    statuses[response.status] += 1
            return work

        _run_together([save(n, tab) for n, tab in enumerate(tabs)])
        for tab in tabs:
            tab.close()
    assert statuses == Counter({302: 1, 409: len(tabs) - 1}), statuses
    saved = Goal.get_by_id(goal.id)
    assert saved.version == 2 and saved.why.startswith("Reason from tab ")
