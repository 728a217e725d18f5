"""Tags and notes of communication on a contact, with provenance and audit.

Why a gate: a note is free text typed by a person ("ringde, hon är sjukskriven,
pnr 19121212-1212"), the easiest way for Art. 9 data or a personal identity number
to reach the database. So every note passes through the same redaction gate as
mail (`harvester.understand.redact`) before it is stored: what is stored is the
gate's output and the categories it removed, never the removed words. A tag is
a short label that is meant to be shown as it is, so a tag the gate would change
is refused instead of being stored with a placeholder in it.

Each tag and note may be filed under a purpose (store/purposes.py): that is
what lets a newsletter unsubscribe or a purpose's retention remove exactly the
tags and notes held for that purpose and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session

from harvester.errors import InputError
from harvester.understand.redact import redact
from store import audit
from store.models import Contact, ContactNote, ContactTag, utcnow

__all__ = [
    "MAX_TAG_LENGTH",
    "Gated",
    "add_note",
    "add_tag",
    "clean_tag",
    "delete_all",
    "delete_for_purpose",
    "gate",
    "notes_of",
    "remove_tag",
    "tags_of",
]

MAX_TAG_LENGTH = 100


@dataclass(frozen=True, slots=True)
class Gated:
    """Text after the redaction gate and the category names it removed."""

    text: str
    categories: tuple[str, ...]


def gate(text: str, *, rules_dir: Path | None = None) -> Gated:
    """The redaction gate of the understanding stage (`harvester.understand.redact`), as mail passes it."""
    result = redact(text, rules_dir=rules_dir)
    return Gated(result.text, tuple(c.value for c in result.categories))


def tags_of(session: Session, contact: Contact) -> list[ContactTag]:
    return list(
        session.scalars(
            select(ContactTag).where(ContactTag.contact_id == contact.id).order_by(ContactTag.tag)
        )
    )


def notes_of(session: Session, contact: Contact) -> list[ContactNote]:
    return list(
        session.scalars(
            select(ContactNote)
            .where(ContactNote.contact_id == contact.id)
            .order_by(ContactNote.created_at, ContactNote.id)
        )
    )


def clean_tag(tag: str, *, rules_dir: Path | None = None) -> str:
    """The tag as stored (whitespace collapsed); InputError when it is empty, long or sensitive."""
    tag = " ".join(tag.split())
    if not tag or len(tag) > MAX_TAG_LENGTH:
        raise InputError(f"a tag is 1 to {MAX_TAG_LENGTH} characters")
    if gate(tag, rules_dir=rules_dir).categories:
        raise InputError(
            "a tag may not hold special-category data or an identity number; use a neutral label"
        )
    return tag


def add_tag(
    session: Session,
    contact: Contact,
    tag: str,
    *,
    purpose: str | None,
    source: str,
    actor: str,
    rules_dir: Path | None = None,
    fresh: bool = False,
) -> bool:
    """Tag a contact; False when it had the tag already (case-insensitive).

    `fresh`: the contact was created in this unit of work (a bulk import): nothing to look
    up, and the caller flushes.
    """
    tag = clean_tag(tag, rules_dir=rules_dir)
    held = set() if fresh else {t.tag.casefold() for t in tags_of(session, contact)}
    if tag.casefold() in held:
        return False
    session.add(ContactTag(contact_id=contact.id, tag=tag, purpose=purpose, source=source))
    contact.updated_at = utcnow()
    audit.contact_event(
        session, contact.id, "tag.added", actor=actor, field="tags", reason=purpose or "tag", source=source
    )
    if not fresh:
        session.flush()
    return True


def remove_tag(session: Session, contact: Contact, tag: str, *, actor: str) -> bool:
    wanted = " ".join(tag.split()).casefold()
    found = [t for t in tags_of(session, contact) if t.tag.casefold() == wanted]
    for row in found:
        session.delete(row)
        audit.contact_event(session, contact.id, "tag.removed", actor=actor, field="tags", reason="by hand")
    if found:
        contact.updated_at = utcnow()
        session.flush()
    return bool(found)


def add_note(
    session: Session,
    contact: Contact,
    text: str,
    *,
    purpose: str | None,
    source: str,
    actor: str,
    message_id: str | None = None,
    rules_dir: Path | None = None,
    fresh: bool = False,
) -> ContactNote:
    """Store a note after the redaction gate; the audit names the removed categories, never words."""
    if not text.strip():
        raise InputError("an empty note")
    gated = gate(text.strip(), rules_dir=rules_dir)
    note = ContactNote(
        contact_id=contact.id,
        text=gated.text,
        purpose=purpose,
        source=source,
        message_id=message_id,
        redactions=",".join(gated.categories) or None,
    )
    session.add(note)
    contact.updated_at = utcnow()
    reason = f"redacted: {','.join(gated.categories)}" if gated.categories else (purpose or "note")
    audit.contact_event(
        session, contact.id, "note.added", actor=actor, field="notes", reason=reason, source=source
    )
    if not fresh:
        session.flush()
    return note


def delete_for_purpose(session: Session, contact_id: int, purpose: str) -> None:
    """Delete the tags and notes filed under one purpose."""
    session.execute(
        delete(ContactTag).where(ContactTag.contact_id == contact_id, ContactTag.purpose == purpose)
    )
    session.execute(
        delete(ContactNote).where(ContactNote.contact_id == contact_id, ContactNote.purpose == purpose)
    )


def delete_all(session: Session, contact_id: int, what: str) -> int:
    """Delete every tag (`what="tags"`) or note (`"notes"`) of a contact (erasure); rows deleted."""
    statement = (
        delete(ContactTag).where(ContactTag.contact_id == contact_id)
        if what == "tags"
        else delete(ContactNote).where(ContactNote.contact_id == contact_id)
    )
    result = cast(CursorResult[Any], session.execute(statement))
    return result.rowcount or 0
