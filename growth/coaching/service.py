"""Coaching use cases: one-on-ones with their action and agenda items, and reviews.

Every function takes the acting person first and runs in one transaction. Rules broken by
the input raise CoachingError (the form shows it); a change to something already finished
raises ReviewLocked (the page answers 409 and nothing changes).
"""

from datetime import date

from flask_babel import gettext as _
from peewee import IntegrityError

from .. import audit
from ..db import database, write_transaction
from ..integrity import StaleEdit, created_once
from ..models import (
    ActionItem,
    AgendaItem,
    AuditEvent,
    Goal,
    GoalStatus,
    OneOnOne,
    Review,
    ReviewCycle,
    ReviewGoal,
    ReviewStatus,
    User,
    utcnow,
)

OUTCOMES = (GoalStatus.ACHIEVED, GoalStatus.PARTLY, GoalStatus.MISSED, GoalStatus.DROPPED)


class CoachingError(ValueError):
    """A rule was broken; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class ReviewLocked(Exception):
    """The review (or the self-assessment) is finished, or the form was stale."""


class ReviewExists(Exception):
    """The person has a review for the cycle already: `review`, which the page leads to."""

    def __init__(self, review: Review):
        super().__init__()
        self.review = review


# One-on-ones ------------------------------------------------------------------------------

def record_one_on_one(lead, person, *, held_on: date, shared_notes: str, private_notes: str,
                      action_items: list[dict], submission: str | None = None,
                      today: date | None = None) -> OneOnOne:
    """Record a meeting with its action items; the open agenda items are taken up by it.

    `action_items` are dicts with `text`, `owner` ("person" or "lead") and `due_on`. A
    `submission` key this lead already used (a double-clicked or retried submit) returns
    the meeting it recorded; another lead's key records a new one.
    """
    today = today or date.today()
    if held_on > today:
        raise CoachingError(_("Record a one-on-one once it has been held."), "held_on")
    return created_once(OneOnOne, submission, lambda: _record(
        lead, person, held_on, shared_notes, private_notes, action_items, submission or None),
        lead=lead.id)


def _record(lead, person, held_on, shared_notes, private_notes, action_items, submission):
    with database.atomic():
        meeting = OneOnOne.create(person=person.id, lead=lead.id, held_on=held_on,
                                  shared_notes=shared_notes or "",
                                  private_notes=private_notes or "", submission=submission)
        for item in action_items:
            ActionItem.create(person=person.id, one_on_one=meeting.id,
                              owner=person.id if item["owner"] == "person" else lead.id,
                              text=item["text"], due_on=item.get("due_on"))
        AgendaItem.update(one_on_one=meeting.id).where(
            AgendaItem.person == person.id, AgendaItem.one_on_one.is_null()).execute()
        audit.record("one_on_one_recorded", meeting, actor=lead, detail=f"person={person.id}")
    return meeting


def add_agenda_item(author, person, text: str, submission: str | None = None) -> AgendaItem:
    """Something either side wants to talk about at the next one-on-one. A `submission`
    key the author already used returns the item it added."""

    def create():
        with database.atomic():
            return AgendaItem.create(person=person.id, author=author.id, text=text.strip(),
                                     submission=submission or None)

    return created_once(AgendaItem, submission, create, author=author.id)


def set_action_item_done(actor, item: ActionItem, done: bool) -> None:
    with database.atomic():
        ActionItem.update(done=done, done_at=utcnow() if done else None).where(
            ActionItem.id == item.id).execute()


# Reviews ---------------------------------------------------------------------------------

def openable_cycles(person, today: date | None = None):
    """The current cycle and every ended one since the person was hired, newest first."""
    today = today or date.today()
    ReviewCycle.ensure_for(today)
    return (ReviewCycle.select()
            .where(ReviewCycle.starts_on <= today, ReviewCycle.ends_on >= person.hired_on)
            .order_by(ReviewCycle.starts_on.desc()))


def open_review(lead, person, cycle_id: int, today: date | None = None) -> Review:
    """Open the draft review of `person` for a cycle. Raises ReviewExists for a second one."""
    cycle = openable_cycles(person, today).where(ReviewCycle.id == cycle_id).first()
    if cycle is None:
        raise CoachingError(_("Choose the current cycle or one that has ended."), "cycle_id")
    try:
        with database.atomic():
            review = Review.create(person=person.id, cycle=cycle.id, lead=lead.id)
            audit.record("review_opened", review, actor=lead,
                         detail=f"person={person.id} cycle={cycle.id}")
    except IntegrityError:
        existing = Review.get(Review.person == person.id, Review.cycle == cycle.id)
        raise ReviewExists(existing) from None
    return review


def open_team_reviews(lead, team, cycle_id: int, submission: str | None = None,
                      today: date | None = None) -> tuple[int, int]:
    """Open the draft review of every active member of `team` (the lead aside) who worked in
    the cycle (the current one or one that has ended) and has none for it yet. Returns (how
    many were opened, how many already had one).

    A `submission` key this lead already used (a double-clicked or retried submit) opens
    nothing more and returns what that first post opened: each review it opened is recorded
    with the key."""
    today = today or date.today()
    ReviewCycle.ensure_for(today)
    cycle = ReviewCycle.get_or_none(ReviewCycle.id == cycle_id, ReviewCycle.starts_on <= today)
    if cycle is None:
        raise CoachingError(_("Choose the current cycle or one that has ended."), "cycle_id")
    # In id order (mutmut: equivalent on SQLite, which reads them so anyway): on PostgreSQL
    # two concurrent openings (a double click) then insert in the same order, one waiting
    # for the other instead of both deadlocking.
    members = list(User.select(User.id).where(
        User.team == team.id, User.id != lead.id, User.active == True,  # noqa: E712
        User.hired_on <= cycle.ends_on).order_by(User.id))
    details = {m.id: f"person={m.id} cycle={cycle.id} batch={submission}" for m in members}
    opened = 0
    with database.atomic():
        for member in members:
            try:
                with database.atomic():
                    review = Review.create(person=member.id, cycle=cycle.id, lead=lead.id)
                    audit.record("review_opened", review, actor=lead,
                                 detail=details[member.id])
            except IntegrityError:
                continue  # this one has its review already
            opened += 1
    if not opened and submission and details:
        opened = (AuditEvent.select().where(
            # mutmut: equivalent — only review_opened events carry a "batch=" detail; the
            # action narrows the search through its index.
            AuditEvent.action == "review_opened",
            AuditEvent.actor == lead.id,
            AuditEvent.detail.in_(list(details.values()))).count())
    return opened, len(members) - opened


def save_self_assessment(person, review: Review, text: str, submit: bool,
                         version: int) -> None:
    """Write (and optionally submit) the self-assessment. Once submitted it is read-only
    (ReviewLocked); a draft saved since `version` was read raises StaleEdit, unless it was
    this very draft (a double-clicked save)."""
    with write_transaction():
        changed = (Review.update(self_assessment=text or "",
                                 self_submitted_at=utcnow() if submit else None,
                                 self_version=Review.self_version + 1)
                   .where(Review.id == review.id, Review.person == person.id,
                          Review.self_submitted_at.is_null(),
                          Review.status != ReviewStatus.ACKNOWLEDGED.value,
                          Review.self_version == version)
                   .execute())
        if not changed:
            current = Review.get_by_id(review.id)
            if current.self_submitted or current.status == ReviewStatus.ACKNOWLEDGED:
                raise ReviewLocked()
            if submit or current.self_assessment != (text or ""):
                raise StaleEdit(current)
            return
        if submit:
            audit.record("self_assessment_submitted", review, actor=person)


def _save_lead_part(review: Review, version: int, fields: dict, outcomes: dict,
                    goals: list[Goal], extra: dict) -> None:
    changed = (Review.update(notes=fields["notes"] or "", next_focus=fields["next_focus"] or "",
                             held_on=fields["held_on"], version=Review.version + 1, **extra)
               .where(Review.id == review.id, Review.version == version,
                      Review.status != ReviewStatus.ACKNOWLEDGED.value)
               .execute())
    if not changed:
        raise ReviewLocked()
    for goal in goals:
        outcome, comment = outcomes.get(goal.id, ("", ""))
        (ReviewGoal.insert(review=review.id, goal=goal.id, outcome=outcome or "",
                           comment=comment or "")
         .on_conflict(conflict_target=[ReviewGoal.review, ReviewGoal.goal],
                      update={ReviewGoal.outcome: outcome or "", ReviewGoal.comment: comment or ""})
         .execute())


def _outcome_of(goal: Goal, outcomes: dict) -> str:
    """The outcome chosen for `goal` in `outcomes` (goal id → (outcome, comment)); "" for
    none."""
    return outcomes.get(goal.id, ("",))[0]


def _apply_outcomes_to_goals(goals: list[Goal], outcomes: dict) -> None:
    for goal in goals:
        outcome = _outcome_of(goal, outcomes)
        if outcome:
            Goal.update(status=outcome, updated_at=utcnow()).where(Goal.id == goal.id).execute()


def review_goals(review: Review) -> list[Goal]:
    """The person's goals in the review's cycle, oldest first."""
    return list(Goal.select().where(Goal.owner == review.person_id, Goal.cycle == review.cycle_id)
                .order_by(Goal.created_at, Goal.id))  # (mutmut: equivalent on SQLite: id order)


def edit_review(lead, review: Review, *, version: int, notes: str, held_on: date | None,
                next_focus: str, outcomes: dict) -> None:
    """Save the lead's part. A stale `version` or a finished review raises ReviewLocked.

    `outcomes` maps goal id to (outcome, comment); goals outside the review are ignored.
    Once shared, the goals follow the outcomes."""
    goals = review_goals(review)
    with write_transaction():
        current = Review.get_by_id(review.id)
        _save_lead_part(review, version,
                        {"notes": notes, "next_focus": next_focus, "held_on": held_on},
                        outcomes, goals, {})
        if current.status == ReviewStatus.SHARED:
            _apply_outcomes_to_goals(goals, outcomes)


def share_review(lead, review: Review, *, version: int, notes: str, held_on: date | None,
                 next_focus: str, outcomes: dict) -> None:
    """Save and share the lead's part: the person reads it from now on; goals take their
    outcomes. Needs the date it was held and an outcome for every goal."""
    goals = review_goals(review)
    if held_on is None:
        raise CoachingError(_("Enter the date you held the review."), "held_on")
    missing = [goal for goal in goals if not _outcome_of(goal, outcomes)]
    if missing:
        raise CoachingError(_("Choose an outcome for every goal before sharing."),
                            f"outcome-{missing[0].id}")
    with write_transaction():
        current = Review.get_by_id(review.id)
        if current.status != ReviewStatus.DRAFT:
            raise ReviewLocked()
        _save_lead_part(review, version,
                        {"notes": notes, "next_focus": next_focus, "held_on": held_on},
                        outcomes, goals,
                        {"status": ReviewStatus.SHARED.value, "shared_at": utcnow()})
        _apply_outcomes_to_goals(goals, outcomes)
        audit.record("review_shared", review, actor=lead, detail=f"person={review.person_id}")


def acknowledge_review(person, review: Review, response: str) -> None:
    """The person has read the shared review; from now on it is read-only."""
    with write_transaction():
        changed = (Review.update(status=ReviewStatus.ACKNOWLEDGED.value,
                                 acknowledged_at=utcnow(), response=response or "",
                                 version=Review.version + 1)
                   .where(Review.id == review.id, Review.person == person.id,
                          Review.status == ReviewStatus.SHARED.value)
                   .execute())
        if not changed:
            raise ReviewLocked()
        audit.record("review_acknowledged", review, actor=person)
