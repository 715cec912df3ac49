"""Coaching: the lead's team pages, one-on-ones and the twice-yearly review."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..coverage import queries as coverage_queries
from ..feedback import queries as feedback_queries
from ..i18n import PageFormats, translated
from ..integrity import StaleEdit
from ..models import ActionItem, OneOnOne, Review, ReviewCycle, ReviewStatus, Team, User
from ..permissions import (
    allowed_or_404,
    can_acknowledge_review,
    can_add_agenda_item,
    can_edit_review,
    can_lead,
    can_read_one_on_one,
    can_read_person,
    can_read_review,
    can_record_one_on_one,
    can_share_review,
    can_tick_action_item,
    can_write_self_assessment,
    get_or_404,
    is_lead_of,
    is_self,
    led_teams,
    refuse_unless,
)
from ..weeks import monday_of
from . import queries, service
from .forms import (
    AcknowledgeForm,
    ActionItemForm,
    AgendaForm,
    OneOnOneForm,
    OpenReviewForm,
    OpenTeamReviewsForm,
    SelfAssessmentForm,
    review_form,
)

bp = Blueprint("coaching", __name__)

# /one-on-ones and /reviews/<id> are for everyone's own coaching; these are the lead's.
LEAD_ONLY = {"coaching.team", "coaching.person", "coaching.record_one_on_one",
             "coaching.open_review", "coaching.add_team_agenda_item",
             "coaching.open_team_reviews"}


@bp.before_request
def leads_only():
    if request.endpoint in LEAD_ONLY:
        refuse_unless(can_lead)


def _member_or_404(user_id: int, allowed=can_read_person) -> User:
    """A member of a team the signed-in lead leads, when `allowed` lets them do what the
    route does (anyone else answers 404)."""
    person = get_or_404(User.select(), id=user_id)
    allowed_or_404(allowed(current_user, person))
    return person


def _review_or_404(review_id: int) -> Review:
    """A review the signed-in person may see (can_read_review), with its cycle."""
    review = get_or_404(Review.select(Review, ReviewCycle)
                        .join(ReviewCycle, on=(Review.cycle == ReviewCycle.id)),
                        id=review_id)
    allowed_or_404(can_read_review(current_user, review))
    return review


# The lead's pages ---------------------------------------------------------------------------

def _week_cells(cells, states: dict, fmt: PageFormats) -> list[tuple[str, str]]:
    """(state, title) for each cell of a week grid, the title worded here once per cell
    instead of through three template calls: 'Week 48 · 23 Nov – 29 Nov 2026: Taken · 8 h'."""
    return [(cell.state, f"{fmt.week_name(cell.monday)}: {states[cell.state]}"
             + (f" · {fmt.hours(cell.minutes)}" if cell.minutes else "")) for cell in cells]


@bp.get("/team")
def team():
    return _render_team()


def _render_team(status: int = 200, posted: OpenTeamReviewsForm | None = None,
                 posted_team: int | None = None):
    overview = queries.team_overview(current_user, date.today())
    states, fmt = translated(queries.WEEK_STATES), PageFormats()
    cells = {row.person.id: _week_cells(row.cells, states, fmt)
             for rows in overview.rows_by_team.values() for row in rows}
    coverage_by_team = coverage_queries.for_lead(overview.teams, monday_of(date.today()))
    # Reviews are opened for the current cycle or the one that ended last (the page's two).
    cycles = [c for c in (overview.cycle, overview.ended) if c is not None]
    open_forms = {team.id: (posted if team.id == posted_team and posted is not None
                            else OpenTeamReviewsForm(formdata=None)).for_team(team.id, cycles)
                  for team in overview.teams}
    return render_template("coaching/team.html", overview=overview, cells=cells,
                           states=states, fmt=fmt, coverage_by_team=coverage_by_team,
                           open_forms=open_forms,
                           feedback=feedback_queries.team_feedback(overview, date.today())
                           ), status


def _led_team_or_404(team_id: int) -> Team:
    return get_or_404(led_teams(current_user), id=team_id)


@bp.route("/team/teams/<int:team_id>/reviews", methods=["GET", "POST"])
def open_team_reviews(team_id: int):
    """Open the review of everyone in one of the lead's teams for a cycle, in one go."""
    team = _led_team_or_404(team_id)
    back = url_for("coaching.team") + f"#team-{team.id}"
    if request.method != "POST":  # the address a rejected form leaves: the form's page
        return redirect(back)
    form = OpenTeamReviewsForm()
    if form.validate():
        try:
            opened, had_one = service.open_team_reviews(current_user, team, form.cycle_id.data,
                                                        form.submission.data)
        except service.CoachingError as error:
            form.show_error(error)
        else:
            cycle = ReviewCycle.get_by_id(form.cycle_id.data)
            if opened:
                message = ngettext("Opened %(num)d review for %(cycle)s.",
                                   "Opened %(num)d reviews for %(cycle)s.", opened,
                                   cycle=cycle.name)
                if had_one:
                    message += " " + ngettext("%(num)d person already had one.",
                                              "%(num)d people already had one.", had_one)
            elif had_one:
                message = _("Everyone in %(team)s already has a review for %(cycle)s.",
                            team=team.name, cycle=cycle.name)
            else:
                message = _("No one in %(team)s worked during %(cycle)s.",
                            team=team.name, cycle=cycle.name)
            flash(message, "success" if opened else "info")
            return redirect(back)
    return _render_team(422, posted=form, posted_team=team.id)


