"""The audit trail: who did what to which object, and when. Never free text."""

import logging

from flask import g, has_request_context
from flask_login import current_user

from .models import AuditEvent

log = logging.getLogger("growth.audit")


def record(action: str, target=None, *, actor=None, detail: str = "") -> AuditEvent:
    """Append one audit event. `actor` defaults to the signed-in person."""
    from .security import client_address

    if hasattr(target, "_get_current_object"):
        target = target._get_current_object()  # current_user: name the user, not the proxy
    address = request_id = ""
    if has_request_context():
        address = client_address()
        request_id = g.get("request_id", "")
        if actor is None and current_user.is_authenticated:
            actor = current_user._get_current_object()
    event = AuditEvent.create(
        actor=actor,
        actor_role=getattr(actor, "role", "") or "",
        action=action,
        target_type=type(target).__name__.lower() if target is not None else "",
        target_id=getattr(target, "id", None),
        detail=one_line(detail)[:500],
        address=address,
        request_id=request_id,
    )
    log.info("audit", extra={"action": action, "target_id": event.target_id,
                             "request_id": request_id})
    return event



def one_line(text: str) -> str:
    """`text` with control characters written as escapes (`\\n`), so a value a person typed
    (an email at sign-in) can't start a forged line wherever the audit trail is shipped."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
                   for ch in text)
