"""Sign-in state, deny-by-default, CSRF on every unsafe request, security headers."""

import io
import secrets
import time
import uuid
from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager, current_user, login_fresh, login_user, logout_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from .models import ID_MAX, Role, User

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to continue.")
# "strong" logs out people restored from the remember cookie (Flask-Login 0.6.3).
login_manager.session_protection = "basic"

# Endpoints anyone may reach; every other one needs a signed-in person.
PUBLIC_ENDPOINTS = {"auth.login", "static", "healthz", "auth.language", "auth.set_password",
                    "oidc.start", "oidc.callback", "reminders.unsubscribe", "calendar.feed"}
# Posts that carry no form of ours: the one-click unsubscribe of RFC 8058, sent by the mail
# provider. The signed token in the address is what authorises it; it only turns reminders
# off, so a forged cross-site post can do no more than the address itself.
CSRF_EXEMPT_ENDPOINTS = {"reminders.unsubscribe"}
# Endpoints a person who must change their password may still reach.
PASSWORD_CHANGE_ENDPOINTS = {"auth.password", "auth.logout", "static", "healthz"}
# Changes to accounts and HR exports need a password typed in this session, not a session
# restored from the remember cookie (endpoint -> the methods that need it).
FRESH_LOGIN_ENDPOINTS = {
    "admin.new_user": {"POST"},
    "admin.edit_user": {"POST"},
    "admin.deactivate_user": {"POST"},
    "admin.reactivate_user": {"POST"},
    "admin.reset_password": {"POST"},
    "admin.edit_team": {"POST"},
    "admin.teams": {"POST"},
    "hr.person": {"POST"},
    "hr.download": {"GET"},
}

SEEN_AT_PRECISION = 60  # seconds

CSP = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'{form_action}; img-src 'self' data:; style-src 'self'; script-src 'self'"
)


@login_manager.user_loader
def load_user(user_id: str):
    """The person behind a session id `<id>:<session version>`, or for a "keep me signed in"
    sign-in `<id>:<session version>:<expires at>:<random>`; None ends the session."""
    user_pk, version, *remembered = user_id.split(":")
    if not (user_pk.isdigit() and version.isdigit()):
        return None
    if remembered:
        # The remember cookie carries this id under Flask-Login's HMAC: its expiry is checked
        # here, on the server, whatever the browser was told or a copied cookie says.
        expires_at = remembered[0]
        if len(remembered) != 2 or not expires_at.isdigit() or int(expires_at) < time.time():
            return None
    user = User.get_or_none(User.id == int(user_pk))
    if user is None or user.session_version != int(version) or not user.can_sign_in():
        return None
    return user


def safe_next(target: str | None) -> str | None:
    """A `next=` value only when it is a path on this site."""
    if not target:
        return None
    # Browsers drop tabs and newlines inside URLs and read `\` as `/`, so `/\t/evil` and
    # `/\evil` would leave the site: refuse control characters, spaces and backslashes.
    if any(ch == "\\" or ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


# Where each role's work is: the page a sign-in lands on when no other page was asked for.
LANDING_ENDPOINTS = {Role.LEAD: "coaching.team", Role.HR: "hr.dashboard",
                     Role.ADMIN: "admin.users"}


def landing_url(user, target: str | None = None) -> str:
    """Where a sign-in leads: the safe `next` page asked for, else the page where the
    person's role works (an agent's own week). `next=/` is what anyone who opened the site's
    address carries, so it names no page and the role's page wins."""
    asked = safe_next(target)
    if asked and asked != "/":
        return asked
    return url_for(LANDING_ENDPOINTS.get(user.role, "dev_days.current_week"))


def open_session(user, *, remember: bool = False) -> None:
    """Sign `user` in on a fresh session: nothing from before sign-in survives but the
    language chosen on the sign-in page. A remembered sign-in's session id (which Flask-Login
    writes into the remember cookie) gets an expiry and a random part, so the cookie is new
    at every sign-in and refused by the server after REMEMBER_COOKIE_DURATION."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    login_user(user, remember=remember)
    if remember:
        lifetime = current_app.config["REMEMBER_COOKIE_DURATION"].total_seconds()
        session["_user_id"] = (f"{user.get_id()}:{int(time.time() + lifetime)}:"
                               f"{secrets.token_urlsafe(16)}")
    start_session()


def start_session() -> None:
    """Stamp a new sign-in: the idle and absolute session limits count from now."""
    session["login_at"] = session["seen_at"] = int(time.time())
    session.permanent = True


def idle_minutes() -> int:
    """How long a session lasts without activity, in minutes (what people are told)."""
    return int(current_app.config["SESSION_IDLE_TIMEOUT"].total_seconds() // 60)


def _session_expired() -> bool:
    """True once the session was idle too long or is older than its absolute lifetime."""
    now = int(time.time())
    login_at = session.setdefault("login_at", now)  # restored from the remember cookie
    seen_at = session.get("seen_at", now)
    config = current_app.config
    return (now - seen_at > config["SESSION_IDLE_TIMEOUT"].total_seconds()
            or now - login_at > config["PERMANENT_SESSION_LIFETIME"].total_seconds())


def client_address() -> str:
    return (request.remote_addr or "")[:64]


class IdConverter(IntegerConverter):
    """`<int:…>` up to the largest id the database holds: /goals/99999999999999999999 is
    a 404, not an integer overflow in the query."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", ID_MAX)
        super().__init__(map, *args, **kwargs)


