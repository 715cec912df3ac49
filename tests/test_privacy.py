"""The role table, checked from the outside: every GET page and every export, as every role.

Unique marker strings are written into private one-on-one notes, unsubmitted
self-assessments, unshared coaching notes and the rest of one person's coaching data; then
every GET route in the app's url_map is fetched by every role (each <int:…> filled with every
id of its kind, <week> with the current week, <any(…)> with each choice). A marker may appear
only in answers given to the people DESIGN's role table allows.
"""

import io
import itertools
import zipfile
from datetime import date, timedelta

import pytest
from flask import current_app, url_for
from werkzeug.routing.converters import AnyConverter, IntegerConverter

from growth.auth.service import issue_set_password_link
from growth.coaching import service
from growth.feedback import service as feedback
from growth.models import (
    ActionItem,
    Activity,
    AgendaItem,
    DevDay,
    Goal,
    OneOnOne,
    PracticeSession,
    Review,
    ReviewCycle,
    ReviewGoal,
    Team,
    TicketReview,
    User,
)
from growth.weeks import monday_of, week_label

ROLES = ["agent_a", "agent_a2", "agent_b", "lead_a", "lead_b", "hr", "admin"]

# marker -> the people who may read it (DESIGN's role table)
ALLOWED = {
    "PRIVATE-NOTE-by-lead-a-7f3c": {"lead_a"},              # one-on-one private notes: author
    "PRIVATE-NOTE-by-former-lead-b-91ad": {"lead_b"},       # ...even once they lead no longer
    "SHARED-NOTE-2b6e": {"agent_a", "lead_a"},              # shared notes and items
    "ACTION-ITEM-5d1a": {"agent_a", "lead_a"},
    "AGENDA-ITEM-c4e9": {"agent_a", "lead_a"},
    "SELF-DRAFT-0a8b": {"agent_a"},                        # unsubmitted self-assessment
    "SELF-SUBMITTED-e2f7": {"agent_a", "lead_a"},
    "COACH-DRAFT-NOTES-6c2d": {"lead_a"},                  # unshared coaching notes
    "COACH-DRAFT-FOCUS-9e4f": {"lead_a"},
    "COACH-DRAFT-COMMENT-3b7a": {"lead_a"},
    "COACH-SHARED-NOTES-d8c1": {"agent_a", "lead_a"},
    "COACH-SHARED-COMMENT-4f6e": {"agent_a", "lead_a"},
    "PLAN-TEXT-a1b2": {"agent_a", "lead_a"},               # development-day plan and notes
    "ACTIVITY-NOTE-77c3": {"agent_a", "lead_a"},
    "GOAL-TITLE-58e0": {"agent_a", "lead_a"},              # goals: owner and their lead
    # Ticket reviews: reviewer, reviewee and the reviewee's lead; a self-review its author.
    "REVIEW-PRAISE-3e1f": {"agent_a", "agent_a2", "lead_a"},
    "REVIEW-SUGGESTION-8a0c": {"agent_a", "agent_a2", "lead_a"},
    "REVIEW-REPLY-6b2d": {"agent_a", "agent_a2", "lead_a"},
    "SELF-REVIEW-PRAISE-41c7": {"agent_a"},
    "SELF-REVIEW-SUGGESTION-d05e": {"agent_a"},
    # Role-play: participants and their leads.
    "PRACTICE-TAKEAWAYS-9f2a": {"agent_a", "agent_a2", "lead_a"},
    "PRACTICE-BRIEF-70bd": {"agent_a", "agent_a2", "lead_a"},
}
# Markers the crawl must find for every allowed reader, proving it reached the pages.
MUST_APPEAR = {m for m in ALLOWED if not m.startswith(("PRIVATE-NOTE-by-former", "PLAN",
                                                       "ACTIVITY", "GOAL"))}


