"""Each demo role signs in through the real form, sees its own navigation, and signs out."""

import pytest

from growth import demo
from growth.models import User

from .conftest import sign_in

pytestmark = pytest.mark.browser

NAV = {
    "agent": {"My week", "History", "Goals", "Coaching"},
    "lead": {"My week", "History", "Goals", "Coaching", "My team"},
    "hr": {"My week", "History", "Goals", "Coaching", "Retention", "Audit log"},
    "admin": {"My week", "History", "Goals", "Coaching", "Admin"},  # audit log: in Admin
}
ALL_LINKS = set().union(*NAV.values())


@pytest.fixture
def demo_org(live_server):
    demo.build()
    return {role.value: email for email, _n, role, _t, _y in demo.SIGN_INS}


@pytest.mark.parametrize("role", ["agent", "lead", "hr", "admin"])
def test_demo_role_signs_in_sees_its_navigation_and_signs_out(page, demo_org, role):
    sign_in(page, demo_org[role], demo.DEMO_PASSWORD)
    nav = page.get_by_role("navigation", name="Main")
    nav.wait_for()
    links = {text.strip() for text in nav.get_by_role("link").all_inner_texts()}
    expected = NAV[role]
    assert expected <= links
    assert not (ALL_LINKS - expected) & links
    person = User.by_email(demo_org[role]).get()
    assert person.name in links  # the account link

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in to Growth").wait_for()
    page.goto("/")
    assert "/login" in page.url
