"""Signing in and checking passwords, throttled per account and per address with counts
kept in the database."""

import hashlib
import hmac
import re
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from flask import current_app

from .. import audit
from ..db import database, is_sqlite, write_transaction
from ..models import AccountToken, AuditEvent, LoginFailure, User, normalize_email, utcnow
from ..passwords import hash_password, needs_rehash, verify_password
from .oidc import password_sign_in_for


class PasswordPolicyError(ValueError):
    pass


class LinkError(ValueError):
    """The set-password link is unknown, used or expired."""


@dataclass
class SignIn:
    user: User | None = None
    retry_at: datetime | None = None  # set when the attempt was refused by the throttle
    reset_at: datetime | None = None  # when an admin reset the password, told once


@dataclass
class PasswordCheck:
    ok: bool = False
    retry_at: datetime | None = None  # set when the check was refused by the throttle


def account_key(email: str) -> str:
    """What the throttle and the audit log keep of a typed email: a keyed hash (HMAC with
    the secret key), so a password typed into the email field is never stored or shown."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret if isinstance(secret, bytes) else str(secret).encode()
    digest = hmac.new(secret, normalize_email(email).encode(), hashlib.sha256).hexdigest()
    return digest[:16]


def _lock_id(key: str) -> int:
    """PostgreSQL's advisory lock key for `key`: a signed 64-bit number (a bigint)."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], signed=True)


@contextmanager
def _throttle_transaction(account: str, address: str):
    """One transaction at a time per account (and per address): SQLite takes the write lock
    up front; PostgreSQL takes transaction-scoped advisory locks, always account first."""
    with write_transaction():
        if not is_sqlite():
            for key in (f"account:{account}", f"address:{address}"):
                database.execute_sql("SELECT pg_advisory_xact_lock(%s)", (_lock_id(key),))
        yield


def _refused_until(account: str, address: str, now: datetime) -> datetime | None:
    window = current_app.config["LOGIN_WINDOW"]
    since = now - window
    checks = (
        (LoginFailure.account == account, current_app.config["LOGIN_ACCOUNT_LIMIT"]),
        (LoginFailure.address == address, current_app.config["LOGIN_ADDRESS_LIMIT"]),
    )
    for condition, limit in checks:
        recent = (LoginFailure.select(LoginFailure.at)
                  .where(condition, LoginFailure.at > since)
                  .order_by(LoginFailure.at.desc())
                  .limit(limit))
        times = [row.at for row in recent]
        if len(times) >= limit:
            # Refused until the limit-th most recent failure leaves the window.
            return times[-1] + window
    return None


def _reserve_attempt(account: str, address: str, *, throttled: str,
                     user: User | None) -> tuple[int | None, datetime | None]:
    """Count and record in one locked transaction, before any hashing: the attempt counts as
    a failure while its password is checked, so requests arriving together can't all pass
    the count (at most the limit are checked per window). Returns (failure id, None), or
    (None, retry_at) when refused; a refusal is audited once per account and window."""
    now = utcnow()
    since = now - current_app.config["LOGIN_WINDOW"]
    # mutmut: on SQLite the arguments go unused; on PostgreSQL they are the locks, pinned by
    # test_mutation_auth::test_on_postgresql_a_sign_in_waits_for_its_own_account_and_address_only
    with _throttle_transaction(account, address):
        retry_at = _refused_until(account, address, now)
        if retry_at is not None:
            detail = f"account={account}"
            already = AuditEvent.select().where(
                AuditEvent.action == throttled, AuditEvent.detail == detail,
                AuditEvent.at > since).exists()
            if not already:
                audit.record(throttled, user, detail=detail)
            return None, retry_at
        # Rows past the window count for nothing: each write clears them away.
        LoginFailure.delete().where(LoginFailure.at <= since).execute()
        failure = LoginFailure.create(account=account, address=address, at=now)
    return failure.id, None


def authenticate(email: str, password: str, address: str) -> SignIn:
    """Check a sign-in. The throttle runs before any hashing; failures are counted."""
    account = account_key(email)
    user = User.by_email(email).first()
    failure_id, retry_at = _reserve_attempt(account, address, throttled="sign_in_throttled",
                                            user=user)
    if retry_at is not None:
        return SignIn(retry_at=retry_at)

    ok = verify_password(user.password_hash if user else None, password)
    if not ok or not user.can_sign_in() or not password_sign_in_for(user):
        audit.record("sign_in_failed", user, actor=user, detail=f"account={account}")
        return SignIn()

    LoginFailure.delete().where(LoginFailure.id == failure_id).execute()  # not a failure
    if needs_rehash(user.password_hash):
        User.update(password_hash=hash_password(password)).where(User.id == user.id).execute()
    reset_at = user.password_reset_at
    if reset_at is not None:
        User.update(password_reset_at=None).where(User.id == user.id).execute()
    audit.record("sign_in", user, actor=user)
    return SignIn(user=user, reset_at=reset_at)


