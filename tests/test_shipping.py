"""The shipped artefact, run the way the README's Production section says.

The sdist and the wheel are built from this checkout (the wheel from the sdist), installed
with their dependencies into a new virtual environment in a temporary folder, and run from
there with the working directory outside the checkout: `growth db upgrade`, `growth
create-user`, `growth set-password` from standard input, then gunicorn behind Debian's nginx
(a TLS-less reverse proxy, GROWTH_PROXY_FIX_HOPS=1). Every request is made through nginx from
127.0.0.2, a loopback address of the test's own, so the audit log must name that address,
not the proxy's. Runs on SQLite and, when GROWTH_TEST_DATABASE_URL is set, on a fresh
PostgreSQL database.
"""

import csv
import http.client
import io
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import zipfile
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg
import pytest
from babel.messages.pofile import read_po

from tests.conftest import PG_URL, csrf_token_in, fresh_database

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
CLIENT_ADDRESS = "127.0.0.2"  # the browser's address; nginx and gunicorn are on 127.0.0.1
DEMO_PASSWORD = "growth-demo-2026"
NEW_PASSWORD = "a long passphrase for the new agent"
_STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)"')
_NAV_LINK = re.compile(r'<li><a href="(/[^"]*)"')

if not os.path.exists(NGINX):
    if os.environ.get("GROWTH_REQUIRE_SHIPPING"):
        raise RuntimeError("GROWTH_REQUIRE_SHIPPING is set but nginx is not installed")
    pytest.skip("nginx is not installed (apt-get install nginx)", allow_module_level=True)


def _run(command, *, cwd, env, stdin=None, check=True):
    result = subprocess.run(command, cwd=cwd, env=env, input=stdin, capture_output=True,
                            text=True, timeout=600)
    if check:
        assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """The sdist and the wheel built from it, as `make dist` builds them."""
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
         cwd=out, env=os.environ)
    _run([sys.executable, "-m", "twine", "check", "--strict", *map(str, out.iterdir())],
         cwd=out, env=os.environ)
    (wheel,) = out.glob("growth-*.whl")
    (sdist,) = out.glob("growth-*.tar.gz")
    return wheel, sdist


@pytest.fixture(scope="module")
def venv(dist, tmp_path_factory):
    """A new virtual environment, outside the checkout, with the wheel and its dependencies."""
    wheel, _sdist = dist
    folder = tmp_path_factory.mktemp("site") / "venv"
    _run([sys.executable, "-m", "venv", str(folder)], cwd=folder.parent, env=os.environ)
    _run([str(folder / "bin" / "python"), "-m", "pip", "install", "--quiet",
          "--disable-pip-version-check", str(wheel)], cwd=folder.parent, env=os.environ)
    return folder


def test_the_wheel_holds_every_file_the_app_reads(dist):
    wheel, _sdist = dist
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("templates", "static", "migrations"):
        files = [p for p in (ROOT / folder).rglob("*")
                 if p.is_file() and "__pycache__" not in p.parts]
        assert files
        for path in files:
            assert f"growth/{path.relative_to(ROOT)}" in names
    for po in (ROOT / "growth" / "translations").glob("*/LC_MESSAGES/messages.po"):
        assert str(po.relative_to(ROOT).with_suffix(".mo")) in names
    assert not [n for n in names if n.startswith(("tests/", "bench/", "instance/"))]


