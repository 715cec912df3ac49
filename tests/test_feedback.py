"""Ticket reviews and self-reviews: giving, reading, replying, deleting; who may do what."""

from datetime import date

import pytest
from playhouse.test_utils import count_queries

from growth.feedback import queries, service
from growth.models import Activity, DevDay, TicketReview, utcnow
from growth.weeks import monday_of

URL = "https://support.example.com/tickets/48213"


def _form(reviewee, **fields):
    return {"reviewee_id": str(reviewee.id), "ticket_url": URL, "ticket_ref": "#48213",
            "rating": "4", "praise": "You named the customer's frustration first.",
            "suggestion": "Link the refund article.", "aspects": ["empathy", "tone"],
            **fields}


def give(reviewer, reviewee, url=URL, rating=3, **kw):
    return service.give_review(reviewer, reviewee_id=reviewee.id, ticket_url=url,
                               rating=rating, praise=kw.pop("praise", "Clear and kind."), **kw)


# Service ---------------------------------------------------------------------------------

def test_a_review_is_stored_with_its_aspects_and_logs_minutes(world):
    review = give(world.agent_a, world.agent_a2, aspects=["tone", "empathy"], minutes=15,
                  ticket_ref="#1")
    assert review.aspect_names == ["empathy", "tone"]
    activity = Activity.select().join(DevDay).where(DevDay.user == world.agent_a.id).get()
    assert (activity.kind, activity.minutes, activity.link) == ("tickets", 15, URL)
    assert activity.dev_day.week_start == monday_of(date.today())
    assert DevDay.get(DevDay.user == world.agent_a.id).minutes == 15


def test_the_same_ticket_twice_is_refused_and_a_repeated_key_makes_one(world):
    first = give(world.agent_a, world.agent_a2, submission="key-00000001", minutes=10)
    again = give(world.agent_a, world.agent_a2, submission="key-00000001", minutes=10)
    assert again.id == first.id
    with pytest.raises(service.FeedbackError) as error:
        give(world.agent_a, world.agent_a2, submission="key-00000002")
    assert error.value.field == "ticket_url"
    assert TicketReview.select().count() == 1
    assert Activity.select().count() == 1


@pytest.mark.parametrize("who", ["agent_b", "hr", "admin", "inactive"])
def test_a_reviewee_out_of_reach_is_refused(world, make_user, who):
    person = (make_user(team=world.team_a, active=False) if who == "inactive"
              else getattr(world, who))
    with pytest.raises(service.FeedbackError) as error:
        give(world.agent_a, person)
    assert error.value.field == "reviewee_id"


def test_hr_and_admin_give_no_reviews(world):
    for person in (world.hr, world.admin):
        with pytest.raises(service.FeedbackError):
            give(person, person)


def test_a_lead_reviews_their_members_and_themself(world):
    assert give(world.lead_a, world.agent_a).reviewee_id == world.agent_a.id
    assert give(world.lead_a, world.lead_a).is_self_review


def test_a_week_over_its_cap_refuses_the_review_whole(world):
    DevDay.create(user=world.agent_a, week_start=monday_of(date.today()), minutes=2390,
                  status="logged")
    with pytest.raises(service.FeedbackError) as error:
        give(world.agent_a, world.agent_a2, minutes=30)
    assert error.value.field == "minutes"
    assert TicketReview.select().count() == 0


def test_reply_once_and_delete_only_before_it(world):
    review = give(world.agent_a, world.agent_a2)
    service.reply_to_review(world.agent_a2, review, reply="Thanks!")
    with pytest.raises(service.Conflict):
        service.reply_to_review(world.agent_a2, review, reply="Again")
    with pytest.raises(service.Conflict):
        service.delete_review(world.agent_a, review)
    assert TicketReview.get_by_id(review.id).reply == "Thanks!"


# Pages -----------------------------------------------------------------------------------

