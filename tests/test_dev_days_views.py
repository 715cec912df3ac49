"""The week page, history and their forms over HTTP: what a person sees and may do."""

import re
from datetime import date, timedelta

import pytest
from playhouse.test_utils import count_queries

from growth.models import Activity, DevDay, DevDayGoal, Goal, ReviewCycle
from growth.weeks import monday_of, week_label

# The weeks around today, set afresh for each test by `current_weeks` (read once at import,
# they would be last week's for a test that runs after a Sunday midnight).
THIS_WEEK = LAST_WEEK = NEXT_WEEK = None


@pytest.fixture(autouse=True)
def current_weeks():
    global THIS_WEEK, LAST_WEEK, NEXT_WEEK
    THIS_WEEK = monday_of(date.today())
    LAST_WEEK = THIS_WEEK - timedelta(weeks=1)
    NEXT_WEEK = THIS_WEEK + timedelta(weeks=1)


def url(monday, action=""):
    return f"/week/{week_label(monday)}" + (f"/{action}" if action else "")


def text(response):
    return response.get_data(as_text=True)


@pytest.fixture
def agent(world):
    return world.agent_a


@pytest.fixture
def me(agent, client_for):
    return client_for(agent)


def goal_of(user, title="Learn SQL", day=None):
    return Goal.create(owner=user, cycle=ReviewCycle.ensure_for(day or date.today()),
                       title=title)


def week_row(user, monday=None):
    return DevDay.for_week(user, monday or THIS_WEEK).first()


# The week page --------------------------------------------------------------------------

def test_home_is_the_current_week_with_every_form(me):
    page = text(me.get("/"))
    assert "My week" in page
    for action in ("plan", "activities", "skip"):
        assert f'action="{url(THIS_WEEK, action)}"' in page
    assert 'list="minute-picks"' in page and '<option value="240">' in page
    assert "<progress" in page and 'max="480"' in page
    assert 'rel="prev"' in page and 'rel="next"' in page
    assert "You can rate the day once something is logged." in page


@pytest.mark.parametrize("week", ["2026-W99", "2025-W53", "abc", "2026-W00", "2026-w48",
                                  "26-W01"])
def test_a_week_that_is_not_an_iso_week_is_404(me, week):
    assert me.get(f"/week/{week}").status_code == 404
    assert me.post(f"/week/{week}/activities", data={"kind": "docs",
                                                     "minutes": "60"}).status_code == 404
    assert DevDay.select().count() == 0


def test_2026_has_a_week_53(me):
    assert me.get("/week/2026-W53").status_code == 200


def test_logging_redirects_back_ready_for_the_next_entry(me, agent):
    response = me.post(url(THIS_WEEK, "activities"),
                       data={"kind": "learning", "minutes": "60", "note": "Course"})
    assert response.status_code == 302
    assert "added=1" in response.location  # no #fragment: it would cancel autofocus
    page = text(me.get(response.location))
    assert re.search(r'<select[^>]*autofocus[^>]*name="kind"', page)
    assert "Logged 1 h." in page
    assert 'value="60"' in page and "Course" in page
    assert 'value="learning" selected' in page or 'selected value="learning"' in page
    assert week_row(agent).minutes == 60


def test_the_bar_shows_the_total_against_the_target(me, agent, make_user, client_for):
    for minutes in ("240", "240"):
        me.post(url(THIS_WEEK, "activities"), data={"kind": "docs", "minutes": minutes})
    page = text(me.get("/"))
    assert re.search(r'<progress[^>]*max="480"[^>]*value="480"', page)
    assert "8 h of 8 h" in page and "Target reached" in page
    part_timer = make_user("agent", weekly_dev_hours=4)
    assert 'max="240"' in text(client_for(part_timer).get("/"))


def test_a_rejected_log_keeps_the_input_and_changes_nothing(me, agent):
    response = me.post(url(THIS_WEEK, "activities"), data={
        "kind": "docs", "minutes": "721", "note": "Kept <b>note</b>",
        "link": "javascript:alert(1)"})
    assert response.status_code == 422
    page = text(response)
    assert "Enter the minutes, from 1 to 720." in page
    assert "Enter a web address starting with http:// or https://." in page
    assert "Kept &lt;b&gt;note&lt;/b&gt;" in page and "<b>note</b>" not in page
    assert 'aria-invalid="true"' in page
    assert DevDay.select().count() == 0 and Activity.select().count() == 0


