"""The "Harden" findings on accounts: throttled password changes, no typed credentials in
the audit log, bounded throttle and audit rows, remember-me tokens that expire on the
server, set-password links instead of passwords shown to admins, a team's new lead shown to
the team, and never zero admins."""

import hashlib
import json
import re
import threading
from datetime import date, timedelta

import pytest

from growth.auth.service import account_key
from growth.models import AccountToken, AuditEvent, LoginFailure, Role, Team, User, utcnow
from growth.passwords import verify_password

from .conftest import PASSWORD
from .test_auth import sign_in

NEW_PASSWORD = "a brand new passphrase"


def audit_rows(action):
    return list(AuditEvent.select().where(AuditEvent.action == action).order_by(AuditEvent.id))


def change_password(client, current, new=NEW_PASSWORD):
    return client.post("/account/password", data={
        "current_password": current, "new_password": new, "confirm": new})


# Password changes are throttled with the sign-ins (finding 2) -----------------------------

def test_wrong_current_passwords_are_throttled_and_audited(world, client_for, client):
    agent = client_for(world.agent_a)
    for n in range(10):
        response = change_password(agent, f"guess number {n}")
        assert response.status_code == 422
        assert "not your current password" in response.get_data(as_text=True)
    refused = change_password(agent, PASSWORD)
    assert refused.status_code == 429
    assert "Too many attempts" in refused.get_data(as_text=True)
    assert verify_password(User.get_by_id(world.agent_a.id).password_hash, PASSWORD)
    assert len(audit_rows("password_change_failed")) == 10
    assert [e.target_id for e in audit_rows("password_change_throttled")] == [world.agent_a.id]
    # The same count throttles signing in to that account.
    assert sign_in(client, world.agent_a.email, PASSWORD).status_code == 429


def test_failed_sign_ins_count_against_password_changes(world, client_for, client):
    agent = client_for(world.agent_a)  # signed in before someone else tries the account
    for _ in range(10):
        assert sign_in(client, world.agent_a.email, "wrong password!!").status_code == 401
    assert change_password(agent, PASSWORD).status_code == 429


def test_a_right_current_password_is_not_counted(world, client_for):
    agent = client_for(world.agent_a)
    assert change_password(agent, PASSWORD, new="short").status_code == 422
    assert LoginFailure.select().count() == 0
    assert change_password(agent, PASSWORD).status_code == 302


# No typed text of an unknown account in the audit log (finding 4) -------------------------

def test_an_unknown_account_is_logged_as_a_keyed_hash_never_its_text(world, client,
                                                                     client_for):
    typed = "Tr0ub4dor&3-my-real-password"
    for _ in range(12):
        sign_in(client, typed, "anything at all")
    events = audit_rows("sign_in_failed") + audit_rows("sign_in_throttled")
    assert events
    key = account_key(typed)
    assert key != account_key("other@example.com")
    for event in events:
        assert typed.casefold() not in event.detail.casefold()
        assert event.detail == f"account={key}"
    assert {row.account for row in LoginFailure.select()} == {key}
    for reader in (world.admin, world.hr):
        page = client_for(reader).get("/admin/audit").get_data(as_text=True)
        assert "sign_in_failed" in page and "Tr0ub4dor" not in page


def test_the_keyed_hash_depends_on_the_secret_key(app):
    before = account_key("someone@example.com")
    app.config["SECRET_KEY"] = "another-secret-key-that-is-long-enough-9876543210"
    assert account_key("someone@example.com") != before
    assert account_key(" SomeOne@Example.com ") == account_key("someone@example.com")


# Bounded growth (finding 8) -----------------------------------------------------------------

def test_repeated_throttled_attempts_make_one_audit_row_per_account_and_window(world,
                                                                               client):
    for _ in range(62):
        sign_in(client, "nobody@example.com", "guess")
    assert len(audit_rows("sign_in_failed")) == 10
    assert len(audit_rows("sign_in_throttled")) == 1
    assert LoginFailure.select().count() == 10
    # Another account gets its own row; the next window a new one.
    for _ in range(11):
        sign_in(client, world.agent_b.email, "guess")
    assert len(audit_rows("sign_in_throttled")) == 2
    old = utcnow() - timedelta(hours=1)
    LoginFailure.update(at=old).execute()
    AuditEvent.insert(action="sign_in_throttled", at=old,
                      detail=f"account={account_key('late@example.com')}").execute()
    for _ in range(11):
        sign_in(client, "late@example.com", "guess")
    assert len(audit_rows("sign_in_throttled")) == 4


