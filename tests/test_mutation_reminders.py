"""Reminder rules that `make mutate` found no test pinning."""

from growth.models import User
from growth.reminders import service


def test_turning_reminders_off_changes_only_that_persons_setting(world):
    service.set_reminders(world.agent_a, world.agent_a, on=False)
    settings = {u.id: u.reminders for u in User.select()}
    assert settings.pop(world.agent_a.id) is False
    assert all(settings.values())