@pytest.mark.parametrize("minutes", ["", "abc", "0", "1.5", "-1"])
def test_bad_minutes_are_a_field_error(me, minutes):
    response = me.post(url(THIS_WEEK, "activities"), data={"kind": "docs", "minutes": minutes})
    assert response.status_code == 422
    assert 'id="minutes-errors"' in text(response)
    assert Activity.select().count() == 0


def test_the_week_cap_is_a_message_next_to_minutes(me, agent):
    for _ in range(3):
        me.post(url(THIS_WEEK, "activities"), data={"kind": "docs", "minutes": "720"})
    response = me.post(url(THIS_WEEK, "activities"), data={"kind": "docs", "minutes": "300"})
    assert response.status_code == 422
    assert "A week holds at most 40 h." in text(response)
    assert week_row(agent).minutes == 2160


def test_a_future_week_refuses_logging_with_a_message(me):
    response = me.post(url(NEXT_WEEK, "activities"), data={"kind": "docs", "minutes": "60"})
    assert response.status_code == 422
    assert "hasn" in text(response) and "started yet" in text(response)
    assert DevDay.select().count() == 0


def test_weeks_before_hire_refuse_logging(make_user, client_for):
    person = make_user("agent", hired_on=LAST_WEEK + timedelta(days=5))  # last Saturday
    client = client_for(person)
    before = LAST_WEEK - timedelta(weeks=1)
    response = client.post(url(before, "activities"), data={"kind": "docs", "minutes": "60"})
    assert response.status_code == 422 and "before you joined" in text(response)
    assert DevDay.select().count() == 0
    # The week holding the hire date can be logged.
    assert client.post(url(LAST_WEEK, "activities"), data={
        "kind": "docs", "minutes": "60"}).status_code == 302


def goal_errors(response) -> str:
    """The text of the error list tied to the activity form's goal field ('' if none)."""
    found = re.search(r'<ul class="field-errors" id="goal_id-errors">(.*?)</ul>',
                      text(response), re.S)
    return re.sub(r"<[^>]+>", " ", found.group(1)).strip() if found else ""


@pytest.mark.parametrize("has_goals", [False, True], ids=["no goals", "own goals"])
def test_a_goal_that_is_not_ones_own_is_a_field_error(me, world, agent, has_goals):
    # Without goals of their own the goal field is not offered; a refused goal_id is still
    # told to the person, not answered with a bare 422.
    if has_goals:
        goal_of(agent, "My own goal")
    theirs = goal_of(world.agent_a2)
    messages = {str(theirs.id): "Choose one of your own goals.",
                "999999": "Choose one of your own goals.",
                "abc": "Invalid Choice: could not coerce."}
    for goal_id, message in messages.items():
        response = me.post(url(THIS_WEEK, "activities"), data={
            "kind": "docs", "minutes": "60", "goal_id": goal_id})
        assert response.status_code == 422, goal_id
        assert goal_errors(response) == message, goal_id
    assert Activity.select().count() == 0


def test_plan_prefills_from_the_last_plan_so_a_repeat_is_one_click(me, agent):
    goal = goal_of(agent, "Tier 2", day=LAST_WEEK)
    response = me.post(url(LAST_WEEK, "plan"), data={"version": "1",
        "day": (LAST_WEEK + timedelta(days=4)).isoformat(), "plan": "Finish the course",
        "goal_ids": [str(goal.id)]})
    assert response.status_code == 422  # last week is over: plans are for now and ahead
    last = DevDay.create(user=agent, week_start=LAST_WEEK, planned_on=LAST_WEEK +
                         timedelta(days=4), plan="Finish the course")
    DevDayGoal.create(dev_day=last, goal=goal)
    page = text(me.get("/"))
    assert "Day and goals as in your last plan" in page
    # The words are offered in the empty box (typing replaces them), not typed into it.
    assert 'placeholder="Finish the course"' in page
    assert "Finish the course</textarea>" not in page
    assert f'value="{(THIS_WEEK + timedelta(days=4)).isoformat()}"' in page
    assert f'name="goal_ids" value="{goal.id}" checked' in page
    assert 'name="repeat" value="1"' in page
    # One click: "Use my last plan" posts what the page holds with the box left empty.
    response = me.post(url(THIS_WEEK, "plan"), data={"version": "1", "repeat": "1",
        "day": (THIS_WEEK + timedelta(days=4)).isoformat(), "plan": "",
        "goal_ids": [str(goal.id)]})
    assert response.status_code == 302
    this = week_row(agent)
    assert this.plan == "Finish the course"
    assert [link.goal_id for link in DevDayGoal.select().where(
        DevDayGoal.dev_day == this.id)] == [goal.id]


