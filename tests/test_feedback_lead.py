"""The lead's view of feedback and practice: figures per member over the last four weeks on
/team and the person page, in a fixed number of queries; never a self-review's words."""

from datetime import date, timedelta

from playhouse.test_utils import count_queries

from growth.feedback import service
from growth.models import Role, TicketReview, utcnow


def give(reviewer, reviewee, n, rating=3, praise="Kind and exact."):
    return service.give_review(reviewer, reviewee_id=reviewee.id, rating=rating,
                               ticket_url=f"https://t.example/{n}", praise=praise)


def test_team_page_shows_each_members_figures_and_the_no_review_flag(world, client_for):
    give(world.agent_a2, world.agent_a, 1, rating=4)
    give(world.agent_a2, world.agent_a, 2, rating=2)
    give(world.agent_a, world.agent_a, 3, praise="MY-OWN-WORDS-7c1")
    service.record_practice(world.agent_a, held_on=date.today(), scenario="Refund",
                            minutes=30, customer_ids=[world.agent_a2.id],
                            agent_ids=[world.agent_a.id])
    page = client_for(world.lead_a).get("/team").get_data(as_text=True)
    assert "Feedback and practice, last four weeks" in page
    row = page[page.index(f'/team/{world.agent_a.id}">Agent A</a>', page.index(
        "team-feedback-heading")):]
    row = row[:row.index("</tr>")]
    cells = [c.split(">")[-1].strip() for c in row.split("</td>")[:-1]]
    assert cells == ["2", "Amazing 1 · Fine 1", "0", "1", "1"]
    assert "No review received in four weeks" not in row
    other = page[page.index(f'/team/{world.agent_a2.id}">Agent A2</a>', page.index(
        "team-feedback-heading")):]
    assert "No review received in four weeks" in other[:other.index("</tr>")]
    assert "MY-OWN-WORDS-7c1" not in page


def test_reviews_older_than_four_weeks_do_not_count(world):
    from growth.feedback.queries import lead_figures

    old = give(world.agent_a2, world.agent_a, 1)
    TicketReview.update(created_at=utcnow() - timedelta(days=29)).where(
        TicketReview.id == old.id).execute()
    assert lead_figures([world.agent_a.id], date.today())[world.agent_a.id].none_received


def test_person_page_lists_peer_reviews_but_not_self_review_words(world, client_for):
    give(world.agent_a2, world.agent_a, 1, praise="PEER-PRAISE-41a")
    give(world.agent_a, world.agent_a, 2, praise="MY-OWN-WORDS-7c1")
    page = client_for(world.lead_a).get(f"/team/{world.agent_a.id}").get_data(as_text=True)
    assert "PEER-PRAISE-41a" in page and "MY-OWN-WORDS-7c1" not in page
    assert "Agent A2 for Agent A" in page


def test_team_feedback_costs_the_same_for_3_and_30_members(world, make_user, client_for):
    client = client_for(world.lead_a)

    def cost():
        with count_queries() as counter:
            assert client.get("/team").status_code == 200
        return counter.count

    client.get("/team")
    few = cost()
    people = [make_user(Role.AGENT, team=world.team_a) for _ in range(27)]
    rows = [{"reviewer": a.id, "reviewee": b.id, "ticket_url": f"https://t.example/{n}",
             "ticket_hash": f"h{n}", "rating": 1 + n % 4, "praise": "Good",
             "created_at": utcnow()}
            for n, (a, b) in enumerate(zip(people, people[1:] + people[:1], strict=True))]
    TicketReview.insert_many(rows).execute()
    assert cost() == few


def test_the_half_year_review_shows_the_cycles_feedback(world, client_for):
    from growth.models import Review, ReviewCycle

    give(world.agent_a2, world.agent_a, 1, rating=4, praise="PEER-PRAISE-41a")
    give(world.agent_a, world.agent_a2, 2)
    give(world.agent_a, world.agent_a, 3, praise="MY-OWN-WORDS-7c1")
    service.record_practice(world.agent_a, held_on=date.today(), scenario="Refund",
                            minutes=30, customer_ids=[world.agent_a2.id],
                            agent_ids=[world.agent_a.id])
    review = Review.create(person=world.agent_a, cycle=ReviewCycle.ensure_for(date.today()),
                           lead=world.lead_a)
    for who in (world.agent_a, world.lead_a):
        page = client_for(who).get(f"/reviews/{review.id}").get_data(as_text=True)
        evidence = page[page.index("Feedback and practice"):]
        assert "PEER-PRAISE-41a" in evidence and "Amazing 1" in evidence
        assert "MY-OWN-WORDS-7c1" not in page
        facts = [line.strip() for line in evidence.split("<dd>")[1:5]]
        assert [f.split("<")[0].strip() for f in facts] == ["1", "1", "1", "1"]
