"""SQLAlchemy 2.x typed declarative models: the whole schema in one place.

Design (shared/ARCHITECTURE.md): contact data is *evidence*, one row per value
with its source, message, time and rank; the current contact is derived from it.
Erasure deletes rows. The audit holds ids and kinds, never values. Suppression
holds keyed hashes only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "AuditEvent",
    "Base",
    "Contact",
    "ContactEvidence",
    "ContactKey",
    "ContactNote",
    "ContactPurpose",
    "ContactTag",
    "Message",
    "MessageLocation",
    "MessageParticipant",
    "OptOut",
    "Project",
    "RuntimeState",
    "SourceCursor",
    "Suppression",
    "Thread",
    "ThreadContainer",
    "utcnow",
]


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC, returns aware datetimes, on SQLite (no time zones) and PostgreSQL alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class CleanString(TypeDecorator[str]):
    """A string column that never fails on what mail may carry.

    PostgreSQL refuses NUL characters in text and raises on values longer than the column;
    SQLite accepts both. Mail headers can hold either, so values are cleaned (NUL removed,
    cut to the column's length) on the way in, the same on both databases.
    """

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        if value is None:
            return None
        value = value.replace("\x00", "")
        length = getattr(self.impl, "length", None)
        return value[:length] if length else value


class CleanText(CleanString):
    """Unbounded text, cleaned of NUL characters like CleanString."""

    impl = Text
    cache_ok = True


intpk = Annotated[int, mapped_column(Integer, primary_key=True)]
timestamp = Annotated[datetime, mapped_column(UTCDateTime(), default=utcnow)]
short = Annotated[str, mapped_column(CleanString(255))]
msgid = Annotated[str, mapped_column(CleanString(998))]


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), date: Date(), str: CleanString(255)}


class SourceCursor(Base):
    """How far one account/folder has been read; written in the same transaction as its messages."""

    __tablename__ = "source_cursors"
    __table_args__ = (UniqueConstraint("account", "folder"),)

    id: Mapped[intpk]
    account: Mapped[short]
    folder: Mapped[short]
    uidvalidity: Mapped[int] = mapped_column(BigInteger)
    last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    last_poll_at: Mapped[datetime | None]
    messages_seen: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(CleanText())


class Project(Base):
    """A project (or a support case, `kind="support"`): its conversations are kept while it is open.

    No expiry date is stored: retention computes it from `closed_on` and the policy, so closing,
    reopening and relinking can never leave a stale date behind.
    """

    __tablename__ = "projects"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(CleanString(64), unique=True)
    name: Mapped[short]
    kind: Mapped[str] = mapped_column(CleanString(16), default="project")  # project | support
    state: Mapped[str] = mapped_column(CleanString(16), default="open")
    created_at: Mapped[timestamp]
    closed_on: Mapped[date | None]
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False)

    threads: Mapped[list[Thread]] = relationship(back_populates="project")


class Thread(Base):
    """A conversation. `link_source` says how it got its project: "manual" beats "rule"."""

    __tablename__ = "threads"

    id: Mapped[intpk]
    subject: Mapped[str | None] = mapped_column(CleanText())
    #: The subject without reply/forward prefixes, lowercased: only for header-less replies.
    subject_key: Mapped[str | None] = mapped_column(CleanString(255), index=True)
    root_message_id: Mapped[str | None] = mapped_column(CleanString(998))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id", ondelete="SET NULL"), index=True)
    link_source: Mapped[str | None] = mapped_column(CleanString(16))
    created_at: Mapped[timestamp]
    last_message_at: Mapped[datetime | None]

    project: Mapped[Project | None] = relationship(back_populates="threads")
    messages: Mapped[list[Message]] = relationship(back_populates="thread", passive_deletes=True)


class ThreadContainer(Base):
    """A JWZ container: one Message-ID, held (`message_pk`) or only referenced (a phantom).

    Keeping phantoms is what lets a reply that arrived first be joined by its parent
    later, and `parent_message_id` is the reply tree (never a cycle).
    """

    __tablename__ = "thread_containers"

    id: Mapped[intpk]
    message_id: Mapped[str] = mapped_column(CleanString(998), unique=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    parent_message_id: Mapped[str | None] = mapped_column(CleanString(998))
    message_pk: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"), index=True)


class Message(Base):
    """One message, stored once however many folders it was seen in."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_message_id", "message_id"),)

    id: Mapped[intpk]
    message_id: Mapped[str | None] = mapped_column(CleanString(998))
    content_hash: Mapped[str] = mapped_column(CleanString(64), unique=True)
    kind: Mapped[str] = mapped_column(CleanString(16))
    subject: Mapped[str | None] = mapped_column(CleanText())
    sender_email: Mapped[str | None] = mapped_column(CleanString(320), index=True)
    sent_at: Mapped[datetime | None]
    in_reply_to: Mapped[str | None] = mapped_column(CleanString(998))
    references: Mapped[str | None] = mapped_column(CleanText())  # JSON list of Message-IDs
    #: The sender's own text, quotes cut, redacted: nothing of Art. 9 ever reaches this column.
    body: Mapped[str | None] = mapped_column(CleanText())
    defects: Mapped[str | None] = mapped_column(CleanText())
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="SET NULL"), index=True)
    stored_at: Mapped[timestamp]

    thread: Mapped[Thread | None] = relationship(back_populates="messages")
    locations: Mapped[list[MessageLocation]] = relationship(
        back_populates="message", cascade="all, delete-orphan", passive_deletes=True
    )
    participants: Mapped[list[MessageParticipant]] = relationship(
        back_populates="message", cascade="all, delete-orphan", passive_deletes=True
    )


