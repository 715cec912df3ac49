"""Demo coaching history: one-on-ones with their items, and reviews of past and open cycles."""

from datetime import date, datetime, time, timedelta

from ..models import (
    ActionItem,
    AgendaItem,
    Goal,
    GoalStatus,
    OneOnOne,
    Review,
    ReviewCycle,
    ReviewGoal,
    ReviewStatus,
    Role,
    Team,
)

SHARED = [
    "Talked through the refund macro rewrite; the draft is nearly ready for review.",
    "Went over the last two escalations and what the docs could have said earlier.",
    "Planned the next development day around the new billing export.",
    "Reviewed progress on the SQL course: halfway, enjoying the exercises.",
    "Discussed pairing with Platform on reading their tickets once a month.",
    "Agreed to try role-play practice for difficult calls with the team.",
]
PRIVATE = [
    "Seemed tired; the queue has been heavy. Check in about workload next time.",
    "Interested in a tier 2 move within a year; keep an eye on openings.",
    "Confident on product questions, less so on billing edge cases.",
    "",
]
ACTIONS = [
    ("Share the macro draft in the team channel", "person"),
    ("Book a slot with Platform for ticket reading", "lead"),
    ("Write up the three most common billing questions", "person"),
    ("Ask product for the release notes before Friday", "lead"),
    ("Finish module 4 of the SQL course", "person"),
]
AGENDA = [
    "How to protect the day when the queue spikes",
    "Feedback on my first blog post draft",
    "Conference budget for next year",
]
SELF = [
    "I kept most of my development days and used them for the docs backlog and the SQL "
    "course. The weeks I lost were all in the spring rush.",
    "Good half year: the knowledge base articles I wrote are now linked from macros.",
]
COACHING = [
    "Clear progress on your goals, and the team noticed the docs you wrote. Next, share "
    "what you learn more widely.",
    "Strong half. The lost weeks were on us, not you: we will protect the day better.",
]
OUTCOMES = [GoalStatus.ACHIEVED, GoalStatus.PARTLY, GoalStatus.ACHIEVED, GoalStatus.MISSED]


def _at(day: date) -> datetime:
    return datetime.combine(day, time(15, 0))


def _one_on_ones(person, lead_id, rng, today):
    meetings = []
    held = today - timedelta(days=rng.randint(110, 130))
    while held <= today - timedelta(days=3):
        if held >= person.hired_on:
            meetings.append(held)
        held += timedelta(days=rng.choice([14, 21, 28]))
    for index, held_on in enumerate(meetings):
        meeting = OneOnOne.create(person=person.id, lead=lead_id, held_on=held_on,
                                  shared_notes=rng.choice(SHARED),
                                  private_notes=rng.choice(PRIVATE), created_at=_at(held_on))
        latest = index == len(meetings) - 1
        for text, owner in rng.sample(ACTIONS, rng.randint(1, 2)):
            done = not latest and rng.random() < 0.8
            ActionItem.create(person=person.id, one_on_one=meeting.id,
                              owner=person.id if owner == "person" else lead_id, text=text,
                              due_on=held_on + timedelta(days=14), done=done,
                              done_at=_at(held_on + timedelta(days=7)) if done else None,
                              created_at=_at(held_on))
        if rng.random() < 0.4:
            AgendaItem.create(person=person.id, author=person.id, text=rng.choice(AGENDA),
                              one_on_one=meeting.id, created_at=_at(held_on - timedelta(days=2)))
    if rng.random() < 0.6:
        AgendaItem.create(person=person.id, author=rng.choice([person.id, lead_id]),
                          text=rng.choice(AGENDA))


def _review(person, lead_id, cycle, rng, today, status, submitted=True):
    held_on = min(cycle.ends_on + timedelta(days=rng.randint(5, 25)), today)
    shared = status != ReviewStatus.DRAFT
    review = Review.create(
        person=person.id, cycle=cycle.id, lead=lead_id, status=status.value,
        self_assessment=rng.choice(SELF) if submitted or rng.random() < 0.5 else "",
        self_submitted_at=_at(held_on - timedelta(days=3)) if submitted else None,
        notes=rng.choice(COACHING),
        next_focus="Mentor a new starter and keep the docs habit." if shared else "",
        held_on=held_on if shared else None,
        shared_at=_at(held_on) if shared else None,
        acknowledged_at=_at(held_on + timedelta(days=2))
        if status == ReviewStatus.ACKNOWLEDGED else None,
        response="Thanks, agreed on the focus." if status == ReviewStatus.ACKNOWLEDGED else "",
        created_at=_at(cycle.ends_on))
    for goal in Goal.select().where(Goal.owner == person.id, Goal.cycle == cycle.id):
        outcome = rng.choice(OUTCOMES).value
        ReviewGoal.create(review=review.id, goal=goal.id, outcome=outcome,
                          comment="Good evidence in the logged days." if shared else "")
        if shared:
            Goal.update(status=outcome).where(Goal.id == goal.id).execute()
    return review


def fill(people, rng, today: date) -> None:
    """One-on-ones for everyone with a lead, acknowledged reviews of the cycle before last,
    and for the last ended cycle a mix: acknowledged, shared, a draft waiting for its lead
    (the demo agent's) and some not yet opened, so the "reviews due" list has entries."""
    leads = {team.id: team.lead_id for team in Team.select()}
    current = ReviewCycle.ensure_for(today)
    last = ReviewCycle.ensure_for(current.starts_on - timedelta(days=1))
    before = ReviewCycle.ensure_for(last.starts_on - timedelta(days=1))
    coached = [p for p in people if p.active and p.left_on is None and p.team_id
               and leads.get(p.team_id) and leads[p.team_id] != p.id]
    for index, person in enumerate(coached):
        lead_id = leads[person.team_id]
        _one_on_ones(person, lead_id, rng, today)
        if person.hired_on <= before.ends_on:
            _review(person, lead_id, before, rng, today, ReviewStatus.ACKNOWLEDGED)
        if person.hired_on > last.ends_on:
            continue
        if person.email == "agent@example.com":
            _review(person, lead_id, last, rng, today, ReviewStatus.DRAFT, submitted=True)
            _review(person, lead_id, current, rng, today, ReviewStatus.DRAFT, submitted=False)
        elif person.role != Role.AGENT.value or index % 4 == 0:
            continue  # not opened yet: shows in "reviews due"
        elif index % 4 == 1:
            _review(person, lead_id, last, rng, today, ReviewStatus.SHARED)
        else:
            _review(person, lead_id, last, rng, today, ReviewStatus.ACKNOWLEDGED)
