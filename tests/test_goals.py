"""Goals: set for the current and next cycle, edited by the owner, read by their lead."""

import re
from datetime import date, timedelta

import pytest
from playhouse.test_utils import count_queries

from growth.goals import service
from growth.goals.service import GoalError
from growth.models import Activity, DevDay, Goal, ReviewCycle
from growth.weeks import monday_of

TODAY = date.today()


def text(response):
    return response.get_data(as_text=True)


def cycles():
    current = ReviewCycle.ensure_for(TODAY)
    return current, ReviewCycle.ensure_for(current.ends_on + timedelta(days=1))


def past_cycle():
    current = ReviewCycle.ensure_for(TODAY)
    return ReviewCycle.ensure_for(current.starts_on - timedelta(days=1))


# Service --------------------------------------------------------------------------------

@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield


def test_open_cycles_are_the_current_and_the_next_half_year(app, ctx):
    current, following = service.open_cycles(date(2026, 11, 23))
    assert (current.name, current.starts_on, current.ends_on) == (
        "2026 H2", date(2026, 7, 1), date(2026, 12, 31))
    assert (following.name, following.starts_on) == ("2027 H1", date(2027, 1, 1))
    assert ReviewCycle.select().count() == 2
    service.open_cycles(date(2026, 11, 24))
    assert ReviewCycle.select().count() == 2


def test_goals_for_the_current_and_next_cycle_only(world, ctx):
    current, following = cycles()
    for cycle in (current, following):
        goal = service.create_goal(world.agent_a, title=" Learn SQL ", why="w", success="s",
                                   cycle_id=cycle.id)
        assert (goal.title, goal.status, goal.owner_id) == ("Learn SQL", "open",
                                                              world.agent_a.id)
    with pytest.raises(GoalError) as caught:
        service.create_goal(world.agent_a, title="Old", cycle_id=past_cycle().id)
    assert caught.value.field == "cycle_id"
    assert Goal.select().count() == 2


@pytest.mark.parametrize(("fields", "field"), [
    ({"title": ""}, "title"), ({"title": "   "}, "title"), ({"title": "x" * 201}, "title"),
    ({"why": "x" * 2001}, "why"), ({"success": "x" * 2001}, "success")])
def test_goal_text_limits(world, ctx, fields, field):
    data = {"title": "Fine", "why": "", "success": "", **fields}
    with pytest.raises(GoalError) as caught:
        service.create_goal(world.agent_a, cycle_id=cycles()[0].id, **data)
    assert caught.value.field == field
    assert Goal.select().count() == 0


def test_only_the_owner_edits(world, ctx):
    goal = service.create_goal(world.agent_a, title="Mine", cycle_id=cycles()[0].id)
    with pytest.raises(GoalError):
        service.edit_goal(world.lead_a, goal, title="Changed")
    service.edit_goal(world.agent_a, goal, title="Changed", why="Because",
                      success="Seen", cycle_id=cycles()[1].id)
    saved = Goal.get_by_id(goal.id)
    assert (saved.title, saved.why, saved.success, saved.cycle_id) == (
        "Changed", "Because", "Seen", cycles()[1].id)


# Views ----------------------------------------------------------------------------------

def test_create_a_goal_and_see_it_by_cycle(world, client_for):
    me = client_for(world.agent_a)
    page = text(me.get("/goals"))
    current, following = cycles()
    assert f'<option selected value="{current.id}">{current.name}</option>' in page
    assert f'value="{following.id}">{following.name}</option>' in page
    response = me.post("/goals", data={"title": "Write five articles", "why": "Same questions",
                                       "success": "Published", "cycle_id": str(following.id)})
    assert response.status_code == 302
    goal = Goal.get()
    assert response.location.endswith(f"/goals/{goal.id}")
    listing = text(me.get("/goals"))
    assert following.name in listing and "Write five articles" in listing
    assert "Open" in listing


def test_a_rejected_goal_keeps_the_input(world, client_for):
    me = client_for(world.agent_a)
    past = past_cycle()
    response = me.post("/goals", data={"title": "Kept title", "why": "Kept why",
                                       "success": "", "cycle_id": str(past.id)})
    assert response.status_code == 422
    page = text(response)
    assert "Kept title" in page and "Kept why" in page
    assert "Goals can be set for the current and the next cycle." in page
    empty = me.post("/goals", data={"title": "", "cycle_id": str(cycles()[0].id)})
    assert empty.status_code == 422 and "Give the goal a title." in text(empty)
    assert me.post("/goals", data={"title": "x", "cycle_id": "abc"}).status_code == 422
    assert Goal.select().count() == 0