class MessageLocation(Base):
    """Where a stored message was seen: an IMAP UID or a file."""

    __tablename__ = "message_locations"
    __table_args__ = (
        UniqueConstraint("account", "folder", "uidvalidity", "uid"),
        Index("ix_message_locations_path", "path"),
    )

    id: Mapped[intpk]
    #: Indexed: deleting a message (retention, erasure) looks its locations up by this key.
    message_pk: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    account: Mapped[str | None] = mapped_column(CleanString(255))
    folder: Mapped[str | None] = mapped_column(CleanString(255))
    uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    uid: Mapped[int | None] = mapped_column(BigInteger)
    path: Mapped[str | None] = mapped_column(CleanText())
    seen_at: Mapped[timestamp]

    message: Mapped[Message] = relationship(back_populates="locations")


class MessageParticipant(Base):
    __tablename__ = "message_participants"

    id: Mapped[intpk]
    message_pk: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(CleanString(8))  # from | to | cc
    email: Mapped[str] = mapped_column(CleanString(320), index=True)
    name: Mapped[str | None] = mapped_column(CleanString(255))

    message: Mapped[Message] = relationship(back_populates="participants")


class Contact(Base):
    """A person. Field values live in ContactEvidence; this row holds state only."""

    __tablename__ = "contacts"

    id: Mapped[intpk]
    status: Mapped[str] = mapped_column(CleanString(32), default="active")
    #: When `status` last changed, so only newer evidence can change it again.
    status_since: Mapped[datetime | None]
    legal_basis: Mapped[str] = mapped_column(CleanString(32))
    needs_art14_notice: Mapped[bool] = mapped_column(Boolean, default=False)
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Out of office from an auto-reply: an AutoReplyReason value (never a health word) and until when.
    absence_reason: Mapped[str | None] = mapped_column(CleanString(32))
    absence_until: Mapped[date | None]
    absence_since: Mapped[datetime | None]
    created_at: Mapped[timestamp]
    updated_at: Mapped[timestamp]
    last_activity_at: Mapped[datetime | None]
    #: The newest message exchanged with the agency (sent by, to or cc this contact), kept by
    #: store.retention.record_exchange: the clock of the inactive-contacts rule. Unlike
    #: `last_activity_at`, a signature or auto-reply sighting alone never moves it.
    last_exchange_at: Mapped[datetime | None]

    keys: Mapped[list[ContactKey]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", passive_deletes=True
    )
    evidence: Mapped[list[ContactEvidence]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", passive_deletes=True
    )
    opt_outs: Mapped[list[OptOut]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", passive_deletes=True
    )


class ContactKey(Base):
    """A normalised e-mail address or E.164 number that identifies one contact."""

    __tablename__ = "contact_keys"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: Mapped[intpk]
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(CleanString(8))  # email | phone
    value: Mapped[str] = mapped_column(CleanString(320))

    contact: Mapped[Contact] = relationship(back_populates="keys")


