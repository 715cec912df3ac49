"""Password rules that `make mutate` found no test pinning: a new password of one's own is
refused when it is one's own name or email, a one-time password once changed stops sending
the person to the password page, changing one's password touches no one else's account, and
`growth set-password` audits the change as the person's own and ends their sessions. And on
PostgreSQL, where each sign-in first takes advisory locks on the account and the address,
every account's lock key is a bigint PostgreSQL accepts, so no one is locked out by theirs."""

import hashlib
import hmac
import re
from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from growth.admin import service as admin_service
from growth.auth import service
from growth.auth.service import _lock_id, account_key
from growth.models import AccountToken, AuditEvent, LoginFailure, Role, User, utcnow
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


# The sign-in throttle, on a clock of the test's own ----------------------------------------

ADDRESS = "10.0.0.7"
WINDOW = timedelta(minutes=15)  # LOGIN_WINDOW


class FrozenClock:
    def __init__(self):
        self.at = utcnow().replace(microsecond=0)


@pytest.fixture
def frozen(monkeypatch):
    """The throttle's clock (growth.auth.service.utcnow), standing still until moved."""
    clock = FrozenClock()
    monkeypatch.setattr(service, "utcnow", lambda: clock.at)
    return clock


def test_the_retry_time_is_when_the_tenth_most_recent_failure_leaves_the_window(
        app, world, frozen):
    start = frozen.at
    for minute in range(10):
        frozen.at = start + timedelta(minutes=minute)
        assert service.authenticate(world.agent_a.email, "wrong password!!", ADDRESS) == (
            service.SignIn())
    frozen.at = start + timedelta(minutes=10)
    refused = service.authenticate(world.agent_a.email, PASSWORD, ADDRESS)
    assert refused == service.SignIn(retry_at=start + WINDOW)
    # With the limit lowered to 3, the third most recent failure (minute 7) decides.
    app.config["LOGIN_ACCOUNT_LIMIT"] = 3
    assert service.authenticate(world.agent_a.email, PASSWORD, ADDRESS).retry_at == (
        start + timedelta(minutes=7) + WINDOW)


def test_failures_exactly_one_window_old_no_longer_count_and_are_cleared(world, frozen):
    key = account_key(world.agent_a.email)
    LoginFailure.insert_many([{"account": key, "address": ADDRESS, "at": frozen.at - WINDOW}
                              for _ in range(10)]).execute()
    younger = LoginFailure.create(account="someone else", address="10.0.0.8",
                                  at=frozen.at - WINDOW + timedelta(seconds=1))
    assert service.authenticate(world.agent_a.email, PASSWORD, ADDRESS).user == world.agent_a
    assert [row.id for row in LoginFailure.select()] == [younger.id]


def test_a_throttle_audit_row_exactly_one_window_old_does_not_stand_for_this_window(
        world, frozen):
    key = account_key(world.agent_a.email)
    AuditEvent.insert(action="sign_in_throttled", at=frozen.at - WINDOW,
                      detail=f"account={key}").execute()
    LoginFailure.insert_many([{"account": key, "address": ADDRESS, "at": frozen.at}
                              for _ in range(10)]).execute()
    assert service.authenticate(world.agent_a.email, PASSWORD, ADDRESS).retry_at
    rows = AuditEvent.select().where(AuditEvent.action == "sign_in_throttled")
    assert [(row.target_id, row.detail) for row in rows.order_by(AuditEvent.id)] == [
        (None, f"account={key}"), (world.agent_a.id, f"account={key}")]


def test_with_password_sign_in_off_only_admins_get_in_with_a_password(world, app):
    app.config["PASSWORD_SIGN_IN"] = False  # single sign-on for everyone else
    assert service.authenticate(world.agent_a.email, PASSWORD, ADDRESS) == service.SignIn()
    event = AuditEvent.get(AuditEvent.action == "sign_in_failed")
    assert (event.actor_id, event.detail) == (
        world.agent_a.id, f"account={account_key(world.agent_a.email)}")
    assert service.authenticate(world.admin.email, PASSWORD, ADDRESS).user == world.admin


def test_a_right_password_clears_its_own_attempt_and_no_one_elses(world):
    other = LoginFailure.create(account=account_key(world.agent_b.email), address=ADDRESS)
    assert service.authenticate(world.agent_a.email, PASSWORD, ADDRESS).user == world.agent_a
    assert service.check_current_password(world.agent_a, PASSWORD, ADDRESS).ok is True
    assert [row.id for row in LoginFailure.select()] == [other.id]


