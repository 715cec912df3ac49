"""The demo's development days: two believable years that follow every rule."""

from datetime import date, timedelta

from peewee import fn

from growth import demo
from growth.models import Activity, DevDay, DevDayGoal, Goal, Role, User
from growth.weeks import monday_of


def test_demo_weeks_follow_the_rules(app):
    # How long building them takes is the benchmark's figure (bench/run.py, "chores").
    today = date.today()
    demo.build(today=today)

    people = list(User.select())
    admins = {p.id for p in people if p.role == Role.ADMIN}
    with_weeks = {uid for (uid,) in DevDay.select(DevDay.user).distinct().tuples()}
    assert with_weeks == {p.id for p in people} - admins

    for person in people:
        if person.id in admins:
            continue
        first, last = DevDay.select(fn.MIN(DevDay.week_start),
                                    fn.MAX(DevDay.week_start)).where(
            DevDay.user == person.id).tuples().get()
        assert first >= monday_of(person.hired_on)
        assert first >= monday_of(today) - timedelta(weeks=105)
        assert last <= monday_of(person.left_on or today)

    ana = User.by_email("agent@example.com").get()
    assert DevDay.select().where(DevDay.user == ana.id).count() >= 100

    # Totals match their activities; away weeks hold none; ratings only on logged weeks.
    sums = dict(Activity.select(Activity.dev_day, fn.SUM(Activity.minutes))
                .group_by(Activity.dev_day).tuples())
    for day in DevDay.select():
        assert day.minutes == sums.get(day.id, 0)
        assert day.minutes <= 2400
        if day.skip_reason == "away":
            assert day.minutes == 0
        if day.rating is not None:
            assert day.minutes > 0
    assert Activity.select().where(Activity.minutes > 720).count() == 0
    assert DevDay.select().where(DevDay.skip_reason == "workload").count() > 0
    assert DevDay.select().where(DevDay.skip_reason == "away").count() > 0
    assert len({k for (k,) in Activity.select(Activity.kind).distinct().tuples()}) >= 6

    # Goals in every cycle, and linked only to their owner's weeks and activities.
    assert Goal.select().count() > 2 * len(people)
    foreign = (Activity.select().join(DevDay).switch(Activity)
               .join(Goal, on=(Activity.goal == Goal.id))
               .where(Goal.owner != DevDay.user).count())
    assert foreign == 0
    assert Activity.select().where(Activity.goal.is_null(False)).count() > 0
    assert (DevDayGoal.select().join(DevDay).switch(DevDayGoal).join(Goal)
            .where(Goal.owner != DevDay.user).count()) == 0
