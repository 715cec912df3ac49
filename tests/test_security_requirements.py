"""SECURITY.md's requirements that no other test file pins, one test (or more) per id.

Each test is named after the requirement it guards (`test_auth07_…`), so a failure points at
the line of SECURITY.md that broke. Where another file already covers a requirement, it is
not repeated here.
"""

import csv
import hashlib
import io
import logging
import re
import tokenize
import zipfile
from datetime import date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook

from growth import create_app
from growth.auth.service import issue_set_password_link
from growth.coaching import service as coaching
from growth.models import (
    ALL_MODELS,
    AccountToken,
    Activity,
    AuditEvent,
    DevDay,
    Goal,
    LoginFailure,
    Review,
    ReviewCycle,
    Role,
    Team,
    User,
    utcnow,
)
from growth.weeks import monday_of, week_label

from .conftest import PASSWORD
from .test_auth import login_form_token, sign_in
from .test_privacy import crawl_urls, readable

ROOT = Path(__file__).resolve().parent.parent
SECRET = "k" * 48


def audit_rows(action):
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id))


# AUTH-02 ---------------------------------------------------------------------------------

@pytest.mark.parametrize("new_password", [
    "Password123!", "Growth2026!!!", "coaching12345", "123456789012", "aaaaaaaaaaaaaaaa",
    "qwertyuiopasdf",
])
def test_auth02_breached_and_app_words_are_refused(world, client_for, new_password):
    response = client_for(world.agent_a).post("/account/password", data={
        "current_password": PASSWORD, "new_password": new_password, "confirm": new_password})
    assert response.status_code == 422
    assert "too easy to guess" in response.get_data(as_text=True)
    assert User.get_by_id(world.agent_a.id).password_hash == world.agent_a.password_hash


def test_auth02_short_passwords_are_refused(world, client_for):
    response = client_for(world.agent_a).post("/account/password", data={
        "current_password": PASSWORD, "new_password": "elevenchars", "confirm": "elevenchars"})
    assert response.status_code == 422


def test_auth02_long_unicode_passwords_work_and_are_not_truncated(world, client_for, app):
    password = ("🌱成長 Grow-" * 8)[:64]
    assert len(password) == 64
    response = client_for(world.agent_a).post("/account/password", data={
        "current_password": PASSWORD, "new_password": password, "confirm": password})
    assert response.status_code == 302
    assert sign_in(app.test_client(), world.agent_a.email, password).status_code == 302
    assert sign_in(app.test_client(), world.agent_a.email, password + "x").status_code == 401
    assert sign_in(app.test_client(), world.agent_a.email, password[:-1]).status_code == 401
    assert sign_in(app.test_client(), world.agent_a.email,
                   password.swapcase()).status_code == 401


# AUTH-04 ---------------------------------------------------------------------------------

def test_auth04_a_throttled_attempt_costs_no_hashing_and_does_not_extend_the_lock(
        world, client, hash_verifications):
    for _ in range(10):
        sign_in(client, world.agent_a.email, "wrong password!!")
    failures = LoginFailure.select().count()
    verified = len(hash_verifications)
    for _ in range(5):
        assert sign_in(client, world.agent_a.email, PASSWORD).status_code == 429
    assert len(hash_verifications) == verified
    assert LoginFailure.select().count() == failures  # a soft lock: it ends on its own
    assert len(audit_rows("sign_in_throttled")) == 1  # one per account and window


def test_auth04_wrong_current_passwords_count_with_the_sign_ins(world, client_for, client):
    """Changing a password is throttled like signing in, per account (the concurrent case,
    wrong passwords sent together to 4 gunicorn workers: tests/test_throttle_concurrency.py)."""
    agent = client_for(world.agent_a)
    for n in range(10):
        assert agent.post("/account/password", data={
            "current_password": f"wrong password {n}", "new_password": "a brand new passphrase",
            "confirm": "a brand new passphrase"}).status_code == 422
    assert agent.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a brand new passphrase",
        "confirm": "a brand new passphrase"}).status_code == 429
    assert sign_in(client, world.agent_a.email, PASSWORD).status_code == 429
    assert len(audit_rows("password_change_failed")) == 10


def test_auth04_address_limit_holds_across_accounts(world, client):
    LoginFailure.insert_many([{"account": f"x{i}@example.com", "address": "127.0.0.1"}
                              for i in range(100)]).execute()
    for person in (world.agent_a, world.lead_b, world.admin):
        assert sign_in(client, person.email, PASSWORD).status_code == 429


# AUTH-05 ---------------------------------------------------------------------------------

def session_cookie(response, app):
    name = app.config["SESSION_COOKIE_NAME"]
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(name + "="):
            return header
    return None


def test_auth05_the_session_cookie_changes_at_sign_in(world, client, app):
    token = login_form_token(client)
    before = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    response = client.post("/login", csrf=False, data={
        "email": world.agent_a.email, "password": PASSWORD, "csrf_token": token})
    after = session_cookie(response, app)
    assert after is not None
    assert after.split(";")[0].split("=", 1)[1] != before


# AUTH-07 ---------------------------------------------------------------------------------

def test_auth07_idle_sessions_end_after_30_minutes(world, client, clock):
    assert sign_in(client, world.agent_a.email, PASSWORD).status_code == 302
    clock.advance(minutes=29)
    assert client.get("/").status_code == 200
    clock.advance(minutes=31)
    response = client.get("/history")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    clock.advance(minutes=1)
    assert client.get("/").status_code == 302  # signed out for good, not only redirected


def test_auth07_sessions_end_12_hours_after_sign_in_however_busy(world, client, clock):
    assert sign_in(client, world.agent_a.email, PASSWORD).status_code == 302
    for _ in range(36):  # a request every 20 minutes for 12 hours
        clock.advance(minutes=20)
        assert client.get("/").status_code == 200
    clock.advance(minutes=1)
    assert client.get("/").status_code == 302


def test_auth07_the_session_cookie_is_rewritten_at_most_once_a_minute(world, client, clock):
    assert sign_in(client, world.agent_a.email, PASSWORD).status_code == 302
    clock.advance(seconds=5)
    client.get("/")  # may carry the flashed welcome away
    clock.advance(seconds=5)
    response = client.get("/history")
    assert response.status_code == 200
    assert not [h for h in response.headers.getlist("Set-Cookie") if "session=" in h]
    clock.advance(minutes=1)
    response = client.get("/history")
    assert [h for h in response.headers.getlist("Set-Cookie") if "session=" in h]


def test_auth07_lifetime_settings(app):
    assert app.config["PERMANENT_SESSION_LIFETIME"] <= timedelta(hours=12)
    assert app.config["SESSION_IDLE_TIMEOUT"] <= timedelta(minutes=30)


# AUTH-08 ---------------------------------------------------------------------------------

def remember_cookie(response):
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith("remember_token="):
            return {part.split("=")[0].strip().lower(): part.partition("=")[2]
                    for part in header.split(";")}
    return None