def test_a_wrong_current_password_is_audited_as_the_persons_own_attempt(world):
    assert service.check_current_password(world.agent_a, "not it at all", ADDRESS) == (
        service.PasswordCheck())
    event = AuditEvent.get(AuditEvent.action == "password_change_failed")
    assert (event.actor_id, event.target_id) == (world.agent_a.id, world.agent_a.id)


def test_an_upgraded_hash_is_the_persons_alone_and_still_takes_their_password(world, app):
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, hash_len=16).hash(PASSWORD)
    User.update(password_hash=weak).where(User.id == world.agent_a.id).execute()
    assert service.authenticate(world.agent_a.email, PASSWORD, ADDRESS).user == world.agent_a
    upgraded = User.get_by_id(world.agent_a.id).password_hash
    assert upgraded != weak and verify_password(upgraded, PASSWORD)
    assert User.get_by_id(world.agent_b.id).password_hash == world.agent_b.password_hash
    assert service.authenticate(world.agent_a.email, PASSWORD, ADDRESS).user == world.agent_a


def test_the_reset_notice_is_used_up_only_by_the_person_who_signs_in(world):
    when = utcnow().replace(microsecond=0) - timedelta(hours=1)
    User.update(password_reset_at=when).where(
        User.id.in_([world.agent_a.id, world.agent_b.id])).execute()
    assert service.authenticate(world.agent_a.email, PASSWORD, ADDRESS) == service.SignIn(
        user=world.agent_a, reset_at=when)
    assert User.get_by_id(world.agent_a.id).password_reset_at is None
    assert User.get_by_id(world.agent_b.id).password_reset_at == when


@pytest.mark.parametrize("secret", ["a-text-secret-key-that-is-long-enough-0123456789",
                                    b"a-bytes-secret-key-that-is-long-enough-012345678"])
def test_the_account_key_is_16_hex_digits_of_an_hmac_sha256_under_the_secret_key(app, secret):
    app.config["SECRET_KEY"] = secret
    raw = secret if isinstance(secret, bytes) else secret.encode()
    expected = hmac.new(raw, b"someone@example.com", hashlib.sha256).hexdigest()[:16]
    assert account_key(" SomeOne@Example.com ") == expected


# The password rules ------------------------------------------------------------------------

def refusal(password, email="marguerite.duval@example.com", name="Marguerite Duval"):
    """What the person is told about `password` (None: it is accepted)."""
    try:
        service.check_password_policy(password, email=email, name=name)
    except service.PasswordPolicyError as error:
        return str(error)
    return None


def test_the_password_rules_say_exactly_what_is_wrong(app):
    assert refusal("tidal-viole") == "Use at least 12 characters."  # 11
    assert refusal("tidal-violet") is None  # 12
    assert refusal(("tidal violet " * 20)[:256]) is None
    assert refusal(("tidal violet " * 20)[:257]) == "Use at most 256 characters."
    assert refusal("Password123!") == "That password is too easy to guess."


def test_four_different_characters_are_enough_three_are_not(app):
    assert refusal("abcdabcdabcd") is None
    assert refusal("abcabcabcabc") == "That password is too easy to guess."


@pytest.mark.parametrize("name", ["Marguerite Duval", ""])
def test_a_password_of_digits_and_symbols_only_is_fine_even_with_no_name_on_record(app, name):
    assert refusal("8305-1947-2261", name=name) is None


@pytest.mark.parametrize("typed", ["Marguerite Duval 1!", "!!marguerite.duval2026"])
def test_ones_own_name_or_email_dressed_up_is_still_refused(app, typed):
    assert refusal(typed) == "That password is too easy to guess."


# Set-password links ------------------------------------------------------------------------

def link_for(world, person):
    return admin_service.reset_password(world.admin, person)


@pytest.mark.parametrize("typed", ["Marguerite Duval", "marguerite.duval@example.com"])
def test_a_link_will_not_set_ones_own_name_or_email_and_stays_usable(world, make_user, typed):
    person = make_user(Role.AGENT, name="Marguerite Duval", email="marguerite.duval@example.com")
    token = link_for(world, person)
    with pytest.raises(service.PasswordPolicyError) as refused:
        service.set_password_with_link(token, typed)
    assert str(refused.value) == "That password is too easy to guess."
    assert service.link_holder(token) == person


