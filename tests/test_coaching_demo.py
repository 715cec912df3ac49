"""The demo's coaching history reads like real people's: nothing said twice to one person,
outcomes with comments that fit, goals that stay achieved, seasons that match the half."""

from collections import defaultdict
from datetime import date

from growth import demo
from growth.models import ActionItem, AgendaItem, Goal, OneOnOne, Review, ReviewCycle, ReviewGoal

SEASON_MONTHS = {"winter": {12, 1, 2}, "spring": {3, 4, 5}, "summer": {6, 7, 8},
                 "autumn": {9, 10, 11}}


def _months(cycle: ReviewCycle) -> set[int]:
    months, day = set(), cycle.starts_on
    while day <= cycle.ends_on:
        months.add(day.month)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


def _repeated(pairs) -> dict:
    seen, twice = defaultdict(set), defaultdict(set)
    for person, text in pairs:
        if text in seen[person]:
            twice[person].add(text)
        seen[person].add(text)
    return dict(twice)


def test_demo_coaching_says_nothing_twice_to_one_person(app):
    demo.build(today=date(2026, 12, 3))
    meetings = list(OneOnOne.select())
    assert len(meetings) > 40
    assert _repeated((m.person_id, m.shared_notes) for m in meetings if m.shared_notes) == {}
    assert _repeated((m.person_id, m.private_notes) for m in meetings if m.private_notes) == {}
    assert any(m.private_notes for m in meetings)
    items = list(ActionItem.select())
    assert len(items) > 60
    assert _repeated((i.person_id, i.text) for i in items) == {}
    assert _repeated((a.person_id, a.text) for a in AgendaItem.select()) == {}
    reviews = list(Review.select().where(Review.self_assessment != ""))
    assert len(reviews) > 10
    assert _repeated((r.person_id, r.self_assessment) for r in reviews) == {}
    assert _repeated((r.person_id, r.notes) for r in Review.select()) == {}


def test_demo_self_assessments_name_their_own_season(app):
    demo.build(today=date(2026, 12, 3))
    checked = set()
    for review in Review.select(Review, ReviewCycle).join(ReviewCycle).where(
            Review.self_assessment != ""):
        months = _months(review.cycle)
        named = {season for season in SEASON_MONTHS if season in review.self_assessment}
        assert named, review.self_assessment
        assert all(SEASON_MONTHS[season] & months for season in named), (
            review.cycle.name, review.self_assessment)
        checked.add(review.cycle.starts_on.month)
    assert checked == {1, 7}  # both halves of the year


def test_demo_goal_outcomes_have_fitting_comments_and_stay_achieved(app):
    demo.build(today=date(2026, 12, 3))
    outcomes = list(ReviewGoal.select(ReviewGoal, Goal).join(Goal).where(
        ReviewGoal.comment != ""))
    missed = [o for o in outcomes if o.outcome == "missed"]
    achieved = [o for o in outcomes if o.outcome == "achieved"]
    assert missed and achieved
    for outcome in missed:
        assert "Missed" in outcome.comment, outcome.comment
        assert "good evidence" not in outcome.comment.lower()
    for outcome in achieved:
        assert "Missed" not in outcome.comment and "Dropped" not in outcome.comment
    # A shared review's outcome is the goal's status.
    assert all(o.goal.status == o.outcome for o in outcomes)

    # Once achieved, a goal is not set again in a later cycle.
    history = defaultdict(list)
    for goal in Goal.select(Goal, ReviewCycle).join(ReviewCycle).order_by(
            ReviewCycle.starts_on):
        history[(goal.owner_id, goal.title)].append(goal.status)
    assert any("achieved" in statuses for statuses in history.values())
    for (owner, title), statuses in history.items():
        if "achieved" in statuses:
            assert statuses.index("achieved") == len(statuses) - 1, (owner, title, statuses)


def test_the_demo_admin_has_no_allowance_and_stays_out_of_the_bands(app):
    from growth.hr import queries
    from growth.models import User

    today = date(2026, 12, 3)
    demo.build(today=today)
    admin = User.by_email("admin@example.com").get()
    assert admin.weekly_dev_hours == 0
    start, end = queries.default_period(today)
    bands = queries.participation_bands(start, end)
    everyone = queries.teams(start, end)[-1]
    # Everyone employed at the start is in a band, except the admin.
    assert sum(band.people for band in bands) == everyone.headcount_start - 1
