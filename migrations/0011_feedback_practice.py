"""Feedback and practice: ticket reviews (and self-reviews), role-play sessions and their
participants, each participant's `roleplay` activity linked from their row."""
import datetime

from peewee import *


def up(migrator, db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Team(Base):
        class Meta:
            table_name = "team"

    class User(Base):
        class Meta:
            table_name = "user"

    class Activity(Base):
        class Meta:
            table_name = "activity"

    class TicketReview(Base):
        reviewer = ForeignKeyField(User, on_delete="CASCADE")
        reviewee = ForeignKeyField(User, on_delete="CASCADE")
        ticket_url = CharField(max_length=2000)
        ticket_hash = CharField(max_length=64)
        ticket_ref = CharField(max_length=40, default="")
        rating = SmallIntegerField(constraints=[Check("rating BETWEEN 1 AND 4")])
        praise = TextField()
        suggestion = TextField(default="")
        aspects = CharField(max_length=100, default="")
        minutes = SmallIntegerField(null=True)
        reply = TextField(default="")
        replied_at = DateTimeField(null=True)
        submission = CharField(max_length=64, null=True)
        created_at = DateTimeField(default=datetime.datetime.now)

        class Meta:
            table_name = "ticket_review"
            indexes = ((("reviewer", "reviewee", "ticket_hash"), True),
                       (("reviewer", "submission"), True),
                       (("reviewee", "created_at"), False),
                       (("reviewer", "created_at"), False))

    class PracticeSession(Base):
        team = ForeignKeyField(Team, null=True, on_delete="SET NULL")
        organiser = ForeignKeyField(User, on_delete="CASCADE")
        held_on = DateField()
        scenario = CharField(max_length=200)
        brief = TextField(default="")
        minutes = SmallIntegerField(constraints=[Check("minutes BETWEEN 5 AND 480")])
        takeaways = TextField(default="")
        submission = CharField(max_length=64, null=True)
        created_at = DateTimeField(default=datetime.datetime.now)

        class Meta:
            table_name = "practice_session"
            indexes = ((("organiser", "submission"), True), (("team", "held_on"), False))

    class PracticeParticipant(Base):
        session = ForeignKeyField(PracticeSession, on_delete="CASCADE")
        user = ForeignKeyField(User, on_delete="CASCADE")
        part = CharField(max_length=10)
        activity = ForeignKeyField(Activity, null=True, on_delete="SET NULL")

        class Meta:
            table_name = "practice_participant"
            indexes = ((("session", "user"), True), (("user",), False))

    db.create_tables([TicketReview, PracticeSession, PracticeParticipant])
