"""The private calendar feed: a long random address, stored only as its SHA-256; making a
new one revokes the old; every use, refusal and revocation is audited without the token."""

import hashlib
import secrets

from .. import audit
from ..db import write_transaction
from ..models import User
from ..permissions import can_manage_calendar

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def make_feed(user, person) -> str:
    """A new feed token for `person` (the old one stops working); returned once, never
    stored."""
    if not can_manage_calendar(user, person):
        raise PermissionError
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with write_transaction():
        replaced = person.calendar_token_hash is not None
        User.update(calendar_token_hash=token_hash(token)).where(User.id == person.id).execute()
        audit.record("calendar_feed_made", person, actor=user,
                     detail="replaced the previous address" if replaced else "")
    person.calendar_token_hash = token_hash(token)
    return token


def remove_feed(user, person) -> None:
    if not can_manage_calendar(user, person):
        raise PermissionError
    with write_transaction():
        if User.update(calendar_token_hash=None).where(
                User.id == person.id, User.calendar_token_hash.is_null(False)).execute():
            audit.record("calendar_feed_revoked", person, actor=user)
    person.calendar_token_hash = None


def feed_owner(token: str) -> User | None:
    """The active person whose feed `token` opens, or None (audited either way)."""
    person = None
    if 20 <= len(token) <= 100:
        person = User.get_or_none(User.calendar_token_hash == token_hash(token))
    if person is None or not person.can_sign_in():
        audit.record("calendar_feed_refused")
        return None
    audit.record("calendar_feed_read", person, actor=person)
    return person
