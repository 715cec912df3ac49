"""A covering index for the HR figures: each person's weeks in a period, with the minutes
and skip state the figures need, read from the index alone (no row lookups)."""


def up(migrator, db):
    migrator.migrate(migrator.add_index(
        "dev_day", ("user_id", "week_start", "minutes", "status", "skip_reason"), False))