def test_throttle_rows_past_their_window_are_pruned_on_each_write(world, client):
    old = utcnow() - timedelta(minutes=16)
    LoginFailure.insert_many([{"account": f"k{i}", "address": "10.0.0.9", "at": old}
                              for i in range(50)]).execute()
    recent = utcnow() - timedelta(minutes=5)
    LoginFailure.insert(account="kept", address="10.0.0.9", at=recent).execute()
    sign_in(client, "nobody@example.com", "guess")
    assert sorted(row.account for row in LoginFailure.select()) == sorted(
        ["kept", account_key("nobody@example.com")])


# Remember-me tokens expire on the server and are new at every sign-in (finding 1) -------

def replay(app, name, value):
    thief = app.test_client()
    thief.set_cookie(name, value)
    return thief


def test_a_copied_remember_cookie_dies_at_its_stated_lifetime(world, client, app, clock):
    assert sign_in(client, world.agent_a.email, PASSWORD, remember="y").status_code == 302
    copied = client.get_cookie("remember_token").value
    clock.advance(hours=11, minutes=58)
    before_expiry = replay(app, "remember_token", copied)
    assert before_expiry.get("/").status_code == 200  # a fresh session from the cookie
    clock.advance(minutes=3)  # 12 h 1 min after signing in
    assert replay(app, "remember_token", copied).get("/").status_code == 302
    # The session the cookie started ends with it, and the cookie never starts another.
    assert before_expiry.get("/").status_code == 302
    assert replay(app, "remember_token", copied).get("/").status_code == 302


def test_a_shortened_remember_period_is_held_by_the_server(world, client, app, clock):
    app.config["REMEMBER_COOKIE_DURATION"] = timedelta(seconds=5)
    sign_in(client, world.agent_a.email, PASSWORD, remember="y")
    copied = client.get_cookie("remember_token").value
    assert replay(app, "remember_token", copied).get("/").status_code == 200
    clock.advance(seconds=6)
    assert replay(app, "remember_token", copied).get("/").status_code == 302


def test_the_remember_cookie_is_new_at_every_sign_in(world, app):
    values = set()
    for _ in range(3):
        device = app.test_client()
        sign_in(device, world.agent_a.email, PASSWORD, remember="y")
        values.add(device.get_cookie("remember_token").value)
    assert len(values) == 3
    for value in values:  # each is a working token of its own
        assert replay(app, "remember_token", value).get("/").status_code == 200


def test_a_tampered_remember_expiry_is_refused(world, client, app, clock):
    sign_in(client, world.agent_a.email, PASSWORD, remember="y")
    payload, _, digest = client.get_cookie("remember_token").value.rpartition("|")
    user_id, version, expires, nonce = payload.split(":")
    forged = f"{user_id}:{version}:{int(expires) + 86400}:{nonce}|{digest}"
    clock.advance(hours=13)
    assert replay(app, "remember_token", forged).get("/").status_code == 302


# Never zero admins (finding 7) ----------------------------------------------------------

def employment_form(person, **changes):
    data = {"hired_on": person.hired_on.isoformat(), "left_on": "", "leave_reason": "",
            "team_id": str(person.team_id or ""),
            "version": str(User.get_by_id(person.id).version)}
    data.update(changes)
    return data


def user_form(person, **changes):
    data = {"name": person.name, "email": person.email, "role": person.role,
            "team_id": str(person.team_id or ""), "hired_on": person.hired_on.isoformat(),
            "weekly_dev_hours": person.weekly_dev_hours,
            "version": str(User.get_by_id(person.id).version)}
    data.update(changes)
    return data


def assert_admin_unchanged(admin):
    fresh = User.get_by_id(admin.id)
    assert (fresh.role, fresh.active, fresh.left_on, fresh.session_version) == (
        "admin", True, None, admin.session_version)


def refused_next_to(response, field):
    """The message is in the error list tied to `field` (its id ends "<field>-errors")."""
    page = response.get_data(as_text=True)
    found = re.search(r'<ul class="field-errors" id="([\w-]*)-errors">\s*<li>([^<]*)</li>', page)
    assert found, page
    assert found[1].endswith(field) and "is the only admin" in found[2], found.group(0)


@pytest.mark.parametrize("who", ["hr", "admin"])
def test_a_past_leaving_date_on_the_only_admin_is_refused(world, client_for, who):
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    response = client_for(getattr(world, who)).post(
        f"/hr/people/{world.admin.id}",
        data=employment_form(world.admin, left_on=yesterday, leave_reason="voluntary"))
    assert response.status_code == 422
    refused_next_to(response, "left_on")
    assert_admin_unchanged(world.admin)
    assert client_for(world.admin).get("/admin/users").status_code == 200


