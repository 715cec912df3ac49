"""Single sign-on against a real OpenID Provider (tests/oidc), over real HTTP redirects.

The provider can't be made to hand out bad ID tokens, so those are built here with the
provider's own signing key (or a key it doesn't publish) and handed to the callback by the
token endpoint's stand-in; discovery and the published keys still come from the provider.
"""

import base64
import json
import time
from urllib.parse import urlsplit

import pytest

from growth import create_app
from growth.auth import oidc
from growth.auth.service import account_key
from growth.models import AuditEvent, LoginFailure, Role, User
from growth.resources import ConfigError

from .conftest import PASSWORD
from .oidc import CLIENT_ID, NAME, REDIRECT_URI, new_key, query, sign_in_at_provider


@pytest.fixture
def app_config(request, oidc_provider):
    """Growth signs in through the test provider (a test may name another issuer URL,
    as a function of the provider, through indirect parametrisation)."""
    issuer = getattr(request, "param", lambda provider: provider.issuer)(oidc_provider)
    return oidc_provider.settings(OIDC_ISSUER=issuer)


def _start(client, **form) -> str:
    """Press "Sign in with …": the provider's authorization URL Growth redirects to."""
    response = client.post("/login/oidc", data=form)
    assert response.status_code == 302, response.status_code
    return response.headers["Location"]


def _callback(client, url: str):
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


def _signed_in_as(client):
    with client.session_transaction() as session:
        return session.get("_user_id")


def _sign_out(client):
    client._csrf_token = None  # signing in started a new session, with a new token
    assert client.post("/logout").status_code == 302


def _refusals():
    return list(AuditEvent.select().where(AuditEvent.action == "sign_in_failed")
                .order_by(AuditEvent.id))


def test_sign_in_with_is_offered_above_the_password_form(client):
    page = client.get("/login")
    text = page.get_data(as_text=True)
    assert f"Sign in with {NAME}" in text
    assert text.index(f"Sign in with {NAME}") < text.index('name="password"')


def test_the_authorization_request_uses_pkce_state_and_nonce(client, oidc_provider):
    location = _start(client)
    assert location.startswith(f"{oidc_provider.issuer}/auth?")
    params = query(location)
    assert params["response_type"] == "code"
    assert params["client_id"] == CLIENT_ID
    assert params["redirect_uri"] == REDIRECT_URI
    assert set(params["scope"].split()) == {"openid", "email", "profile"}
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) >= 43
    assert len(params["state"]) >= 20 and len(params["nonce"]) >= 20


def test_a_verified_person_signs_in_lands_on_their_week_and_signs_out(
        client, make_user, oidc_provider):
    agent = make_user(Role.AGENT, email="ana@example.com")
    people_before = User.select().count()
    callback = sign_in_at_provider(_start(client), "Ana@Example.com", REDIRECT_URI)
    response = _callback(client, callback)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"  # the current week
    assert _signed_in_as(client) == agent.get_id()
    week = client.get(response.headers["Location"])
    assert week.status_code == 200 and agent.name in week.get_data(as_text=True)
    event = AuditEvent.select().where(AuditEvent.action == "sign_in").get()
    assert event.actor_id == agent.id and event.detail == "oidc"
    assert User.select().count() == people_before

    _sign_out(client)
    assert client.get("/").status_code == 302
    assert _signed_in_as(client) is None


def test_a_sign_in_goes_on_to_the_page_asked_for(client, make_user, oidc_provider):
    make_user(Role.AGENT, email="ana@example.com")
    callback = sign_in_at_provider(_start(client, next="/goals"), "ana@example.com",
                                   REDIRECT_URI)
    assert _callback(client, callback).headers["Location"] == "/goals"


def test_a_lead_signing_in_lands_on_the_team_unless_a_page_was_asked_for(
        client, make_user, oidc_provider):
    make_user(Role.LEAD, email="ana@example.com")
    callback = sign_in_at_provider(_start(client, next="/"), "ana@example.com", REDIRECT_URI)
    assert _callback(client, callback).headers["Location"] == "/team"
    again = client.application.test_client()
    callback = sign_in_at_provider(_start(again, next="/goals"), "ana@example.com",
                                   REDIRECT_URI)
    assert _callback(again, callback).headers["Location"] == "/goals"


