"""The iCalendar feed of one person: their planned development days (all-day, titled with
the plan's first line), one-on-ones and review due dates, and for a lead each member's
planned day. Stable UIDs, SEQUENCE and LAST-MODIFIED let calendar apps update events in
place. A fixed number of queries."""

from datetime import UTC, date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event

from ..models import DayStatus, DevDay, OneOnOne, Review, ReviewCycle, User
from ..permissions import team_members_visible_to
from ..weeks import monday_of

WEEKS_BACK = 12
WEEKS_AHEAD = 13
PRODID = "-//Growth//Development days//EN"


def _first_line(text: str) -> str:
    return (text or "").strip().splitlines()[0][:200] if (text or "").strip() else ""


def _aware(value: datetime | None) -> datetime:
    return (value or datetime(2000, 1, 1)).replace(tzinfo=UTC)


def _event(uid: str, day: date, summary: str, *, modified: datetime | None,
           sequence: int = 0) -> Event:
    event = Event()
    event.add("uid", f"{uid}@growth")
    event.add("dtstamp", _aware(modified))
    event.add("last-modified", _aware(modified))
    event.add("sequence", sequence)
    event.add("dtstart", day)
    event.add("dtend", day + timedelta(days=1))
    event.add("summary", summary)
    event.add("transp", "TRANSPARENT")
    return event


def build(person: User, today: date) -> bytes:
    """The feed's bytes, in the person's language."""
    first = monday_of(today) - timedelta(weeks=WEEKS_BACK)
    last = monday_of(today) + timedelta(weeks=WEEKS_AHEAD)
    members = team_members_visible_to(person).select(User.id)
    days = (DevDay.select(DevDay.id, DevDay.user, DevDay.planned_on, DevDay.plan,
                          DevDay.version, DevDay.updated_at, User.id, User.name)
            .join(User, on=(DevDay.user == User.id))
            .where(DevDay.week_start.between(first, last), DevDay.planned_on.is_null(False),
                   DevDay.status != DayStatus.SKIPPED.value,
                   (DevDay.user == person.id) | DevDay.user.in_(members))
            .order_by(DevDay.planned_on, DevDay.id))
    meetings = (OneOnOne.select(OneOnOne.id, OneOnOne.held_on, OneOnOne.created_at,
                                OneOnOne.person, OneOnOne.lead, User.id, User.name)
                .join(User, on=(OneOnOne.person == User.id))
                .where((OneOnOne.person == person.id) | (OneOnOne.lead == person.id),
                       OneOnOne.held_on.between(first, last)))
    lead_names = dict(User.select(User.id, User.name).where(
        User.id.in_(OneOnOne.select(OneOnOne.lead).where(OneOnOne.person == person.id)))
        .tuples())
    reviews = (Review.select(Review.id, Review.person, Review.status, Review.version,
                             Review.created_at, ReviewCycle.name, ReviewCycle.ends_on,
                             User.id, User.name)
               .join(ReviewCycle, on=(Review.cycle == ReviewCycle.id))
               .switch(Review).join(User, on=(Review.person == User.id))
               .where((Review.person == person.id) | Review.person.in_(members)))
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    with force_locale(person.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        calendar.add("x-wr-calname", _("Growth: development days"))
        for day in days:
            if day.user_id == person.id:
                line = _first_line(day.plan)
                summary = (_("Development day: %(plan)s", plan=line) if line
                           else _("Development day"))
            else:
                summary = _("%(name)s: development day", name=day.user.name)
            calendar.add_component(_event(f"devday-{day.id}", day.planned_on, summary,
                                          modified=day.updated_at, sequence=day.version))
        for meeting in meetings:
            if meeting.person_id == person.id:
                summary = _("One-on-one with %(name)s",
                            name=lead_names.get(meeting.lead_id, _("your lead")))
            else:
                summary = _("One-on-one with %(name)s", name=meeting.person.name)
            calendar.add_component(_event(f"one-on-one-{meeting.id}", meeting.held_on, summary,
                                          modified=meeting.created_at))
        for review in reviews:
            due = review.cycle.ends_on + timedelta(days=30)
            if not first <= due <= last + timedelta(weeks=26):
                continue
            summary = (_("Review due: %(cycle)s", cycle=review.cycle.name)
                       if review.person_id == person.id else
                       _("Review of %(name)s due: %(cycle)s", name=review.person.name,
                         cycle=review.cycle.name))
            calendar.add_component(_event(f"review-{review.id}", due, summary,
                                          modified=review.created_at, sequence=review.version))
    return calendar.to_ical()
