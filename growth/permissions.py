"""Who may see and do what: the DESIGN role table, in one place.

Predicates are plain functions of the acting person and the object (`can_<verb>_<noun>`):
a route loads one object by its id and asks the predicate (allowed_or_404), so each rule
about one object is written here once and used. Scopes (`<nouns>_visible_to`) keep rows a
person may not see out of lists; `refuse_unless` closes whole blueprints by role.
Templates call the same predicates. An object outside a person's scope answers 404, an
area outside their role 403.
"""

from flask import abort, g
from flask_login import current_user

from .models import (
    ActionItem,
    Goal,
    OneOnOne,
    PracticeParticipant,
    PracticeSession,
    Review,
    ReviewStatus,
    Role,
    Team,
    TicketReview,
    User,
)


def has_role(user, *roles: Role) -> bool:
    return bool(user and user.is_authenticated and user.role in roles)


# Areas ----------------------------------------------------------------------------------

def can_lead(user) -> bool:
    """The team area (/team) is for leads."""
    return has_role(user, Role.LEAD)


def can_use_hr(user) -> bool:
    return has_role(user, Role.HR)


def can_admin(user) -> bool:
    return has_role(user, Role.ADMIN)


def can_read_audit(user) -> bool:
    return has_role(user, Role.HR, Role.ADMIN)


def can_edit_employment(user) -> bool:
    return has_role(user, Role.HR, Role.ADMIN)


def can_stay_signed_in(user) -> bool:
    """"Keep me signed in" is for agents: leads, HR and admins see other people's data."""
    return bool(user and user.role == Role.AGENT)


# Relations ------------------------------------------------------------------------------

def _id(obj) -> int | None:
    return obj if isinstance(obj, int) or obj is None else obj.id


def is_lead_of(user, person) -> bool:
    """True when `user` leads the team `person` belongs to now (one query)."""
    person_id = _id(person)
    if not has_role(user, Role.LEAD) or person_id is None or person_id == user.id:
        return False
    return User.select().where(User.id == person_id,
                               User.team.in_(led_team_ids(user))).exists()


def is_self(user, person) -> bool:
    return bool(user and user.is_authenticated and _id(person) == user.id)


# Development days and goals ---------------------------------------------------------------

def can_write_weeks(user, owner) -> bool:
    """A week's plan and activities are changed by their owner alone (their lead reads them
    on the person page: can_read_person)."""
    return is_self(user, owner)


def can_read_goal(user, goal: Goal) -> bool:
    return is_self(user, goal.owner_id) or is_lead_of(user, goal.owner_id)


def can_edit_goal(user, goal: Goal) -> bool:
    return is_self(user, goal.owner_id)


# People ----------------------------------------------------------------------------------

def can_read_person(user, person) -> bool:
    """The lead's page about one member of their team."""
    return is_lead_of(user, person)


# Reviews ---------------------------------------------------------------------------------

def can_read_review(user, review: Review) -> bool:
    return is_self(user, review.person_id) or is_lead_of(user, review.person_id)


def can_read_self_assessment(user, review: Review) -> bool:
    """Blind until submitted: the lead reads it only once the person submits it."""
    if is_self(user, review.person_id):
        return True
    return review.self_submitted_at is not None and is_lead_of(user, review.person_id)


def can_write_self_assessment(user, review: Review) -> bool:
    return (is_self(user, review.person_id) and review.self_submitted_at is None
            and review.status != ReviewStatus.ACKNOWLEDGED)


def can_read_coaching(user, review: Review) -> bool:
    """The lead's part: the person reads it once it is shared."""
    if is_lead_of(user, review.person_id):
        return True
    return is_self(user, review.person_id) and review.status != ReviewStatus.DRAFT


def can_edit_review(user, review: Review) -> bool:
    return review.status != ReviewStatus.ACKNOWLEDGED and is_lead_of(user, review.person_id)


def can_share_review(user, review: Review) -> bool:
    return review.status == ReviewStatus.DRAFT and is_lead_of(user, review.person_id)


def can_acknowledge_review(user, review: Review) -> bool:
    return review.status == ReviewStatus.SHARED and is_self(user, review.person_id)


# One-on-ones -----------------------------------------------------------------------------

def can_read_one_on_one(user, meeting: OneOnOne) -> bool:
    """The person and their lead now (the meeting's shared part and its action items)."""
    return is_self(user, meeting.person_id) or is_lead_of(user, meeting.person_id)


def can_read_private_notes(user, meeting: OneOnOne) -> bool:
    """The author's alone: not the person, another lead, HR or admin."""
    return bool(user and user.is_authenticated and meeting.lead_id == user.id)


def can_record_one_on_one(user, person) -> bool:
    return is_lead_of(user, person)


def can_tick_action_item(user, item: ActionItem) -> bool:
    return is_self(user, item.owner_id) or is_lead_of(user, item.person_id)


def can_add_agenda_item(user, person) -> bool:
    return is_self(user, person) or is_lead_of(user, person)


# Feedback and practice -------------------------------------------------------------------

def can_use_feedback(user) -> bool:
    """Ticket reviews and role-play are for agents and leads: HR and admin accounts read
    only counts (403 on /feedback and /practice)."""
    return has_role(user, Role.AGENT, Role.LEAD)


