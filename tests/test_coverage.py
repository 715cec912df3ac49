"""Coverage: a team's limit of people off on the same weekday, the refusal naming the days
with room, counts for members and names for the lead, and exactly one winner of the last
free slot under concurrent planning."""

from datetime import date, timedelta

import pytest
from playhouse.test_utils import count_queries

from growth.coverage import service as coverage
from growth.dev_days import service
from growth.integrity import StaleEdit
from growth.models import AuditEvent, DevDay, Role, Team
from growth.weeks import monday_of, week_label

NEXT_MONDAY = monday_of(date.today()) + timedelta(weeks=1)
TUESDAY = NEXT_MONDAY + timedelta(days=1)
LABEL = week_label(NEXT_MONDAY)


def _limit(team, n):
    Team.update(max_off_per_day=n).where(Team.id == team.id).execute()


def _plan(person, day, text="Docs"):
    version = (DevDay.select(DevDay.version)
               .where(DevDay.user == person.id, DevDay.week_start == NEXT_MONDAY).scalar() or 1)
    service.plan_week(person, NEXT_MONDAY, version=version, day=day, plan=text)


def test_a_full_weekday_is_refused_naming_the_days_with_room(world, make_user):
    _limit(world.team_a, 2)
    third = make_user(Role.AGENT, team=world.team_a, name="Agent A3")
    _plan(world.agent_a, TUESDAY)
    _plan(world.agent_a2, TUESDAY)
    with pytest.raises(service.DayError) as refused:
        _plan(third, TUESDAY)
    message = str(refused.value)
    assert refused.value.field == "day"
    assert message.startswith("Tuesday is full: 2 of your team")
    assert "Monday, Wednesday, Thursday, Friday" in message
    assert not DevDay.select().where(DevDay.user == third.id).exists()
    _plan(third, TUESDAY + timedelta(days=1))  # another day is accepted
    _plan(world.agent_b, TUESDAY)  # another team is not counted


def test_the_leads_own_plan_counts_and_skips_do_not(world):
    _limit(world.team_a, 1)
    _plan(world.lead_a, TUESDAY)
    with pytest.raises(service.DayError):
        _plan(world.agent_a, TUESDAY)
    service.skip_week(world.lead_a, NEXT_MONDAY, reason="away")
    _plan(world.agent_a, TUESDAY)


def test_moving_ones_own_plan_within_a_full_week_is_fine(world):
    _limit(world.team_a, 1)
    _plan(world.agent_a, TUESDAY)
    _plan(world.agent_a, TUESDAY, text="Docs, again")  # re-saving doesn't count oneself


def test_no_limit_means_no_refusal(world, make_user):
    for _n in range(4):
        _plan(make_user(Role.AGENT, team=world.team_a), TUESDAY)


def test_the_lead_sets_the_limit_for_their_team_only(world):
    coverage.set_limit(world.lead_a, world.team_a, version=world.team_a.version, limit=3)
    assert Team.get_by_id(world.team_a.id).max_off_per_day == 3
    assert AuditEvent.get(AuditEvent.action == "coverage_limit_changed").target_id == \
        world.team_a.id
    with pytest.raises(PermissionError):
        coverage.set_limit(world.lead_b, world.team_a, version=2, limit=1)
    with pytest.raises(coverage.CoverageError):
        coverage.set_limit(world.lead_a, world.team_a, version=2, limit=51)
    with pytest.raises(StaleEdit):
        coverage.set_limit(world.lead_a, world.team_a, version=1, limit=1)
    coverage.set_limit(world.lead_a, world.team_a, version=2, limit=None)
    assert Team.get_by_id(world.team_a.id).max_off_per_day is None


def test_the_settings_page(world, client_for):
    lead = client_for(world.lead_a)
    page = lead.get("/team/settings")
    assert page.status_code == 200
    assert "Team A" in page.get_data(as_text=True) and "Team B" not in page.get_data(as_text=True)
    answer = lead.post("/team/settings", data={"team_id": world.team_a.id, "version": 1,
                                               "max_off_per_day": "2"})
    assert answer.status_code == 302
    assert Team.get_by_id(world.team_a.id).max_off_per_day == 2
    stale = lead.post("/team/settings", data={"team_id": world.team_a.id, "version": 1,
                                              "max_off_per_day": "3"})
    assert stale.status_code == 409
    bad = lead.post("/team/settings", data={"team_id": world.team_a.id, "version": 2,
                                            "max_off_per_day": "0"})
    assert bad.status_code == 422
    # Another lead's team: 404; an agent: 403.
    other = client_for(world.lead_b).post("/team/settings", data={
        "team_id": world.team_a.id, "version": 2, "max_off_per_day": "1"})
    assert other.status_code == 404
    assert client_for(world.agent_a).get("/team/settings").status_code == 403
    assert Team.get_by_id(world.team_a.id).max_off_per_day == 2


def test_the_week_page_shows_counts_to_members_and_names_to_the_lead(world, client_for):
    _limit(world.team_a, 2)
    _plan(world.agent_a2, TUESDAY)
    _plan(world.lead_a, TUESDAY)
    agent_page = client_for(world.agent_a).get(f"/week/{LABEL}").get_data(as_text=True)
    assert "2 of 2 off" in agent_page and "Full" in agent_page
    assert "Agent A2" not in agent_page and "Lead A" not in agent_page.split("coverage")[1]
    lead_page = client_for(world.lead_a).get(f"/week/{LABEL}").get_data(as_text=True)
    assert "Agent A2" in lead_page
    refused = client_for(world.agent_a).post(f"/week/{LABEL}/plan", data={
        "day": TUESDAY.isoformat(), "plan": "Docs", "version": 1})
    assert refused.status_code == 422
    assert "Tuesday is full" in refused.get_data(as_text=True)


def test_the_team_page_shows_this_and_next_weeks_strip(world, client_for):
    _plan(world.agent_a2, TUESDAY)
    page = client_for(world.lead_a).get("/team").get_data(as_text=True)
    assert page.count('class="data coverage-grid"') == 1
    assert "Agent A2" in page.split("coverage-grid")[1]


def test_the_refusal_speaks_spanish(world, make_user):
    from flask_babel import force_locale

    _limit(world.team_a, 1)
    _plan(world.agent_a, TUESDAY)
    with force_locale("es"), pytest.raises(service.DayError) as refused:
        _plan(world.agent_a2, TUESDAY)
    assert "martes" in str(refused.value)


def test_the_week_page_costs_two_more_queries_whatever_the_team_size(world, client_for,
                                                                     make_user):
    counts = []
    for extra in (0, 30):
        for _ in range(extra):
            _plan(make_user(Role.AGENT, team=world.team_a), TUESDAY)
        client = client_for(world.agent_a)
        client.get(f"/week/{LABEL}")
        with count_queries() as counter:
            client.get(f"/week/{LABEL}")
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