def test_what_is_typed_over_the_last_plan_is_the_new_plan(me, agent):
    DevDay.create(user=agent, week_start=LAST_WEEK, planned_on=LAST_WEEK, plan="Old words")
    response = me.post(url(THIS_WEEK, "plan"), data={"version": "1", "day": THIS_WEEK,
                                                      "plan": "New words"})
    assert response.status_code == 302 and week_row(agent).plan == "New words"
    page = text(me.get("/"))
    assert "New words</textarea>" in page and "placeholder=" not in page.split(
        'name="plan"')[1].split(">")[0]
    assert 'name="repeat"' not in page  # this week has its own plan now


def test_a_last_plan_without_words_offers_no_button(me, agent):
    DevDay.create(user=agent, week_start=LAST_WEEK, planned_on=LAST_WEEK, plan="")
    page = text(me.get("/"))
    assert "Day and goals as in your last plan" in page and 'name="repeat"' not in page


def test_plan_rules_answer_422_with_the_message_on_the_form(me, agent):
    too_far = THIS_WEEK + timedelta(weeks=13)
    response = me.post(url(too_far, "plan"), data={"version": "1", "day": too_far.isoformat(),
                                                   "plan": "x"})
    assert response.status_code == 422 and "12 weeks ahead" in text(response)
    outside = me.post(url(THIS_WEEK, "plan"), data={"version": "1",
        "day": (THIS_WEEK + timedelta(days=7)).isoformat(), "plan": "Kept plan"})
    assert outside.status_code == 422
    assert "Pick a day inside this week" in text(outside) and "Kept plan" in text(outside)
    long = me.post(url(THIS_WEEK, "plan"), data={"version": "1", "day": THIS_WEEK.isoformat(),
                                                 "plan": "x" * 2001})
    assert long.status_code == 422
    assert DevDay.select().count() == 0
    ahead = THIS_WEEK + timedelta(weeks=12)
    assert me.post(url(ahead, "plan"), data={"version": "1",
                                             "day": ahead.isoformat()}).status_code == 302


def test_a_double_submitted_plan_makes_one_row(me, agent):
    data = {"day": THIS_WEEK.isoformat(), "plan": "Docs", "version": "1"}
    assert me.post(url(THIS_WEEK, "plan"), data=data).status_code == 302
    assert me.post(url(THIS_WEEK, "plan"), data=data).status_code == 302
    assert DevDay.select().where(DevDay.user == agent.id).count() == 1


def test_skip_and_take_back(me, agent):
    response = me.post(url(THIS_WEEK, "skip"), data={"reason": "away", "note": "Holiday"})
    assert response.status_code == 302
    page = text(me.get("/"))
    assert "Away (holiday, sickness or leave)" in page and "Holiday" in page
    assert me.post(url(THIS_WEEK, "take-back")).status_code == 302
    assert week_row(agent).status == "planned"


def test_away_is_refused_once_something_is_logged(me, agent):
    me.post(url(THIS_WEEK, "activities"), data={"kind": "docs", "minutes": "60"})
    response = me.post(url(THIS_WEEK, "skip"), data={"reason": "away", "note": "Kept"})
    assert response.status_code == 422
    assert "can't be marked as away" in text(response).replace("&#39;", "'")
    assert week_row(agent).status == "logged"
    assert me.post(url(THIS_WEEK, "skip"), data={"reason": "nap"}).status_code == 422


