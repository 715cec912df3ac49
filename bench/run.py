"""`make bench`: Growth's heavy pages under gunicorn, against a bare Flask "hello".

Builds (or reuses) the synthetic organisation from bench/generate.py, serves it with
gunicorn (4 sync workers, 127.0.0.1 only, production settings), drives each page with wrk
(or a bounded Python load generator when wrk is missing) and prints one table with the
targets marked met or not met. See bench/README.md.

Environment:
    GROWTH_BENCH_DATABASE_URL  a PostgreSQL database to use instead of the cached SQLite file
                               (its public schema is rebuilt when it lacks this generator's data)
    BENCH_QUICK=1              200 people and 2 s per point, for development
    BENCH_PEOPLE, BENCH_SECONDS   override the size and the seconds per point
"""

import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask_login.utils import _create_identifier  # noqa: E402
from playhouse.test_utils import count_queries  # noqa: E402

import bench.generate as generator  # noqa: E402
from growth import create_app  # noqa: E402
from growth.db import database, open_database, upgrade  # noqa: E402
from growth.models import Activity, DevDay, Role, Team, User  # noqa: E402

DATA = ROOT / "bench" / "data"
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
WRK = shutil.which("wrk")
WORKERS = 4
CONCURRENCY = (8, 32)
HOST = "127.0.0.1"

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
PEOPLE = int(os.environ.get("BENCH_PEOPLE") or (200 if QUICK else 2000))
SECONDS = float(os.environ.get("BENCH_SECONDS") or (2 if QUICK else 10))
PG_URL = os.environ.get("GROWTH_BENCH_DATABASE_URL", "")

# (label, path template, who, target) — target: ("ratio", share of hello) or ("p50", ms)
PAGES = [
    ("week page", "/", "agent", ("ratio", 0.20)),
    ("history", "/history", "agent", ("ratio", 0.20)),
    ("/team (60 people)", "/team", "lead", ("ratio", 0.10)),
    ("/feedback (2 years)", "/feedback", "agent", ("ratio", 0.20)),
    ("/hr", "/hr", "hr", ("p50", 150)),
    ("retention.csv", "/hr/retention.csv", "hr", ("p50", 150)),
    ("employees.csv", "/hr/employees.csv", "hr", ("p50", 150)),
]
RSS_LIMIT_MB = 150


@dataclass
class Point:
    rps: float = 0.0
    p50: float = 0.0  # ms
    p99: float = 0.0
    errors: int = 0


@dataclass
class Row:
    label: str
    path: str
    queries: int | None = None
    queries_other: int | None = None
    status: int | None = None
    c1: Point | None = None
    points: dict = field(default_factory=dict)
    rss_mb: list = field(default_factory=list)


# Database ---------------------------------------------------------------------------------

def database_url() -> str:
    url = _generated_database()
    db = open_database(url)
    database.initialize(db)
    applied = upgrade()  # a cached database gets the indexes added since it was built
    if applied:
        print(f"Applied migrations {', '.join(applied)}", flush=True)
    db.close_all()
    return url


def _generated_database() -> str:
    if PG_URL:
        db = open_database(PG_URL)
        if not generator.is_generated(db, PEOPLE):
            db.close_all()
            print(f"Generating {PEOPLE:,} people into {redact(PG_URL)} …", flush=True)
            generator.generate(PG_URL, PEOPLE)
        else:
            db.close_all()
        return PG_URL
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"growth-v{generator.GENERATOR_VERSION}-p{PEOPLE}.db"
    url = f"sqlite:///{path}"
    if path.exists():
        db = open_database(url)
        fresh = generator.is_generated(db, PEOPLE)
        db.close_all()
        if fresh:
            return url
    for stale in DATA.glob(f"growth-v*-p{PEOPLE}.db*"):
        stale.unlink()
    print(f"Generating {PEOPLE:,} people into {path.relative_to(ROOT)} (cached for this week) …",
          flush=True)
    generator.generate(url, PEOPLE)
    return url


def redact(url: str) -> str:
    return re.sub(r"//[^@/]*@", "//…@", url)


@dataclass
class Cast:
    """The people whose pages are measured, and a lighter one per page to check that the
    number of queries does not grow with the data."""

    agent: User
    lead: User
    hr: User
    new_agent: User
    small_lead: User
    counts: dict


