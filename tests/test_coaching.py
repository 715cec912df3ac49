"""The lead's team overview and person page: what they show, who may see them, their cost."""

import re
from datetime import date, timedelta

import pytest
from playhouse.test_utils import count_queries

from growth.coaching import queries
from growth.models import DevDay, Review, ReviewCycle, Role, User
from growth.weeks import monday_of

from .conftest import csrf_token_in


def signed_in(client_for, user):
    """A signed-in client whose posts carry the CSRF token of its own session."""
    client = client_for(user)
    client._csrf_token = csrf_token_in(client.get("/one-on-ones").get_data(as_text=True))
    return client


def week(back: int, today: date | None = None) -> date:
    return monday_of(today or date.today()) - timedelta(weeks=back)


def day(user, back, *, minutes=0, status="logged", reason=None, plan=""):
    return DevDay.create(user=user, week_start=week(back), minutes=minutes, status=status,
                         skip_reason=reason, plan=plan, planned_on=week(back) + timedelta(days=2))


def row_of(page: str, name: str) -> str:
    """The HTML of the team-grid row that starts with `name`."""
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        if f">{name}</a>" in row:
            return row
    raise AssertionError(f"no row for {name}")


def section(page: str, opening: str) -> str:
    """The HTML of the page's <section> whose opening tag holds `opening` ("" when absent)."""
    match = re.search(r"<section[^>]*" + re.escape(opening) + r"[^>]*>(.*?)</section>", page,
                      re.S)
    return match.group(1) if match else ""


# The grid's arithmetic ----------------------------------------------------------------------

def test_week_states_follow_minutes_against_the_weekly_target(world):
    agent = world.agent_a
    this_monday = monday_of(date.today())
    full = DevDay(minutes=480, status="logged")
    part = DevDay(minutes=479, status="logged")
    assert queries.week_state(agent, week(1), full, this_monday) == "taken"
    assert queries.week_state(agent, week(1), part, this_monday) == "partly"
    assert queries.week_state(agent, week(1), DevDay(status="skipped", skip_reason="workload"),
                              this_monday) == "workload"
    assert queries.week_state(agent, week(1), DevDay(status="skipped", skip_reason="away"),
                              this_monday) == "away"
    assert queries.week_state(agent, week(1), None, this_monday) == "nothing"
    assert queries.week_state(agent, week(1), DevDay(status="planned"), this_monday) == "nothing"
    assert queries.week_state(agent, week(0), DevDay(status="planned"), this_monday) == "planned"
    agent.weekly_dev_hours = 4
    assert queries.week_state(agent, week(1), DevDay(minutes=240), this_monday) == "taken"
    agent.hired_on = date.today()
    assert queries.week_state(agent, week(3), None, this_monday) == "not_employed"


def test_overview_rate_flag_and_plans(world):
    day(world.agent_a, 0, status="planned", plan="Read the billing tickets")
    day(world.agent_a, 1, minutes=480)
    day(world.agent_a, 2, minutes=120)
    day(world.agent_a, 3, status="skipped", reason="away")
    for back in (1, 2, 3):
        day(world.agent_a2, back, status="skipped", reason="workload")

    overview = queries.team_overview(world.lead_a, date.today())

    assert [t.name for t in overview.teams] == ["Team A"]
    rows = {r.person.name: r for r in overview.rows_by_team[world.team_a.id]}
    assert set(rows) == {"Agent A", "Agent A2"}  # not the lead, not team B
    a = rows["Agent A"]
    assert [c.state for c in a.cells[-4:]] == ["away", "partly", "taken", "planned"]
    assert len(a.cells) == 12
    assert (a.honoured, a.eligible) == (1, 12)  # 13 complete weeks, one of them away
    assert a.this_week.plan == "Read the billing tickets"
    assert not a.flagged
    assert rows["Agent A2"].flagged
    assert rows["Agent A2"].honoured_rate == 0


def test_two_weeks_lost_is_not_yet_a_flag(world):
    for back in (1, 2):
        day(world.agent_a2, back, status="skipped", reason="workload")
    day(world.agent_a2, 3, minutes=60)
    rows = queries.team_overview(world.lead_a, date.today()).rows_by_team[world.team_a.id]
    assert not any(r.flagged for r in rows)