def test_rating_after_logging(me, agent):
    early = me.post(url(THIS_WEEK, "rating"), data={"rating": "3"})
    assert early.status_code == 422 and "once something is" in text(early)
    me.post(url(THIS_WEEK, "activities"), data={"kind": "docs", "minutes": "60"})
    page = text(me.get("/"))
    for label in ("Rough", "Fine", "Better than fine", "Amazing"):
        assert label in page
    assert me.post(url(THIS_WEEK, "rating"), data={"rating": "4"}).status_code == 302
    assert week_row(agent).rating == 4
    for bad in ("5", "0", "x", ""):
        assert me.post(url(THIS_WEEK, "rating"), data={"rating": bad}).status_code == 422
    assert week_row(agent).rating == 4


def test_edit_and_delete_an_activity(me, agent):
    me.post(url(THIS_WEEK, "activities"), data={"kind": "docs", "minutes": "60"})
    activity = Activity.get()
    assert me.get(f"/activities/{activity.id}/edit").status_code == 200
    bad = me.post(f"/activities/{activity.id}/edit", data={"kind": "docs", "minutes": "999",
                                                          "note": "kept", "version": "1"})
    assert bad.status_code == 422 and "kept" in text(bad)
    ok = me.post(f"/activities/{activity.id}/edit", data={"kind": "coding", "minutes": "90",
                                                         "note": "SQL", "version": "1"})
    assert ok.status_code == 302
    assert week_row(agent).minutes == 90 and Activity.get().kind == "coding"
    assert me.post(f"/activities/{activity.id}/delete").status_code == 302
    assert week_row(agent).minutes == 0 and Activity.select().count() == 0


def test_text_is_shown_escaped(me):
    me.post(url(THIS_WEEK, "activities"), data={
        "kind": "docs", "minutes": "60", "note": "<script>alert(1)</script>",
        "link": "https://example.com/?q=<x>"})
    page = text(me.get("/"))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_posts_without_csrf_are_refused(me):
    response = me.post(url(THIS_WEEK, "activities"), data={"kind": "docs", "minutes": "60"},
                       csrf=False)
    assert response.status_code == 400
    assert Activity.select().count() == 0


# Whose week -----------------------------------------------------------------------------

def test_another_person_can_not_touch_someone_elses_activity(world, client_for):
    owner = client_for(world.agent_a)
    owner.post(url(THIS_WEEK, "activities"), data={"kind": "docs", "minutes": "60"})
    activity = Activity.get()
    for person in (world.agent_a2, world.agent_b, world.lead_a, world.lead_b, world.hr,
                   world.admin):
        other = client_for(person)
        assert other.get(f"/activities/{activity.id}/edit").status_code == 404
        assert other.post(f"/activities/{activity.id}/edit", data={
            "kind": "docs", "minutes": "720", "version": "1"}).status_code == 404
        assert other.post(f"/activities/{activity.id}/delete").status_code == 404
    assert Activity.get().minutes == 60 and week_row(world.agent_a).minutes == 60


def test_a_week_url_is_always_the_signed_in_persons_own(world, client_for):
    owner = client_for(world.agent_a)
    owner.post(url(THIS_WEEK, "activities"), data={"kind": "docs", "minutes": "60",
                                                   "note": "Private detail"})
    other = client_for(world.agent_a2)
    page = text(other.get(url(THIS_WEEK)))
    assert "Private detail" not in page and "Nothing logged yet." in page
    other.post(url(THIS_WEEK, "activities"), data={"kind": "docs", "minutes": "30"})
    assert week_row(world.agent_a).minutes == 60
    assert week_row(world.agent_a2).minutes == 30


