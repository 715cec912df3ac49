"""Browser journeys: Debian's Chromium driven by Playwright against a live Growth server.

They skip on a machine without Chromium, except when GROWTH_REQUIRE_BROWSER is set (CI).
"""

import os
import shutil
import threading
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

from growth import create_app
from growth.db import database

from ..conftest import TEST_HASH

CHROMIUM = os.environ.get("GROWTH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("GROWTH_REQUIRE_BROWSER"):
            pytest.fail(f"browser tests are required here, but {CHROMIUM} is missing")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class LiveServer:
    def __init__(self, app):
        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@contextmanager
def serving(tmp_path, sqlite_template, **settings):
    """A threaded server on 127.0.0.1 over a fresh SQLite copy, with `settings` on top of
    the browser tests' configuration. The test holds its own connection (and app context)
    for seeding data."""
    path = tmp_path / "growth.db"
    shutil.copy(sqlite_template, path)
    app = create_app({
        "ENV": "development",
        "SECRET_KEY": "browser-test-secret-key-0123456789abcdef",
        "DATABASE_URL": f"sqlite:///{path}",
        "PASSWORD_HASH": TEST_HASH,
        "DB_POOL_SIZE": 8,
        **settings,
    })
    try:
        with LiveServer(app) as server, app.app_context(), database.connection_context():
            yield server
    finally:
        database.obj.close_all()


@pytest.fixture
def live_server(tmp_path, sqlite_template, browser):
    with serving(tmp_path, sqlite_template) as server:
        yield server


@pytest.fixture
def page_for(browser, live_server):
    """A new browser page (own cookies) at the live server, in the given language."""
    contexts = []

    def open_page(locale: str = "en-US"):
        context = browser.new_context(base_url=live_server.url, locale=locale)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(page_for):
    return page_for()


def sign_in(page, email: str, password: str):
    """Sign in through the real form (CSRF on)."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