@pytest.fixture
def seeded(world):
    today = date.today()
    agent, lead = world.agent_a, world.lead_a
    current = ReviewCycle.ensure_for(today)
    ended = ReviewCycle.ensure_for(current.starts_on - timedelta(days=1))

    service.record_one_on_one(
        lead, agent, held_on=today, shared_notes="SHARED-NOTE-2b6e",
        private_notes="PRIVATE-NOTE-by-lead-a-7f3c",
        action_items=[{"text": "ACTION-ITEM-5d1a", "owner": "person", "due_on": None}])
    OneOnOne.create(person=agent, lead=world.lead_b, held_on=today - timedelta(days=400),
                    shared_notes="", private_notes="PRIVATE-NOTE-by-former-lead-b-91ad")
    service.add_agenda_item(agent, agent, "AGENDA-ITEM-c4e9")

    goal = Goal.create(owner=agent, cycle=current, title="GOAL-TITLE-58e0")
    old_goal = Goal.create(owner=agent, cycle=ended, title="Older goal")
    dev_day = DevDay.create(user=agent, week_start=monday_of(today), plan="PLAN-TEXT-a1b2",
                            status="logged", minutes=60)
    Activity.create(dev_day=dev_day, kind="docs", minutes=60, note="ACTIVITY-NOTE-77c3",
                    goal=goal)

    draft = Review.create(person=agent, cycle=current, lead=lead,
                          self_assessment="SELF-DRAFT-0a8b", notes="COACH-DRAFT-NOTES-6c2d",
                          next_focus="COACH-DRAFT-FOCUS-9e4f")
    ReviewGoal.create(review=draft, goal=goal, outcome="partly",
                      comment="COACH-DRAFT-COMMENT-3b7a")
    shared = Review.create(person=agent, cycle=ended, lead=lead, status="shared",
                           self_assessment="SELF-SUBMITTED-e2f7",
                           self_submitted_at=ended.ends_on, notes="COACH-SHARED-NOTES-d8c1",
                           held_on=ended.ends_on, shared_at=ended.ends_on)
    ReviewGoal.create(review=shared, goal=old_goal, outcome="achieved",
                      comment="COACH-SHARED-COMMENT-4f6e")
    give = feedback.give_review
    peer = give(world.agent_a2, reviewee_id=agent.id, ticket_url="https://t.example/1", rating=4,
                praise="REVIEW-PRAISE-3e1f", suggestion="REVIEW-SUGGESTION-8a0c", minutes=10)
    feedback.reply_to_review(agent, peer, reply="REVIEW-REPLY-6b2d")
    give(agent, reviewee_id=agent.id, ticket_url="https://t.example/2", rating=2,
         praise="SELF-REVIEW-PRAISE-41c7", suggestion="SELF-REVIEW-SUGGESTION-d05e")
    feedback.record_practice(agent, held_on=today, scenario="Refund late", minutes=30,
                             brief="PRACTICE-BRIEF-70bd", takeaways="PRACTICE-TAKEAWAYS-9f2a",
                             customer_ids=[world.agent_a2.id], agent_ids=[agent.id])
    with current_app.test_request_context():
        world.own_urls = {role: _own_urls(getattr(world, role)) for role in ROLES}
    return world


def _own_urls(person) -> list[str]:
    """The addresses only this person holds, which work without a session: their calendar
    feed and the unsubscribe link of their reminder emails."""
    from growth.calendar.service import make_feed
    from growth.reminders.mail import unsubscribe_token

    return [url_for("calendar.feed", token=make_feed(person, person)),
            url_for("reminders.unsubscribe", token=unsubscribe_token(person))]


def _ids(arg: str) -> list[int]:
    models = {"user_id": User, "review_id": Review, "goal_id": Goal, "team_id": Team,
              "activity_id": Activity, "item_id": ActionItem, "cycle_id": ReviewCycle,
              "one_on_one_id": OneOnOne, "agenda_id": AgendaItem,
              "ticket_review_id": TicketReview, "practice_id": PracticeSession}
    assert arg in models, f"teach the privacy crawl which rows <int:{arg}> names"
    return [row.id for row in models[arg].select(models[arg].id)]


