"""One-on-ones with their action and agenda items, and the twice-yearly reviews."""
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
        pass

    class OneOnOne(Base):
        person = ForeignKeyField(User, on_delete="CASCADE")
        lead = ForeignKeyField(User, on_delete="CASCADE")
        held_on = DateField()
        shared_notes = TextField(default="")
        private_notes = TextField(default="")
        created_at = DateTimeField(default=datetime.datetime.now)

        class Meta:
            indexes = ((("person", "held_on"), False),)

    class ActionItem(Base):
        person = ForeignKeyField(User, on_delete="CASCADE")
        one_on_one = ForeignKeyField(OneOnOne, on_delete="CASCADE")
        owner = ForeignKeyField(User, on_delete="CASCADE")
        text = CharField(max_length=500)
        due_on = DateField(null=True)
        done = BooleanField(default=False)
        done_at = DateTimeField(null=True)
        created_at = DateTimeField(default=datetime.datetime.now)

        class Meta:
            indexes = ((("person", "done"), False),)

    class AgendaItem(Base):
        person = ForeignKeyField(User, on_delete="CASCADE")
        author = ForeignKeyField(User, on_delete="CASCADE")
        text = CharField(max_length=500)
        one_on_one = ForeignKeyField(OneOnOne, null=True, on_delete="SET NULL")
        created_at = DateTimeField(default=datetime.datetime.now)

        class Meta:
            indexes = ((("person", "one_on_one"), False),)

    class Review(Base):
        person = ForeignKeyField(User, on_delete="CASCADE")
        cycle = ForeignKeyField(ReviewCycle, on_delete="RESTRICT")
        lead = ForeignKeyField(User, null=True, on_delete="SET NULL")
        status = CharField(max_length=12, default="draft")
        self_assessment = TextField(default="")
        self_submitted_at = DateTimeField(null=True)
        notes = TextField(default="")
        next_focus = TextField(default="")
        held_on = DateField(null=True)
        shared_at = DateTimeField(null=True)
        acknowledged_at = DateTimeField(null=True)
        response = TextField(default="")
        version = IntegerField(default=1)
        created_at = DateTimeField(default=datetime.datetime.now)

        class Meta:
            indexes = ((("person", "cycle"), True),)

    class ReviewGoal(Base):
        review = ForeignKeyField(Review, on_delete="CASCADE")
        goal = ForeignKeyField(Goal, on_delete="CASCADE")
        outcome = CharField(max_length=10, default="")
        comment = TextField(default="")

        class Meta:
            indexes = ((("review", "goal"), True),)

    db.create_tables([OneOnOne, ActionItem, AgendaItem, Review, ReviewGoal])
