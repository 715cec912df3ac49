"""/team/settings: each lead sets, per team, how many may be off on the same weekday."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..integrity import StaleEdit
from ..models import ID_MAX, Team
from ..permissions import (
    allowed_or_404,
    can_lead,
    can_set_coverage,
    get_or_404,
    led_teams,
    refuse_unless,
)
from . import service
from .forms import LimitForm

bp = Blueprint("coverage", __name__)


@bp.before_request
def leads_only():
    refuse_unless(can_lead)


def _forms(posted: LimitForm | None = None):
    forms = []
    for team in led_teams(current_user):
        if posted is not None and posted.team_number() == team.id:
            forms.append((team, posted))
        else:
            forms.append((team, LimitForm(formdata=None, data={
                "team_id": team.id, "version": team.version,
                "max_off_per_day": team.max_off_per_day})))
    for team, form in forms:  # one form per team on the page: ids that don't collide
        field = form.max_off_per_day
        field.id = field.label.field_id = f"max_off_per_day-{team.id}"
    return forms


@bp.route("/team/settings", methods=["GET", "POST"])
def settings():
    if request.method == "GET":
        return render_template("coverage/settings.html", forms=_forms())
    form = LimitForm()
    team_id = form.team_number()
    if team_id is None or not 1 <= team_id <= ID_MAX:
        abort(400)
    team = get_or_404(Team.select(), id=team_id)
    allowed_or_404(can_set_coverage(current_user, team))
    status = 422
    if form.validate():
        try:
            service.set_limit(current_user, team, version=form.version_number(),
                              limit=form.max_off_per_day.data)
        except service.CoverageError as error:
            form.max_off_per_day.errors.append(str(error))
        except StaleEdit as stale:
            form.show_conflict(stale.row.version,
                               {"max_off_per_day": stale.row.max_off_per_day})
            status = 409
        else:
            flash(_("Coverage for %(team)s is saved.", team=team.name), "success")
            return redirect(url_for("coverage.settings"))
    return render_template("coverage/settings.html", forms=_forms(form)), status
