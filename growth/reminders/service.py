"""`growth remind`: the day's plan and log reminders and the Monday digest for leads.

Each reminder is recorded (UNIQUE per person, kind and week) only after the mail server
accepted it, so a run that fails part-way sends the rest next time, and a second run on the
same day sends nothing new. Recording is one INSERT per kind after the sends (a fixed
number of queries whatever the number of people); a refusal stops the run after writing
down what was accepted before it.
"""

import smtplib
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import gettext as _

from .. import audit
from ..db import database
from ..models import ReminderKind, ReminderSent, User, utcnow
from ..weeks import monday_of, week_label
from . import mail, queries

RECORD_CHUNK = 5000


class MailError(RuntimeError):
    """The mail server could not be reached or refused the run."""


@dataclass
class Outgoing:
    kind: ReminderKind
    user: User
    context: dict = field(default_factory=dict)


@dataclass
class RunResult:
    sent: dict = field(default_factory=lambda: dict.fromkeys(ReminderKind, 0))
    failed: list = field(default_factory=list)  # (email, reason) the server refused
    stopped: str | None = None  # why the run stopped early


def due(today: date) -> list[Outgoing]:
    """Everything the day's run sends, in order: plan, log, digest."""
    monday = monday_of(today)
    week = week_label(monday)
    out = [Outgoing(ReminderKind.PLAN, u, {"week": week, "monday": monday})
           for u in queries.plan_due(today)]
    out += [Outgoing(ReminderKind.LOG, u, {"week": week, "planned_on": u.planned_on})
            for u in queries.log_due(today)]
    out += [Outgoing(ReminderKind.DIGEST, d.lead, {"monday": monday, "digest": d})
            for d in queries.digests_due(today)]
    return out


def _record(accepted: list[Outgoing], monday: date) -> None:
    now = utcnow()
    for kind in ReminderKind:
        rows = [{"user": o.user.id, "kind": kind.value, "week_start": monday, "sent_at": now}
                for o in accepted if o.kind == kind]
        # In chunks: PostgreSQL takes at most 65,535 parameters in one statement.
        for start in range(0, len(rows), RECORD_CHUNK):
            with database.atomic():
                ReminderSent.insert_many(rows[start:start + RECORD_CHUNK]
                                         ).on_conflict_ignore().execute()


def send(today: date, outgoing: list[Outgoing]) -> RunResult:
    """Send `outgoing` over one SMTP connection; record each accepted message."""
    result = RunResult()
    if not outgoing:
        return result
    accepted: list[Outgoing] = []
    base = current_app.config["BASE_URL"]
    with current_app.test_request_context(base_url=base):
        messages = [(o, mail.compose(o.kind, o.user, o.context)) for o in outgoing]
    try:
        try:
            smtp = mail.connect()
        except (smtplib.SMTPException, OSError) as error:
            raise MailError(_("the mail server %(server)s could not be reached: %(error)s",
                              server=current_app.config["MAIL_SERVER"], error=error)) from error
        try:
            for item, message in messages:
                try:
                    smtp.send_message(message)
                except smtplib.SMTPRecipientsRefused as error:
                    result.failed.append((item.user.email, str(error.recipients)))
                    continue
                except (smtplib.SMTPException, OSError) as error:
                    result.stopped = str(error)
                    break
                accepted.append(item)
                result.sent[item.kind] += 1
        finally:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
    finally:
        _record(accepted, monday_of(today))
        if accepted or result.failed or result.stopped:
            audit.record("reminders_sent", detail=(
                " ".join(f"{k.value}={result.sent[k]}" for k in ReminderKind)
                + f" refused={len(result.failed)}" + (" stopped" if result.stopped else "")))
    return result


def set_reminders(user, person, *, on: bool) -> None:
    """Turn `person`'s reminders on or off (their own setting)."""
    from ..permissions import can_change_reminders

    if not can_change_reminders(user, person):
        raise PermissionError
    User.update(reminders=on).where(User.id == person.id).execute()


def unsubscribe(token: str) -> User | None:
    """Turn reminders off for the person the signed address names; None for a bad one."""
    person = User.get_or_none(User.id == mail.unsubscribed_user_id(token))
    if person is None:
        return None
    if person.reminders:
        User.update(reminders=False).where(User.id == person.id).execute()
        audit.record("reminders_unsubscribed", person, actor=person)
    return person
