"""Keeping the day protected: a team's limit of people off on the same weekday, a person's
reminder setting and private calendar-feed token (stored as a hash), and the reminders sent
(at most one per person, kind and week)."""
import datetime

from peewee import *


def up(migrator, db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class User(Base):
        class Meta:
            table_name = "user"

    class ReminderSent(Base):
        user = ForeignKeyField(User, on_delete="CASCADE")
        kind = CharField(max_length=10)
        week_start = DateField()
        sent_at = DateTimeField(default=datetime.datetime.now)

        class Meta:
            table_name = "reminder_sent"
            indexes = ((("user", "kind", "week_start"), True), (("week_start", "kind"), False))

    db.create_tables([ReminderSent])
    migrator.migrate(
        migrator.add_column("team", "max_off_per_day", SmallIntegerField(null=True)),
        migrator.add_column("user", "reminders", BooleanField(default=True)),
        migrator.add_column("user", "calendar_token_hash", CharField(max_length=64, null=True)),
        migrator.add_index("user", ("calendar_token_hash",), True),
    )