def find_cast() -> Cast:
    big = Team.get(Team.name == "Team 01")
    small = Team.get(Team.name == "Team 02")
    members = User.select().where(User.team == big, User.role == Role.AGENT.value,
                                  User.left_on.is_null())
    counts = {"people": User.select().count(), "teams": Team.select().count(),
              "dev days": DevDay.select().count(), "activities": Activity.select().count(),
              "team size": members.count()}
    return Cast(
        agent=members.order_by(User.id).first(),
        lead=User.get_by_id(big.lead_id),
        hr=User.select().where(User.role == Role.HR.value).order_by(User.id).first(),
        new_agent=members.order_by(User.hired_on.desc()).first(),
        small_lead=User.get_by_id(small.lead_id),
        counts=counts,
    )


def app_settings(url: str) -> dict:
    return {"GROWTH_ENV": "production", "GROWTH_SECRET_KEY": secrets.token_hex(32),
            "GROWTH_SESSION_COOKIE_SECURE": "false", "GROWTH_DATABASE_URL": url}


def measure_queries(url: str, rows: list[Row]) -> Cast:
    """SQL statements per request, counted in-process with the test client."""
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": secrets.token_hex(32),
                      "SESSION_COOKIE_SECURE": False})
    with app.app_context(), database.connection_context():
        cast = find_cast()
    today = date.today()
    short = urlencode({"from": (today - timedelta(days=30)).isoformat(),
                       "to": today.isoformat()})
    lighter = {"agent": cast.new_agent, "lead": cast.small_lead, "hr": cast.hr}
    for row, (_, path, who, _) in zip(rows, PAGES, strict=True):
        other_path = f"{path}?{short}" if who == "hr" else path
        row.status, row.queries = _count(app, getattr(cast, who), path)
        _, row.queries_other = _count(app, lighter[who], other_path)
    return cast


def _count(app, user, path) -> tuple[int, int]:
    client = app.test_client()
    with app.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()  # what login_user() stores for this browser
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session["_id"] = identifier
    client.get(path)  # a first visit may create the current review cycle
    with count_queries() as counter:
        response = client.get(path)
    return response.status_code, counter.count