def _render_person(person: User, status: int = 200, one_on_one=None, agenda=None,
                   open_review=None):
    today = date.today()
    reviews = queries.reviews_of(person)
    reviewed = {r.cycle_id for r in reviews}
    cycles = [c for c in service.openable_cycles(person, today) if c.id not in reviewed]
    if open_review is None:
        open_review = OpenReviewForm(formdata=None)
    open_review.set_cycles(cycles)
    weeks = queries.person_weeks(person, today)
    states, fmt = translated(queries.WEEK_STATES), PageFormats()
    return render_template(
        "coaching/person.html", person=person, weeks=weeks,
        cells=_week_cells(weeks["cells"], states, fmt),
        goals=queries.goals_with_evidence(person), reviews=reviews, can_open=bool(cycles),
        history=queries.coaching_history(person),
        one_on_one=one_on_one or OneOnOneForm(formdata=None),
        agenda=agenda or AgendaForm(formdata=None), open_review=open_review,
        tick=ActionItemForm(formdata=None), states=states, fmt=fmt, today=today,
        feedback=feedback_queries.person_feedback(person, today)), status


@bp.get("/team/<int:user_id>")
def person(user_id: int):
    return _render_person(_member_or_404(user_id))


# A rejected form leaves its POST address in the address bar: opened again (a reload, a
# bookmark, the back button) it leads to the page the form lives on.
@bp.route("/team/<int:user_id>/one-on-ones", methods=["GET", "POST"])
def record_one_on_one(user_id: int):
    member = _member_or_404(user_id, can_record_one_on_one)
    if request.method != "POST":  # a reload of the address a rejected form leaves
        return redirect(url_for("coaching.person", user_id=member.id) + "#one-on-ones")
    form = OneOnOneForm()
    if form.validate():
        try:
            service.record_one_on_one(
                current_user, member, held_on=form.held_on.data,
                shared_notes=form.shared_notes.data, private_notes=form.private_notes.data,
                action_items=form.action_items(), submission=form.submission.data)
        except service.CoachingError as error:
            if error.field == "submission":
                # A key of another meeting's form: the page offers a fresh one.
                form.submission.data = form.submission.default()
                error.field = None
            form.show_error(error)
        else:
            flash(_("One-on-one recorded."), "success")
            return redirect(url_for("coaching.person", user_id=member.id) + "#one-on-ones")
    return _render_person(member, 422, one_on_one=form)


@bp.route("/team/<int:user_id>/agenda", methods=["GET", "POST"])
def add_team_agenda_item(user_id: int):
    member = _member_or_404(user_id, can_add_agenda_item)
    if request.method != "POST":  # a reload of the address a rejected form leaves
        return redirect(url_for("coaching.person", user_id=member.id) + "#agenda")
    form = AgendaForm()
    if not form.validate():
        return _render_person(member, 422, agenda=form)
    service.add_agenda_item(current_user, member, form.text.data, form.submission.data)
    flash(_("Added to the agenda for your next one-on-one."), "success")
    return redirect(url_for("coaching.person", user_id=member.id) + "#agenda")


