"""What the feedback and practice pages show, in a fixed number of queries whatever the
length of the history: lists are joined and capped, figures aggregated in SQL."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from peewee import JOIN, Case, fn

from ..models import PracticeParticipant, PracticeSession, TicketReview, User
from ..permissions import (
    can_use_feedback,
    practice_sessions_visible_to,
)

LIST_MAX = 50
SCENARIOS_MAX = 10
LEAD_WINDOW = timedelta(weeks=4)


def _with_people(query):
    reviewer = User.alias("reviewer")
    reviewee = User.alias("reviewee")
    return (query.select(TicketReview, reviewer, reviewee)
            .join(reviewer, on=(TicketReview.reviewer == reviewer.id)).switch(TicketReview)
            .join(reviewee, on=(TicketReview.reviewee == reviewee.id))
            .order_by(TicketReview.created_at.desc(), TicketReview.id.desc()))


def review_with_people(review_id: int):
    return _with_people(TicketReview.select()).where(TicketReview.id == review_id)


@dataclass
class FeedbackPage:
    received: list
    given: list
    self_reviews: list
    counts: dict  # received, given, self: totals over the whole history


def feedback_page(user) -> FeedbackPage:
    """The person's reviews received, given and their self-reviews (the newest of each),
    with the totals: four queries."""
    mine = TicketReview.select()
    received_list = _with_people(mine).where(TicketReview.reviewee == user.id,
                                             TicketReview.reviewer != user.id).limit(LIST_MAX)
    given_list = _with_people(mine).where(TicketReview.reviewer == user.id,
                                          TicketReview.reviewee != user.id).limit(LIST_MAX)
    selfs = _with_people(mine).where(TicketReview.reviewer == user.id,
                                     TicketReview.reviewee == user.id).limit(LIST_MAX)
    own = TicketReview.reviewer == TicketReview.reviewee
    # Sums, not a GROUP BY on a CASE: PostgreSQL can't match a parameterised expression.
    received, given, selves = (
        TicketReview.select(fn.SUM(Case(None, (((TicketReview.reviewee == user.id) & ~own, 1),),
                                        0)),
                            fn.SUM(Case(None, (((TicketReview.reviewer == user.id) & ~own, 1),),
                                        0)),
                            fn.SUM(Case(None, ((own, 1),), 0)))
        .where((TicketReview.reviewer == user.id) | (TicketReview.reviewee == user.id))
        .tuples().get())
    counts = {"received": int(received or 0), "given": int(given or 0),
              "self": int(selves or 0)}
    return FeedbackPage(list(received_list), list(given_list), list(selfs), counts)


def unreplied_reviews(user) -> list:
    """Reviews waiting for the person's reply, newest first (one query; none for HR and
    admin accounts)."""
    if not can_use_feedback(user):
        return []
    return list(_with_people(TicketReview.select())
                .where(TicketReview.reviewee == user.id, TicketReview.reviewer != user.id,
                       TicketReview.replied_at.is_null()).limit(LIST_MAX))


# Practice ---------------------------------------------------------------------------------

def practice_list(user) -> list[PracticeSession]:
    """Sessions the person may see, newest first, each with `.people` [(part, name)]: two
    queries."""
    sessions = list(practice_sessions_visible_to(user)
                    .order_by(PracticeSession.held_on.desc(), PracticeSession.id.desc())
                    .limit(LIST_MAX))
    _attach_people(sessions)
    return sessions


def _attach_people(sessions) -> None:
    by_session = {s.id: s for s in sessions}
    for s in sessions:
        s.people = []
    if not by_session:
        return
    rows = (PracticeParticipant.select(PracticeParticipant, User).join(User)
            .where(PracticeParticipant.session.in_(list(by_session)))
            .order_by(PracticeParticipant.part, User.name))
    for row in rows:
        by_session[row.session_id].people.append(row)


def with_people(session: PracticeSession) -> PracticeSession:
    """The session with `.people` [(part, name)] (one query)."""
    _attach_people([session])
    return session


def past_scenarios(team_id: int | None) -> list[tuple[str, str]]:
    """The team's most recent distinct scenarios (title, brief) to pick from."""
    if team_id is None:
        return []
    latest = fn.MAX(PracticeSession.held_on)
    return list(PracticeSession.select(PracticeSession.scenario, PracticeSession.brief)
                .where(PracticeSession.team == team_id)
                .group_by(PracticeSession.scenario, PracticeSession.brief)
                .order_by(latest.desc()).limit(SCENARIOS_MAX).tuples())


