"""Messages: stored once (by Message-ID, else content hash) however often they are seen."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from harvester.sources.raw import RawMessage
from harvester.understand.types import Understanding
from store.batch import BatchContext, chunks, new_row
from store.models import Message, MessageLocation, MessageParticipant, utcnow

__all__ = ["add_location", "find_stored", "prefetch", "store_message"]


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


def _location_values(raw: RawMessage) -> dict[str, Any]:
    origin = raw.origin
    return {
        "account": origin.account,
        "folder": origin.folder,
        "uidvalidity": origin.uidvalidity,
        "uid": origin.uid,
        "path": origin.path if origin.uid is None else None,
    }


def _add_location(session: Session, message: Message, raw: RawMessage) -> None:
    session.add(MessageLocation(message_pk=message.id, **_location_values(raw)))


def _location_key(
    account: str | None, folder: str | None, validity: int | None, uid: int | None, path: str | None
) -> tuple[Any, ...]:
    return ("uid", account, folder, validity, uid) if uid is not None else ("path", path)


def _origin_key(raw: RawMessage) -> tuple[Any, ...]:
    o = raw.origin
    return _location_key(o.account, o.folder, o.uidvalidity, o.uid, o.path)


def prefetch(
    session: Session, batch: BatchContext, raws: Sequence[RawMessage], message_ids: Iterable[str]
) -> None:
    """One batch's stored copies (by hash and by Message-ID) and where they were seen: a few queries."""
    hashes = list(dict.fromkeys(raw.content_hash for raw in raws))
    mids = list(dict.fromkeys(message_ids))
    for chunk in chunks(hashes):
        for pk, content_hash in session.execute(
            select(Message.id, Message.content_hash).where(Message.content_hash.in_(chunk))
        ):
            batch.by_hash[content_hash] = pk
    for chunk in chunks(mids):
        for pk, mid in session.execute(
            select(Message.id, Message.message_id).where(Message.message_id.in_(chunk)).order_by(Message.id)
        ):
            if mid is not None:
                batch.by_message_id.setdefault(mid, pk)
    pks = [pk for pk in {*batch.by_hash.values(), *batch.by_message_id.values()} if isinstance(pk, int)]
    for some in chunks(pks):
        for pk, account, folder, validity, uid, path in session.execute(
            select(
                MessageLocation.message_pk,
                MessageLocation.account,
                MessageLocation.folder,
                MessageLocation.uidvalidity,
                MessageLocation.uid,
                MessageLocation.path,
            ).where(MessageLocation.message_pk.in_(some))
        ):
            batch.locations.setdefault(pk, set()).add(_location_key(account, folder, validity, uid, path))


def _note_location(session: Session, batch: BatchContext, found: Message | int, raw: RawMessage) -> None:
    """The batch form of `_location_exists` + `_add_location`: no query."""
    key = _origin_key(raw)
    held = batch.locations.setdefault(found, set())
    if key in held:
        return
    held.add(key)
    message_pk = found.id if isinstance(found, Message) else found
    batch.add_row(session, new_row(MessageLocation, message_pk=message_pk, **_location_values(raw)))


def add_location(session: Session, raw: RawMessage, *, batch: BatchContext | None = None) -> None:
    """Record that already-stored bytes were seen at `raw`'s origin too (idempotent)."""
    if batch is not None:
        found = batch.by_hash.get(raw.content_hash)
        if found is not None:
            _note_location(session, batch, found, raw)
            return
    message = session.scalar(select(Message).where(Message.content_hash == raw.content_hash))
    if message is not None and not _location_exists(session, message, raw):
        _add_location(session, message, raw)


def store_message(
    session: Session, raw: RawMessage, understanding: Understanding, *, batch: BatchContext | None = None
) -> tuple[Message, bool]:
    """Store a message or find its copy; returns (message, created). Adds where it was seen.

    With a `batch` (its `prefetch` done) the new message and its rows get their ids here and
    are not flushed (the caller flushes once for the whole batch), and finding a copy costs
    no query unless a stored copy has to be loaded to be returned.
    """
    envelope = understanding.envelope
    content_hash = raw.content_hash
    if batch is not None:
        found = batch.by_hash.get(content_hash)
        if found is None and envelope.message_id is not None:
            found = batch.by_message_id.get(envelope.message_id)
        if found is not None:
            _note_location(session, batch, found, raw)
            return (found if isinstance(found, Message) else session.get_one(Message, found)), False
    else:
        existing = find_stored(session, message_id=envelope.message_id, content_hash=content_hash)
        if existing is not None:
            if not _location_exists(session, existing, raw):
                _add_location(session, existing, raw)
            return existing, False
    values = {
        "message_id": envelope.message_id,
        "content_hash": content_hash,
        "kind": understanding.kind.value,
        "subject": envelope.subject,
        "sender_email": envelope.sender.email if envelope.sender else None,
        "sent_at": envelope.date,
        "in_reply_to": envelope.in_reply_to,
        "references": json.dumps(envelope.references) if envelope.references else None,
        "body": understanding.body,
        "defects": ",".join(understanding.defects) or None,
    }
    boxes = [
        (role, box)
        for role, some in (
            ("from", [envelope.sender] if envelope.sender else []),
            ("to", envelope.to),
            ("cc", envelope.cc),
        )
        for box in some
    ]
    if batch is not None:
        message = new_row(Message, id=batch.new_id(session, Message), stored_at=utcnow(), **values)
        # Written by the batch's flush in one INSERT per table; the collection is set as loaded.
        participants = [
            new_row(MessageParticipant, message_pk=message.id, role=role, email=box.email, name=box.name)
            for role, box in boxes
        ]
        for participant in participants:
            batch.add_row(session, participant)
        batch.add_new(message, participants=participants)
        batch.by_hash[content_hash] = message
        if envelope.message_id is not None:
            batch.by_message_id.setdefault(envelope.message_id, message)
        batch.locations[message] = set()
        _note_location(session, batch, message, raw)
        return message, True
    message = Message(**values)
    participants = [MessageParticipant(role=role, email=box.email, name=box.name) for role, box in boxes]
    session.add(message)
    message.participants.extend(participants)
    session.flush()
    _add_location(session, message, raw)
    return message, True