def test_giving_a_review_through_the_form(world, client_for):
    client = client_for(world.agent_a)
    assert client.get("/feedback").status_code == 200
    response = client.post("/feedback", data=_form(world.agent_a2, minutes="20"))
    assert response.status_code == 302
    review = TicketReview.get()
    assert response.headers["Location"].endswith(f"/feedback/{review.id}")
    page = client.get(f"/feedback/{review.id}").get_data(as_text=True)
    assert "Amazing" in page and "You named the customer" in page
    export = client.get("/me/export.csv").get_data(as_text=True)
    assert ",tickets,20," in export


def test_a_double_submit_makes_one_review(world, client_for):
    client = client_for(world.agent_a)
    form = _form(world.agent_a2, submission="double-submit-key")
    assert client.post("/feedback", data=form).status_code == 302
    assert client.post("/feedback", data=form).status_code == 302
    assert TicketReview.select().count() == 1


@pytest.mark.parametrize("field, value", [
    ("rating", "0"), ("rating", "5"), ("rating", ""), ("rating", "x"),
    ("praise", ""), ("praise", "p" * 2001), ("suggestion", "s" * 2001),
    ("ticket_url", ""), ("ticket_url", "ftp://x.example.com/1"),
    ("ticket_url", "javascript:alert(1)"), ("ticket_url", "https://e.com/" + "a" * 2000),
    ("ticket_ref", "r" * 41), ("aspects", ["empathy", "speed"]), ("minutes", "0"),
    ("minutes", "241"), ("minutes", "abc"), ("reviewee_id", "999999"), ("reviewee_id", ""),
])
def test_every_input_rule_is_refused_and_nothing_written(world, client_for, field, value):
    client = client_for(world.agent_a)
    response = client.post("/feedback", data=_form(world.agent_a2, **{field: value}))
    assert response.status_code in (400, 422)
    assert TicketReview.select().count() == 0 and Activity.select().count() == 0


def test_reviewee_of_another_team_is_refused(world, client_for):
    response = client_for(world.agent_a).post("/feedback", data=_form(world.agent_b))
    assert response.status_code == 422
    assert TicketReview.select().count() == 0


def test_the_reviewee_reads_and_replies_once(world, client_for):
    review = give(world.agent_a, world.agent_a2)
    client = client_for(world.agent_a2)
    assert "New" in client.get("/feedback").get_data(as_text=True)
    assert client.post(f"/feedback/{review.id}/reply", data={"reply": "Thanks!"}
                       ).status_code == 302
    assert client.post(f"/feedback/{review.id}/reply", data={"reply": "Again"}
                       ).status_code == 409
    assert TicketReview.get_by_id(review.id).reply == "Thanks!"
    assert client_for(world.agent_a).post(f"/feedback/{review.id}/delete").status_code == 409
    assert TicketReview.select().count() == 1


def test_an_empty_or_long_reply_is_refused(world, client_for):
    review = give(world.agent_a, world.agent_a2)
    client = client_for(world.agent_a2)
    for reply in ("", "r" * 2001):
        assert client.post(f"/feedback/{review.id}/reply", data={"reply": reply}
                           ).status_code == 422
    assert TicketReview.get_by_id(review.id).replied_at is None


def test_the_reviewer_deletes_before_the_reply(world, client_for):
    review = give(world.agent_a, world.agent_a2)
    assert client_for(world.agent_a2).post(f"/feedback/{review.id}/delete").status_code == 403
    assert client_for(world.agent_a).post(f"/feedback/{review.id}/reply",
                                          data={"reply": "x"}).status_code == 403
    assert client_for(world.agent_a).post(f"/feedback/{review.id}/delete").status_code == 302
    assert TicketReview.select().count() == 0


def test_who_reads_a_review(world, client_for):
    review = give(world.agent_a, world.agent_a2)
    own = give(world.agent_a, world.agent_a, praise="My own reply was too long.")
    expected = {"agent_a": (200, 200), "agent_a2": (200, 404), "lead_a": (200, 404),
                "agent_b": (404, 404), "lead_b": (404, 404), "hr": (403, 403),
                "admin": (403, 403)}
    for who, (peer, self_review) in expected.items():
        client = client_for(getattr(world, who))
        assert client.get(f"/feedback/{review.id}").status_code == peer, who
        assert client.get(f"/feedback/{own.id}").status_code == self_review, who


