"""Every create form's one-time key and every edit form's row version.

`submission` (nullable: rows made before this migration, or by the command line and the
demo, have none) is UNIQUE per person who types into the form, so a double-clicked or
retried submit makes one row and someone else's key never finds another person's row.
Forms only admins use keep a key that is unique on its own.

`version` starts at 1 for every existing row; an edit bumps it in the same UPDATE that
checks it, so a form loaded before someone else's save answers 409 instead of wiping it.
"""
from peewee import CharField, IntegerField


def _key():
    return CharField(max_length=64, null=True)


def _version():
    return IntegerField(default=1)


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("activity", "submission", _key()),
        migrator.add_index("activity", ("dev_day_id", "submission"), True),
        migrator.add_column("activity", "version", _version()),
        migrator.add_column("goal", "submission", _key()),
        migrator.add_index("goal", ("owner_id", "submission"), True),
        migrator.add_column("goal", "version", _version()),
        migrator.add_column("agenda_item", "submission", _key()),
        migrator.add_index("agenda_item", ("author_id", "submission"), True),
        # The meeting's key was unique across all leads: another lead's key answered 500.
        migrator.drop_index("one_on_one", "one_on_one_submission"),
        migrator.add_index("one_on_one", ("lead_id", "submission"), True),
        migrator.add_column("dev_day", "version", _version()),
        migrator.add_column("user", "submission", _key()),
        migrator.add_index("user", ("submission",), True),
        migrator.add_column("user", "version", _version()),
        migrator.add_column("team", "submission", _key()),
        migrator.add_index("team", ("submission",), True),
        migrator.add_column("team", "version", _version()),
        migrator.add_column("review_cycle", "submission", _key()),
        migrator.add_index("review_cycle", ("submission",), True),
        migrator.add_column("review", "self_version", _version()),
    )
