"""Every model and its small query builders. No Flask imports here."""

import unicodedata
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from peewee import (
    BooleanField,
    CharField,
    Check,
    DateField,
    DateTimeField,
    DeferredForeignKey,
    ForeignKeyField,
    IntegerField,
    SmallIntegerField,
    TextField,
    fn,
)

from .db import BaseModel, database


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Role(StrEnum):
    AGENT = "agent"
    LEAD = "lead"
    HR = "hr"
    ADMIN = "admin"


class LeaveReason(StrEnum):
    VOLUNTARY = "voluntary"
    INVOLUNTARY = "involuntary"
    OTHER = "other"


class DayStatus(StrEnum):
    PLANNED = "planned"
    LOGGED = "logged"
    SKIPPED = "skipped"


class SkipReason(StrEnum):
    AWAY = "away"
    WORKLOAD = "workload"
    OTHER = "other"


class ActivityKind(StrEnum):
    DOCS = "docs"
    CODING = "coding"
    TICKETS = "tickets"
    PRODUCT = "product"
    LEARNING = "learning"
    WRITING = "writing"
    ROLEPLAY = "roleplay"
    OTHER = "other"


class GoalStatus(StrEnum):
    OPEN = "open"
    ACHIEVED = "achieved"
    PARTLY = "partly"
    MISSED = "missed"
    DROPPED = "dropped"


class ReviewStatus(StrEnum):
    DRAFT = "draft"
    SHARED = "shared"
    ACKNOWLEDGED = "acknowledged"


class ReviewStage(StrEnum):
    """Where a review stands, in the order it moves (derived from the review's columns)."""

    NOT_OPENED = "not_opened"
    SELF_IN_PROGRESS = "self_in_progress"
    SELF_SUBMITTED = "self_submitted"
    LEAD_DRAFTING = "lead_drafting"
    SHARED = "shared"
    ACKNOWLEDGED = "acknowledged"


# Ids are 32-bit integers on PostgreSQL (SQLite stops at 64 bits): a larger number in a URL
# or a form is a missing object or an invalid choice, never a query.
ID_MAX = 2**31 - 1
# The longest email address (RFC 5321), counted in its stored, normalised form.
EMAIL_MAX = 254


def one_time_key(unique: bool = False) -> CharField:
    """The column holding the one-time key of the form that created the row.

    UNIQUE together with the person who typed into the form (or on its own for forms only
    admins use): a double-clicked or retried submit makes one row, and a key copied from
    someone else's page never finds their row. Empty for rows made elsewhere (the command
    line, the demo, rows older than migration 0010)."""
    return CharField(max_length=64, null=True, unique=unique)


def normalize_email(email: str) -> str:
    """The form an email is stored and compared in: trimmed, case-folded, NFC."""
    return unicodedata.normalize("NFC", (email or "").strip().casefold())


class Team(BaseModel):
    name = CharField(max_length=100, unique=True)
    # `team` and `user` point at each other: this key resolves once User is defined.
    lead = DeferredForeignKey("User", null=True, backref="led_teams", on_delete="SET NULL")
    submission = one_time_key(unique=True)
    version = IntegerField(default=1)
    # When the current lead took over: the team's members are told (see DESIGN, security).
    lead_since = DateTimeField(null=True)
    # How many of the team may take their development day on the same weekday (None: any).
    max_off_per_day = SmallIntegerField(null=True)

    class Meta:
        table_name = "team"

    @classmethod
    def named(cls, name: str, *, other_than: int | None = None) -> "Team | None":
        """The team whose name is `name` ignoring case and surrounding spaces (compared
        exactly, never as a pattern), leaving out team `other_than`."""
        wanted = name.strip().casefold()
        query = cls.select()
        if other_than is not None:
            query = query.where(cls.id != other_than)
        # Teams are few; casefold() is Python's, which SQLite's ASCII-only lower() is not.
        return next((team for team in query if team.name.strip().casefold() == wanted), None)


