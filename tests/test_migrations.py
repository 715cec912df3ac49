"""Migrations build the schema; the models and the migrated schema never drift apart."""

from pathlib import Path

import pytest
from click.testing import CliRunner
from playhouse.schema_diff import diff_models

from growth import create_app
from growth.cli import main
from growth.db import SchemaMismatch, database, migrations_dir, open_database, runner
from growth.models import ALL_MODELS


def test_migrated_schema_matches_the_models(db):
    diff = diff_models(db.obj, ALL_MODELS)
    assert not diff, f"models and migrations differ:\n{diff}"


def test_every_migration_is_applied_and_numbered(db):
    status = runner().status()
    files = sorted(p.stem for p in Path(migrations_dir()).glob("[0-9]*.py"))
    assert [m.name for m in status] == files
    assert all(m.applied for m in status)
    numbers = [int(name[:4]) for name in files]
    assert numbers == sorted(set(numbers)), "two migrations share a number"


def test_upgrade_again_applies_nothing(db):
    assert runner().up() == []


PRODUCTION = {"GROWTH_ENV": "production", "GROWTH_SECRET_KEY": "s" * 48,
              "GROWTH_SESSION_COOKIE_SECURE": "false"}


def _server_app(url):
    return create_app({"ENV": "production", "SECRET_KEY": "s" * 48, "DATABASE_URL": url})


def test_a_server_refuses_a_database_with_pending_migrations(tmp_path):
    url = f"sqlite:///{tmp_path}/new.db"
    with pytest.raises(SchemaMismatch, match="growth db upgrade"):
        _server_app(url)


def test_the_command_line_migrates_what_the_server_refused(tmp_path):
    url = f"sqlite:///{tmp_path}/new.db"
    result = CliRunner().invoke(main, ["db", "upgrade"], env={**PRODUCTION,
                                                              "GROWTH_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    files = sorted(p.stem for p in Path(migrations_dir()).glob("[0-9]*.py"))
    assert result.output.strip() == f"Applied: {', '.join(files)}"
    _server_app(url)  # starts now
    with database.connection_context():
        assert [(m.name, bool(m.applied)) for m in runner().status()] == [(f, True) for f in files]
        assert not diff_models(database.obj, ALL_MODELS)


def test_a_server_refuses_a_database_migrated_by_newer_code(migrated_sqlite_url):
    db = open_database(migrated_sqlite_url)
    database.initialize(db)
    with db.connection_context():
        runner().History.create(name="9999_from_the_future")
    db.close_all()
    with pytest.raises(SchemaMismatch, match="9999_from_the_future"):
        _server_app(migrated_sqlite_url)


def test_development_starts_on_an_empty_database(tmp_path):
    app = create_app({"ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path}/dev.db"})
    assert app.config["ENV"] == "development"
