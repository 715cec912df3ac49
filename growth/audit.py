"""The audit trail: who did what to which object, and when. Never free text."""

import logging

from flask import has_request_context
from flask_login import current_user

from .models import AuditEvent

log = logging.getLogger("growth.audit")


def record(action: str, target=None, *, actor=None, detail: str = "") -> AuditEvent:
    """Append one audit event. `actor` defaults to the signed-in person."""
    from .security import client_address

    address = ""
    if has_request_context():
        address = client_address()
        if actor is None and current_user.is_authenticated:
            actor = current_user._get_current_object()
    event = AuditEvent.create(
        actor=actor,
        actor_role=getattr(actor, "role", "") or "",
        action=action,
        target_type=type(target).__name__.lower() if target is not None else "",
        target_id=getattr(target, "id", None),
        detail=detail[:500],
        address=address,
    )
    log.info("audit", extra={"action": action, "target_id": event.target_id})
    return event