# Servers ----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(app_spec: str, env: dict):
    port = free_port()
    log = open(DATA / "gunicorn.log", "ab")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [GUNICORN, "--workers", str(WORKERS), "--worker-class", "sync", "--no-control-socket",
         "--bind", f"{HOST}:{port}", "--timeout", "60", app_spec],
        cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {DATA / 'gunicorn.log'}")
            try:
                with socket.create_connection((HOST, port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start within 30 s") from None
                time.sleep(0.1)
        while len(worker_pids(process.pid)) < WORKERS and time.monotonic() < deadline:
            time.sleep(0.1)
        yield process, port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def worker_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    if children.exists():
        return [int(pid) for pid in children.read_text().split()]
    return []


def peak_rss_mb(master: int) -> list[float]:
    """VmHWM (peak resident set) of each worker, in MB."""
    peaks = []
    for pid in worker_pids(master):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
        if match:
            peaks.append(int(match[1]) / 1024)
    return peaks


# Every request of the benchmark names the same browser: a session used from another
# browser than the one that signed in is not "fresh", and HR's downloads ask for a fresh one.
AGENT = {"User-Agent": "growth-bench"}


def sign_in(port: int, email: str) -> str:
    """A Cookie header for a session signed in through the real form."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request("GET", "/login", headers=AGENT)
    response = conn.getresponse()
    page = response.read().decode()
    cookie = _cookies(response)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'name="csrf-token" content="([^"]+)"', page)
    body = urlencode({"email": email, "password": generator.BENCH_PASSWORD,
                      "csrf_token": token[1]})
    conn.request("POST", "/login", body=body, headers={
        **AGENT, "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    response = conn.getresponse()
    response.read()
    if response.status != 302:
        raise RuntimeError(f"signing in as {email} answered {response.status}")
    cookie = _cookies(response) or cookie
    # Open the first page as a browser would and keep the cookie it settles on (the
    # session's CSRF secret), so the measured requests don't each rewrite the session.
    conn.request("GET", "/", headers={**AGENT, "Cookie": cookie})
    response = conn.getresponse()
    response.read()
    conn.close()
    return _cookies(response) or cookie


def _cookies(response) -> str:
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return "; ".join(f"{name}={morsel.value}" for name, morsel in jar.items())


def fetch_status(port: int, path: str, cookie: str = "") -> int:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    conn.request("GET", path, headers={**AGENT, "Cookie": cookie} if cookie else AGENT)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


# Load -------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return float(match[1]) * _UNITS[match[2]] if match else float("nan")


def load(port: int, path: str, connections: int, seconds: float, cookie: str = "") -> Point:
    if WRK:
        return _wrk(port, path, connections, seconds, cookie)
    return _python_load(port, path, connections, seconds, cookie)


def _wrk(port, path, connections, seconds, cookie) -> Point:
    command = [WRK, "--latency", "--timeout", "30s", "-t", str(min(connections, 2)),
               "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
               "-H", f"User-Agent: {AGENT['User-Agent']}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command + [f"http://{HOST}:{port}{path}"], capture_output=True,
                            text=True, check=True, timeout=seconds + 60).stdout
    point = Point()
    point.rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    point.p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M)[1])
    point.p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M)[1])
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                              r"timeout (\d+)", output)
    point.errors = (int(errors[1]) if errors else 0) + (
        sum(int(n) for n in socket_errors.groups()) if socket_errors else 0)
    return point


def _python_load(port, path, connections, seconds, cookie) -> Point:
    """Bounded in time: each thread keeps one connection and requests until the deadline."""
    latencies, errors, lock = [], [0], threading.Lock()
    deadline = time.monotonic() + seconds
    headers = {**AGENT, "Cookie": cookie} if cookie else AGENT

    def client():
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        mine, failed = [], 0
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 200:  # a redirect to sign-in is not the page
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                continue
            mine.append((time.perf_counter() - started) * 1000)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client) for _ in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    if not latencies:
        return Point(errors=errors[0])
    return Point(rps=len(latencies) / elapsed, p50=latencies[len(latencies) // 2],
                 p99=latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
                 errors=errors[0])


# Report -----------------------------------------------------------------------------------

def verdict(ok: bool) -> str:
    return "met" if ok else "NOT MET"


def report(url: str, cast: Cast, hello: dict, hello_c1: Point, hello_rss: list,
           rows: list[Row]) -> None:
    engine = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    c = cast.counts
    print()
    print(f"Growth benchmark · {engine} · {c['people']:,} people in {c['teams']} teams · "
          f"{c['dev days']:,} dev days · {c['activities']:,} activities · "
          f"gunicorn {WORKERS} sync workers · {'wrk' if WRK else 'python load'} · "
          f"{SECONDS:g} s per point · {date.today().isoformat()}")
    # Other processes on the machine skew every number: say how busy it was.
    print(f"{os.cpu_count()} CPUs · load average at the end "
          f"{' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    head = (f"{'page':<20}{'SQL':>5}{'c1 p50 ms':>10}"
            + "".join(f"{f'c{n} req/s':>11}{'×hello':>8}{'p50 ms':>9}{'p99 ms':>9}"
                      for n in CONCURRENCY)
            + f"{'RSS MB':>8}{'err':>5}")
    print(head)
    print("-" * len(head))

    def line(label, sql, c1, points, rss, errors, ratios):
        text = f"{label:<20}{sql:>5}{c1:>10}"
        for n in CONCURRENCY:
            point = points.get(n)
            if point is None:
                text += f"{'-':>11}{'':>8}{'':>9}{'':>9}"
                continue
            text += (f"{point.rps:>11.1f}{ratios.get(n, ''):>8}{point.p50:>9.1f}"
                     f"{point.p99:>9.1f}")
        return text + f"{rss:>8}{errors:>5}"

    print(line("hello (baseline)", "-", f"{hello_c1.p50:.1f}", hello,
               f"{max(hello_rss, default=0):.0f}", sum(p.errors for p in hello.values()),
               dict.fromkeys(hello, "100%")))
    for row in rows:
        ratios = {n: f"{row.points[n].rps / hello[n].rps:.1%}" for n in row.points}
        sql = "-" if row.queries is None else str(row.queries)
        c1 = "-" if row.c1 is None else f"{row.c1.p50:.1f}"
        errors = sum(p.errors for p in row.points.values()) + (row.c1.errors if row.c1 else 0)
        print(line(row.label, sql, c1, row.points, f"{max(row.rss_mb, default=0):.0f}",
                   errors, ratios))
    print("-" * len(head))
    for row, (_, _, _who, (kind, goal)) in zip(rows, PAGES, strict=True):
        if kind == "ratio":
            worst = min(row.points[n].rps / hello[n].rps for n in row.points)
            print(f"  {row.label}: ≥ {goal:.0%} of hello throughput at c8 and c32 → "
                  f"worst {worst:.1%}: {verdict(worst >= goal)}")
        else:
            print(f"  {row.label}: p50 ≤ {goal} ms one request at a time → "
                  f"{row.c1.p50:.1f} ms: {verdict(row.c1.p50 <= goal)}")
    fixed = all(r.queries == r.queries_other for r in rows)
    detail = ", ".join(f"{r.label} {r.queries}/{r.queries_other}" for r in rows)
    print(f"  fixed queries per page (measured person / lighter person: {detail}): "
          f"{verdict(fixed)}")
    peak = max((max(r.rss_mb, default=0) for r in rows), default=0)
    print(f"  peak RSS per worker ≤ {RSS_LIMIT_MB} MB → {peak:.0f} MB: "
          f"{verdict(peak <= RSS_LIMIT_MB)}")
    bad = [r.label for r in rows if r.status != 200 or any(p.errors for p in r.points.values())]
    if bad:
        print(f"  pages that answered other than 200 or had errors: {', '.join(bad)}")


# Chores: the demo data and a backup, timed ----------------------------------------------

DEMO_LIMIT_S = 10
BACKUP_LIMIT_S = 15


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def chores(url: str) -> None:
    """How long `growth demo` takes on an empty database, and `growth backup` (SQLite's
    online backup) on the benchmark's own database: figures printed, not asserted by
    the tests."""
    import tempfile

    from growth import demo

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"ENV": "development", "SECRET_KEY": secrets.token_hex(32),
                          "DATABASE_URL": f"sqlite:///{folder}/demo.db"})
        with app.app_context():
            upgrade()
            with database.connection_context():
                seconds = _timed(lambda: demo.build(today=date.today()))
            database.obj.close_all()
        print(f"  demo data (growth demo, an empty SQLite file): {seconds:.1f} s "
              f"(≤ {DEMO_LIMIT_S} s: {verdict(seconds <= DEMO_LIMIT_S)})")
        if url.startswith("sqlite"):
            app = create_app({"ENV": "production", "SECRET_KEY": secrets.token_hex(32),
                              "DATABASE_URL": url})
            target = Path(folder) / "backup.db"
            result = []
            seconds = _timed(lambda: result.append(app.test_cli_runner().invoke(
                args=["backup", str(target)])))
            database.obj.close_all()
            size = target.stat().st_size / 1e6 if target.exists() else 0
            ok = result[0].exit_code == 0 and seconds <= BACKUP_LIMIT_S
            print(f"  backup (growth backup) of the benchmark database, {size:,.0f} MB: "
                  f"{seconds:.1f} s (≤ {BACKUP_LIMIT_S} s: {verdict(ok)})")


def main() -> int:
    url = database_url()
    if sys.argv[1:] == ["chores"]:
        chores(url)
        return 0
    rows = [Row(label=label, path=path) for label, path, _, _ in PAGES]
    cast = measure_queries(url, rows)
    database.obj.close_all()

    print(f"Measuring hello and {len(PAGES)} pages, {SECONDS:g} s per point …", flush=True)
    hello = {}
    with gunicorn("bench.hello:create_app()", {}) as (process, port):
        load(port, "/", 8, 1)  # warm up
        hello_c1 = load(port, "/", 1, SECONDS)
        for n in CONCURRENCY:
            hello[n] = load(port, "/", n, SECONDS)
        hello_rss = peak_rss_mb(process.pid)

    env = app_settings(url)
    for row, (_, path, who, _) in zip(rows, PAGES, strict=True):
        # A fresh server per page, so each page's peak RSS is its own.
        with gunicorn("growth:create_app()", env) as (process, port):
            cookie = sign_in(port, getattr(cast, who).email)
            if fetch_status(port, path, cookie) != 200:
                row.status = fetch_status(port, path, cookie)
            load(port, path, 8, 1, cookie)  # warm up every worker
            row.c1 = load(port, path, 1, SECONDS, cookie)
            for n in CONCURRENCY:
                row.points[n] = load(port, path, n, SECONDS, cookie)
            row.rss_mb = peak_rss_mb(process.pid)
    report(url, cast, hello, hello_c1, hello_rss, rows)
    chores(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
