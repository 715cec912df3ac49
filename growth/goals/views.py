"""Goals: the person's own, by cycle; their lead may read them."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..integrity import StaleEdit
from ..permissions import allowed_or_404, can_edit_goal, can_read_goal, get_or_404
from . import queries, service
from .forms import GoalForm, NewGoalForm

bp = Blueprint("goals", __name__)


def _readable_goal_or_404(goal_id: int):
    goal = get_or_404(queries.goal_with_owner(goal_id))
    allowed_or_404(can_read_goal(current_user, goal))
    return goal


@bp.route("/goals", methods=["GET", "POST"])
def index():
    cycles = service.open_cycles()
    form = NewGoalForm(data={"cycle_id": cycles[0].id})
    form.set_cycles(cycles)
    if request.method == "POST" and form.validate():
        try:
            goal = service.create_goal(current_user, title=form.title.data, why=form.why.data,
                                       success=form.success.data, cycle_id=form.cycle_id.data,
                                       submission=form.submission.data)
        except service.GoalError as error:
            form.show_error(error)
        else:
            flash(_("Goal added."), "success")
            return redirect(url_for("goals.show", goal_id=goal.id))
    status = 422 if request.method == "POST" else 200
    return render_template("goals/index.html", form=form, groups=queries.goals_by_cycle(
        current_user), open_cycle_ids={c.id for c in cycles}), status


def _saved(goal) -> dict:
    return {"title": goal.title, "why": goal.why, "success": goal.success,
            "cycle_id": goal.cycle_id}


def _edit_form(goal, cycles):
    form = GoalForm(data={**_saved(goal), "version": goal.version})
    choices = cycles if goal.cycle_id in {c.id for c in cycles} else [goal.cycle, *cycles]
    form.set_cycles(choices)
    return form


def _render_goal(goal, form, status=200):
    activities = queries.goal_activities(goal)
    return render_template(
        "goals/show.html", goal=goal, form=form, activities=activities,
        minutes=sum(a.minutes for a in activities), planned_weeks=queries.planned_weeks(goal),
    ), status


@bp.get("/goals/<int:goal_id>")
def show(goal_id: int):
    goal = _readable_goal_or_404(goal_id)
    form = _edit_form(goal, service.open_cycles()) if can_edit_goal(current_user, goal) \
        else None
    return _render_goal(goal, form)


@bp.route("/goals/<int:goal_id>/edit", methods=["GET", "POST"])
def edit(goal_id: int):
    goal = _readable_goal_or_404(goal_id)
    if not can_edit_goal(current_user, goal):
        abort(403)
    if request.method != "POST":  # a reload of the address a rejected form leaves
        return redirect(url_for("goals.show", goal_id=goal.id))
    form = _edit_form(goal, service.open_cycles())
    if form.validate():
        try:
            service.edit_goal(current_user, goal, version=form.version_number(),
                              title=form.title.data, why=form.why.data,
                              success=form.success.data, cycle_id=form.cycle_id.data)
        except service.GoalError as error:
            form.show_error(error)
        except StaleEdit as stale:
            goal = _readable_goal_or_404(goal_id)  # the page shows what is saved now
            form.show_conflict(stale.row.version, _saved(stale.row))
            return _render_goal(goal, form, status=409)
        else:
            flash(_("Goal saved."), "success")
            return redirect(url_for("goals.show", goal_id=goal.id))
    return _render_goal(goal, form, status=422)
