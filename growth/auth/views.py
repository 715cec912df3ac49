from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_time, refresh
from flask_babel import gettext as _
from flask_login import current_user, login_fresh, login_user, logout_user

from .. import audit
from ..i18n import moment
from ..models import User
from ..permissions import can_stay_signed_in
from ..security import client_address, idle_minutes, landing_url, open_session, safe_next
from . import service
from .forms import LANGUAGE_NAMES, AccountForm, LoginForm, PasswordForm, SetPasswordForm

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated and login_fresh():
        return redirect(landing_url(current_user, request.args.get("next")))
    form = LoginForm()
    status = 200
    if request.method == "POST" and form.validate():
        result = service.authenticate(form.email.data, form.password.data, client_address())
        if result.user:
            remember = form.remember.data and can_stay_signed_in(result.user)
            open_session(result.user, remember=remember)
            if form.remember.data and not remember:
                flash(_("You are signed in, but not kept signed in: that is for agents only. "
                        "After %(minutes)s minutes without activity you sign in again.",
                        minutes=idle_minutes()), "info")
            if result.reset_at:
                flash(_("An admin reset your password on %(when)s. If you did not ask for "
                        "that, tell your lead or HR.",
                        when=moment(result.reset_at)), "info")
            return redirect(landing_url(result.user, request.args.get("next")))
        if result.retry_at:
            form.form_errors.append(_("Too many attempts. Try again after %(time)s.",
                                      time=format_time(result.retry_at, "short")))
            status = 429
        else:
            form.form_errors.append(_("That email and password don't match an account "
                                      "that can sign in."))
            status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form, idle_minutes=idle_minutes()), status


@bp.post("/logout")
def logout():
    service.sign_out_everywhere(current_user)
    logout_user()
    session.clear()
    flash(_("You are signed out."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
def password():
    form = PasswordForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate():
            check = service.check_current_password(current_user, form.current_password.data,
                                                   client_address())
            if check.retry_at:
                form.current_password.errors.append(_(
                    "Too many attempts. Try again after %(time)s.",
                    time=format_time(check.retry_at, "short")))
                status = 429
            elif not check.ok:
                form.current_password.errors.append(_("That is not your current password."))
            else:
                try:
                    service.set_password(current_user, form.new_password.data)
                except service.PasswordPolicyError as error:
                    form.new_password.errors.append(str(error))
                else:
                    # The session version moved on: sign in again on this device only.
                    login_user(current_user._get_current_object())
                    flash(_("Your password is changed. Other devices are signed out."),
                          "success")
                    return redirect(url_for("auth.account"))
    return render_template("auth/password.html", form=form), status


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """Where an admin's set-password link leads: choose a password, then sign in with it."""
    person = service.link_holder(token)
    form = SetPasswordForm()
    status = 200 if person else 404
    if person and request.method == "POST":
        status = 422
        if form.validate():
            try:
                service.set_password_with_link(token, form.new_password.data)
            except service.PasswordPolicyError as error:
                form.new_password.errors.append(str(error))
            except service.LinkError:
                person, status = None, 404
            else:
                flash(_("Your password is set. Sign in with it."), "success")
                return redirect(url_for("auth.login"))
    response = make_response(render_template("auth/set_password.html", form=form,
                                              person=person), status)
    response.headers["Referrer-Policy"] = "no-referrer"  # the link must not leak onwards
    return response


@bp.route("/account", methods=["GET", "POST"])
def account():
    form = AccountForm(data={"name": current_user.name, "locale": current_user.locale or ""})
    if request.method == "POST":
        if form.validate():
            User.update(name=form.name.data.strip(), locale=form.locale.data).where(
                User.id == current_user.id).execute()
            session["lang"] = form.locale.data
            audit.record("account_updated", current_user)
            current_user.locale = form.locale.data
            refresh()  # the confirmation speaks the language just chosen
            flash(_("Your account is saved."), "success")
            return redirect(url_for("auth.account"))
        return render_template("auth/account.html", form=form), 422
    return render_template("auth/account.html", form=form)


@bp.post("/language")
def language():
    """The language switch on the sign-in page (and anywhere before a choice is saved)."""
    lang = request.form.get("lang", "")
    if lang in LANGUAGE_NAMES:
        session["lang"] = lang
        if current_user.is_authenticated:
            User.update(locale=lang).where(User.id == current_user.id).execute()
    return redirect(safe_next(request.form.get("next")) or url_for("auth.login"))