def test_a_password_set_with_a_link_ends_the_one_time_password_hold_and_is_theirs_alone(
        world, frozen):
    User.update(must_change_password=True).where(User.id == world.agent_a.id).execute()
    reset_at = frozen.at  # when the admin pressed "Reset password"
    token = link_for(world, world.agent_a)
    frozen.at += timedelta(hours=2)
    assert service.set_password_with_link(token, NEW) == world.agent_a
    stored = User.get_by_id(world.agent_a.id)
    assert (stored.must_change_password, stored.password_reset_at) == (False, reset_at)
    for person in (world.agent_a2, world.admin):
        assert User.get_by_id(person.id).password_hash == person.password_hash


def test_a_link_used_by_another_request_while_the_password_was_hashed_is_refused(
        world, monkeypatch):
    token = link_for(world, world.agent_a)
    slow_hash = service.hash_password

    def meanwhile_used(password):
        AccountToken.update(used_at=utcnow()).execute()  # the other request was first
        return slow_hash(password)

    monkeypatch.setattr(service, "hash_password", meanwhile_used)
    with pytest.raises(service.LinkError):
        service.set_password_with_link(token, NEW)
    assert User.get_by_id(world.agent_a.id).password_hash == world.agent_a.password_hash


def test_a_link_that_expires_while_the_password_is_hashed_is_refused(world, frozen,
                                                                     monkeypatch):
    token = link_for(world, world.agent_a)
    link = AccountToken.get()
    frozen.at = link.expires_at - timedelta(seconds=1)
    slow_hash = service.hash_password

    def slow(password):
        frozen.at = link.expires_at  # hashing took the link's last second
        return slow_hash(password)

    monkeypatch.setattr(service, "hash_password", slow)
    with pytest.raises(service.LinkError):
        service.set_password_with_link(token, NEW)
    assert User.get_by_id(world.agent_a.id).password_hash == world.agent_a.password_hash


def test_a_link_stops_working_at_the_moment_it_expires(world, frozen):
    token = link_for(world, world.agent_a)
    expires_at = AccountToken.get().expires_at
    frozen.at = expires_at - timedelta(seconds=1)
    assert service.link_holder(token) == world.agent_a
    frozen.at = expires_at
    assert service.link_holder(token) is None


def test_a_new_link_leaves_other_peoples_links_working_and_clears_expired_ones(world, frozen):
    theirs = link_for(world, world.agent_b)
    stale = link_for(world, world.lead_a)
    AccountToken.update(expires_at=frozen.at).where(  # expires this very moment
        AccountToken.user == world.lead_a.id).execute()
    link_for(world, world.agent_a)
    assert service.link_holder(theirs) == world.agent_b
    assert service.link_holder(stale) is None
    assert sorted(row.user_id for row in AccountToken.select()) == sorted(
        [world.agent_b.id, world.agent_a.id])


def test_a_link_carries_32_random_bytes_and_its_audit_row_names_the_admin(world):
    token = link_for(world, world.agent_a)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # 32 bytes, URL-safe base64
    event = AuditEvent.get(AuditEvent.action == "password_reset")
    assert (event.actor_id, event.target_id) == (world.admin.id, world.agent_a.id)


def test_on_postgresql_a_sign_in_waits_for_its_own_account_and_address_only(world, db):
    """What `_throttle_transaction` locks: the account and the address of the attempt, so
    attempts on one account (or from one address) are counted one at a time."""
    if db.obj.__class__.__name__.endswith("SqliteDatabase"):
        pytest.skip("PostgreSQL only: SQLite takes its one write lock")
    import psycopg
    from peewee import OperationalError

    from .conftest import PG_URL

    db.execute_sql("SET lock_timeout = '300ms'")
    other = psycopg.connect(PG_URL, autocommit=True)  # another worker, mid-attempt
    try:
        for held, blocked, free in [
            (f"account:{account_key(world.agent_a.email)}",
             (world.agent_a.email, ADDRESS), (world.agent_b.email, ADDRESS)),
            (f"address:{ADDRESS}",
             (world.agent_a.email, ADDRESS), (world.agent_a.email, "10.0.0.8")),
        ]:
            other.execute("SELECT pg_advisory_lock(%s)", (_lock_id(held),))
            with pytest.raises(OperationalError, match="lock timeout"):
                service.authenticate(blocked[0], PASSWORD, blocked[1])
            assert service.authenticate(free[0], PASSWORD, free[1]).user
            other.execute("SELECT pg_advisory_unlock_all()")
    finally:
        other.close()
        db.execute_sql("RESET lock_timeout")


def test_using_ones_link_leaves_other_peoples_links_working(world):
    mine = link_for(world, world.agent_a)
    theirs = link_for(world, world.agent_b)
    service.set_password_with_link(mine, "tangerine lighthouse 42")
    assert service.link_holder(mine) is None
    assert service.link_holder(theirs) == world.agent_b
