"""Signing in, throttled per account and per address with counts kept in the database."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app

from .. import audit
from ..db import database
from ..models import LoginFailure, User, normalize_email, utcnow
from ..passwords import hash_password, needs_rehash, verify_password
from .oidc import password_sign_in_for


class PasswordPolicyError(ValueError):
    pass


@dataclass
class SignIn:
    user: User | None = None
    retry_at: datetime | None = None  # set when the attempt was refused by the throttle


def _refused_until(account: str, address: str) -> datetime | None:
    window = current_app.config["LOGIN_WINDOW"]
    since = utcnow() - window
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


def authenticate(email: str, password: str, address: str) -> SignIn:
    """Check a sign-in. The throttle runs before any hashing; failures are counted."""
    account = normalize_email(email)
    retry_at = _refused_until(account, address)
    if retry_at is not None:
        audit.record("sign_in_throttled", detail=f"account={account[:200]}")
        return SignIn(retry_at=retry_at)

    user = User.by_email(account).first()
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or not user.can_sign_in() or not password_sign_in_for(user):
        LoginFailure.create(account=account, address=address)
        audit.record("sign_in_failed", user, actor=user, detail=f"account={account[:200]}")
        return SignIn()

    if needs_rehash(user.password_hash):
        User.update(password_hash=hash_password(password)).where(User.id == user.id).execute()
    audit.record("sign_in", user, actor=user)
    return SignIn(user=user)


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


def check_password_policy(password: str, *, email: str = "", name: str = "") -> None:
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


def set_password(user: User, password: str, *, actor=None, must_change: bool = False) -> None:
    """Store a new password and end every existing session of the person."""
    check_password_policy(password, email=user.email, name=user.name)
    password_hash = hash_password(password)  # outside the transaction: hashing is slow
    with database.atomic():
        User.update(password_hash=password_hash, must_change_password=must_change,
                    session_version=User.session_version + 1).where(User.id == user.id).execute()
        audit.record("password_changed", user, actor=actor or user)
    fresh = User.get_by_id(user.id)
    user.password_hash, user.session_version = fresh.password_hash, fresh.session_version
    user.must_change_password = fresh.must_change_password


def sign_out_everywhere(user: User) -> None:
    user.bump_session_version()
    audit.record("sign_out", user, actor=user)


def clear_failures_older_than(days: int = 1) -> int:
    return LoginFailure.delete().where(LoginFailure.at < utcnow() - timedelta(days=days)).execute()