def test_auth08_remember_cookie_is_short_lived_and_locked_down(world, client, app):
    response = sign_in(client, world.agent_a.email, PASSWORD, remember="y")
    cookie = remember_cookie(response)
    assert cookie is not None
    assert "httponly" in cookie and cookie["samesite"].lower() == "lax"
    assert app.config["REMEMBER_COOKIE_DURATION"] <= timedelta(hours=12)
    expires = datetime.strptime(cookie["expires"], "%a, %d %b %Y %H:%M:%S GMT")
    assert expires - utcnow() <= timedelta(hours=12, minutes=1)


@pytest.mark.parametrize("role", ["lead", "hr", "admin"])
def test_auth08_no_remember_me_for_leads_hr_and_admins(world, client, role):
    person = {"lead": world.lead_a, "hr": world.hr, "admin": world.admin}[role]
    response = sign_in(client, person.email, PASSWORD, remember="y")
    assert response.status_code == 302
    assert remember_cookie(response) is None


def test_auth08_the_remember_token_expires_on_the_server_and_is_new_at_each_sign_in(
        world, app, clock):
    tokens = []
    for _ in range(2):
        device = app.test_client()
        sign_in(device, world.agent_a.email, PASSWORD, remember="y")
        tokens.append(device.get_cookie("remember_token").value)
    assert tokens[0] != tokens[1]
    clock.advance(hours=12, minutes=1)
    for token in tokens:  # a copied cookie, replayed after its stated lifetime
        thief = app.test_client()
        thief.set_cookie("remember_token", token)
        assert thief.get("/").status_code == 302


def test_auth08_secure_remember_cookie_in_production(migrated_sqlite_url):
    app = create_app({"ENV": "production", "SECRET_KEY": SECRET,
                      "DATABASE_URL": migrated_sqlite_url})
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


# AUTH-10 ---------------------------------------------------------------------------------

def stale(client):
    """The session as the remember cookie restores it: signed in, but not fresh."""
    with client.session_transaction() as session:
        session["_fresh"] = False
    return client


def test_auth10_a_stale_session_cannot_change_a_role(world, client_for):
    admin = stale(client_for(world.admin))
    response = admin.post(f"/admin/users/{world.agent_a.id}", data={
        "name": world.agent_a.name, "email": world.agent_a.email, "role": "admin",
        "team_id": world.team_a.id, "hired_on": "2020-01-06", "weekly_dev_hours": 8,
        "version": 1})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert User.get_by_id(world.agent_a.id).role == "agent"
    assert admin.get(f"/admin/users/{world.agent_a.id}").status_code == 200  # reading is fine


@pytest.mark.parametrize("path", ["/admin/users/{id}/deactivate",
                                  "/admin/users/{id}/reset-password", "/hr/people/{id}"])
def test_auth10_other_sensitive_posts_need_a_fresh_sign_in(world, client_for, path):
    who = world.hr if path.startswith("/hr") else world.admin
    response = stale(client_for(who)).post(path.format(id=world.agent_a.id), data={
        "left_on": "2020-02-01", "leave_reason": "voluntary", "hired_on": "2020-01-06",
        "team_id": world.team_b.id, "version": 1})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    fresh = User.get_by_id(world.agent_a.id)
    assert (fresh.active, fresh.team_id, fresh.must_change_password) == (
        True, world.team_a.id, False)
    assert not AccountToken.select().exists()  # no set-password link either


def test_auth10_hr_export_needs_a_fresh_sign_in_and_password_gets_it(world, client_for):
    hr = stale(client_for(world.hr))
    response = hr.get("/hr/retention.csv")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/hr/retention.csv"
    assert not audit_rows("hr_export_retention")
    assert hr.get("/login").status_code == 200  # the sign-in form, not a redirect home
    again = hr.post("/login?next=/hr/retention.csv", csrf=False, data={
        "email": world.hr.email, "password": PASSWORD, "csrf_token": login_form_token(hr)})
    assert again.headers["Location"] == "/hr/retention.csv"
    assert hr.get("/hr/retention.csv").status_code == 200


# SESS-01 ---------------------------------------------------------------------------------

def test_sess01_production_names_the_cookie_for_this_host_only(migrated_sqlite_url):
    app = create_app({"ENV": "production", "SECRET_KEY": SECRET,
                      "DATABASE_URL": migrated_sqlite_url})
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert app.config["SESSION_COOKIE_DOMAIN"] in (None, False)
    assert app.config["SESSION_COOKIE_PATH"] in (None, "/")


def test_sess01_session_cookie_attributes_at_sign_in(world, app):
    app.config.update(SESSION_COOKIE_SECURE=True, SESSION_COOKIE_NAME="__Host-session")
    client = app.test_client()
    page = client.get("/login", base_url="https://localhost").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", base_url="https://localhost", csrf=False, data={
        "email": world.agent_a.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    header = session_cookie(response, app)
    parts = {p.strip().split("=")[0].lower(): p.strip() for p in header.split(";")}
    assert header.startswith("__Host-session=")
    assert {"secure", "httponly"} <= parts.keys()
    assert parts["samesite"].lower() == "samesite=lax"
    assert parts["path"] == "Path=/"
    assert "domain" not in parts


# CSRF-02 ---------------------------------------------------------------------------------

def seed(world, text="seed"):
    """One of each object for agent A, with `text` in every free-text field."""
    today = date.today()
    cycle = ReviewCycle.ensure_for(today)
    coaching.record_one_on_one(
        world.lead_a, world.agent_a, held_on=today, shared_notes=f"{text}-shared",
        private_notes=f"{text}-private",
        action_items=[{"text": f"{text}-item", "owner": "person", "due_on": None}])
    goal = Goal.create(owner=world.agent_a, cycle=cycle, title=f"{text}-goal",
                       why=f"{text}-why", success=f"{text}-success")
    day = DevDay.create(user=world.agent_a, week_start=monday_of(today), plan=f"{text}-plan",
                        status="logged", minutes=30)
    Activity.create(dev_day=day, kind="docs", minutes=30, note=f"{text}-note", goal=goal)
    Review.create(person=world.agent_a, cycle=cycle, lead=world.lead_a,
                  self_assessment=f"{text}-self", notes=f"{text}-coach")
    from growth.models import PracticeParticipant, PracticeSession, TicketReview

    TicketReview.create(reviewer=world.agent_a, reviewee=world.agent_a2,
                        ticket_url="https://t.example/1", ticket_hash="h1", rating=3,
                        praise=f"{text}-praise", suggestion=f"{text}-suggestion")
    practice = PracticeSession.create(team=world.team_a, organiser=world.agent_a,
                                      held_on=today, scenario=f"{text}-scenario", minutes=30,
                                      takeaways=f"{text}-takeaways")
    for person, part in ((world.agent_a, "customer"), (world.agent_a2, "agent")):
        PracticeParticipant.create(session=practice, user=person, part=part)
    return goal


def table_digests(last_cycle_id):
    """A digest of every row of every table. Reads may add audit events and the default
    review cycle a page needs, so those count only as far as they went before."""
    digests = {}
    for model in ALL_MODELS:
        if model is AuditEvent:
            continue
        rows = model.select().order_by(model._meta.primary_key).tuples()
        if model is ReviewCycle:
            rows = rows.where(ReviewCycle.id <= last_cycle_id)
        digests[model.__name__] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return digests