def test_a_sign_in_starts_a_fresh_session(client, make_user, oidc_provider):
    make_user(Role.AGENT, email="ana@example.com")
    authorization = _start(client)
    with client.session_transaction() as session:
        session["planted"] = "before sign-in"
    _callback(client, sign_in_at_provider(authorization, "ana@example.com", REDIRECT_URI))
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["login_at"] and session.permanent


@pytest.mark.parametrize("login, reason", [
    ("nobody@example.com", "no_active_account"),
    ("unverified-ana@example.com", "email_not_verified"),
    ("gone@example.com", "no_active_account"),
])
def test_people_without_an_active_verified_account_are_refused_and_nothing_is_created(
        client, make_user, oidc_provider, login, reason):
    make_user(Role.AGENT, email="unverified-ana@example.com")
    gone = make_user(Role.AGENT, email="gone@example.com", active=False)
    people_before = User.select().count()
    response = _callback(client, sign_in_at_provider(_start(client), login, REDIRECT_URI))
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert _signed_in_as(client) is None
    assert User.select().count() == people_before
    (refusal,) = _refusals()
    assert f"reason={reason}" in refusal.detail
    # The email is kept only as its keyed hash, as for a typed one.
    assert login not in refusal.detail and f"account={account_key(login)}" in refusal.detail
    if login == gone.email:
        assert refusal.target_id == gone.id
    page = client.get("/login").get_data(as_text=True)
    expected = "didn&#39;t confirm your email" if "unverified" in login else (
        f"No active Growth account belongs to {login}")
    assert expected in page
    assert LoginFailure.select().where(LoginFailure.account == account_key(login)).count() == 1


def test_only_the_latest_sign_in_of_a_browser_is_kept(client, make_user, token_endpoint,
                                                    oidc_provider):
    make_user(Role.AGENT, email="ana@example.com")
    first = query(_start(client))
    for _ in range(20):  # abandoned sign-ins don't pile up in the session cookie
        latest = query(_start(client))
    with client.session_transaction() as session:
        assert [key for key in session if key.startswith(oidc.PENDING_PREFIX)] == [
            oidc.PENDING_PREFIX + latest["state"]]
    stale = client.get(f"/login/oidc/callback?code=a-code&state={first['state']}")
    _assert_refused(client, stale, "reason=protocol:mismatching_state")


def test_a_callback_in_another_browser_is_refused(app, client, make_user, oidc_provider):
    """The state is bound to the browser's session that started the sign-in."""
    make_user(Role.AGENT, email="ana@example.com")
    callback = sign_in_at_provider(_start(client), "ana@example.com", REDIRECT_URI)
    other = app.test_client()
    response = _callback(other, callback)
    assert response.headers["Location"] == "/login"
    assert _signed_in_as(other) is None
    assert "reason=protocol:mismatching_state" in _refusals()[0].detail


# ID tokens the provider would never issue, handed to the callback by the token endpoint.


@pytest.fixture
def token_endpoint(app, monkeypatch):
    """Replaces the code exchange: answers with the ID token put in `answer["id_token"]`
    and records the parameters Growth sent."""
    client = app.extensions[oidc.EXTENSION]
    answer = {"access_token": "test-access-token", "token_type": "Bearer"}
    calls = []

    def exchange(**params):
        calls.append(params)
        return dict(answer)

    monkeypatch.setattr(client, "fetch_access_token", exchange)
    answer["calls"] = calls
    return answer


def _claims(oidc_provider, sent_nonce, **changes):
    now = int(time.time())
    claims = {"iss": oidc_provider.issuer, "sub": "ana", "aud": CLIENT_ID, "iat": now,
              "exp": now + 300, "nonce": sent_nonce, "email": "ana@example.com",
              "email_verified": True}
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def _forged_sign_in(client, oidc_provider, token_endpoint, key=None, **changes):
    params = query(_start(client))
    token_endpoint["id_token"] = oidc_provider.id_token(
        _claims(oidc_provider, params["nonce"], **changes), key=key)
    return client.get(f"/login/oidc/callback?code=a-code&state={params['state']}"
                      f"&iss={oidc_provider.issuer}")


