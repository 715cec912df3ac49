"""The employment record: HR and admin edit it; leaving ends sign-in; bad dates change nothing."""

from datetime import date, timedelta

import pytest

from growth.hr import service
from growth.models import AuditEvent, Team, User


def fresh(user):
    return User.get_by_id(user.id)


def form(person, **changes):
    data = {"hired_on": person.hired_on.isoformat(),
            "left_on": person.left_on.isoformat() if person.left_on else "",
            "leave_reason": person.leave_reason or "",
            "team_id": str(person.team_id or ""),
            "version": str(User.get_by_id(person.id).version)}
    data.update(changes)
    return data


@pytest.mark.parametrize("who", ["hr", "admin"])
def test_hr_and_admin_open_the_people_list_and_a_record(world, client_for, who):
    client = client_for(getattr(world, who))
    listing = client.get("/hr/people")
    assert listing.status_code == 200
    assert f"/hr/people/{world.agent_a.id}" in listing.get_data(as_text=True)
    page = client.get(f"/hr/people/{world.agent_a.id}")
    assert page.status_code == 200
    assert 'name="left_on"' in page.get_data(as_text=True)


@pytest.mark.parametrize("who", ["agent_a", "lead_a"])
def test_others_may_not_open_or_change_a_record(world, client_for, who):
    client = client_for(getattr(world, who))
    assert client.get("/hr/people").status_code == 403
    assert client.get(f"/hr/people/{world.agent_a.id}").status_code == 403
    answer = client.post(f"/hr/people/{world.agent_a.id}",
                         data=form(world.agent_a, left_on="2020-02-01",
                                   leave_reason="voluntary"))
    assert answer.status_code == 403
    assert fresh(world.agent_a).left_on is None


def test_an_unknown_person_is_404(world, client_for):
    assert client_for(world.hr).get("/hr/people/99999").status_code == 404


def test_search_finds_people_by_name_or_email(world, client_for):
    client = client_for(world.hr)
    html = client.get("/hr/people", query_string={"q": "Agent A2"}).get_data(as_text=True)
    assert "Agent A2" in html and "Lead B" not in html
    html = client.get("/hr/people", query_string={"q": world.lead_b.email.upper()}
                      ).get_data(as_text=True)
    assert "Lead B" in html and "Agent A2" not in html


def test_hr_moves_someone_to_another_team(world, client_for):
    version = world.agent_a.session_version
    answer = client_for(world.hr).post(f"/hr/people/{world.agent_a.id}",
                                       data=form(world.agent_a, team_id=str(world.team_b.id)))
    assert answer.status_code == 302
    person = fresh(world.agent_a)
    assert person.team_id == world.team_b.id
    assert person.session_version == version + 1
    actions = [e.action for e in AuditEvent.select().where(AuditEvent.target_id == person.id)]
    assert "employment_updated" in actions and "team_changed" in actions


def test_a_past_last_day_ends_sign_in_and_sessions(world, client_for, today):
    agent_client = client_for(world.agent_a)
    assert agent_client.get("/").status_code == 200
    last_day = today - timedelta(days=1)
    answer = client_for(world.hr).post(
        f"/hr/people/{world.agent_a.id}",
        data=form(world.agent_a, left_on=last_day.isoformat(), leave_reason="voluntary"))
    assert answer.status_code == 302
    person = fresh(world.agent_a)
    assert (person.left_on, person.leave_reason, person.active) == (last_day, "voluntary",
                                                                   False)
    assert not person.can_sign_in()
    assert person.session_version == world.agent_a.session_version + 1
    assert agent_client.get("/").status_code == 302  # the old session is gone
    event = AuditEvent.get((AuditEvent.action == "employment_updated")
                           & (AuditEvent.target_id == person.id))
    assert event.detail == "changed=left_on,leave_reason" and event.actor_id == world.hr.id
    assert AuditEvent.select().where(AuditEvent.action == "user_deactivated").count() == 1


def test_a_leaving_lead_no_longer_leads_the_team(world, today):
    service.update_employment(world.hr, world.lead_a, version=1,
                              hired_on=world.lead_a.hired_on,
                              left_on=today - timedelta(days=3), leave_reason="other",
                              team_id=world.team_a.id)
    assert Team.get_by_id(world.team_a.id).lead_id is None


def test_a_future_last_day_keeps_sign_in_until_then(world, client_for, today):
    client_for(world.hr).post(
        f"/hr/people/{world.agent_a.id}",
        data=form(world.agent_a, left_on=(today + timedelta(days=30)).isoformat(),
                  leave_reason="involuntary"))
    person = fresh(world.agent_a)
    assert person.left_on == today + timedelta(days=30) and person.can_sign_in()
    assert person.session_version == world.agent_a.session_version


def test_clearing_the_last_day_lets_them_sign_in_again(world, today):
    service.update_employment(world.hr, world.agent_a, version=1,
                              hired_on=world.agent_a.hired_on,
                              left_on=today - timedelta(days=1), leave_reason="voluntary",
                              team_id=world.team_a.id)
    service.update_employment(world.hr, fresh(world.agent_a), version=2,
                              hired_on=world.agent_a.hired_on, left_on=None,
                              leave_reason=None, team_id=world.team_a.id)
    assert fresh(world.agent_a).can_sign_in()


@pytest.mark.parametrize("changes, field, message", [
    ({"left_on": "2019-12-31", "leave_reason": "voluntary"}, "left_on",
     "can&#39;t be before the hire date"),
    ({"left_on": "2024-01-01", "leave_reason": ""}, "leave_reason", "Choose why they left"),
    ({"leave_reason": "voluntary"}, "leave_reason", "only for someone with a last day"),
    ({"hired_on": "2024-02-30"}, "hired_on", "Enter a real date, written YYYY-MM-DD."),
    ({"hired_on": ""}, "hired_on", "This field is required"),
    ({"team_id": "99999"}, "team_id", "Not a valid choice"),
    ({"leave_reason": "fired"}, "leave_reason", "Not a valid choice"),
])
def test_bad_input_is_refused_with_a_field_message(world, client_for, changes, field,
                                                   message):
    before = fresh(world.agent_a)
    answer = client_for(world.hr).post(f"/hr/people/{world.agent_a.id}",
                                       data=form(world.agent_a, **changes))
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert f'id="{field}-errors"' in html and message in html
    for name, value in changes.items():
        if value:
            assert f'value="{value}"' in html or name in ("leave_reason", "team_id")
    after = fresh(world.agent_a)
    assert (after.hired_on, after.left_on, after.leave_reason, after.team_id) == (
        before.hired_on, before.left_on, before.leave_reason, before.team_id)
    assert not AuditEvent.select().where(AuditEvent.action == "employment_updated").exists()


def test_the_post_needs_its_csrf_token(world, client_for):
    answer = client_for(world.hr).post(
        f"/hr/people/{world.agent_a.id}", csrf=False,
        data=form(world.agent_a, left_on="2024-01-01", leave_reason="voluntary"))
    assert answer.status_code == 400
    assert fresh(world.agent_a).left_on is None


def test_saving_without_changes_writes_nothing(world):
    service.update_employment(world.hr, world.agent_a, version=1,
                              hired_on=world.agent_a.hired_on,
                              left_on=None, leave_reason=None, team_id=world.team_a.id)
    assert not AuditEvent.select().where(AuditEvent.action == "employment_updated").exists()
    assert fresh(world.agent_a).hired_on == date(2020, 1, 6)
