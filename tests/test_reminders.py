"""`growth remind` against a real SMTP server on 127.0.0.1 (aiosmtpd): who gets which
reminder, exactly once a week, in their language, with both parts, absolute links and a
one-click unsubscribe; STARTTLS with a throwaway certificate; a server that refuses
part-way; the mail settings; a fixed number of queries whatever the number of people."""

import datetime as dt
import email
import ipaddress
import re
from datetime import date, timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller
from playhouse.test_utils import count_queries

from growth import create_app
from growth.models import (
    AuditEvent,
    DevDay,
    ReminderKind,
    ReminderSent,
    Review,
    ReviewCycle,
    Role,
    User,
)
from growth.reminders import queries, service
from growth.resources import ConfigError
from tests.test_concurrency import _free_port

MONDAY = date(2026, 11, 23)  # 2026-W48
WEDNESDAY = MONDAY + timedelta(days=2)
FRIDAY = MONDAY + timedelta(days=4)
BASE = "https://growth.example.com"


class Inbox:
    """An SMTP handler keeping every message; `refuse_after` makes it answer 451 from the
    n-th message on, and `unknown` refuses those addresses as recipients (550)."""

    def __init__(self):
        self.messages = []
        self.refuse_after = None
        self.unknown = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.unknown:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_after is not None and len(self.messages) >= self.refuse_after:
            return "451 4.3.0 Try again later"
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address):
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def inbox():
    handler = Inbox()
    handler.port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    yield handler
    controller.stop()


@pytest.fixture
def mail_app(app, inbox):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port, MAIL_SECURITY="none",
                      MAIL_FROM="Growth <growth@example.com>", BASE_URL=BASE,
                      MAIL_USERNAME=None, MAIL_PASSWORD=None)
    return app


def run(day, dry_run=False):
    if dry_run:
        return service.due(day)
    return service.send(day, service.due(day))


def kinds(inbox):
    return sorted((m["To"], m["Subject"]) for m in inbox.messages)


def test_plan_reminders_go_to_people_without_a_plan_or_skip(mail_app, inbox, world, make_user):
    DevDay.create(user=world.agent_a2, week_start=MONDAY, planned_on=WEDNESDAY, plan="x")
    DevDay.create(user=world.agent_b, week_start=MONDAY, status="skipped", skip_reason="away")
    User.update(reminders=False).where(User.id == world.hr.id).execute()
    User.update(weekly_dev_hours=0).where(User.id == world.admin.id).execute()
    left = make_user(Role.AGENT, team=world.team_a, left_on=MONDAY - timedelta(days=1),
                     active=False)
    result = run(MONDAY)
    plan = {m["To"] for m in inbox.messages if m["Subject"].startswith("Plan")}
    assert plan == {world.agent_a.email, world.lead_a.email, world.lead_b.email}
    assert left.email not in {m["To"] for m in inbox.messages}
    assert result.sent["plan"] == 3
    # A second run the same day, and the next day, sends nothing new.
    before = len(inbox.messages)
    run(MONDAY)
    run(MONDAY + timedelta(days=1))
    assert len(inbox.messages) == before


def test_the_message_has_both_parts_absolute_links_and_one_click_unsubscribe(
        mail_app, inbox, world, client):
    run(MONDAY)
    message = inbox.to(world.agent_a.email)[0]
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.search(r"<([^>]+)>", str(message["List-Unsubscribe"]))[1]
    assert "\n" not in unsubscribe
    assert unsubscribe.startswith(f"{BASE}/unsubscribe/")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f"{BASE}/week/2026-W48" in text and f'href="{BASE}/week/2026-W48"' in html
    assert "Week 48" in text
    # One click, as a mail provider makes it: no session, no CSRF token.
    path = unsubscribe.removeprefix(BASE)
    assert client.get(path).status_code == 200  # asks; changes nothing
    assert client.head(path).status_code == 200  # a link checker's look: nothing either
    assert User.get_by_id(world.agent_a.id).reminders is True
    answer = client.post(path, data={"List-Unsubscribe": "One-Click"}, csrf=False)
    assert answer.status_code == 200
    assert User.get_by_id(world.agent_a.id).reminders is False
    event = AuditEvent.get(AuditEvent.action == "reminders_unsubscribed")
    assert event.target_id == world.agent_a.id and path.split("/")[-1] not in event.detail
    assert event.actor_id == world.agent_a.id  # they did it, with their link
    assert client.post(path + "x", csrf=False).status_code == 404
    assert client.get("/unsubscribe/not-a-token").status_code == 404


