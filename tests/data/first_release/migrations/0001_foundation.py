"""Teams, people, sign-in failures, the audit log and review cycles."""
import datetime

from peewee import *


def up(migrator, db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Team(Base):
        name = CharField(max_length=100, unique=True)

    class User(Base):
        email = CharField(max_length=254, unique=True)
        name = CharField(max_length=200)
        role = CharField(max_length=10, default="agent")
        team = ForeignKeyField(Team, null=True, on_delete="SET NULL")
        hired_on = DateField(default=datetime.date.today)
        left_on = DateField(null=True)
        leave_reason = CharField(max_length=20, null=True)
        weekly_dev_hours = SmallIntegerField(default=8)
        active = BooleanField(default=True)
        password_hash = CharField(max_length=255, default="")
        session_version = IntegerField(default=1)
        must_change_password = BooleanField(default=False)
        locale = CharField(max_length=10, null=True)
        created_at = DateTimeField(default=datetime.datetime.now)

    class LoginFailure(Base):
        account = CharField(max_length=254, index=True)
        address = CharField(max_length=64, index=True)
        at = DateTimeField(index=True)

    class AuditEvent(Base):
        at = DateTimeField(index=True)
        actor = ForeignKeyField(User, null=True, on_delete="SET NULL")
        actor_role = CharField(max_length=10, default="")
        action = CharField(max_length=60, index=True)
        target_type = CharField(max_length=40, default="")
        target_id = IntegerField(null=True)
        detail = CharField(max_length=500, default="")
        address = CharField(max_length=64, default="")

    class ReviewCycle(Base):
        name = CharField(max_length=60, unique=True)
        starts_on = DateField()
        ends_on = DateField(constraints=[Check("ends_on >= starts_on")])

    db.create_tables([Team, User, LoginFailure, AuditEvent, ReviewCycle])
    migrator.migrate(migrator.add_column(
        "team", "lead_id",
        ForeignKeyField(User, null=True, field=User.id, on_delete="SET NULL")))

    # The audit log is append-only, whatever code runs against the database.
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql(
            "CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql")
        for op in ("UPDATE", "DELETE"):
            db.execute_sql(
                f"CREATE TRIGGER audit_event_no_{op.lower()} BEFORE {op} ON audit_event "
                "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()")
    else:
        for op in ("UPDATE", "DELETE"):
            db.execute_sql(
                f"CREATE TRIGGER audit_event_no_{op.lower()} BEFORE {op} ON audit_event "
                "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END")
