from datetime import date

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
from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from peewee import JOIN

from .. import audit
from ..errors import render_error
from ..integrity import StaleEdit
from ..models import Team, User, fn
from ..permissions import can_edit_employment, can_use_hr, get_or_404
from . import charts, exports, queries, service
from .forms import EmploymentForm, PeopleSearchForm, PeriodForm

bp = Blueprint("hr", __name__, url_prefix="/hr")

PEOPLE_PAGE_SIZE = 200
BAND_LABELS = {
    "low": _l("Under 25 %"),
    "middle": _l("25 – 75 %"),
    "high": _l("75 % and over"),
}
TENURE_LABELS = [_l("Under 1 year"), _l("1 – 3 years"), _l("3 – 5 years"), _l("5 – 7 years"),
                 _l("7 years and more")]


@bp.before_request
def only_hr():
    # The employment record is HR's and the admin's; the figures are HR's alone.
    allowed = (can_edit_employment if request.endpoint in ("hr.people", "hr.person")
               else can_use_hr)
    if current_user.is_authenticated and not allowed(current_user):
        abort(403)


def _period() -> tuple[PeriodForm, tuple[date, date] | None]:
    """The period asked for (`from`, `to`); the last 12 months when neither is given."""
    if "from" not in request.args and "to" not in request.args:
        start, end = queries.default_period(date.today())
        return PeriodForm(formdata=None, data={"start": start, "end": end}), (start, end)
    form = PeriodForm(formdata=request.args)
    if not form.validate():
        return form, None
    return form, (form.start.data, form.end.data)


def _team_label(row: queries.TeamFigures) -> str:
    if row.is_all:
        return _("Everyone")
    return _("(no team)") if row.key == 0 else row.team


def _charts(teams, bands, month_rows) -> dict:
    everyone = teams[-1]
    return {
        "month_chart": charts.months(month_rows),
        "tenure_chart": charts.horizontal(
            [(label, [("tenure", count, "count")])
             for label, count in zip(TENURE_LABELS, everyone.tenure_buckets, strict=True)]),
        "team_chart": charts.horizontal(
            [(_team_label(row), [("retention", row.retention_rate, "percent"),
                                 ("turnover", row.turnover_rate, "percent")])
             for row in teams], scale_max=1, bar_height=12, gap=8),
        "band_chart": charts.horizontal(
            [(BAND_LABELS[band.band], [("retention", band.retention_rate, "percent")])
             for band in bands], scale_max=1),
    }


@bp.get("")
def dashboard():
    """The DESIGN figures per team and for everyone, with charts (three queries)."""
    form, period = _period()
    if period is None:
        return render_template("hr/dashboard.html", form=form, period=None), 400
    teams = queries.teams(*period)
    bands = queries.participation_bands(*period)
    month_rows = queries.months(*period)
    return render_template(
        "hr/dashboard.html", form=form, period=period, teams=teams, everyone=teams[-1],
        bands=bands, months=month_rows, band_labels=BAND_LABELS, tenure_labels=TENURE_LABELS,
        team_label=_team_label, **_charts(teams, bands, month_rows))


def _too_large(rows: int, limit: int):
    """413 in the app's layout, before any byte of the file (nothing is audited)."""
    body, code, _request_id = render_error(
        413, _("This download would hold %(rows)s rows; downloads stop at %(limit)s. "
               "Please choose a shorter period.",
               rows=format_number(rows), limit=format_number(limit)),
        title=_("That export is too large"))
    return body, code


@bp.get("/<any(retention, employees):report>.<any(csv, xlsx):fmt>")
def download(report: str, fmt: str):
    """The file, streamed (EXP-02): its rows are counted first (one cheap query) and the
    download refused past EXPORT_MAX_ROWS, then the audit event is written, then the rows
    are read from the database as the file is sent, for at most EXPORT_MAX_SECONDS."""
    form, period = _period()
    if period is None:
        abort(400, description=form.first_error())
    start, end = period
    rows = exports.row_count(report, start, end)
    limit = current_app.config["EXPORT_MAX_ROWS"]
    if rows > limit:
        return _too_large(rows, limit)
    audit.record(f"hr_export_{report}",
                 detail=f"format={fmt} from={start} to={end} rows={rows}")
    filename = exports.filename(report, start, end, fmt)
    chunks = exports.stream(report, start, end, fmt, current_app.config["EXPORT_MAX_SECONDS"])
    return Response(chunks,
                    content_type=exports.MIMETYPES[fmt], headers={
                        "Content-Disposition": f'attachment; filename="{filename}"',
                        "Cache-Control": "no-store",
                    })


@bp.get("/people")
def people():
    form = PeopleSearchForm(formdata=request.args)
    query = (User.select(User, Team)
             .join(Team, on=(User.team == Team.id), join_type=JOIN.LEFT_OUTER)
             .order_by(fn.LOWER(User.name), User.id))
    text = (form.q.data or "").strip() if form.validate() else ""
    if text:
        query = query.where(User.matching(text))
    found = list(query.limit(PEOPLE_PAGE_SIZE + 1))
    return render_template("hr/people.html", form=form, people=found[:PEOPLE_PAGE_SIZE],
                           more=len(found) > PEOPLE_PAGE_SIZE, today=date.today())


def _employment(person: User) -> dict:
    return {"hired_on": person.hired_on, "left_on": person.left_on,
            "leave_reason": person.leave_reason or "", "team_id": person.team_id}


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
def person(user_id: int):
    person = get_or_404(User.select(), id=user_id)
    form = EmploymentForm(data={**_employment(person), "version": person.version})
    form.set_teams(Team.select().order_by(fn.LOWER(Team.name)))
    status = 422 if request.method == "POST" else 200
    if request.method == "POST" and form.validate():
        try:
            service.update_employment(
                current_user, person, version=form.version_number(),
                hired_on=form.hired_on.data, left_on=form.left_on.data,
                leave_reason=form.leave_reason.data, team_id=form.team_id.data)
        except service.EmploymentError as error:
            getattr(form, error.field).errors.append(str(error))
        except StaleEdit as stale:
            person = stale.row
            form.show_conflict(person.version, _employment(person))
            status = 409
        else:
            flash(_("The employment record of %(name)s is saved.", name=person.name), "success")
            return redirect(url_for("hr.person", user_id=person.id))
    return render_template("hr/person.html", form=form, person=person), status