@bp.route("/team/<int:user_id>/reviews", methods=["GET", "POST"])
def open_review(user_id: int):
    member = _member_or_404(user_id)
    if request.method != "POST":  # a reload of the address a rejected form leaves
        return redirect(url_for("coaching.person", user_id=member.id) + "#reviews")
    form = OpenReviewForm()
    form.set_cycles(service.openable_cycles(member))
    if form.validate():
        try:
            review = service.open_review(current_user, member, form.cycle_id.data)
        except service.ReviewExists as exists:
            flash(_("The review for this cycle is already open; here it is."), "info")
            return redirect(url_for("coaching.review", review_id=exists.review.id))
        except service.CoachingError as error:
            form.show_error(error)
        else:
            flash(_("Review opened as a draft."), "success")
            return redirect(url_for("coaching.review", review_id=review.id))
    return _render_person(member, 422, open_review=form)


# Everyone's own coaching ------------------------------------------------------------------

@bp.get("/one-on-ones")
def my_coaching():
    return _render_mine()


def _render_mine(status: int = 200, agenda=None):
    me = current_user._get_current_object()
    return render_template(
        "coaching/my_coaching.html", history=queries.coaching_history(me),
        reviews=queries.reviews_of(me), agenda=agenda or AgendaForm(formdata=None),
        tick=ActionItemForm(formdata=None), me=me, today=date.today()), status


@bp.route("/one-on-ones/agenda", methods=["GET", "POST"])
def add_agenda_item():
    allowed_or_404(can_add_agenda_item(current_user, current_user))
    if request.method != "POST":  # a reload of the address a rejected form leaves
        return redirect(url_for("coaching.my_coaching") + "#agenda")
    form = AgendaForm()
    if not form.validate():
        return _render_mine(422, agenda=form)
    service.add_agenda_item(current_user, current_user, form.text.data, form.submission.data)
    flash(_("Added to the agenda for your next one-on-one."), "success")
    return redirect(url_for("coaching.my_coaching") + "#agenda")


def _quoted(text: str, longest: int = 80) -> str:
    """`text` on one line, cut to `longest` characters with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= longest else line[:longest - 1].rstrip() + "…"


@bp.post("/action-items/<int:item_id>/done")
def tick_action_item(item_id: int):
    """Tick (done=1) or reopen an action item: its owner or the person's lead."""
    item = get_or_404(ActionItem.select(ActionItem, OneOnOne)
                      .join(OneOnOne, on=(ActionItem.one_on_one == OneOnOne.id)), id=item_id)
    allowed_or_404(can_read_one_on_one(current_user, item.one_on_one))
    if not can_tick_action_item(current_user, item):
        abort(403)
    form = ActionItemForm()
    if not form.validate():
        abort(400)
    service.set_action_item_done(current_user, item, form.done.data)
    if form.done.data:
        flash(_("Marked done: “%(item)s”.", item=_quoted(item.text)), "success")
    else:
        flash(_("Open again: “%(item)s”.", item=_quoted(item.text)), "success")
    if is_self(current_user, item.person_id):
        return redirect(url_for("coaching.my_coaching") + "#action-items")
    return redirect(url_for("coaching.person", user_id=item.person_id) + "#action-items")


# Reviews ---------------------------------------------------------------------------------

def _render_review(review: Review, status: int = 200, lead_form=None, self_form=None,
                   ack_form=None):
    person = User.get_by_id(review.person_id)
    viewer_leads = is_lead_of(current_user, person.id)
    goals = service.review_goals(review)
    outcomes = {o.goal_id: o for o in review.goal_outcomes}
    if lead_form is None and viewer_leads:
        data = {"version": review.version, "notes": review.notes, "held_on": review.held_on,
                "next_focus": review.next_focus}
        for goal in goals:
            outcome = outcomes.get(goal.id)
            data[f"outcome-{goal.id}"] = outcome.outcome if outcome else ""
            data[f"comment-{goal.id}"] = outcome.comment if outcome else ""
        lead_form = review_form(goals, data, formdata=None)
    return render_template(
        "coaching/review.html", review=review, person=person, goals=goals, outcomes=outcomes,
        viewer_leads=viewer_leads,
        lead_name=User.get_by_id(review.lead_id).name if review.lead_id else "",
        evidence=queries.review_evidence(review, person, date.today()),
        feedback=feedback_queries.cycle_feedback(person, review.cycle),
        lead_form=lead_form,
        self_form=self_form or SelfAssessmentForm(
            formdata=None,
            data={"text": review.self_assessment, "version": review.self_version}
            if is_self(current_user, person.id) else {}),
        ack_form=ack_form or AcknowledgeForm(formdata=None)), status