def test_goal_page_shows_the_hours_and_activities_linked(world, client_for):
    me = client_for(world.agent_a)
    goal = Goal.create(owner=world.agent_a, cycle=cycles()[0], title="Tier 2")
    week = monday_of(TODAY)
    for minutes, note in ((90, "Escalations"), (60, "API docs")):
        me.post(f"/week/{week.isocalendar()[0]}-W{week.isocalendar()[1]:02d}/activities",
                data={"kind": "tickets", "minutes": str(minutes), "note": note,
                      "goal_id": str(goal.id)})
    assert Activity.select().where(Activity.goal == goal.id).count() == 2
    page = text(me.get(f"/goals/{goal.id}"))
    assert "2.5 h in 2 activities" in page
    assert "Escalations" in page and "API docs" in page
    assert "Edit goal" in page
    assert "2.5 h in 2 activities" in text(me.get("/goals"))


def test_owner_edits_and_bad_edits_are_refused(world, client_for):
    me = client_for(world.agent_a)
    goal = Goal.create(owner=world.agent_a, cycle=cycles()[0], title="Old")
    ok = me.post(f"/goals/{goal.id}/edit", data={"title": "New", "why": "w", "success": "s",
                                                "cycle_id": str(goal.cycle_id)})
    assert ok.status_code == 302 and Goal.get_by_id(goal.id).title == "New"
    bad = me.post(f"/goals/{goal.id}/edit", data={"title": "x" * 201, "why": "Kept",
                                                 "cycle_id": str(goal.cycle_id)})
    assert bad.status_code == 422 and "Kept" in text(bad)
    assert Goal.get_by_id(goal.id).title == "New"


def test_who_may_read_and_edit_a_goal(world, client_for):
    goal = Goal.create(owner=world.agent_a, cycle=cycles()[0], title="Secret plan")
    edit = {"title": "Hijacked", "cycle_id": str(goal.cycle_id)}
    for person in (world.agent_a2, world.agent_b, world.lead_b, world.hr, world.admin):
        other = client_for(person)
        assert other.get(f"/goals/{goal.id}").status_code == 404
        assert other.post(f"/goals/{goal.id}/edit", data=edit).status_code == 404
        assert "Secret plan" not in text(other.get("/goals"))
    lead = client_for(world.lead_a)
    page = lead.get(f"/goals/{goal.id}")
    assert page.status_code == 200 and "Secret plan" in text(page)
    assert "Agent A" in text(page) and "Edit goal" not in text(page)
    assert lead.post(f"/goals/{goal.id}/edit", data=edit).status_code == 403
    assert client_for(world.agent_a).get("/goals/999999").status_code == 404
    assert Goal.get_by_id(goal.id).title == "Secret plan"


def _person_with_goals(make_user, weeks):
    person = make_user("agent", hired_on=TODAY - timedelta(weeks=weeks + 2))
    current = cycles()[0]
    goals = [Goal.create(owner=person, cycle=current, title=f"Goal {n}") for n in range(3)]
    for n in range(weeks):
        day = DevDay.create(user=person, week_start=monday_of(TODAY) - timedelta(weeks=n + 1),
                            minutes=120, status="logged")
        Activity.insert_many([{"dev_day": day.id, "kind": "docs", "minutes": 60,
                               "goal": goals[n % 3].id} for _ in range(2)]).execute()
    return person, goals[0]


@pytest.mark.parametrize("page", ["index", "show"])
def test_goal_pages_cost_the_same_queries_for_1_and_100_weeks(make_user, client_for, page):
    counts = []
    for weeks in (1, 100):
        person, goal = _person_with_goals(make_user, weeks)
        client = client_for(person)
        path = "/goals" if page == "index" else f"/goals/{goal.id}"
        client.get(path)  # cycles exist from here on
        with count_queries() as counter:
            response = client.get(path)
        assert response.status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]
    assert counts[1] <= 8


def test_goal_text_is_escaped(world, client_for):
    goal = Goal.create(owner=world.agent_a, cycle=cycles()[0], title="<img src=x onerror=1>",
                       why="<script>x</script>")
    page = text(client_for(world.agent_a).get(f"/goals/{goal.id}"))
    assert "<img src=x" not in page and "<script>x</script>" not in page
    assert re.search(r"&lt;img src=x onerror=1&gt;", page)