def test_csrf02_reading_every_page_changes_no_row(app, world, client_for):
    seed(world)
    last_cycle_id = ReviewCycle.select(ReviewCycle.id).order_by(ReviewCycle.id.desc()).scalar()
    urls = crawl_urls(app)
    before = table_digests(last_cycle_id)
    for who in ("agent_a", "agent_b", "lead_a", "lead_b", "hr", "admin"):
        client = client_for(getattr(world, who))
        for url in urls:
            client.get(url)
            client.head(url)
    assert table_digests(last_cycle_id) == before


# AZ-03 / AZ-04 / AZ-05 -------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/", "/history", "/goals", "/me/export.csv",
                                  "/me/export.json", "/one-on-ones"])
def test_az03_list_pages_ignore_someone_elses_id_in_the_query(world, client_for, path):
    seed(world, "AGENT-A-ONLY")
    ids = world.agent_a.id
    response = client_for(world.agent_b).get(path, query_string={
        "user_id": ids, "agent_id": ids, "owner_id": ids, "person_id": ids, "person": ids})
    assert response.status_code == 200
    assert "AGENT-A-ONLY" not in readable(response)


def test_az04_moving_an_agent_moves_their_leads_access_at_once(world, client_for):
    goal = seed(world)
    old_lead, new_lead = client_for(world.lead_a), client_for(world.lead_b)
    assert old_lead.get(f"/goals/{goal.id}").status_code == 200
    response = client_for(world.hr).post(f"/hr/people/{world.agent_a.id}", data={
        "hired_on": "2020-01-06", "left_on": "", "leave_reason": "",
        "team_id": world.team_b.id, "version": 1})
    assert response.status_code == 302
    assert old_lead.get(f"/goals/{goal.id}").status_code == 404
    assert old_lead.get(f"/team/{world.agent_a.id}").status_code == 404
    assert new_lead.get(f"/goals/{goal.id}").status_code == 200
    assert new_lead.get(f"/team/{world.agent_a.id}").status_code == 200


def test_az05_extra_fields_never_reach_the_stored_objects(world, client_for):
    client = client_for(world.agent_a)
    cycle = ReviewCycle.ensure_for(date.today())
    response = client.post("/goals", data={
        "title": "Learn SQL", "why": "", "success": "", "cycle_id": cycle.id,
        "owner_id": world.agent_b.id, "owner": world.agent_b.id, "status": "achieved"})
    assert response.status_code == 302
    goal = Goal.get(Goal.title == "Learn SQL")
    assert (goal.owner_id, goal.status) == (world.agent_a.id, "open")
    client.post("/account", data={"name": "Agent A", "locale": "en", "role": "admin",
                                  "team_id": world.team_b.id, "active": "0"})
    person = User.get_by_id(world.agent_a.id)
    assert (person.role, person.team_id, person.active) == ("agent", world.team_a.id, True)


# AZ-06 / LOG-01: canaries never reach the audit log or the log records ---------------------

def test_az06_note_and_review_text_never_reaches_the_audit_log_or_logs(app, world, client_for,
                                                                        caplog):
    caplog.set_level(logging.INFO)  # peewee's DEBUG query log (off by default) is not ours
    seed(world, "CANARY-7e1f")
    lead = client_for(world.lead_a)
    lead.post(f"/team/{world.agent_a.id}/one-on-ones", data={
        "held_on": date.today().isoformat(), "shared_notes": "CANARY-7e1f-shared-2",
        "private_notes": "CANARY-7e1f-private-2"})
    for who in ("agent_a", "agent_b", "lead_a", "lead_b", "hr", "admin"):
        client = client_for(getattr(world, who))
        for url in crawl_urls(app):
            client.get(url)
    assert AuditEvent.select().count() > 0
    for row in AuditEvent.select().tuples():
        assert "CANARY" not in repr(row)
    for record in caplog.records:
        assert "CANARY" not in record.getMessage()
        assert "CANARY" not in repr(record.__dict__)


# HR-01 -----------------------------------------------------------------------------------

TEXT_FIELDS = re.compile(r"\b(private_notes|shared_notes|self_assessment|next_focus|notes|note|"
                         r"comment|response|why|success|plan|agenda)\b")


def test_hr01_hr_figures_never_name_a_free_text_field():
    """The HR package's code (names, and the SQL in its queries) never mentions a free-text
    column, so no note, plan or review text can reach an HR page or export."""
    found = []
    for path in sorted((ROOT / "growth" / "hr").glob("*.py")):
        for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
            sql = token.type == tokenize.STRING and path.name == "queries.py" and not (
                token.string.startswith('"""'))
            if (token.type == tokenize.NAME or sql) and TEXT_FIELDS.search(token.string):
                found.append(f"{path.name}:{token.start[0]}: {token.string[:60]}")
            if sql and re.search(r"\btitle\b", token.string):
                found.append(f"{path.name}:{token.start[0]}: {token.string[:60]}")
    assert not found, found


# XSS-01 ----------------------------------------------------------------------------------

def test_xss01_no_template_or_view_turns_off_escaping():
    found = []
    patterns = re.compile(r"\|\s*safe\b|Markup\(|autoescape\s+false|render_template_string|"
                          r"\{%-?\s*autoescape")
    for path in [*sorted((ROOT / "templates").rglob("*.html")),
                 *sorted((ROOT / "growth").rglob("*.py"))]:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if patterns.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not found, found


PAYLOAD = "\"><svg onload=alert(1)>' onmouseover=x 'javascript:alert(1)"


