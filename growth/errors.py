"""Error pages in the app's layout; never a stack trace. A locked database answers 503."""

import logging
import uuid

from flask import g, render_template, request
from flask_babel import lazy_gettext as _l
from peewee import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger("growth.errors")

TITLES = {
    400: _l("Something in that request was not right"),
    403: _l("That area is not open to you"),
    404: _l("We couldn't find that page"),
    405: _l("That action isn't available here"),
    409: _l("That can no longer be changed"),
    413: _l("That was too much to send at once"),
    422: _l("Please check the form"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
    503: _l("Growth is busy right now"),
}

MESSAGES = {
    400: _l("Please go back and try again."),
    403: _l("Your role doesn't include this page. If you think it should, ask your admin."),
    404: _l("It may have moved, or it may not be yours to see."),
    405: _l("Please go back and use the buttons on the page."),
    409: _l("Someone finished this already, so it is read-only now."),
    413: _l("Requests are limited to 1 MB. Please send less."),
    429: _l("Please wait a little and try again."),
    500: _l("The error has been logged. Please try again in a moment."),
    503: _l("The database is busy. Nothing was changed; please try again in a few seconds."),
}


# What a locked, timed-out or unreachable database says (SQLite and PostgreSQL).
UNAVAILABLE_HINTS = ("locked", "lock timeout", "timeout", "could not serialize", "deadlock",
                     "connection", "could not connect", "server closed", "pool")


def is_unavailable(exc: Exception) -> bool:
    message = str(exc).lower()
    return isinstance(exc, InterfaceError) or any(hint in message for hint in UNAVAILABLE_HINTS)


def render_error(code: int, description=None, title=None):
    request_id = g.get("request_id") or uuid.uuid4().hex[:12]
    body = render_template(
        "errors/error.html",
        code=code,
        title=title or TITLES.get(code, TITLES[500]),
        message=description or MESSAGES.get(code, MESSAGES[500]),
        request_id=request_id,
    )
    return body, code, request_id


def _record_denial(code: int) -> None:
    """An `authz_denied` audit event when a signed-in person is refused an area (403) or an
    object outside their scope (404 from permissions' loaders). Only the endpoint and the
    ids in the URL are kept, never text from the request."""
    from flask_login import current_user

    from . import audit

    if not (code == 403 or g.get("authz_denied")) or not current_user.is_authenticated:
        return
    ids = " ".join(f"{name}={value}" for name, value in sorted((request.view_args or {}).items())
                   if isinstance(value, int))
    try:
        audit.record("authz_denied", detail=f"{request.method} {request.endpoint} {code} {ids}")
    except (OperationalError, InterfaceError):
        log.warning("request %s: authz_denied not recorded (database unavailable)",
                    g.get("request_id"))


class OneLine(logging.Filter):
    """Writes CR and LF in a log message as escapes: Flask's own "Exception on <path>" line
    quotes the path, which may hold an encoded newline that would forge a log line."""

    def filter(self, record):
        message = record.getMessage()
        if "\n" in message or "\r" in message:
            record.msg = message.replace("\r", "\\r").replace("\n", "\\n")
            record.args = None
        return True


def init_app(app):
    app.logger.addFilter(OneLine())

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        description = exc.description if exc.description != type(exc).description else None
        _record_denial(exc.code or 500)
        body, code, _ = render_error(exc.code or 500, description)
        response = app.make_response((body, code))
        if code == 503:
            response.headers["Retry-After"] = "5"
        if getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_busy(exc):
        if not is_unavailable(exc):
            raise exc  # a programming error, not contention: answer 500 and log it
        # %r: a path may hold an encoded newline, which would forge a log line.
        log.warning("request %s: database unavailable on %s %r: %s", g.get("request_id"),
                    request.method, request.path, type(exc).__name__)
        body, code, _ = render_error(503)
        response = app.make_response((body, 503))
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(InternalServerError)
    def server_error(exc):
        body, code, request_id = render_error(500)
        log.error("request %s failed on %s %r", request_id, request.method, request.path,
                  exc_info=getattr(exc, "original_exception", None))
        return body, 500
