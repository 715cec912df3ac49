"""Every page each role can reach on the demo organisation, in one place for the browser
sweeps (accessibility, phone layout): the GET routes of the app's url_map, with real ids
from the demo data, plus the states a person meets (a form sent back with its errors, an
empty list, a refused period).

`demo_pages()` needs the demo built (growth.demo.build) and a database connection; it
returns, for each sign-in (None: signed out), the pages in the order a sweep visits them.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from growth.auth.service import issue_set_password_link
from growth.models import (
    Activity,
    DevDay,
    Goal,
    PracticeParticipant,
    Review,
    Team,
    TicketReview,
    User,
)
from growth.reminders.mail import unsubscribe_token
from growth.weeks import monday_of, week_label

AGENT, LEAD, HR, ADMIN = ("agent@example.com", "lead@example.com", "hr@example.com",
                          "admin@example.com")
SIGNED_OUT = None
# Routes no sweep opens as a page: files, feeds and redirects, not something a person reads.
NOT_PAGES = {"static", "healthz", "calendar.feed", "dev_days.export_csv",
             "dev_days.export_json", "hr.download", "oidc.callback"}

# The addresses forms post to: a GET of one (a reload after a refused form) only leads to
# the page the form lives on, which the sweep opens (tests/test_route_sweep.py checks that
# each answers GET with a redirect, never a page of its own).
FORM_ADDRESSES = {
    "dev_days.plan", "dev_days.log_activity", "dev_days.skip", "dev_days.rate", "goals.edit",
    "coaching.open_team_reviews", "coaching.record_one_on_one", "coaching.add_team_agenda_item",
    "coaching.open_review", "coaching.add_agenda_item", "coaching.self_assessment",
    "coaching.edit_review", "coaching.share_review", "coaching.acknowledge_review",
    "feedback.reply", "admin.deactivate_user", "admin.reset_password", "calendar.make",
}


@dataclass(frozen=True)
class Page:
    """One page state: `path` opened (it answers `status`), then (for a form's errors)
    `submit`, the CSS selector of the button that sends the form as it is, empty: the form
    is refused, nothing is saved."""

    name: str
    path: str
    endpoint: str | None
    submit: str | None = None
    status: int = 200


def _own_pages(week: str, *, account_forms: bool = False) -> list[Page]:
    """The pages every signed-in person has: their week, history, goals, coaching, account
    (empty for HR and admin accounts, who have no development days). The account forms read
    the same for everyone: one sign-in's sweep covers them."""
    pages = [
        Page("my week", "/", "dev_days.current_week"),
        Page("a past week", f"/week/{week}", "dev_days.week"),
        Page("history", "/history", "dev_days.history"),
        Page("goals", "/goals", "goals.index"),
        Page("coaching", "/one-on-ones", "coaching.my_coaching"),
        Page("account", "/account", "auth.account"),
    ]
    if account_forms:
        pages += [
            Page("change password", "/account/password", "auth.password"),
            Page("change password, errors", "/account/password", "auth.password",
                 submit="main form[novalidate] button[type=submit]"),
            Page("reminders", "/account/reminders", "reminders.settings"),
        ]
    return pages


def demo_pages(today: date | None = None) -> dict[str | None, list[Page]]:
    today = today or date.today()
    agent = User.by_email(AGENT).get()
    lead = User.by_email(LEAD).get()
    teammate = (User.select().where((User.team == agent.team) & (User.id != agent.id)
                                    & (User.role == "agent") & User.active)
                .order_by(User.id).first())
    last_week = week_label(monday_of(today) - timedelta(days=7))
    activity = (Activity.select().join(DevDay)
                .where(DevDay.user == agent.id).order_by(Activity.id.desc()).first())
    goal = (Goal.select().join(Activity).where(Goal.owner == agent.id)
            .order_by(Goal.id.desc()).first())  # one with activities: their table shows
    review = Review.select().where(Review.person == agent.id).order_by(Review.id.desc()).first()
    received = (TicketReview.select().where(TicketReview.reviewee == agent.id)
                .order_by(TicketReview.id.desc()).first())
    practice = (PracticeParticipant.select().where(PracticeParticipant.user == agent.id)
                .order_by(PracticeParticipant.id.desc()).first())
    team = Team.select().where(Team.name == "Tier 1 Support").get()
    link_token = issue_set_password_link(None, teammate, action="password_reset")

    signed_out = [
        Page("sign in", "/login", "auth.login"),
        Page("sign in, errors", "/login", "auth.login",
             submit="main form[novalidate] button[type=submit]"),
        Page("set password", f"/set-password/{link_token}", "auth.set_password"),
        Page("set password, errors", f"/set-password/{link_token}", "auth.set_password",
             submit="main form[novalidate] button[type=submit]"),
        Page("set password, link not valid", "/set-password/not-a-valid-link",
             "auth.set_password", status=404),
        Page("unsubscribe", f"/unsubscribe/{unsubscribe_token(teammate)}",
             "reminders.unsubscribe"),
        Page("page not found", "/no-such-page", None, status=404),
    ]
    people_in_teams = [
        Page("feedback", "/feedback", "feedback.index"),
        Page("feedback, errors", "/feedback", "feedback.index",
             submit="form[action$='/feedback'] button[type=submit]"),
        Page("practice", "/practice", "feedback.practice"),
    ]
    agent_pages = _own_pages(last_week, account_forms=True) + people_in_teams + [
        Page("my week, activity errors", "/", "dev_days.current_week",
             submit="form.quick-log button[type=submit]"),
        Page("edit activity", f"/activities/{activity.id}/edit", "dev_days.edit_activity"),
        Page("goal", f"/goals/{goal.id}", "goals.show"),
        Page("goals, errors", "/goals", "goals.index",
             submit="form[action$='/goals'] button[type=submit]"),
        Page("review", f"/reviews/{review.id}", "coaching.review"),
        Page("feedback received", f"/feedback/{received.id}", "feedback.show"),
        Page("practice session", f"/practice/{practice.session_id}",
             "feedback.practice_session"),
    ]
    lead_pages = [
        Page("my team", "/team", "coaching.team"),
        Page("team settings", "/team/settings", "coverage.settings"),
        Page("person", f"/team/{agent.id}", "coaching.person"),
        Page("person, agenda errors", f"/team/{agent.id}", "coaching.person",
             submit="form[action$='/agenda'] button[type=submit]"),
        Page("review (lead)", f"/reviews/{review.id}", "coaching.review"),
        Page("goal (lead)", f"/goals/{goal.id}", "goals.show"),
        Page("feedback given", f"/feedback/{received.id}", "feedback.show"),
    ] + people_in_teams + _own_pages(last_week)
    hr_pages = [
        Page("retention", "/hr", "hr.dashboard"),
        Page("retention, reversed period",
             f"/hr?from={today.isoformat()}&to={(today - timedelta(days=90)).isoformat()}",
             "hr.dashboard", status=400),
        Page("people", "/hr/people", "hr.people"),
        Page("people, no match", "/hr/people?q=nobody-by-this-name", "hr.people"),
        Page("person record", f"/hr/people/{agent.id}", "hr.person"),
    ] + _own_pages(last_week)
    admin_pages = [
        Page("people", "/admin/users", "admin.users"),
        Page("add a person", "/admin/users/new", "admin.new_user"),
        Page("add a person, errors", "/admin/users/new", "admin.new_user",
             submit="main form[novalidate] button[type=submit]"),
        Page("edit a person", f"/admin/users/{lead.id}", "admin.edit_user"),
        Page("teams", "/admin/teams", "admin.teams"),
        Page("edit a team", f"/admin/teams/{team.id}", "admin.edit_team"),
        Page("review cycles", "/admin/cycles", "admin.cycles"),
        Page("review cycles, errors", "/admin/cycles", "admin.cycles",
             submit="main form[novalidate] button[type=submit]"),
        Page("audit log", "/admin/audit", "admin.audit"),
    ] + _own_pages(last_week)
    return {SIGNED_OUT: signed_out, AGENT: agent_pages, LEAD: lead_pages, HR: hr_pages,
            ADMIN: admin_pages}