class ScriptFinder(HTMLParser):
    """Collects what a browser would run: `on…` attributes and javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            if name in ("href", "src", "action", "formaction") and (value or "").strip(
                    ).lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value}>")


def test_xss01_typed_markup_is_shown_as_text_on_every_page(app, world, client_for):
    seed(world, PAYLOAD)
    Team.update(name=f"T{PAYLOAD}"[:100]).where(Team.id == world.team_a.id).execute()
    User.update(name=f"A{PAYLOAD}").where(User.id == world.agent_a.id).execute()
    checked = 0
    for who in ("agent_a", "lead_a", "hr", "admin"):
        client = client_for(getattr(world, who))
        for url in crawl_urls(app):
            response = client.get(url)
            if not response.content_type.startswith("text/html"):
                continue
            body = response.get_data(as_text=True)
            checked += 1
            finder = ScriptFinder()
            finder.feed(body)
            assert not finder.found, (url, finder.found)
    assert checked > 20


def test_xss01_a_javascript_link_is_refused(world, client_for):
    client = client_for(world.agent_a)
    week = week_label(monday_of(date.today()))
    response = client.post(f"/week/{week}/activities", data={
        "kind": "docs", "minutes": "30", "note": "", "link": "javascript:alert(1)",
        "goal_id": ""})
    assert response.status_code in (400, 422)
    assert Activity.select().count() == 0


# XSS-03 ----------------------------------------------------------------------------------

@pytest.mark.parametrize("raw_next", [
    "/%09/evil.example", "/%0A/evil.example", "/%0D%0A/evil.example", "%2F%2Fevil.example",
    "/%5Cevil.example", "https:evil.example", "https:/evil.example", "%09//evil.example",
    "/%20/evil.example", "http://localhost@evil.example", "//evil.example%2F",
])
def test_xss03_next_variants_never_leave_the_site(world, client, raw_next):
    token = login_form_token(client)
    response = client.post(f"/login?next={raw_next}", csrf=False, data={
        "email": world.agent_a.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_xss03_language_switch_next_stays_local(client):
    response = client.post("/language", data={"lang": "es", "next": "/\t/evil.example"})
    assert response.headers["Location"] == "/login"


# EXP-01 ----------------------------------------------------------------------------------

# NUL can't be stored in PostgreSQL text; safe_cell's own test below covers it.
TRIGGERS = ["=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")']
FIRST_CHARS = ("=", "+", "-", "@", "\t", "\r", "\0")


def test_exp01_hr_exports_never_start_a_cell_with_a_formula(world, client_for, make_team,
                                                            make_user):
    for n, text in enumerate(TRIGGERS):
        team = make_team(f"{text} team {n}")
        make_user(Role.AGENT, team=team, name=text, hired_on=date.today() - timedelta(days=400))
    hr = client_for(world.hr)
    cells = 0
    for report in ("retention", "employees"):
        response = hr.get(f"/hr/{report}.csv")
        for row in csv.reader(io.StringIO(response.get_data(as_text=True))):
            for cell in row:
                cells += 1
                assert not cell.startswith(FIRST_CHARS), (report, cell)
        xlsx = hr.get(f"/hr/{report}.xlsx").get_data()
        with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/"):
                    assert "<f>" not in archive.read(name).decode()
        sheet = load_workbook(io.BytesIO(xlsx)).worksheets[0]
        for row in sheet.iter_rows():
            for cell in row:
                cells += 1
                assert cell.data_type != "f"
                assert not str(cell.value or "").startswith(FIRST_CHARS), (report, cell.value)
    assert cells > 50


def test_exp01_own_export_escapes_every_trigger(world, client_for):
    client = client_for(world.agent_a)
    day = DevDay.create(user=world.agent_a, week_start=monday_of(date.today()), minutes=0,
                        status="logged")
    for text in TRIGGERS:
        Activity.create(dev_day=day, kind="docs", minutes=10, note=text)
    rows = list(csv.reader(io.StringIO(client.get("/me/export.csv").get_data(as_text=True))))
    notes = [row[4] for row in rows[1:]]
    assert len(notes) == len(TRIGGERS)
    assert all(note.startswith("'") for note in notes), notes


def test_exp01_a_leading_nul_is_quoted_too():
    from growth.exports import safe_cell

    assert safe_cell("\0=1") == "'\0=1"


def test_val05_a_nul_byte_is_a_form_error_not_a_database_error(world, client):
    token = login_form_token(client)
    response = client.post("/login", csrf=False, data={
        "email": "a\x00@example.com", "password": "whatever it is", "csrf_token": token})
    assert response.status_code == 400
    assert LoginFailure.select().count() == 0


# EXP-02 ----------------------------------------------------------------------------------

@pytest.mark.parametrize("who, path, mimetype", [
    ("hr", "/hr/retention.csv", "text/csv; charset=utf-8"),
    ("hr", "/hr/employees.csv", "text/csv; charset=utf-8"),
    ("hr", "/hr/retention.xlsx",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("hr", "/hr/employees.xlsx",
     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("agent_a", "/me/export.csv", "text/csv; charset=utf-8"),
    ("agent_a", "/me/export.json", "application/json"),
])
def test_exp02_downloads_are_attachments_that_are_not_sniffed_or_cached(world, client_for,
                                                                        who, path, mimetype):
    response = client_for(getattr(world, who)).get(path)
    assert response.status_code == 200
    assert re.fullmatch(r'attachment; filename="[\w.-]+"',
                        response.headers["Content-Disposition"])
    assert response.headers["Content-Type"] == mimetype
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# VAL-01 / VAL-02 / VAL-03 / VAL-04 -----------------------------------------------------------

@pytest.mark.parametrize("minutes", ["NaN", "inf", "-inf", "-1", "0", "1.5", "1e20",
                                     "100000000000000000000", "721", "", "abc", " 30x"])
def test_val01_bad_minutes_are_refused_and_store_nothing(world, client_for, minutes):
    week = week_label(monday_of(date.today()))
    response = client_for(world.agent_a).post(f"/week/{week}/activities", data={
        "kind": "docs", "minutes": minutes, "note": "", "link": "", "goal_id": ""})
    assert response.status_code in (400, 422)
    assert Activity.select().count() == 0


@pytest.mark.parametrize("rating", ["0", "5", "NaN", "1.5", "-1", "1e20", ""])
def test_val01_bad_ratings_are_refused(world, client_for, rating):
    day = DevDay.create(user=world.agent_a, week_start=monday_of(date.today()), minutes=30,
                        status="logged")
    Activity.create(dev_day=day, kind="docs", minutes=30)
    week = week_label(day.week_start)
    response = client_for(world.agent_a).post(f"/week/{week}/rating", data={"rating": rating})
    assert response.status_code in (400, 422)
    assert DevDay.get_by_id(day.id).rating is None


@pytest.mark.parametrize("hours", ["-1", "41", "NaN", "1e20", "8.5", "abc"])
def test_val01_bad_weekly_hours_create_no_account(world, client_for, hours):
    response = client_for(world.admin).post("/admin/users/new", data={
        "name": "New Person", "email": "new@example.com", "role": "agent", "team_id": "",
        "hired_on": "2024-01-08", "weekly_dev_hours": hours})
    assert response.status_code == 422
    assert not User.by_email("new@example.com").exists()


@pytest.mark.parametrize("day", ["2023-02-30", "2024-13-01", "", "1e10", "01/02/2024",
                                 "20240108", "0001-01-01", "9999-12-31", "1899-12-31",
                                 "2201-01-01"])
def test_val02_bad_dates_are_refused(world, client_for, day):
    response = client_for(world.hr).post(f"/hr/people/{world.agent_a.id}", data={
        "hired_on": day, "left_on": "", "leave_reason": "", "team_id": world.team_a.id,
        "version": 1})
    assert response.status_code == 422
    assert User.get_by_id(world.agent_a.id).hired_on == world.agent_a.hired_on


def test_val02_leaving_before_hiring_is_refused(world, client_for):
    response = client_for(world.hr).post(f"/hr/people/{world.agent_a.id}", data={
        "hired_on": "2020-01-06", "left_on": "2019-12-31", "leave_reason": "voluntary",
        "team_id": world.team_a.id, "version": 1})
    assert response.status_code == 422
    assert User.get_by_id(world.agent_a.id).left_on is None


def test_val03_too_many_form_fields_answer_413(world, client_for):
    data = {f"field{i}": "x" for i in range(2000)}
    response = client_for(world.agent_a).post("/account", data=data)
    assert response.status_code == 413


def _chunked_post(client, path, fields):
    """POST `fields` as a chunked body, the way gunicorn hands one to the app: no length,
    the stream ends where the body does (Werkzeug's test client always sends a length)."""
    from urllib.parse import urlencode

    from growth.forms import new_submission_key

    body = urlencode([("csrf_token", client._csrf_token or client.csrf_token()),
                      ("submission", new_submission_key()), *fields]).encode()
    return client.post(path, input_stream=io.BytesIO(body), csrf=False, headers={
        "Transfer-Encoding": "chunked", "Content-Type": "application/x-www-form-urlencoded"},
        environ_overrides={"wsgi.input_terminated": True})


def test_val03_a_chunked_body_over_the_limit_is_refused_whole(world, client_for):
    # tests/test_request_body_limit.py sends the same over a socket to real gunicorn.
    agent = client_for(world.agent_a)
    response = _chunked_post(agent, "/goals", [("title", "Cut"), ("pad", "x" * 1_100_000),
                                               ("why", "after the cut")])
    assert response.status_code == 413
    assert Goal.select().count() == 0
    response = _chunked_post(agent, "/goals", [("title", "Whole"), ("pad", "x" * 400_000),
                                               ("why", "after the padding")])
    assert response.status_code == 302
    assert (Goal.get().title, Goal.get().why) == ("Whole", "after the padding")


def test_val03_a_body_over_the_limit_is_refused_before_signing_in(client):
    response = client.post("/login", data={"email": "x" * 1_100_000}, csrf=False)
    assert response.status_code == 413
    assert LoginFailure.select().count() == 0


def test_val03_limits(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    assert app.config["MAX_FORM_MEMORY_SIZE"] <= 500_000
    assert app.config["MAX_FORM_PARTS"] <= 1000


@pytest.mark.parametrize("first, second", [
    ("ana@example.com", "ANA@example.com"),
    ("José@example.com", "Jose\u0301@example.com"),
    ("jose\u0301@example.com", "JOSÉ@EXAMPLE.COM"),
])
def test_val04_emails_are_unique_after_case_folding_and_nfc(world, client_for, first, second):
    admin = client_for(world.admin)

    def create(email):
        return admin.post("/admin/users/new", data={
            "name": "Someone", "email": email, "role": "agent", "team_id": "",
            "hired_on": "2024-01-08", "weekly_dev_hours": 8})

    assert create(first).status_code == 200  # the page with their set-password link
    assert create(second).status_code == 422
    assert User.select().where(User.name == "Someone").count() == 1


def test_val04_bidi_overrides_in_names_are_refused(world, client_for):
    response = client_for(world.agent_a).post("/account", data={
        "name": "Ana \u202eevil", "locale": "en"})
    assert response.status_code == 422
    assert User.get_by_id(world.agent_a.id).name == world.agent_a.name


@pytest.mark.parametrize("name", ["Ana \u2066evil\u2069", "Ana\x07", "Ana\x1b[2J", "Ana\x85",
                                  "Ana\x9b", "Ana\x7f", "Ana\r\nBob", "Ana\tBob"])
def test_val04_control_characters_and_line_breaks_in_names_are_refused(world, client_for,
                                                                       name):
    # tests/test_input_rules.py checks every text field of every form the same way.
    response = client_for(world.agent_a).post("/account", data={"name": name, "locale": "en"})
    assert response.status_code == 422
    assert User.get_by_id(world.agent_a.id).name == world.agent_a.name


def test_val04_notes_keep_newlines_and_tabs_but_refuse_other_controls(world, client_for):
    week = week_label(monday_of(date.today()))
    agent = client_for(world.agent_a)
    for note in ("one\x85two", "bidi \u202e", "bell\x07", "lone\rcr"):
        response = agent.post(f"/week/{week}/activities", data={
            "kind": "docs", "minutes": "30", "note": note, "link": "", "goal_id": ""})
        assert response.status_code == 422
    assert Activity.select().count() == 0
    response = agent.post(f"/week/{week}/activities", data={
        "kind": "docs", "minutes": "30", "note": "one\r\n\ttwo", "link": "", "goal_id": ""})
    assert response.status_code == 302
    assert Activity.get().note == "one\r\n\ttwo"


def test_val04_emails_are_checked_at_their_case_folded_length(world, client_for):
    response = client_for(world.admin).post("/admin/users/new", data={
        "name": "Long", "email": "ß" * 200 + "@example.com", "role": "agent", "team_id": "",
        "hired_on": "2024-01-08", "weekly_dev_hours": 8})
    assert response.status_code == 422
    assert not User.select().where(User.name == "Long").exists()


def test_val04_notes_keep_full_unicode_in_nfc(world, client_for):
    week = week_label(monday_of(date.today()))
    typed = "Read 成長 docs 🌱 with Jose\u0301"
    response = client_for(world.agent_a).post(f"/week/{week}/activities", data={
        "kind": "docs", "minutes": "30", "note": typed, "link": "", "goal_id": ""})
    assert response.status_code == 302
    assert Activity.get().note == "Read 成長 docs 🌱 with José"


# ERR-01 / ERR-02 ---------------------------------------------------------------------------

def test_err01_a_database_error_shows_no_sql_or_library_name(failing_app, world, client_for):
    response = client_for(world.agent_a).get("/broken-query/x")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    for leak in ("SELECT", "secret_col", "peewee", "OperationalError", "Traceback", 'File "',
                 failing_app.secret_key):
        assert leak not in body
    assert response.headers["X-Request-Id"] in body


def test_err02_a_locked_database_is_logged_with_the_request_id(failing_app, world, client_for,
                                                                 caplog):
    caplog.set_level(logging.WARNING, logger="growth.errors")
    response = client_for(world.agent_a).get("/locked-db/x")
    assert response.status_code == 503 and response.headers["Retry-After"]
    messages = [r.getMessage() for r in caplog.records if r.name == "growth.errors"]
    assert any(response.headers["X-Request-Id"] in m for m in messages), messages


# LOG-01 ----------------------------------------------------------------------------------

def assert_one_event(action, actor, response=None, target=None):
    rows = audit_rows(action)
    assert len(rows) == 1, (action, rows)
    event = rows[0]
    assert event.actor_id == (actor.id if actor else None)
    assert event.actor_role == (actor.role if actor else "")
    if target is not None:
        assert (event.target_type, event.target_id) == (type(target).__name__.lower(),
                                                        target.id)
    assert abs(event.at - utcnow()) < timedelta(minutes=1)  # naive UTC, not local time
    assert event.address == "127.0.0.1"
    assert event.request_id and re.fullmatch(r"[0-9a-f]{12}", event.request_id)
    if response is not None:
        assert response.headers["X-Request-Id"] == event.request_id
    return event


def test_log01_utcnow_is_utc():
    from datetime import UTC

    assert abs(utcnow() - datetime.now(UTC).replace(tzinfo=None)) < timedelta(seconds=5)


def test_log01_sign_in_events(world, client):
    response = sign_in(client, world.agent_a.email, "wrong password!!")
    assert_one_event("sign_in_failed", world.agent_a, response, world.agent_a)
    response = sign_in(client, world.agent_a.email, PASSWORD)
    assert_one_event("sign_in", world.agent_a, response, world.agent_a)
    response = client.post("/logout")
    assert_one_event("sign_out", world.agent_a, response, world.agent_a)


def test_log01_password_change_event(world, client_for):
    response = client_for(world.agent_a).post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a brand new passphrase",
        "confirm": "a brand new passphrase"})
    assert_one_event("password_changed", world.agent_a, response, world.agent_a)


