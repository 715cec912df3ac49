"""The agent's week: `/` and `/week/<YYYY-Www>` are always the signed-in person's own."""

import csv
import io
import json
from datetime import date, timedelta

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from .. import audit
from ..coverage import queries as coverage_queries
from ..exports import safe_cell
from ..feedback.queries import unreplied_reviews
from ..i18n import PageFormats, hours, translated
from ..integrity import StaleEdit
from ..labels import RATINGS
from ..models import Activity, DevDay, Goal, utcnow
from ..permissions import allowed_or_404, can_see_who_is_off, can_write_weeks, get_or_404
from ..weeks import monday_of, parse_week, week_label
from . import queries, service
from .forms import (
    ActivityForm,
    HistoryFilterForm,
    NewActivityForm,
    PlanForm,
    RatingForm,
    SkipForm,
)

bp = Blueprint("dev_days", __name__)

EXPORT_COLUMNS = ["week", "day", "kind", "minutes", "note", "link", "goal"]


@bp.record_once
def _globals(state):
    state.app.jinja_env.globals["WEEK_STATUSES"] = queries.WEEK_STATUSES


def _week_or_404(week: str) -> date:
    monday = parse_week(week)
    if monday is None:
        abort(404)
    return monday


def _week_url(monday: date, **args) -> str:
    if monday == monday_of(date.today()):
        return url_for("dev_days.current_week", **args)
    return url_for("dev_days.week", week=week_label(monday), **args)


def _plan_defaults(view, today: date) -> tuple[dict, bool]:
    """The plan form's starting values: this week's plan, else the last plan's day and goals
    (its words are offered, not typed in: the page shows them in the empty box and a button
    saves them again)."""
    version = {"version": view.day.version if view.day is not None else 1}
    if view.day is not None and view.day.planned_on:
        return {"day": view.day.planned_on, "plan": view.day.plan,
                "goal_ids": view.plan_goal_ids, **version}, False
    previous = view.previous_plan
    if previous:
        offered = {goal.id for goal in view.goals}
        return {"day": view.week_start + timedelta(days=previous["weekday"]),
                "plan": "",
                "goal_ids": [g for g in previous["goal_ids"] if g in offered], **version}, True
    in_week = view.week_start <= today <= view.week_end
    return {"day": today if in_week else None, "plan": "", "goal_ids": [], **version}, False


def _render_week(monday: date, *, plan_form=None, activity_form=None, skip_form=None,
                 rating_form=None, status: int = 200):
    today = date.today()
    user = current_user
    problems = {
        "log": service.logging_problem(user, monday, today),
        "plan": service.planning_problem(user, monday, today),
        "skip": service.skipping_problem(user, monday, today),
    }
    view = queries.week_view(user, monday)
    day = view.day
    repeated = False
    # A form the page does not show (its problem is shown instead) is not built.
    if plan_form is None and not problems["plan"]:
        data, repeated = _plan_defaults(view, today)
        plan_form = PlanForm(formdata=None, data=data)
    if activity_form is None and not problems["log"]:
        last_kind = view.activities[-1].kind if view.activities else None
        activity_form = NewActivityForm(formdata=None,
                                        data={"kind": last_kind} if last_kind else {})
    if activity_form is not None:
        activity_form.set_goals(view.goals)
    if skip_form is None and not problems["skip"]:
        skip_form = SkipForm(formdata=None, data={
            "reason": day.skip_reason if day and day.skip_reason else "away",
            "note": day.skip_note if day else ""})
    rating_form = rating_form or RatingForm(formdata=None,
                                            data={"rating": day.rating if day else None})
    current = monday_of(today)
    coverage = None if problems["plan"] else coverage_queries.for_person(
        user, monday, show_names=can_see_who_is_off)
    return render_template(
        "dev_days/week.html", view=view, day=day, problems=problems, repeated=repeated,
        coverage=coverage,
        plan_form=plan_form, activity_form=activity_form, skip_form=skip_form,
        rating_form=rating_form, is_current=monday == current, current_monday=current,
        previous_week=monday - timedelta(weeks=1), next_week=monday + timedelta(weeks=1),
        just_added=request.args.get("added") == "1",
        new_lead=queries.new_team_lead(
            user, utcnow() - current_app.config["TEAM_LEAD_NOTICE"]),
        new_reviews=unreplied_reviews(user),
    ), status


