"""Contacts as evidence: each field value is a row with its source, message, time and rank.

The current contact is derived: for a single-valued field the strongest, newest
evidence wins; list fields (emails, phones, urls, coverage) are the union of the
live evidence. New evidence never overwrites a row; it is added beside it.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from harvester.understand.types import Contact as SeenContact
from store import audit
from store.models import Contact, ContactEvidence, ContactKey, utcnow

__all__ = [
    "LIST_FIELDS",
    "SINGLE_FIELDS",
    "ContactPolicy",
    "EvidenceSource",
    "add_evidence",
    "apply_understanding",
    "current_view",
    "find_contact",
    "list_contacts",
    "record_sighting",
]


class EvidenceSource(StrEnum):
    MANUAL = "manual"
    SIGNATURE = "signature"
    IMPORT = "import"
    AUTOREPLY = "autoreply"
    THIRD_PARTY_MENTION = "third_party_mention"


#: manual > signature > import > auto-reply > a third party's mention; newer wins within a rank.
RANK = {
    EvidenceSource.MANUAL: 100,
    EvidenceSource.SIGNATURE: 60,
    EvidenceSource.IMPORT: 50,
    EvidenceSource.AUTOREPLY: 40,
    EvidenceSource.THIRD_PARTY_MENTION: 10,
}

SINGLE_FIELDS = ("name", "title", "organization", "address")
LIST_FIELDS = ("emails", "phones", "urls", "coverage")


def find_contact(session: Session, *, emails: list[str] = (), phones: list[str] = ()) -> Contact | None:  # type: ignore[assignment]
    """The contact any of these normalised keys belongs to."""
    for kind, values in (("email", emails), ("phone", phones)):
        if values:
            found = session.scalar(
                select(Contact)
                .join(ContactKey)
                .where(ContactKey.kind == kind, ContactKey.value.in_(list(values)))
                .limit(1)
            )
            if found is not None:
                return found
    return None


def _add_key(session: Session, contact: Contact, kind: str, value: str) -> None:
    exists = session.scalar(select(ContactKey.id).where(ContactKey.kind == kind, ContactKey.value == value))
    if exists is None:
        session.add(ContactKey(contact_id=contact.id, kind=kind, value=value))


def add_evidence(
    session: Session,
    contact: Contact,
    *,
    field: str,
    value: Any,
    source: EvidenceSource,
    message_id: str | None,
    seen_at: datetime,
    actor: str,
    reason: str,
) -> bool:
    """Record one value; False when the same value from the same message is already held."""
    encoded = json.dumps(value, ensure_ascii=False, sort_keys=True)
    duplicate = session.scalar(
        select(ContactEvidence.id).where(
            ContactEvidence.contact_id == contact.id,
            ContactEvidence.field == field,
            ContactEvidence.value == encoded,
            ContactEvidence.source == source.value,
            ContactEvidence.message_id == message_id if message_id else ContactEvidence.message_id.is_(None),
        )
    )
    if duplicate is not None:
        return False
    session.add(
        ContactEvidence(
            contact_id=contact.id,
            field=field,
            value=encoded,
            source=source.value,
            rank=RANK[source],
            message_id=message_id,
            seen_at=seen_at,
        )
    )
    audit.record(
        session,
        action="evidence.added",
        object_kind="contact",
        object_id=contact.id,
        actor=actor,
        field=field,
        reason=reason,
        source=source.value,
    )
    contact.updated_at = utcnow()
    return True


def record_sighting(
    session: Session,
    seen: SeenContact,
    *,
    source: EvidenceSource,
    message_id: str | None,
    seen_at: datetime,
    legal_basis: str,
    actor: str,
) -> Contact | None:
    """Add what one message says about its sender; creates the contact on first sight."""
    emails = [e.lower() for e in seen.emails]
    phones = [p.e164 for p in seen.phones]
    if not emails:
        return None
    contact = find_contact(session, emails=emails, phones=phones)
    if contact is None:
        contact = Contact(legal_basis=legal_basis, status="active")
        session.add(contact)
        session.flush()
        audit.record(
            session,
            action="contact.created",
            object_kind="contact",
            object_id=contact.id,
            actor=actor,
            reason=f"{source.value} in message",
            source=source.value,
        )
    for email in emails:
        _add_key(session, contact, "email", email)
    for phone in phones:
        _add_key(session, contact, "phone", phone)
    values: list[tuple[str, Any]] = [
        ("name", seen.name),
        ("title", seen.title),
        ("organization", seen.organization),
        ("address", asdict(seen.address) if seen.address else None),
    ]
    values += [("emails", e) for e in emails]
    values += [("phones", {"e164": p.e164, "type": p.type.value}) for p in seen.phones]
    values += [("urls", u) for u in seen.urls]
    values += [("coverage", c) for c in seen.coverage]
    for field, value in values:
        if value:
            add_evidence(
                session,
                contact,
                field=field,
                value=value,
                source=source,
                message_id=message_id,
                seen_at=seen_at,
                actor=actor,
                reason=f"{source.value} in message",
            )
    if contact.last_activity_at is None or seen_at > contact.last_activity_at:
        contact.last_activity_at = seen_at
    return contact


def current_view(session: Session, contact: Contact) -> dict[str, Any]:
    """The contract's contact object, derived from live evidence."""
    rows = session.scalars(
        select(ContactEvidence)
        .where(ContactEvidence.contact_id == contact.id, ContactEvidence.superseded_at.is_(None))
        .order_by(ContactEvidence.rank.desc(), ContactEvidence.seen_at.desc(), ContactEvidence.id.desc())
    ).all()
    view: dict[str, Any] = {"id": contact.id}
    for field in SINGLE_FIELDS:
        best = next((r for r in rows if r.field == field), None)
        view[field] = json.loads(best.value) if best else None
    for field in LIST_FIELDS:
        seen: list[Any] = []
        for row in rows:
            if row.field == field:
                value = json.loads(row.value)
                if value not in seen:
                    seen.append(value)
        view[field] = seen
    view["status"] = contact.status
    view["opt_outs"] = sorted(o.channel for o in contact.opt_outs)
    view["legal_basis"] = contact.legal_basis
    view["updated_at"] = contact.updated_at.isoformat() if contact.updated_at else None
    return view


