"""On a phone every page fits the screen: wide tables scroll inside their frame and the
navigation wraps, so nothing pushes the page sideways."""

import pytest

from growth import demo
from growth.models import User

from .conftest import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

PAGES = {
    "agent@example.com": ["/", "/history", "/goals", "/one-on-ones", "/account"],
    "lead@example.com": ["/team", "/team/{agent}"],
    "hr@example.com": ["/hr", "/hr/people", "/hr/people/{agent}"],
    "admin@example.com": ["/admin/users", "/admin/teams", "/admin/cycles", "/admin/audit"],
}


@pytest.fixture
def demo_org(live_server):
    demo.build()
    return User.by_email("agent@example.com").get()


def test_every_role_s_pages_fit_a_phone_screen(browser, live_server, demo_org):
    for email, paths in PAGES.items():
        context = browser.new_context(base_url=live_server.url, viewport=PHONE)
        try:
            page = context.new_page()
            sign_in(page, email, demo.DEMO_PASSWORD)
            page.get_by_role("navigation", name="Main").wait_for()
            for path in paths:
                response = page.goto(path.format(agent=demo_org.id))
                assert response.status == 200, path
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= PHONE["width"], f"{path} is {width}px wide on a phone"
                # Every navigation link is on screen, not scrolled out of sight.
                nav = page.get_by_role("navigation", name="Main")
                for link in nav.get_by_role("link").all():
                    box = link.bounding_box()
                    assert box and box["x"] + box["width"] <= PHONE["width"], path
        finally:
            context.close()
