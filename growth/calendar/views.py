"""The private calendar address: made and removed from /account, read without a session."""

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..permissions import deny
from . import feed as ics
from . import service

bp = Blueprint("calendar", __name__)


@bp.route("/account/calendar", methods=["GET", "POST"])
def make():
    """Shown once: only the address's hash is kept. Opened again (a reload, a bookmark), the
    address leads back to the account page and makes nothing."""
    if request.method != "POST":  # GET or HEAD: nothing is made
        return redirect(url_for("auth.account"))
    try:
        token = service.make_feed(current_user, current_user._get_current_object())
    except PermissionError:
        deny(403)
    address = url_for("calendar.feed", token=token, _external=True)
    return render_template("calendar/made.html", address=address)


@bp.post("/account/calendar/delete")
def delete():
    try:
        service.remove_feed(current_user, current_user._get_current_object())
    except PermissionError:
        deny(403)
    flash(_("Your calendar address is removed: calendar apps can't read it any more."),
          "success")
    return redirect(url_for("auth.account"))


@bp.get("/calendar/<token>.ics")
def feed(token: str):
    person = service.feed_owner(token)
    if person is None:
        abort(404)
    return Response(ics.build(person, date.today()), content_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": 'inline; filename="growth.ics"'})
