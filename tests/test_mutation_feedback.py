"""Feedback rules that `make mutate` found no test pinning: taking a review or a role-play
back removes that one only, only its author can, and a second click is harmless; what a
review keeps and logs, and what the service itself refuses, in which words, next to which
field (the form refuses most of it first, so only a direct call shows it)."""

from datetime import date, datetime, timedelta

import pytest

from growth.dev_days import service as days_service
from growth.feedback import service
from growth.models import (
    Activity,
    DevDay,
    PracticeParticipant,
    PracticeSession,
    Team,
    TicketReview,
)
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


def test_texts_of_exactly_their_limit_are_kept(world):
    review = service.give_review(world.agent_a, reviewee_id=world.agent_a2.id, ticket_url=URL,
                                 ticket_ref="r" * 40, rating=3, praise="p" * 2000,
                                 suggestion="s" * 2000)
    kept = TicketReview.get_by_id(review.id)
    assert (kept.ticket_ref, kept.praise, kept.suggestion) == ("r" * 40, "p" * 2000, "s" * 2000)


# Replying ------------------------------------------------------------------------------------

@pytest.mark.parametrize("reply, message", [
    ("   ", "Write your reply."), (None, "Write your reply."),
    ("r" * 2001, "Keep this under 2000 characters.")])
def test_a_reply_breaking_a_rule_says_which_next_to_it(world, reply, message):
    review = give(world.agent_a, world.agent_a2, 5)
    with pytest.raises(service.FeedbackError) as caught:
        service.reply_to_review(world.agent_a2, review, reply=reply)
    assert (caught.value.field, str(caught.value)) == ("reply", message)
    assert TicketReview.get_by_id(review.id).replied_at is None


def test_the_reviewee_replies_to_that_review_only_and_the_reply_is_dated(world, monkeypatch):
    replied_at = datetime(2030, 1, 1, 12, 0)
    monkeypatch.setattr(service, "utcnow", lambda: replied_at)
    answered = give(world.agent_a, world.agent_a2, 6)
    other = give(world.agent_a, world.agent_a2, 7)
    longest = "Thanks! " + "r" * 1992
    service.reply_to_review(world.agent_a2, answered, reply=f" {longest} ")
    assert [(r.id, r.reply, r.replied_at)
            for r in TicketReview.select().order_by(TicketReview.id)] == [
        (answered.id, longest, replied_at), (other.id, "", None)]


@pytest.mark.parametrize("who", ["agent_a", "lead_a"])
def test_only_the_reviewee_replies(world, who):
    review = give(world.agent_a, world.agent_a2, 8)
    with pytest.raises(service.Conflict):
        service.reply_to_review(getattr(world, who), review, reply="Not mine to answer")
    assert TicketReview.get_by_id(review.id).reply == ""


def test_a_self_review_takes_no_reply(world):
    review = give(world.agent_a, world.agent_a, 9)
    with pytest.raises(service.Conflict):
        service.reply_to_review(world.agent_a, review, reply="Talking to myself")
    assert TicketReview.get_by_id(review.id).reply == ""


# Who takes part in role-plays ----------------------------------------------------------------

def test_a_teams_role_plays_are_for_its_active_members_and_its_lead_by_name(world, make_user):
    make_user(team=world.team_a, name="Gone", active=False)
    outside_lead = make_user("lead", name="Aaron Outside")
    Team.update(lead=outside_lead).where(Team.id == world.team_a.id).execute()
    make_user(team=world.team_a, name="Agent A")  # a namesake, after the first by id
    names = [(p.name, p.id) for p in service.practice_people(world.team_a.id)]
    assert [n for n, _ in names] == ["Aaron Outside", "Agent A", "Agent A", "Agent A2",
                                     "Lead A"]
    assert names[1][1] < names[2][1]
    assert list(service.practice_people(None)) == []


# Recording a role-play ---------------------------------------------------------------------

def practice_refusal(world, organiser=None, **fields) -> tuple[str | None, str]:
    """The (field, message) a role-play with these fields is refused with; nothing is kept."""
    fields = {"held_on": date.today(), "scenario": "Angry refund", "minutes": 30,
              "customer_ids": [world.agent_a2.id], "agent_ids": [world.agent_a.id], **fields}
    weeks = [(d.user_id, d.minutes) for d in DevDay.select()]
    with pytest.raises(service.FeedbackError) as caught:
        service.record_practice(organiser or world.agent_a, **fields)
    assert PracticeSession.select().count() == 0
    assert Activity.select().where(Activity.kind == "roleplay").count() == 0
    assert [(d.user_id, d.minutes) for d in DevDay.select()] == weeks
    return caught.value.field, str(caught.value)


