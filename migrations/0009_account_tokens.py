"""Set-password links (single use, short-lived, stored as a hash) instead of passwords shown
to admins; when an admin reset a password (told at the next sign-in); when a team's lead
took over (told to the team)."""
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

    class AccountToken(Base):
        user = ForeignKeyField(User, on_delete="CASCADE")
        token_hash = CharField(max_length=64, unique=True)
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField(default=datetime.datetime.now)
        expires_at = DateTimeField()
        used_at = DateTimeField(null=True)

    db.create_tables([AccountToken])
    migrator.migrate(
        migrator.add_column("user", "password_reset_at", DateTimeField(null=True)),
        migrator.add_column("team", "lead_since", DateTimeField(null=True)),
    )