@bp.get("/reviews/<int:review_id>")
def review(review_id: int):
    return _render_review(_review_or_404(review_id))


@bp.route("/reviews/<int:review_id>/self-assessment", methods=["GET", "POST"])
def self_assessment(review_id: int):
    review = _review_or_404(review_id)
    if not is_self(current_user, review.person_id):
        abort(403)
    if request.method != "POST":  # a reload of the address a rejected form leaves
        return redirect(url_for("coaching.review", review_id=review.id) + "#self-assessment")
    if not can_write_self_assessment(current_user, review):
        abort(409)
    form = SelfAssessmentForm()
    if not form.validate():
        return _render_review(review, 422, self_form=form)
    try:
        service.save_self_assessment(current_user, review, form.text.data, form.submit.data,
                                     version=form.version_number())
    except service.ReviewLocked:
        abort(409)
    except StaleEdit as stale:
        form.show_conflict(stale.row.self_version, {"text": stale.row.self_assessment})
        return _render_review(_review_or_404(review_id), 409, self_form=form)
    flash(_("Submitted: your lead can read it now.") if form.submit.data
          else _("Saved. Only you can read it until you submit it."), "success")
    return redirect(url_for("coaching.review", review_id=review.id))


def _lead_change(review_id: int, share: bool):
    review = _review_or_404(review_id)
    if not is_lead_of(current_user, review.person_id):
        abort(403)
    if request.method != "POST":  # a reload of the address a rejected form leaves
        return redirect(url_for("coaching.review", review_id=review.id) + "#coaching")
    allowed = can_share_review if share else can_edit_review
    if not allowed(current_user, review):
        abort(409)
    goals = service.review_goals(review)
    form = review_form(goals)
    if form.validate():
        change = service.share_review if share else service.edit_review
        try:
            change(current_user, review, version=form.version_number(), notes=form.notes.data,
                   held_on=form.held_on.data, next_focus=form.next_focus.data,
                   outcomes=form.outcomes(goals))
        except service.ReviewLocked:
            current = _review_or_404(review_id)
            if not allowed(current_user, current):
                abort(409, _("Someone changed this review after you opened it, or it is "
                             "finished. Reload it to see the latest version."))
            # Only stale: show what is saved now next to what the lead typed.
            saved = {"notes": current.notes, "held_on": current.held_on,
                     "next_focus": current.next_focus}
            saved.update({f"outcome-{o.goal_id}": o.outcome for o in current.goal_outcomes})
            form.show_conflict(current.version, saved)
            return _render_review(current, 409, lead_form=form)
        except service.CoachingError as error:
            form.show_error(error)
        else:
            if share:
                flash(_("Shared: they can read your part now."), "success")
            elif review.status == ReviewStatus.DRAFT:
                flash(_("Draft saved."), "success")
            else:
                flash(_("Changes saved. They can read them now."), "success")
            return redirect(url_for("coaching.review", review_id=review.id))
    return _render_review(review, 422, lead_form=form)


@bp.route("/reviews/<int:review_id>/edit", methods=["GET", "POST"])
def edit_review(review_id: int):
    return _lead_change(review_id, share=False)


@bp.route("/reviews/<int:review_id>/share", methods=["GET", "POST"])
def share_review(review_id: int):
    return _lead_change(review_id, share=True)


@bp.route("/reviews/<int:review_id>/acknowledge", methods=["GET", "POST"])
def acknowledge_review(review_id: int):
    review = _review_or_404(review_id)
    if not is_self(current_user, review.person_id):
        abort(403)
    if request.method != "POST":  # a reload of the address a rejected form leaves
        return redirect(url_for("coaching.review", review_id=review.id))
    if not can_acknowledge_review(current_user, review):
        abort(409)
    form = AcknowledgeForm()
    if not form.validate():
        return _render_review(review, 422, ack_form=form)
    try:
        service.acknowledge_review(current_user, review, form.response.data)
    except service.ReviewLocked:
        abort(409)
    flash(_("Acknowledged. The review is complete."), "success")
    return redirect(url_for("coaching.review", review_id=review.id))