def test_a_future_leaving_date_on_the_only_admin_is_refused_too(world, client_for):
    later = (date.today() + timedelta(days=30)).isoformat()
    response = client_for(world.hr).post(
        f"/hr/people/{world.admin.id}",
        data=employment_form(world.admin, left_on=later, leave_reason="voluntary"))
    assert response.status_code == 422
    assert_admin_unchanged(world.admin)


def test_the_only_admin_cannot_change_their_own_role(world, client_for):
    response = client_for(world.admin).post(f"/admin/users/{world.admin.id}",
                                            data=user_form(world.admin, role="lead"))
    assert response.status_code == 422
    refused_next_to(response, "role")
    assert_admin_unchanged(world.admin)


def test_the_only_admin_cannot_be_deactivated(world, client_for):
    response = client_for(world.admin).post(f"/admin/users/{world.admin.id}/deactivate", data={
        "left_on": date.today().isoformat(), "leave_reason": "voluntary"})
    assert response.status_code == 422
    refused_next_to(response, "left_on")
    assert_admin_unchanged(world.admin)


def test_with_a_second_admin_the_first_may_go(world, client_for, make_user):
    second = make_user(Role.ADMIN, name="Second Admin")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    response = client_for(world.hr).post(
        f"/hr/people/{world.admin.id}",
        data=employment_form(world.admin, left_on=yesterday, leave_reason="voluntary"))
    assert response.status_code == 302
    assert not User.get_by_id(world.admin.id).can_sign_in()
    # ...and now the second is the only one.
    response = client_for(second).post(f"/admin/users/{second.id}",
                                       data=user_form(second, role="agent"))
    assert response.status_code == 422
    assert User.get_by_id(second.id).role == "admin"


def test_an_admin_with_a_leaving_date_does_not_count(world, client_for, make_user):
    make_user(Role.ADMIN, name="Leaving Admin", left_on=date.today() + timedelta(days=3),
              leave_reason="voluntary")
    response = client_for(world.admin).post(f"/admin/users/{world.admin.id}",
                                            data=user_form(world.admin, role="hr"))
    assert response.status_code == 422


IMPORT_HEADER = "email,name,role,team,hired_on,left_on,leave_reason,weekly_dev_hours\n"


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=list(args))


@pytest.mark.parametrize("row", [
    "{email},Admin Person,agent,,2020-01-06,,,8",
    "{email},Admin Person,admin,,2020-01-06,{past},voluntary,8",
])
def test_import_people_never_leaves_zero_admins(world, cli, tmp_path, row):
    past = (date.today() - timedelta(days=2)).isoformat()
    path = tmp_path / "people.csv"
    path.write_text(IMPORT_HEADER + "new@example.com,New Person,agent,,2025-01-06,,,\n"
                    + row.format(email=world.admin.email, past=past) + "\n")
    result = cli("import-people", str(path))
    assert result.exit_code == 1
    assert "line 3:" in result.output and "no admin" in result.output
    assert "Nothing was imported" in result.output
    assert_admin_unchanged(world.admin)
    assert not User.by_email("new@example.com").exists()


def test_import_people_may_hand_over_to_a_new_admin(world, cli, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(IMPORT_HEADER + "boss@example.com,New Admin,admin,,2025-01-06,,,\n"
                    + f"{world.admin.email},Admin Person,agent,,2020-01-06,,,8\n")
    result = cli("import-people", str(path))
    assert result.exit_code == 0, result.output
    assert User.get_by_id(world.admin.id).role == "agent"


# A reset gives the person a set-password link, never a password (findings 3a and 5) -------

LINK = re.compile(r"http://localhost/set-password/([\w-]+)")


def reset(admin_client, person):
    response = admin_client.post(f"/admin/users/{person.id}/reset-password")
    assert response.status_code == 200
    return LINK.search(response.get_data(as_text=True))[1], response


def decoded_session(app, client):
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)


def choose(client, token, password=NEW_PASSWORD, confirm=None):
    return client.post(f"/set-password/{token}", data={
        "new_password": password, "confirm": confirm or password})


