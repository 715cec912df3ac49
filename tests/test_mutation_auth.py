"""Password rules that `make mutate` found no test pinning: a new password of one's own is
refused when it is one's own name or email, a one-time password once changed stops sending
the person to the password page, changing one's password touches no one else's account, and
`growth set-password` audits the change as the person's own and ends their sessions. And on
PostgreSQL, where each sign-in first takes advisory locks on the account and the address,
every account's lock key is a bigint PostgreSQL accepts, so no one is locked out by theirs."""

import re

import pytest

from growth.auth.service import _lock_id, account_key
from growth.models import AuditEvent, Role, User
from growth.passwords import verify_password

from .conftest import PASSWORD
from .test_auth import sign_in

NEW = "a brand new passphrase"


def change_password(client, new_password):
    return client.post("/account/password", data={
        "current_password": PASSWORD, "new_password": new_password, "confirm": new_password})


def new_password_errors(response) -> list[str]:
    page = response.get_data(as_text=True)
    found = re.search(r'<ul class="field-errors" id="new_password-errors">(.*?)</ul>', page,
                      re.S)
    return re.findall(r"<li>(.*?)</li>", found.group(1)) if found else []


@pytest.mark.parametrize("typed", [
    "Marguerite Duval", "margueriteduval", "marguerite.duval@example.com", "marguerite.duval",
])
def test_a_new_password_may_not_be_your_own_name_or_email(make_user, client_for, typed):
    person = make_user(Role.AGENT, name="Marguerite Duval", email="marguerite.duval@example.com")
    response = change_password(client_for(person), typed)
    assert response.status_code == 422
    assert new_password_errors(response) == ["That password is too easy to guess."]
    assert User.get_by_id(person.id).password_hash == person.password_hash


def test_a_one_time_password_once_changed_no_longer_holds_the_person_back(world, client_for):
    User.update(must_change_password=True).where(User.id == world.agent_a.id).execute()
    client = client_for(world.agent_a)
    assert client.get("/history").headers["Location"] == "/account/password"
    assert change_password(client, NEW).status_code == 302
    assert User.get_by_id(world.agent_a.id).must_change_password is False
    assert client.get("/history").status_code == 200


def test_changing_your_password_leaves_everyone_elses_account_alone(world, client_for):
    colleague = client_for(world.agent_a2)
    assert change_password(client_for(world.agent_a), NEW).status_code == 302
    for person in (world.lead_a, world.agent_a2, world.admin):
        stored = User.get_by_id(person.id)
        assert (stored.password_hash, stored.session_version) == (
            person.password_hash, person.session_version)
    assert colleague.get("/").status_code == 200


def test_set_password_on_the_command_line_is_audited_as_the_persons_own_change(
        app, world, client_for):
    elsewhere = client_for(world.agent_a)
    result = app.test_cli_runner().invoke(args=["set-password", world.agent_a.email],
                                          input=NEW + "\n")
    assert result.exit_code == 0, result.output
    assert verify_password(User.get_by_id(world.agent_a.id).password_hash, NEW)
    event = AuditEvent.get(AuditEvent.action == "password_changed")
    assert (event.actor_id, event.actor_role, event.target_type, event.target_id) == (
        world.agent_a.id, "agent", "user", world.agent_a.id)
    assert elsewhere.get("/").status_code == 302


def test_every_account_and_address_has_a_lock_key_postgresql_accepts(app):
    # pg_advisory_xact_lock takes a bigint: a signed 64-bit number. Half of all unsigned
    # 64-bit numbers (or any wider one) would make PostgreSQL refuse the sign-in.
    keys = [f"account:{account_key(f'person{n}@example.com')}" for n in range(200)]
    keys += [f"address:10.0.{n // 256}.{n % 256}" for n in range(200)]
    ids = [_lock_id(key) for key in keys]
    assert all(-2**63 <= lock <= 2**63 - 1 for lock in ids)
    assert min(ids) < 0 < max(ids)  # the whole bigint range is used, not half of it
    assert len(set(ids)) == len(keys)


def test_everyone_can_sign_in_whatever_their_lock_keys(make_user, app):
    # On PostgreSQL each sign-in takes the advisory locks of the account and the address.
    people = [make_user(Role.AGENT) for _ in range(16)]
    for person in people:
        assert sign_in(app.test_client(), person.email, PASSWORD).status_code == 302
    assert AuditEvent.select().where(AuditEvent.action == "sign_in").count() == len(people)
