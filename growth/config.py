"""Configuration in layers: defaults, instance config, GROWTH_* environment, test mapping."""

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from .resources import ConfigError

WEAK_SECRETS = {"", "dev", "secret", "changeme", "change-me", "development"}


class Defaults:
    ENV = "production"
    DATABASE_URL = None  # filled in from the instance folder when not configured
    SECRET_KEY = None
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # ASVS 4 3.3.2 (L2): signed out after 30 idle minutes and 12 hours after signing in.
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    # The cookie is sent again only when the session changes (`seen_at` moves once a minute);
    # both limits are checked on the server, not left to the cookie's expiry.
    SESSION_REFRESH_EACH_REQUEST = False
    REMEMBER_COOKIE_DURATION = timedelta(hours=12)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    MAX_CONTENT_LENGTH = 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 500_000
    MAX_FORM_PARTS = 1000
    # An HR download holds at most this many rows (50 times the 2,000 people Growth is
    # sized for)...
    EXPORT_MAX_ROWS = 100_000
    # ...and is sent within this many seconds, under gunicorn's default --timeout of 30 s. A
    # CSV streams some 20,000 rows a second; openpyxl writes an XLSX at under 2,000, so an
    # XLSX past some 30,000 rows is stopped by time before rows.
    EXPORT_MAX_SECONDS = 20
    # Argon2id; argon2-cffi's RFC 9106 low-memory profile (t=3, m=64 MiB, p=4)
    # is above OWASP's minimum of t=2, m=19 MiB, p=1.
    PASSWORD_HASH = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}
    LOGIN_ACCOUNT_LIMIT = 10
    LOGIN_ADDRESS_LIMIT = 100
    LOGIN_WINDOW = timedelta(minutes=15)
    # An admin's password reset gives the person a link that works once, for this long.
    SET_PASSWORD_LINK_LIFETIME = timedelta(hours=24)
    # How long a team's members see "your team's lead is now …" on their week page.
    TEAM_LEAD_NOTICE = timedelta(weeks=4)
    PROXY_FIX_HOPS = 0
    BABEL_DEFAULT_LOCALE = "en"
    LANGUAGES = ("en", "es")
    DB_POOL_SIZE = 16
    # Reminders by email (growth remind) and links in emails and calendar feeds.
    BASE_URL = None
    MAIL_SERVER = None
    MAIL_PORT = None  # 25, 587 with starttls, 465 with tls
    MAIL_SECURITY = "none"
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_FROM = None
    MAIL_TIMEOUT = 30