def can_review_person(user, person) -> bool:
    """A teammate, a person `user` leads, or `user` themself (a self-review); never an
    inactive person, nor an HR or admin account."""
    if not can_use_feedback(user) or person is None or not isinstance(person, User):
        return False
    if not person.can_sign_in() or person.role not in (Role.AGENT, Role.LEAD):
        return False
    if person.id == user.id:
        return True
    if user.team_id is not None and person.team_id == user.team_id:
        return True
    return is_lead_of(user, person)


def can_read_ticket_review(user, review: TicketReview) -> bool:
    """Reviewer and reviewee; the reviewee's lead, except for a self-review, which is its
    author's alone."""
    if not can_use_feedback(user):
        return False
    if user.id in (review.reviewer_id, review.reviewee_id):
        return True
    return review.reviewer_id != review.reviewee_id and is_lead_of(user, review.reviewee_id)


def can_reply_ticket_review(user, review: TicketReview) -> bool:
    """The reviewee replies once; a self-review takes no reply."""
    return (is_self(user, review.reviewee_id) and review.reviewer_id != review.reviewee_id
            and review.replied_at is None)


def can_delete_ticket_review(user, review: TicketReview) -> bool:
    """The reviewer, until the reviewee replied."""
    return is_self(user, review.reviewer_id) and review.replied_at is None


def practice_team_id(user) -> int | None:
    """The team a person records role-plays in: their own, else the first they lead."""
    if not can_use_feedback(user):
        return None
    if user.team_id is not None:
        return user.team_id
    # (mutmut: equivalent on SQLite, which reads teams in id order without being asked)
    return led_team_ids(user).order_by(Team.id).scalar()


def can_read_practice(user, session: PracticeSession) -> bool:
    """Participants and the organiser; the lead of the team it was held in."""
    if not can_use_feedback(user):
        return False
    if session.organiser_id == user.id:
        return True
    if (PracticeParticipant.select().where(PracticeParticipant.session == session.id,
                                           PracticeParticipant.user == user.id).exists()):
        return True
    return session.team_id is not None and Team.select().where(
        Team.id == session.team_id, Team.lead == user.id).exists()


def can_delete_practice(user, session: PracticeSession) -> bool:
    return can_use_feedback(user) and session.organiser_id == user.id
# Coverage, reminders and the calendar feed ------------------------------------------------

def can_set_coverage(user, team) -> bool:
    """A team's limit of people off on the same weekday is set by its lead."""
    return has_role(user, Role.LEAD) and team is not None and team.lead_id == user.id


def can_see_who_is_off(user, team) -> bool:
    """Who takes which weekday: names for the team's lead, counts for everyone else."""
    return can_set_coverage(user, team)


def can_change_reminders(user, person) -> bool:
    return is_self(user, person)


def can_manage_calendar(user, person) -> bool:
    return is_self(user, person)


# Scopes ----------------------------------------------------------------------------------

def led_teams(user):
    return Team.select().where(Team.lead == user.id).order_by(Team.name)


def led_team_ids(user):
    return Team.select(Team.id).where(Team.lead == user.id)


def team_members_visible_to(user):
    """People in the teams `user` leads (nobody for other roles)."""
    if not has_role(user, Role.LEAD):
        return User.select().where(User.id.is_null())
    return User.select().where(User.team.in_(led_team_ids(user)), User.id != user.id)


def people_reviewable_by(user):
    """The people `user` may review (can_review_person): active teammates and members of
    the teams they lead, agents and leads only, and themself; by name."""
    if not can_use_feedback(user):
        return User.select().where(User.id.is_null())
    teammates = (User.team == user.team_id) if user.team_id is not None else False
    return (User.select()
            .where((User.id == user.id) | teammates | User.team.in_(led_team_ids(user)),
                   User.active == True,  # noqa: E712
                   User.role.in_([Role.AGENT.value, Role.LEAD.value]))
            .order_by(User.name, User.id))  # mutmut: equivalent on SQLite — `id` only breaks
    # ties of names, and SQLite reads rows in id order anyway


def practice_sessions_visible_to(user):
    """Sessions `user` organised or took part in, and those held in teams they lead."""
    if not can_use_feedback(user):
        return PracticeSession.select().where(PracticeSession.id.is_null())
    taken_part = PracticeParticipant.select(PracticeParticipant.session).where(
        PracticeParticipant.user == user.id)
    return PracticeSession.select().where(
        (PracticeSession.organiser == user.id) | PracticeSession.id.in_(taken_part)
        | PracticeSession.team.in_(led_team_ids(user)))


# Guards and loaders ----------------------------------------------------------------------

def refuse_unless(predicate) -> None:
    """A blueprint's before_request check: 403 unless `predicate(current_user)` holds.
    Nobody reaches it signed out: the app-wide sign-in check sends them to sign in first."""
    if not predicate(current_user):
        abort(403)


def deny(code: int):
    """Refuse an object (404) or an area (403); the refusal is audited as `authz_denied`."""
    g.authz_denied = True
    abort(code)


def get_or_404(query, **where):
    """The one row of `query` matching `where`, or 404."""
    row = query.filter(**where).first()
    if row is None:
        deny(404)
    return row


def allowed_or_404(allowed: bool) -> None:
    if not allowed:
        deny(404)


def init_app(app):
    app.jinja_env.globals.update({
        name: value for name, value in globals().items()
        if name.startswith(("can_", "is_self"))
    })
