"""Goals, development days and their activities."""
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

    class ReviewCycle(Base):
        pass

    class Goal(Base):
        owner = ForeignKeyField(User, on_delete="CASCADE")
        cycle = ForeignKeyField(ReviewCycle, on_delete="RESTRICT")
        title = CharField(max_length=200)
        why = TextField(default="")
        success = TextField(default="")
        status = CharField(max_length=10, default="open")
        created_at = DateTimeField(default=datetime.datetime.now)
        updated_at = DateTimeField(default=datetime.datetime.now)

        class Meta:
            indexes = ((("owner", "cycle"), False),)

    class DevDay(Base):
        user = ForeignKeyField(User, on_delete="CASCADE")
        week_start = DateField()
        planned_on = DateField(null=True)
        plan = TextField(default="")
        status = CharField(max_length=10, default="planned")
        skip_reason = CharField(max_length=10, null=True)
        skip_note = TextField(default="")
        rating = SmallIntegerField(null=True, constraints=[Check("rating BETWEEN 1 AND 4")])
        minutes = IntegerField(default=0, constraints=[Check("minutes BETWEEN 0 AND 2400")])
        created_at = DateTimeField(default=datetime.datetime.now)
        updated_at = DateTimeField(default=datetime.datetime.now)

        class Meta:
            indexes = ((("user", "week_start"), True), (("week_start",), False))

    class DevDayGoal(Base):
        dev_day = ForeignKeyField(DevDay, on_delete="CASCADE")
        goal = ForeignKeyField(Goal, on_delete="CASCADE")

        class Meta:
            indexes = ((("dev_day", "goal"), True),)

    class Activity(Base):
        dev_day = ForeignKeyField(DevDay, on_delete="CASCADE")
        kind = CharField(max_length=10)
        minutes = SmallIntegerField(constraints=[Check("minutes BETWEEN 1 AND 720")])
        note = TextField(default="")
        link = CharField(max_length=2000, default="")
        goal = ForeignKeyField(Goal, null=True, on_delete="SET NULL")
        created_at = DateTimeField(default=datetime.datetime.now)

    db.create_tables([Goal, DevDay, DevDayGoal, Activity])