def test_log01_account_events(world, client_for):
    admin = client_for(world.admin)
    response = admin.post(f"/admin/users/{world.agent_a.id}", data={
        "name": world.agent_a.name, "email": world.agent_a.email, "role": "lead",
        "team_id": world.team_b.id, "hired_on": "2020-01-06", "weekly_dev_hours": 8,
        "version": 1})
    assert_one_event("role_changed", world.admin, response, world.agent_a)
    assert_one_event("team_changed", world.admin, response, world.agent_a)
    response = admin.post(f"/admin/users/{world.agent_b.id}/deactivate", data={
        "left_on": date.today().isoformat(), "leave_reason": "voluntary"})
    assert_one_event("user_deactivated", world.admin, response, world.agent_b)


def test_log01_password_reset_link_and_new_lead_events(world, client_for, app):
    admin = client_for(world.admin)
    response = admin.post(f"/admin/users/{world.agent_a.id}/reset-password")
    assert_one_event("password_reset", world.admin, response, world.agent_a)
    token = re.search(r"/set-password/([\w-]+)", response.get_data(as_text=True))[1]
    response = app.test_client().post(f"/set-password/{token}", data={
        "new_password": "a brand new passphrase", "confirm": "a brand new passphrase"})
    assert response.status_code == 302
    assert_one_event("password_set_by_link", world.agent_a, response, world.agent_a)
    response = admin.post(f"/admin/teams/{world.team_a.id}", data={
        "name": world.team_a.name, "lead_id": world.lead_b.id,
        "version": Team.get_by_id(world.team_a.id).version})
    event = assert_one_event("team_lead_changed", world.admin, response, world.team_a)
    assert event.detail == f"{world.lead_a.id}->{world.lead_b.id}"
    response = client_for(world.agent_b).post("/account/password", data={
        "current_password": "not my password", "new_password": "a brand new passphrase",
        "confirm": "a brand new passphrase"})
    assert_one_event("password_change_failed", world.agent_b, response, world.agent_b)