def test_hr_and_admin_get_403_on_feedback_and_practice(world, client_for):
    for who in (world.hr, world.admin):
        client = client_for(who)
        for path in ("/feedback", "/practice"):
            assert client.get(path).status_code == 403
            assert client.post(path, data={}).status_code == 403


def test_new_reviews_show_on_the_week_page(world, client_for):
    give(world.agent_a, world.agent_a2, praise="Your macro saved the day.")
    page = client_for(world.agent_a2).get("/", follow_redirects=True).get_data(as_text=True)
    assert "Your macro saved the day." in page


def test_the_feedback_page_costs_the_same_whatever_the_history(world, client_for, db):
    client = client_for(world.agent_a)

    def cost():
        with count_queries() as counter:
            assert client.get("/feedback").status_code == 200
        return counter.count

    client.get("/feedback")
    few = cost()
    TicketReview.insert_many([
        {"reviewer": world.agent_a2 if n % 2 else world.agent_a, "reviewee": world.agent_a
         if n % 2 else world.agent_a2, "ticket_url": f"{URL}/{n}", "ticket_hash": f"h{n}",
         "rating": 1 + n % 4, "praise": "Good", "created_at": utcnow()}
        for n in range(120)]).execute()
    assert cost() == few


def test_figures_count_received_given_and_self(world):
    give(world.agent_a, world.agent_a2, rating=4)
    give(world.agent_a2, world.agent_a, rating=2)
    give(world.agent_a, world.agent_a)
    figures = queries.lead_figures([world.agent_a.id, world.agent_a2.id, world.lead_a.id],
                                   date.today())
    mine = figures[world.agent_a.id]
    assert (mine.received, mine.given, mine.self_reviews) == (1, 1, 1)
    assert mine.ratings == {1: 0, 2: 1, 3: 0, 4: 0}
    assert figures[world.lead_a.id].none_received


def test_a_review_reads_in_spanish(world, client_for):
    review = give(world.agent_a, world.agent_a2, rating=4, aspects=["empathy"])
    world.agent_a2.locale = "es"
    world.agent_a2.save()
    client = client_for(world.agent_a2)
    page = client.get(f"/feedback/{review.id}").get_data(as_text=True)
    assert "Genial" in page and "Validó cómo se sentía el cliente" in page
    assert "Amazing" not in page and "Responder" in page
    assert "Práctica" in client.get("/practice").get_data(as_text=True)


def test_own_data_download_holds_ones_reviews_and_role_plays(world, client_for):
    import json

    give(world.agent_a, world.agent_a2, praise="GIVEN-PRAISE")
    give(world.agent_a2, world.agent_a, url=URL + "/2", praise="RECEIVED-PRAISE")
    give(world.agent_a, world.agent_a, url=URL + "/3", praise="OWN-PRAISE")
    give(world.agent_a2, world.agent_a2, url=URL + "/4", praise="NOT-MINE")
    service.record_practice(world.agent_a2, held_on=date.today(), scenario="Refund",
                            minutes=30, customer_ids=[world.agent_a.id],
                            agent_ids=[world.agent_a2.id], takeaways="TAKEAWAY")
    data = json.loads(client_for(world.agent_a).get("/me/export.json").get_data(as_text=True))
    kinds = {(r["kind"], r["with"], r["praise"]) for r in data["ticket_reviews"]}
    assert kinds == {("given", "Agent A2", "GIVEN-PRAISE"),
                     ("received", "Agent A2", "RECEIVED-PRAISE"), ("self", None, "OWN-PRAISE")}
    assert [(s["scenario"], s["part"], s["takeaways"]) for s in data["practice_sessions"]] == [
        ("Refund", "customer", "TAKEAWAY")]
