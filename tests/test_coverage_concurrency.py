"""The last free slot of a weekday, planned by several people at the same moment under real
gunicorn: exactly one gets it, the others are refused with the days that have room. Runs on
SQLite and, when configured, on PostgreSQL."""

import threading
from collections import Counter
from datetime import date, timedelta

import pytest

from growth.models import DevDay, Role, Team
from growth.weeks import monday_of, week_label
from tests.test_concurrency import Browser, _gunicorn, _run_together

pytestmark = pytest.mark.slow


def test_six_people_planning_the_last_slot_at_once_one_gets_it(app, database_url, make_team,
                                                                  make_user, tmp_path):
    team = make_team("Tight team")
    Team.update(max_off_per_day=2).where(Team.id == team.id).execute()
    people = [make_user(Role.AGENT, team=team) for _ in range(7)]
    monday = monday_of(date.today()) + timedelta(weeks=1)
    tuesday = monday + timedelta(days=1)
    DevDay.create(user=people[0], week_start=monday, planned_on=tuesday, plan="Taken")
    statuses: Counter = Counter()
    lock = threading.Lock()

    with _gunicorn(database_url, tmp_path / "gunicorn.log") as port:
        for _round in range(3):
            browsers = [Browser(port).sign_in(p.email) for p in people[1:]]

            def submit(browser):
                def work():
                    response, text = browser.request(
                        "POST", f"/week/{week_label(monday)}/plan",
                        {"day": tuesday.isoformat(), "plan": "Docs", "version": "1"})
                    with lock:
                        statuses[response.status] += 1
                        if response.status == 422:
                            assert "Tuesday is full" in text
                return work

            _run_together([submit(b) for b in browsers])
            for browser in browsers:
                browser.close()
            assert DevDay.select().where(DevDay.planned_on == tuesday).count() == 2
            # Free the slot again for the next round.
            DevDay.delete().where(DevDay.planned_on == tuesday,
                                  DevDay.user != people[0].id).execute()

    assert statuses == Counter({302: 3, 422: 15}), statuses
