"""/account/reminders (a person's own setting) and /unsubscribe/<token> (the one-click
address in every reminder: it works without a session and reveals nothing)."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..permissions import deny
from . import service
from .forms import RemindersForm

bp = Blueprint("reminders", __name__)


@bp.route("/account/reminders", methods=["GET", "POST"])
def settings():
    form = RemindersForm(data={"reminders": "on" if current_user.reminders else "off"})
    if request.method == "POST" and form.validate():
        try:
            service.set_reminders(current_user, current_user, on=form.reminders.data == "on")
        except PermissionError:
            deny(403)
        flash(_("Reminders are on.") if form.reminders.data == "on"
              else _("Reminders are off."), "success")
        return redirect(url_for("reminders.settings"))
    status = 422 if request.method == "POST" else 200
    return render_template("reminders/settings.html", form=form), status


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """GET asks (mail scanners follow links); POST turns reminders off (RFC 8058)."""
    if len(token) > 200:
        abort(404)
    if request.method != "POST":  # GET or HEAD (a link checker) only asks
        from .mail import unsubscribed_user_id

        if unsubscribed_user_id(token) is None:
            abort(404)
        return render_template("reminders/unsubscribe.html", done=False)
    if service.unsubscribe(token) is None:
        abort(404)
    return render_template("reminders/unsubscribe.html", done=True)
