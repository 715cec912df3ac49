"""The admin area: accounts, teams, review cycles, the audit log."""

from datetime import date

import pytest

from growth.models import AuditEvent, ReviewCycle, Team, User


def events(action):
    return list(AuditEvent.select().where(AuditEvent.action == action))


@pytest.mark.parametrize("path", ["/admin/users", "/admin/users/new", "/admin/teams",
                                  "/admin/cycles"])
@pytest.mark.parametrize("who", ["agent_a", "lead_a", "hr"])
def test_admin_pages_are_for_admins(world, client_for, path, who):
    assert client_for(getattr(world, who)).get(path).status_code == 403


def test_audit_log_is_for_hr_and_admin(world, client_for):
    assert client_for(world.hr).get("/admin/audit").status_code == 200
    assert client_for(world.admin).get("/admin/audit").status_code == 200
    assert client_for(world.lead_a).get("/admin/audit").status_code == 403
    assert client_for(world.agent_a).get("/admin/audit").status_code == 403


def test_admin_posts_are_refused_to_others(world, client_for):
    response = client_for(world.hr).post(f"/admin/users/{world.agent_a.id}", data={
        "name": "x", "email": "x@example.com", "role": "admin", "hired_on": "2020-01-01",
        "weekly_dev_hours": "8", "version": "1"})
    assert response.status_code == 403
    assert User.get_by_id(world.agent_a.id).role == "agent"


def test_create_account_gives_a_set_password_link(world, client_for, app):
    admin = client_for(world.admin)
    response = admin.post("/admin/users/new", data={
        "name": "New Person", "email": "New.Person@Example.com", "role": "agent",
        "team_id": str(world.team_a.id), "hired_on": "2026-01-05", "weekly_dev_hours": "6"})
    assert response.status_code == 200
    person = User.by_email("new.person@example.com").get()
    assert (person.team_id, person.weekly_dev_hours, person.password_hash) == (
        world.team_a.id, 6, "")
    page = response.get_data(as_text=True)
    assert "http://localhost/set-password/" in page
    assert len(events("user_created")) == 1
    assert len(events("set_password_link_created")) == 1


