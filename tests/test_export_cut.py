"""An HR download that runs past its time after some rows were sent (EXP-02): the response is
cut, never ended, so the person's browser reports a failed download instead of saving a
file that looks complete. In-process first (the app's iterator fails instead of ending),
then over real sockets: gunicorn alone, and behind the README's nginx."""

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from growth.hr import exports
from growth.models import AuditEvent, Role

from .conftest import PASSWORD, TEST_HASH

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
FROM, TO = date(2025, 1, 6), date(2025, 3, 31)
PERIOD = {"from": FROM.isoformat(), "to": TO.isoformat()}
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


@pytest.fixture
def hr(make_team, make_user):
    """HR and two agents: three rows in the employees export."""
    make_user(Role.AGENT, team=make_team("Team A"))
    make_user(Role.AGENT, team=make_team("Team B"))
    return make_user(Role.HR)


class Stopwatch:
    """Stands in for `time` in growth.hr.exports: monotonic() is what the test sets."""

    def __init__(self):
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now


def test_past_its_time_midway_the_stream_fails_instead_of_ending(app, db, hr, client_for,
                                                                 monkeypatch, caplog):
    stopwatch = Stopwatch()
    monkeypatch.setattr(exports, "time", stopwatch)
    monkeypatch.setattr(exports, "CHUNK", 1)  # a chunk a row
    whole = exports.render("employees", FROM, TO, "csv")
    answer = client_for(hr).get("/hr/employees.csv", query_string=PERIOD, buffered=False)
    assert answer.status_code == 200 and "Content-Length" not in answer.headers
    chunks = iter(answer.response)
    first = next(chunks)
    assert first == b"\r\n".join(whole.split(b"\r\n")[:2]) + b"\r\n"  # the header, one row
    stopwatch.now = app.config["EXPORT_MAX_SECONDS"] + 1
    with pytest.raises(exports.ExportTimeout):
        next(chunks)  # not StopIteration: a server can't end this response as complete
    answer.close()
    assert "export stopped: past its time" in caplog.text
    assert not db.in_transaction()
    assert AuditEvent.select().where(AuditEvent.action == "hr_export_employees").count() == 1


# Over real sockets ------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _wait_for(port: int, process, log: Path, what: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, f"{what} stopped:\n{log.read_text()}"
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            assert time.monotonic() < deadline, f"{what} did not start:\n{log.read_text()}"
            time.sleep(0.2)


@contextmanager
def _running(command: list[str], port: int, log: Path, what: str, **options):
    with open(log, "wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=out, **options)
        try:
            _wait_for(port, process, log, what)
            yield
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def gunicorn(database_url, hr, tmp_path):
    """One sync worker serving tests/export_cut_app.py on this test's database."""
    port = _free_port()
    env = {**os.environ, "GROWTH_ENV": "production",
           "GROWTH_SECRET_KEY": secrets.token_hex(32),
           "GROWTH_SESSION_COOKIE_SECURE": "false", "GROWTH_DATABASE_URL": database_url,
           "GROWTH_PASSWORD_HASH": json.dumps(TEST_HASH), "GROWTH_PROXY_FIX_HOPS": "1",
           "GROWTH_EXPORT_MAX_SECONDS": "2.5"}
    command = [str(Path(sys.executable).parent / "gunicorn"), "--workers", "1",
               "--worker-class", "sync", "--no-control-socket", "--bind", f"{HOST}:{port}",
               "tests.export_cut_app:app()"]
    with _running(command, port, tmp_path / "gunicorn.log", "gunicorn", cwd=ROOT, env=env):
        yield port


NGINX_CONF = """\
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log;
daemon off;
events {{ worker_connections 16; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
{site}
}}
"""


@pytest.fixture
def nginx(gunicorn, tmp_path):
    """The README's nginx site in front of gunicorn."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(binary):
        pytest.skip("nginx is not installed")
    block = re.search(r"```nginx\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    assert block, "the README shows no nginx site"
    port = _free_port()
    site = (block[1].replace("listen 80;", f"listen {HOST}:{port};")
            .replace("127.0.0.1:8000", f"{HOST}:{gunicorn}"))
    root = tmp_path / "nginx"
    root.mkdir()
    conf = root / "nginx.conf"
    conf.write_text(NGINX_CONF.format(root=root, site=site))
    with _running([binary, "-c", str(conf), "-p", str(root)], port, root / "stdout.log",
                  "nginx"):
        yield port


def _request(port, method, path, cookies, form=None):
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    body = None
    if form is not None:
        body = urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    conn.request(method, path, body=body, headers=headers)
    return conn, conn.getresponse()


def _signed_in(port: int, email: str) -> dict:
    cookies: dict[str, str] = {}

    def keep(response):
        jar = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        cookies.update({name: morsel.value for name, morsel in jar.items()})

    conn, response = _request(port, "GET", "/login", cookies)
    page = response.read().decode()
    conn.close()
    keep(response)
    conn, response = _request(port, "POST", "/login", cookies, {
        "email": email, "password": PASSWORD, "csrf_token": _CSRF.search(page)[1]})
    response.read()
    conn.close()
    assert response.status == 302, response.status
    keep(response)
    return cookies


def _download_is_cut(port: int, hr) -> None:
    cookies = _signed_in(port, hr.email)
    conn, response = _request(port, "GET", f"/hr/employees.csv?{urlencode(PERIOD)}", cookies)
    try:
        assert response.status == 200
        assert response.getheader("Transfer-Encoding") == "chunked"
        with pytest.raises(http.client.IncompleteRead) as cut:
            response.read()
    finally:
        conn.close()
    whole = exports.render("employees", FROM, TO, "csv")
    sent = cut.value.partial
    assert sent.startswith(b"email,name,") and len(sent) < len(whole)


@pytest.mark.slow
def test_gunicorn_cuts_a_download_past_its_time(gunicorn, hr):
    _download_is_cut(gunicorn, hr)


@pytest.mark.slow
def test_behind_the_readmes_nginx_the_browser_sees_the_download_fail(nginx, hr):
    _download_is_cut(nginx, hr)
