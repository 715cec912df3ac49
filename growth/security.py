"""Sign-in state, deny-by-default, CSRF on every unsafe request, security headers."""

from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from .models import User

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to continue.")
# "strong" logs out people restored from the remember cookie (Flask-Login 0.6.3).
login_manager.session_protection = "basic"

# Endpoints anyone may reach; every other one needs a signed-in person.
PUBLIC_ENDPOINTS = {"auth.login", "static", "healthz", "auth.language"}
# Endpoints a person who must change their password may still reach.
PASSWORD_CHANGE_ENDPOINTS = {"auth.password", "auth.logout", "static", "healthz"}

CSP = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'"
)


@login_manager.user_loader
def load_user(user_id: str):
    """The person behind a session id `<id>:<session version>`; None ends the session."""
    user_pk, _, version = user_id.partition(":")
    if not (user_pk.isdigit() and version.isdigit()):
        return None
    user = User.get_or_none(User.id == int(user_pk))
    if user is None or user.session_version != int(version) or not user.can_sign_in():
        return None
    return user


def safe_next(target: str | None) -> str | None:
    """A `next=` value only when it is a path on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target:
        return None
    return target


def client_address() -> str:
    return (request.remote_addr or "")[:64]


def init_app(app):
    login_manager.init_app(app)
    if app.config["PROXY_FIX_HOPS"]:
        hops = int(app.config["PROXY_FIX_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.before_request
    def require_sign_in():
        endpoint = request.endpoint or ""
        if endpoint in PUBLIC_ENDPOINTS:
            return None
        if not current_user.is_authenticated:
            if request.endpoint is None:
                return None  # let the 404 handler answer
            target = request.full_path.rstrip("?")
            return redirect(url_for("auth.login", next=target))
        session.permanent = True
        if current_user.must_change_password and endpoint not in PASSWORD_CHANGE_ENDPOINTS:
            return redirect(url_for("auth.password"))
        return None

    @app.before_request
    def check_csrf():
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        from .forms import ConfirmForm

        form = ConfirmForm()
        if not form.validate():
            g.csrf_failed = True
            abort(400, description=_l("This form has expired. Please go back, reload the "
                                      "page and try again."))

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if current_app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static":
            headers.setdefault("Cache-Control", "no-store")
        return response