def test_a_role_play_keeps_what_was_written_and_logs_it_for_each_part(world):
    session = service.record_practice(
        world.agent_a, held_on=LATER - timedelta(days=7), today=LATER, scenario=" Angry refund ",
        minutes=480,
        brief=" The customer writes in capitals. ", takeaways=" Name the feeling first. ",
        customer_ids=[world.agent_a2.id], agent_ids=[world.agent_a.id],
        observer_ids=[world.lead_a.id], submission="key-00000001")
    kept = PracticeSession.get_by_id(session.id)
    assert (kept.team_id, kept.organiser_id, kept.held_on, kept.scenario, kept.brief,
            kept.takeaways, kept.minutes, kept.submission) == (
        world.team_a.id, world.agent_a.id, LATER - timedelta(days=7), "Angry refund",
        "The customer writes in capitals.", "Name the feeling first.", 480, "key-00000001")
    parts = {(p.user_id, p.part, p.activity_id) for p in PracticeParticipant.select()}
    logged = {a.dev_day.user_id: a for a in Activity.select(Activity, DevDay).join(DevDay)}
    assert parts == {(world.agent_a2.id, "customer", logged[world.agent_a2.id].id),
                     (world.agent_a.id, "agent", logged[world.agent_a.id].id),
                     (world.lead_a.id, "observer", logged[world.lead_a.id].id)}
    assert {(a.dev_day.week_start, a.kind, a.minutes, a.note, a.submission)
            for a in logged.values()} == {
        (monday_of(LATER - timedelta(days=7)), "roleplay", 480, "Angry refund",
         f"practice-{session.id}")}


def test_five_minutes_on_a_newcomers_first_and_a_leavers_last_day_count(
        world, make_user):
    newcomer = make_user(team=world.team_a, name="Newcomer", hired_on=date.today())
    leaver = make_user(team=world.team_a, name="Leaver", left_on=date.today())
    session = service.record_practice(world.agent_a, held_on=date.today(),
                                      scenario="Angry refund", minutes=5,
                                      customer_ids=[newcomer.id], agent_ids=[leaver.id])
    assert sorted(a.minutes for a in Activity.select()) == [5, 5]
    kept = PracticeSession.get_by_id(session.id)
    assert (kept.brief, kept.takeaways, kept.submission) == ("", "", None)


def test_another_organisers_form_key_records_their_own_role_play(world):
    mine = service.record_practice(world.agent_a, held_on=date.today(), scenario="Mine",
                                   minutes=30, customer_ids=[world.agent_a2.id],
                                   agent_ids=[world.agent_a.id], submission="key-00000001")
    theirs = service.record_practice(world.agent_a2, held_on=date.today(), scenario="Theirs",
                                     minutes=30, customer_ids=[world.agent_a.id],
                                     agent_ids=[world.agent_a2.id], submission="key-00000001")
    assert [(s.id, s.organiser_id, s.scenario) for s in PracticeSession.select()] == [
        (mine.id, world.agent_a.id, "Mine"), (theirs.id, world.agent_a2.id, "Theirs")]


@pytest.mark.parametrize("customers, agents, observers", [
    (["A2"], ["A2"], []), (["A2"], ["A"], ["A2"]), (["A2"], ["A"], ["A"])])
def test_a_role_play_gives_each_person_one_part(world, customers, agents, observers):
    ids = {"A": world.agent_a.id, "A2": world.agent_a2.id}
    assert practice_refusal(world, customer_ids=[ids[n] for n in customers],
                            agent_ids=[ids[n] for n in agents],
                            observer_ids=[ids[n] for n in observers]) == (
        "customer_ids", "Give each person one part.")


@pytest.mark.parametrize("employment", [{"hired_on": date.today() + timedelta(days=1)},
                                        {"left_on": date.today() - timedelta(days=1)}])
def test_a_role_play_on_a_day_someone_was_not_on_the_team_names_them(world, make_user,
                                                                     employment):
    person = make_user(team=world.team_a, name="Sam Ortiz", **employment)
    assert practice_refusal(world, observer_ids=[person.id]) == (
        "held_on", "Sam Ortiz was not on the team on that day.")


def test_a_role_play_that_would_overfill_someones_week_names_them(world):
    from growth.dev_days import service as days

    for _ in range(3):
        days.log_activity(world.agent_a2, monday_of(date.today()), kind="tickets", minutes=720)
    assert practice_refusal(world, minutes=300) == (
        "minutes", "Agent A2: A week holds at most 40 h. 36 h are logged; this would add 5 h.")


def test_a_review_whose_minutes_overfill_the_week_says_so_and_keeps_nothing(world):
    monday = monday_of(date.today())
    for _ in range(4):
        days_service.log_activity(world.agent_a, monday, kind="docs", minutes=600)
    assert refusal(world.agent_a, world.agent_a2, minutes=30) == (
        "minutes", "A week holds at most 40 h. 40 h are logged; this would add 0.5 h.")


def test_the_same_ticket_reviewed_twice_for_a_person_is_refused_in_words(world):
    give(world.agent_a, world.agent_a2, 48213)
    with pytest.raises(service.FeedbackError) as caught:
        give(world.agent_a, world.agent_a2, 48213)
    assert (caught.value.field, str(caught.value)) == (
        "ticket_url", "You have already reviewed this ticket for this person.")


def test_another_reviewers_form_key_gives_their_own_review(world):
    def review(reviewer):
        return service.give_review(reviewer, reviewee_id=world.agent_a.id, ticket_url=URL,
                                   rating=3, praise="Clear and kind.", submission="form-1")

    first, second = review(world.agent_a2), review(world.lead_a)
    assert first.id != second.id
    assert {r.reviewer_id for r in TicketReview.select()} == {world.agent_a2.id,
                                                             world.lead_a.id}