def test_the_installed_package_reads_nothing_from_the_checkout(venv, tmp_path):
    python = str(venv / "bin" / "python")
    probe = ("import growth, growth.resources as r; from growth.db import migrations_dir\n"
             "print(growth.__file__); print(r.folder('templates')); print(r.folder('static'))\n"
             "print(migrations_dir()); print(r.is_source_checkout()); print(r.instance_path())")
    env = {**os.environ, "GROWTH_ENV": "development"}
    env.pop("GROWTH_INSTANCE_PATH", None)
    lines = _run([python, "-c", probe], cwd=tmp_path, env=env).stdout.split()
    site = str(venv)
    assert all(line.startswith(site) for line in lines[:4]), lines
    assert lines[4] == "False"
    assert lines[5] == "None"  # Flask's default: <prefix>/var/growth-instance
    result = _run([python, "-c", "from growth import create_app; print(create_app()"
                   ".instance_path)"], cwd=tmp_path, env=env)
    assert result.stdout.strip() == str(venv / "var" / "growth-instance")
    assert "site-packages" not in result.stdout
    version = _run([str(venv / "bin" / "growth"), "--version"], cwd=tmp_path, env=env)
    from growth import __version__

    assert version.stdout.strip() == f"growth {__version__}"


@pytest.mark.parametrize("problem, setting", [
    ({"GROWTH_SECRET_KEY": ""}, "GROWTH_SECRET_KEY"),
    ({"GROWTH_SECRET_KEY": "short"}, "GROWTH_SECRET_KEY"),
    ({"GROWTH_ENV": "staging"}, "GROWTH_ENV"),
    ({"GROWTH_DATABASE_URL": "sqlite:///relative.db"}, "GROWTH_DATABASE_URL"),
    ({"GROWTH_DATABASE_URL": "mysql://db/growth"}, "GROWTH_DATABASE_URL"),
])
def test_a_configuration_error_is_one_line_and_status_2(venv, tmp_path, problem, setting):
    env = {**os.environ, "GROWTH_ENV": "production", "GROWTH_SECRET_KEY": secrets.token_hex(32),
           "GROWTH_DATABASE_URL": f"sqlite:///{tmp_path}/growth.db", **problem}
    for command in ([str(venv / "bin" / "growth"), "db", "upgrade"],
                    [str(venv / "bin" / "gunicorn"), "--preload", "--no-control-socket",
                     "--bind", f"127.0.0.1:{_free_port()}", "growth:create_app()"]):
        result = _run(command, cwd=tmp_path, env=env, check=False)
        errors = [line for line in result.stderr.splitlines()
                  if setting in line and line.startswith("Error:")]
        assert result.returncode == 2, (command, result.stderr)
        assert len(errors) == 1, result.stderr
        assert "Traceback" not in result.stderr


def test_without_migration_files_upgrade_and_start_up_fail(venv, tmp_path):
    site = next((venv / "lib").glob("python3*/site-packages"))
    hidden = tmp_path / "hidden-migrations"
    shutil.move(site / "growth" / "migrations", hidden)
    env = {**os.environ, "GROWTH_ENV": "production", "GROWTH_SECRET_KEY": secrets.token_hex(32),
           "GROWTH_DATABASE_URL": f"sqlite:///{tmp_path}/growth.db"}
    try:
        upgrade = _run([str(venv / "bin" / "growth"), "db", "upgrade"], cwd=tmp_path, env=env,
                       check=False)
        start = _run([str(venv / "bin" / "gunicorn"), "--preload", "--no-control-socket",
                      "--bind", f"127.0.0.1:{_free_port()}", "growth:create_app()"],
                     cwd=tmp_path, env=env, check=False)
    finally:
        shutil.move(hidden, site / "growth" / "migrations")
    for result in (upgrade, start):
        assert result.returncode == 2, result.stderr
        assert "Error: No migration files" in result.stderr or "no migrations/" in \
            result.stderr, result.stderr
        assert "Traceback" not in result.stderr
    assert "up to date" not in upgrade.stdout
    assert not (tmp_path / "growth.db").exists() or _tables(tmp_path / "growth.db") == set()


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


# --- The production run ----------------------------------------------------------------------

def _wait_for(port: int, process: subprocess.Popen, log: Path, what: str):
    deadline = time.monotonic() + 60
    while True:
        assert process.poll() is None, f"{what} stopped:\n{log.read_text()}"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            assert time.monotonic() < deadline, f"{what} did not start:\n{log.read_text()}"
            time.sleep(0.2)


