"""On a phone every page fits the screen: wide tables become one card per row with every
action in sight, and the navigation wraps, so nothing pushes the page sideways. On a laptop
the HR team figures fit their box; chart text keeps one size at every width."""

import pytest
from playwright.sync_api import expect

from growth import demo
from growth.models import User

from .conftest import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 900}

PAGES = {
    "agent@example.com": ["/", "/history", "/history?kind=learning", "/goals", "/one-on-ones",
                          "/account"],
    "lead@example.com": ["/team", "/team/{agent}"],
    "hr@example.com": ["/hr", "/hr/people", "/hr/people/{agent}"],
    "admin@example.com": ["/admin/users", "/admin/teams", "/admin/cycles", "/admin/audit"],
}

# Every link and button in a table, with its box; the caller checks they are on screen.
TABLE_CONTROLS = """() => Array.from(document.querySelectorAll('table a, table button'))
  .filter((el) => el.getClientRects().length && !el.closest('details:not([open])'))
  .map((el) => { const b = el.getBoundingClientRect();
                 return {text: el.textContent.trim(), left: b.left, right: b.right,
                         width: b.width}; })"""

# The size a chart's text is drawn at: its font size times the SVG's scale on screen.
CHART_TEXT_SIZES = """() => Array.from(document.querySelectorAll('svg text'))
  .filter((t) => t.getClientRects().length)
  .map((t) => t.getScreenCTM().a * parseFloat(getComputedStyle(t).fontSize))
  .map((size) => Math.round(size * 10) / 10)"""


@pytest.fixture
def demo_org(live_server):
    demo.build()
    return User.by_email("agent@example.com").get()


def signed_in(browser, live_server, email, viewport):
    context = browser.new_context(base_url=live_server.url, viewport=viewport)
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, email, demo.DEMO_PASSWORD)
    page.locator("nav.site-nav").wait_for()  # signed in, in the person's own language
    return context, page


def test_every_role_s_pages_fit_a_phone_screen(browser, live_server, demo_org):
    for email, paths in PAGES.items():
        context, page = signed_in(browser, live_server, email, PHONE)
        try:
            for path in paths:
                response = page.goto(path.format(agent=demo_org.id))
                assert response.status == 200, path
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= PHONE["width"], f"{path} is {width}px wide on a phone"
                # Every navigation link (the area's own menu too) is on screen, not
                # scrolled out of sight.
                for link in page.locator("nav.site-nav a, nav.subnav a").all():
                    box = link.bounding_box()
                    assert box and box["x"] + box["width"] <= PHONE["width"], (
                        path, link.inner_text())
                # Every link and button in a table is on screen, none scrolled away.
                for control in page.evaluate(TABLE_CONTROLS):
                    assert control["width"] > 0, (path, control)
                    assert control["left"] >= 0 and control["right"] <= PHONE["width"], (
                        path, control)
        finally:
            context.close()


def test_on_a_phone_an_activity_s_edit_and_delete_are_in_sight_and_work(
        browser, live_server, demo_org):
    context, page = signed_in(browser, live_server, "agent@example.com", PHONE)
    try:
        page.get_by_label("What you did", exact=True).select_option("docs")
        page.get_by_label("Minutes", exact=True).fill("90")
        page.get_by_label("Minutes", exact=True).press("Enter")
        expect(page.get_by_text("Logged 1.5 h.")).to_be_visible()
        row = page.locator("table.activities tbody tr").first
        # The row is a card: each value labelled with its column, nothing off screen.
        expect(row.locator("td[data-label='Time']")).to_have_text("1.5 h")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        edit = row.get_by_role("link", name="Edit")
        delete = row.get_by_role("button", name="Delete")
        for control in (edit, delete):
            control.scroll_into_view_if_needed()
            expect(control).to_be_in_viewport()
            box = control.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        edit.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Edit")
        page.go_back()
        page.once("dialog", lambda dialog: dialog.accept())
        page.locator("table.activities tbody tr").first.get_by_role(
            "button", name="Delete").click()
        expect(page.locator("table.activities")).to_have_count(0)
    finally:
        context.close()


@pytest.mark.parametrize("locale", ["en", "es"])
def test_hr_figures_by_team_fit_a_laptop_without_scrolling(browser, live_server, demo_org,
                                                           locale):
    User.update(locale=locale).where(User.email == "hr@example.com").execute()
    context, page = signed_in(browser, live_server, "hr@example.com", LAPTOP)
    try:
        page.goto("/hr")
        assert page.evaluate("document.documentElement.lang") == locale
        table, box = page.evaluate("""() => {
          const table = document.querySelector('table.hr-teams');
          return [table.scrollWidth, table.closest('.table-wrap').clientWidth]; }""")
        assert box >= 1000  # the laptop's content box, not a squeezed one
        assert table <= box, f"the table is {table}px in a {box}px box"
        # Each short header's full name is one hover away.
        expect(page.locator("table.hr-teams abbr[title]").first).to_have_attribute(
            "title", "Headcount at the start" if locale == "en" else "Plantilla al inicio")
    finally:
        context.close()


