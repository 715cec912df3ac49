"""A whole week of a small team with a fake clock: the lead's limit, coverage refusals, the
three reminder kinds received by a local SMTP server exactly once (in English and Spanish),
a one-click unsubscribe, and the calendar feed parsed and updated as a plan moves."""

import re
from datetime import timedelta

from icalendar import Calendar

from growth.calendar import feed
from growth.calendar import service as calendar
from growth.coverage import service as coverage
from growth.dev_days import service as days
from growth.models import DevDay, ReminderSent, Role, Team, User
from growth.reminders import service as reminders
from tests.test_reminders import BASE, MONDAY, inbox, mail_app  # noqa: F401 - fixtures


def _events(person, today):
    parsed = Calendar.from_ical(feed.build(person, today))
    return {str(e["UID"]): e for e in parsed.walk("VEVENT")}


def test_a_protected_week(mail_app, inbox, world, make_user, client):  # noqa: F811
    team = world.team_a
    ana = world.agent_a
    bea = world.agent_a2
    User.update(locale="es").where(User.id == bea.id).execute()
    bea = User.get_by_id(bea.id)
    cai = make_user(Role.AGENT, team=team, name="Cai")
    for quiet in (world.agent_b, world.lead_b, world.hr, world.admin):
        User.update(reminders=False).where(User.id == quiet.id).execute()
    tuesday, wednesday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
    sunday_before = MONDAY - timedelta(days=1)

    # Sunday: the lead allows one person off per weekday.
    coverage.set_limit(world.lead_a, team, version=1, limit=1)
    days.plan_week(ana, MONDAY, version=1, day=tuesday, plan="Refund article\nmore",
                   today=sunday_before)

    # Monday: plan reminders for those without a plan, the digest for the lead.
    reminders.send(MONDAY, reminders.due(MONDAY))
    subjects = sorted((m["To"], m["Subject"]) for m in inbox.messages)
    assert subjects == sorted([
        (bea.email, "Planifica tu día de desarrollo esta semana"),
        (cai.email, "Plan your development day this week"),
        (world.lead_a.email, "Plan your development day this week"),
        (world.lead_a.email, "Your team this week")])
    # Bea follows the link and picks Tuesday: full, the refusal names the days with room.
    try:
        days.plan_week(bea, MONDAY, version=1, day=tuesday, plan="Curso", today=MONDAY)
        raise AssertionError("a full day was accepted")
    except days.DayError as refused:
        assert "Wednesday" in str(refused) and "Tuesday" not in str(refused).split(":", 2)[-1]
    days.plan_week(bea, MONDAY, version=1, day=wednesday, plan="Curso", today=MONDAY)
    # A second run the same day sends nothing new.
    count = len(inbox.messages)
    reminders.send(MONDAY, reminders.due(MONDAY))
    assert len(inbox.messages) == count

    # Ana subscribes to her calendar; her day then moves to Thursday: the same event moves.
    token = calendar.make_feed(ana, ana)
    before = _events(ana, MONDAY)
    (uid,) = [u for u in before if u.startswith("devday-")]
    assert str(before[uid]["SUMMARY"]) == "Development day: Refund article"
    days.plan_week(ana, MONDAY, version=2, day=MONDAY + timedelta(days=3), plan="Refund article",
                   today=MONDAY)
    after = _events(ana, MONDAY)
    assert set(after) == set(before)
    assert after[uid].decoded("DTSTART") == MONDAY + timedelta(days=3)
    assert int(after[uid]["SEQUENCE"]) > int(before[uid]["SEQUENCE"])
    assert client.get(f"/calendar/{token}.ics").status_code == 200

    # Thursday: Bea's Wednesday is over and nothing is logged: one log reminder, in Spanish.
    thursday = MONDAY + timedelta(days=3)
    reminders.send(thursday, reminders.due(thursday))
    logs = [m for m in inbox.messages if m["Subject"] in (
        "How did your development day go?", "¿Qué tal fue tu día de desarrollo?")]
    assert [(m["To"], m["Subject"]) for m in logs] == [
        (bea.email, "¿Qué tal fue tu día de desarrollo?")]
    # Cai unsubscribes with one click from the plan reminder.
    plan_mail = next(m for m in inbox.messages if m["To"] == cai.email)
    address = re.search(r"<([^>]+)>", str(plan_mail["List-Unsubscribe"]))[1]
    assert client.post(address.removeprefix(BASE), data={"List-Unsubscribe": "One-Click"},
                       csrf=False).status_code == 200

    # Friday: Ana (Thursday, nothing logged) and the lead (unplanned) get the log reminder;
    # Cai unsubscribed, Bea had hers.
    friday = MONDAY + timedelta(days=4)
    days.log_activity(bea, MONDAY, kind="learning", minutes=240, today=friday)
    reminders.send(friday, reminders.due(friday))
    reminders.send(friday, reminders.due(friday))
    logs = sorted(m["To"] for m in inbox.messages if m["Subject"] in (
        "How did your development day go?", "¿Qué tal fue tu día de desarrollo?"))
    assert logs == sorted([bea.email, ana.email, world.lead_a.email])
    # Exactly once each: what was received is what was recorded.
    received = sorted((m["To"], m["Subject"]) for m in inbox.messages)
    assert len(received) == len(set(received)) == ReminderSent.select().count()
    assert cai.email not in [m["To"] for m in inbox.messages[count:]]
    assert Team.get_by_id(team.id).max_off_per_day == 1
    assert DevDay.select().where(DevDay.planned_on == tuesday).count() == 0
