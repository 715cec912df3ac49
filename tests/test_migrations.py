"""Migrations build the schema; the models and the migrated schema never drift apart."""

from playhouse.schema_diff import diff_models

from growth.db import MIGRATIONS_DIR, runner
from growth.models import ALL_MODELS


def test_migrated_schema_matches_the_models(db):
    diff = diff_models(db.obj, ALL_MODELS)
    assert not diff, f"models and migrations differ:\n{diff}"


def test_every_migration_is_applied_and_numbered(db):
    status = runner().status()
    files = sorted(p.stem for p in MIGRATIONS_DIR.glob("[0-9]*.py"))
    assert [m.name for m in status] == files
    assert all(m.applied for m in status)
    numbers = [int(name[:4]) for name in files]
    assert numbers == sorted(set(numbers)), "two migrations share a number"


def test_upgrade_again_applies_nothing(db):
    assert runner().up() == []