def test_log_reminders_come_the_day_after_the_planned_day(mail_app, inbox, world):
    for person in (world.agent_a, world.agent_a2, world.agent_b, world.lead_a, world.lead_b,
                   world.hr, world.admin):
        DevDay.create(user=person, week_start=MONDAY, planned_on=WEDNESDAY, plan="x")
    DevDay.update(minutes=60, status="logged").where(DevDay.user == world.agent_a2.id).execute()
    DevDay.update(status="skipped", skip_reason="workload").where(
        DevDay.user == world.agent_b.id).execute()
    User.update(reminders=False).where(User.id.in_([world.hr.id, world.admin.id, world.lead_b.id])
                                       ).execute()
    run(WEDNESDAY)
    assert not [m for m in inbox.messages if m["Subject"].startswith("How")]
    run(WEDNESDAY + timedelta(days=1))
    log = sorted(m["To"] for m in inbox.messages if m["Subject"].startswith("How"))
    assert log == sorted([world.agent_a.email, world.lead_a.email])
    run(FRIDAY)
    assert len([m for m in inbox.messages if m["Subject"].startswith("How")]) == 2


def test_unplanned_people_get_the_log_reminder_from_friday(mail_app, inbox, world):
    User.update(reminders=False).where(User.id != world.agent_a.id).execute()
    run(MONDAY + timedelta(days=3))
    assert [m["Subject"] for m in inbox.messages] == ["Plan your development day this week"]
    run(FRIDAY)
    assert [m["Subject"] for m in inbox.messages][-1] == "How did your development day go?"


def test_the_monday_digest_goes_to_leads_with_members(mail_app, inbox, world, make_user):
    User.update(reminders=False).where(User.role != "lead").execute()
    lonely = make_user(Role.LEAD, name="Lead Without Team")
    cycle = ReviewCycle.ensure_for(date(2026, 3, 1))  # 2026 H1, due 30 July: overdue
    Review.create(person=world.agent_a2, cycle=cycle, lead=world.lead_a, status="shared")
    for back in (1, 2, 3):
        DevDay.create(user=world.agent_a, week_start=MONDAY - timedelta(weeks=back),
                      status="skipped", skip_reason="workload")
    DevDay.create(user=world.agent_a2, week_start=MONDAY - timedelta(weeks=1), minutes=120,
                  status="logged")
    run(MONDAY)
    digests = [m for m in inbox.messages if m["Subject"] == "Your team this week"]
    assert sorted(m["To"] for m in digests) == sorted([world.lead_a.email, world.lead_b.email])
    assert lonely.email not in {m["To"] for m in digests}
    text = inbox.to(world.lead_a.email)[-1].get_body(("plain",)).get_content().replace(
        "\r\n", "\n")
    assert "Last week: 1 of 2 people took their development day." in text
    workload = text.split("three weeks running:")[1].split("\n\n")[0]
    assert "Agent A" in workload and "Agent A2" not in workload
    due = text.split("due by")[1]
    assert "Agent A (overdue)" in due and "Agent A2" not in due


