"""Audit events carry the id of the request that made them (also on error pages and in the
error log), so an event, a log line and a person's screenshot can be matched."""
from peewee import CharField


def up(migrator, db):
    # Nullable: filling a default into existing rows would be an UPDATE, which the
    # append-only trigger refuses.
    migrator.migrate(
        migrator.add_column("audit_event", "request_id", CharField(max_length=32, null=True)),
    )
