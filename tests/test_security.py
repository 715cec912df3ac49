"""Headers, CSRF, body limit, error pages, a locked database, production settings."""

import pytest

from growth import create_app
from growth.models import User

SECRET = "k" * 48


def assert_security_headers(response):
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'",
                      "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize("path", ["/login", "/no-such-page", "/static/css/growth.css",
                                  "/healthz"])
def test_security_headers_on_every_response(client, path):
    with client.get(path) as response:
        assert_security_headers(response)


def test_signed_in_pages_are_not_cached(world, client_for):
    response = client_for(world.agent_a).get("/")
    assert response.headers["Cache-Control"] == "no-store"
    assert_security_headers(response)


def test_post_without_csrf_token_is_refused(world, client_for):
    client = client_for(world.agent_a)
    response = client.post("/logout", csrf=False)
    assert response.status_code == 400
    assert client.get("/").status_code == 200  # still signed in: nothing happened


def test_csrf_token_of_another_session_is_refused(world, client_for):
    mine = client_for(world.agent_a)
    theirs = client_for(world.agent_b)
    response = mine.post("/logout", data={"csrf_token": theirs.csrf_token()}, csrf=False)
    assert response.status_code == 400


def test_request_body_limit(world, client_for):
    response = client_for(world.agent_a).post("/account", data={
        "name": "x" * (1024 * 1024 + 10), "locale": "en"})
    assert response.status_code == 413
    assert User.get_by_id(world.agent_a.id).name == world.agent_a.name


def test_session_cookie_flags_in_production(migrated_sqlite_url):
    app = create_app({"ENV": "production", "SECRET_KEY": SECRET,
                      "DATABASE_URL": migrated_sqlite_url})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024


def test_plain_http_intranet_can_turn_secure_cookies_off(migrated_sqlite_url, monkeypatch):
    monkeypatch.setenv("GROWTH_SESSION_COOKIE_SECURE", "false")
    app = create_app({"ENV": "production", "SECRET_KEY": SECRET,
                      "DATABASE_URL": migrated_sqlite_url})
    assert app.config["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize("secret", [None, "", "dev", "short-secret"])
def test_production_refuses_to_start_without_a_real_secret(tmp_path, secret):
    with pytest.raises(RuntimeError, match="GROWTH_SECRET_KEY"):
        create_app({"ENV": "production", "SECRET_KEY": secret,
                    "DATABASE_URL": f"sqlite:///{tmp_path}/p.db"})


def test_production_is_the_default_environment(tmp_path, monkeypatch):
    monkeypatch.delenv("GROWTH_ENV", raising=False)
    monkeypatch.delenv("GROWTH_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/p.db"})


def test_development_keeps_a_generated_secret(tmp_path):
    first = create_app({"ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path}/d.db"})
    second = create_app({"ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path}/d.db"})
    assert len(first.secret_key) >= 32
    assert first.secret_key == second.secret_key


def test_production_refuses_debug(tmp_path):
    with pytest.raises(RuntimeError, match="DEBUG"):
        create_app({"ENV": "production", "SECRET_KEY": SECRET, "DEBUG": True,
                    "DATABASE_URL": f"sqlite:///{tmp_path}/p.db"})


def test_an_error_shows_our_page_and_no_stack_trace(failing_app, world, client_for):
    response = client_for(world.agent_a).get("/boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong on our side" in body
    for leak in ("Traceback", "ZeroDivisionError", 'File "', failing_app.secret_key):
        assert leak not in body
    assert_security_headers(response)


def test_a_locked_database_answers_503_with_retry_after(failing_app, world, client_for):
    response = client_for(world.agent_a).get("/locked")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "database is locked" not in response.get_data(as_text=True)


@pytest.mark.parametrize("code", [404, 405])
def test_error_pages_use_the_layout(world, client_for, code):
    client = client_for(world.agent_a)
    response = client.get("/no-such-page") if code == 404 else client.get("/logout")
    assert response.status_code == code
    assert "Growth" in response.get_data(as_text=True)
    assert 'class="site-nav"' in response.get_data(as_text=True)


def test_sqlite_pragmas_are_set_on_every_connection(app, db):
    if not db.obj.__class__.__name__.endswith("SqliteDatabase"):
        pytest.skip("SQLite only")
    pragmas = {name: db.execute_sql(f"PRAGMA {name}").fetchone()[0]
               for name in ("journal_mode", "busy_timeout", "synchronous", "foreign_keys")}
    assert pragmas == {"journal_mode": "wal", "busy_timeout": 5000, "synchronous": 2,
                       "foreign_keys": 1}


def test_postgresql_connections_give_up_on_a_held_lock(app, db):
    if db.obj.__class__.__name__.endswith("SqliteDatabase"):
        pytest.skip("PostgreSQL only")
    settings = {name: db.execute_sql(f"SHOW {name}").fetchone()[0]
                for name in ("lock_timeout", "statement_timeout")}
    assert settings == {"lock_timeout": "5s", "statement_timeout": "30s"}


def test_a_database_url_with_its_own_options_keeps_them():
    from growth.db import open_database

    database = open_database("postgresql://u@127.0.0.1/x?options=-c%20lock_timeout%3D1500")
    assert database.connect_params["options"] == "-c lock_timeout=1500"
    database = open_database("postgresql://u@127.0.0.1/x")
    assert "lock_timeout=5000" in database.connect_params["options"]
