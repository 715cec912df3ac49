"""Ticket-review rules that `make mutate` found no test pinning: taking a review back
removes that review only, only its reviewer can, and a second click is harmless."""

import pytest

from growth.feedback import service
from growth.models import TicketReview


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
