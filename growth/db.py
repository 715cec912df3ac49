"""The database: one proxy, pooled connections per request, SQLite pragmas, migrations."""

from flask import g
from peewee import DatabaseProxy, Model, OperationalError
from playhouse.db_url import connect as connect_url
from playhouse.migrations import Migration, Runner

from . import resources
from .resources import ConfigError

database = DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "busy_timeout": 5000,
    "synchronous": "full",
    "foreign_keys": 1,
    "cache_size": -64000,
}

# Server settings for every PostgreSQL connection, unless the URL gives its own `options`.
POSTGRES_SESSION_OPTIONS = "-c lock_timeout=5000 -c statement_timeout=30000"


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


def _pooled(url: str) -> str:
    for plain in ("sqlite", "postgresql", "postgres"):
        if url.startswith(plain + "://"):
            return url.replace(plain + "://", ("postgresql" if plain == "postgres" else plain)
                               + "+pool://", 1)
    return url


def open_database(url: str, pool_size: int = 16):
    """Build the peewee database for a URL (pooled; SQLite gets WAL, FKs, busy timeout)."""
    url = _pooled(url)
    options = {"autoconnect": False, "max_connections": pool_size, "stale_timeout": 300,
               "timeout": 10}
    if url.startswith("sqlite"):
        options.update(pragmas=SQLITE_PRAGMAS, check_same_thread=False)
    elif "options=" not in url:
        # PostgreSQL's counterpart of busy_timeout: a request waits at most 5 s for a row
        # lock (then answers 503, see errors.py) and no statement runs longer than 30 s.
        options["options"] = POSTGRES_SESSION_OPTIONS
    return connect_url(url, **options)


def init_app(app):
    db = open_database(app.config["DATABASE_URL"], app.config["DB_POOL_SIZE"])
    database.initialize(db)

    @app.before_request
    def _connect():
        # A test or CLI command may already hold this thread's connection: reuse it and
        # leave closing it to its owner.
        g.db_opened = database.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        if g.pop("db_opened", False) and not database.is_closed():
            database.close()

    return db


def is_sqlite() -> bool:
    return database.obj is not None and type(database.obj).__name__.endswith("SqliteDatabase")


class MigrationsMissing(ConfigError):
    """The installation has no migration files: never read as "nothing to do"."""


def migrations_dir() -> str:
    """The migrations folder; raises MigrationsMissing when it holds no migration."""
    try:
        directory = str(resources.folder("migrations"))
    except ConfigError as missing:
        raise MigrationsMissing(str(missing)) from None
    if not Migration.load_directory(directory):
        raise MigrationsMissing(f"No migration files in {directory}: the installation is "
                                "incomplete; reinstall Growth from its wheel or sdist.")
    return directory


def runner() -> Runner:
    return Runner(database.obj, directory=migrations_dir())


def upgrade() -> list[str]:
    """Apply pending migrations; returns the names applied (empty when up to date)."""
    with database.connection_context():
        return runner().up()


def status():
    with database.connection_context():
        return runner().status()


class SchemaMismatch(ConfigError):
    """The database's migrations and this code's migrations differ."""


def check_schema() -> None:
    """Refuse to serve a database whose schema is not the one this code was written for:
    pending migrations (run `growth db upgrade`) or ones this code doesn't know (newer
    code was deployed before, or the wrong database is configured). The check's connection
    is closed afterwards, so workers forked after it (gunicorn --preload) share none."""
    try:
        migrations = status()
    except OperationalError as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ConfigError(f"GROWTH_DATABASE_URL: the database can't be opened ({reason}).") \
            from None
    finally:
        database.obj.close_all()
    pending = [m.name for m in migrations if m.applied is None]
    unknown = [m.name for m in migrations if m.path is None]
    if pending:
        raise SchemaMismatch(
            f"The database has {len(pending)} pending migration(s) ({', '.join(pending)}): "
            "run `growth db upgrade` before starting Growth.")
    if unknown:
        raise SchemaMismatch(
            f"The database has migrations this version of Growth doesn't have "
            f"({', '.join(unknown)}): deploy the matching code or check GROWTH_DATABASE_URL.")


def write_transaction():
    """A transaction that takes the write lock up front on SQLite (BEGIN IMMEDIATE), for
    check-then-write rules a UNIQUE index can't express; a plain transaction elsewhere."""
    if is_sqlite():
        return database.atomic("IMMEDIATE")
    return database.atomic()
