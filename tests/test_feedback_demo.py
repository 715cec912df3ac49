"""The demo's feedback and practice: believable ratings, varied words, monthly role-plays
that follow the rules."""

from collections import Counter
from datetime import date

from peewee import fn

from growth import demo
from growth.models import Activity, PracticeParticipant, PracticeSession, TicketReview


def test_demo_reviews_and_role_plays(app):
    demo.build(today=date.today())
    reviews = list(TicketReview.select())
    peer = [r for r in reviews if r.reviewer_id != r.reviewee_id]
    assert len(peer) > 100 and any(r.reviewer_id == r.reviewee_id for r in reviews)
    ratings = Counter(r.rating for r in peer)
    assert ratings[4] + ratings[3] > 0.7 * len(peer)
    assert 0 < ratings[1] < ratings[2] < ratings[3]
    assert len({r.praise for r in peer}) > 0.9 * len(peer)  # hardly a text twice
    assert sum(1 for r in peer if r.replied_at) > len(peer) / 3
    assert all(r.reply == "" for r in reviews if r.reviewer_id == r.reviewee_id)
    sessions = PracticeSession.select().count()
    assert sessions >= 6
    # Each participant has exactly one roleplay activity of the session's minutes.
    linked = (PracticeParticipant.select(PracticeSession.minutes, Activity.minutes,
                                         Activity.kind)
              .join(PracticeSession).switch(PracticeParticipant).join(Activity).tuples())
    assert linked and all(a == b and kind == "roleplay" for a, b, kind in linked)
    assert Activity.select(fn.COUNT(Activity.id)).where(
        Activity.kind == "roleplay").scalar() >= PracticeParticipant.select().count()