def test_a_token_with_every_check_right_signs_in(client, make_user, oidc_provider,
                                                 token_endpoint):
    """The stand-in itself lets a good token through: the refusals below are the token's."""
    agent = make_user(Role.AGENT, email="ana@example.com")
    response = _forged_sign_in(client, oidc_provider, token_endpoint)
    assert response.headers["Location"] == "/"  # the current week
    assert _signed_in_as(client) == agent.get_id()
    (exchange,) = token_endpoint["calls"]
    assert exchange["code"] == "a-code" and exchange["redirect_uri"] == REDIRECT_URI
    assert len(exchange["code_verifier"]) >= 43  # PKCE: the verifier goes with the code


@pytest.mark.parametrize("changes, signs_in", [
    ({"email_verified": False}, False),
    ({"email_verified": "true"}, False),  # a string is not the provider vouching
    ({"email_verified": None}, False),
    ({"email_verified": None, "xms_edov": True}, True),  # Microsoft Entra ID's stand-in
    ({"email_verified": False, "xms_edov": True}, False),
    ({"email": None}, False),
], ids=["false", "a-string", "absent", "entra-xms-edov", "false-despite-xms-edov", "no-email"])
def test_only_an_email_the_provider_vouches_for_signs_in(client, make_user, oidc_provider,
                                                          token_endpoint, changes, signs_in):
    agent = make_user(Role.AGENT, email="ana@example.com")
    people = User.select().count()
    _forged_sign_in(client, oidc_provider, token_endpoint, **changes)
    assert _signed_in_as(client) == (agent.get_id() if signs_in else None)
    assert User.select().count() == people
    if not signs_in:
        assert "reason=email_not_verified" in _refusals()[0].detail


def _assert_refused(client, response, reason_part):
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert _signed_in_as(client) is None
    refusals = _refusals()
    assert len(refusals) == 1 and reason_part in refusals[0].detail, [
        r.detail for r in refusals]
    assert "didn&#39;t complete" in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize("changes, reason", [
    ({"nonce": "not-the-nonce-this-browser-sent"}, "InvalidClaimError"),
    ({"nonce": None}, "MissingClaimError"),
    ({"aud": "another-application"}, "InvalidClaimError"),
    ({"aud": "another-application", "azp": CLIENT_ID}, "InvalidClaimError"),
    ({"aud": ["another-application", "a-third"]}, "InvalidClaimError"),
    ({"iss": "https://another-issuer.example.com"}, "InvalidClaimError"),
    ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "ExpiredTokenError"),
], ids=["wrong-nonce", "no-nonce", "another-audience", "another-audience-naming-growth-as-azp",
     "other-audiences", "another-issuer", "expired"])
def test_id_tokens_with_a_wrong_claim_are_refused(client, make_user, oidc_provider,
                                                  token_endpoint, changes, reason):
    make_user(Role.AGENT, email="ana@example.com")
    response = _forged_sign_in(client, oidc_provider, token_endpoint, **changes)
    _assert_refused(client, response, f"id_token:{reason}")


@pytest.mark.parametrize("kid", ["growth-test-provider", "a-key-nobody-published"])
def test_an_id_token_signed_with_a_key_the_issuer_does_not_publish_is_refused(
        client, make_user, oidc_provider, token_endpoint, kid):
    make_user(Role.AGENT, email="ana@example.com")
    response = _forged_sign_in(client, oidc_provider, token_endpoint, key=new_key(kid))
    _assert_refused(client, response, "id_token:")


def test_an_unsigned_id_token_is_refused(client, make_user, oidc_provider, token_endpoint):
    make_user(Role.AGENT, email="ana@example.com")
    params = query(_start(client))

    def part(data):
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    token_endpoint["id_token"] = ".".join(
        [part({"alg": "none"}), part(_claims(oidc_provider, params["nonce"])), ""])
    response = client.get(f"/login/oidc/callback?code=a-code&state={params['state']}")
    _assert_refused(client, response, "id_token:")


def test_a_token_answer_without_an_id_token_is_refused(client, make_user, token_endpoint):
    make_user(Role.AGENT, email="ana@example.com")
    params = query(_start(client))
    response = client.get(f"/login/oidc/callback?code=a-code&state={params['state']}")
    _assert_refused(client, response, "reason=no_id_token")