@bp.get("/")
def current_week():
    return _render_week(monday_of(date.today()))


@bp.get("/week/<week>")
def week(week: str):
    return _render_week(_week_or_404(week))


# A rejected form leaves its POST address in the address bar: opened again (a reload, a
# bookmark, the back button) it leads to the page the form lives on.
@bp.route("/week/<week>/plan", methods=["GET", "POST"])
def plan(week: str):
    monday = _week_or_404(week)
    if request.method != "POST":  # a reload of the address a rejected form leaves
        return redirect(_week_url(monday))
    form = PlanForm()
    if form.validate():
        if request.form.get("repeat") == "1":  # "Use last week's plan"
            form.plan.data = queries.last_plan_text(current_user, monday)
        try:
            service.plan_week(current_user, monday, version=form.version_number(),
                              day=form.day.data, plan=form.plan.data,
                              goal_ids=form.goal_ids.data)
        except service.DayError as error:
            form.show_error(error)
        except StaleEdit as stale:
            view = queries.week_view(current_user, monday)
            titles = {goal.id: goal.title for goal in view.goals}
            form.show_conflict(stale.row.version, {
                "day": stale.row.planned_on, "plan": stale.row.plan,
                "goal_ids": [titles.get(g, "") for g in view.plan_goal_ids]})
            return _render_week(monday, plan_form=form, status=409)
        else:
            flash(_("Your development day is planned."), "success")
            return redirect(_week_url(monday))
    return _render_week(monday, plan_form=form, status=422)


@bp.route("/week/<week>/activities", methods=["GET", "POST"])
def log_activity(week: str):
    monday = _week_or_404(week)
    if request.method != "POST":  # a reload of the address a rejected form leaves
        return redirect(_week_url(monday))
    form = NewActivityForm()
    if form.validate():
        try:
            service.log_activity(current_user, monday, kind=form.kind.data,
                                 minutes=form.minutes.data, note=form.note.data,
                                 link=form.link.data, goal_id=form.goal_id.data,
                                 submission=form.submission.data)
        except service.DayError as error:
            form.show_error(error)
        else:
            flash(_("Logged %(hours)s.", hours=hours(form.minutes.data)), "success")
            return redirect(_week_url(monday, added=1))
    return _render_week(monday, activity_form=form, status=422)


def _activity_values(activity: Activity) -> dict:
    return {"kind": activity.kind, "minutes": activity.minutes, "note": activity.note,
            "link": activity.link, "goal_id": activity.goal_id}


def _own_activity_or_404(activity_id: int) -> Activity:
    """One of the signed-in person's activities (can_write_weeks: anyone else's, their
    lead's included, answers 404)."""
    activity = get_or_404(Activity.select(Activity, DevDay).join(DevDay), id=activity_id)
    allowed_or_404(can_write_weeks(current_user, activity.dev_day.user_id))
    return activity


@bp.route("/activities/<int:activity_id>/edit", methods=["GET", "POST"])
def edit_activity(activity_id: int):
    activity = _own_activity_or_404(activity_id)
    monday = activity.dev_day.week_start
    form = ActivityForm(data={**_activity_values(activity), "version": activity.version})
    goals = list(queries.goals_for_week(current_user, monday))
    if activity.goal_id and activity.goal_id not in {g.id for g in goals}:
        goals += list(Goal.select().where(Goal.id == activity.goal_id))
    form.set_goals(goals)
    status = 422 if request.method == "POST" else 200
    if request.method == "POST" and form.validate():
        try:
            service.edit_activity(current_user, activity, version=form.version_number(),
                                  kind=form.kind.data, minutes=form.minutes.data,
                                  note=form.note.data, link=form.link.data,
                                  goal_id=form.goal_id.data)
        except service.DayError as error:
            form.show_error(error)
        except StaleEdit as stale:
            if stale.row is None:
                abort(404)
            form.show_conflict(stale.row.version, _activity_values(stale.row))
            status = 409
        else:
            flash(_("Activity saved."), "success")
            return redirect(_week_url(monday))
    return render_template("dev_days/edit_activity.html", form=form, activity=activity,
                           week_start=monday, week_url=_week_url(monday)), status