# Of a refused body, up to this much more is read and dropped, so a client still sending it
# reads the 413 rather than a reset connection; past it the connection is simply closed.
REFUSED_BODY_DRAIN = 4 * 1024 * 1024


class WholeBodyLimit:
    """WSGI middleware: a body over MAX_CONTENT_LENGTH reaches the app as an empty body
    whose length says it is too large, and the app refuses it whole (413).

    Werkzeug sees no length on a chunked body and reads at most MAX_CONTENT_LENGTH of it,
    handing the app the front of the body as if it were all of it. So a chunked body is
    read here first, up to one byte past the limit, and passed on with its length.
    """

    def __init__(self, wsgi_app, config):
        self.wsgi_app = wsgi_app
        self.config = config

    def __call__(self, environ, start_response):
        limit = self.config.get("MAX_CONTENT_LENGTH")
        if limit:
            _size_body(environ, limit)
        return self.wsgi_app(environ, start_response)


def _size_body(environ, limit: int) -> None:
    stream = environ["wsgi.input"]
    chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
    if chunked:
        if not environ.get("wsgi.input_terminated"):
            return  # a server that leaves chunks encoded: Werkzeug reads no body at all
        body = _read_at_most(stream, limit + 1)
        length = len(body)
        environ.pop("HTTP_TRANSFER_ENCODING", None)
    else:
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return  # Werkzeug reads a malformed length as 0
        if length <= limit:
            return
        body = b""
    if length > limit:
        _read_at_most(stream, REFUSED_BODY_DRAIN, keep=False)
        body = b""
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(length)


def _read_at_most(stream, size: int, keep: bool = True) -> bytes:
    kept, left = [], size
    while left > 0:
        piece = stream.read(min(left, 65536))
        if not piece:
            break
        left -= len(piece)
        if keep:
            kept.append(piece)
    return b"".join(kept)


def init_app(app):
    app.url_map.converters["int"] = IdConverter
    # Origins besides this one that a form may be sent on to (the identity provider).
    app.config.setdefault("CSP_FORM_ACTION", ())
    login_manager.init_app(app)
    app.wsgi_app = WholeBodyLimit(app.wsgi_app, app.config)
    if app.config["PROXY_FIX_HOPS"]:
        hops = int(app.config["PROXY_FIX_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok"}

    @app.before_request
    def assign_request_id():
        # Shown on error pages and stored with every audit event and error log line.
        g.request_id = uuid.uuid4().hex[:12]

    @app.before_request
    def refuse_large_body():
        # Whatever the route, signed in or not: a body over the limit is refused whole,
        # before anything reads it (WholeBodyLimit gives a chunked body its length).
        limit = request.max_content_length
        if limit and (request.content_length or 0) > limit:
            abort(413)

    @app.before_request
    def require_sign_in():
        endpoint = request.endpoint or ""
        if current_user.is_authenticated and _session_expired():
            logout_user()  # also forgets the remember cookie
            session.clear()
            if endpoint not in PUBLIC_ENDPOINTS:
                flash(login_manager.login_message, "info")
        elif current_user.is_authenticated:
            now = int(time.time())
            # A minute's precision is plenty for a 30-minute idle limit, and the session
            # cookie is then re-signed once a minute rather than on every request.
            if now - session.get("seen_at", 0) >= SEEN_AT_PRECISION:
                session["seen_at"] = now
        if endpoint in PUBLIC_ENDPOINTS:
            return None
        target = request.full_path.rstrip("?")
        if not current_user.is_authenticated:
            if request.endpoint is None:
                return None  # let the 404 handler answer
            if target != "/" and not session.get("_flashes"):
                flash(login_manager.login_message, "info")  # they were heading somewhere
            return redirect(url_for("auth.login", next=target))
        if not session.permanent:
            session.permanent = True  # (assigning marks the session changed, so only once)
        if current_user.must_change_password and endpoint not in PASSWORD_CHANGE_ENDPOINTS:
            return redirect(url_for("auth.password"))
        if request.method in FRESH_LOGIN_ENDPOINTS.get(endpoint, ()) and not login_fresh():
            flash(login_manager.login_message, "info")
            return redirect(url_for("auth.login",
                                    next=target if request.method == "GET" else None))
        return None

    @app.before_request
    def check_csrf():
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        if request.endpoint in CSRF_EXEMPT_ENDPOINTS:
            return
        from .forms import ConfirmForm

        # Werkzeug counts parts of multipart bodies only; count url-encoded fields too.
        fields = sum(1 for _ in request.form.items(multi=True))
        if fields > current_app.config["MAX_FORM_PARTS"]:
            abort(413)
        form = ConfirmForm()
        if not form.validate():
            g.csrf_failed = True
            abort(400, description=_l("This form has expired. Please go back, reload the "
                                      "page and try again."))

    @app.after_request
    def security_headers(response):
        headers = response.headers
        extra = "".join(f" {origin}" for origin in current_app.config["CSP_FORM_ACTION"])
        headers.setdefault("Content-Security-Policy", CSP.format(form_action=extra))
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if current_app.config["SESSION_COOKIE_SECURE"]:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static":
            headers.setdefault("Cache-Control", "no-store")
        if "request_id" in g:
            headers.setdefault("X-Request-Id", g.request_id)
        return response