def test_a_tampered_state_is_refused_before_the_code_is_exchanged(
        client, make_user, oidc_provider, token_endpoint):
    make_user(Role.AGENT, email="ana@example.com")
    params = query(_start(client))
    token_endpoint["id_token"] = oidc_provider.id_token(_claims(oidc_provider,
                                                                params["nonce"]))
    response = client.get(f"/login/oidc/callback?code=a-code&state={params['state']}x")
    _assert_refused(client, response, "reason=protocol:mismatching_state")
    assert token_endpoint["calls"] == []


def test_a_replayed_state_is_refused(client, make_user, oidc_provider, token_endpoint):
    make_user(Role.AGENT, email="ana@example.com")
    params = query(_start(client))
    token_endpoint["id_token"] = oidc_provider.id_token(_claims(oidc_provider,
                                                                params["nonce"]))
    callback = f"/login/oidc/callback?code=a-code&state={params['state']}"
    first = client.get(callback)
    assert first.headers["Location"] == "/"
    _sign_out(client)
    _assert_refused(client, client.get(callback), "reason=protocol:mismatching_state")
    assert len(token_endpoint["calls"]) == 1


def test_an_answer_naming_another_issuer_is_refused(client, make_user, oidc_provider,
                                                   token_endpoint):
    """RFC 9207: the `iss` of the authorization response must be the configured issuer."""
    make_user(Role.AGENT, email="ana@example.com")
    params = query(_start(client))
    response = client.get(f"/login/oidc/callback?code=a-code&state={params['state']}"
                          "&iss=https://another-issuer.example.com")
    _assert_refused(client, response, "reason=wrong_issuer")
    assert token_endpoint["calls"] == []


def test_a_cancelled_sign_in_says_so(client, oidc_provider):
    params = query(_start(client))
    response = client.get(f"/login/oidc/callback?error=access_denied&state={params['state']}")
    assert response.headers["Location"] == "/login"
    assert "reason=cancelled" in _refusals()[0].detail
    assert "was cancelled" in client.get("/login").get_data(as_text=True)


def test_the_callback_is_throttled_per_address(app, client, token_endpoint):
    app.config["LOGIN_ADDRESS_LIMIT"] = 3
    for _ in range(3):
        client.get("/login/oidc/callback?code=guess&state=guess")
    params = query(_start(client))
    response = client.get(f"/login/oidc/callback?code=a-code&state={params['state']}")
    assert response.headers["Location"] == "/login"
    assert token_endpoint["calls"] == []
    assert AuditEvent.select().where(AuditEvent.action == "sign_in_throttled").count() == 1
    assert "Too many attempts" in client.get("/login").get_data(as_text=True)


def test_the_sign_in_page_lets_forms_go_on_to_the_provider(client, oidc_provider):
    csp = client.get("/login").headers["Content-Security-Policy"]
    form_action = next(part for part in csp.split(";") if "form-action" in part)
    assert form_action.split() == ["form-action", "'self'", oidc_provider.issuer]
    assert "'unsafe-inline'" not in csp


# Passwords for admins only.


@pytest.fixture
def admins_only(app):
    app.config["PASSWORD_SIGN_IN"] = False
    return app


def test_without_password_sign_in_agents_get_no_password_form(admins_only, client,
                                                              make_user):
    agent = make_user(Role.AGENT)
    page = client.get("/login").get_data(as_text=True)
    assert f"Sign in with {NAME}" in page
    assert 'name="password"' not in page
    response = client.post("/login", data={"email": agent.email, "password": PASSWORD})
    assert response.status_code == 401
    assert _signed_in_as(client) is None
    assert AuditEvent.select().where(AuditEvent.action == "sign_in").count() == 0


def test_without_password_sign_in_an_admin_still_signs_in_with_a_password(
        admins_only, client, make_user):
    admin = make_user(Role.ADMIN)
    page = client.get("/login").get_data(as_text=True)
    assert "Admins: sign in with a password" in page
    form = client.get("/login?with_password=1").get_data(as_text=True)
    assert 'name="password"' in form
    response = client.post("/login?with_password=1",
                           data={"email": admin.email, "password": PASSWORD})
    assert response.status_code == 302
    assert _signed_in_as(client) == admin.get_id()