def check_current_password(user: User, password: str, address: str) -> PasswordCheck:
    """The current password, before a change: throttled and counted with the sign-ins of the
    same account, and every wrong one audited."""
    failure_id, retry_at = _reserve_attempt(account_key(user.email), address,
                                            throttled="password_change_throttled", user=user)
    if retry_at is not None:
        return PasswordCheck(retry_at=retry_at)
    if not verify_password(user.password_hash, password):
        audit.record("password_change_failed", user, actor=user)
        return PasswordCheck()
    LoginFailure.delete().where(LoginFailure.id == failure_id).execute()
    return PasswordCheck(ok=True)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_set_password_link(actor, user: User, *, action: str) -> str:
    """A new set-password token for `user` (the part of the link they must keep secret):
    random, usable once, for SET_PASSWORD_LINK_LIFETIME. Only its hash is stored; any older
    link of theirs stops working. The password itself changes only when the link is used."""
    token = secrets.token_urlsafe(32)  # mutmut: equivalent — None also means 32 bytes
    now = utcnow()
    with database.atomic():
        AccountToken.delete().where((AccountToken.user == user.id)
                                    | (AccountToken.expires_at <= now)).execute()
        AccountToken.create(
            user=user.id, token_hash=_token_hash(token), created_by=actor, created_at=now,
            expires_at=now + current_app.config["SET_PASSWORD_LINK_LIFETIME"])
        audit.record(action, user, actor=actor)
    return token


def _live_link(token: str) -> AccountToken | None:
    """The unused, unexpired set-password link of someone who can sign in (None otherwise)."""
    link = AccountToken.select().where(
        AccountToken.token_hash == _token_hash(token), AccountToken.used_at.is_null(),
        AccountToken.expires_at > utcnow()).first()
    return link if link is not None and link.user.can_sign_in() else None


def link_holder(token: str) -> User | None:
    """The person an unused, unexpired set-password link is for (None otherwise)."""
    link = _live_link(token)
    return link.user if link is not None else None


def set_password_with_link(token: str, password: str) -> User:
    """Use a set-password link: store the password, end every session of the person, and
    when an admin's reset replaced a password they had, tell them at their next sign-in.
    Raises LinkError (unknown, used or expired link) or PasswordPolicyError."""
    link = _live_link(token)
    if link is None:
        raise LinkError()
    user = link.user
    check_password_policy(password, email=user.email, name=user.name)
    password_hash = hash_password(password)  # outside the transaction: hashing is slow
    now = utcnow()
    with database.atomic():
        # One statement decides who uses the link: if another request used it while the
        # password was hashed, or it expired meanwhile, it changes no row.
        used = AccountToken.update(used_at=now).where(
            AccountToken.id == link.id, AccountToken.used_at.is_null(),
            AccountToken.expires_at > now).execute()
        if used != 1:
            raise LinkError()
        reset = bool(user.password_hash) and link.created_by_id is not None
        User.update(password_hash=password_hash, must_change_password=False,
                    session_version=User.session_version + 1,
                    password_reset_at=link.created_at if reset else None,
                    ).where(User.id == user.id).execute()
        audit.record("password_set_by_link", user, actor=user)
    return User.get_by_id(user.id)


# Words that top breached-password lists dress up with digits and symbols
# ("Password123!", "Welcome2026!"), and words anyone would guess for this app.
GUESSABLE_WORDS = {
    "password", "passw0rd", "qwerty", "qwertyuiop", "qwertyuiopas", "asdfghjkl", "letmein",
    "welcome", "iloveyou", "admin", "administrator", "login", "changeme", "secret",
    "monkey", "dragon", "football", "baseball", "sunshine", "princess", "starwars",
    "trustno", "abc", "abcdef", "abcdefgh", "summer", "winter", "spring", "autumn",
    "growth", "growthgrowth", "coaching", "coach", "support", "helpdesk", "customer",
    "development", "devday",
}
_DRESSING = re.compile(r"^[\W\d_]+|[\W\d_]+$")
# Keyboard runs and counting: "123456789012", "qwertyuiopas", "abcdefghijkl".
_RUNS = ("0123456789" * 3, "9876543210" * 3, "abcdefghijklmnopqrstuvwxyz" * 2,
         "qwertyuiopasdfghjklzxcvbnm" * 2)


def check_password_policy(password: str, *, email: str, name: str) -> None:
    """At least 12 characters, anything allowed, no composition rules; not a guessable word
    dressed up with digits or symbols, and not the person's own name or email."""
    from flask_babel import gettext as _

    if len(password) < 12:
        raise PasswordPolicyError(_("Use at least 12 characters."))
    if len(password) > 256:
        raise PasswordPolicyError(_("Use at most 256 characters."))
    lowered = password.casefold()
    core = _DRESSING.sub("", lowered)
    personal = {normalize_email(email), normalize_email(email).split("@")[0],
                name.casefold(), name.casefold().replace(" ", "")} - {""}
    if (core in GUESSABLE_WORDS or core in personal or lowered in personal
            or len(set(lowered)) < 4 or any(lowered in run for run in _RUNS)):
        raise PasswordPolicyError(_("That password is too easy to guess."))


def set_password(user: User, password: str) -> None:
    """The person's own new password (their account page, or `growth set-password`): store
    it, drop any must-change flag, and end every existing session of theirs. `user` moves
    on to the new session version, so the caller can sign this device in again."""
    check_password_policy(password, email=user.email, name=user.name)
    password_hash = hash_password(password)  # outside the transaction: hashing is slow
    with database.atomic():
        User.update(password_hash=password_hash, must_change_password=False).where(
            User.id == user.id).execute()
        user.bump_session_version()
        audit.record("password_changed", user, actor=user)


def sign_out_everywhere(user: User) -> None:
    """Signing out: ends every session of `user`, who is the signed-in person (so the audit
    event names them as the actor)."""
    user.bump_session_version()
    audit.record("sign_out", user)
