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
    "Looked at the customer satisfaction comments from the last month together.",
    "Talked about the new starter and how to help them through their first weeks.",
    "Went through the help-centre search terms that find nothing yet.",
    "Discussed the shift swap that keeps the development day free next week.",
    "Celebrated the article that cut password-reset tickets; picked the next topic.",
    "Talked through how the API course is going and where it gets hard.",
]
PRIVATE = [
    "Seemed tired; the queue has been heavy. Check in about workload next time.",
    "Interested in a tier 2 move within a year; keep an eye on openings.",
    "Confident on product questions, less so on billing edge cases.",
    "Quieter than usual in the team meeting; ask how things are going.",
    "Would be a good buddy for the next new starter.",
    "Mentioned a course they would like the budget for; check with finance.",
    "Handles angry customers well now; say so in the review.",
]
# (text, owner): "person" for the agent, "lead" for their lead.
ACTIONS = [
    ("Share the macro draft in the team channel", "person"),
    ("Book a slot with Platform for ticket reading", "lead"),
    ("Write up the three most common billing questions", "person"),
    ("Ask product for the release notes before Friday", "lead"),
    ("Finish module 4 of the SQL course", "person"),
    ("Send the article draft to the docs team", "person"),
    ("Find a role-play partner for next month", "person"),
    ("Check the training budget for the de-escalation course", "lead"),
    ("Read the tier 2 handbook chapter on integrations", "person"),
    ("Move the development day away from the release week", "lead"),
    ("List the search terms customers use for refunds", "person"),
    ("Introduce the new starter to the knowledge base", "person"),
    ("Ask Platform for a walkthrough of the webhook logs", "lead"),
    ("Try the new export feature end to end", "person"),
    ("Write the summary of the escalation review", "person"),
    ("Get a second reviewer for the billing FAQ", "lead"),
    ("Finish module 5 of the SQL course", "person"),
    ("Pick the topic for the next knowledge-sharing hour", "person"),
    ("Share the ticket-reading notes with the team", "person"),
    ("Agree the cover for the next development day", "lead"),
    ("Update the SSO troubleshooting page", "person"),
    ("Book the follow-up on the tier 2 move", "lead"),
]
AGENDA = [
    "How to protect the day when the queue spikes",
    "Feedback on my first blog post draft",
    "Conference budget for next year",
    "Whether I can shadow tier 2 for a week",
    "The new shift pattern and my development day",
    "Ideas for the next knowledge-sharing hour",
    "What to learn after the SQL course",
]
# Self-assessments name the season of their own half year ({season}).
SELF = [
    "I kept most of my development days this {season} and used them for the docs backlog "
    "and the SQL course. The weeks I lost were all in the {season} rush.",
    "Good half year: the knowledge base articles I wrote this {season} are now linked from "
    "macros.",
    "This {season} I protected the day better than before, and the role-plays made the hard "
    "calls easier.",
    "A mixed {season}: the queue took several of my days, but the ticket reading with "
    "Platform taught me a lot.",
    "I finished the course I started and wrote two articles this {season}; next I want to "
    "share more with the team.",
]
COACHING = [
    "Clear progress on your goals, and the team noticed the docs you wrote. Next, share "
    "what you learn more widely.",
    "Strong half. The lost weeks were on us, not you: we will protect the day better.",
    "You used your development time well and it shows in your billing tickets.",
    "A steady half with good habits; let's aim a little higher next time.",
    "Your articles are saving the team time. Keep writing, and ask for reviews early.",
]
NEXT_FOCUS = [
    "Mentor a new starter and keep the docs habit.",
    "Take the first tier 2 tickets with a buddy.",
    "Run one knowledge-sharing hour.",
    "Finish the API course and solve integration tickets without escalating.",
]
RESPONSES = [
    "Thanks, agreed on the focus.",
    "Thanks, that's fair. Looking forward to the next half.",
    "Agreed. I'll ask for help earlier next time.",
]
OUTCOMES = [GoalStatus.ACHIEVED, GoalStatus.PARTLY, GoalStatus.ACHIEVED, GoalStatus.MISSED]
# The lead's word on each goal, fitting its outcome.
GOAL_COMMENTS = {
    GoalStatus.ACHIEVED.value: ["Done, with good evidence in the logged days.",
                                "Achieved, and the team already uses the result."],
    GoalStatus.PARTLY.value: ["Partly there: keep the part that still matters next half.",
                              "Good start; the second half of it is still open."],
    GoalStatus.MISSED.value: ["Missed: the queue took most of the days meant for it.",
                              "Missed this half; a smaller first step would help."],
    GoalStatus.DROPPED.value: ["Dropped by agreement when priorities changed.",
                               "Dropped: it no longer fits the team's plans."],
    GoalStatus.OPEN.value: [""],
}
SEASONS = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring", 5: "spring",
           6: "summer", 7: "summer", 8: "summer", 9: "autumn", 10: "autumn", 11: "autumn"}


