from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from peewee import JOIN

from ..forms import page_number
from ..hr.forms import PeopleSearchForm
from ..integrity import StaleEdit
from ..labels import AUDIT_ACTIONS
from ..models import AuditEvent, ReviewCycle, Role, Team, User, fn
from ..permissions import can_admin, can_read_audit, get_or_404
from ..reminders import mail
from . import service
from .forms import (
    AuditFilterForm,
    CycleForm,
    DeactivateForm,
    NewTeamForm,
    NewUserForm,
    TeamForm,
    UserForm,
)

bp = Blueprint("admin", __name__, url_prefix="/admin")

AUDIT_PAGE_SIZE = 100


@bp.before_request
def only_admins():
    allowed = can_read_audit if request.endpoint == "admin.audit" else can_admin
    if current_user.is_authenticated and not allowed(current_user):
        abort(403)


def _teams():
    return Team.select().order_by(fn.LOWER(Team.name))


def _account(person: User) -> dict:
    return {"name": person.name, "email": person.email, "role": person.role,
            "team_id": person.team_id, "hired_on": person.hired_on,
            "weekly_dev_hours": person.weekly_dev_hours}


@bp.get("/users")
def users():
    """Everyone, active people first; `?q=` keeps those whose name or email contains it."""
    form = PeopleSearchForm(formdata=request.args)
    people = (User.select(User, Team)
              .join(Team, on=(User.team == Team.id), join_type=JOIN.LEFT_OUTER)
              .order_by(User.active.desc(), fn.LOWER(User.name), User.id))
    text = (form.q.data or "").strip() if form.validate() else ""
    if text:
        people = people.where(User.matching(text))
    return render_template("admin/users.html", form=form, people=people, searched=text)


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = NewUserForm()
    form.set_teams(_teams())
    if request.method == "POST" and form.validate():
        try:
            user, created = service.create_user(
                current_user, email=form.email.data, name=form.name.data, role=form.role.data,
                team_id=form.team_id.data, hired_on=form.hired_on.data,
                weekly_dev_hours=form.weekly_dev_hours.data, submission=form.submission.data)
        except service.AdminError as error:
            form.show_error(error)
        else:
            if not created:
                flash(_("This form already made the account of %(name)s. If its set-password "
                        "link got lost, reset the password.", name=user.name), "info")
                return redirect(url_for("admin.edit_user", user_id=user.id))
            return _show_link(user, service.invite(current_user, user), new=True)
    status = 422 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, person=None), status


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id: int):
    person = get_or_404(User.select(), id=user_id)
    form = UserForm(data={**_account(person), "version": person.version})
    form.set_teams(_teams())
    status = 422 if request.method == "POST" else 200
    if request.method == "POST" and form.validate():
        try:
            service.update_user(
                current_user, person, version=form.version_number(), email=form.email.data,
                name=form.name.data, role=form.role.data, team_id=form.team_id.data,
                hired_on=form.hired_on.data, weekly_dev_hours=form.weekly_dev_hours.data)
        except service.AdminError as error:
            form.show_error(error)
        except StaleEdit as stale:
            person = stale.row
            form.show_conflict(person.version, _account(person))
            status = 409
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.edit_user", user_id=person.id))
    return render_template("admin/user_form.html", form=form, person=person,
                           deactivate=DeactivateForm(formdata=None)), status


# A rejected form (or a page shown once) leaves its POST address in the address bar: opened
# again it leads to the page the form lives on, and does nothing.
@bp.route("/users/<int:user_id>/deactivate", methods=["GET", "POST"])
def deactivate_user(user_id: int):
    person = get_or_404(User.select(), id=user_id)
    if request.method != "POST":  # GET or HEAD: nothing is done
        return redirect(url_for("admin.edit_user", user_id=person.id))
    form = DeactivateForm()
    if form.validate():
        try:
            service.deactivate_user(current_user, person, left_on=form.left_on.data,
                                    leave_reason=form.leave_reason.data)
        except service.AdminError as error:
            form.show_error(error)
        else:
            flash(_("%(name)s can no longer sign in. Their data is kept.", name=person.name),
                  "success")
            return redirect(url_for("admin.edit_user", user_id=person.id))
    edit = UserForm(formdata=None, data={**_account(person), "version": person.version})
    edit.set_teams(_teams())
    return render_template("admin/user_form.html", form=edit, person=person,
                           deactivate=form), 422


@bp.post("/users/<int:user_id>/reactivate")
def reactivate_user(user_id: int):
    person = get_or_404(User.select(), id=user_id)
    service.reactivate_user(current_user, person)
    flash(_("%(name)s can sign in again.", name=person.name), "success")
    return redirect(url_for("admin.edit_user", user_id=person.id))


@bp.route("/users/<int:user_id>/reset-password", methods=["GET", "POST"])
def reset_password(user_id: int):
    person = get_or_404(User.select(), id=user_id)
    if request.method != "POST":  # GET or HEAD: nothing is done
        return redirect(url_for("admin.edit_user", user_id=person.id))
    if not person.can_sign_in():
        abort(404)
    return _show_link(person, service.reset_password(current_user, person), new=False)


