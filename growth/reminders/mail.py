"""Reminder emails: composed in the person's language with a plain-text and an HTML part,
a one-click unsubscribe (RFC 8058), and sent with the standard library's smtplib."""

import smtplib
import ssl
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from flask import current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from ..models import ReminderKind

UNSUBSCRIBE_SALT = "growth-unsubscribe"


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user) -> str:
    """A signed address for turning `user`'s reminders off; it names nobody in clear and
    can't be made without the secret key."""
    return _signer().dumps(user.id)


def unsubscribed_user_id(token: str) -> int | None:
    try:
        value = _signer().loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def subject(kind: ReminderKind) -> str:
    return {
        ReminderKind.PLAN: _("Plan your development day this week"),
        ReminderKind.LOG: _("How did your development day go?"),
        ReminderKind.DIGEST: _("Your team this week"),
    }[kind]


def compose(kind: ReminderKind, user, context: dict) -> EmailMessage:
    """The message for `user` in their language. Call inside a request context whose base
    URL is GROWTH_BASE_URL, so every link is absolute."""
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        unsubscribe = url_for("reminders.unsubscribe", token=unsubscribe_token(user),
                              _external=True)
        values = {"user": user, "unsubscribe_url": unsubscribe, **context}
        text = render_template(f"reminders/email/{kind.value}.txt", **values)
        html = render_template(f"reminders/email/{kind.value}.html", **values)
        title = subject(kind)
    message = EmailMessage()
    message["Subject"] = title
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = user.email
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=current_app.config["MAIL_FROM"].rsplit("@", 1)[-1]
                                       .strip(" >"))
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def send_set_password_link(person, link: str, *, new: bool, hours: int) -> bool:
    """Email a set-password link to the person it is for, in their language (plain text; no
    unsubscribe: it is not a reminder). True when the mail server accepted it; False when
    no mail server is configured or it refused, and the admin passes the link on instead."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return False
    with force_locale(person.locale or config["BABEL_DEFAULT_LOCALE"]):
        text = render_template("admin/email/set_password.txt", person=person, link=link,
                               new=new, hours=hours)
        title = (_("Choose your Growth password") if new
                 else _("Your Growth password was reset"))
    message = EmailMessage()
    message["Subject"] = title
    message["From"] = config["MAIL_FROM"]
    message["To"] = person.email
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rsplit("@", 1)[-1]
                                       .strip(" >"))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    try:
        with connect() as smtp:
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        current_app.logger.warning("set-password link for user %s not emailed", person.id)
        return False
    return True


def connect() -> smtplib.SMTP:
    """An SMTP connection as configured: plain, STARTTLS or TLS, signed in when a user name
    is set. Certificates are verified (the system's trust store, or SSL_CERT_FILE)."""
    config = current_app.config
    host, port, timeout = config["MAIL_SERVER"], config["MAIL_PORT"], config["MAIL_TIMEOUT"]
    context = ssl.create_default_context()
    if config["MAIL_SECURITY"] == "tls":
        smtp = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        smtp = smtplib.SMTP(host, port, timeout=timeout)
        if config["MAIL_SECURITY"] == "starttls":
            smtp.starttls(context=context)
    if config["MAIL_USERNAME"]:
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    return smtp
