"""Goals: set for the current and next cycle, edited by the owner, read by their lead."""

import re
from datetime import date, timedelta

import pytest
from playhouse.test_utils import count_queries

from growth.goals import service
from growth.goals.service import GoalError
from growth.integrity import StaleEdit
from growth.models import Activity, DevDay, Goal, ReviewCycle
from growth.weeks import monday_of


def text(response):
    return response.get_data(as_text=True)


def cycles():
    current = ReviewCycle.ensure_for(date.today())
    return current, ReviewCycle.ensure_for(current.ends_on + timedelta(days=1))


def past_cycle():
    current = ReviewCycle.ensure_for(date.today())
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
    two_ahead = ReviewCycle.ensure_for(following.ends_on + timedelta(days=1))
    for cycle in (past_cycle(), two_ahead):
        with pytest.raises(GoalError) as caught:
            service.create_goal(world.agent_a, title="Elsewhen", cycle_id=cycle.id)
        assert (caught.value.field, str(caught.value)) == (
            "cycle_id", "Goals can be set for the current and the next cycle.")
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
        service.edit_goal(world.lead_a, goal, version=1, title="Changed")
    service.edit_goal(world.agent_a, goal, version=1, title="Changed", why="Because",
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


def test_goal_page_shows_the_hours_and_activities_linked(world, client_for, today):
    me = client_for(world.agent_a)
    goal = Goal.create(owner=world.agent_a, cycle=cycles()[0], title="Tier 2")
    week = monday_of(today)
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
                                                "cycle_id": str(goal.cycle_id), "version": 1})
    assert ok.status_code == 302 and Goal.get_by_id(goal.id).title == "New"
    bad = me.post(f"/goals/{goal.id}/edit", data={"title": "x" * 201, "why": "Kept",
                                                 "cycle_id": str(goal.cycle_id), "version": 2})
    assert bad.status_code == 422 and "Kept" in text(bad)
    assert Goal.get_by_id(goal.id).title == "New"