def test_chart_text_has_one_size_on_a_laptop_and_a_phone(browser, live_server, demo_org):
    sizes = {}
    for email, path in (("agent@example.com", "/history"), ("hr@example.com", "/hr")):
        for viewport in (LAPTOP, PHONE):
            context, page = signed_in(browser, live_server, email, viewport)
            try:
                page.goto(path)
                drawn = page.evaluate(CHART_TEXT_SIZES)
                assert drawn, path
                sizes[path, viewport["width"]] = set(drawn)
                # Every chart has a name for a screen reader.
                for chart in page.locator("svg[role='img']").all():
                    assert chart.get_attribute("aria-labelledby")
                    assert chart.locator("title").first.text_content().strip()
            finally:
                context.close()
        assert sizes[path, 1280] == sizes[path, 390], path
        assert all(11 <= size <= 14 for size in sizes[path, 390]), sizes


# Cells that broke their row's borders: a cell laid out as anything but a table cell (a
# flex box of buttons, a line-clamped box), and clamped text whose box runs past its cell.
BROKEN_CELLS = """() => {
  const problems = [];
  for (const cell of document.querySelectorAll('table.data td, table.data th')) {
    if (!cell.getClientRects().length) continue;
    const style = getComputedStyle(cell);
    if (style.display !== 'table-cell')
      problems.push(`${cell.textContent.trim().slice(0, 30)}: display ${style.display}`);
    const box = cell.getBoundingClientRect();
    for (const inner of cell.querySelectorAll('*')) {
      if (getComputedStyle(inner).webkitLineClamp === 'none') continue;
      const clamped = inner.getBoundingClientRect();
      if (clamped.bottom > box.bottom - parseFloat(style.paddingBottom) + 0.5)
        problems.push(`${inner.textContent.trim().slice(0, 30)}: runs into the cell's padding`);
    }
  }
  return problems; }"""


def test_table_cells_keep_their_row_borders_on_a_laptop(browser, live_server, demo_org):
    """A clamped plan on the lead's person page and the Edit/Delete cell of the week page
    stay inside their cells, so every row's borders line up."""
    context, page = signed_in(browser, live_server, "lead@example.com", LAPTOP)
    try:
        page.goto(f"/team/{demo_org.id}")
        for fold in page.locator("details").all():
            fold.evaluate("(element) => { element.open = true; }")
        assert page.locator("table.data td p").count() or page.locator("table.data td").count()
        assert page.evaluate(BROKEN_CELLS) == []
    finally:
        context.close()
    context, page = signed_in(browser, live_server, "agent@example.com", LAPTOP)
    try:
        page.get_by_label("What you did", exact=True).select_option("docs")
        page.get_by_label("Minutes", exact=True).fill("30")
        page.locator("#note").fill("A long note " * 30)
        page.get_by_label("Minutes", exact=True).press("Enter")
        expect(page.locator("table.activities tbody tr")).to_have_count(1)
        assert page.evaluate(BROKEN_CELLS) == []
    finally:
        context.close()


# How far the first heading and the first flash message sit below the header bar.
ROOM_UNDER_HEADER = """() => {
  const bar = document.querySelector('.site-header').getBoundingClientRect().bottom;
  const first = document.querySelector('.flashes') || document.querySelector('main h1');
  return first.getBoundingClientRect().top - bar; }"""


def test_pages_start_with_room_under_the_header_and_the_leads_action_first(
        browser, live_server, demo_org):
    for viewport in (LAPTOP, PHONE):
        context, page = signed_in(browser, live_server, "lead@example.com", viewport)
        try:
            page.goto(f"/team/{demo_org.id}")
            assert page.evaluate(ROOM_UNDER_HEADER) >= 16
            # The one-on-one the lead came for is one click away in the first screen.
            record = page.get_by_role("link", name="Record a one-on-one")
            expect(record).to_be_in_viewport()
            record.click()
            expect(page.get_by_label("Held on")).to_be_in_viewport()
            page.goto("/account")
            page.get_by_role("button", name="Save").first.click()
            expect(page.locator(".flashes")).to_be_visible()
            assert page.evaluate(ROOM_UNDER_HEADER) >= 16
        finally:
            context.close()
