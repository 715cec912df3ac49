"""Feedback and practice: give, reply to and delete ticket reviews; record and delete
role-play sessions. Each use case takes the acting person and runs in one transaction.

A review's optional minutes and a session's role-play minutes become activities in the
weeks of the people concerned, under the week's usual rules (growth.dev_days.service):
the same transaction makes the review or session and its activities, so a refused week
leaves nothing behind.
"""

import hashlib
from datetime import date

from flask_babel import gettext as _
from peewee import IntegrityError

from ..db import write_transaction
from ..dev_days import service as days
from ..integrity import created_once
from ..models import (
    REVIEW_ASPECTS,
    Activity,
    ActivityKind,
    PracticePart,
    PracticeParticipant,
    PracticeSession,
    Team,
    TicketReview,
    User,
    utcnow,
)
from ..permissions import can_delete_practice, can_review_person, practice_team_id
from ..weeks import monday_of

TEXT_MAX = 2000
URL_MAX = 2000
REF_MAX = 40
REVIEW_MINUTES_MAX = 240
SCENARIO_MAX = 200
PRACTICE_TEXT_MAX = 4000
PRACTICE_MINUTES = (5, 480)


class FeedbackError(ValueError):
    """A rule was broken; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class Conflict(Exception):
    """The review was already replied to: a second reply or a delete answers 409."""


def ticket_hash(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()


def _web_address(url: str) -> str:
    url = (url or "").strip()  # mutmut: equivalent — "XXXX" for None fails the prefix too
    if len(url) > URL_MAX or not url.lower().startswith(("http://", "https://")):
        raise FeedbackError(_("Paste the ticket's web address, starting with http:// or "
                              "https://."), "ticket_url")
    return url


def _text(value: str, limit: int, field: str, *, required: str | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        raise FeedbackError(required, field)
    if len(value) > limit:
        raise FeedbackError(_("Keep this under %(n)s characters.", n=limit), field)
    return value


# Ticket reviews ---------------------------------------------------------------------------

def give_review(user, *, reviewee_id: int, ticket_url: str, rating: int, praise: str,
                ticket_ref: str = "", suggestion: str = "", aspects=(),
                minutes: int | None = None, submission: str | None = None,
                today: date | None = None) -> TicketReview:
    """A review of a teammate's (or one's own) ticket. With `minutes` the reviewer's
    current week gains a `tickets` activity. A `submission` key the reviewer already used
    returns the review it made; the same reviewer, reviewee and ticket twice is refused."""
    reviewee = User.get_or_none(User.id == reviewee_id)
    if not can_review_person(user, reviewee):
        raise FeedbackError(_("Choose a teammate, someone you lead, or yourself."),
                            "reviewee_id")
    ticket_url = _web_address(ticket_url)
    ticket_ref = _text(ticket_ref, REF_MAX, "ticket_ref")
    if rating not in (1, 2, 3, 4):
        raise FeedbackError(_("Pick one of the four."), "rating")
    praise = _text(praise, TEXT_MAX, "praise", required=_("Say what worked."))
    suggestion = _text(suggestion, TEXT_MAX, "suggestion")
    aspects = list(dict.fromkeys(aspects or ()))
    if any(name not in REVIEW_ASPECTS for name in aspects):
        raise FeedbackError(_("Choose among the aspects listed."), "aspects")
    if minutes is not None and not 1 <= minutes <= REVIEW_MINUTES_MAX:
        raise FeedbackError(_("Enter the minutes, from 1 to 240, or leave them empty."),
                            "minutes")
    week = monday_of(today or date.today())

    def create():
        with write_transaction():
            review = TicketReview.create(
                reviewer=user.id, reviewee=reviewee.id, ticket_url=ticket_url,
                ticket_hash=ticket_hash(ticket_url), ticket_ref=ticket_ref, rating=rating,
                praise=praise, suggestion=suggestion,
                aspects=",".join(a for a in REVIEW_ASPECTS if a in aspects), minutes=minutes,
                submission=submission or None)
            if minutes:
                try:
                    days.log_activity(user, week, kind=ActivityKind.TICKETS.value,
                                      minutes=minutes, note=ticket_ref, link=ticket_url,
                                      submission=f"review-{review.id}", today=today)
                except days.DayError as error:
                    raise FeedbackError(str(error), "minutes") from error
            return review

    try:
        return created_once(TicketReview, submission, create, reviewer=user.id)
    except IntegrityError as error:
        raise FeedbackError(_("You have already reviewed this ticket for this person."),
                            "ticket_url") from error


def reply_to_review(user, review: TicketReview, *, reply: str) -> None:
    """The reviewee's one reply. Raises Conflict when a reply is already there."""
    reply = _text(reply, TEXT_MAX, "reply", required=_("Write your reply."))
    with write_transaction():
        replied = (TicketReview.update(reply=reply, replied_at=utcnow())
                   .where(TicketReview.id == review.id, TicketReview.reviewee == user.id,
                          TicketReview.reviewer != user.id,
                          TicketReview.replied_at.is_null()).execute())
    if not replied:
        raise Conflict()