# Figures for the lead, the review and HR --------------------------------------------------

@dataclass
class Figures:
    received: int = 0
    given: int = 0
    self_reviews: int = 0
    practice: int = 0
    ratings: dict = field(default_factory=lambda: {1: 0, 2: 0, 3: 0, 4: 0})

    @property
    def none_received(self) -> bool:
        return self.received == 0


def figures(person_ids, since: date, until: date | None = None) -> dict[int, Figures]:
    """{person id: Figures} of reviews created and role-plays held from `since` to `until`
    (inclusive; open-ended without it): three aggregate queries, whatever the number of
    people or the length of the history."""
    person_ids = list(person_ids)
    result = {pid: Figures() for pid in person_ids}
    if not person_ids:
        return result
    start = datetime.combine(since, datetime.min.time())
    created = TicketReview.created_at >= start
    held = PracticeSession.held_on >= since
    if until is not None:
        created &= TicketReview.created_at < datetime.combine(until + timedelta(days=1),
                                                              datetime.min.time())
        held &= PracticeSession.held_on <= until
    self_review = TicketReview.reviewer == TicketReview.reviewee
    for pid, rating, count in (TicketReview.select(TicketReview.reviewee, TicketReview.rating,
                                                   fn.COUNT(TicketReview.id))
                               .where(TicketReview.reviewee.in_(person_ids), created,
                                      ~self_review)
                               .group_by(TicketReview.reviewee, TicketReview.rating).tuples()):
        result[pid].ratings[rating] = count
        result[pid].received += count
    own = Case(None, ((self_review, 1),), 0)
    peer = Case(None, ((self_review, 0),), 1)
    for pid, selves, given in (TicketReview.select(TicketReview.reviewer, fn.SUM(own),
                                                   fn.SUM(peer))
                               .where(TicketReview.reviewer.in_(person_ids), created)
                               .group_by(TicketReview.reviewer).tuples()):
        result[pid].self_reviews, result[pid].given = int(selves or 0), int(given or 0)
    for pid, count in (PracticeParticipant.select(PracticeParticipant.user,
                                                  fn.COUNT(PracticeParticipant.id))
                       .join(PracticeSession, JOIN.INNER)
                       .where(PracticeParticipant.user.in_(person_ids), held)
                       .group_by(PracticeParticipant.user).tuples()):
        result[pid].practice = count
    return result


def lead_figures(person_ids, today: date) -> dict[int, Figures]:
    """The last four weeks' figures for a lead's members."""
    return figures(person_ids, today - LEAD_WINDOW + timedelta(days=1))


def praise_quotes(person_id: int, since: date, until: date, limit: int = 5) -> list:
    """The newest reviews the person received in a period, for the half-year review."""
    return list(_with_people(TicketReview.select())
                .where(TicketReview.reviewee == person_id,
                       TicketReview.reviewer != TicketReview.reviewee,
                       TicketReview.created_at >= datetime.combine(since, datetime.min.time()),
                       TicketReview.created_at < datetime.combine(until + timedelta(days=1),
                                                                  datetime.min.time()))
                .limit(limit))


def team_feedback(overview, today: date) -> list[tuple]:
    """[(member, Figures)] over the last four weeks for the /team page, in its order: three
    queries, whatever the number of members."""
    members = [row.person for rows in overview.rows_by_team.values() for row in rows]
    found = lead_figures([m.id for m in members], today)
    return [(member, found[member.id]) for member in members]


@dataclass
class PersonFeedback:
    figures: Figures
    reviews: list  # the newest peer reviews the person received or gave (no self-reviews)


def person_feedback(person, today: date) -> PersonFeedback:
    """The last four weeks' figures of one member and their newest peer reviews."""
    reviews = (_with_people(TicketReview.select())
               .where((TicketReview.reviewee == person.id) | (TicketReview.reviewer == person.id),
                      TicketReview.reviewer != TicketReview.reviewee)
               .limit(10))
    return PersonFeedback(lead_figures([person.id], today)[person.id], list(reviews))


@dataclass
class CycleFeedback:
    figures: Figures
    quotes: list  # the newest reviews received in the cycle (never a self-review)


def cycle_feedback(person, cycle) -> CycleFeedback:
    """Ticket reviews and role-plays of a review cycle, for the half-year review: four
    queries."""
    return CycleFeedback(figures([person.id], cycle.starts_on, cycle.ends_on)[person.id],
                         praise_quotes(person.id, cycle.starts_on, cycle.ends_on))
