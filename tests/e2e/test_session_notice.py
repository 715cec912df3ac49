"""Five minutes before an idle session ends the page says so, so nothing typed is lost."""

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from growth.models import Role, User
from growth.passwords import hash_password

from ..conftest import PASSWORD
from .conftest import sign_in

pytestmark = pytest.mark.browser

NOTICE = "You will be signed out in five minutes unless you save or open a page."


def test_the_page_warns_before_an_idle_session_ends(page, live_server):
    with live_server.app.test_request_context():
        password_hash = hash_password(PASSWORD)
    agent = User.create(email="idle@example.com", name="Ida Le", role=Role.AGENT.value,
                        hired_on=date(2024, 1, 8), password_hash=password_hash)
    # Idle sessions end after 5 min 2 s here, so the warning is due 2 s after a page opens.
    live_server.app.config["SESSION_IDLE_TIMEOUT"] = timedelta(minutes=5, seconds=2)
    sign_in(page, agent.email, PASSWORD)
    notice = page.get_by_text(NOTICE)
    expect(page.get_by_role("heading", name="My week")).to_be_visible()
    expect(notice).to_be_hidden()
    expect(notice).to_be_visible(timeout=8_000)