def delete_review(user, review: TicketReview) -> None:
    """The reviewer takes a review back until it is replied to (Conflict after). Minutes it
    logged stay in the reviewer's week: the reading was done."""
    with write_transaction():
        deleted = (TicketReview.delete()
                   .where(TicketReview.id == review.id, TicketReview.reviewer == user.id,
                          TicketReview.replied_at.is_null()).execute())
        if not deleted and TicketReview.select().where(TicketReview.id == review.id).exists():
            raise Conflict()


# Practice sessions ------------------------------------------------------------------------

def practice_people(team_id: int | None):
    """Who may take part in a team's role-play: its active members and its lead."""
    if team_id is None:
        return User.select().where(User.id.is_null())
    lead = Team.select(Team.lead).where(Team.id == team_id)
    return (User.select().where((User.team == team_id) | User.id.in_(lead),
                                User.active == True)  # noqa: E712
            .order_by(User.name, User.id))  # (mutmut: equivalent on SQLite: id order)


def _parts(customer_ids, agent_ids, observer_ids) -> dict[int, str]:
    parts: dict[int, str] = {}
    for part, ids in ((PracticePart.CUSTOMER, customer_ids), (PracticePart.AGENT, agent_ids),
                      (PracticePart.OBSERVER, observer_ids)):
        for person_id in ids or ():
            if person_id in parts:
                raise FeedbackError(_("Give each person one part."), "customer_ids")
            parts[person_id] = part.value
    if PracticePart.CUSTOMER.value not in parts.values():
        raise FeedbackError(_("Someone has to play the customer."), "customer_ids")
    if PracticePart.AGENT.value not in parts.values():
        raise FeedbackError(_("Someone has to play the agent."), "agent_ids")
    return parts


def record_practice(user, *, held_on: date, scenario: str, minutes: int, brief: str = "",
                    takeaways: str = "", customer_ids=(), agent_ids=(), observer_ids=(),
                    submission: str | None = None, today: date | None = None
                    ) -> PracticeSession:
    """A role-play in the organiser's team. Every participant gets one `roleplay` activity
    of `minutes` in the week of `held_on`, in the same transaction; a repeat of the same
    `submission` key returns the session the first post made and logs nothing more."""
    today = today or date.today()
    team_id = practice_team_id(user)
    if team_id is None:
        raise FeedbackError(_("Role-plays are recorded within a team; you are in none."))
    scenario = _text(scenario, SCENARIO_MAX, "scenario", required=_("Name the scenario."))
    brief = _text(brief, PRACTICE_TEXT_MAX, "brief")
    takeaways = _text(takeaways, PRACTICE_TEXT_MAX, "takeaways")
    if not isinstance(minutes, int) or not PRACTICE_MINUTES[0] <= minutes <= PRACTICE_MINUTES[1]:
        raise FeedbackError(_("Enter the minutes, from 5 to 480."), "minutes")
    if held_on > today:
        raise FeedbackError(_("Record a role-play once it has been held."), "held_on")
    parts = _parts(customer_ids, agent_ids, observer_ids)
    people = {p.id: p for p in practice_people(team_id).where(User.id.in_(list(parts)))}
    if set(people) != set(parts):
        raise FeedbackError(_("Choose the participants among your team."), "customer_ids")
    week = monday_of(held_on)
    for person in people.values():
        if person.hired_on > held_on or (person.left_on and person.left_on < held_on):
            raise FeedbackError(_("%(name)s was not on the team on that day.",
                                  name=person.name), "held_on")

    def create():
        with write_transaction():
            session = PracticeSession.create(
                team=team_id, organiser=user.id, held_on=held_on, scenario=scenario,
                brief=brief, minutes=minutes, takeaways=takeaways,
                submission=submission or None)
            for person_id, part in sorted(parts.items()):
                try:
                    activity = days.log_activity(
                        people[person_id], week, kind=ActivityKind.ROLEPLAY.value,
                        minutes=minutes, note=scenario, submission=f"practice-{session.id}",
                        today=today)
                except days.DayError as error:
                    raise FeedbackError(_("%(name)s: %(problem)s", name=people[person_id].name,
                                          problem=str(error)), "minutes") from error
                PracticeParticipant.create(session=session.id, user=person_id, part=part,
                                           activity=activity.id)
            return session

    return created_once(PracticeSession, submission, create, organiser=user.id)


def delete_practice(user, session: PracticeSession) -> None:
    """The organiser removes a session, and with it every participant's activity and its
    minutes in their week. Anybody else: PermissionError, nothing removed."""
    if not can_delete_practice(user, session):
        raise PermissionError
    with write_transaction():
        linked = Activity.select().where(Activity.id.in_(
            PracticeParticipant.select(PracticeParticipant.activity)
            .where(PracticeParticipant.session == session.id)))
        for activity in list(linked):
            days.delete_activity(activity)
        PracticeSession.delete().where(PracticeSession.id == session.id).execute()
