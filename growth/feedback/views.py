"""Feedback (/feedback: ticket reviews and self-reviews) and practice (/practice:
role-plays), for agents and leads."""

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..forms import ConfirmForm
from ..models import PracticeSession
from ..permissions import (
    allowed_or_404,
    can_delete_practice,
    can_delete_ticket_review,
    can_read_practice,
    can_read_ticket_review,
    can_reply_ticket_review,
    can_use_feedback,
    get_or_404,
    is_self,
    people_reviewable_by,
    practice_team_id,
    refuse_unless,
)
from . import queries, service
from .forms import PracticeForm, ReplyForm, TicketReviewForm

bp = Blueprint("feedback", __name__)


@bp.before_request
def feedback_users_only():
    refuse_unless(can_use_feedback)


@bp.route("/feedback", methods=["GET", "POST"])
def index():
    form = TicketReviewForm(data={"reviewee_id": request.args.get("for", type=int)})
    people = [p for p in people_reviewable_by(current_user) if p.can_sign_in()]
    form.set_people(people, current_user)
    if request.method == "POST" and form.validate():
        try:
            review = service.give_review(
                current_user, reviewee_id=form.reviewee_id.data,
                ticket_url=form.ticket_url.data, ticket_ref=form.ticket_ref.data,
                rating=form.rating.data, praise=form.praise.data,
                suggestion=form.suggestion.data, aspects=form.aspects.data,
                minutes=form.minutes.data, submission=form.submission.data)
        except service.FeedbackError as error:
            form.show_error(error)
        else:
            flash(_("Review saved."), "success")
            return redirect(url_for("feedback.show", ticket_review_id=review.id))
    status = 422 if request.method == "POST" else 200
    return render_template("feedback/index.html", form=form,
                           page=queries.feedback_page(current_user)), status


def _review_or_404(ticket_review_id: int):
    """A ticket review the signed-in person may read (can_read_ticket_review), with the
    names of both people."""
    review = get_or_404(queries.review_with_people(ticket_review_id))
    allowed_or_404(can_read_ticket_review(current_user, review))
    return review


def _render_review(review, reply=None, status=200):
    return render_template("feedback/show.html", review=review,
                           reply=reply or ReplyForm(formdata=None),
                           confirm=ConfirmForm(formdata=None)), status


@bp.get("/feedback/<int:ticket_review_id>")
def show(ticket_review_id: int):
    return _render_review(_review_or_404(ticket_review_id))


@bp.route("/feedback/<int:ticket_review_id>/reply", methods=["GET", "POST"])
def reply(ticket_review_id: int):
    review = _review_or_404(ticket_review_id)
    if request.method != "POST":  # a reload of the address a rejected form leaves
        if not is_self(current_user, review.reviewee_id) or (
                review.reviewer_id == review.reviewee_id):
            abort(403)
        return redirect(url_for("feedback.show", ticket_review_id=review.id))
    if review.replied_at is not None and review.reviewee_id == current_user.id:
        abort(409)
    if not can_reply_ticket_review(current_user, review):
        abort(403)
    form = ReplyForm()
    if form.validate():
        try:
            service.reply_to_review(current_user, review, reply=form.reply.data)
        except service.FeedbackError as error:
            form.show_error(error)
        except service.Conflict:
            abort(409)
        else:
            flash(_("Reply sent."), "success")
            return redirect(url_for("feedback.show", ticket_review_id=review.id))
    return _render_review(review, form, 422)


@bp.post("/feedback/<int:ticket_review_id>/delete")
def delete(ticket_review_id: int):
    review = _review_or_404(ticket_review_id)
    if review.reviewer_id != current_user.id:
        abort(403)
    if not can_delete_ticket_review(current_user, review):
        abort(409)
    try:
        service.delete_review(current_user, review)
    except service.Conflict:
        abort(409)
    flash(_("Review deleted."), "success")
    return redirect(url_for("feedback.index"))


# Practice ---------------------------------------------------------------------------------

def _practice_form():
    form = PracticeForm(data={"held_on": date.today()})
    team_id = practice_team_id(current_user)
    form.set_people(service.practice_people(team_id))
    return form, team_id


def _render_practice(form, team_id, status=200):
    return render_template("feedback/practice.html", form=form,
                           sessions=queries.practice_list(current_user),
                           scenarios=queries.past_scenarios(team_id)), status


@bp.route("/practice", methods=["GET", "POST"])
def practice():
    form, team_id = _practice_form()
    if request.method == "POST" and form.validate():
        try:
            session = service.record_practice(
                current_user, held_on=form.held_on.data, scenario=form.scenario.data,
                brief=form.brief.data, minutes=form.minutes.data,
                takeaways=form.takeaways.data, customer_ids=form.customer_ids.data,
                agent_ids=form.agent_ids.data, observer_ids=form.observer_ids.data,
                submission=form.submission.data)
        except service.FeedbackError as error:
            form.show_error(error)
        else:
            flash(_("Role-play recorded."), "success")
            return redirect(url_for("feedback.practice_session", practice_id=session.id))
    status = 422 if request.method == "POST" else 200
    return _render_practice(form, team_id, status)


def _session_or_404(practice_id: int):
    session = get_or_404(PracticeSession.select(), id=practice_id)
    allowed_or_404(can_read_practice(current_user, session))
    return queries.with_people(session)


@bp.get("/practice/<int:practice_id>")
def practice_session(practice_id: int):
    session = _session_or_404(practice_id)
    return render_template("feedback/practice_session.html", session=session,
                           confirm=ConfirmForm(formdata=None))


@bp.post("/practice/<int:practice_id>/delete")
def delete_practice(practice_id: int):
    session = _session_or_404(practice_id)
    if not can_delete_practice(current_user, session):
        abort(403)
    service.delete_practice(current_user, session)
    flash(_("Role-play deleted."), "success")
    return redirect(url_for("feedback.practice"))