def readable(response) -> str:
    """The answer as text; XLSX (a zip of XML parts) is unpacked so its cells are searched."""
    data = response.get_data()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            data = b"\n".join(archive.read(name) for name in archive.namelist())
    return data.decode("utf-8", "replace")


OWN_ADDRESSES = {"calendar.feed", "reminders.unsubscribe"}


def crawl_urls(app) -> list[str]:
    """Every GET URL in the url_map, with its arguments filled from the seeded world."""
    adapter = app.url_map.bind("localhost")
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        choices = {}
        for arg in sorted(rule.arguments):
            converter = rule._converters[arg]
            if isinstance(converter, IntegerConverter):
                choices[arg] = _ids(arg)
            elif isinstance(converter, AnyConverter):
                choices[arg] = sorted(converter.items)
            elif arg == "week":
                choices[arg] = [week_label(monday_of(date.today()))]
            elif arg == "token" and rule.endpoint == "auth.set_password":
                # A live set-password link, and one that isn't.
                person = User.select().order_by(User.id).first()
                choices[arg] = ["no-such-link"] + ([issue_set_password_link(
                    None, person, action="password_reset")] if person else [])
            elif arg == "token" and rule.endpoint in OWN_ADDRESSES:
                choices[arg] = ["no-such-link"]  # each person's live one: see _own_urls
            else:
                raise AssertionError(f"teach the privacy crawl to fill <{arg}> in {rule.rule}")
        names = list(choices)
        for values in itertools.product(*(choices[n] for n in names)):
            urls.append(adapter.build(rule.endpoint, dict(zip(names, values, strict=True))))
    return sorted(set(urls))


def test_markers_appear_only_where_the_role_table_allows(app, seeded, client_for):
    urls = crawl_urls(app)
    assert "/me/export.json" in urls and "/team" in urls
    seen = {marker: set() for marker in ALLOWED}
    leaks, broken = [], []
    for role in ROLES:
        client = client_for(getattr(seeded, role))
        for url in urls + seeded.own_urls[role]:
            try:
                response = client.get(url)
            except Exception as error:  # reported below, after the leak check
                broken.append((role, url, repr(error)))
                continue
            if response.status_code >= 500:
                broken.append((role, url, response.status_code))
            body = readable(response)
            for marker, allowed in ALLOWED.items():
                if marker in body:
                    seen[marker].add(role)
                    if role not in allowed:
                        leaks.append((marker, role, url))
    assert not leaks, leaks
    assert not broken, broken
    for marker in MUST_APPEAR:
        assert seen[marker] == ALLOWED[marker], (marker, seen[marker])
    assert not seen["PRIVATE-NOTE-by-former-lead-b-91ad"]


def test_the_crawl_covers_every_get_route(app, seeded):
    """Every GET rule of the url_map is crawled, each <int:…> with the ids of rows that
    exist and each token with a live one as well as a dead one."""
    adapter = app.url_map.bind("localhost")
    crawled = {}
    for url in crawl_urls(app) + seeded.own_urls["agent_a"]:
        endpoint, values = adapter.match(url, method="GET")
        crawled.setdefault(endpoint, []).append(values)
    rules = [rule for rule in app.url_map.iter_rules()
             if "GET" in rule.methods and rule.endpoint != "static"]
    assert set(crawled) == {rule.endpoint for rule in rules}
    for rule in rules:
        for arg in rule.arguments:
            filled = {values[arg] for values in crawled[rule.endpoint]}
            if isinstance(rule._converters[arg], IntegerConverter):
                assert filled == set(_ids(arg)), (rule.rule, arg)
            elif arg == "token":
                assert "no-such-link" in filled and len(filled) == 2, rule.rule
    client = app.test_client()  # the live tokens open their pages without a session
    for url in seeded.own_urls["agent_a"]:
        assert client.get(url).status_code == 200, url
    assert crawled["goals.show"] == [{"goal_id": goal.id} for goal in Goal.select()]
