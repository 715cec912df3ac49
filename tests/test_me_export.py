"""The person's own-data downloads: CSV of activities and JSON of everything that is theirs."""

import csv
import io
import json
from datetime import date, timedelta

import pytest

from growth.models import (
    ActionItem,
    Activity,
    AuditEvent,
    DevDay,
    DevDayGoal,
    Goal,
    OneOnOne,
    Review,
    ReviewCycle,
)

MONDAY = date(2026, 3, 2)  # 2026-W10


@pytest.fixture
def history(world):
    """Two weeks of agent_a (one planned, one not) and a week of agent_a2."""
    cycle = ReviewCycle.ensure_for(MONDAY)
    goal = Goal.create(owner=world.agent_a, cycle=cycle, title="=Learn SQL", why="Reports")
    planned = DevDay.create(user=world.agent_a, week_start=MONDAY, planned_on=MONDAY +
                            timedelta(days=3), plan="Course day", minutes=150, rating=4,
                            status="logged")
    DevDayGoal.create(dev_day=planned, goal=goal)
    Activity.create(dev_day=planned, kind="learning", minutes=90, note="SQL course, part 1",
                    link="https://learn.example.com/sql", goal=goal)
    Activity.create(dev_day=planned, kind="docs", minutes=60, note="=HYPERLINK(\"x\")")
    unplanned = DevDay.create(user=world.agent_a, week_start=MONDAY + timedelta(weeks=1),
                              minutes=30, status="logged")
    Activity.create(dev_day=unplanned, kind="tickets", minutes=30, note="+1 -2 @3")
    theirs = DevDay.create(user=world.agent_a2, week_start=MONDAY, minutes=45)
    Activity.create(dev_day=theirs, kind="other", minutes=45, note="NOT-MINE-CANARY")
    return goal


def rows_of(response):
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_csv_has_the_promised_columns_and_only_own_rows(world, client_for, history):
    response = client_for(world.agent_a).get("/me/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = rows_of(response)
    assert rows[0] == ["week", "day", "kind", "minutes", "note", "link", "goal"]
    assert rows[1] == ["2026-W10", "2026-03-05", "learning", "90", "SQL course, part 1",
                       "https://learn.example.com/sql", "'=Learn SQL"]
    assert rows[2] == ["2026-W10", "2026-03-05", "docs", "60", "'=HYPERLINK(\"x\")", "", ""]
    assert rows[3] == ["2026-W11", "", "tickets", "30", "'+1 -2 @3", "", ""]
    assert len(rows) == 4
    assert "NOT-MINE-CANARY" not in response.get_data(as_text=True)


@pytest.mark.parametrize("note", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_never_start_a_formula(world, client_for, note):
    day = DevDay.create(user=world.agent_a, week_start=MONDAY, minutes=30)
    Activity.create(dev_day=day, kind="docs", minutes=30, note=note)
    rows = rows_of(client_for(world.agent_a).get("/me/export.csv"))
    assert rows[1][4] == "'" + note


def test_both_downloads_are_audited(world, client_for, history):
    me = client_for(world.agent_a)
    me.get("/me/export.csv")
    me.get("/me/export.json")
    events = list(AuditEvent.select().where(AuditEvent.action == "own_data_export")
                  .order_by(AuditEvent.id))
    assert [(e.actor_id, e.target_type, e.target_id, e.detail) for e in events] == [
        (world.agent_a.id, "user", world.agent_a.id, "format=csv"),
        (world.agent_a.id, "user", world.agent_a.id, "format=json")]


def test_json_holds_all_of_the_persons_own_data(world, client_for, history):
    response = client_for(world.agent_a).get("/me/export.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["profile"]["email"] == world.agent_a.email
    assert data["profile"]["team"] == "Team A"
    assert data["profile"]["weekly_dev_hours"] == 8
    assert [g["title"] for g in data["goals"]] == ["=Learn SQL"]
    weeks = data["dev_days"]
    assert [w["week"] for w in weeks] == ["2026-W10", "2026-W11"]
    first = weeks[0]
    assert (first["plan"], first["planned_on"], first["rating"], first["minutes"]) == (
        "Course day", "2026-03-05", 4, 150)
    assert first["goal_ids"] == [history.id]
    assert [a["note"] for a in first["activities"]] == ["SQL course, part 1",
                                                        "=HYPERLINK(\"x\")"]
    assert "NOT-MINE-CANARY" not in response.get_data(as_text=True)


def test_json_leaves_out_private_notes_and_unshared_coaching(world, client_for, history):
    cycle = ReviewCycle.ensure_for(MONDAY)
    meeting = OneOnOne.create(person=world.agent_a, lead=world.lead_a, held_on=MONDAY,
                              shared_notes="Shared: practise SQL",
                              private_notes="PRIVATE-CANARY")
    ActionItem.create(person=world.agent_a, one_on_one=meeting, owner=world.agent_a,
                      text="Book the course")
    Review.create(person=world.agent_a, cycle=cycle, lead=world.lead_a, status="draft",
                  self_assessment="My own words", notes="DRAFT-LEAD-CANARY")
    body = client_for(world.agent_a).get("/me/export.json").get_data(as_text=True)
    data = json.loads(body)
    assert "PRIVATE-CANARY" not in body and "DRAFT-LEAD-CANARY" not in body
    assert data["one_on_ones"] == [{"held_on": "2026-03-02",
                                    "shared_notes": "Shared: practise SQL"}]
    assert data["action_items"][0]["text"] == "Book the course"
    assert data["reviews"][0]["self_assessment"] == "My own words"
    Review.update(status="shared").execute()
    shared = json.loads(client_for(world.agent_a).get("/me/export.json").get_data(
        as_text=True))
    assert shared["reviews"][0]["notes"] == "DRAFT-LEAD-CANARY"


def test_the_lead_does_not_get_the_persons_export(world, client_for, history):
    body = client_for(world.lead_a).get("/me/export.json").get_data(as_text=True)
    assert "SQL course" not in body and json.loads(body)["dev_days"] == []
    assert len(rows_of(client_for(world.lead_a).get("/me/export.csv"))) == 1