def test_a_reset_shows_the_admin_a_link_and_no_password(world, client_for):
    admin = client_for(world.admin)
    token, response = reset(admin, world.lead_a)
    page = response.get_data(as_text=True)
    assert "one-time password" not in page.lower()
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    # The lead's password is untouched until the link is used: nothing to sign in with.
    lead = User.get_by_id(world.lead_a.id)
    assert lead.password_hash == world.lead_a.password_hash
    assert not lead.must_change_password
    # Stored only as a hash, with a 24-hour expiry.
    link = AccountToken.get(AccountToken.user == world.lead_a.id)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(list(AccountToken.select().tuples()))
    assert token not in repr(list(AuditEvent.select().tuples()))
    assert timedelta(hours=23, minutes=59) < link.expires_at - link.created_at <= timedelta(
        hours=24)
    event = audit_rows("password_reset")[0]
    assert (event.actor_id, event.target_id) == (world.admin.id, world.lead_a.id)


def test_no_secret_goes_into_the_session_cookie_or_a_flash(world, client_for, app):
    admin = client_for(world.admin)
    token, response = reset(admin, world.lead_a)
    new = admin.post("/admin/users/new", data={
        "name": "New Person", "email": "new.person@example.com", "role": "lead",
        "team_id": "", "hired_on": "2026-01-05", "weekly_dev_hours": "6"})
    new_token = LINK.search(new.get_data(as_text=True))[1]
    admin.get("/admin/users")
    session = decoded_session(app, admin)
    text = json.dumps(session, default=str)
    for secret in (token, new_token):
        assert secret not in text
    assert not session.get("_flashes")
    for header in response.headers.getlist("Set-Cookie") + new.headers.getlist("Set-Cookie"):
        assert token not in header and new_token not in header
    assert "Location" not in response.headers and "Location" not in new.headers


def test_the_person_sets_a_password_once_with_the_link(world, client_for, app):
    token, _ = reset(client_for(world.admin), world.lead_a)
    signed_in_lead = client_for(world.lead_a)
    person = app.test_client()
    page = person.get(f"/set-password/{token}")
    assert page.status_code == 200
    assert world.lead_a.email in page.get_data(as_text=True)
    # The same password rules as everywhere else; a refusal leaves the link usable.
    weak = choose(person, token, "password1234")
    assert weak.status_code == 422 and "too easy to guess" in weak.get_data(as_text=True)
    differ = choose(person, token, NEW_PASSWORD, "something else entirely")
    assert differ.status_code == 422
    done = choose(person, token)
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    lead = User.get_by_id(world.lead_a.id)
    assert verify_password(lead.password_hash, NEW_PASSWORD)
    assert lead.session_version == world.lead_a.session_version + 1
    assert signed_in_lead.get("/").status_code == 302  # every old session ends
    # Used once.
    assert choose(app.test_client(), token, "another fine passphrase").status_code == 404
    assert app.test_client().get(f"/set-password/{token}").status_code == 404
    assert verify_password(User.get_by_id(world.lead_a.id).password_hash, NEW_PASSWORD)
    assert [e.actor_id for e in audit_rows("password_set_by_link")] == [world.lead_a.id]


def test_the_person_is_told_at_their_next_sign_in(world, client_for, app):
    token, _ = reset(client_for(world.admin), world.lead_a)
    reset_at = AccountToken.get(AccountToken.user == world.lead_a.id).created_at
    choose(app.test_client(), token)
    browser = app.test_client()
    response = sign_in(browser, world.lead_a.email, NEW_PASSWORD)
    assert response.status_code == 302
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "An admin reset your password on" in page
    assert str(reset_at.year) in page
    again = app.test_client()
    sign_in(again, world.lead_a.email, NEW_PASSWORD)
    assert "An admin reset your password" not in again.get("/").get_data(as_text=True)


def test_a_link_expires_after_24_hours(world, client_for, app):
    token, _ = reset(client_for(world.admin), world.agent_a)
    AccountToken.update(created_at=utcnow() - timedelta(hours=24, minutes=1),
                        expires_at=utcnow() - timedelta(minutes=1)).execute()
    response = app.test_client().get(f"/set-password/{token}")
    assert response.status_code == 404
    assert "expired or was already used" in response.get_data(as_text=True)
    assert choose(app.test_client(), token).status_code == 404
    assert User.get_by_id(world.agent_a.id).password_hash == world.agent_a.password_hash


def test_a_new_reset_replaces_the_old_link(world, client_for, app):
    admin = client_for(world.admin)
    first, _ = reset(admin, world.agent_a)
    second, _ = reset(admin, world.agent_a)
    assert first != second
    assert choose(app.test_client(), first).status_code == 404
    assert choose(app.test_client(), second).status_code == 302