def test_log01_hr_export_event_names_filters_and_row_count(world, client_for):
    response = client_for(world.hr).get("/hr/employees.csv", query_string={
        "from": "2025-01-01", "to": "2025-12-31"})
    event = assert_one_event("hr_export_employees", world.hr, response)
    rows = len(response.get_data(as_text=True).strip().splitlines()) - 1
    assert event.detail == f"format=csv from=2025-01-01 to=2025-12-31 rows={rows}"


def test_log01_review_share_event(world, client_for):
    cycle = ReviewCycle.ensure_for(date.today())
    review = Review.create(person=world.agent_a, cycle=cycle, lead=world.lead_a)
    response = client_for(world.lead_a).post(f"/reviews/{review.id}/share", data={
        "notes": "Good half", "held_on": date.today().isoformat(), "next_focus": "",
        "version": review.version})
    assert response.status_code == 302
    assert_one_event("review_shared", world.lead_a, response, review)


@pytest.mark.parametrize("who, path", [
    ("agent_b", "/goals/{goal}"),
    ("lead_b", "/team/{agent}"),
    ("agent_b", "/reviews/{review}"),
])
def test_log01_an_idor_attempt_is_audited_as_authz_denied(world, client_for, who, path):
    goal = seed(world)
    review = Review.get(Review.person == world.agent_a)
    actor = getattr(world, who)
    url = path.format(goal=goal.id, agent=world.agent_a.id, review=review.id)
    response = client_for(actor).get(url)
    assert response.status_code == 404
    event = assert_one_event("authz_denied", actor, response)
    assert "404" in event.detail and "_id=" in event.detail


def test_log01_a_role_refused_an_area_is_audited(world, client_for):
    response = client_for(world.agent_a).get("/hr")
    assert response.status_code == 403
    event = assert_one_event("authz_denied", world.agent_a, response)
    assert "hr.dashboard" in event.detail


def test_log01_a_missing_page_is_not_an_authz_failure(world, client_for):
    assert client_for(world.agent_a).get("/no-such-page").status_code == 404
    assert client_for(world.agent_a).get("/week/2026-W99").status_code == 404
    assert not audit_rows("authz_denied")


# LOG-03 ----------------------------------------------------------------------------------

FORGED = "bob@example.com\n2026-01-01 INFO admin@example.com signed in"


def test_log03_a_forged_line_in_the_email_stays_on_one_line(app, world, client, caplog):
    from growth.auth import service as auth

    caplog.set_level(logging.DEBUG)
    # The sign-in form refuses a line break in the email (VAL-04) before anything is logged...
    assert sign_in(client, FORGED, "wrong password!!").status_code == 400
    assert not AuditEvent.select().where(AuditEvent.action == "sign_in_failed").exists()
    # ...and the audit log escapes one that reaches the sign-in check some other way.
    with app.test_request_context():
        auth.authenticate(FORGED, "wrong password!!", "127.0.0.1")
    event = AuditEvent.get(AuditEvent.action == "sign_in_failed")
    # What was typed is kept as a keyed hash only (LOG-01): no line and no text to forge.
    assert "\n" not in event.detail and "admin@example.com" not in event.detail
    for record in caplog.records:
        assert "\n" not in record.getMessage()


def test_log03_a_forged_line_in_the_path_stays_on_one_line(failing_app, world, client_for,
                                                             caplog):
    caplog.set_level(logging.DEBUG)
    client_for(world.agent_a).get("/locked-db/x%0A2026-01-01%20INFO%20fake")
    client_for(world.agent_a).get("/broken-query/x%0D%0A2026-01-01%20INFO%20fake")
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("growth")]
    assert len(messages) >= 2
    assert not [m for m in messages if "\n" in m or "\r" in m]


def test_log03_no_set_password_link_in_the_logs(world, client_for, app, caplog):
    caplog.set_level(logging.DEBUG)
    response = client_for(world.admin).post(f"/admin/users/{world.agent_a.id}/reset-password")
    token = re.search(r"/set-password/([\w-]+)", response.get_data(as_text=True))[1]
    app.test_client().post(f"/set-password/{token}", data={
        "new_password": "a brand new passphrase", "confirm": "a brand new passphrase"})
    text = "\n".join(f"{r.getMessage()} {r.__dict__!r}" for r in caplog.records)
    assert token not in text and "a brand new passphrase" not in text
    for model in (AuditEvent, AccountToken):
        for row in model.select().tuples():
            assert token not in repr(row)


def test_log03_no_password_or_cookie_in_the_logs(world, client, app, caplog):
    caplog.set_level(logging.DEBUG)
    sign_in(client, world.agent_a.email, "wrong password!!")
    sign_in(client, world.agent_a.email, PASSWORD)
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    client.get("/")
    text = "\n".join(f"{r.getMessage()} {r.__dict__!r}" for r in caplog.records)
    assert PASSWORD not in text and "wrong password!!" not in text
    assert cookie not in text
    for row in AuditEvent.select().tuples():
        assert PASSWORD not in repr(row) and cookie not in repr(row)


# CFG-01 ----------------------------------------------------------------------------------