# Settings that can't work.


@pytest.mark.parametrize("settings, named", [
    ({"OIDC_ISSUER": "https://idp.example.com"}, "GROWTH_OIDC_CLIENT_ID"),
    ({"OIDC_ISSUER": "https://idp.example.com", "OIDC_CLIENT_ID": "growth"},
     "GROWTH_OIDC_CLIENT_SECRET"),
    ({"OIDC_CLIENT_ID": "growth", "OIDC_CLIENT_SECRET": "s"}, "GROWTH_OIDC_ISSUER"),
    ({"OIDC_ISSUER": "http://idp.example.com", "OIDC_CLIENT_ID": "growth",
      "OIDC_CLIENT_SECRET": "s"}, "GROWTH_OIDC_ISSUER"),
    ({"PASSWORD_SIGN_IN": False}, "GROWTH_PASSWORD_SIGN_IN"),
    ({"PASSWORD_SIGN_IN": "no"}, "GROWTH_PASSWORD_SIGN_IN"),
])
def test_single_sign_on_settings_that_cannot_work_stop_start_up(tmp_path, settings, named):
    with pytest.raises(ConfigError, match=named):
        create_app({"ENV": "development", "SECRET_KEY": "x" * 40, "INSTANCE_PATH":
                    str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/g.db", **settings})



@pytest.mark.parametrize("environment, setting", [
    ({"GROWTH_OIDC_ISSUER": "https://idp.example.com"}, "GROWTH_OIDC_CLIENT_ID"),
    ({"GROWTH_PASSWORD_SIGN_IN": "false"}, "GROWTH_PASSWORD_SIGN_IN"),
])
def test_a_single_sign_on_setting_error_ends_the_command_in_one_line(
        monkeypatch, tmp_path, environment, setting):
    from click.testing import CliRunner

    from growth.cli import main

    monkeypatch.setenv("GROWTH_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("GROWTH_ENV", "development")
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["db", "status"])
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and setting in lines[0]


def test_settings_from_the_environment_are_read_as_text(monkeypatch, tmp_path):
    """A numeric client id or secret (JSON numbers to from_prefixed_env) still works."""
    monkeypatch.setenv("GROWTH_OIDC_ISSUER", "https://idp.example.com")
    monkeypatch.setenv("GROWTH_OIDC_CLIENT_ID", "1234567890")
    monkeypatch.setenv("GROWTH_OIDC_CLIENT_SECRET", "987654321")
    app = create_app({"ENV": "development", "SECRET_KEY": "x" * 40, "INSTANCE_PATH":
                      str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path}/g.db"})
    client = app.extensions[oidc.EXTENSION]
    assert (client.client_id, client.client_secret) == ("1234567890", "987654321")


@pytest.mark.parametrize("app_config", [lambda provider: provider.issuer + "/"],
                         indirect=True)
def test_an_issuer_setting_with_a_trailing_slash_works(client, make_user, oidc_provider):
    agent = make_user(Role.AGENT, email="ana@example.com")
    _callback(client, sign_in_at_provider(_start(client), "ana@example.com", REDIRECT_URI))
    assert _signed_in_as(client) == agent.get_id()


# Port 9 (discard) has no listener here: the connection is refused.
@pytest.mark.parametrize("app_config", [lambda provider: "http://127.0.0.1:9"],
                         indirect=True)
def test_a_provider_that_cannot_be_reached_is_said_so(client):
    response = client.post("/login/oidc")
    assert response.headers["Location"] == "/login"
    assert "can&#39;t be reached right now" in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize("app_config", [
    lambda provider: provider.issuer.replace("127.0.0.1", "localhost")], indirect=True)
def test_a_discovery_document_naming_another_issuer_is_refused(client):
    """The issuer configured must be the one the provider names (here: localhost is not
    127.0.0.1), or tokens would be checked against an issuer nobody chose."""
    response = client.post("/login/oidc")
    assert response.headers["Location"] == "/login"
    assert "answered as someone else" in client.get("/login").get_data(as_text=True)