@bp.post("/activities/<int:activity_id>/delete")
def delete_activity(activity_id: int):
    activity = _own_activity_or_404(activity_id)
    service.delete_activity(activity)
    flash(_("Activity deleted."), "success")
    return redirect(_week_url(activity.dev_day.week_start))


@bp.route("/week/<week>/skip", methods=["GET", "POST"])
def skip(week: str):
    monday = _week_or_404(week)
    if request.method != "POST":  # a reload of the address a rejected form leaves
        return redirect(_week_url(monday))
    form = SkipForm()
    if form.validate():
        try:
            service.skip_week(current_user, monday, reason=form.reason.data,
                              note=form.note.data)
        except service.DayError as error:
            form.show_error(error)
        else:
            flash(_("The week is marked as skipped."), "success")
            return redirect(_week_url(monday))
    return _render_week(monday, skip_form=form, status=422)


@bp.post("/week/<week>/take-back")
def take_back(week: str):
    monday = _week_or_404(week)
    service.take_week_back(current_user, monday)
    flash(_("The week is yours again."), "success")
    return redirect(_week_url(monday))


@bp.route("/week/<week>/rating", methods=["GET", "POST"])
def rate(week: str):
    monday = _week_or_404(week)
    if request.method != "POST":  # a reload of the address a rejected form leaves
        return redirect(_week_url(monday))
    form = RatingForm()
    if form.validate():
        try:
            service.rate_week(current_user, monday, rating=form.rating.data)
        except service.DayError as error:
            form.show_error(error)
        else:
            flash(_("Thanks: your rating is saved."), "success")
            return redirect(_week_url(monday))
    return _render_week(monday, rating_form=form, status=422)


@bp.get("/history")
def history():
    form = HistoryFilterForm(formdata=request.args)
    kind = form.kind.data if form.validate() and form.kind.data else None
    data = queries.history(current_user, date.today(), kind=kind)
    show_all = request.args.get("all") == "1"
    weeks = data.weeks if show_all else data.weeks[:queries.HISTORY_WEEKS]
    # Each week's name, status and hours appear up to three times (chart, its table, the
    # list): worded once per page.
    return render_template("dev_days/history.html", history=data, form=form, kind=kind,
                           weeks=weeks, more=len(data.weeks) > len(weeks),
                           chart=queries.chart(data.chart, data.target_minutes, kind),
                           fmt=PageFormats(), statuses=translated(queries.WEEK_STATUSES),
                           ratings=translated(RATINGS))


def _download(body: str, mimetype: str, extension: str) -> Response:
    name = f"growth-my-data-{date.today().isoformat()}.{extension}"
    return Response(body, content_type=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/me/export.csv")
def export_csv():
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for week_start, planned_on, kind, minutes, note, link, goal in queries.export_rows(
            current_user):
        writer.writerow([safe_cell(v) for v in (
            week_label(week_start), planned_on.isoformat() if planned_on else "", kind,
            minutes, note, link, goal or "")])
    audit.record("own_data_export", current_user._get_current_object(), detail="format=csv")
    return _download(out.getvalue(), "text/csv; charset=utf-8", "csv")


@bp.get("/me/export.json")
def export_json():
    data = queries.own_data(current_user._get_current_object())
    audit.record("own_data_export", current_user._get_current_object(), detail="format=json")
    return _download(json.dumps(data, ensure_ascii=False, indent=2, default=str),
                     "application/json", "json")