@pytest.mark.parametrize("bad, message", [
    ({"DEBUG": True}, "DEBUG"),
    ({"TESTING": True}, "TESTING"),
    ({"MAX_CONTENT_LENGTH": None}, "MAX_CONTENT_LENGTH"),
    ({"SECRET_KEY": "dev"}, "GROWTH_SECRET_KEY"),
    ({"DATABASE_URL": "sqlite:///relative/growth.db"}, "SQLite"),
    ({"DATABASE_URL": "sqlite:///:memory:"}, "SQLite"),
    ({"SESSION_COOKIE_DOMAIN": "example.com"}, "SESSION_COOKIE_DOMAIN"),
])
def test_cfg01_production_refuses_unsafe_settings(tmp_path, bad, message):
    settings = {"ENV": "production", "SECRET_KEY": SECRET,
                "DATABASE_URL": f"sqlite:///{tmp_path}/p.db", **bad}
    with pytest.raises(RuntimeError, match=message):
        create_app(settings)


def test_cfg01_network_filesystems_are_refused(monkeypatch, tmp_path):
    from growth import config

    monkeypatch.setattr(config, "_filesystem_type", lambda folder: "nfs4")
    with pytest.raises(RuntimeError, match="local disk"):
        create_app({"ENV": "production", "SECRET_KEY": SECRET,
                    "DATABASE_URL": f"sqlite:///{tmp_path}/p.db"})


def test_cfg01_forwarded_for_is_ignored_unless_a_proxy_is_configured(world, client, app):
    assert not app.config["PROXY_FIX_HOPS"]
    token = login_form_token(client)
    client.post("/login", csrf=False, headers={"X-Forwarded-For": "1.2.3.4"}, data={
        "email": world.agent_a.email, "password": "wrong password!!", "csrf_token": token})
    assert AuditEvent.get(AuditEvent.action == "sign_in_failed").address == "127.0.0.1"
    assert LoginFailure.get().address == "127.0.0.1"


# DB-02 -----------------------------------------------------------------------------------

def test_db02_a_failure_after_the_first_write_leaves_nothing_behind(app, world, client_for,
                                                                     monkeypatch):
    from growth import audit

    app.config["PROPAGATE_EXCEPTIONS"] = False
    original = audit.record

    def failing(action, *args, **kwargs):
        if action == "role_changed":
            raise RuntimeError("injected after the first write")
        return original(action, *args, **kwargs)

    monkeypatch.setattr(audit, "record", failing)
    response = client_for(world.admin).post(f"/admin/users/{world.agent_a.id}", data={
        "name": "Renamed", "email": world.agent_a.email, "role": "lead",
        "team_id": world.team_a.id, "hired_on": "2020-01-06", "weekly_dev_hours": 8,
        "version": 1})
    assert response.status_code == 500
    person = User.get_by_id(world.agent_a.id)
    assert (person.name, person.role, person.session_version) == (
        world.agent_a.name, "agent", world.agent_a.session_version)


# VAL-05 ----------------------------------------------------------------------------------

FIELDS = ("day", "plan", "goal_ids", "kind", "minutes", "note", "link", "goal_id", "reason",
          "rating", "title", "why", "success", "cycle_id", "text", "submit", "response",
          "held_on", "shared_notes", "private_notes", "notes", "next_focus", "hired_on",
          "left_on", "leave_reason", "team_id", "name", "email", "role", "weekly_dev_hours",
          "starts_on", "ends_on", "lead_id", "locale", "lang", "current_password",
          "new_password", "confirm", "version", "submission", "remember", "password",
          "outcome-1", "comment-1", "item-text", "item-owner", "item-due_on", "due_on",
          "owner", "from", "to", "q", "action", "person", "reviewee_id", "ticket_url",
          "ticket_ref", "praise", "suggestion", "aspects", "reply", "scenario", "brief",
          "takeaways", "customer_ids", "agent_ids", "observer_ids")
GARBAGE = ["", "x" * 25_000, "NaN", "-1", "1e400", "99999999999999999999", "\x00", "2026-02-30",
           "9999-12-31", "0001-01-01", "' OR 1=1 --", "١٢", "𝟙", "\u202e", "\x85", "None", "[]",
           "%s%n", "ß" * 200]


def test_val05_garbage_in_every_post_field_never_answers_5xx(app, world, client_for):
    from .test_route_sweep import POLICY, _person_for

    seed(world)
    objects = world
    objects.week = week_label(monday_of(date.today()))
    objects.goal = Goal.get()
    objects.activity = Activity.get()
    objects.review = Review.get()
    from growth.models import ActionItem

    objects.item = ActionItem.get()
    from growth.models import PracticeSession, TicketReview

    objects.ticket_review = TicketReview.get()
    objects.practice = PracticeSession.get()
    objects.link_token = issue_set_password_link(None, world.agent_a, action="password_reset")
    from growth.reminders.mail import unsubscribe_token

    objects.unsubscribe_token = unsubscribe_token(world.agent_a)
    objects.calendar_token = "0" * 43
    adapter = app.url_map.bind("localhost")
    failures, sent = [], 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        policy = POLICY[rule.endpoint]
        url = adapter.build(rule.endpoint, policy.args(objects))
        who = _person_for(policy)
        client = app.test_client() if who is None else client_for(getattr(objects, who))
        for value in GARBAGE:
            response = client.post(url, data=dict.fromkeys(FIELDS, value))
            sent += 1
            if response.status_code >= 500:
                failures.append((rule.endpoint, repr(value[:20]), response.status_code))
    assert sent > 300
    assert not failures, failures


@pytest.mark.parametrize("path", ["/goals/99999999999999999999", "/reviews/2147483648",
                                  "/team/99999999999999999999"])
def test_val05_huge_ids_in_urls_answer_404(world, client_for, path):
    assert client_for(world.lead_a).get(path).status_code == 404


@pytest.mark.parametrize("who, path, status", [
    ("agent_a", "/week/9999-W52", 404), ("agent_a", "/week/0001-W01", 404),
    ("admin", "/admin/audit?page=100000000000000000", 200),
    ("hr", "/hr?from=9999-01-01&to=9999-12-31", 400),
    ("hr", "/hr/retention.csv?from=0001-01-01&to=0001-12-31", 400),
])
def test_val05_out_of_range_weeks_pages_and_periods_never_answer_5xx(world, client_for, who,
                                                                     path, status):
    # tests/test_input_rules.py sweeps every date and page parameter.
    assert client_for(getattr(world, who)).get(path).status_code == status


def test_val05_a_rejected_form_is_logged_without_what_was_typed(world, client_for, caplog):
    caplog.set_level(logging.INFO, logger="growth.forms")
    week = week_label(monday_of(date.today()))
    response = client_for(world.agent_a).post(f"/week/{week}/activities", data={
        "kind": "docs", "minutes": "SECRET-MINUTES-1e99", "note": "", "link": "",
        "goal_id": ""})
    assert response.status_code in (400, 422)
    [record] = [r for r in caplog.records if r.name == "growth.forms"]
    assert "dev_days.log_activity" in record.getMessage()
    assert "minutes" in record.getMessage()
    assert "SECRET-MINUTES" not in record.getMessage()


# DB-03 / DB-04: every create form carries a one-time key, every edit form the row's version --

# Each POST route is one of three kinds; a new route fails the sweep until it is placed.
CREATE_FORMS = {"dev_days.log_activity", "goals.index", "coaching.record_one_on_one",
                "coaching.add_team_agenda_item", "coaching.add_agenda_item",
                "admin.new_user", "admin.teams", "admin.cycles", "feedback.index",
                "feedback.practice", "coaching.open_team_reviews"}
