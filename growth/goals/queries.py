"""What the goal pages show, in a fixed number of queries."""

from dataclasses import dataclass

from peewee import fn

from ..models import Activity, DevDay, DevDayGoal, Goal, ReviewCycle, User


@dataclass
class CycleGoals:
    cycle: ReviewCycle
    goals: list[Goal]  # each with .minutes and .activity_count


def evidence(goal_ids) -> dict[int, tuple[int, int]]:
    """{goal id: (minutes, activities)} logged against the goals."""
    return {gid: (int(minutes or 0), int(count)) for gid, minutes, count in
            Activity.select(Activity.goal, fn.SUM(Activity.minutes), fn.COUNT(Activity.id))
            .where(Activity.goal.in_(goal_ids)).group_by(Activity.goal).tuples()}


def goals_by_cycle(user) -> list[CycleGoals]:
    """The person's goals grouped by cycle, newest cycle first: two queries."""
    goals = list(Goal.select(Goal, ReviewCycle).join(ReviewCycle)
                 .where(Goal.owner == user.id)
                 .order_by(ReviewCycle.starts_on.desc(), Goal.created_at, Goal.id))
    logged = evidence(Goal.select(Goal.id).where(Goal.owner == user.id))
    groups: list[CycleGoals] = []
    for goal in goals:
        goal.minutes, goal.activity_count = logged.get(goal.id, (0, 0))
        if not groups or groups[-1].cycle.id != goal.cycle_id:
            groups.append(CycleGoals(cycle=goal.cycle, goals=[]))
        groups[-1].goals.append(goal)
    return groups


def goal_with_owner(goal_id: int):
    return (Goal.select(Goal, ReviewCycle, User).join(ReviewCycle)
            .switch(Goal).join(User, on=(Goal.owner == User.id))
            .where(Goal.id == goal_id))


def goal_activities(goal: Goal) -> list[Activity]:
    """The activities logged against the goal, newest week first, with their week."""
    return list(Activity.select(Activity, DevDay).join(DevDay)
                .where(Activity.goal == goal.id)
                .order_by(DevDay.week_start.desc(), Activity.created_at.desc()))


def planned_weeks(goal: Goal) -> int:
    """How many development days were planned around the goal."""
    return DevDayGoal.select().where(DevDayGoal.goal == goal.id).count()