@pytest.mark.parametrize("field, value, message", [
    ("email", "not-an-email", "Enter an email address"),
    ("email", "AGENT3@example.com", "already has that email"),
    ("weekly_dev_hours", "41", "between 0 and 40"),
    ("hired_on", "2026-02-30", "Enter a real date, written YYYY-MM-DD."),
    ("role", "superuser", "Not a valid choice"),
    ("name", "Bad\u202eName", "invisible control characters"),
])
def test_bad_account_input_changes_nothing(world, client_for, field, value, message):
    data = {"name": "Someone", "email": "someone@example.com", "role": "agent",
            "team_id": "", "hired_on": "2026-01-05", "weekly_dev_hours": "8", field: value}
    before = User.select().count()
    response = client_for(world.admin).post("/admin/users/new", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert User.select().count() == before


def test_role_change_is_audited_and_ends_their_sessions(world, client_for):
    agent_client = client_for(world.agent_a)
    assert agent_client.get("/").status_code == 200
    response = client_for(world.admin).post(f"/admin/users/{world.agent_a.id}", data={
        "name": world.agent_a.name, "email": world.agent_a.email, "role": "lead",
        "team_id": str(world.team_a.id), "hired_on": "2020-01-06", "weekly_dev_hours": "8",
        "version": "1"})
    assert response.status_code == 302
    assert User.get_by_id(world.agent_a.id).role == "lead"
    assert [e.detail for e in events("role_changed")] == ["agent->lead"]
    assert agent_client.get("/").status_code == 302


def test_mass_assignment_is_ignored(world, client_for):
    client_for(world.admin).post(f"/admin/users/{world.agent_a.id}", data={
        "name": "Renamed", "email": world.agent_a.email, "role": "agent", "team_id": "",
        "hired_on": "2020-01-06", "weekly_dev_hours": "8", "session_version": "99", "version": "1",
        "password_hash": "x", "active": "0"})
    person = User.get_by_id(world.agent_a.id)
    assert person.name == "Renamed"
    assert person.password_hash == world.agent_a.password_hash and person.active


def test_deactivate_keeps_the_data_and_blocks_sign_in(world, client_for):
    agent_client = client_for(world.agent_a)
    response = client_for(world.admin).post(
        f"/admin/users/{world.agent_a.id}/deactivate",
        data={"left_on": date.today().isoformat(), "leave_reason": "voluntary"})
    assert response.status_code == 302
    person = User.get_by_id(world.agent_a.id)
    assert (person.active, person.left_on, person.leave_reason) == (
        False, date.today(), "voluntary")
    assert agent_client.get("/").status_code == 302
    assert len(events("user_deactivated")) == 1


def test_leaving_before_hiring_is_refused(world, client_for):
    response = client_for(world.admin).post(
        f"/admin/users/{world.agent_a.id}/deactivate",
        data={"left_on": "2019-01-01", "leave_reason": "voluntary"})
    assert response.status_code == 422
    assert "before the hire date" in response.get_data(as_text=True)
    assert User.get_by_id(world.agent_a.id).active


def test_reset_password_gives_a_link_and_keeps_the_password_until_it_is_used(world,
                                                                           client_for):
    response = client_for(world.admin).post(f"/admin/users/{world.agent_a.id}/reset-password")
    assert response.status_code == 200
    assert "/set-password/" in response.get_data(as_text=True)
    person = User.get_by_id(world.agent_a.id)
    assert person.password_hash == world.agent_a.password_hash
    assert not person.must_change_password
    assert len(events("password_reset")) == 1


def test_teams_create_rename_and_choose_a_lead(world, client_for, make_user):
    admin = client_for(world.admin)
    new_lead = make_user("lead", name="New Lead")
    assert admin.post("/admin/teams", data={"name": "Billing", "lead_id": str(new_lead.id)}
                      ).status_code == 302
    team = Team.get(Team.name == "Billing")
    assert team.lead_id == new_lead.id
    response = admin.post(f"/admin/teams/{team.id}", data={"name": "Billing & Accounts",
                                                           "lead_id": "", "version": "1"})
    assert response.status_code == 302
    team = Team.get_by_id(team.id)
    assert (team.name, team.lead_id) == ("Billing & Accounts", None)
    assert admin.get("/admin/teams").status_code == 200


def test_team_rules(world, client_for):
    admin = client_for(world.admin)
    duplicate = admin.post("/admin/teams", data={"name": "team a", "lead_id": ""})
    assert duplicate.status_code == 422
    assert "already a team" in duplicate.get_data(as_text=True)
    not_a_lead = admin.post("/admin/teams", data={"name": "Other",
                                                  "lead_id": str(world.agent_a.id)})
    assert not_a_lead.status_code == 422
    assert Team.select().count() == 2


def test_cycles_never_overlap(world, client_for):
    admin = client_for(world.admin)
    ok = admin.post("/admin/cycles", data={"name": "2030 H1", "starts_on": "2030-01-01",
                                           "ends_on": "2030-06-30"})
    assert ok.status_code == 302
    overlap = admin.post("/admin/cycles", data={"name": "Odd", "starts_on": "2030-06-01",
                                                "ends_on": "2030-12-31"})
    assert overlap.status_code == 422
    assert "overlap" in overlap.get_data(as_text=True)
    backwards = admin.post("/admin/cycles", data={"name": "Back", "starts_on": "2031-06-01",
                                                  "ends_on": "2031-01-01"})
    assert backwards.status_code == 422
    assert [c.name for c in ReviewCycle.select()] == ["2030 H1"]


def test_default_cycle_fills_the_gap_around_admin_cycles(app):
    ReviewCycle.create(name="Custom", starts_on=date(2030, 1, 1), ends_on=date(2030, 3, 31))
    cycle = ReviewCycle.ensure_for(date(2030, 5, 1))
    assert (cycle.starts_on, cycle.ends_on) == (date(2030, 4, 1), date(2030, 6, 30))
    assert ReviewCycle.ensure_for(date(2030, 5, 2)).id == cycle.id


def test_audit_log_filters_by_action_and_person(world, client_for):
    admin = client_for(world.admin)
    admin.post(f"/admin/users/{world.agent_a.id}/reset-password")
    admin.post(f"/admin/users/{world.agent_b.id}/reset-password")
    for person in (world.agent_b.email, world.agent_b.name):
        page = client_for(world.hr).get("/admin/audit", query_string={
            "action": "password_reset", "person": person}).get_data(as_text=True)
        rows = page.split("<tbody>")[1]
        assert "Password reset by an admin" in rows
        assert world.agent_b.name in rows
        assert world.agent_a.name not in rows


def test_audit_log_is_append_only(world, db):
    from growth import audit

    event = audit.record("something", actor=world.admin)
    with pytest.raises(Exception, match="append-only"), db.atomic():
        AuditEvent.update(action="changed").where(AuditEvent.id == event.id).execute()
    with pytest.raises(Exception, match="append-only"), db.atomic():
        AuditEvent.delete().where(AuditEvent.id == event.id).execute()


# One-time keys and versions ----------------------------------------------------------------

NEW_ACCOUNT = {"name": "New Starter", "email": "new.starter@example.com", "role": "agent",
               "team_id": "", "hired_on": "2026-01-05", "weekly_dev_hours": "8"}


@pytest.mark.parametrize(("path", "form", "model"), [
    ("/admin/users/new", NEW_ACCOUNT, User),
    ("/admin/teams", {"name": "Billing", "lead_id": ""}, Team),
    ("/admin/cycles", {"name": "2031 H1", "starts_on": "2031-01-01", "ends_on": "2031-06-30"},
     ReviewCycle),
])
def test_a_double_clicked_admin_form_makes_one_row(world, client_for, path, form, model):
    admin = client_for(world.admin)
    before = model.select().count()
    key = "admin-form-key-0001"
    first = admin.post(path, data={**form, "submission": key})
    second = admin.post(path, data={**form, "submission": key})
    if model is User:
        # The first answer shows the new account's set-password link; the repeat makes no
        # second account and no second link, and goes to the account that was made.
        made = User.get(User.submission == key)
        assert first.status_code == 200 and "/set-password/" in first.get_data(as_text=True)
        assert second.status_code == 302
        assert second.location.endswith(f"/admin/users/{made.id}")
    else:
        assert first.status_code == second.status_code == 302
        assert first.location == second.location
    assert model.select().count() == before + 1
    assert model.get(model.submission == key)
    # Without its key the form is refused, the input kept, and nothing is made.
    refused = admin.post(path, data={**form, "submission": ""})
    assert refused.status_code == 422 and "send it again" in refused.get_data(as_text=True)
    assert model.select().count() == before + 1


def test_a_repeated_account_form_does_not_show_a_new_password(world, client_for):
    admin = client_for(world.admin)
    form = {**NEW_ACCOUNT, "submission": "account-form-key-1"}
    admin.post("/admin/users/new", data=form)
    admin.get("/admin/users")  # the first answer's message is read
    page = admin.post("/admin/users/new", data=form, follow_redirects=True).get_data(
        as_text=True)
    assert "already made the account of New Starter" in page
    assert "/set-password/" not in page
    assert "set-password link got lost" in page and User.select().where(
        User.email == "new.starter@example.com").count() == 1


def test_a_stale_account_form_answers_409_and_keeps_both(world, client_for):
    admin = client_for(world.admin)
    path = f"/admin/users/{world.agent_a.id}"
    form = {"name": world.agent_a.name, "email": world.agent_a.email, "role": "agent",
            "team_id": str(world.team_a.id), "hired_on": "2020-01-06",
            "weekly_dev_hours": "8", "version": "1"}
    assert admin.post(path, data={**form, "weekly_dev_hours": "4"}).status_code == 302
    stale = admin.post(path, data={**form, "name": "Renamed In Tab Two"})
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "changed after you opened it" in page and "Renamed In Tab Two" in page
    assert 'name="version" type="hidden" value="2"' in page
    person = User.get_by_id(world.agent_a.id)
    assert (person.name, person.weekly_dev_hours) == (world.agent_a.name, 4)


def test_hr_and_admin_edits_of_one_person_never_overwrite_each_other(world, client_for):
    hr_form = {"hired_on": "2020-01-06", "left_on": "", "leave_reason": "",
               "team_id": str(world.team_b.id), "version": "1"}
    admin_form = {"name": world.agent_a.name, "email": world.agent_a.email, "role": "agent",
                  "team_id": str(world.team_a.id), "hired_on": "2020-01-06",
                  "weekly_dev_hours": "8", "version": "1"}
    assert client_for(world.hr).post(f"/hr/people/{world.agent_a.id}",
                                     data=hr_form).status_code == 302
    response = client_for(world.admin).post(f"/admin/users/{world.agent_a.id}",
                                            data={**admin_form, "weekly_dev_hours": "6"})
    assert response.status_code == 409
    assert "Team B" in response.get_data(as_text=True)  # what HR saved, shown
    assert User.get_by_id(world.agent_a.id).team_id == world.team_b.id


def test_a_deactivation_makes_an_open_employment_form_stale(world, client_for):
    admin = client_for(world.admin)
    assert admin.post(f"/admin/users/{world.agent_a.id}/deactivate", data={
        "left_on": "2026-01-30", "leave_reason": "voluntary"}).status_code == 302
    stale = client_for(world.hr).post(f"/hr/people/{world.agent_a.id}", data={
        "hired_on": "2020-01-06", "left_on": "", "leave_reason": "",
        "team_id": str(world.team_a.id), "version": "1"})
    assert stale.status_code == 409
    assert User.get_by_id(world.agent_a.id).left_on == date(2026, 1, 30)


def test_a_stale_team_form_answers_409(world, client_for):
    admin = client_for(world.admin)
    path = f"/admin/teams/{world.team_a.id}"
    form = {"name": "Team A", "lead_id": str(world.lead_a.id), "version": "1"}
    assert admin.post(path, data={**form, "name": "Team Apple"}).status_code == 302
    stale = admin.post(path, data={**form, "lead_id": ""})
    assert stale.status_code == 409 and "Team Apple" in stale.get_data(as_text=True)
    assert Team.get_by_id(world.team_a.id).lead_id == world.lead_a.id
    assert admin.post(path, data={**form, "name": "Team Apple"}).status_code == 302  # a repeat
    assert admin.post(path, data={k: v for k, v in form.items() if k != "version"}
                      ).status_code == 422


def test_a_double_clicked_role_change_is_audited_once(world, client_for):
    admin = client_for(world.admin)
    form = {"name": world.agent_a.name, "email": world.agent_a.email, "role": "lead",
            "team_id": str(world.team_a.id), "hired_on": "2020-01-06",
            "weekly_dev_hours": "8", "version": "1"}
    for _ in range(2):
        assert admin.post(f"/admin/users/{world.agent_a.id}", data=form).status_code == 302
    assert len(events("role_changed")) == 1 and len(events("user_updated")) == 1
    person = User.get_by_id(world.agent_a.id)
    assert (person.version, person.session_version) == (2, world.agent_a.session_version + 1)


# Finding people, reading the audit log -------------------------------------------------------

def _rows(page: str) -> str:
    return page.split("<tbody>")[1].split("</tbody>")[0]


def test_people_can_be_searched_by_name_or_email(world, client_for, make_user):
    make_user(name="Zoë 100% Sure", email="zoe@example.com")
    admin = client_for(world.admin)
    page = admin.get("/admin/users").get_data(as_text=True)
    assert 'name="q"' in page and world.agent_b.name in _rows(page)
    by_name = _rows(admin.get("/admin/users?q=agent+a").get_data(as_text=True))
    assert world.agent_a.name in by_name and world.agent_a2.name in by_name
    assert world.agent_b.name not in by_name and world.lead_a.name not in by_name
    by_email = _rows(admin.get("/admin/users", query_string={
        "q": world.lead_b.email.upper()}).get_data(as_text=True))
    assert world.lead_b.name in by_email and world.lead_a.name not in by_email
    literal = _rows(admin.get("/admin/users?q=100%25").get_data(as_text=True))
    assert "Zoë 100% Sure" in literal and world.agent_a.name not in literal
    nobody = admin.get("/admin/users?q=nobody-here").get_data(as_text=True)
    assert "No one matches “nobody-here”." in nobody
    assert 'value="nobody-here"' in nobody


@pytest.mark.parametrize("who", ["agent_a", "lead_a", "hr"])
def test_searching_people_is_for_admins(world, client_for, who):
    assert client_for(getattr(world, who)).get("/admin/users?q=a").status_code == 403


def test_the_audit_log_names_events_and_people(world, client_for):
    admin = client_for(world.admin)
    admin.post(f"/admin/users/{world.agent_a.id}/reset-password")
    client_for(world.agent_b).get(f"/team/{world.agent_a.id}")  # refused: an agent
    page = client_for(world.hr).get("/admin/audit").get_data(as_text=True)
    rows = _rows(page)
    assert "Password reset by an admin" in rows and "Access refused" in rows
    assert world.agent_a.name in rows and world.admin.name in rows
    assert "user #" not in rows and "authz_denied" not in rows
    assert "<code>" not in rows
    options = page.split('<select name="action"')[1].split("</select>")[0]
    assert ">Password reset by an admin</option>" in options
    assert ">Access refused</option>" in options
    assert 'value="authz_denied"' in options and ">authz_denied<" not in options


def test_the_audit_log_reads_in_spanish(world, client_for):
    client_for(world.admin).post(f"/admin/users/{world.agent_a.id}/reset-password")
    world.hr.locale = "es"
    world.hr.save()
    page = client_for(world.hr).get("/admin/audit").get_data(as_text=True)
    assert "Contraseña restablecida por un administrador" in _rows(page)
    assert world.agent_a.name in _rows(page)
    options = page.split('<select name="action"')[1].split("</select>")[0]
    assert ">Contraseña restablecida por un administrador</option>" in options


def test_a_team_is_named_in_the_audit_log(world, client_for):
    from growth import audit

    audit.record("team_updated", world.team_b, actor=world.admin)
    rows = _rows(client_for(world.admin).get("/admin/audit").get_data(as_text=True))
    assert "Team changed" in rows and world.team_b.name in rows and "team #" not in rows


def test_every_recorded_audit_event_has_a_readable_name():
    import re
    from pathlib import Path

    from growth.labels import AUDIT_ACTIONS

    source = "\n".join(path.read_text() for path in Path("growth").rglob("*.py"))
    recorded = set(re.findall(r'record\(\s*"([a-z_]+)"', source))
    recorded |= set(re.findall(r'action="([a-z_]+)"', source))
    recorded |= set(re.findall(r'throttled="([a-z_]+)"', source))
    recorded |= {f"hr_export_{report}" for report in ("retention", "employees")}
    assert len(recorded) > 30
    assert recorded <= set(AUDIT_ACTIONS)


def test_audit_log_appears_once_in_the_navigation(world, client_for):
    for reader in (world.admin, world.hr):
        page = client_for(reader).get("/admin/audit").get_data(as_text=True)
        assert page.count(">Audit log</a>") == 1
