"""Argon2id password hashing (argon2-cffi), with upgrades on sign-in."""

import contextlib

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from flask import current_app

# Verified against when an email is unknown, so both answers cost one hash.
_DUMMY_PASSWORD = "growth-dummy-password-for-timing"  # noqa: S105
_dummy_hashes: dict[tuple, str] = {}


def hasher() -> PasswordHasher:
    return PasswordHasher(**current_app.config["PASSWORD_HASH"])


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    ph = hasher()
    if not stored_hash:
        key = tuple(sorted(current_app.config["PASSWORD_HASH"].items()))
        if key not in _dummy_hashes:
            _dummy_hashes[key] = ph.hash(_DUMMY_PASSWORD)
        stored_hash, password = _dummy_hashes[key], password + "\x00unknown"
        with contextlib.suppress(VerificationError, InvalidHashError):
            ph.verify(stored_hash, password)
        return False
    try:
        return ph.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    try:
        return hasher().check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