def test_signed_out_people_are_sent_to_sign_in(client):
    for path in ("/", url(THIS_WEEK), "/history", "/me/export.csv"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location


# History --------------------------------------------------------------------------------

def seed_weeks(user, statuses, end=None):
    """One week per status, oldest first, ending at `end` (default: last week)."""
    end = end or LAST_WEEK
    monday = end - timedelta(weeks=len(statuses) - 1)
    for status in statuses:
        minutes = {"taken": 480, "partly": 120}.get(status, 0)
        skip = {"away": "away", "workload": "workload"}.get(status)
        day = DevDay.create(user=user, week_start=monday, minutes=minutes, skip_reason=skip,
                            status="skipped" if skip else ("logged" if minutes else "planned"))
        if minutes:
            Activity.create(dev_day=day, kind="learning" if status == "taken" else "docs",
                            minutes=minutes)
        monday += timedelta(weeks=1)


def test_history_shows_statuses_chart_totals_and_streak(world, make_user, client_for):
    person = make_user("agent", hired_on=THIS_WEEK - timedelta(weeks=10))
    seed_weeks(person, ["taken", "nothing", "taken", "away", "partly", "workload", "taken",
                        "away", "taken", "partly"])
    page = text(client_for(person).get("/history"))
    for label in ("Taken", "Partly taken", "Lost to workload", "Away", "Nothing logged"):
        assert label in page
    assert '<svg class="chart-plot"' in page and 'role="img"' in page
    # One bar per week with time or a status; weeks before the hire draw nothing.
    assert page.count('<rect class="bar') == 9
    assert "The chart as a table" in page
    # Streak: partly, taken, (away pauses), taken, then workload breaks it.
    assert re.search(r'stat-value">3 weeks</p>\s*<p class="stat-label">Current streak', page)
    assert re.search(r'stat-value">3 weeks</p>\s*<p class="stat-label">Longest streak', page)
    assert "Courses, talks, books and articles" in page  # totals by kind
    assert "32 h" in page and "36 h" in page  # learning: 4 taken weeks; all: + 2 × 2 h


def test_history_filters_by_kind(make_user, client_for):
    person = make_user("agent", hired_on=THIS_WEEK - timedelta(weeks=3))
    seed_weeks(person, ["taken", "partly"])
    client = client_for(person)
    docs = text(client.get("/history?kind=docs"))
    assert re.search(r"<td class=\"num\">2 h</td>", docs)
    assert not re.search(r"<td class=\"num\">8 h</td>", docs.split("Time by kind")[0])
    learning = text(client.get("/history?kind=learning"))
    assert re.search(r"<td class=\"num\">8 h</td>", learning)
    assert client.get("/history?kind=nonsense").status_code == 200


def legend_of(page):
    legend = re.search(r'<ul class="legend chart-legend"[^>]*>(.*?)</ul>', page, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", item).strip() for item in re.findall(r"<li>(.*?)</li>", legend)]


def stat(page, label):
    return re.search(rf'stat-value">([^<]*)</p>\s*<p class="stat-label">{label}', page).group(1)


def test_the_kind_filter_changes_the_figures_and_drops_the_target(make_user, client_for):
    person = make_user("agent", hired_on=THIS_WEEK - timedelta(weeks=6))
    # learning in the two older weeks, docs in the three newer ones.
    seed_weeks(person, ["taken", "taken", "partly", "partly", "partly"])
    client = client_for(person)
    everything = text(client.get("/history"))
    assert stat(everything, "Current streak") == "5 weeks"
    assert stat(everything, "Logged in all") == "22 h"
    assert 'class="target"' in everything
    assert legend_of(everything) == ["Taken", "Partly taken", "Your target: 8 h"]

    docs = text(client.get("/history?kind=docs"))
    assert stat(docs, "Current streak") == "3 weeks"
    assert stat(docs, "Longest streak") == "3 weeks"
    assert stat(docs, "Logged in all") == "6 h"
    assert "Counting Writing or updating documentation only." in docs
    # The 8 h target is for the whole day, not for one kind: no line, no legend entry.
    assert 'class="target"' not in docs and "Your target" not in docs
    assert legend_of(docs) == ["Writing or updating documentation"]
    assert docs.count('<rect class="bar bar-kind"') == 3

    learning = text(client.get("/history?kind=learning"))
    assert stat(learning, "Current streak") == "0 weeks"
    assert stat(learning, "Longest streak") == "2 weeks"
    assert stat(learning, "Logged in all") == "16 h"


def test_the_legend_lists_only_what_the_chart_draws(make_user, client_for):
    person = make_user("agent", hired_on=THIS_WEEK - timedelta(weeks=4))
    seed_weeks(person, ["taken", "partly"])
    page = text(client_for(person).get("/history"))
    assert legend_of(page) == ["Taken", "Partly taken", "Your target: 8 h"]
    assert "bar-workload" not in page.split("chart-legend")[0]

    other = make_user("agent", hired_on=THIS_WEEK - timedelta(weeks=4))
    seed_weeks(other, ["workload", "away", "taken"])
    page = text(client_for(other).get("/history"))
    assert legend_of(page) == ["Taken", "Lost to workload", "Away", "Your target: 8 h"]
    # A week without time still draws its mark on the axis, so each entry has one.
    for series in ("taken", "workload", "away"):
        bar = re.search(rf'<rect class="bar bar-{series}"[^>]*height="([\d.]+)"', page)
        assert bar and float(bar.group(1)) > 0, series


def test_current_week_without_time_does_not_break_the_streak(make_user, client_for):
    person = make_user("agent", hired_on=THIS_WEEK - timedelta(weeks=3))
    seed_weeks(person, ["taken", "taken"])
    page = text(client_for(person).get("/history"))
    assert "In progress" in page
    assert re.search(r'stat-value">2 weeks</p>\s*<p class="stat-label">Current streak', page)


# Queries --------------------------------------------------------------------------------

def _history_of(make_user, weeks: int):
    person = make_user("agent", hired_on=THIS_WEEK - timedelta(weeks=weeks + 1))
    goal = goal_of(person, day=LAST_WEEK)
    rows = [{"user": person.id, "week_start": LAST_WEEK - timedelta(weeks=n), "minutes": 120,
             "status": "logged", "planned_on": LAST_WEEK - timedelta(weeks=n), "plan": "p",
             "rating": 3} for n in range(weeks)]
    DevDay.insert_many(rows).execute()
    days = list(DevDay.select().where(DevDay.user == person.id))
    Activity.insert_many([{"dev_day": d.id, "kind": "docs", "minutes": 60, "goal": goal.id}
                          for d in days for _ in range(2)]).execute()
    DevDayGoal.insert_many([{"dev_day": d.id, "goal": goal.id} for d in days]).execute()
    day = DevDay.create(user=person, week_start=THIS_WEEK, minutes=60, status="logged")
    Activity.create(dev_day=day, kind="docs", minutes=60, goal=goal)
    return person


def _queries(client, path):
    with count_queries() as counter:
        assert client.get(path).status_code == 200
    return counter.count


@pytest.mark.parametrize("path", ["/", "/week/{last}", "/history", "/history?kind=docs"])
def test_pages_cost_the_same_queries_for_1_and_100_weeks(make_user, client_for, path):
    path = path.format(last=week_label(LAST_WEEK))
    short = _queries(client_for(_history_of(make_user, 1)), path)
    long = _queries(client_for(_history_of(make_user, 100)), path)
    assert short == long
    assert long <= 8


def test_history_lists_a_year_and_offers_the_rest(make_user, client_for):
    person = make_user("agent", hired_on=THIS_WEEK - timedelta(weeks=80))
    client = client_for(person)
    short = text(client.get("/history"))
    assert short.count('<tr>\n        <th scope="row"><a href="/week/') == 52
    assert "Show all weeks" in short
    full = text(client.get("/history?all=1"))
    assert full.count('<tr>\n        <th scope="row"><a href="/week/') == 81
    assert "Show all weeks" not in full


def test_weeks_outside_the_rules_say_why_instead_of_offering_forms(make_user, client_for):
    person = make_user("agent", hired_on=THIS_WEEK)
    client = client_for(person)
    before = text(client.get(url(THIS_WEEK - timedelta(weeks=5))))
    assert "before you joined" in before
    assert f'action="{url(THIS_WEEK - timedelta(weeks=5), "activities")}"' not in before
    ahead = THIS_WEEK + timedelta(weeks=20)
    far = text(client.get(url(ahead)))
    assert "up to 12 weeks ahead" in far
    assert f'action="{url(ahead, "plan")}"' not in far


# One-time keys and versions -------------------------------------------------------------

def _hidden(page: str, name: str, form_action: str) -> str:
    form = page[page.index(f'action="{form_action}"'):]
    return re.search(rf'name="{name}" type="hidden" value="([^"]+)"', form).group(1)


def test_a_double_clicked_activity_is_logged_once_and_both_clicks_land_on_the_week(me, agent):
    page = text(me.get("/"))
    key = _hidden(page, "submission", url(THIS_WEEK, "activities"))
    form = {"kind": "docs", "minutes": "45", "note": "Refund macro", "submission": key}
    first = me.post(url(THIS_WEEK, "activities"), data=form)
    second = me.post(url(THIS_WEEK, "activities"), data=form)
    assert first.status_code == second.status_code == 302
    assert first.location == second.location
    assert Activity.select().count() == 1 and week_row(agent).minutes == 45
    # The page after it carries a new key: the next activity is a new one.
    next_key = _hidden(text(me.get("/")), "submission", url(THIS_WEEK, "activities"))
    assert next_key != key


def test_an_activity_posted_without_a_key_is_refused_with_the_input_kept(me):
    response = me.post(url(THIS_WEEK, "activities"), data={
        "kind": "docs", "minutes": "45", "note": "Kept note", "submission": ""})
    assert response.status_code == 422
    page = text(response)
    assert "Kept note" in page and "send it again" in page
    assert _hidden(page, "submission", url(THIS_WEEK, "activities"))
    assert Activity.select().count() == 0


def test_a_stale_activity_form_answers_409_with_what_is_saved(me, agent):
    me.post(url(THIS_WEEK, "activities"), data={"kind": "docs", "minutes": "60",
                                                "note": "Original"})
    activity = Activity.get()
    path = f"/activities/{activity.id}/edit"
    version = _hidden(text(me.get(path)), "version", path)
    assert me.post(path, data={"kind": "docs", "minutes": "90", "note": "First tab",
                               "version": version}).status_code == 302
    stale = me.post(path, data={"kind": "coding", "minutes": "30", "note": "Second tab",
                                "version": version})
    assert stale.status_code == 409
    page = text(stale)
    assert "changed after you opened it" in page
    assert "First tab" in page and "Second tab" in page
    assert _hidden(page, "version", path) == "2"
    saved = Activity.get()
    assert (saved.note, saved.minutes) == ("First tab", 90) and week_row(agent).minutes == 90


def test_a_stale_plan_form_answers_409_with_what_is_saved(me, agent):
    page = text(me.get("/"))
    version = _hidden(page, "version", url(THIS_WEEK, "plan"))
    assert version == "1"
    plan = {"day": THIS_WEEK.isoformat(), "version": version}
    assert me.post(url(THIS_WEEK, "plan"), data={**plan, "plan": "Tab one"}).status_code == 302
    stale = me.post(url(THIS_WEEK, "plan"), data={**plan, "plan": "Tab two"})
    assert stale.status_code == 409
    assert "Tab one" in text(stale) and "Tab two" in text(stale)
    assert _hidden(text(stale), "version", url(THIS_WEEK, "plan")) == "2"
    assert week_row(agent).plan == "Tab one"
    assert me.post(url(THIS_WEEK, "plan"), data={**plan, "plan": "x"}).status_code == 409
    assert me.post(url(THIS_WEEK, "plan"), data={"day": THIS_WEEK.isoformat(),
                                                 "plan": "x"}).status_code == 422


def test_the_week_page_writes_every_date_one_way(agent, me):
    monday = date(2026, 11, 30)
    DevDay.create(user=agent, week_start=monday, planned_on=monday + timedelta(days=3),
                  plan="Read the new billing docs")
    page = text(me.get(url(monday)))
    assert "30 Nov – 6 Dec 2026" in page
    assert "Planned for Thursday, 3 Dec 2026." in page
    assert "December" not in page and "Dec 3," not in page


def test_a_week_across_the_year_end_names_both_years(agent, me):
    page = text(me.get(url(date(2029, 12, 31))))
    assert "31 Dec 2029 – 6 Jan 2030" in page


def test_a_rejected_plans_address_opened_again_shows_the_week(me, agent):
    response = me.post(url(THIS_WEEK, "plan"), data={"version": "1", "day": "", "plan": "x"})
    assert response.status_code == 422  # the address bar now holds the form's address
    again = me.get(url(THIS_WEEK, "plan"))
    assert again.status_code == 302 and again.headers["Location"] == "/"
    assert DevDay.select().count() == 0
