"""A large synthetic organisation for the benchmark, built through Growth's own models.

2,000 people in 40 teams (team 1 has 60 members besides its lead), five years of weekly
development days with their activities, goals per half year, one-on-ones with action and
agenda items, and reviews. Rows are written with `insert_many` in big chunks, one
transaction per chunk of people, with explicit ids so children never read their parents
back. Everything is drawn from a seeded random generator: the same version, size and week
give the same database.

    python bench/generate.py [--people 2000] [--database-url URL]
"""

import argparse
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from argon2 import PasswordHasher  # noqa: E402
from peewee import PostgresqlDatabase, SqliteDatabase  # noqa: E402

from growth.config import Defaults  # noqa: E402
from growth.db import database, open_database, runner  # noqa: E402
from growth.models import (  # noqa: E402
    ActionItem,
    Activity,
    ActivityKind,
    AgendaItem,
    AuditEvent,
    DevDay,
    DevDayGoal,
    Goal,
    GoalStatus,
    LeaveReason,
    OneOnOne,
    Review,
    ReviewCycle,
    ReviewGoal,
    ReviewStatus,
    Role,
    Team,
    TicketReview,
    User,
)
from growth.weeks import monday_of  # noqa: E402

# Bump when the shape of the generated data changes: cached databases are keyed by it.
GENERATOR_VERSION = 2  # 2: ticket reviews in the big team
BENCH_PASSWORD = "bench-password-not-secret"
MARKER_ACTION = "bench.generated"
WEEKS = 260  # five years
BIG_TEAM_MEMBERS = 60
PEOPLE_PER_CHUNK = 50
ROWS_PER_INSERT = 2000

KINDS = [kind.value for kind in ActivityKind]
PLANS = [
    "Finish the refund-flow article and ask Tier 2 to review it",
    "Work through the SQL course, chapters on joins and grouping",
    "Read last week's escalated tickets and note recurring causes",
    "Role-play a cancellation call with a colleague, then write up what worked",
    "Catch up on the release notes and update the macros they touch",
    "Draft a tutorial on exporting invoices for the help centre",
]
NOTES = [
    "Read twelve billing tickets; three asked the same thing about proration",
    "Updated the password-reset article with the new screenshots",
    "Course module 3: window functions, exercises done",
    "Practised handling an angry caller, feedback from Sam",
    "Release notes for 4.2; two macros needed changes",
    "Wrote the first half of the invoice export tutorial",
    "Paired with Tier 2 on the webhook retries bug",
    "Watched the talk on de-escalation and took notes",
]
GOAL_TITLES = [
    "Own the billing section of the help centre",
    "Learn enough SQL to answer reporting questions myself",
    "Handle escalations without handing them over",
    "Write one public tutorial per quarter",
    "Get certified on the API",
    "Mentor a new starter through their first month",
]
LEAVE_REASONS = [LeaveReason.VOLUNTARY.value] * 7 + [LeaveReason.INVOLUNTARY.value] * 2 + [
    LeaveReason.OTHER.value]
ENDED_OUTCOMES = [GoalStatus.ACHIEVED.value] * 5 + [GoalStatus.PARTLY.value] * 3 + [
    GoalStatus.MISSED.value, GoalStatus.DROPPED.value]


@dataclass
class Person:
    id: int
    email: str
    name: str
    role: str
    team_id: int | None
    hired_on: date
    left_on: date | None = None
    leave_reason: str | None = None
    lead_id: int | None = None
    goals: dict = field(default_factory=dict)  # cycle index -> [goal ids]


@dataclass
class Ids:
    """The next id per table: children refer to parents without reading them back."""

    dev_day: int = 0
    activity: int = 0
    goal: int = 0
    one_on_one: int = 0
    review: int = 0

    def take(self, name: str) -> int:
        value = getattr(self, name) + 1
        setattr(self, name, value)
        return value


def half_year(day: date) -> tuple[str, date, date]:
    if day.month <= 6:
        return f"{day.year} H1", date(day.year, 1, 1), date(day.year, 6, 30)
    return f"{day.year} H2", date(day.year, 7, 1), date(day.year, 12, 31)