def test_reviews_due_lists_ended_cycle_without_shared_review(world, make_user):
    today = date.today()
    ended = ReviewCycle.ensure_for(ReviewCycle.ensure_for(today).starts_on - timedelta(days=1))
    Review.create(person=world.agent_a, cycle=ended, lead=world.lead_a, status="shared")
    Review.create(person=world.agent_a2, cycle=ended, lead=world.lead_a, status="draft")
    newcomer = make_user(Role.AGENT, team=world.team_a, name="Newcomer", hired_on=today)

    due = queries.team_overview(world.lead_a, today).due

    assert [(d.person.name, d.cycle.name) for d in due] == [("Agent A2", ended.name)]
    assert due[0].review is not None
    assert due[0].overdue == (today > ended.ends_on + timedelta(days=30))
    assert newcomer.id not in {d.person.id for d in due}
    later = queries.team_overview(world.lead_a, ended.ends_on + timedelta(days=31)).due
    assert all(d.overdue for d in later if d.cycle.id == ended.id)


# The pages --------------------------------------------------------------------------------

def test_team_page_shows_grid_flag_and_plans(world, client_for):
    day(world.agent_a, 0, status="planned", plan="Read the billing tickets")
    for back in (1, 2, 3):
        day(world.agent_a2, back, status="skipped", reason="workload")
    page = client_for(world.lead_a).get("/team").get_data(as_text=True)
    assert "Team A" in page and "Team B" not in page
    assert "Agent B" not in page
    assert "Read the billing tickets" in row_of(page, "Agent A")
    assert "Lost to workload 3 weeks running" in row_of(page, "Agent A2")
    assert "Lost to workload 3 weeks running" not in row_of(page, "Agent A")


def test_team_page_lists_the_reviews_due_and_drops_them_once_shared(world, client_for):
    ended = ReviewCycle.ensure_for(ReviewCycle.ensure_for(date.today()).starts_on
                                   - timedelta(days=1))
    for person in (world.agent_a, world.agent_b):
        Review.create(person=person, cycle=ended, lead=person.team.lead, status="shared")
    draft = Review.create(person=world.agent_a2, cycle=ended, lead=world.lead_a)
    lead = client_for(world.lead_a)

    due = section(lead.get("/team").get_data(as_text=True), 'class="panel reviews-due"')
    items = re.findall(r"<li>(.*?)</li>", due, re.S)
    assert len(items) == 1, due
    assert f'<a href="/reviews/{draft.id}">Agent A2</a>' in items[0]
    assert ended.name in items[0] and "Self-assessment in progress" in items[0]

    Review.update(status="shared").where(Review.id == draft.id).execute()
    page = lead.get("/team").get_data(as_text=True)
    assert section(page, 'class="panel reviews-due"') == "" and "Reviews due" not in page


@pytest.mark.parametrize("role", ["agent_a", "hr", "admin"])
def test_team_pages_are_for_leads(world, client_for, role):
    client = client_for(getattr(world, role))
    assert client.get("/team").status_code == 403
    assert client.get(f"/team/{world.agent_a.id}").status_code == 403


def test_a_lead_sees_only_their_own_people(world, client_for):
    lead_b = client_for(world.lead_b)
    assert lead_b.get(f"/team/{world.agent_a.id}").status_code == 404
    assert lead_b.get(f"/team/{world.lead_a.id}").status_code == 404
    assert lead_b.get("/team/999999").status_code == 404
    lead_a = client_for(world.lead_a)
    assert lead_a.get(f"/team/{world.lead_a.id}").status_code == 404  # not their own lead
    assert lead_a.get(f"/team/{world.agent_a.id}").status_code == 200


def test_anonymous_is_sent_to_sign_in(world, client):
    response = client.get("/team")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_person_page_shows_weeks_goals_reviews(world, client_for):
    day(world.agent_a, 1, minutes=480, plan="Write the refunds article")
    cycle = ReviewCycle.ensure_for(date.today())
    from growth.models import Goal

    Goal.create(owner=world.agent_a, cycle=cycle, title="Learn SQL")
    review = Review.create(person=world.agent_a, cycle=cycle, lead=world.lead_a)
    page = client_for(world.lead_a).get(f"/team/{world.agent_a.id}").get_data(as_text=True)
    assert "Write the refunds article" in page
    assert "Learn SQL" in page
    reviews = section(page, 'id="reviews"')
    assert f'<a href="/reviews/{review.id}">{cycle.name}</a>' in reviews
    assert "No reviews yet." not in reviews
    assert "Record a one-on-one" in page


# Cost -------------------------------------------------------------------------------------