def _show_link(person: User, token: str, *, new: bool):
    """The set-password link, shown once in this response: it goes into no flash message,
    session or redirect, and the page is neither cached nor sent on as a referrer."""
    path = url_for("auth.set_password", token=token)
    base = current_app.config.get("BASE_URL")
    link = base.rstrip("/") + path if base else url_for(
        "auth.set_password", token=token, _external=True)
    hours = int(current_app.config["SET_PASSWORD_LINK_LIFETIME"].total_seconds() // 3600)
    emailed = mail.send_set_password_link(person, link, new=new, hours=hours)
    response = make_response(render_template(
        "admin/set_password_link.html", person=person, link=link, new=new, hours=hours,
        emailed=emailed))
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/teams", methods=["GET", "POST"])
def teams():
    leads = User.select().where(User.role == Role.LEAD, User.active == True).order_by(  # noqa: E712
        User.name)
    form = NewTeamForm()
    form.set_leads(leads)
    if request.method == "POST" and form.validate():
        try:
            service.save_team(current_user, None, name=form.name.data, lead_id=form.lead_id.data,
                              submission=form.submission.data)
        except service.AdminError as error:
            form.show_error(error)
        else:
            flash(_("Team created."), "success")
            return redirect(url_for("admin.teams"))
    rows = (Team.select(Team, User)
            .join(User, on=(Team.lead == User.id), join_type=JOIN.LEFT_OUTER)
            .order_by(fn.LOWER(Team.name)))
    sizes = dict(User.select(User.team, fn.COUNT(User.id)).where(
        User.team.is_null(False), User.active == True).group_by(User.team).tuples())  # noqa: E712
    status = 422 if request.method == "POST" else 200
    return render_template("admin/teams.html", form=form, teams=rows, sizes=sizes,
                           leads=list(leads)), status


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
def edit_team(team_id: int):
    team = get_or_404(Team.select(), id=team_id)
    leads = User.select().where(User.role == Role.LEAD).order_by(User.name)
    form = TeamForm(data={"name": team.name, "lead_id": team.lead_id, "version": team.version})
    form.set_leads(leads)
    status = 422 if request.method == "POST" else 200
    if request.method == "POST" and form.validate():
        try:
            service.save_team(current_user, team, name=form.name.data, lead_id=form.lead_id.data,
                              version=form.version_number())
        except service.AdminError as error:
            form.show_error(error)
        except StaleEdit as stale:
            team = stale.row
            form.show_conflict(team.version, {"name": team.name, "lead_id": team.lead_id})
            status = 409
        else:
            flash(_("Team saved."), "success")
            return redirect(url_for("admin.teams"))
    return render_template("admin/team_form.html", form=form, team=team), status


@bp.route("/cycles", methods=["GET", "POST"])
def cycles():
    form = CycleForm()
    if request.method == "POST" and form.validate():
        try:
            service.create_cycle(current_user, name=form.name.data,
                                 starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                                 submission=form.submission.data)
        except service.AdminError as error:
            form.show_error(error)
        else:
            flash(_("Cycle created."), "success")
            return redirect(url_for("admin.cycles"))
    status = 422 if request.method == "POST" else 200
    rows = ReviewCycle.select().order_by(ReviewCycle.starts_on.desc())
    return render_template("admin/cycles.html", form=form, cycles=rows), status


@bp.get("/audit")
def audit():
    form = AuditFilterForm(formdata=request.args)
    # The person or team an event is about, named in the same query as the actor.
    target_person, target_team = User.alias(), Team.alias()
    events = (AuditEvent.select(AuditEvent, User.id, User.name, target_person.name,
                                target_team.name)
              .join(User, on=(AuditEvent.actor == User.id), join_type=JOIN.LEFT_OUTER)
              .switch(AuditEvent)
              .join(target_person, join_type=JOIN.LEFT_OUTER, attr="target_person", on=(
                  (AuditEvent.target_type == "user")
                  & (AuditEvent.target_id == target_person.id)))
              .switch(AuditEvent)
              .join(target_team, join_type=JOIN.LEFT_OUTER, attr="target_team", on=(
                  (AuditEvent.target_type == "team")
                  & (AuditEvent.target_id == target_team.id)))
              .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()))
    if form.validate():
        if form.action.data:
            events = events.where(AuditEvent.action == form.action.data.strip())
        text = (form.person.data or "").strip()
        if text:
            people = User.select(User.id).where(User.matching(text))
            events = events.where(AuditEvent.actor.in_(people) | (
                (AuditEvent.target_type == "user") & AuditEvent.target_id.in_(people)))
    page = page_number(request.args)
    rows = list(events.paginate(page, AUDIT_PAGE_SIZE + 1))
    labels = {name: str(label) for name, label in AUDIT_ACTIONS.items()}
    actions = sorted(((a, labels.get(a, a)) for (a,) in AuditEvent.select(AuditEvent.action)
                      .distinct().tuples()), key=lambda pair: pair[1].casefold())
    return render_template("admin/audit.html", form=form, events=rows[:AUDIT_PAGE_SIZE],
                           has_more=len(rows) > AUDIT_PAGE_SIZE, page=page, actions=actions)
