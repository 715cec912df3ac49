"""Accessibility: every page each role can reach (tests/e2e/pages.py) passes axe-core's
WCAG 2.1 A and AA rules with no violation, in English and Spanish, on a laptop (1280 px)
and on a phone (390 px). On the phone the same sweep checks that no page scrolls sideways
and that every table's links and buttons are on screen.

axe-core comes from npm (tests/e2e/axe, pinned by its package-lock.json: `make axe`) and is
injected into each page by Playwright, so it runs under the app's strict Content Security
Policy and nothing is fetched from elsewhere. Without it the sweep skips, except when
GROWTH_REQUIRE_BROWSER is set (CI).
"""

import os
import re
from pathlib import Path

import pytest

from growth import demo

from .conftest import serving
from .pages import ADMIN, AGENT, FORM_ADDRESSES, HR, LEAD, NOT_PAGES, SIGNED_OUT, demo_pages

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
ROLES = [SIGNED_OUT, AGENT, LEAD, HR, ADMIN]
LOCALES = {"en": "en-US", "es": "es-ES"}
# A folder to keep a full-page screenshot of every page state in, to look at changes.
SCREENSHOTS = os.environ.get("GROWTH_A11Y_SCREENSHOTS")

# Runs in the page: every table link or button a person can see, with where it sits.
TABLE_ACTIONS = """() => [...document.querySelectorAll('table a, table button')]
  .map((element) => ({element, box: element.getBoundingClientRect()}))
  .filter(({box}) => box.width > 0 && box.height > 0)
  .filter(({box}) => box.left < 0 || box.right > window.innerWidth)
  .map(({element, box}) =>
    `${element.textContent.trim()} (${Math.round(box.left)}..${Math.round(box.right)} px)`)"""

# Runs in the page: the table frames a keyboard can't scroll or a screen reader can't name.
UNNAMED_TABLE_FRAMES = """() => [...document.querySelectorAll('.table-wrap')]
  .filter((frame) => frame.getAttribute('tabindex') !== '0'
    || frame.getAttribute('role') !== 'region' || !frame.getAttribute('aria-label'))
  .map((frame) => frame.querySelector('th')?.textContent.trim())"""

RUN_AXE = """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags},
  resultTypes: ['violations']}).then((results) => results.violations.map((rule) => ({
    id: rule.id, help: rule.help,
    targets: rule.nodes.map((node) => node.target.join(' ')),
  })))"""

# Runs in the page: the focused element and the outline it shows.
FOCUS_RING = """() => { const style = getComputedStyle(document.activeElement);
  return {id: document.activeElement.id, ring: `${style.outlineStyle} ${style.outlineWidth}`}; }"""


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.exists():
        if os.environ.get("GROWTH_REQUIRE_BROWSER"):
            pytest.fail(f"the accessibility sweep is required here, but {AXE} is missing "
                        "(make axe)")
        pytest.skip("axe-core is not installed (make axe)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def demo_site(browser, axe_source, tmp_path_factory, sqlite_template):
    """The demo organisation behind a live server, shared by the module's sweeps (they only
    read, and send forms that are refused)."""
    with serving(tmp_path_factory.mktemp("a11y"), sqlite_template) as server:
        demo.build()
        yield server, demo_pages()


def _sign_in(page, email: str):
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(demo.DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form[novalidate] button[type=submit]").click()
    assert "/login" not in page.url, f"{email} could not sign in"


def _visit(page, entry, axe_source: str) -> list[str]:
    """Open one page state; what is wrong with it, one line each."""
    response = page.goto(entry.path)
    assert response.status == entry.status, f"{entry.path} answered {response.status}"
    if entry.submit:
        with page.expect_navigation():
            page.locator(entry.submit).first.click()
        assert page.locator(".field-errors, .alert-error").count(), f"{entry.name}: no error"
    page.evaluate(axe_source)
    return [f"{rule['id']} ({rule['help']}): {', '.join(rule['targets'])}"
            for rule in page.evaluate(RUN_AXE, WCAG_21_AA)]


@pytest.mark.parametrize("width", ["1280", "390"])
@pytest.mark.parametrize("language", list(LOCALES))
@pytest.mark.parametrize("role", ROLES, ids=lambda role: (role or "signed-out").split("@")[0])
def test_every_page_passes_axe(browser, demo_site, axe_source, role, language, width):
    server, pages = demo_site
    viewport = PHONE if width == "390" else LAPTOP
    context = browser.new_context(base_url=server.url, locale=LOCALES[language],
                                  viewport=viewport)
    context.set_default_timeout(15_000)
    problems = []
    try:
        page = context.new_page()
        if role:
            _sign_in(page, role)
        for entry in pages[role]:
            where = f"{entry.name} ({entry.path})"
            for line in _visit(page, entry, axe_source):
                problems.append(f"{where}: {line}")
            assert page.evaluate("document.documentElement.lang") == language, where
            for first_heading in page.evaluate(UNNAMED_TABLE_FRAMES):
                problems.append(f"{where}: the frame of the table starting “{first_heading}” "
                                "is not a named region reachable by keyboard")
            if SCREENSHOTS:
                name = "-".join([(role or "signed-out").split("@")[0], language, width,
                                 re.sub(r"\W+", "-", entry.name)])
                page.screenshot(path=Path(SCREENSHOTS) / f"a11y-{name}.png", full_page=True)
            if viewport is PHONE:
                page_width = page.evaluate("document.documentElement.scrollWidth")
                if page_width > PHONE["width"]:
                    problems.append(f"{where}: scrolls sideways ({page_width} px wide)")
                for action in page.evaluate(TABLE_ACTIONS):
                    problems.append(f"{where}: table action off screen: {action}")
    finally:
        context.close()
    assert not problems, (f"{len(problems)} problem(s) as {role or 'signed out'}, {language}, "
                          f"{width} px:\n" + "\n".join(problems))


def test_the_sweep_opens_every_page_of_the_app(demo_site):
    server, pages = demo_site
    routes = {rule.endpoint for rule in server.app.url_map.iter_rules()
              if "GET" in rule.methods} - NOT_PAGES - FORM_ADDRESSES
    opened = {entry.endpoint for entries in pages.values() for entry in entries}
    assert routes - opened == set()


def test_the_date_field_keeps_the_focus_ring_with_its_calendar_button(browser, demo_site):
    server, _pages = demo_site
    context = browser.new_context(base_url=server.url, viewport=LAPTOP)
    try:
        page = context.new_page()
        _sign_in(page, ADMIN)
        page.goto("/admin/users/new")
        date_field = page.locator("input[type=date]").first
        field_id = date_field.get_attribute("id")
        # By keyboard: Tab from the top of the form into the date and through its parts.
        page.locator("main h1").click()
        rings = []
        for _ in range(20):
            page.keyboard.press("Tab")
            focused = page.evaluate(FOCUS_RING)
            if focused["id"] == field_id:
                rings.append(focused["ring"])
            elif rings:
                break
        assert rings and set(rings) == {"solid 3px"}, rings
        # By pointer: the calendar button at the field's end opens the picker; the field
        # shows it has the focus all the same.
        page.locator("main h1").click()
        box = date_field.bounding_box()
        page.mouse.click(box["x"] + box["width"] - 14, box["y"] + box["height"] / 2)
        focused = page.evaluate(FOCUS_RING)
        assert focused == {"id": field_id, "ring": "solid 3px"}
        page.keyboard.press("Escape")
    finally:
        context.close()
