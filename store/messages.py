"""Messages: stored once (by Message-ID, else content hash) however often they are seen."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from harvester.sources.raw import RawMessage
from harvester.understand.types import Understanding
from store.models import Message, MessageLocation, MessageParticipant

__all__ = ["add_location", "find_stored", "store_message"]


def find_stored(session: Session, *, message_id: str | None, content_hash: str) -> Message | None:
    """The stored copy of a message: same bytes, or the same Message-ID (Sent vs INBOX copies)."""
    found = session.scalar(select(Message).where(Message.content_hash == content_hash))
    if found is not None or message_id is None:
        return found
    return session.scalar(select(Message).where(Message.message_id == message_id).limit(1))


def _location_exists(session: Session, message: Message, raw: RawMessage) -> bool:
    origin = raw.origin
    query = select(MessageLocation.id).where(MessageLocation.message_pk == message.id)
    if origin.uid is not None:
        query = query.where(
            MessageLocation.account == origin.account,
            MessageLocation.folder == origin.folder,
            MessageLocation.uidvalidity == origin.uidvalidity,
            MessageLocation.uid == origin.uid,
        )
    else:
        query = query.where(MessageLocation.path == origin.path)
    return session.scalar(query.limit(1)) is not None


def _add_location(session: Session, message: Message, raw: RawMessage) -> None:
    origin = raw.origin
    session.add(
        MessageLocation(
            message_pk=message.id,
            account=origin.account,
            folder=origin.folder,
            uidvalidity=origin.uidvalidity,
            uid=origin.uid,
            path=origin.path if origin.uid is None else None,
        )
    )


def add_location(session: Session, raw: RawMessage) -> None:
    """Record that already-stored bytes were seen at `raw`'s origin too (idempotent)."""
    message = session.scalar(select(Message).where(Message.content_hash == raw.content_hash))
    if message is not None and not _location_exists(session, message, raw):
        _add_location(session, message, raw)


def store_message(session: Session, raw: RawMessage, understanding: Understanding) -> tuple[Message, bool]:
    """Store a message or find its copy; returns (message, created). Adds where it was seen."""
    envelope = understanding.envelope
    content_hash = raw.content_hash
    existing = find_stored(session, message_id=envelope.message_id, content_hash=content_hash)
    if existing is not None:
        if not _location_exists(session, existing, raw):
            _add_location(session, existing, raw)
        return existing, False
    message = Message(
        message_id=envelope.message_id,
        content_hash=content_hash,
        kind=understanding.kind.value,
        subject=envelope.subject,
        sender_email=envelope.sender.email if envelope.sender else None,
        sent_at=envelope.date,
        in_reply_to=envelope.in_reply_to,
        references=json.dumps(envelope.references) if envelope.references else None,
        body=understanding.body,
        defects=",".join(understanding.defects) or None,
    )
    session.add(message)
    for role, boxes in (
        ("from", [envelope.sender] if envelope.sender else []),
        ("to", envelope.to),
        ("cc", envelope.cc),
    ):
        for box in boxes:
            message.participants.append(MessageParticipant(role=role, email=box.email, name=box.name))
    session.flush()
    _add_location(session, message, raw)
    return message, True