class User(BaseModel):
    email = CharField(max_length=EMAIL_MAX, unique=True)  # stored normalised (casefolded)
    name = CharField(max_length=200)
    role = CharField(max_length=10, default=Role.AGENT.value)
    team = ForeignKeyField(Team, null=True, backref="members", on_delete="SET NULL")
    hired_on = DateField(default=date.today)
    left_on = DateField(null=True)
    leave_reason = CharField(max_length=20, null=True)
    weekly_dev_hours = SmallIntegerField(default=8)
    active = BooleanField(default=True)
    password_hash = CharField(max_length=255, default="")
    session_version = IntegerField(default=1)
    must_change_password = BooleanField(default=False)
    locale = CharField(max_length=10, null=True)
    # The admin's form: name, email, role, team, hire date, hours; HR's: employment.
    version = IntegerField(default=1)
    submission = one_time_key(unique=True)
    created_at = DateTimeField(default=utcnow)
    # When an admin made the set-password link last used: told at the next sign-in.
    password_reset_at = DateTimeField(null=True)
    reminders = BooleanField(default=True)
    # The private calendar feed's token, as its SHA-256 (None: no feed address).
    calendar_token_hash = CharField(max_length=64, null=True, unique=True)

    class Meta:
        table_name = "user"

    # Flask-Login protocol; the session version in the id makes every copied cookie die
    # when it is bumped (sign-out, password change, role or team change, deactivation).
    is_anonymous = False
    is_authenticated = True

    @property
    def is_active(self) -> bool:
        return self.can_sign_in()

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def can_sign_in(self, today: date | None = None) -> bool:
        today = today or date.today()
        return bool(self.active) and (self.left_on is None or self.left_on >= today)

    def employed_on(self, day: date) -> bool:
        return self.hired_on <= day and (self.left_on is None or day <= self.left_on)

    @classmethod
    def by_email(cls, email: str):
        return cls.select().where(cls.email == normalize_email(email))

    @classmethod
    def matching(cls, text: str):
        """The condition "name or email contains `text`" (any case; peewee's contains()
        escapes LIKE's wildcards, so "%" or "_" finds itself)."""
        return cls.name.contains(text) | cls.email.contains(text.casefold())

    @classmethod
    def active_people(cls):
        return cls.select().where(cls.active == True)  # noqa: E712

    @classmethod
    def admins_who_can_sign_in(cls, today: date | None = None):
        today = today or date.today()
        return cls.select().where(cls.role == Role.ADMIN.value, cls.active == True,  # noqa: E712
                                  cls.left_on.is_null() | (cls.left_on >= today))

    def bump_session_version(self) -> None:
        """Ends every session of this person, wherever the cookie was copied to."""
        User.update(session_version=User.session_version + 1).where(User.id == self.id).execute()
        self.session_version = User.get_by_id(self.id).session_version


class LoginFailure(BaseModel):
    """One failed sign-in or password check, counted per account and per address across all
    workers. `account` is a keyed hash of what was typed, never the text."""

    account = CharField(max_length=EMAIL_MAX, index=True)
    address = CharField(max_length=64, index=True)
    at = DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "login_failure"


class AccountToken(BaseModel):
    """A single-use, short-lived set-password link. Only the token's SHA-256 is stored."""

    user = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    token_hash = CharField(max_length=64, unique=True)
    created_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)

    class Meta:
        table_name = "account_token"


class AuditEvent(BaseModel):
    """Append-only: who did what to which object, never free text."""

    at = DateTimeField(default=utcnow, index=True)
    actor = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    actor_role = CharField(max_length=10, default="")
    action = CharField(max_length=60, index=True)
    target_type = CharField(max_length=40, default="")
    target_id = IntegerField(null=True)
    detail = CharField(max_length=500, default="")
    address = CharField(max_length=64, default="")
    request_id = CharField(max_length=32, null=True)  # null for events before 0008

    class Meta:
        table_name = "audit_event"


class ReviewCycle(BaseModel):
    name = CharField(max_length=60, unique=True)
    starts_on = DateField()
    ends_on = DateField(constraints=[Check("ends_on >= starts_on")])
    submission = one_time_key(unique=True)

    class Meta:
        table_name = "review_cycle"

    @property
    def due_on(self) -> date:
        return self.ends_on + timedelta(days=30)

    @classmethod
    def covering(cls, day: date):
        return cls.select().where(cls.starts_on <= day, cls.ends_on >= day)

    @classmethod
    def overlapping(cls, starts_on: date, ends_on: date):
        return cls.select().where(cls.starts_on <= ends_on, cls.ends_on >= starts_on)

    @classmethod
    def ensure_for(cls, day: date) -> "ReviewCycle":
        """The cycle holding `day`, creating the default half year (Jan–Jun, Jul–Dec)."""
        found = cls.covering(day).first()
        if found:
            return found
        first_half = day.month <= 6
        starts = date(day.year, 1 if first_half else 7, 1)
        ends = date(day.year, 6, 30) if first_half else date(day.year, 12, 31)
        name = f"{day.year} {'H1' if first_half else 'H2'}"
        # Admin-made cycles may cover part of the default half year: clip to the gap.
        for other in cls.overlapping(starts, ends).order_by(cls.starts_on):
            if other.ends_on < day:
                starts = max(starts, other.ends_on + timedelta(days=1))
            elif other.starts_on > day:
                ends = min(ends, other.starts_on - timedelta(days=1))
        with database.atomic():
            cls.insert(name=name, starts_on=starts, ends_on=ends).on_conflict_ignore().execute()
        return cls.covering(day).first() or cls.get(cls.name == name)


