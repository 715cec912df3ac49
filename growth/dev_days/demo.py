"""Demo history: about two years of believable development days and goals per person."""

from datetime import date, datetime, time, timedelta

from peewee import chunked

from ..models import (
    Activity,
    DevDay,
    DevDayGoal,
    Goal,
    GoalStatus,
    ReviewCycle,
    Role,
    SkipReason,
)
from ..weeks import monday_of

YEARS = 2
CHUNK = 200

KINDS = ["docs", "coding", "tickets", "product", "learning", "writing", "roleplay", "other"]

NOTES = {
    "docs": ["Rewrote the refund macro article", "Updated the SSO troubleshooting page",
             "Added screenshots to the billing FAQ", "Merged two duplicate help articles"],
    "coding": ["Python course, chapter on loops", "Wrote a script to tag old tickets",
               "SQL exercises on joins", "Paired with the platform team on a small fix"],
    "tickets": ["Read the week's escalations", "Went through a colleague's tricky API cases",
                "Studied how tier 2 solved the outage tickets"],
    "product": ["Release notes for the new dashboard", "Demo of the mobile app changes",
                "Read the roadmap update", "Tried the new export feature end to end"],
    "learning": ["De-escalation webinar", "Read two chapters of a book on customer service",
                 "Course: writing clear emails", "Conference talk on support metrics"],
    "writing": ["Drafted a blog post on onboarding tips", "Tutorial: setting up webhooks",
                "Edited a colleague's post"],
    "roleplay": ["Practised an angry-customer call with a peer",
                 "Role-play: saying no to a refund kindly"],
    "other": ["Shadowed the sales team", "Organised the team's knowledge-sharing hour"],
}

PLANS = [
    "Work through the next course module and take notes",
    "Finish the help-centre article I started last week",
    "Read colleagues' escalations and write down what I learn",
    "Catch up on the release notes and try the new features",
    "Practise difficult conversations with a peer",
    "Keep going on the SQL exercises",
    "Draft a tutorial for the community site",
]

GOALS = [
    ("Write five help-centre articles", "Customers ask the same questions every week.",
     "Five articles published and linked from the macros."),
    ("Learn enough SQL to answer my own data questions", "I wait days for reports.",
     "I can write the weekly backlog query myself."),
    ("Get ready for tier 2", "I want to handle the harder cases.",
     "I handle tier 2 tickets with a buddy for a month."),
    ("Become the go-to person for billing", "Billing cases are the slowest for the team.",
     "Colleagues ask me first and my billing tickets close faster."),
    ("Run a knowledge-sharing session", "What I learn should help the team too.",
     "One session held, with notes others use."),
    ("Stay calm with angry customers", "Those calls drain me.",
     "Role-play monthly and fewer escalations from my calls."),
    ("Publish a tutorial on the community site", "Writing helps me learn.",
     "One tutorial published with positive comments."),
    ("Understand the API well enough to debug integrations", "API tickets get escalated.",
     "I solve API tickets without escalating."),
    ("Onboard a new starter as their buddy", "I remember how lost I felt at first.",
     "The new starter handles tickets alone after a month."),
    ("Improve my written tone", "Some customers read my emails as curt.",
     "No tone complaints in my satisfaction comments for a quarter."),
    ("Learn the mobile app inside out", "Mobile tickets are growing fastest.",
     "I answer mobile questions without asking product."),
    ("Cut my reopened tickets in half", "Reopened tickets cost the customer twice.",
     "My reopen rate is half of what it was."),
]

LINKS = ["https://help.example.com/articles/", "https://learn.example.com/course/",
         "https://wiki.example.com/support/", "https://blog.example.com/drafts/"]


def _cycles(start: date, today: date) -> list[ReviewCycle]:
    """Every default cycle from `start` to the one after today."""
    cycles, day = [], start
    while True:
        cycle = ReviewCycle.ensure_for(day)
        cycles.append(cycle)
        if cycle.starts_on > today:
            return cycles
        day = cycle.ends_on + timedelta(days=1)