def test_the_digest_names_members_without_a_ticket_review_in_four_weeks(mail_app, inbox,
                                                                        world):
    from growth.models import TicketReview

    User.update(reminders=False).where(User.role != "lead").execute()

    def review(reviewer, reviewee, days_before, url):
        TicketReview.create(reviewer=reviewer, reviewee=reviewee, rating=4, praise="Clear",
                            ticket_url=url, ticket_hash=url,
                            created_at=dt.datetime.combine(MONDAY, dt.time(9))
                            - timedelta(days=days_before))

    review(world.agent_a2, world.agent_a, 27, "https://t.example/1")  # inside four weeks
    review(world.agent_a, world.agent_a2, 29, "https://t.example/2")  # too long ago
    review(world.agent_a2, world.agent_a2, 1, "https://t.example/3")  # a self-review
    run(MONDAY)
    text = inbox.to(world.lead_a.email)[-1].get_body(("plain",)).get_content().replace(
        "\r\n", "\n")
    listed = text.split("No ticket review received in four weeks:")[1].split("\n\n")[0]
    assert "Agent A2" in listed and "- Agent A\n" not in listed
    html = inbox.to(world.lead_a.email)[-1].get_body(("html",)).get_content()
    assert "<li>Agent A2</li>" in html.split("No ticket review received")[1]


def test_reminders_speak_the_persons_language(mail_app, inbox, world):
    User.update(locale="es").where(User.id == world.agent_a.id).execute()
    run(MONDAY)
    message = inbox.to(world.agent_a.email)[0]
    assert message["Subject"] == "Planifica tu día de desarrollo esta semana"
    assert "Semana 48" in message.get_body(("plain",)).get_content()
    assert inbox.to(world.agent_a2.email)[0]["Subject"].startswith("Plan your")


def test_a_server_refusing_part_way_records_only_what_it_accepted(mail_app, inbox, world):
    inbox.refuse_after = 3
    result = run(MONDAY)
    assert result.stopped and sum(result.sent.values()) == 3
    assert ReminderSent.select().count() == 3
    accepted = {m["To"] for m in inbox.messages}
    inbox.refuse_after = None
    run(MONDAY)
    everyone = {u.email for u in User.select()}
    received = [m["To"] for m in inbox.messages if m["Subject"].startswith("Plan")]
    assert sorted(received) == sorted(everyone)  # each exactly once
    assert accepted < set(received)


def test_a_stopped_run_is_audited_with_what_it_sent_and_why_it_stopped(mail_app, inbox,
                                                                         world):
    inbox.refuse_after = 3
    result = run(MONDAY)
    assert result.stopped == "(451, b'4.3.0 Try again later')"
    [event] = AuditEvent.select().where(AuditEvent.action == "reminders_sent")
    assert event.detail == "plan=3 log=0 digest=0 refused=0 stopped"


def test_an_address_the_server_refuses_is_reported_and_the_run_goes_on(mail_app, inbox,
                                                                        world):
    outgoing = service.due(MONDAY)
    first = outgoing[0].user
    refused = [o for o in outgoing if o.user.id == first.id]
    kept = [o for o in outgoing if o.user.id != first.id]
    inbox.unknown = {first.email}
    result = service.send(MONDAY, outgoing)
    reason = repr({first.email: (550, b"5.1.1 No such mailbox")})
    assert result.failed == [(first.email, reason)] * len(refused)
    assert result.stopped is None
    sent = {kind: len([o for o in kept if o.kind == kind]) for kind in ReminderKind}
    assert result.sent == sent and sent[ReminderKind.PLAN] > 0
    assert sorted(m["To"] for m in inbox.messages) == sorted(o.user.email for o in kept)
    recorded = {(r.user_id, r.kind) for r in ReminderSent.select()}
    assert recorded == {(o.user.id, o.kind.value) for o in kept}
    [event] = AuditEvent.select().where(AuditEvent.action == "reminders_sent")
    assert event.detail == (f"plan={sent[ReminderKind.PLAN]} log=0 "
                            f"digest={sent[ReminderKind.DIGEST]} refused={len(refused)}")