@contextmanager
def _serving(command, *, cwd, env, port, log, what):
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=out)
        try:
            _wait_for(port, process, log, what)
            yield process
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


NGINX_CONF = """\
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log {root}/access.log;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
{site}
}}
"""


def _nginx_site(listen: int, upstream: int) -> str:
    """The site block the README's Production section shows, with this run's ports."""
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```nginx\n(.*?)```", readme, re.S)
    assert block, "the README shows no nginx site"
    site = block[1].replace("listen 80;", f"listen 127.0.0.1:{listen};")
    site = site.replace("server_name growth.example.com;", "server_name localhost;")
    assert "127.0.0.1:8000" in site
    return site.replace("127.0.0.1:8000", f"127.0.0.1:{upstream}")


class Browser:
    """A person's browser at 127.0.0.2, talking to nginx, keeping cookies as a browser would
    (Secure ones too: nginx here stands in for the TLS proxy of a real deployment)."""

    def __init__(self, port: int, language: str = "en"):
        self.port = port
        self.language = language
        self.cookies: dict[str, str] = {}
        self.token = ""

    def request(self, method: str, path: str, form: dict | None = None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60,
                                          source_address=(CLIENT_ADDRESS, 0))
        headers = {"Accept-Language": self.language,
                   "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode({**form, "csrf_token": self.token})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        jar = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            jar.load(header)
        self.cookies.update({name: morsel.value for name, morsel in jar.items()})
        if response.headers.get("Content-Type", "").startswith("text/html"):
            self.token = csrf_token_in(data.decode()) or self.token
        return response, data

    def get(self, path: str):
        response, data = self.request("GET", path)
        return response, data.decode(errors="replace")

    def sign_in(self, email: str, password: str, lands_on: str = "/") -> "Browser":
        self.get("/login")
        response, _data = self.request("POST", "/login", {"email": email,
                                                          "password": password})
        assert response.status == 302, (email, response.status)
        assert urlsplit(response.headers["Location"]).path == lands_on
        return self


def _spanish(*texts: str) -> list[str]:
    with (ROOT / "growth/translations/es/LC_MESSAGES/messages.po").open("rb") as po:
        catalog = read_po(po)
    return [catalog[text].string for text in texts]


@pytest.fixture(params=["sqlite"] + (["postgresql"] if PG_URL else []))
def production(request, venv, tmp_path):
    """The README's Production steps, run from the installed package behind nginx."""
    bin_dir = venv / "bin"
    work = tmp_path / "srv"  # the working directory: outside the checkout
    (work / "data").mkdir(parents=True)
    with fresh_database(request.param, work / "data", f"growth_ship_{os.getpid()}") as \
            database_url:
        env = {**os.environ, "GROWTH_ENV": "production",
               "GROWTH_SECRET_KEY": secrets.token_hex(32),
               "GROWTH_DATABASE_URL": database_url, "GROWTH_PROXY_FIX_HOPS": "1",
               "PATH": f"{bin_dir}:{os.environ['PATH']}"}
        for name in ("GROWTH_INSTANCE_PATH", "PYTHONPATH"):
            env.pop(name, None)
        upgrade = _run(["growth", "db", "upgrade"], cwd=work, env=env)
        assert "0001_foundation" in upgrade.stdout
        assert "up to date" in _run(["growth", "db", "upgrade"], cwd=work, env=env).stdout
        _run(["growth", "demo"], cwd=work, env=env)
        _run(["growth", "create-user", "new.agent@example.com", "--name", "Nora New",
              "--role", "agent", "--team", "Tier 1"], cwd=work, env=env)
        _run(["growth", "set-password", "new.agent@example.com"], cwd=work, env=env,
             stdin=NEW_PASSWORD + "\n")
        app_port, proxy_port = _free_port(), _free_port()
        gunicorn = [str(bin_dir / "gunicorn"), "--preload", "--workers", "2",
                    "--bind", f"127.0.0.1:{app_port}", "--no-control-socket",
                    "growth:create_app()"]
        nginx_root = work / "nginx"
        for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (nginx_root / folder).mkdir(parents=True)
            (nginx_root / folder).chmod(0o777)  # nginx's worker may run as nobody
        conf = nginx_root / "nginx.conf"
        conf.write_text(NGINX_CONF.format(root=nginx_root,
                                          site=_nginx_site(proxy_port, app_port)))
        _run([NGINX, "-t", "-p", str(nginx_root), "-e", str(nginx_root / "error.log"),
              "-c", str(conf)], cwd=work, env=env)
        with _serving(gunicorn, cwd=work, env=env, port=app_port, log=work / "gunicorn.log",
                      what="gunicorn"), \
             _serving([NGINX, "-p", str(nginx_root), "-e", str(nginx_root / "error.log"),
                       "-c", str(conf), "-g", "daemon off;"], cwd=work, env=env,
                      port=proxy_port, log=work / "nginx.log", what="nginx"):
            yield proxy_port, database_url


def test_production_install_behind_nginx(production):
    port, database_url = production

    agent = Browser(port).sign_in("new.agent@example.com", NEW_PASSWORD)
    response, page = agent.get("/")
    assert response.status == 200
    assert "Nora New" in page and "My week" in page

    # The same page in Spanish, from the compiled catalog inside the wheel.
    spanish = Browser(port, language="es").sign_in("new.agent@example.com", NEW_PASSWORD)
    response, page = spanish.get("/")
    assert response.status == 200
    for text in _spanish("My week", "Sign out"):
        assert text in page

    # Every stylesheet is versioned and cached for a year; a bare URL is revalidated.
    stylesheets = _STYLESHEET.findall(page)
    assert stylesheets
    for href in stylesheets:
        assert "?v=" in href
        response, css = agent.request("GET", href)
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/css")
        assert "max-age=31536000" in response.headers["Cache-Control"]
        assert len(css) > 100
        bare, _css = agent.request("GET", href.split("?")[0])
        assert bare.status == 200 and "max-age=31536000" not in bare.headers["Cache-Control"]

    # Every role's pages, in English and in Spanish, each with its stylesheet.
    for email, landing in (("agent@example.com", "/"), ("lead@example.com", "/team"),
                           ("hr@example.com", "/hr"), ("admin@example.com", "/admin/users")):
        for language in ("en", "es"):
            person = Browser(port, language).sign_in(email, DEMO_PASSWORD, landing)
            _response, home = person.get("/")
            links = sorted(set(_NAV_LINK.findall(home)))
            assert len(links) >= 4
            for link in links:
                response, page = person.get(link)
                assert response.status == 200, (email, language, link)
                assert _STYLESHEET.search(page), (email, link)
                assert f'<html lang="{language}"' in page, (email, link)

    # An HR download through the proxy.
    hr = Browser(port).sign_in("hr@example.com", DEMO_PASSWORD, "/hr")
    response, data = hr.request("GET", "/hr/retention.csv?from=2025-01-01&to=2025-12-31")
    assert response.status == 200
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["team", "headcount_start", "headcount_end"]
    assert rows[-1][0] == "ALL" and len(rows) > 2

    # The audit log names the browser's address as nginx passed it on, not the proxy's.
    addresses = _audit_addresses(database_url)
    assert addresses["sign_in"] == {CLIENT_ADDRESS}
    assert addresses["hr_export_retention"] == {CLIENT_ADDRESS}


def _audit_addresses(database_url: str) -> dict[str, set[str]]:
    query = "SELECT action, address FROM audit_event"
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            rows = db.execute(query).fetchall()
    else:
        with psycopg.connect(database_url) as db:
            rows = db.execute(query).fetchall()
    found: dict[str, set[str]] = {}
    for action, address in rows:
        found.setdefault(action, set()).add(address)
    return found
