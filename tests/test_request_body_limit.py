"""A request body over MAX_CONTENT_LENGTH is refused whole (413, nothing written), whether
it says its length or comes chunked. Werkzeug's test client always sends a length, so this
runs against real gunicorn, which de-chunks the body itself."""

import http.client
from urllib.parse import urlencode

import pytest

from growth.forms import new_submission_key
from growth.models import Goal, Role
from tests.test_concurrency import HOST, Browser, _gunicorn

pytestmark = pytest.mark.slow

LIMIT = 1024 * 1024  # the production default, which the server below runs with


def _post(browser: Browser, path: str, fields: list[tuple[str, str]], *, chunked: bool):
    """POST url-encoded `fields` on a fresh connection; chunked in 64 kB pieces or with a
    Content-Length. Returns (status, body text)."""
    body = urlencode([("csrf_token", browser.token), *fields]).encode()
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items()),
               "Content-Type": "application/x-www-form-urlencoded"}
    conn = http.client.HTTPConnection(HOST, browser.port, timeout=60)
    try:
        if chunked:
            pieces = (body[i:i + 65536] for i in range(0, len(body), 65536))
            conn.request("POST", path, body=pieces, headers=headers, encode_chunked=True)
        else:
            conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


def _goal_fields(title: str, padding: int) -> list[tuple[str, str]]:
    # The padding sits between the fields, so a body cut at the limit keeps the title and
    # loses what follows it.
    return [("title", title), ("submission", new_submission_key()), ("padding", "x" * padding),
            ("why", "after the padding")]


@pytest.mark.parametrize("chunked", [True, False], ids=["chunked", "content-length"])
def test_a_body_over_the_limit_is_refused_whole(app, database_url, make_user, tmp_path,
                                                chunked):
    agent = make_user(Role.AGENT, email="body-limit@example.com")
    with _gunicorn(database_url, tmp_path / "gunicorn.log") as port:
        browser = Browser(port).sign_in(agent.email)
        browser.request("GET", "/goals")

        status, _ = _post(browser, "/goals", _goal_fields("Too big", LIMIT + 100_000),
                          chunked=chunked)
        assert status == 413
        assert not Goal.select().where(Goal.owner == agent.id).exists()

        # A body under the limit, chunked or not, is read whole and saved.
        status, _ = _post(browser, "/goals", _goal_fields("Fits", 900_000), chunked=chunked)
        assert status == 302
        goal = Goal.get(Goal.owner == agent.id)
        assert (goal.title, goal.why) == ("Fits", "after the padding")
        browser.close()