def test_a_run_whose_only_message_is_refused_is_still_audited(mail_app, inbox, world):
    [plan] = [o for o in service.due(MONDAY) if o.user.id == world.agent_a.id]
    inbox.unknown = {world.agent_a.email}
    result = service.send(MONDAY, [plan])
    assert [email for email, _reason in result.failed] == [world.agent_a.email]
    assert ReminderSent.select().count() == 0
    [event] = AuditEvent.select().where(AuditEvent.action == "reminders_sent")
    assert event.detail == "plan=0 log=0 digest=0 refused=1"


def test_a_run_with_nothing_due_sends_and_audits_nothing(mail_app, inbox, world):
    assert service.send(MONDAY, []).sent == dict.fromkeys(ReminderKind, 0)
    assert inbox.messages == []
    assert not AuditEvent.select().where(AuditEvent.action == "reminders_sent").exists()


def test_many_accepted_reminders_are_recorded_in_chunks_without_losing_one(
        mail_app, inbox, world, monkeypatch):
    monkeypatch.setattr(service, "RECORD_CHUNK", 2)
    outgoing = service.due(MONDAY)
    assert len([o for o in outgoing if o.kind == ReminderKind.PLAN]) > 4
    service.send(MONDAY, outgoing)
    recorded = sorted((r.user_id, r.kind, r.week_start) for r in ReminderSent.select())
    assert recorded == sorted((o.user.id, o.kind.value, MONDAY) for o in outgoing)


def test_an_unreachable_server_sends_and_records_nothing(mail_app, world):
    mail_app.config["MAIL_PORT"] = 1
    with pytest.raises(service.MailError):
        run(MONDAY)
    assert ReminderSent.select().count() == 0


def _certificate(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def test_starttls_with_a_throwaway_certificate(app, world, tmp_path, monkeypatch):
    import ssl

    cert, key = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    handler = Inbox()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=context,
                            require_starttls=True)
    controller.start()
    try:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_SECURITY="starttls",
                          MAIL_FROM="growth@example.com", BASE_URL=BASE)
        # Without trusting the certificate the run refuses to send (it is verified).
        with pytest.raises(service.MailError):
            run(MONDAY)
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        run(MONDAY)
    finally:
        controller.stop()
    assert len(handler.messages) == ReminderSent.select().count() == User.select().count() + 2


