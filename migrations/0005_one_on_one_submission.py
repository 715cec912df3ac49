"""One-on-ones remember the one-time key of the form that recorded them (UNIQUE), so a
double-clicked submit records one meeting."""
from peewee import CharField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("one_on_one", "submission", CharField(max_length=64, null=True)),
        migrator.add_index("one_on_one", ("submission",), True),
    )
