"""Accounts, teams and review cycles: the admin's use cases."""

from datetime import date

from flask_babel import gettext as _
from peewee import IntegrityError

from .. import audit
from ..accounts import LastAdminError, refuse_losing_the_last_admin
from ..auth.service import issue_set_password_link
from ..db import database, write_transaction
from ..integrity import earlier_submission, update_versioned
from ..models import ReviewCycle, Role, Team, User, normalize_email, utcnow
from ..passwords import hash_password


class AdminError(ValueError):
    """A rule was broken; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def create_user(actor, *, email, name, role, team_id=None, hired_on=None, weekly_dev_hours=8,
                password=None, must_change_password=True,
                submission: str | None = None) -> tuple[User, bool]:
    """Create an account; returns it and whether this call created it. With a password (the
    operator's command line) they must change it at their first sign-in; without one nobody
    can sign in to it until its set-password link (`issue_set_password_link`) is used. A
    `submission` key already used (a double-clicked or retried form) returns the account
    that form made, and False."""
    earlier = earlier_submission(User, submission)
    if earlier is not None:
        return earlier, False
    password_hash = hash_password(password) if password else ""
    try:
        with database.atomic():
            user = User.create(
                email=normalize_email(email), name=name.strip(), role=Role(role).value,
                team=team_id, hired_on=hired_on or date.today(),
                weekly_dev_hours=weekly_dev_hours, password_hash=password_hash,
                must_change_password=bool(password) and must_change_password,
                submission=submission or None)
            audit.record("user_created", user, actor=actor, detail=f"role={user.role}")
    except IntegrityError as error:
        earlier = earlier_submission(User, submission)
        if earlier is not None:
            return earlier, False
        raise AdminError(_("Someone already has that email."), "email") from error
    return user, True


def update_user(actor, user: User, *, version: int, email, name, role, team_id, hired_on,
                weekly_dev_hours) -> User:
    """Save an account. A role or team change ends the person's sessions. Raises StaleEdit
    when the account was saved (here, by HR, or by a deactivation) since `version`."""
    if user.left_on and hired_on > user.left_on:
        raise AdminError(_("The hire date can't be after the leaving date."), "hired_on")
    moved = role != user.role or team_id != user.team_id
    try:
        with write_transaction():
            try:
                refuse_losing_the_last_admin(user, role=role, active=user.active,
                                             left_on=user.left_on)
            except LastAdminError as error:
                raise AdminError(str(error), "role") from None
            if not update_versioned(User, user.id, version, {
                "email": normalize_email(email), "name": name.strip(), "role": Role(role).value,
                "team": team_id, "hired_on": hired_on, "weekly_dev_hours": weekly_dev_hours,
            }, also={"session_version": User.session_version + (1 if moved else 0)}):
                return User.get_by_id(user.id)  # a repeat: recorded the first time
            if role != user.role:
                audit.record("role_changed", user, actor=actor,
                             detail=f"{user.role}->{role}")
                if user.role == Role.LEAD:
                    # A lead who is no longer a lead leads no team.
                    leaves_teams(user)
            if team_id != user.team_id:
                audit.record("team_changed", user, actor=actor,
                             detail=f"{user.team_id}->{team_id}")
            audit.record("user_updated", user, actor=actor)
    except IntegrityError as error:
        raise AdminError(_("Someone already has that email."), "email") from error
    return User.get_by_id(user.id)


def deactivate_user(actor, user: User, *, left_on: date, leave_reason: str) -> None:
    """Record that someone left: they can no longer sign in; all their data stays."""
    if left_on < user.hired_on:
        raise AdminError(_("The leaving date can't be before the hire date."), "left_on")
    with write_transaction():
        try:
            refuse_losing_the_last_admin(user, role=user.role, active=False, left_on=left_on)
        except LastAdminError as error:
            raise AdminError(str(error), "left_on") from None
        User.update(left_on=left_on, leave_reason=leave_reason, active=False,
                    session_version=User.session_version + 1,
                    version=User.version + 1).where(User.id == user.id).execute()
        leaves_teams(user)
        audit.record("user_deactivated", user, actor=actor, detail=f"reason={leave_reason}")


def reactivate_user(actor, user: User) -> None:
    with database.atomic():
        User.update(left_on=None, leave_reason=None, active=True,
                    version=User.version + 1).where(User.id == user.id).execute()
        audit.record("user_reactivated", user, actor=actor)


def reset_password(actor, user: User) -> str:
    """A set-password link's token for the person, never a password the admin could use:
    their password changes only when they use the link, and they are told at their next
    sign-in that an admin reset it."""
    return issue_set_password_link(actor, user, action="password_reset")


def invite(actor, user: User) -> str:
    """The set-password link's token for a new account."""
    return issue_set_password_link(actor, user, action="set_password_link_created")


def leaves_teams(user: User) -> None:
    """The person leads no team from now on (an open team form of theirs is stale)."""
    Team.update(lead=None, version=Team.version + 1).where(Team.lead == user.id).execute()


def save_team(actor, team: Team | None, *, name: str, lead_id: int | None,
              submission: str | None = None, version: int | None = None) -> Team:
    """Create (`team` None, with the form's one-time `submission` key: a repeat returns the
    team it made) or rename a team (`version` as the form showed it: StaleEdit when saved
    since) and choose its lead (someone with the lead role)."""
    if team is None:
        earlier = earlier_submission(Team, submission)
        if earlier is not None:
            return earlier
    if lead_id is not None:
        lead = User.get_or_none(User.id == lead_id)
        if lead is None or lead.role != Role.LEAD:
            raise AdminError(_("Choose someone with the lead role."), "lead_id")
    if Team.named(name, other_than=team.id if team is not None else None) is not None:
        raise AdminError(_("There is already a team with that name."), "name")
    try:
        with database.atomic():
            # Members are shown who leads them now and since when (see the week page).
            lead_since = utcnow() if lead_id is not None else None
            if team is None:
                team = Team.create(name=name.strip(), lead=lead_id, lead_since=lead_since,
                                   submission=submission or None)
                audit.record("team_created", team, actor=actor)
                if lead_id is not None:
                    audit.record("team_lead_changed", team, actor=actor,
                                 detail=f"None->{lead_id}")
            else:
                new_lead = team.lead_id != lead_id
                if update_versioned(Team, team.id, version or 0,
                                    {"name": name.strip(), "lead": lead_id},
                                    also={"lead_since": lead_since} if new_lead else None):
                    if new_lead:
                        audit.record("team_lead_changed", team, actor=actor,
                                     detail=f"{team.lead_id}->{lead_id}")
                    audit.record("team_updated", team, actor=actor)
    except IntegrityError as error:
        earlier = earlier_submission(Team, submission) if team is None else None
        if earlier is not None:
            return earlier
        raise AdminError(_("There is already a team with that name."), "name") from error
    return Team.get_by_id(team.id)


def create_cycle(actor, *, name: str, starts_on: date, ends_on: date,
                 submission: str | None = None) -> ReviewCycle:
    """A new review cycle; a `submission` key already used returns the cycle it made."""
    if ends_on < starts_on:
        raise AdminError(_("A cycle can't end before it starts."), "ends_on")
    try:
        with write_transaction():
            earlier = earlier_submission(ReviewCycle, submission)
            if earlier is not None:
                return earlier
            if ReviewCycle.overlapping(starts_on, ends_on).exists():
                raise AdminError(_("Cycles never overlap: this one overlaps another cycle."),
                                 "starts_on")
            cycle = ReviewCycle.create(name=name.strip(), starts_on=starts_on, ends_on=ends_on,
                                       submission=submission or None)
            audit.record("cycle_created", cycle, actor=actor)
    except IntegrityError as error:
        earlier = earlier_submission(ReviewCycle, submission)
        if earlier is not None:
            return earlier
        raise AdminError(_("There is already a cycle with that name."), "name") from error
    return cycle