def _team_of(size, make_user, make_team):
    team = make_team(f"Size {size}")
    lead = make_user(Role.LEAD, team=team, name=f"Lead {size}")
    cycle = ReviewCycle.ensure_for(date.today())
    ended = ReviewCycle.ensure_for(cycle.starts_on - timedelta(days=1))
    people = [make_user(Role.AGENT, team=team, name=f"P{size}-{n}") for n in range(size)]
    DevDay.insert_many([
        {"user": p.id, "week_start": week(back), "minutes": (back * 60) % 600,
         "status": "logged" if back % 4 else "skipped", "skip_reason": None if back % 4
         else "workload", "plan": "plan"}
        for p in people for back in range(14)]).execute()
    Review.insert_many([{"person": p.id, "cycle": c.id, "lead": lead.id}
                        for i, p in enumerate(people) for c in (cycle, ended) if i % 2]).execute()
    return lead


def test_team_page_costs_the_same_for_3_and_60_members(app, client_for, make_user, make_team):
    counts = {}
    for size in (3, 60):
        lead = _team_of(size, make_user, make_team)
        client = client_for(lead)
        client.get("/team")  # the cycles exist from now on, as on any later visit
        with count_queries() as counter:
            response = client.get("/team")
        assert response.status_code == 200
        assert response.get_data(as_text=True).count("team-grid") == 1
        counts[size] = counter.count
    print("team page queries", counts)
    assert counts[3] == counts[60], counts
    # The grid (7), the members' ticket reviews and role-plays (3), the coverage strip (1).
    assert counts[60] <= 11


def test_people_who_left_are_not_on_the_grid(world, client_for):
    User.update(active=False, left_on=date.today() - timedelta(days=3)).where(
        User.id == world.agent_a2.id).execute()
    page = client_for(world.lead_a).get("/team").get_data(as_text=True)
    assert "Agent A2" not in page


def _history(world, meetings, weeks_from=0):
    from growth.coaching import service

    today = date.today()
    for n in range(meetings):
        service.record_one_on_one(
            world.lead_a, world.agent_a, held_on=today - timedelta(days=7 * n),
            shared_notes=f"Meeting {n}", private_notes="",
            action_items=[{"text": f"Task {n}", "owner": "person", "due_on": None},
                          {"text": f"Lead task {n}", "owner": "lead", "due_on": None}])
        service.add_agenda_item(world.agent_a, world.agent_a, f"Topic {n}")
    for back in range(weeks_from, meetings):
        day(world.agent_a, back + 1, minutes=60 * back, status="logged")


@pytest.mark.parametrize("path", ["/team/{id}", "/one-on-ones", "/reviews/{review}"])
def test_person_pages_cost_the_same_for_a_short_and_a_long_history(world, client_for, path):
    from growth.models import Goal

    cycle = ReviewCycle.ensure_for(date.today())
    review = Review.create(person=world.agent_a, cycle=cycle, lead=world.lead_a)
    viewer = world.agent_a if path == "/one-on-ones" else world.lead_a
    counts = []
    for meetings, weeks_from in ((2, 0), (12, 2)):
        _history(world, meetings, weeks_from)
        Goal.create(owner=world.agent_a, cycle=cycle, title=f"Goal {meetings}")
        client = client_for(viewer)
        url = path.format(id=world.agent_a.id, review=review.id)
        client.get(url)
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_a_lead_without_a_team_sees_an_empty_page(app, make_user, client_for):
    lead = make_user(Role.LEAD, name="New Lead")
    response = client_for(lead).get("/team")
    assert response.status_code == 200
    assert "don’t lead a team yet" in response.get_data(as_text=True)


def test_demo_has_one_on_ones_past_reviews_and_an_open_one(app):
    from growth import demo
    from growth.models import OneOnOne, Team

    demo.build()
    ana = User.by_email("agent@example.com").get()
    assert OneOnOne.select().where(OneOnOne.person == ana.id).count() >= 3
    assert OneOnOne.select().where(OneOnOne.private_notes != "").exists()
    statuses = {r.cycle.name: r.status for r in Review.select().where(Review.person == ana.id)}
    assert "acknowledged" in statuses.values() and "draft" in statuses.values()
    leo = User.by_email("lead@example.com").get()
    assert Team.get(Team.lead == leo.id).name == "Tier 1 Support"
    overview = queries.team_overview(leo, date.today())
    assert overview.due, "the demo lead has reviews due"
    assert all(r.person.id != leo.id for rows in overview.rows_by_team.values() for r in rows)