def _instance_secret(instance_path: str) -> str:
    """Development keeps a generated key in the instance folder across restarts."""
    path = Path(instance_path) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def load(app, test_config=None):
    """Fill app.config; raise ConfigError naming the setting when one is unusable, or unsafe
    in production."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("GROWTH")
    if test_config:
        app.config.update(test_config)

    env = app.config["ENV"]
    if env not in ("production", "development"):
        raise ConfigError(f"GROWTH_ENV must be 'production' or 'development', not {env!r}.")
    if app.config["DATABASE_URL"]:
        _check_database_url(app.config["DATABASE_URL"])
    else:
        db_path = Path(app.instance_path) / "growth.db"
        db_path.parent.mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = f"sqlite:///{db_path}"

    if env == "development":
        if not app.config["SECRET_KEY"]:
            app.config["SECRET_KEY"] = _instance_secret(app.instance_path)
        # Plain http://127.0.0.1 in development: no Secure cookie unless asked for.
        asked = "GROWTH_SESSION_COOKIE_SECURE" in os.environ or "SESSION_COOKIE_SECURE" in (
            test_config or {})
        if not asked:
            app.config["SESSION_COOKIE_SECURE"] = False
    else:
        _refuse_unsafe_production(app.config)
    _check_mail(app.config)
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    if app.config["SESSION_COOKIE_SECURE"] and "SESSION_COOKIE_NAME" not in (test_config or {}):
        # The __Host- prefix: the browser keeps it only if Secure, Path=/ and no Domain.
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"


def _refuse_unsafe_production(config):
    key = config.get("SECRET_KEY") or ""
    if key.lower() in WEAK_SECRETS or len(key) < 32:
        raise ConfigError(
            "GROWTH_SECRET_KEY must be set to at least 32 random characters in production "
            "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
        )
    if config.get("DEBUG"):
        raise ConfigError("GROWTH_DEBUG must be off in production.")
    if config.get("TESTING"):
        raise ConfigError("GROWTH_TESTING must be off in production.")
    if not config.get("MAX_CONTENT_LENGTH"):
        raise ConfigError("GROWTH_MAX_CONTENT_LENGTH must be set in production.")
    if config.get("SESSION_COOKIE_DOMAIN") or config.get("SESSION_COOKIE_PATH") not in (None, "/"):
        raise ConfigError("The session cookie is for this host only: leave "
                          "GROWTH_SESSION_COOKIE_DOMAIN and GROWTH_SESSION_COOKIE_PATH unset.")
    url = config["DATABASE_URL"]
    if url.startswith("sqlite") and not _local_sqlite_path(url):
        raise ConfigError("GROWTH_DATABASE_URL must name a SQLite file by its absolute path on "
                          "a local disk in production (sqlite:////var/lib/growth/growth.db; "
                          "WAL mode does not work over NFS or SMB).")


MAIL_SECURITY = ("none", "starttls", "tls")
MAIL_PORTS = {"none": 25, "starttls": 587, "tls": 465}


def _check_mail(config) -> None:
    """Refuse a mail or base-URL setting `growth remind` could not use, naming it."""
    base = config.get("BASE_URL")
    if base:
        parts = urlsplit(str(base))
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
            raise ConfigError("GROWTH_BASE_URL must be the public address starting with "
                              "http:// or https:// (for example https://growth.example.com).")
        config["BASE_URL"] = str(base).rstrip("/")
    security = str(config.get("MAIL_SECURITY") or "none").lower()
    if security not in MAIL_SECURITY:
        raise ConfigError("GROWTH_MAIL_SECURITY must be none, starttls or tls.")
    config["MAIL_SECURITY"] = security
    port = config.get("MAIL_PORT")
    if port in (None, ""):
        port = MAIL_PORTS[security]
    try:
        port = int(port)
    except (TypeError, ValueError):
        port = 0
    if not 1 <= port <= 65535:
        raise ConfigError("GROWTH_MAIL_PORT must be a port number from 1 to 65535.")
    config["MAIL_PORT"] = port
    server = config.get("MAIL_SERVER")
    if server is not None and (not str(server).strip() or any(c.isspace() for c in str(server))):
        raise ConfigError("GROWTH_MAIL_SERVER must be a host name or address.")
    sender = config.get("MAIL_FROM")
    if sender is not None and ("@" not in str(sender) or "\n" in str(sender)
                               or "\r" in str(sender)):
        raise ConfigError("GROWTH_MAIL_FROM must be an email address (for example "
                          "Growth <growth@example.com>).")
    for name in ("MAIL_USERNAME", "MAIL_PASSWORD"):
        if config.get(name) is not None:
            config[name] = str(config[name])  # a numeric password arrives parsed as JSON
    if bool(config.get("MAIL_USERNAME")) != bool(config.get("MAIL_PASSWORD")):
        raise ConfigError("GROWTH_MAIL_USERNAME and GROWTH_MAIL_PASSWORD go together: set "
                          "both or neither.")


def mail_problem(config) -> str | None:
    """What is missing for sending mail, or None."""
    for name in ("MAIL_SERVER", "MAIL_FROM", "BASE_URL"):
        if not config.get(name):
            return f"GROWTH_{name} must be set to send reminders."
    return None


DATABASE_SCHEMES = ("sqlite", "sqlite+pool", "postgresql", "postgres", "postgresql+pool")


def _check_database_url(url) -> None:
    """Refuse a URL peewee would misread: an unknown scheme, no database name, or
    `sqlite://name.db` (two slashes: peewee opens an in-memory database that vanishes)."""
    example = ("sqlite:////absolute/path/growth.db or "
               "postgresql://user:password@host:5432/growth")
    try:
        parts = urlsplit(str(url))
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in DATABASE_SCHEMES:
        raise ConfigError(f"GROWTH_DATABASE_URL must be a database URL such as {example}.")
    if parts.scheme.startswith("sqlite") and (parts.netloc or parts.path in ("", "/")):
        raise ConfigError("GROWTH_DATABASE_URL needs three slashes and a file for SQLite: "
                          "sqlite:///relative.db or sqlite:////absolute/path/growth.db.")
    if parts.scheme.startswith("postgres") and parts.path.strip("/") == "":
        raise ConfigError(f"GROWTH_DATABASE_URL must name the database, as in {example}.")


NETWORK_FILESYSTEMS = ("nfs", "nfs4", "cifs", "smb", "smb3", "smbfs", "9p", "fuse.sshfs")


def _local_sqlite_path(url: str) -> bool:
    """True when a sqlite:/// URL names an absolute path that is not on a network mount."""
    path = url.split("://", 1)[1]
    path = path[1:] if path.startswith("/") else path  # sqlite:////abs -> /abs
    path = path.split("?", 1)[0]
    if not path.startswith("/"):
        return False
    return _filesystem_type(Path(path).parent) not in NETWORK_FILESYSTEMS


MOUNTS = Path("/proc/mounts")
_OCTAL_ESCAPE = re.compile(r"\\([0-7]{3})")


def _mount_point(field: str) -> str:
    """A mount point as /proc/mounts writes it, with a space, tab, newline or backslash in
    the path as an octal escape (\\040, \\011, \\012, \\134), read back."""
    return _OCTAL_ESCAPE.sub(lambda found: chr(int(found[1], 8)), field)


def _filesystem_type(folder: Path) -> str:
    """The type of the mount holding `folder`, from /proc/mounts ("" when unknown). The
    table lists mounts in the order they were made, and a mount hides whatever was mounted
    beneath its mount point before it: the last mount holding the folder is the one its
    files are on (not the longest mount point, which may be hidden)."""
    try:
        mounts = MOUNTS.read_text().splitlines()
    except OSError:
        return ""
    folder_text = str(folder.resolve())
    kind = ""
    for line in mounts:
        fields = line.split()
        if len(fields) < 3:
            continue
        mount_point = _mount_point(fields[1])
        if folder_text == mount_point or folder_text.startswith(mount_point.rstrip("/") + "/"):
            kind = fields[2]
    return kind
