"""Every route, every role: the sweep enumerates app.url_map, so a new route is covered the
moment it exists — and fails until it has a line in POLICY below.

For each route: anonymous people are sent to sign in; roles outside the route's area get 403;
objects outside a person's scope answer 404; a POST without a CSRF token answers 400; the
people a page is for get it (200); reading any page as anyone adds or removes no rows; and
every response carries the security headers.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest

from growth.auth.service import issue_set_password_link
from growth.models import (
    ALL_MODELS,
    ActionItem,
    Activity,
    AuditEvent,
    DevDay,
    Goal,
    OneOnOne,
    PracticeParticipant,
    PracticeSession,
    Review,
    ReviewCycle,
    Role,
    TicketReview,
)
from growth.weeks import monday_of, week_label

from .e2e.pages import FORM_ADDRESSES

AGENT, LEAD, HR, ADMIN = Role.AGENT, Role.LEAD, Role.HR, Role.ADMIN
EVERYONE = frozenset(Role)
PUBLIC = None
# The world member who stands for each role when a role is refused an area.
STAND_IN = {AGENT: "agent_a", LEAD: "lead_a", HR: "hr", ADMIN: "admin"}
NOT_AGENT_A = ("agent_a2", "agent_b", "lead_b", "hr", "admin")


@dataclass(frozen=True)
class Policy:
    """Who may use an endpoint. `roles`: the roles whose area it is (PUBLIC: anyone, signed
    in or not). `args`: URL values naming an object of agent A (or team A). `reader`: a
    person the object is for (their GET answers 200). `outsiders`: people whose role may use
    the area but for whom the object is out of scope (404). `forbidden`: people who may see
    the object but not do this to it (403)."""

    roles: frozenset | None
    args: Callable = lambda o: {}
    reader: str | None = None
    outsiders: tuple = ()
    forbidden: tuple = ()
    answer: int = 200  # what a GET by a person it is for answers


def _week(o):
    return {"week": o.week}


def _activity(o):
    return {"activity_id": o.activity.id}


def _goal(o):
    return {"goal_id": o.goal.id}


def _review(o):
    return {"review_id": o.review.id}


def _member(o):
    return {"user_id": o.agent_a.id}


def _ticket_review(o):
    return {"ticket_review_id": o.ticket_review.id}


def _practice(o):
    return {"practice_id": o.practice.id}


OWN = Policy(EVERYONE)
PEOPLE_IN_TEAMS = frozenset({AGENT, LEAD})
POLICY = {
    "static": Policy(PUBLIC, lambda o: {"filename": "css/growth.css"}),
    "healthz": Policy(PUBLIC),
    "auth.login": Policy(PUBLIC),
    "auth.language": Policy(PUBLIC),
    "auth.set_password": Policy(PUBLIC, lambda o: {"token": o.link_token}),
    # The provider's answer is missing: back to the sign-in page with a message.
    "oidc.callback": Policy(PUBLIC, answer=302),
    "oidc.start": Policy(PUBLIC),
    "auth.logout": OWN,
    "auth.account": OWN,
    "auth.password": OWN,
    # The agent's week: always the signed-in person's own.
    "dev_days.current_week": OWN,
    "dev_days.week": Policy(EVERYONE, _week),
    "dev_days.plan": Policy(EVERYONE, _week, answer=302),
    "dev_days.log_activity": Policy(EVERYONE, _week, answer=302),
    "dev_days.skip": Policy(EVERYONE, _week, answer=302),
    "dev_days.take_back": Policy(EVERYONE, _week),
    "dev_days.rate": Policy(EVERYONE, _week, answer=302),
    "dev_days.history": OWN,
    "dev_days.export_csv": OWN,
    "dev_days.export_json": OWN,
    "dev_days.edit_activity": Policy(EVERYONE, _activity, "agent_a",
                                     NOT_AGENT_A + ("lead_a",)),
    "dev_days.delete_activity": Policy(EVERYONE, _activity, "agent_a",
                                       NOT_AGENT_A + ("lead_a",)),
    "goals.index": OWN,
    "goals.show": Policy(EVERYONE, _goal, "lead_a", NOT_AGENT_A),
    "goals.edit": Policy(EVERYONE, _goal, "agent_a", NOT_AGENT_A, forbidden=("lead_a",),
                         answer=302),
    # Coaching: everyone's own one-on-ones and reviews; the team pages are the lead's.
    "coaching.my_coaching": OWN,
    "coaching.add_agenda_item": Policy(EVERYONE, answer=302),
    "coaching.tick_action_item": Policy(EVERYONE, lambda o: {"item_id": o.item.id},
                                        "agent_a", NOT_AGENT_A),
    "coaching.review": Policy(EVERYONE, _review, "agent_a", NOT_AGENT_A),
    "coaching.self_assessment": Policy(EVERYONE, _review, "agent_a", NOT_AGENT_A,
                                       forbidden=("lead_a",), answer=302),
    "coaching.acknowledge_review": Policy(EVERYONE, _review, "agent_a", NOT_AGENT_A,
                                          forbidden=("lead_a",), answer=302),
    "coaching.edit_review": Policy(EVERYONE, _review, "lead_a", NOT_AGENT_A,
                                   forbidden=("agent_a",), answer=302),
    "coaching.share_review": Policy(EVERYONE, _review, "lead_a", NOT_AGENT_A,
                                    forbidden=("agent_a",), answer=302),
    "coaching.team": Policy(frozenset({LEAD}), reader="lead_a"),
    "coverage.settings": Policy(frozenset({LEAD}), reader="lead_a"),
    # Everyone's own reminder setting; the unsubscribe address works without a session.
    "reminders.settings": OWN,
    "calendar.make": Policy(EVERYONE, answer=302),
    "calendar.delete": OWN,
    "calendar.feed": Policy(PUBLIC, lambda o: {"token": o.calendar_token}),
    "reminders.unsubscribe": Policy(PUBLIC, lambda o: {"token": o.unsubscribe_token}),
    "coaching.person": Policy(frozenset({LEAD}), _member, "lead_a", ("lead_b",)),
    "coaching.record_one_on_one": Policy(frozenset({LEAD}), _member, "lead_a", ("lead_b",),
                                         answer=302),
    "coaching.add_team_agenda_item": Policy(frozenset({LEAD}), _member, "lead_a",
                                            ("lead_b",), answer=302),
    "coaching.open_review": Policy(frozenset({LEAD}), _member, "lead_a", ("lead_b",),
                                   answer=302),
    "coaching.open_team_reviews": Policy(frozenset({LEAD}), lambda o: {"team_id": o.team_a.id},
                                         "lead_a", ("lead_b",), answer=302),
    # Feedback and practice: agents and leads; HR and admin accounts get 403.
    "feedback.index": Policy(PEOPLE_IN_TEAMS),
    "feedback.show": Policy(PEOPLE_IN_TEAMS, _ticket_review, "agent_a", ("agent_b", "lead_b")),
    "feedback.reply": Policy(PEOPLE_IN_TEAMS, _ticket_review, "agent_a2", ("agent_b", "lead_b"),
                             forbidden=("agent_a", "lead_a"), answer=302),
    "feedback.delete": Policy(PEOPLE_IN_TEAMS, _ticket_review, "agent_a",
                              ("agent_b", "lead_b"), forbidden=("agent_a2", "lead_a")),
    "feedback.practice": Policy(PEOPLE_IN_TEAMS),
    "feedback.practice_session": Policy(PEOPLE_IN_TEAMS, _practice, "agent_a",
                                        ("agent_b", "lead_b")),
    "feedback.delete_practice": Policy(PEOPLE_IN_TEAMS, _practice, "agent_a",
                                       ("agent_b", "lead_b"), forbidden=("agent_a2", "lead_a")),
    # HR: the figures are HR's; employment records HR's and the admin's.
    "hr.dashboard": Policy(frozenset({HR}), reader="hr"),
    "hr.download": Policy(frozenset({HR}), lambda o: {"report": "retention", "fmt": "csv"},
                          "hr"),
    "hr.people": Policy(frozenset({HR, ADMIN}), reader="hr"),
    "hr.person": Policy(frozenset({HR, ADMIN}), _member, "hr"),
    # Admin: the audit log is HR's too.
    "admin.audit": Policy(frozenset({HR, ADMIN}), reader="hr"),
    "admin.users": Policy(frozenset({ADMIN}), reader="admin"),
    "admin.new_user": Policy(frozenset({ADMIN}), reader="admin"),
    "admin.edit_user": Policy(frozenset({ADMIN}), _member, "admin"),
    "admin.deactivate_user": Policy(frozenset({ADMIN}), _member, "admin", answer=302),
    "admin.reactivate_user": Policy(frozenset({ADMIN}), _member, "admin"),
    "admin.reset_password": Policy(frozenset({ADMIN}), _member, "admin", answer=302),
    "admin.teams": Policy(frozenset({ADMIN}), reader="admin"),
    "admin.edit_team": Policy(frozenset({ADMIN}), lambda o: {"team_id": o.team_a.id},
                              "admin"),
    "admin.cycles": Policy(frozenset({ADMIN}), reader="admin"),
}


@pytest.fixture
def app_config():
    """Single sign-on configured, so its routes answer (the provider is never reached)."""
    return {"OIDC_ISSUER": "https://idp.example.com", "OIDC_CLIENT_ID": "growth",
            "OIDC_CLIENT_SECRET": "sweep-secret"}


@pytest.fixture
def objects(world):
    """The world plus one of each object, all agent A's (or team A's)."""
    today = date.today()
    cycle = ReviewCycle.ensure_for(today)
    monday = monday_of(today)
    day = DevDay.create(user=world.agent_a, week_start=monday, planned_on=monday,
                        plan="Write the refund article", minutes=30, status="logged")
    world.week = week_label(monday)
    world.goal = Goal.create(owner=world.agent_a, cycle=cycle, title="Own billing docs")
    world.activity = Activity.create(dev_day=day, kind="docs", minutes=30, note="Draft")
    meeting = OneOnOne.create(person=world.agent_a, lead=world.lead_a, held_on=today,
                              shared_notes="Shared", private_notes="Private")
    world.item = ActionItem.create(person=world.agent_a, one_on_one=meeting,
                                   owner=world.agent_a, text="Share the draft")
    world.review = Review.create(person=world.agent_a, cycle=cycle, lead=world.lead_a)
    world.ticket_review = TicketReview.create(
        reviewer=world.agent_a, reviewee=world.agent_a2, ticket_url="https://t.example/1",
        ticket_hash="h1", rating=4, praise="Kind and exact")
    world.practice = PracticeSession.create(team=world.team_a, organiser=world.agent_a,
                                            held_on=today, scenario="Refund", minutes=30)
    for person, part in ((world.agent_a, "customer"), (world.agent_a2, "agent")):
        PracticeParticipant.create(session=world.practice, user=person, part=part)
    world.link_token = issue_set_password_link(world.admin, world.agent_a,
                                               action="password_reset")
    from growth.reminders.mail import unsubscribe_token

    world.unsubscribe_token = unsubscribe_token(world.agent_a)
    from growth.calendar.service import make_feed

    world.calendar_token = make_feed(world.agent_a, world.agent_a)
    return world


class Sweep:
    """Signed-in clients per world member, URLs per rule, and the header check applied to
    every response the sweep sees."""

    def __init__(self, app, objects, client_for):
        self.app, self.objects, self.client_for = app, objects, client_for
        self.clients = {}
        self.problems: list[str] = []
        self.adapter = app.url_map.bind("localhost")

    def rules(self):
        for rule in sorted(self.app.url_map.iter_rules(), key=lambda r: r.rule):
            yield rule, POLICY.get(rule.endpoint), sorted(rule.methods - {"HEAD", "OPTIONS"})

    def url(self, rule, policy) -> str:
        return self.adapter.build(rule.endpoint, policy.args(self.objects))

    def client(self, who: str | None):
        if who not in self.clients:
            self.clients[who] = (self.app.test_client() if who is None
                                 else self.client_for(getattr(self.objects, who)))
        return self.clients[who]

    def request(self, who, method, url, csrf=True):
        client = self.client(who)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.open(url, method=method, data=self._form(client, csrf))
        response.get_data()  # buffered, so the file behind a static response can close
        response.close()
        self.check_headers(response, f"{method} {url} as {who or 'anonymous'}")
        return response

    @staticmethod
    def _form(client, csrf):
        if not csrf:
            return {}
        return {"csrf_token": client._csrf_token or client.csrf_token()}

    def expect(self, who, method, url, status, csrf=True):
        response = self.request(who, method, url, csrf)
        if response.status_code != status:
            self.problems.append(f"{method} {url} as {who or 'anonymous'}: "
                                 f"{response.status_code}, expected {status}")
        return response

    def check_headers(self, response, label):
        headers = response.headers
        csp = {part.strip().split(" ")[0]: part.strip()
               for part in headers.get("Content-Security-Policy", "").split(";") if part.strip()}
        missing = [d for d in ("object-src", "base-uri", "frame-ancestors") if d not in csp]
        if missing:
            self.problems.append(f"{label}: CSP lacks {', '.join(missing)}")
        elif "'none'" not in csp["frame-ancestors"] or "'unsafe-inline'" in headers.get(
                "Content-Security-Policy", ""):
            self.problems.append(f"{label}: CSP allows framing or inline code")
        if headers.get("X-Content-Type-Options") != "nosniff":
            self.problems.append(f"{label}: no X-Content-Type-Options: nosniff")
        if not headers.get("Referrer-Policy"):
            self.problems.append(f"{label}: no Referrer-Policy")

    def report(self):
        assert not self.problems, "\n".join(self.problems)


def _person_for(policy) -> str | None:
    """Someone the route is for: its reader, else a stand-in of its first role."""
    if policy.roles is PUBLIC:
        return None
    return policy.reader or STAND_IN[sorted(policy.roles)[0]]


@pytest.fixture
def sweep(app, objects, client_for):
    return Sweep(app, objects, client_for)


def test_every_route_has_a_policy(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert not endpoints - POLICY.keys(), "routes missing from POLICY: add them"
    assert not POLICY.keys() - endpoints, "POLICY names routes that no longer exist"


def test_anonymous_people_are_sent_to_sign_in(sweep):
    for rule, policy, methods in sweep.rules():
        if policy.roles is PUBLIC:
            continue
        url = sweep.url(rule, policy)
        for method in methods:
            response = sweep.expect(None, method, url, 302)
            location = urlsplit(response.headers.get("Location", ""))
            if response.status_code == 302 and (
                    location.path != "/login" or parse_qs(location.query).get("next") != [url]):
                sweep.problems.append(f"{method} {url}: sent to {location.geturl()}")
    sweep.report()


def test_roles_outside_an_area_get_403(sweep):
    for rule, policy, methods in sweep.rules():
        if policy.roles is PUBLIC:
            continue
        url = sweep.url(rule, policy)
        for role in sorted(EVERYONE - policy.roles):
            for method in methods:
                sweep.expect(STAND_IN[role], method, url, 403)
    sweep.report()


def test_objects_outside_a_persons_scope_answer_404(sweep):
    checked = 0
    for rule, policy, methods in sweep.rules():
        if policy.roles is PUBLIC:
            continue
        url = sweep.url(rule, policy)
        for method in methods:
            for who in policy.outsiders:
                sweep.expect(who, method, url, 404)
                checked += 1
            for who in policy.forbidden:
                sweep.expect(who, method, url, 403)
    assert checked > 20
    sweep.report()


def test_posts_without_a_csrf_token_answer_400(sweep):
    from growth.security import CSRF_EXEMPT_ENDPOINTS

    for rule, policy, methods in sweep.rules():
        if "POST" not in methods or rule.endpoint in CSRF_EXEMPT_ENDPOINTS:
            continue
        response = sweep.expect(_person_for(policy), "POST", sweep.url(rule, policy), 400,
                                csrf=False)
        if b"This form has expired" not in response.data:
            sweep.problems.append(f"POST {rule.rule}: 400 but not for the missing token")
    sweep.report()


def test_the_people_a_page_is_for_get_it(sweep):
    for rule, policy, methods in sweep.rules():
        if "GET" not in methods:
            continue
        sweep.expect(_person_for(policy), "GET", sweep.url(rule, policy), policy.answer)
    sweep.report()


# Reading may add an audit row (exports) or the default review cycle a page needs; the
# rows already there stay as they were.
READS_MAY_ADD = {AuditEvent, ReviewCycle}


def _last_ids() -> dict:
    return {model: model.select(model.id).order_by(model.id.desc()).scalar() or 0
            for model in READS_MAY_ADD}


def _contents(last_ids: dict) -> dict[str, str]:
    """A digest of every table: all its rows, every column, in primary-key order (of the
    tables reads may add to, the rows up to `last_ids`)."""
    digests = {}
    for model in ALL_MODELS:
        rows = model.select().order_by(model._meta.primary_key)
        if model in last_ids:
            rows = rows.where(model.id <= last_ids[model])
        digest = hashlib.sha256()
        for row in rows.tuples():
            digest.update(repr(row).encode())
        digests[model.__name__] = digest.hexdigest()
    return digests


def test_reading_any_page_as_anyone_changes_nothing(sweep):
    last_ids = _last_ids()
    before = _contents(last_ids)
    people = [None, "agent_a", "agent_a2", "agent_b", "lead_a", "lead_b", "hr", "admin"]
    for rule, policy, methods in sweep.rules():
        if "GET" in methods:
            for who in people:
                sweep.request(who, "GET", sweep.url(rule, policy))
    after = _contents(last_ids)
    assert {name for name in before if after[name] != before[name]} == set()
    sweep.report()


@pytest.mark.parametrize("path", ["/no-such-page", "/week/2026-W99", "/goals/999999"])
def test_error_pages_carry_the_security_headers(sweep, path):
    for who in (None, "agent_a"):
        response = sweep.request(who, "GET", path)
        assert response.status_code in (302, 404)
    sweep.report()


# POST routes that never show a page: whatever is posted they redirect (or refuse with an
# error page), so a rejected form never leaves their address in the address bar.
REDIRECT_ONLY_POSTS = {"auth.logout", "auth.language", "oidc.start",
                       "dev_days.delete_activity", "dev_days.take_back",
                       "coaching.tick_action_item", "admin.reactivate_user", "feedback.delete",
                       "feedback.delete_practice", "calendar.delete"}


def test_a_form_address_opened_again_leads_to_its_page_never_405(sweep):
    """A rejected form shows its page at the form's POST address; a reload, a bookmark or
    the back button opens that address with GET: it answers the page or a redirect to it,
    for every POST route of the app but those that never show a page."""
    checked = 0
    for rule, policy, methods in sweep.rules():
        if "POST" not in methods or rule.endpoint in REDIRECT_ONLY_POSTS:
            continue
        who, url = _person_for(policy), sweep.url(rule, policy)
        response = sweep.request(who, "GET", url)
        checked += 1
        if response.status_code in (301, 302, 303):
            target = urlsplit(response.headers["Location"])
            landed = sweep.request(who, "GET", target.path + (
                f"?{target.query}" if target.query else ""))
            if rule.endpoint != "oidc.callback" and landed.status_code != 200:
                sweep.problems.append(f"GET {url} as {who}: led to {target.path}, "
                                      f"which answers {landed.status_code}")
        elif response.status_code != 200:
            sweep.problems.append(f"GET {url} as {who}: {response.status_code}")
    assert checked > 25
    sweep.report()


def test_form_addresses_lead_to_their_page_and_show_none(sweep):
    """Keeps the accessibility sweep's FORM_ADDRESSES honest: opened with GET, each answers
    a redirect to the page its form lives on, never a page of its own that the sweep would
    then have to check."""
    rules = {rule.endpoint: (rule, policy) for rule, policy, _methods in sweep.rules()}
    assert rules.keys() >= FORM_ADDRESSES, FORM_ADDRESSES - rules.keys()
    for endpoint in sorted(FORM_ADDRESSES):
        rule, policy = rules[endpoint]
        who, url = _person_for(policy), sweep.url(rule, policy)
        response = sweep.request(who, "GET", url)
        if response.status_code not in (301, 302, 303):
            sweep.problems.append(f"GET {url} as {who}: {response.status_code}, not a redirect")
    sweep.report()


def test_the_posts_said_to_show_no_page_show_none(sweep):
    """Keeps REDIRECT_ONLY_POSTS honest: an empty post (with its CSRF token) to each answers
    a redirect or an error page, never a page holding a form."""
    for rule, policy, methods in sweep.rules():
        if rule.endpoint not in REDIRECT_ONLY_POSTS:
            continue
        assert methods == ["POST"], rule.endpoint
        who = _person_for(policy)
        client = (sweep.app.test_client() if who is None
                  else sweep.client_for(getattr(sweep.objects, who)))
        response = client.post(sweep.url(rule, policy), data={"submission": ""})
        body = response.get_data(as_text=True)
        if not (300 <= response.status_code < 400
                or response.status_code >= 400 and 'class="error-page"' in body):
            sweep.problems.append(f"POST {rule.rule}: {response.status_code} with a page")
    sweep.report()
