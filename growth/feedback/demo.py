"""Demo feedback and practice: half a year of ticket reviews between teammates (mostly
better than fine or amazing, some fine, a rare rough one), replies, self-reviews, and a
role-play a month in each team."""

from datetime import datetime, time, timedelta

from ..models import REVIEW_ASPECTS, Role, TicketReview
from . import service

OPENINGS = [
    "You named the customer's frustration before anything else",
    "The first line restated the problem in the customer's own words",
    "You spotted that the invoice was duplicated, not wrong",
    "Lovely how you turned a refusal into two options",
    "The steps were numbered and each one was short",
    "You kept the tone warm even after the third angry reply",
    "You linked the exact help article instead of the overview",
    "The workaround you found saved them a day of waiting",
    "You asked the one question that unlocked the whole case",
    "The summary at the top made the handover easy",
    "You owned the delay without blaming the other team",
    "You checked the account history before answering",
]
DETAILS = [
    "and the customer said so in their reply.",
    "so the ticket closed in one exchange.",
    "which is exactly what the new macro should say.",
    "and it read like a person, not a template.",
    "so nobody had to ask for the order number twice.",
    "and the follow-up note was short and clear.",
    "which I'm stealing for my own replies.",
    "and the escalation never happened.",
    "and you still closed it before lunch.",
    "so the customer knew what would happen next.",
    "and the internal note made the next shift's life easy.",
    "which turned a complaint into a thank-you.",
    "and you didn't hide behind the policy.",
    "so the bug report to engineering was ready to go.",
    "and the customer upgraded a week later.",
    "which is the kind of reply we put in onboarding.",
]
SUGGESTIONS = [
    "Maybe drop the second apology; one was enough.",
    "The last paragraph could be a bullet list.",
    "Add the link to the refund policy next time.",
    "I'd confirm the timezone before promising a call.",
    "A shorter subject line would help in their inbox.",
    "",
    "",
    "",
]
REPLIES = [
    "Thanks! That one took a while to get right.",
    "Good catch on the apology, I'll trim that.",
    "Thank you, it helps to hear what landed.",
    "Could you show me how you'd phrase the last part?",
    "Thanks, I'll put the article link in the macro.",
    "Appreciated! The customer wrote back happy too.",
]
SELF_NOTES = [
    "Looking back, I answered the question they asked, not the one they had.",
    "Too long: the answer was in the fourth paragraph.",
    "Good call to phone them; the email thread was going in circles.",
    "I promised a date I didn't control. Next time: say what I'll check.",
    "Clear steps, but I forgot to say why the error happened.",
]
SCENARIOS = [
    ("Refund not arrived; the customer writes in capitals",
     "Paid twice, refund promised a week ago, nothing yet. Threatens a chargeback."),
    ("The account was locked before a big demo",
     "A sales lead at the customer needs access in 20 minutes."),
    ("Feature removed in the last release",
     "A long-time customer relied on the old export and feels ignored."),
    ("Invoice in the wrong currency",
     "Finance at the customer wants a corrected invoice today."),
    ("Third contact about the same bug",
     "Two agents already promised a fix; the customer is tired of promises."),
    ("A customer asks to speak to the CEO",
     "Calm, polite and very firm; nothing an agent offers seems enough."),
]
TAKEAWAYS = [
    "Name the feeling before the policy. Offer one concrete next step with a time.",
    "Silence on the phone is fine: let them finish. Summarise before solving.",
    "Don't defend the release; explain what they can do today.",
    "Say what you will check and when you'll write back, then do it.",
    "Ask what a good outcome looks like for them; it was smaller than we feared.",
    "Short sentences. One apology. Then facts.",
]
RATING_WEIGHTS = [(4, 45), (3, 36), (2, 16), (1, 3)]


def _rating(rng) -> int:
    values, weights = zip(*RATING_WEIGHTS, strict=True)
    return rng.choices(values, weights)[0]


def fill(people, rng, today) -> None:
    """Reviews over the last 26 weeks and a monthly role-play per team."""
    active = [p for p in people if p.active and p.left_on is None and p.team_id
              and p.role in (Role.AGENT.value, Role.LEAD.value)]
    by_team: dict[int, list] = {}
    for person in active:
        by_team.setdefault(person.team_id, []).append(person)
    praises = [f"{o} {d}" for o in OPENINGS for d in DETAILS]
    rng.shuffle(praises)
    used = 0
    rows = []
    for team in by_team.values():
        for reviewer in team:
            for week in range(26):
                if rng.random() > 0.35:
                    continue
                reviewee = rng.choice(team)
                day = today - timedelta(weeks=week, days=rng.randint(0, 4))
                if day < max(reviewer.hired_on, reviewee.hired_on):
                    continue
                at = datetime.combine(day, time(9 + rng.randint(0, 7), rng.randint(0, 59)))
                number = 40000 + len(rows) * 7 + rng.randint(0, 6)
                url = f"https://support.example.com/tickets/{number}"
                if reviewee.id == reviewer.id:
                    praise, suggestion, rating = rng.choice(SELF_NOTES), "", rng.choice([2, 3])
                else:
                    praise = praises[used % len(praises)]
                    used += 1
                    suggestion, rating = rng.choice(SUGGESTIONS), _rating(rng)
                replied = reviewee.id != reviewer.id and week > 0 and rng.random() < 0.6
                rows.append({
                    "reviewer": reviewer.id, "reviewee": reviewee.id, "ticket_url": url,
                    "ticket_hash": service.ticket_hash(url), "ticket_ref": f"#{number}",
                    "rating": rating, "praise": praise, "suggestion": suggestion,
                    "aspects": ",".join(rng.sample(REVIEW_ASPECTS, rng.randint(0, 3))),
                    "created_at": at, "reply": rng.choice(REPLIES) if replied else "",
                    "replied_at": at + timedelta(hours=rng.randint(2, 30)) if replied else None,
                })
    for start in range(0, len(rows), 200):
        TicketReview.insert_many(rows[start:start + 200]).on_conflict_ignore().execute()
    _role_plays(by_team, rng, today)


def _role_plays(by_team, rng, today) -> None:
    for team in by_team.values():
        if len(team) < 3:
            continue
        organiser = next((p for p in team if p.role == Role.LEAD.value), team[0])
        for month in range(6):
            held_on = today - timedelta(days=30 * month + rng.randint(1, 10))
            cast = [p for p in rng.sample(team, min(4, len(team))) if p.hired_on <= held_on]
            if len(cast) < 2:
                continue
            scenario, brief = SCENARIOS[(month + organiser.id) % len(SCENARIOS)]
            try:
                service.record_practice(
                    organiser, held_on=held_on, scenario=scenario, brief=brief,
                    minutes=rng.choice([30, 45, 60]), takeaways=TAKEAWAYS[month],
                    customer_ids=[cast[0].id], agent_ids=[cast[1].id],
                    observer_ids=[p.id for p in cast[2:]],
                    today=today)
            except service.FeedbackError:
                continue  # a week already full: that month's session is left out