def test_unknown_links_and_people_who_left_get_nothing(world, client_for, app):
    assert app.test_client().get("/set-password/not-a-real-token").status_code == 404
    token, _ = reset(client_for(world.admin), world.agent_a)
    User.update(active=False).where(User.id == world.agent_a.id).execute()
    assert choose(app.test_client(), token).status_code == 404
    left = User.get_by_id(world.agent_a.id)
    assert left.active is False and left.password_hash == world.agent_a.password_hash
    response = client_for(world.admin).post(f"/admin/users/{world.agent_a.id}/reset-password")
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["agent_a", "lead_a", "hr"])
def test_only_admins_reset_passwords(world, client_for, who):
    response = client_for(getattr(world, who)).post(
        f"/admin/users/{world.agent_b.id}/reset-password")
    assert response.status_code == 403
    assert not AccountToken.select().exists()


def test_a_new_account_signs_in_only_through_its_link(world, client_for, app):
    admin = client_for(world.admin)
    response = admin.post("/admin/users/new", data={
        "name": "Admin Alias", "email": "alias@example.com", "role": "lead",
        "team_id": "", "hired_on": "2026-01-05", "weekly_dev_hours": "8"})
    token = LINK.search(response.get_data(as_text=True))[1]
    assert sign_in(app.test_client(), "alias@example.com", "").status_code in (400, 401)
    assert choose(app.test_client(), token).status_code == 302
    browser = app.test_client()
    assert sign_in(browser, "alias@example.com", NEW_PASSWORD).status_code == 302
    # A first password is not a reset: nothing to tell.
    assert "An admin reset" not in browser.get("/").get_data(as_text=True)


# A team's new lead is shown to the team (finding 3b) -------------------------------------

def test_a_new_lead_is_shown_to_the_team_members(world, client_for, make_user):
    admin = client_for(world.admin)
    response = admin.post("/admin/users/new", data={
        "name": "Admin's Second Self", "email": "alias@example.com", "role": "lead",
        "team_id": "", "hired_on": "2026-01-05", "weekly_dev_hours": "8"})
    alias = User.by_email("alias@example.com").get()
    assert response.status_code == 200
    response = admin.post(f"/admin/teams/{world.team_a.id}",
                          data={"name": world.team_a.name, "lead_id": str(alias.id),
                                "version": str(Team.get_by_id(world.team_a.id).version)})
    assert response.status_code == 302
    notice = "Your team's lead is now Admin&#39;s Second Self, since"
    for member in (world.agent_a, world.agent_a2):
        assert notice in client_for(member).get("/").get_data(as_text=True)
    assert "lead is now" not in client_for(world.agent_b).get("/").get_data(as_text=True)
    event = audit_rows("team_lead_changed")[-1]
    assert (event.actor_id, event.target_id, event.detail) == (
        world.admin.id, world.team_a.id, f"{world.lead_a.id}->{alias.id}")
    # Renaming the team is not a new lead; after four weeks the notice is gone.
    since = Team.get_by_id(world.team_a.id).lead_since
    admin.post(f"/admin/teams/{world.team_a.id}",
               data={"name": "Team A renamed", "lead_id": str(alias.id),
                     "version": str(Team.get_by_id(world.team_a.id).version)})
    assert Team.get_by_id(world.team_a.id).lead_since == since
    Team.update(lead_since=utcnow() - timedelta(weeks=4, days=1)).execute()
    assert "lead is now" not in client_for(world.agent_a).get("/").get_data(as_text=True)


def test_a_lead_set_by_the_people_import_is_shown_too(world, cli, tmp_path, client_for):
    path = tmp_path / "people.csv"
    path.write_text(IMPORT_HEADER + "boss@example.com,New Boss,lead,Team A,2025-01-06,,,\n")
    assert cli("import-people", str(path)).exit_code == 0
    page = client_for(world.agent_a).get("/").get_data(as_text=True)
    assert "Your team's lead is now New Boss, since" in page
    assert audit_rows("team_lead_changed")


def test_two_admins_demoting_each_other_at_once_leave_one(app, world, make_user):
    from growth.admin import service
    from growth.db import database

    second = make_user(Role.ADMIN, name="Second Admin")
    pairs = [(world.admin, second), (second, world.admin)]
    barrier = threading.Barrier(len(pairs))
    outcomes = []

    def demote(actor, person):
        with app.app_context(), database.connection_context():
            barrier.wait()
            try:
                service.update_user(actor, person, version=person.version,
                                    email=person.email, name=person.name,
                                    role="agent", team_id=None, hired_on=person.hired_on,
                                    weekly_dev_hours=8)
                outcomes.append("demoted")
            except service.AdminError:
                outcomes.append("refused")

    threads = [threading.Thread(target=demote, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["demoted", "refused"]
    assert User.select().where(User.role == "admin").count() == 1
