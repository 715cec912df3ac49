"""Reminder rules that `make mutate` found no test pinning."""

from datetime import date, timedelta

import pytest

from growth.models import DevDay, ReminderKind, User
from growth.reminders import mail, service

MONDAY = date(2026, 11, 23)


def test_turning_reminders_off_changes_only_that_persons_setting(world):
    service.set_reminders(world.agent_a, world.agent_a, on=False)
    settings = {u.id: u.reminders for u in User.select()}
    assert settings.pop(world.agent_a.id) is False
    assert all(settings.values())


def test_an_unreachable_mail_server_is_named_with_the_reason(app, world):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_SECURITY="none",
                      MAIL_FROM="Growth <growth@example.com>",
                      BASE_URL="https://growth.example.com",
                      MAIL_USERNAME=None, MAIL_PASSWORD=None)
    outgoing = [service.Outgoing(ReminderKind.PLAN, world.agent_a,
                                 {"week": "2026-W48", "monday": MONDAY})]
    with pytest.raises(service.MailError) as caught:
        service.send(MONDAY, outgoing)
    reason = caught.value.__cause__
    assert reason is not None
    assert str(caught.value) == f"the mail server 127.0.0.1 could not be reached: {reason}"


def test_the_log_reminder_names_the_planned_day_and_links_to_that_week(app, world):
    app.config.update(BASE_URL="https://growth.example.com",
                      MAIL_FROM="Growth <growth@example.com>")
    User.update(reminders=False).where(User.id != world.agent_a.id).execute()
    DevDay.create(user=world.agent_a, week_start=MONDAY, planned_on=MONDAY + timedelta(days=2),
                  plan="Write the refund article")
    [log] = [o for o in service.due(MONDAY + timedelta(days=3)) if o.kind == ReminderKind.LOG]
    with app.test_request_context(base_url=app.config["BASE_URL"]):
        message = mail.compose(log.kind, log.user, log.context)
    text = message.get_body(("plain",)).get_content()
    assert "Your development day was Wednesday, 25 Nov 2026." in text
    assert "https://growth.example.com/week/2026-W48" in text
