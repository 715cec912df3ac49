"""Sign-in, sessions, throttling and passwords (DESIGN: security promises)."""

import re
from datetime import date, timedelta

import pytest
from argon2 import PasswordHasher

from growth import create_app
from growth.auth.service import account_key
from growth.models import AuditEvent, LoginFailure, User

from .conftest import PASSWORD

CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                        r'name="csrf_token" value="([^"]+)"')


def login_form_token(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    match = CSRF_FIELD.search(page)
    assert match, page
    return match.group(1) or match.group(2)


def sign_in(client, email, password, **extra):
    token = login_form_token(client)
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": token, **extra}, csrf=False)


def test_sign_in_through_the_real_form_with_csrf(world, client):
    response = sign_in(client, world.agent_a.email, PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert AuditEvent.select().where(AuditEvent.action == "sign_in").count() == 1


def test_sign_in_form_without_csrf_token_is_refused(world, client):
    response = client.post("/login", data={"email": world.agent_a.email,
                                           "password": PASSWORD}, csrf=False)
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_email_is_case_insensitive(world, client):
    response = sign_in(client, world.agent_a.email.upper(), PASSWORD)
    assert response.status_code == 302


def test_unknown_email_and_wrong_password_get_the_same_answer(world, client, app):
    wrong = sign_in(client, world.agent_a.email, "not the password at all")
    unknown = sign_in(app.test_client(), "nobody@example.com", "not the password at all")
    assert wrong.status_code == unknown.status_code == 401

    def strip(body):
        return CSRF_FIELD.sub("", re.sub(r'content="[^"]+"', "", body.decode()))

    assert strip(wrong.data).replace(world.agent_a.email, "X") == strip(unknown.data).replace(
        "nobody@example.com", "X")
    assert "don&#39;t match" in wrong.get_data(as_text=True)


def test_unknown_email_still_costs_one_hash_verification(world, client, hash_verifications):
    sign_in(client, "nobody@example.com", "whatever password")
    sign_in(client, world.agent_a.email, "wrong password here")
    assert len(hash_verifications) == 2


def test_account_is_throttled_after_ten_failures_even_with_the_right_password(world, client):
    for _ in range(10):
        assert sign_in(client, world.agent_a.email, "wrong password!!").status_code == 401
    refused = sign_in(client, world.agent_a.email, PASSWORD)
    assert refused.status_code == 429
    assert "Try again after" in refused.get_data(as_text=True)
    assert client.get("/").status_code == 302
    # another account from the same address is still fine
    assert sign_in(client, world.agent_b.email, PASSWORD).status_code == 302


def test_failures_older_than_the_window_do_not_count(world, client):
    old = date.today() - timedelta(days=1)
    LoginFailure.insert_many([{"account": account_key(world.agent_a.email),
                               "address": "127.0.0.1", "at": old} for _ in range(20)]).execute()
    assert sign_in(client, world.agent_a.email, PASSWORD).status_code == 302


def test_address_is_throttled_after_a_hundred_failures(world, client):
    LoginFailure.insert_many([{"account": f"x{i}@example.com", "address": "127.0.0.1"}
                              for i in range(100)]).execute()
    refused = sign_in(client, world.agent_a.email, PASSWORD)
    assert refused.status_code == 429


def test_throttle_counts_live_in_the_database(world, client):
    sign_in(client, world.agent_a.email, "wrong password!!")
    row = LoginFailure.get()
    assert (row.account, row.address) == (account_key(world.agent_a.email), "127.0.0.1")
    assert world.agent_a.email not in row.account


def test_sign_in_starts_a_fresh_session(world, client):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    sign_in(client, world.agent_a.email, PASSWORD)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_sign_out_ends_copied_sessions(world, client, app):
    sign_in(client, world.agent_a.email, PASSWORD)
    with client.session_transaction() as session:
        copied = dict(session)
    thief = app.test_client()
    with thief.session_transaction() as session:
        session.update(copied)
    assert thief.get("/").status_code == 200
    assert client.post("/logout").status_code == 302
    assert thief.get("/").status_code == 302


def test_sign_out_requires_post(world, client_for):
    assert client_for(world.agent_a).get("/logout").status_code == 405


def test_remember_me_survives_losing_the_session_cookie(world, client, app):
    sign_in(client, world.agent_a.email, PASSWORD, remember="y")
    remember = client.get_cookie("remember_token")
    assert remember is not None and remember.http_only
    browser_restarted = app.test_client()
    browser_restarted.set_cookie("remember_token", remember.value)
    assert browser_restarted.get("/").status_code == 200
    assert browser_restarted.get("/").status_code == 200  # still signed in on the next request
    client.post("/logout")
    again = app.test_client()
    again.set_cookie("remember_token", remember.value)
    assert again.get("/").status_code == 302


@pytest.mark.parametrize("target, expected", [
    ("/history", "/history"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_next_is_followed_only_to_a_local_path(world, client, target, expected):
    token = login_form_token(client)
    response = client.post("/login", query_string={"next": target}, csrf=False, data={
        "email": world.agent_a.email, "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == expected


@pytest.mark.parametrize("who, landing", [
    ("agent_a", "/"), ("lead_a", "/team"), ("hr", "/hr"), ("admin", "/admin/users")])
def test_each_role_lands_where_its_work_is(world, client, who, landing):
    person = getattr(world, who)
    # Opening the site's address while signed out carries next=/: that names no page.
    assert client.get("/").headers["Location"] == "/login?next=/"
    token = login_form_token(client)
    response = client.post("/login", query_string={"next": "/"}, csrf=False, data={
        "email": person.email, "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == landing
    assert client.get(landing).status_code == 200
    # Signed in, the sign-in page sends them there too; `/` stays their own week.
    assert client.get("/login").headers["Location"] == landing
    week = client.get("/")
    assert week.status_code == 200 and person.name in week.get_data(as_text=True)


@pytest.mark.parametrize("who", ["lead_a", "hr", "admin"])
def test_a_page_asked_for_wins_over_the_roles_landing(world, client, who):
    token = login_form_token(client)
    response = client.post("/login", query_string={"next": "/account"}, csrf=False, data={
        "email": getattr(world, who).email, "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] == "/account"
    token = login_form_token(app_client := client.application.test_client())
    response = app_client.post("/login", query_string={"next": "https://evil.example/"},
                               csrf=False, data={"email": getattr(world, who).email,
                                                 "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"] in ("/team", "/hr", "/admin/users")


def test_anonymous_request_redirects_to_login_with_next(client, world):
    response = client.get("/history?kind=docs")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/history?kind%3Ddocs"


@pytest.mark.parametrize("field, changes", [
    ("left_on", {"left_on": date.today() - timedelta(days=1), "leave_reason": "voluntary"}),
    ("active", {"active": False}),
])
def test_departed_and_deactivated_people_cannot_sign_in(world, client, field, changes):
    User.update(**changes).where(User.id == world.agent_a.id).execute()
    assert sign_in(client, world.agent_a.email, PASSWORD).status_code == 401


def test_someone_leaving_today_can_still_sign_in(world, client):
    User.update(left_on=date.today(), leave_reason="voluntary").where(
        User.id == world.agent_a.id).execute()
    assert sign_in(client, world.agent_a.email, PASSWORD).status_code == 302


def test_deactivation_ends_an_open_session(world, client_for):
    client = client_for(world.agent_a)
    assert client.get("/").status_code == 200
    User.update(active=False).where(User.id == world.agent_a.id).execute()
    assert client.get("/").status_code == 302


def test_password_change_needs_the_current_password(world, client_for):
    client = client_for(world.agent_a)
    response = client.post("/account/password", data={
        "current_password": "not it at all", "new_password": "a brand new passphrase",
        "confirm": "a brand new passphrase"})
    assert response.status_code == 422
    assert "not your current password" in response.get_data(as_text=True)
    assert User.get_by_id(world.agent_a.id).password_hash == world.agent_a.password_hash


@pytest.mark.parametrize("new, confirm, message", [
    ("short", "short", "at least 12"),
    ("a brand new passphrase", "something else entirely", "differ"),
])
def test_password_change_rules(world, client_for, new, confirm, message):
    response = client_for(world.agent_a).post("/account/password", data={
        "current_password": PASSWORD, "new_password": new, "confirm": confirm})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_password_change_keeps_this_device_and_signs_out_the_others(world, client_for, app):
    here = client_for(world.agent_a)
    elsewhere = client_for(world.agent_a)
    response = here.post("/account/password", data={
        "current_password": PASSWORD, "new_password": "a brand new passphrase",
        "confirm": "a brand new passphrase"})
    assert response.status_code == 302
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    assert sign_in(app.test_client(), world.agent_a.email,
                   "a brand new passphrase").status_code == 302


def test_a_one_time_password_must_be_changed_first(world, client_for):
    User.update(must_change_password=True).where(User.id == world.agent_a.id).execute()
    client = client_for(world.agent_a)
    response = client.get("/history")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/password"
    assert client.get("/account/password").status_code == 200


def test_production_hashes_are_argon2id_above_the_owasp_minimum(migrated_sqlite_url):
    app = create_app({"ENV": "production", "SECRET_KEY": "x" * 40,
                      "DATABASE_URL": migrated_sqlite_url})
    with app.app_context():
        from growth.passwords import hash_password

        stored = hash_password("a long enough password")
    assert stored.startswith("$argon2id$")
    params = dict(p.split("=") for p in stored.split("$")[3].split(","))
    assert int(params["m"]) >= 19456 and int(params["t"]) >= 2 and int(params["p"]) >= 1


def test_an_old_hash_is_upgraded_at_sign_in(world, client):
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, hash_len=16).hash(PASSWORD)
    User.update(password_hash=weak).where(User.id == world.agent_a.id).execute()
    assert sign_in(client, world.agent_a.email, PASSWORD).status_code == 302
    assert User.get_by_id(world.agent_a.id).password_hash != weak


def test_language_switch_before_sign_in(client):
    response = client.post("/language", data={"lang": "es", "next": "/login"})
    assert response.headers["Location"] == "/login"
    with client.session_transaction() as session:
        assert session["lang"] == "es"


def test_account_page_saves_name_and_language(world, client_for):
    client = client_for(world.agent_a)
    response = client.post("/account", data={"name": "Agent Alpha", "locale": "es"})
    assert response.status_code == 302
    person = User.get_by_id(world.agent_a.id)
    assert (person.name, person.locale) == ("Agent Alpha", "es")
    bad = client.post("/account", data={"name": "", "locale": "xx"})
    assert bad.status_code == 422


def test_the_sign_in_switch_offers_every_language_by_its_own_name(app, client):
    from growth.labels import LANGUAGE_NAMES

    assert set(LANGUAGE_NAMES) == set(app.config["LANGUAGES"])
    body = client.get("/login").get_data(as_text=True)
    for code, name in LANGUAGE_NAMES.items():
        assert f'value="{code}"' in body and f'lang="{code}">{name}</button>' in body


def test_a_signed_out_visitor_is_told_why_they_see_the_sign_in_page(app, client):
    response = client.get("/history", follow_redirects=True)
    assert response.request.path == "/login"
    assert response.get_data(as_text=True).count("Please sign in to continue.") == 1
    # Opening the site itself is simply the sign-in page, without a message.
    response = client.get("/", follow_redirects=True)
    assert "Please sign in to continue." not in response.get_data(as_text=True)


def test_signed_in_pages_carry_the_idle_warning_due_five_minutes_early(world, client_for,
                                                                       client):
    body = client_for(world.agent_a).get("/history").get_data(as_text=True)
    assert 'class="alert alert-info session-notice" role="status" hidden' in body
    assert 'data-show-after="1500"' in body  # 30 minutes idle, warned at 25
    assert "session-notice" not in client.get("/login").get_data(as_text=True)


def test_keep_me_signed_in_says_who_it_is_for(world, client):
    page = client.get("/login").get_data(as_text=True)
    assert "Keep me signed in on this device" in page
    assert "For agents only. Leads, HR and admins sign in again after 30 minutes" in page


@pytest.mark.parametrize("role", ["lead_a", "hr", "admin"])
def test_keep_me_signed_in_is_not_silently_ignored_for_other_roles(world, client, role):
    person = getattr(world, role)
    response = sign_in(client, person.email, PASSWORD, remember="y")
    assert response.status_code == 302
    assert client.get_cookie("remember_token") is None
    page = client.get(response.headers["Location"], follow_redirects=True).get_data(
        as_text=True)
    assert "not kept signed in: that is for agents only" in page


def test_an_agent_kept_signed_in_is_told_nothing_more(world, client):
    response = sign_in(client, world.agent_a.email, PASSWORD, remember="y")
    assert client.get_cookie("remember_token") is not None
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "not kept signed in" not in page


def test_keep_me_signed_in_is_not_offered_where_passwords_are_for_admins_only(app, client):
    from growth.auth import oidc

    app.extensions[oidc.EXTENSION] = object()  # single sign-on is on
    app.config["PASSWORD_SIGN_IN"] = False
    page = client.get("/login?with_password=1").get_data(as_text=True)
    assert 'name="password"' in page
    assert "Keep me signed in" not in page