def _split(total: int, rng) -> list[int]:
    """A week's minutes as 1–4 activities in half hours, none above 12 h."""
    parts = max(1, min(4, total // 90 + rng.randint(-1, 1)))
    cuts = sorted(rng.randint(1, max(1, total // 30 - 1)) for _ in range(parts - 1))
    edges = [0, *cuts, total // 30]
    minutes = [(b - a) * 30 for a, b in zip(edges, edges[1:], strict=False)]
    return [min(m, 720) for m in minutes if m > 0] or [min(total, 720)]


def fill(people, rng, today: date) -> None:
    """Weeks, activities and goals for every demo person except admins (bulk inserts)."""
    people = [p for p in people if p.role != Role.ADMIN]
    if not people:
        return
    current = monday_of(today)
    start = current - timedelta(weeks=52 * YEARS)
    cycles = _cycles(start, today)

    goal_rows = []
    for person in people:
        achieved = set()  # an achieved goal is not set again
        first_day = max(person.hired_on, start)
        last_day = person.left_on or today + timedelta(days=200)
        for cycle in cycles:
            if cycle.ends_on < first_day or cycle.starts_on > last_day:
                continue
            choices = [goal for goal in GOALS if goal[0] not in achieved]
            for title, why, success in rng.sample(choices, min(rng.randint(2, 3),
                                                               len(choices))):
                status = GoalStatus.OPEN.value
                if cycle.ends_on < today:
                    status = rng.choices(["achieved", "partly", "missed", "dropped"],
                                         [5, 3, 1, 1])[0]
                if status == GoalStatus.ACHIEVED.value:
                    achieved.add(title)
                goal_rows.append({"owner": person.id, "cycle": cycle.id, "title": title,
                                  "why": why, "success": success, "status": status})
    for batch in chunked(goal_rows, CHUNK):
        Goal.insert_many(batch).execute()
    goals: dict[tuple[int, int], list[int]] = {}
    for gid, owner, cycle in Goal.select(Goal.id, Goal.owner, Goal.cycle).where(
            Goal.owner.in_([p.id for p in people])).tuples():
        goals.setdefault((owner, cycle), []).append(gid)

    def goals_on(person, day: date) -> list[int]:
        for cycle in cycles:
            if cycle.starts_on <= day <= cycle.ends_on:
                return goals.get((person.id, cycle.id), [])
        return []

    day_rows, planned = [], {}
    for person in people:
        target = (person.weekly_dev_hours or 8) * 60
        keen = rng.uniform(0.55, 0.92)
        weekday = rng.choice([2, 3, 4, 4])
        favourites = rng.sample(KINDS[:7], 3)
        monday = max(monday_of(person.hired_on), start)
        last = min(current, monday_of(person.left_on)) if person.left_on else current
        while monday <= last:
            record = {"user": person.id, "week_start": monday, "planned_on": None, "plan": "",
                      "status": "planned", "skip_reason": None, "skip_note": "",
                      "rating": None, "minutes": 0}
            holiday = (monday.month == 8 and rng.random() < 0.45) or (
                monday.month == 12 and monday.day >= 22) or rng.random() < 0.03
            roll = rng.random()
            planned_on = monday + timedelta(days=weekday)
            if monday == current:
                record.update(planned_on=planned_on, plan=rng.choice(PLANS))
                planned[(person.id, monday)] = ([], person, favourites)
            elif holiday:
                record.update(status="skipped", skip_reason=SkipReason.AWAY.value,
                              skip_note=rng.choice(["", "Holiday", "Sick", ""]))
            elif roll > keen + 0.06:
                record.update(status="skipped", skip_reason=SkipReason.WORKLOAD.value,
                              skip_note=rng.choice(["", "Queue backlog", "Covering a shift",
                                                    "Launch week"]), planned_on=planned_on)
            elif roll > keen:
                pass  # nothing logged, nothing said
            else:
                partly = rng.random() < 0.22
                total = int(target * (rng.uniform(0.3, 0.7) if partly else rng.uniform(1, 1.1)))
                total = max(30, min(2400, total // 30 * 30))
                parts = _split(total, rng)
                record.update(status="logged", minutes=sum(parts), planned_on=planned_on,
                              plan=rng.choice(PLANS) if rng.random() < 0.8 else "",
                              rating=rng.choices([None, 1, 2, 3, 4], [2, 1, 4, 5, 3])[0])
                planned[(person.id, monday)] = (parts, person, favourites)
            day_rows.append(record)
            monday += timedelta(weeks=1)
    for batch in chunked(day_rows, CHUNK):
        DevDay.insert_many(batch).execute()

    ids = {(user, week): did for did, user, week in DevDay.select(
        DevDay.id, DevDay.user, DevDay.week_start).where(
        DevDay.user.in_([p.id for p in people])).tuples()}
    activity_rows, link_rows = [], []
    for (user_id, monday), (parts, person, favourites) in planned.items():
        day_id = ids[(user_id, monday)]
        own_goals = goals_on(person, monday)
        focus = rng.choice(own_goals) if own_goals else None
        if focus:
            link_rows.append({"dev_day": day_id, "goal": focus})
        at = datetime.combine(monday + timedelta(days=4), time(16, 30))
        for minutes in parts:
            kind = rng.choice(favourites) if rng.random() < 0.75 else rng.choice(KINDS)
            activity_rows.append({
                "dev_day": day_id, "kind": kind, "minutes": minutes,
                "note": rng.choice(NOTES[kind]) if rng.random() < 0.85 else "",
                "link": (rng.choice(LINKS) + str(rng.randint(100, 999)))
                if rng.random() < 0.3 else "",
                "goal": focus if focus and rng.random() < 0.6 else None,
                "created_at": at})
    for batch in chunked(activity_rows, CHUNK):
        Activity.insert_many(batch).execute()
    for batch in chunked(link_rows, CHUNK):
        DevDayGoal.insert_many(batch).execute()
