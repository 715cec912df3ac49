"""`growth remind` for 2,000 people: a fixed number of queries per kind and seconds, not
minutes, apart from SMTP time (measured against the local SMTP server too)."""

import time
from datetime import date, timedelta

import pytest
from playhouse.test_utils import count_queries

from growth.models import DevDay, ReminderSent, Role, Team, User
from growth.reminders import queries, service
from tests.test_reminders import BASE, MONDAY, Inbox, _free_port

pytestmark = pytest.mark.slow
PEOPLE = 2000
TEAM_SIZE = 10


def _organisation():
    teams = [Team.create(name=f"Team {n}") for n in range(PEOPLE // TEAM_SIZE)]
    rows = []
    for n in range(PEOPLE):
        team = teams[n // TEAM_SIZE]
        rows.append({"email": f"p{n}@example.com", "name": f"Person {n}", "team": team.id,
                     "role": Role.LEAD.value if n % TEAM_SIZE == 0 else Role.AGENT.value,
                     "hired_on": date(2020, 1, 6), "locale": "es" if n % 3 == 0 else None})
    User.insert_many(rows).execute()
    leads = User.select(User.id, User.team).where(User.role == Role.LEAD.value)
    for lead in leads:
        Team.update(lead=lead.id).where(Team.id == lead.team_id).execute()
    people = list(User.select(User.id).tuples())
    rows = [{"user": uid, "week_start": MONDAY - timedelta(weeks=w),
             "planned_on": MONDAY - timedelta(weeks=w) + timedelta(days=2),
             "minutes": 0 if uid % 2 else 120, "status": "planned"}
            for (uid,) in people for w in range(4) if w or uid % 4]
    for start in range(0, len(rows), 1000):  # PostgreSQL takes at most 65,535 parameters
        DevDay.insert_many(rows[start:start + 1000]).execute()


def test_two_thousand_people(app):
    from aiosmtpd.controller import Controller

    _organisation()
    friday = MONDAY + timedelta(days=4)
    # Queries per kind, whatever the number of people: the digest reads leads, members, their
    # weeks, the last cycle's reviews and (three) their ticket reviews and role-plays.
    limits = {"plan": 1, "log": 1, "digest": 7}
    for kind, due, day in (("plan", queries.plan_due, MONDAY), ("log", queries.log_due, friday),
                           ("digest", queries.digests_due, MONDAY)):
        started = time.perf_counter()
        with count_queries() as counter:
            found = due(day)
        print(f"{kind}: {len(found)} due, {counter.count} queries, "
              f"{time.perf_counter() - started:.2f} s")
        assert counter.count <= limits[kind]
    handler = Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SECURITY="none",
                          MAIL_FROM="growth@example.com", BASE_URL=BASE)
        for day in (MONDAY, friday):
            started = time.perf_counter()
            with count_queries() as counter:
                outgoing = service.due(day)
                composed = time.perf_counter()
                result = service.send(day, outgoing)
            total = time.perf_counter() - started
            print(f"{day}: {dict(result.sent)} in {total:.1f} s "
                  f"(finding {composed - started:.2f} s), {counter.count} queries")
            assert not result.stopped  # the time is printed, never asserted (see bench)
            assert counter.count <= 20
    finally:
        controller.stop()
    assert ReminderSent.select().count() == len(handler.messages)
