"""Single sign-on in a real browser: Growth's button, the provider's own sign-in page (the
test OpenID Provider, tests/oidc) and back, under Growth's Content-Security-Policy."""

from datetime import date
from urllib.parse import urlsplit

import pytest

from growth.models import AuditEvent, Role, User
from growth.passwords import hash_password

from ..conftest import PASSWORD
from ..oidc import NAME
from .conftest import serving

pytestmark = pytest.mark.browser


@pytest.fixture
def sso_server(tmp_path, sqlite_template, browser, oidc_provider):
    with serving(tmp_path, sqlite_template, **oidc_provider.settings()) as server:
        yield server


@pytest.fixture
def sso_page(browser, sso_server):
    context = browser.new_context(base_url=sso_server.url, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.blocked = []  # what the Content-Security-Policy stopped, from the console
    page.on("console", lambda message: "Content Security Policy" in message.text
            and page.blocked.append(message.text))
    yield page
    context.close()


def _sign_in_at_the_provider(page, login):
    page.goto("/login")
    page.get_by_role("button", name=f"Sign in with {NAME}").click()
    page.locator("input[name=login]").fill(login)  # the provider's page, not Growth's
    page.locator("input[name=password]").fill("anything")
    page.get_by_role("button", name="Sign-in").click()


def test_a_person_signs_in_with_the_provider_lands_on_their_week_and_signs_out(
        sso_page, sso_server):
    agent = User.create(email="ana@example.com", name="Ana Agent", role=Role.AGENT.value,
                        hired_on=date(2020, 1, 6), password_hash="")
    _sign_in_at_the_provider(sso_page, "ana@example.com")
    sso_page.get_by_role("navigation", name="Main").wait_for()
    assert urlsplit(sso_page.url)[:2] == urlsplit(sso_server.url)[:2]
    assert urlsplit(sso_page.url).path == "/"
    assert "Ana Agent" in sso_page.get_by_role("navigation", name="Main").inner_text()
    assert AuditEvent.select().where(AuditEvent.action == "sign_in",
                                     AuditEvent.actor == agent).count() == 1

    sso_page.get_by_role("button", name="Sign out").click()
    sso_page.get_by_role("heading", name="Sign in to Growth").wait_for()
    sso_page.goto("/")
    assert urlsplit(sso_page.url).path == "/login"
    assert sso_page.blocked == []


def test_someone_without_an_account_is_told_so_at_the_sign_in_page(sso_page):
    people = User.select().count()
    _sign_in_at_the_provider(sso_page, "stranger@example.com")
    sso_page.get_by_text("No active Growth account belongs to stranger@example.com").wait_for()
    assert urlsplit(sso_page.url).path == "/login"
    assert sso_page.get_by_role("navigation", name="Main").count() == 0
    assert User.select().count() == people
    assert sso_page.blocked == []


def test_with_passwords_for_admins_only_the_form_is_gone_but_an_admin_gets_in(
        sso_page, sso_server):
    sso_server.app.config["PASSWORD_SIGN_IN"] = False
    User.create(email="root@example.com", name="Ada Admin", role=Role.ADMIN.value,
                hired_on=date(2020, 1, 6), password_hash=hash_password(PASSWORD))
    sso_page.goto("/login")
    sso_page.get_by_role("button", name=f"Sign in with {NAME}").wait_for()
    assert sso_page.get_by_label("Password").count() == 0
    sso_page.get_by_role("link", name="Admins: sign in with a password").click()
    sso_page.get_by_label("Email").fill("root@example.com")
    sso_page.get_by_label("Password").fill(PASSWORD)
    sso_page.get_by_role("button", name="Sign in", exact=True).click()
    sso_page.get_by_role("navigation", name="Main").wait_for()
    assert "Ada Admin" in sso_page.get_by_role("navigation", name="Main").inner_text()