def build_cycles(first: date, last: date) -> list[tuple[str, date, date]]:
    cycles, day = [], first
    while True:
        cycle = half_year(day)
        cycles.append(cycle)
        if cycle[2] >= last:
            return cycles
        day = cycle[2] + timedelta(days=1)


def build_people(count: int, teams: int, start: date, end: date, rng: random.Random):
    """People, their teams and leads. Team 1 holds the benchmark's 60-person team."""
    hr_count = max(1, count // 500)
    admin_count = max(1, count // 1000)
    people: list[Person] = []

    def add(role: Role, team_id, **extra) -> Person:
        n = len(people) + 1
        person = Person(id=n, email=f"{role.value}{n:05d}@bench.example",
                        name=f"{role.value.title()} {n:05d}", role=role.value,
                        team_id=team_id, **extra)
        people.append(person)
        return person

    def hired() -> date:
        if rng.random() < 0.95:
            return start - timedelta(days=rng.randint(30, 7 * 365))
        return start + timedelta(days=rng.randint(0, (end - start).days - 30))

    leads = [add(Role.LEAD, t, hired_on=start - timedelta(days=rng.randint(365, 3000)))
             for t in range(1, teams + 1)]
    for _ in range(BIG_TEAM_MEMBERS):
        add(Role.AGENT, 1, hired_on=hired(), lead_id=leads[0].id)
    others = count - len(people) - hr_count - admin_count
    for i in range(others):
        team = 2 + i % (teams - 1)
        add(Role.AGENT, team, hired_on=hired(), lead_id=leads[team - 1].id)
    for _ in range(hr_count):
        add(Role.HR, None, hired_on=start - timedelta(days=rng.randint(365, 3000)))
    for _ in range(admin_count):
        add(Role.ADMIN, None, hired_on=start - timedelta(days=rng.randint(365, 3000)))

    # About one agent in forty left during the five years (never the first big-team agent,
    # whose pages the benchmark reads).
    for person in people[teams + 1:]:
        if person.role == Role.AGENT.value and rng.random() < 0.025:
            earliest = max(person.hired_on, start) + timedelta(days=120)
            if earliest < end - timedelta(days=14):
                person.left_on = earliest + timedelta(
                    days=rng.randint(0, (end - timedelta(days=14) - earliest).days))
                person.leave_reason = rng.choice(LEAVE_REASONS)
    return people


def chunks(rows: list, size: int = ROWS_PER_INSERT):
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def insert(model, fields, rows) -> None:
    for part in chunks(rows):
        model.insert_many(part, fields=fields).execute()


class Organisation:
    """Draws one chunk of people's history as row tuples, in insertion order."""

    def __init__(self, people, cycles, start: date, end: date, rng: random.Random):
        self.people, self.cycles, self.start, self.end, self.rng = (
            people, cycles, start, end, rng)
        self.ids = Ids()
        self.today = end

    def cycle_index(self, day: date) -> int:
        for i, (_, starts, ends) in enumerate(self.cycles):
            if starts <= day <= ends:
                return i
        raise ValueError(day)

    def employed(self, person: Person, monday: date) -> bool:
        sunday = monday + timedelta(days=6)
        return person.hired_on <= sunday and (person.left_on is None or monday <= person.left_on)

    def rows_for(self, chunk: list[Person]) -> dict[str, list]:
        rng = self.rng
        out = {name: [] for name in ("goal", "dev_day", "dev_day_goal", "activity",
                                     "one_on_one", "action_item", "agenda_item", "review",
                                     "review_goal", "ticket_review")}
        for person in chunk:
            self._goals(person, out)
        for person in chunk:
            self._weeks(person, out, rng)
            if person.lead_id:
                self._coaching(person, out, rng)
                self._reviews(person, out, rng)
            if person.team_id == 1:
                self._ticket_reviews(person, out, rng)
        return out

    def _ticket_reviews(self, person, out, rng):
        """Two years of weekly ticket reviews in the big team, a self-review a month: the
        history /feedback must cost the same for."""
        team = [p for p in self.people if p.team_id == 1 and p.left_on is None]
        this_monday = monday_of(self.today)
        for week in range(104):
            day = this_monday - timedelta(weeks=week)
            if day < person.hired_on or (person.left_on and day > person.left_on):
                continue
            reviewee = person if week % 4 == 0 else rng.choice(team)
            url = f"https://support.example.com/tickets/{person.id}-{week}"
            at = datetime.combine(day, datetime.min.time()) + timedelta(hours=10)
            out["ticket_review"].append((
                person.id, reviewee.id, url, f"{person.id}-{week}", rng.choice([2, 3, 3, 4, 4]),
                "Named the customer's frustration first, then the fix.", at,
                "Thanks!" if week % 3 else "", at + timedelta(hours=5) if week % 3 else None))

    def _goals(self, person, out):
        for index, (_, starts, ends) in enumerate(self.cycles):
            if person.hired_on > ends or (person.left_on and person.left_on < starts):
                continue
            ended = ends < self.today
            ids = []
            for j in range(3):
                goal_id = self.ids.take("goal")
                ids.append(goal_id)
                status = (self.rng.choice(ENDED_OUTCOMES) if ended else GoalStatus.OPEN.value)
                stamp = datetime.combine(max(starts, person.hired_on), datetime.min.time())
                out["goal"].append((goal_id, person.id, index + 1,
                                    GOAL_TITLES[(person.id + index + j) % len(GOAL_TITLES)],
                                    "It is what the team asks me about most often.",
                                    "Colleagues send people to my articles.", status,
                                    stamp, stamp))
            person.goals[index] = ids

    def _weeks(self, person, out, rng):
        current = monday_of(self.today)
        for w in range(WEEKS):
            monday = self.start + timedelta(weeks=w)
            if not self.employed(person, monday):
                continue
            day_id = self.ids.take("dev_day")
            planned_on = monday + timedelta(days=rng.randint(0, 4))
            stamp = datetime.combine(planned_on, datetime.min.time())
            goals = person.goals.get(self.cycle_index(planned_on), [])
            roll = rng.random()
            status, skip, rating, count = "logged", None, None, rng.randint(2, 10)
            if monday == current:
                status, count = "planned", rng.randint(0, 3)
            elif roll < 0.06:
                status, skip, count = "skipped", "away", 0
            elif roll < 0.11:
                status, skip, count = "skipped", "workload", 0
            elif rng.random() < 0.7:
                rating = rng.randint(1, 4)
            total = 0
            for _ in range(count):
                minutes = rng.choice((15, 30, 45, 60, 60, 90, 120))
                total += minutes
                goal = rng.choice(goals) if goals and rng.random() < 0.4 else None
                link = (f"https://help.example.com/articles/{rng.randint(1, 9999)}"
                        if rng.random() < 0.2 else "")
                out["activity"].append((self.ids.take("activity"), day_id, rng.choice(KINDS),
                                        minutes, rng.choice(NOTES), link, goal, stamp))
            if count and status == "planned":
                status = "logged"
            out["dev_day"].append((day_id, person.id, monday, planned_on,
                                   PLANS[(person.id + w) % len(PLANS)], status, skip, rating,
                                   total, stamp, stamp))
            if goals and rng.random() < 0.3:
                out["dev_day_goal"].append((day_id, rng.choice(goals)))

    def _coaching(self, person, out, rng):
        first = max(person.hired_on, self.start)
        last = min(person.left_on or self.today, self.today)
        held = first + timedelta(days=rng.randint(7, 27))
        while held <= last:
            meeting_id = self.ids.take("one_on_one")
            stamp = datetime.combine(held, datetime.min.time())
            out["one_on_one"].append((meeting_id, person.id, person.lead_id, held,
                                      "Talked about the billing article and next steps.",
                                      "Seems tired; check workload next time.", stamp))
            recent = (self.today - held).days < 60
            for k in range(rng.randint(1, 2)):
                owner = person.id if k == 0 else person.lead_id
                done = not recent or rng.random() < 0.3
                out["action_item"].append((person.id, meeting_id, owner,
                                           "Share the draft with Tier 2",
                                           held + timedelta(days=14),
                                           done, stamp if done else None, stamp))
            out["agenda_item"].append((person.id, person.id, "Career path into Tier 2",
                                       meeting_id, stamp))
            held += timedelta(days=28)

    def _reviews(self, person, out, rng):
        last_ended = max((i for i, c in enumerate(self.cycles) if c[2] < self.today),
                         default=None)
        for index, goals in person.goals.items():
            name, starts, ends = self.cycles[index]
            if ends >= self.today or (person.left_on and person.left_on < ends):
                continue
            review_id = self.ids.take("review")
            held = ends + timedelta(days=rng.randint(3, 25))
            if index == last_ended and held > self.today:
                held = None
            shared = held is not None and (index != last_ended or rng.random() < 0.6)
            status = (ReviewStatus.ACKNOWLEDGED.value if shared and index != last_ended
                      else ReviewStatus.SHARED.value if shared else ReviewStatus.DRAFT.value)
            stamp = datetime.combine(held or ends, datetime.min.time())
            out["review"].append((
                review_id, person.id, index + 1, person.lead_id, status,
                "I finished the billing section and learnt the basics of SQL.", stamp,
                "Strong half: the articles cut repeat tickets.", "Escalations", held,
                stamp if shared else None,
                stamp if status == ReviewStatus.ACKNOWLEDGED.value else None,
                "Thanks, agreed." if status == ReviewStatus.ACKNOWLEDGED.value else "", 1,
                stamp))
            for goal_id in goals:
                out["review_goal"].append((review_id, goal_id, rng.choice(ENDED_OUTCOMES),
                                           "Good progress."))


FIELDS = {
    "goal": [Goal.id, Goal.owner, Goal.cycle, Goal.title, Goal.why, Goal.success, Goal.status,
             Goal.created_at, Goal.updated_at],
    "dev_day": [DevDay.id, DevDay.user, DevDay.week_start, DevDay.planned_on, DevDay.plan,
                DevDay.status, DevDay.skip_reason, DevDay.rating, DevDay.minutes,
                DevDay.created_at, DevDay.updated_at],
    "dev_day_goal": [DevDayGoal.dev_day, DevDayGoal.goal],
    "activity": [Activity.id, Activity.dev_day, Activity.kind, Activity.minutes, Activity.note,
                 Activity.link, Activity.goal, Activity.created_at],
    "one_on_one": [OneOnOne.id, OneOnOne.person, OneOnOne.lead, OneOnOne.held_on,
                   OneOnOne.shared_notes, OneOnOne.private_notes, OneOnOne.created_at],
    "action_item": [ActionItem.person, ActionItem.one_on_one, ActionItem.owner, ActionItem.text,
                    ActionItem.due_on, ActionItem.done, ActionItem.done_at,
                    ActionItem.created_at],
    "agenda_item": [AgendaItem.person, AgendaItem.author, AgendaItem.text,
                    AgendaItem.one_on_one, AgendaItem.created_at],
    "review": [Review.id, Review.person, Review.cycle, Review.lead, Review.status,
               Review.self_assessment, Review.self_submitted_at, Review.notes,
               Review.next_focus, Review.held_on, Review.shared_at, Review.acknowledged_at,
               Review.response, Review.version, Review.created_at],
    "review_goal": [ReviewGoal.review, ReviewGoal.goal, ReviewGoal.outcome, ReviewGoal.comment],
    "ticket_review": [TicketReview.reviewer, TicketReview.reviewee, TicketReview.ticket_url,
                      TicketReview.ticket_hash, TicketReview.rating, TicketReview.praise,
                      TicketReview.created_at, TicketReview.reply, TicketReview.replied_at],
}
MODELS = {"goal": Goal, "dev_day": DevDay, "dev_day_goal": DevDayGoal, "activity": Activity,
          "one_on_one": OneOnOne, "action_item": ActionItem, "agenda_item": AgendaItem,
          "review": Review, "review_goal": ReviewGoal, "ticket_review": TicketReview}


def marker_detail(people: int) -> str:
    return f"v{GENERATOR_VERSION} people={people} week={monday_of(date.today()).isoformat()}"


def is_generated(db, people: int) -> bool:
    """True when `db` already holds this generator version's organisation for this week."""
    database.initialize(db)
    with db.connection_context():
        if not db.table_exists("audit_event"):
            return False
        return AuditEvent.select().where(AuditEvent.action == MARKER_ACTION,
                                         AuditEvent.detail == marker_detail(people)).exists()


def _generation_connection(url: str):
    """A connection tuned for bulk loading only; the app's own connections are untouched."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[1]
        return SqliteDatabase(path, pragmas={"journal_mode": "off", "synchronous": "off",
                                             "cache_size": -256000, "temp_store": "memory",
                                             "foreign_keys": 0})
    db = open_database(url)
    return db


def _prepare_schema(url: str) -> None:
    db = open_database(url)
    database.initialize(db)
    with db.connection_context():
        if not url.startswith("sqlite"):
            db.execute_sql("DROP SCHEMA IF EXISTS public CASCADE")
            db.execute_sql("CREATE SCHEMA public")
        runner().up()
    db.close_all()


def generate(url: str, people_count: int = 2000, teams: int = 40, seed: int = 2026,
             log=print) -> dict[str, int]:
    """Build the organisation into an empty database at `url` (PostgreSQL: its public schema
    is dropped first). Returns the row count per table."""
    started = time.monotonic()
    rng = random.Random(seed)
    teams = min(teams, max(2, people_count // 50))
    end = date.today()
    start = monday_of(end) - timedelta(weeks=WEEKS - 1)
    cycles = build_cycles(start, end + timedelta(days=200))
    people = build_people(people_count, teams, start, end, rng)
    org = Organisation(people, cycles, start, end, rng)
    password_hash = PasswordHasher(**Defaults.PASSWORD_HASH).hash(BENCH_PASSWORD)

    _prepare_schema(url)
    db = _generation_connection(url)
    database.initialize(db)
    counts = dict.fromkeys(MODELS, 0)
    with db.connection_context():
        if isinstance(db, PostgresqlDatabase):
            db.execute_sql("SET synchronous_commit = off")
        with db.atomic():
            ReviewCycle.insert_many(
                [(i + 1, name, s, e) for i, (name, s, e) in enumerate(cycles)],
                fields=[ReviewCycle.id, ReviewCycle.name, ReviewCycle.starts_on,
                        ReviewCycle.ends_on]).execute()
            Team.insert_many([(t, f"Team {t:02d}") for t in range(1, teams + 1)],
                             fields=[Team.id, Team.name]).execute()
            today = date.today()
            insert(User, [User.id, User.email, User.name, User.role, User.team, User.hired_on,
                          User.left_on, User.leave_reason, User.active, User.password_hash],
                   [(p.id, p.email, p.name, p.role, p.team_id, p.hired_on, p.left_on,
                     p.leave_reason, p.left_on is None or p.left_on >= today, password_hash)
                    for p in people])
            for t in range(1, teams + 1):
                Team.update(lead=t).where(Team.id == t).execute()  # lead t has id t
        for i in range(0, len(people), PEOPLE_PER_CHUNK):
            rows = org.rows_for(people[i:i + PEOPLE_PER_CHUNK])
            with db.atomic():
                for name, model in MODELS.items():
                    insert(model, FIELDS[name], rows[name])
                    counts[name] += len(rows[name])
            if (i // PEOPLE_PER_CHUNK) % 8 == 0:
                log(f"  {i + len(people[i:i + PEOPLE_PER_CHUNK]):>5} of {len(people)} people, "
                    f"{counts['activity']:,} activities, {time.monotonic() - started:.0f} s")
        with db.atomic():
            AuditEvent.create(action=MARKER_ACTION, detail=marker_detail(people_count))
        if isinstance(db, PostgresqlDatabase):
            for model in (ReviewCycle, Team, User, *MODELS.values()):
                table = model._meta.table_name
                db.execute_sql(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                               f"(SELECT COALESCE(MAX(id), 1) FROM \"{table}\"))")
            # What autovacuum does after a bulk load: statistics, and the visibility map that
            # lets the covering index answer without reading the table.
            db.execute_sql("VACUUM ANALYZE")
            # JIT compiling costs ~0.6 s per HR query and saves nothing on queries this size
            # (bench/README.md): off for this database, as recommended for production.
            name = db.execute_sql("SELECT current_database()").fetchone()[0]
            db.execute_sql(f'ALTER DATABASE "{name}" SET jit = off')
        else:
            db.execute_sql("PRAGMA journal_mode=wal")
    if hasattr(db, "close_all"):
        db.close_all()
    counts.update(user=len(people), team=teams, review_cycle=len(cycles))
    log(f"  generated in {time.monotonic() - started:.0f} s: "
        + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
    return counts


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args(argv)
    generate(args.database_url, args.people)


if __name__ == "__main__":
    main()