def test_who_may_read_and_edit_a_goal(world, client_for):
    goal = Goal.create(owner=world.agent_a, cycle=cycles()[0], title="Secret plan")
    edit = {"title": "Hijacked", "cycle_id": str(goal.cycle_id), "version": 1}
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
    today = date.today()
    person = make_user("agent", hired_on=today - timedelta(weeks=weeks + 2))
    current = cycles()[0]
    goals = [Goal.create(owner=person, cycle=current, title=f"Goal {n}") for n in range(3)]
    for n in range(weeks):
        day = DevDay.create(user=person, week_start=monday_of(today) - timedelta(weeks=n + 1),
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


# One-time keys and versions ----------------------------------------------------------------

def _hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" type="hidden" value="([^"]+)"', page).group(1)


def test_a_double_clicked_goal_makes_one_goal_and_both_get_its_page(world, client_for):
    me = client_for(world.agent_a)
    key = _hidden(text(me.get("/goals")), "submission")
    form = {"title": "Learn SQL", "why": "Reports", "success": "", "submission": key,
            "cycle_id": str(cycles()[0].id)}
    first, second = me.post("/goals", data=form), me.post("/goals", data=form)
    goal = Goal.get()
    assert first.status_code == second.status_code == 302
    assert first.location == second.location and first.location.endswith(f"/goals/{goal.id}")
    assert Goal.select().count() == 1 and goal.submission == key
    assert me.post("/goals", data={**form, "submission": "another-key-1"}).status_code == 302
    assert Goal.select().count() == 2


def test_a_goal_form_without_its_key_is_refused_with_the_input_kept(world, client_for):
    me = client_for(world.agent_a)
    for key in ("", "short", "x" * 65, "bad key\x7f"):
        response = me.post("/goals", data={"title": "Kept title", "submission": key,
                                           "cycle_id": str(cycles()[0].id)})
        assert response.status_code == 422
        page = text(response)
        assert "Kept title" in page and "send it again" in page
        assert len(_hidden(page, "submission")) >= 32  # a new key to send it with
    assert Goal.select().count() == 0


def test_someone_elses_key_never_finds_their_goal(world, ctx):
    current = cycles()[0].id
    mine = service.create_goal(world.agent_a, title="Mine", cycle_id=current,
                               submission="shared-key-123")
    theirs = service.create_goal(world.agent_a2, title="Theirs", cycle_id=current,
                                 submission="shared-key-123")
    assert theirs.id != mine.id and theirs.owner_id == world.agent_a2.id
    again = service.create_goal(world.agent_a, title="Mine, again", cycle_id=current,
                                submission="shared-key-123")
    assert again.id == mine.id and Goal.select().count() == 2


def test_a_stale_goal_form_answers_409_and_keeps_both_texts(world, client_for):
    goal = Goal.create(owner=world.agent_a, cycle=cycles()[0], title="Tier 2",
                       why="First tab's reason")
    first, second = client_for(world.agent_a), client_for(world.agent_a)
    version = _hidden(text(first.get(f"/goals/{goal.id}")), "version")
    assert _hidden(text(second.get(f"/goals/{goal.id}")), "version") == version == "1"
    edit = {"title": "Tier 2", "success": "", "cycle_id": str(goal.cycle_id),
            "version": version}
    assert first.post(f"/goals/{goal.id}/edit",
                      data={**edit, "why": "Escalations need it"}).status_code == 302
    stale = second.post(f"/goals/{goal.id}/edit", data={**edit, "why": "Second tab's why"})
    assert stale.status_code == 409
    page = text(stale)
    assert "changed after you opened it" in page
    assert "Escalations need it" in page  # what is saved now
    assert "Second tab&#39;s why" in page  # what they typed, still in the form
    assert _hidden(page, "version") == "2"
    saved = Goal.get_by_id(goal.id)
    assert (saved.why, saved.version) == ("Escalations need it", 2)
    # Having seen both, saving again is deliberate.
    assert second.post(f"/goals/{goal.id}/edit", data={
        **edit, "why": "Both reasons", "version": "2"}).status_code == 302
    assert Goal.get_by_id(goal.id).why == "Both reasons"


def test_a_double_clicked_goal_save_is_not_a_conflict(world, client_for):
    goal = Goal.create(owner=world.agent_a, cycle=cycles()[0], title="Old")
    me = client_for(world.agent_a)
    edit = {"title": "New", "why": "w", "success": "", "cycle_id": str(goal.cycle_id),
            "version": "1"}
    assert me.post(f"/goals/{goal.id}/edit", data=edit).status_code == 302
    assert me.post(f"/goals/{goal.id}/edit", data=edit).status_code == 302
    assert Goal.get_by_id(goal.id).version == 2


@pytest.mark.parametrize("version", ["", "abc", "0", "-1", "99999999999999999999"])
def test_a_goal_edit_without_a_usable_version_is_refused(world, client_for, version):
    goal = Goal.create(owner=world.agent_a, cycle=cycles()[0], title="Old")
    response = client_for(world.agent_a).post(f"/goals/{goal.id}/edit", data={
        "title": "New", "cycle_id": str(goal.cycle_id), "version": version})
    assert response.status_code == 422
    assert "Reload the page and try again." in text(response)
    assert Goal.get_by_id(goal.id).title == "Old"


def test_the_goal_version_check_is_one_update(world, ctx):
    goal = service.create_goal(world.agent_a, title="Mine", cycle_id=cycles()[0].id)
    service.edit_goal(world.agent_a, goal, version=1, title="One")
    with pytest.raises(StaleEdit) as caught:
        service.edit_goal(world.agent_a, goal, version=1, title="Two")
    assert caught.value.row.title == "One" and caught.value.row.version == 2
    assert Goal.get_by_id(goal.id).title == "One"