EDIT_FORMS = {"dev_days.plan", "dev_days.edit_activity", "goals.edit", "coaching.edit_review",
              "coaching.share_review", "coaching.self_assessment", "hr.person",
              "admin.edit_user", "admin.edit_team", "coverage.settings"}
# Actions set a state the button names (idempotent: a repeat changes nothing more), make a
# row a UNIQUE index keeps single (a review per person and cycle), or change only the
# signed-in person's own settings.
ACTIONS = {"auth.login", "auth.logout", "auth.password", "auth.account", "auth.language",
           "dev_days.delete_activity", "dev_days.skip", "dev_days.take_back", "dev_days.rate",
           "coaching.open_review", "coaching.tick_action_item", "coaching.acknowledge_review",
           "admin.deactivate_user", "admin.reactivate_user", "admin.reset_password",
           # A set-password link works once: a repeat finds it used. Starting a single sign-on
           # only sends the browser to the provider.
           "auth.set_password", "oidc.start",
           # A reply is made once (409 after); a review or role-play is deleted once.
           "feedback.reply", "feedback.delete", "feedback.delete_practice",
           # Turning one's own reminders off or on; the one-click unsubscribe turns them off.
           "reminders.settings", "reminders.unsubscribe",
           # A new calendar address replaces the old one (a repeat replaces it again).
           "calendar.make", "calendar.delete"}


def test_db04_every_post_route_is_a_create_an_edit_or_an_action(app):
    posts = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods}
    assert posts == CREATE_FORMS | EDIT_FORMS | ACTIONS, posts ^ (
        CREATE_FORMS | EDIT_FORMS | ACTIONS)
    assert not CREATE_FORMS & EDIT_FORMS and not (CREATE_FORMS | EDIT_FORMS) & ACTIONS


class PostForms(HTMLParser):
    """The post forms of a page: their actions (a button's formaction too) and the names of
    their hidden inputs."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[list, set]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.forms.append(([attrs.get("action") or ""], set()))
        elif tag == "input" and attrs.get("type") == "hidden" and self.forms:
            self.forms[-1][1].add(attrs.get("name"))
        elif tag == "button" and attrs.get("formaction") and self.forms:
            self.forms[-1][0].append(attrs["formaction"])


def test_db04_every_create_form_on_every_page_carries_a_key_and_every_edit_its_version(
        app, world, client_for):
    seed(world)
    adapter = app.url_map.bind("localhost")
    seen = set()
    for who in ("agent_a", "lead_a", "hr", "admin"):
        client = client_for(getattr(world, who))
        for url in crawl_urls(app):
            response = client.get(url)
            if not response.content_type.startswith("text/html"):
                continue
            parser = PostForms()
            parser.feed(response.get_data(as_text=True))
            for actions, hidden in parser.forms:
                for action in actions:
                    endpoint, _ = adapter.match(action or url, method="POST")
                    seen.add(endpoint)
                    if endpoint in CREATE_FORMS:
                        assert "submission" in hidden and "version" not in hidden, (url, action)
                    elif endpoint in EDIT_FORMS:
                        assert "version" in hidden and "submission" not in hidden, (url, action)
    assert seen >= CREATE_FORMS | EDIT_FORMS, (CREATE_FORMS | EDIT_FORMS) - seen


def test_db04_a_key_from_someone_elses_page_never_reaches_their_row(world, client_for):
    week = week_label(monday_of(date.today()))
    cycle = ReviewCycle.ensure_for(date.today())
    forms = [(f"/week/{week}/activities", {"kind": "docs", "minutes": "30", "note": "n"}),
             ("/goals", {"title": "t", "cycle_id": str(cycle.id)}),
             ("/one-on-ones/agenda", {"text": "topic"})]
    for path, form in forms:
        key = f"copied-{len(path)}-key"
        assert client_for(world.agent_a).post(path, data={**form, "submission": key}
                                              ).status_code == 302
        other = client_for(world.agent_a2).post(path, data={**form, "submission": key,
                                                             "note": "other", "text": "other",
                                                             "title": "other"})
        assert other.status_code == 302, path
    from growth.models import AgendaItem

    for model, owner in ((Activity, Activity.select(DevDay.user).join(DevDay)),
                         (Goal, Goal.select(Goal.owner)), (AgendaItem,
                                                           AgendaItem.select(
                                                               AgendaItem.author))):
        assert model.select().count() == 2
        assert sorted(owner.scalars()) == sorted([world.agent_a.id, world.agent_a2.id])


def test_db03_a_stale_edit_answers_409_and_changes_nothing(world, client_for):
    goal = seed(world)
    activity = Activity.get()
    week = week_label(monday_of(date.today()))
    edits = [
        (Goal, goal.id, f"/goals/{goal.id}/edit",
         {"title": "stale", "cycle_id": str(goal.cycle_id)}, world.agent_a),
        (Activity, activity.id, f"/activities/{activity.id}/edit",
         {"kind": "docs", "minutes": "10", "note": "stale"}, world.agent_a),
        (DevDay, activity.dev_day_id, f"/week/{week}/plan",
         {"day": monday_of(date.today()).isoformat(), "plan": "stale"}, world.agent_a),
        (User, world.agent_a.id, f"/hr/people/{world.agent_a.id}",
         {"hired_on": "2019-01-07", "left_on": "", "leave_reason": "", "team_id": ""},
         world.hr),
        (User, world.agent_a.id, f"/admin/users/{world.agent_a.id}",
         {"name": "stale", "email": "stale@example.com", "role": "agent", "team_id": "",
          "hired_on": "2019-01-07", "weekly_dev_hours": "8"}, world.admin),
        (Team, world.team_a.id, f"/admin/teams/{world.team_a.id}",
         {"name": "stale", "lead_id": ""}, world.admin),
    ]
    for model, row_id, path, form, who in edits:
        model.update(version=model.version + 1).where(model.id == row_id).execute()
        before = model.select().where(model.id == row_id).tuples().get()
        response = client_for(who).post(path, data={**form, "version": "1"})
        assert response.status_code == 409, path
        assert "changed after you opened it" in response.get_data(as_text=True), path
        assert model.select().where(model.id == row_id).tuples().get() == before, path


# DB-06 -----------------------------------------------------------------------------------

def test_db06_a_failing_migration_leaves_the_schema_unchanged(db, tmp_path):
    if not type(db.obj).__name__.endswith("SqliteDatabase"):
        pytest.skip("one engine is enough: both run DDL inside the migration's transaction")
    import shutil

    from playhouse.migrations import Runner

    from growth.db import migrations_dir

    folder = tmp_path / "migrations"
    shutil.copytree(migrations_dir(), folder, ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "0999_broken.py").write_text(
        "from peewee import IntegerField\n\n\n"
        "def up(migrator, db):\n"
        "    migrator.migrate(migrator.add_column('user', 'half_done', "
        "IntegerField(null=True)))\n"
        "    raise RuntimeError('the second half of the migration fails')\n")
    with pytest.raises(RuntimeError, match="second half"):
        Runner(db.obj, directory=str(folder)).up()
    columns = {c.name for c in db.get_columns("user")}
    assert "half_done" not in columns
    assert "0999_broken" not in {m.name for m in Runner(db.obj, directory=str(folder)).status()
                                 if m.applied}