def test_dry_run_lists_and_sends_nothing(mail_app, inbox, world, app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["remind", "--today", MONDAY.isoformat(), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"plan → Agent A <{world.agent_a.email}>" in result.output
    assert inbox.messages == [] and ReminderSent.select().count() == 0
    sent = runner.invoke(args=["remind", "--today", MONDAY.isoformat()])
    assert sent.exit_code == 0, sent.output
    assert "Sent 7 plan, 0 log and 2 digest reminders." in sent.output
    again = runner.invoke(args=["remind", "--today", MONDAY.isoformat()])
    assert "Sent 0 plan, 0 log and 0 digest reminders." in again.output


@pytest.mark.parametrize("setting, value, named", [
    ("MAIL_PORT", "abc", "GROWTH_MAIL_PORT"), ("MAIL_PORT", 70000, "GROWTH_MAIL_PORT"),
    ("MAIL_SECURITY", "ssl", "GROWTH_MAIL_SECURITY"),
    ("BASE_URL", "growth.example.com", "GROWTH_BASE_URL"),
    ("MAIL_FROM", "nobody", "GROWTH_MAIL_FROM"),
    ("MAIL_USERNAME", "only-a-name", "GROWTH_MAIL_USERNAME"),
])
def test_a_bad_mail_setting_is_named(database_url, tmp_path, setting, value, named):
    with pytest.raises(ConfigError, match=named):
        create_app({"ENV": "development", "TESTING": True, "DATABASE_URL": database_url,
                    "INSTANCE_PATH": str(tmp_path), setting: value})


def test_the_command_line_turns_a_bad_setting_into_one_line_and_status_2(
        migrated_sqlite_url, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "GROWTH_ENV": "development", "GROWTH_DATABASE_URL": migrated_sqlite_url,
           "GROWTH_INSTANCE_PATH": str(tmp_path), "GROWTH_MAIL_SECURITY": "ssl"}
    growth = str(Path(sys.executable).parent / "growth")
    result = subprocess.run([growth, "remind", "--dry-run"], env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "GROWTH_MAIL_SECURITY" in result.stderr
    env["GROWTH_MAIL_SECURITY"] = "none"
    result = subprocess.run([growth, "remind"], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2 and "GROWTH_MAIL_SERVER" in result.stderr


def test_reminders_cost_a_fixed_number_of_queries_whatever_the_number_of_people(
        mail_app, world, make_user):
    counts = []
    for extra in (0, 40):
        for _ in range(extra):
            make_user(Role.AGENT, team=world.team_a)
        ReminderSent.delete().execute()
        with count_queries() as counter:
            queries.plan_due(MONDAY), queries.log_due(FRIDAY), queries.digests_due(MONDAY)
        counts.append(counter.count)
    assert counts[0] == counts[1] and counts[0] <= 10, counts


def test_the_reminders_setting_page(world, client_for):
    client = client_for(world.agent_a)
    assert client.get("/account/reminders").status_code == 200
    assert client.post("/account/reminders", data={"reminders": "off"}).status_code == 302
    assert User.get_by_id(world.agent_a.id).reminders is False
    assert client.post("/account/reminders", data={"reminders": "maybe"}).status_code == 422
    assert client.post("/account/reminders", data={"reminders": "on"}).status_code == 302
    assert User.get_by_id(world.agent_a.id).reminders is True


def test_a_set_password_link_is_emailed_to_the_person(mail_app, inbox, world, client_for):
    User.update(locale="es").where(User.id == world.lead_a.id).execute()
    admin = client_for(world.admin)
    page = admin.post(f"/admin/users/{world.lead_a.id}/reset-password").get_data(as_text=True)
    link = re.search(r'value="(https://[^"]+/set-password/[^"]+)"', page)[1]
    assert link.startswith(f"{BASE}/set-password/")
    assert f"Growth emailed this link to {world.lead_a.email}" in page
    (message,) = inbox.to(world.lead_a.email)
    assert message["Subject"] == "Se restableció tu contraseña de Growth"
    body = message.get_body(("plain",)).get_content()
    assert link in body and "List-Unsubscribe" not in message
    # The link in the mail is the one that works, once.
    client = mail_app.test_client()
    path = link.removeprefix(BASE)
    answer = client.post(path, data={"new_password": "a brand new passphrase",
                                     "confirm": "a brand new passphrase"})
    assert answer.status_code == 302
    assert client.get(path).status_code == 404


def test_without_a_mail_server_the_admin_passes_the_link_on(mail_app, inbox, world,
                                                             client_for):
    mail_app.config["MAIL_PORT"] = 1  # nothing listens there
    page = client_for(world.admin).post(
        f"/admin/users/{world.agent_a.id}/reset-password").get_data(as_text=True)
    assert "/set-password/" in page and "Growth emailed" not in page
    assert inbox.messages == []


def test_reminders_are_recorded_one_statement_per_chunk(mail_app, inbox, world, monkeypatch):
    monkeypatch.setattr(service, "RECORD_CHUNK", 2)
    statements = []
    insert_many = ReminderSent.insert_many
    monkeypatch.setattr(ReminderSent, "insert_many",
                        lambda rows: statements.append(len(rows)) or insert_many(rows))
    plans = [o for o in service.due(MONDAY) if o.kind == ReminderKind.PLAN][:5]
    service.send(MONDAY, plans)
    assert statements == [2, 2, 1]
