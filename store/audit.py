"""The audit log: every change to personal data, with its reason, and never a value."""

from __future__ import annotations

import getpass
import os
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import AuditEvent

__all__ = ["DAEMON", "cli_actor", "contact_event", "list_events", "record"]

DAEMON = "daemon"


def cli_actor() -> str:
    """The OS user running the CLI, as the audit's actor."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return f"cli:uid{os.getuid()}"


def record(
    session: Session,
    *,
    action: str,
    object_kind: str,
    object_id: int | None,
    actor: str,
    field: str | None = None,
    reason: str | None = None,
    source: str | None = None,
) -> AuditEvent:
    """Add one event to the current transaction (so it commits or rolls back with the change)."""
    event = AuditEvent(
        action=action,
        object_kind=object_kind,
        object_id=object_id,
        actor=actor,
        field=field,
        reason=reason,
        source=source,
    )
    session.add(event)
    return event


def contact_event(
    session: Session,
    contact_id: int | None,
    action: str,
    *,
    actor: str,
    field: str | None = None,
    reason: str | None = None,
    source: str | None = None,
) -> AuditEvent:
    """An event about one contact (the common case): ids, field names and reasons only."""
    return record(
        session,
        action=action,
        object_kind="contact",
        object_id=contact_id,
        actor=actor,
        field=field,
        reason=reason,
        source=source,
    )


def list_events(session: Session, *, since: datetime | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.at, AuditEvent.id)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    return list(session.scalars(query))
