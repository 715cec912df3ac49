"""A believable demo organisation for `growth demo` (development and trials only)."""

import random
from datetime import date, timedelta

from .coaching.demo import fill as fill_coaching
from .db import database
from .dev_days.demo import fill as fill_weeks
from .feedback.demo import fill as fill_feedback
from .models import Role, Team, User
from .passwords import hash_password

DEMO_PASSWORD = "growth-demo-2026"  # noqa: S105 - printed for people trying the demo

# (email, name, role, team, years employed)
SIGN_INS = [
    ("agent@example.com", "Ana Ruiz", Role.AGENT, "Tier 1 Support", 2.6),
    ("lead@example.com", "Leo Martin", Role.LEAD, "Tier 1 Support", 5.2),
    ("hr@example.com", "Hana Okafor", Role.HR, None, 4.0),
    ("admin@example.com", "Adam Weiss", Role.ADMIN, None, 6.0),
]

TEAMS = {
    "Tier 1 Support": None,
    "Billing & Accounts": ("lead.billing@example.com", "Bea Santos"),
    "Platform Support": ("lead.platform@example.com", "Pablo Ortega"),
}

AGENT_NAMES = [
    "Carmen Vidal", "Diego Ramos", "Elena Petrova", "Farid Haddad", "Grace Lee", "Hugo Costa",
    "Irene Molina", "Jonas Berg", "Kira Tanaka", "Lucía Herrera", "Marco Bianchi",
    "Nora Jensen", "Omar Said", "Paula Núñez", "Quentin Roy", "Rosa Delgado", "Sam Patel",
]


def build(seed: int = 7, today: date | None = None) -> None:
    """Create teams, people and their history. The database must be empty."""
    rng = random.Random(seed)
    today = today or date.today()
    password_hash = hash_password(DEMO_PASSWORD)
    with database.atomic():
        teams = {name: Team.create(name=name) for name in TEAMS}
        people = []

        def person(email, name, role, team, years, **extra):
            user = User.create(
                email=email, name=name, role=role.value, team=teams.get(team),
                hired_on=today - timedelta(days=int(years * 365.25)),
                password_hash=password_hash, **extra)
            people.append(user)
            return user

        for email, name, role, team, years in SIGN_INS:
            # The admin runs the tool and takes no development day.
            allowance = {"weekly_dev_hours": 0} if role == Role.ADMIN else {}
            person(email, name, role, team, years, **allowance)
        for team, lead in TEAMS.items():
            if lead:
                person(lead[0], lead[1], Role.LEAD, team, rng.uniform(3, 8))
        Team.update(lead=User.by_email("lead@example.com").first()).where(
            Team.name == "Tier 1 Support").execute()
        for name, lead_email in (("Billing & Accounts", "lead.billing@example.com"),
                                 ("Platform Support", "lead.platform@example.com")):
            Team.update(lead=User.by_email(lead_email).first()).where(Team.name == name).execute()

        team_names = list(TEAMS)
        for index, name in enumerate(AGENT_NAMES):
            email = name.split()[0].lower().replace("í", "i").replace("ú", "u") + "@example.com"
            team = team_names[index % len(team_names)]
            years = rng.choice([0.4, 0.9, 1.5, 2.2, 3.1, 4.5, 6.0, 7.5])
            extra = {}
            if index % 6 == 5:  # a few people left during the last year
                extra = {"left_on": today - timedelta(days=rng.randint(20, 300)),
                         "leave_reason": rng.choice(["voluntary", "voluntary", "involuntary"]),
                         "active": False}
            if index % 7 == 3:
                extra["weekly_dev_hours"] = 4  # a part-timer
            person(email, name, Role.AGENT, team, years, **extra)

        # Each area adds its own history: weeks and goals, then one-on-ones and reviews.
        fill_weeks(people, rng, today)
        fill_coaching(people, rng, today)
        fill_feedback(people, rng, today)


def sign_in_table() -> str:
    """The demo sign-ins for people to read, in the command line's language."""
    from flask_babel import gettext

    from .labels import ROLES

    rows = [(gettext("Role"), gettext("Email"), gettext("Name"))]
    rows += [(str(ROLES[role]), email, name) for email, name, role, _team, _years in SIGN_INS]
    role_width, email_width = (max(len(row[column]) for row in rows) for column in (0, 1))
    lines = [gettext("Demo sign-ins (password for all: %(password)s):", password=DEMO_PASSWORD)]
    lines += [f"  {role:<{role_width}}  {email:<{email_width}}  {name}"
              for role, email, name in rows]
    return "\n".join(lines)