def list_contacts(
    session: Session, *, status: str | None = None, coverage: str | None = None
) -> list[dict[str, Any]]:
    query = select(Contact).order_by(Contact.id)
    if status:
        query = query.where(Contact.status == status)
    views = [current_view(session, c) for c in session.scalars(query)]
    if coverage:
        views = [v for v in views if coverage in v["coverage"]]
    return views


class ContactPolicy:
    """What the pipeline needs to decide about contacts: legal basis, suppression, actor."""

    def __init__(self, *, legal_basis: str, suppressor: Any | None, actor: str = audit.DAEMON) -> None:
        self.legal_basis = legal_basis
        self.suppressor = suppressor
        self.actor = actor


def apply_understanding(
    session: Session, understanding: Any, *, seen_at: datetime, policy: ContactPolicy
) -> Contact | None:
    """Everything one understood message changes about contacts, in the caller's transaction."""
    seen = understanding.contact
    if seen is None:
        return None
    if policy.suppressor is not None and (
        policy.suppressor.is_suppressed(session, "email", seen.emails)
        or policy.suppressor.is_suppressed(session, "phone", [p.e164 for p in seen.phones])
    ):
        return None
    source = EvidenceSource.AUTOREPLY if understanding.kind.value == "autoreply" else EvidenceSource.SIGNATURE
    return record_sighting(
        session,
        seen,
        source=source,
        message_id=understanding.message_id,
        seen_at=seen_at,
        legal_basis=policy.legal_basis,
        actor=policy.actor,
    )