class ContactEvidence(Base):
    """One value of one field, with where it came from. Superseded rows are the field's history."""

    __tablename__ = "contact_evidence"
    __table_args__ = (Index("ix_contact_evidence_contact_field", "contact_id", "field"),)

    id: Mapped[intpk]
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(CleanString(32))
    value: Mapped[str] = mapped_column(CleanText())  # JSON
    source: Mapped[str] = mapped_column(CleanString(32))
    rank: Mapped[int] = mapped_column(Integer)
    #: Indexed: retention deletes the evidence a deleted message alone supported.
    message_id: Mapped[str | None] = mapped_column(CleanString(998), index=True)
    seen_at: Mapped[datetime]
    recorded_at: Mapped[timestamp]
    superseded_at: Mapped[datetime | None]

    contact: Mapped[Contact] = relationship(back_populates="evidence")


class OptOut(Base):
    __tablename__ = "opt_outs"
    __table_args__ = (UniqueConstraint("contact_id", "channel"),)

    id: Mapped[intpk]
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(CleanString(16))
    source: Mapped[str] = mapped_column(CleanString(32))
    message_id: Mapped[str | None] = mapped_column(CleanString(998))
    set_at: Mapped[timestamp]

    contact: Mapped[Contact] = relationship(back_populates="opt_outs")


class ContactPurpose(Base):
    """Why the organisation holds a person, one row per purpose, each with its own legal basis.

    A consent purpose (newsletter) records when and how consent was given; `ended_at` is
    when the relationship under this purpose ended (membership left, event held, case
    closed) and dates its retention; `objected` is an Art. 21 objection to its marketing use.
    """

    __tablename__ = "contact_purposes"
    __table_args__ = (UniqueConstraint("contact_id", "purpose"),)

    id: Mapped[intpk]
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(CleanString(32))
    legal_basis: Mapped[str] = mapped_column(CleanString(32))
    consent_given_at: Mapped[datetime | None]
    consent_source: Mapped[str | None] = mapped_column(CleanString(255))
    source: Mapped[str] = mapped_column(CleanString(32))
    started_at: Mapped[timestamp]
    ended_at: Mapped[datetime | None]
    objected: Mapped[bool] = mapped_column(Boolean, default=False)


class ContactTag(Base):
    """A label on a contact ("Årsmöte 2025"), optionally filed under a purpose."""

    __tablename__ = "contact_tags"
    __table_args__ = (UniqueConstraint("contact_id", "tag"),)

    id: Mapped[intpk]
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    tag: Mapped[short]
    purpose: Mapped[str | None] = mapped_column(CleanString(32))
    source: Mapped[str] = mapped_column(CleanString(32))
    created_at: Mapped[timestamp]


class ContactNote(Base):
    """A note of communication, after the redaction gate (no Art. 9 text, no personnummer)."""

    __tablename__ = "contact_notes"

    id: Mapped[intpk]
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(CleanText())
    purpose: Mapped[str | None] = mapped_column(CleanString(32))
    source: Mapped[str] = mapped_column(CleanString(32))
    message_id: Mapped[str | None] = mapped_column(CleanString(998))
    #: Categories the gate removed (comma-separated RedactionCategory values), never the text.
    redactions: Mapped[str | None] = mapped_column(CleanString(255))
    created_at: Mapped[timestamp]


class Suppression(Base):
    """A keyed hash (HMAC-SHA256) of an address or number never to be harvested again."""

    __tablename__ = "suppression"

    id: Mapped[intpk]
    digest: Mapped[str] = mapped_column(CleanString(64), unique=True)
    kind: Mapped[str] = mapped_column(CleanString(8))
    created_at: Mapped[timestamp]


class AuditEvent(Base):
    """What changed, when, why and by whom; ids and kinds only, so it survives erasure."""

    __tablename__ = "audit_events"

    id: Mapped[intpk]
    at: Mapped[timestamp]
    actor: Mapped[short]
    action: Mapped[str] = mapped_column(CleanString(64))
    object_kind: Mapped[str] = mapped_column(CleanString(32))
    object_id: Mapped[int | None] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(CleanString(32))
    reason: Mapped[str | None] = mapped_column(CleanString(255))
    source: Mapped[str | None] = mapped_column(CleanString(32))


class RuntimeState(Base):
    """Small facts the daemon publishes for `harvester status` (next runs, pid)."""

    __tablename__ = "runtime_state"

    key: Mapped[str] = mapped_column(CleanString(64), primary_key=True)
    value: Mapped[str] = mapped_column(CleanText())  # JSON
    updated_at: Mapped[timestamp]
