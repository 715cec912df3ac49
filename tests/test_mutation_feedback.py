"""Feedback rules that `make mutate` found no test pinning: taking a review or a role-play
back removes that one only, only its author can, and a second click is harmless; what a
review keeps and logs, and what the service itself refuses, in which words, next to which
field (the form refuses most of it first, so only a direct call shows it)."""

from datetime import date

import pytest

from growth.feedback import service
from growth.models import Activity, DevDay, PracticeSession, TicketReview
from growth.weeks import monday_of

URL = "https://support.example.com/tickets/48213"
LATER = date(2030, 1, 9)  # a day of a week still to come, so only `today` lets it be logged


@pytest.fixture(autouse=True)
def request_context(app):
    with app.test_request_context():
        yield


def give(reviewer, reviewee, ticket):
    return service.give_review(reviewer, reviewee_id=reviewee.id,
                               ticket_url=f"https://support.example.com/tickets/{ticket}",
                               rating=3, praise="Clear and kind.")


def test_taking_a_review_back_removes_that_one_and_a_second_click_is_harmless(world):
    kept = give(world.agent_a, world.agent_a2, 1)
    taken = give(world.agent_a, world.agent_a2, 2)
    service.delete_review(world.agent_a, taken)
    service.delete_review(world.agent_a, taken)
    assert [r.id for r in TicketReview.select()] == [kept.id]


def test_only_the_reviewer_takes_a_review_back(world):
    review = give(world.agent_a, world.agent_a2, 3)
    with pytest.raises(service.Conflict):
        service.delete_review(world.agent_a2, review)
    assert TicketReview.get_or_none(TicketReview.id == review.id) is not None


def practise(organiser, scenario, customer, agent, minutes=30):
    return service.record_practice(organiser, held_on=date.today(), scenario=scenario,
                                   minutes=minutes, customer_ids=[customer.id],
                                   agent_ids=[agent.id])


def activities():
    """Each activity as (whose week, kind, note, minutes)."""
    return sorted((a.dev_day.user_id, a.kind, a.note, a.minutes)
                  for a in Activity.select(Activity, DevDay).join(DevDay))


def test_taking_a_role_play_back_removes_its_activities_only_and_only_its_organiser_can(
        world):
    taken = practise(world.agent_a, "Angry refund", world.agent_a2, world.agent_a)
    practise(world.agent_a, "Late parcel", world.agent_a2, world.agent_a, minutes=20)
    practise(world.agent_a2, "Lost password", world.agent_a, world.agent_a2, minutes=10)
    service.give_review(world.agent_a, reviewee_id=world.agent_a2.id,
                        ticket_url=URL, rating=3, praise="Clear.", minutes=15)  # not a role-play
    everything = activities()
    with pytest.raises(PermissionError):  # organised one of their own, not this one
        service.delete_practice(world.agent_a2, taken)
    assert activities() == everything
    service.delete_practice(world.agent_a, taken)
    service.delete_practice(world.agent_a, taken)
    assert [s.scenario for s in PracticeSession.select().order_by(PracticeSession.id)] == [
        "Late parcel", "Lost password"]
    assert activities() == [a for a in everything if a[2] != "Angry refund"]
    assert {(d.user_id, d.minutes) for d in DevDay.select()} == {
        (world.agent_a.id, 20 + 10 + 15), (world.agent_a2.id, 20 + 10)}


def refusal(reviewer, reviewee, **fields) -> tuple[str, str]:
    """The (field, message) a review with these fields is refused with; nothing is kept."""
    fields = {"ticket_url": URL, "rating": 3, "praise": "Clear and kind.", **fields}
    with pytest.raises(service.FeedbackError) as caught:
        service.give_review(reviewer, reviewee_id=reviewee.id, **fields)
    assert TicketReview.select().count() == 0
    return caught.value.field, str(caught.value)


def test_a_review_keeps_what_was_written_and_logs_its_minutes_under_its_reference(world):
    review = service.give_review(
        world.agent_a, reviewee_id=world.agent_a2.id, ticket_url=f"  {URL} ",
        ticket_ref=" #48213 ", rating=1, praise=" Clear and kind. ",
        suggestion=" Link the refund article. ", aspects=["tone", "empathy", "tone"],
        minutes=240, submission="key-00000001", today=LATER)
    kept = TicketReview.get_by_id(review.id)
    assert (kept.ticket_url, kept.ticket_ref, kept.rating, kept.praise, kept.suggestion,
            kept.aspects, kept.minutes, kept.submission) == (
        URL, "#48213", 1, "Clear and kind.", "Link the refund article.", "empathy,tone", 240,
        "key-00000001")
    activity = Activity.select().join(DevDay).where(DevDay.user == world.agent_a.id).get()
    assert (activity.dev_day.week_start, activity.kind, activity.minutes, activity.note,
            activity.link, activity.submission) == (
        monday_of(LATER), "tickets", 240, "#48213", URL, f"review-{review.id}")


def test_a_review_without_reference_suggestion_or_minutes_keeps_them_empty(world):
    review = service.give_review(world.agent_a, reviewee_id=world.agent_a2.id,
                                 ticket_url="http://support.example.com/tickets/7", rating=4,
                                 praise="Clear and kind.", minutes=1)
    kept = TicketReview.get_by_id(review.id)
    assert (kept.ticket_url, kept.ticket_ref, kept.suggestion, kept.aspects, kept.minutes) == (
        "http://support.example.com/tickets/7", "", "", "", 1)
    assert Activity.get().note == ""


def test_a_web_address_of_the_longest_length_is_kept(world):
    longest = URL + "?q=" + "x" * (service.URL_MAX - len(URL) - 3)
    review = service.give_review(world.agent_a, reviewee_id=world.agent_a2.id,
                                 ticket_url="HTTPS://" + longest[len("https://"):], rating=2,
                                 praise="Clear and kind.")
    assert len(TicketReview.get_by_id(review.id).ticket_url) == service.URL_MAX


@pytest.mark.parametrize("url", ["", None, "   ", "support.example.com/tickets/1",
                                 "ftp://support.example.com/tickets/1",
                                 "https://support.example.com/?q=" + "x" * service.URL_MAX])
def test_a_review_needs_the_tickets_web_address(world, url):
    assert refusal(world.agent_a, world.agent_a2, ticket_url=url) == (
        "ticket_url", "Paste the ticket's web address, starting with http:// or https://.")


@pytest.mark.parametrize("fields, field, message", [
    ({"ticket_ref": "r" * 41}, "ticket_ref", "Keep this under 40 characters."),
    ({"rating": 0}, "rating", "Pick one of the four."),
    ({"rating": 5}, "rating", "Pick one of the four."),
    ({"praise": "   "}, "praise", "Say what worked."),
    ({"praise": "p" * 2001}, "praise", "Keep this under 2000 characters."),
    ({"suggestion": "s" * 2001}, "suggestion", "Keep this under 2000 characters."),
    ({"aspects": ["empathy", "speed"]}, "aspects", "Choose among the aspects listed."),
    ({"minutes": 0}, "minutes", "Enter the minutes, from 1 to 240, or leave them empty."),
    ({"minutes": 241}, "minutes", "Enter the minutes, from 1 to 240, or leave them empty."),
])
def test_a_review_breaking_a_rule_says_which_next_to_its_field(world, fields, field, message):
    assert refusal(world.agent_a, world.agent_a2, **fields) == (field, message)


def test_a_review_of_someone_out_of_reach_says_whose_ticket_may_be_reviewed(world):
    assert refusal(world.agent_a, world.agent_b) == (
        "reviewee_id", "Choose a teammate, someone you lead, or yourself.")