def season_of(cycle) -> str:
    """The season in the middle of a cycle: spring for January–June, autumn for July–December."""
    middle = cycle.starts_on + (cycle.ends_on - cycle.starts_on) / 2
    return SEASONS[middle.month]


class _Deck:
    """Texts dealt without repeating, in an order of the demo's random generator: one deck
    per person keeps their notes, items and self-assessments all different."""

    def __init__(self, rng, texts):
        self._texts = rng.sample(texts, len(texts))

    def deal(self, default=None):
        return self._texts.pop() if self._texts else default


def _at(day: date) -> datetime:
    return datetime.combine(day, time(15, 0))


def _one_on_ones(person, lead_id, rng, today):
    meetings = []
    held = today - timedelta(days=rng.randint(110, 130))
    while held <= today - timedelta(days=3):
        if held >= person.hired_on:
            meetings.append(held)
        held += timedelta(days=rng.choice([14, 21, 28]))
    shared, private = _Deck(rng, SHARED), _Deck(rng, PRIVATE)
    actions, agenda = _Deck(rng, ACTIONS), _Deck(rng, AGENDA)
    for index, held_on in enumerate(meetings):
        meeting = OneOnOne.create(person=person.id, lead=lead_id, held_on=held_on,
                                  shared_notes=shared.deal(""),
                                  private_notes=private.deal("") if rng.random() < 0.7 else "",
                                  created_at=_at(held_on))
        latest = index == len(meetings) - 1
        for _ in range(rng.randint(1, 2)):
            item = actions.deal()
            if item is None:
                break
            text, owner = item
            done = not latest and rng.random() < 0.8
            ActionItem.create(person=person.id, one_on_one=meeting.id,
                              owner=person.id if owner == "person" else lead_id, text=text,
                              due_on=held_on + timedelta(days=14), done=done,
                              done_at=_at(held_on + timedelta(days=7)) if done else None,
                              created_at=_at(held_on))
        if rng.random() < 0.4 and (text := agenda.deal()):
            AgendaItem.create(person=person.id, author=person.id, text=text,
                              one_on_one=meeting.id, created_at=_at(held_on - timedelta(days=2)))
    if rng.random() < 0.6 and (text := agenda.deal()):
        AgendaItem.create(person=person.id, author=rng.choice([person.id, lead_id]), text=text)


class _Words:
    """One person's review texts, none used twice."""

    def __init__(self, rng):
        self.self_assessments = _Deck(rng, SELF)
        self.coaching = _Deck(rng, COACHING)
        self.next_focus = _Deck(rng, NEXT_FOCUS)
        self.responses = _Deck(rng, RESPONSES)


def _review(person, lead_id, cycle, rng, today, status, words, submitted=True):
    held_on = min(cycle.ends_on + timedelta(days=rng.randint(5, 25)), today)
    shared = status != ReviewStatus.DRAFT
    acknowledged = status == ReviewStatus.ACKNOWLEDGED
    assessment = ""
    if submitted or rng.random() < 0.5:
        assessment = words.self_assessments.deal("").format(season=season_of(cycle))
    review = Review.create(
        person=person.id, cycle=cycle.id, lead=lead_id, status=status.value,
        self_assessment=assessment,
        self_submitted_at=_at(held_on - timedelta(days=3)) if submitted else None,
        notes=words.coaching.deal(""),
        next_focus=words.next_focus.deal("") if shared else "",
        held_on=held_on if shared else None,
        shared_at=_at(held_on) if shared else None,
        acknowledged_at=_at(held_on + timedelta(days=2)) if acknowledged else None,
        response=words.responses.deal("") if acknowledged else "",
        created_at=_at(cycle.ends_on))
    for goal in Goal.select().where(Goal.owner == person.id, Goal.cycle == cycle.id):
        # An ended cycle's goals already have their outcome: the review records it.
        outcome = goal.status if goal.status != GoalStatus.OPEN.value else (
            rng.choice(OUTCOMES).value)
        ReviewGoal.create(review=review.id, goal=goal.id, outcome=outcome,
                          comment=rng.choice(GOAL_COMMENTS[outcome]) if shared else "")
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
        words = _Words(rng)
        _one_on_ones(person, lead_id, rng, today)
        if person.hired_on <= before.ends_on:
            _review(person, lead_id, before, rng, today, ReviewStatus.ACKNOWLEDGED, words)
        if person.hired_on > last.ends_on:
            continue
        if person.email == "agent@example.com":
            _review(person, lead_id, last, rng, today, ReviewStatus.DRAFT, words)
            _review(person, lead_id, current, rng, today, ReviewStatus.DRAFT, words,
                    submitted=False)
        elif person.role != Role.AGENT.value or index % 4 == 0:
            continue  # not opened yet: shows in "reviews due"
        elif index % 4 == 1:
            _review(person, lead_id, last, rng, today, ReviewStatus.SHARED, words)
        else:
            _review(person, lead_id, last, rng, today, ReviewStatus.ACKNOWLEDGED, words)