class Goal(BaseModel):
    owner = ForeignKeyField(User, backref="goals", on_delete="CASCADE")
    cycle = ForeignKeyField(ReviewCycle, backref="goals", on_delete="RESTRICT")
    title = CharField(max_length=200)
    why = TextField(default="")
    success = TextField(default="")
    status = CharField(max_length=10, default=GoalStatus.OPEN.value)
    submission = one_time_key()
    version = IntegerField(default=1)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "goal"
        indexes = ((("owner", "cycle"), False), (("owner", "submission"), True))


class DevDay(BaseModel):
    """One development day per person per ISO week (UNIQUE); `minutes` is the week's total."""

    user = ForeignKeyField(User, backref="dev_days", on_delete="CASCADE")
    week_start = DateField()
    planned_on = DateField(null=True)
    plan = TextField(default="")
    status = CharField(max_length=10, default=DayStatus.PLANNED.value)
    skip_reason = CharField(max_length=10, null=True)
    skip_note = TextField(default="")
    rating = SmallIntegerField(null=True, constraints=[Check("rating BETWEEN 1 AND 4")])
    minutes = IntegerField(default=0, constraints=[Check("minutes BETWEEN 0 AND 2400")])
    # The plan form's version: moved by saving a plan only, so logging, skipping or rating
    # in another tab never makes an open plan form stale.
    version = IntegerField(default=1)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "dev_day"
        indexes = ((("user", "week_start"), True), (("week_start",), False),
                   # Covering for the HR figures (migration 0007, see bench/README.md).
                   (("user", "week_start", "minutes", "status", "skip_reason"), False))

    @classmethod
    def for_week(cls, user, week_start: date):
        return cls.select().where(cls.user == user, cls.week_start == week_start)


class DevDayGoal(BaseModel):
    dev_day = ForeignKeyField(DevDay, backref="goal_links", on_delete="CASCADE")
    goal = ForeignKeyField(Goal, backref="dev_day_links", on_delete="CASCADE")

    class Meta:
        table_name = "dev_day_goal"
        indexes = ((("dev_day", "goal"), True),)


class Activity(BaseModel):
    dev_day = ForeignKeyField(DevDay, backref="activities", on_delete="CASCADE")
    kind = CharField(max_length=10)
    minutes = SmallIntegerField(constraints=[Check("minutes BETWEEN 1 AND 720")])
    note = TextField(default="")
    link = CharField(max_length=2000, default="")
    goal = ForeignKeyField(Goal, null=True, backref="activities", on_delete="SET NULL")
    submission = one_time_key()
    version = IntegerField(default=1)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "activity"
        indexes = ((("dev_day", "submission"), True),)


class OneOnOne(BaseModel):
    person = ForeignKeyField(User, backref="one_on_ones", on_delete="CASCADE")
    lead = ForeignKeyField(User, backref="+", on_delete="CASCADE")  # the author
    held_on = DateField()
    shared_notes = TextField(default="")
    private_notes = TextField(default="")  # the author's alone; never in any export
    submission = one_time_key()
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "one_on_one"
        indexes = ((("person", "held_on"), False), (("lead", "submission"), True))


class ActionItem(BaseModel):
    person = ForeignKeyField(User, backref="+", on_delete="CASCADE")  # whose coaching it is
    one_on_one = ForeignKeyField(OneOnOne, backref="action_items", on_delete="CASCADE")
    owner = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    text = CharField(max_length=500)
    due_on = DateField(null=True)
    done = BooleanField(default=False)
    done_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "action_item"
        indexes = ((("person", "done"), False),)


class AgendaItem(BaseModel):
    person = ForeignKeyField(User, backref="+", on_delete="CASCADE")  # whose coaching it is
    author = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    text = CharField(max_length=500)
    # Set when the meeting it was raised for is recorded.
    one_on_one = ForeignKeyField(OneOnOne, null=True, backref="agenda_items",
                                 on_delete="SET NULL")
    submission = one_time_key()
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "agenda_item"
        indexes = ((("person", "one_on_one"), False), (("author", "submission"), True))


class Review(BaseModel):
    """One per person per cycle (UNIQUE). Blind until submitted / shared."""

    person = ForeignKeyField(User, backref="reviews", on_delete="CASCADE")
    cycle = ForeignKeyField(ReviewCycle, backref="reviews", on_delete="RESTRICT")
    lead = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    status = CharField(max_length=12, default=ReviewStatus.DRAFT.value)
    self_assessment = TextField(default="")
    self_submitted_at = DateTimeField(null=True)
    notes = TextField(default="")
    next_focus = TextField(default="")
    held_on = DateField(null=True)
    shared_at = DateTimeField(null=True)
    acknowledged_at = DateTimeField(null=True)
    response = TextField(default="")
    version = IntegerField(default=1)  # the lead's part (and the acknowledgement)
    # The self-assessment's own version: the agent's drafts and the lead's part never make
    # each other's open form stale (and so never tell one that the other is writing).
    self_version = IntegerField(default=1)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "review"
        indexes = ((("person", "cycle"), True),)

    @property
    def self_submitted(self) -> bool:
        return self.self_submitted_at is not None

    @property
    def stage(self) -> str:
        """The person writes first, then the lead: a draft whose self-assessment is
        submitted is the lead's to draft once the lead has saved their part (each save of
        it moves `version` on) or written any of it."""
        if self.status in (ReviewStatus.SHARED, ReviewStatus.ACKNOWLEDGED):
            return ReviewStage(self.status).value
        if not self.self_submitted:
            return ReviewStage.SELF_IN_PROGRESS.value
        if self.version > 1 or self.notes or self.next_focus or self.held_on:
            return ReviewStage.LEAD_DRAFTING.value
        return ReviewStage.SELF_SUBMITTED.value


class ReviewGoal(BaseModel):
    review = ForeignKeyField(Review, backref="goal_outcomes", on_delete="CASCADE")
    goal = ForeignKeyField(Goal, backref="+", on_delete="CASCADE")
    outcome = CharField(max_length=10, default="")
    comment = TextField(default="")

    class Meta:
        table_name = "review_goal"
        indexes = ((("review", "goal"), True),)


class PracticePart(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    OBSERVER = "observer"


class TicketReview(BaseModel):
    """One person's review of a colleague's ticket (or of their own: a self-review, when
    reviewer and reviewee are the same). One per reviewer, reviewee and ticket address:
    UNIQUE on the address's SHA-256, which fits an index whatever the address holds."""

    reviewer = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    reviewee = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    ticket_url = CharField(max_length=2000)
    ticket_hash = CharField(max_length=64)
    ticket_ref = CharField(max_length=40, default="")
    rating = SmallIntegerField(constraints=[Check("rating BETWEEN 1 AND 4")])
    praise = TextField()
    suggestion = TextField(default="")
    aspects = CharField(max_length=100, default="")  # comma-separated REVIEW_ASPECTS names
    minutes = SmallIntegerField(null=True)
    reply = TextField(default="")
    replied_at = DateTimeField(null=True)
    submission = one_time_key()
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "ticket_review"
        indexes = ((("reviewer", "reviewee", "ticket_hash"), True),
                   (("reviewer", "submission"), True),
                   (("reviewee", "created_at"), False),
                   (("reviewer", "created_at"), False))

    @property
    def is_self_review(self) -> bool:
        return self.reviewer_id == self.reviewee_id

    @property
    def aspect_names(self) -> list[str]:
        return [name for name in self.aspects.split(",") if name]


REVIEW_ASPECTS = ("empathy", "understanding", "tone", "accuracy", "clarity")


class PracticeSession(BaseModel):
    """A role-play held in a team. Each participant's `roleplay` activity is linked from
    their PracticeParticipant row, made in the same transaction as the session."""

    team = ForeignKeyField(Team, null=True, backref="+", on_delete="SET NULL")
    organiser = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    held_on = DateField()
    scenario = CharField(max_length=200)
    brief = TextField(default="")
    minutes = SmallIntegerField(constraints=[Check("minutes BETWEEN 5 AND 480")])
    takeaways = TextField(default="")
    submission = one_time_key()
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "practice_session"
        indexes = ((("organiser", "submission"), True), (("team", "held_on"), False))


class PracticeParticipant(BaseModel):
    session = ForeignKeyField(PracticeSession, backref="participants", on_delete="CASCADE")
    user = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    part = CharField(max_length=10)
    activity = ForeignKeyField(Activity, null=True, backref="+", on_delete="SET NULL")

    class Meta:
        table_name = "practice_participant"
        indexes = ((("session", "user"), True), (("user",), False))
class ReminderKind(StrEnum):
    PLAN = "plan"
    LOG = "log"
    DIGEST = "digest"


class ReminderSent(BaseModel):
    """One reminder of one kind for one person's week, written only once the mail server
    accepted it (UNIQUE: at most one per person, kind and week)."""

    user = ForeignKeyField(User, backref="+", on_delete="CASCADE")
    kind = CharField(max_length=10)
    week_start = DateField()
    sent_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "reminder_sent"
        indexes = ((("user", "kind", "week_start"), True), (("week_start", "kind"), False))


ALL_MODELS = [
    Team, User, LoginFailure, AccountToken, AuditEvent, ReviewCycle, Goal, DevDay, DevDayGoal,
    Activity, OneOnOne, ActionItem, AgendaItem, Review, ReviewGoal, TicketReview,
    PracticeSession, PracticeParticipant, ReminderSent,
]

__all__ = [m.__name__ for m in ALL_MODELS] + ["fn", "utcnow", "normalize_email", "EMAIL_MAX"]
