"""What one pipeline batch knows already, so storing 500 messages costs a few statements each, not 20.

The store functions (messages, threads, contacts, retention, projects) take an optional
`BatchContext`. Without one they query as they go (one message at a time, e.g. the isolated
replay of a failed batch, the importer, the CLI). With one, the pipeline reads up front, per
batch, everything the batch's messages can touch (stored hashes and Message-IDs, the thread
containers of every Message-ID they name, the contacts of every key they carry, those
contacts' live evidence), works on that in memory with the session's autoflush off, and
writes at a few explicit flushes. Rows nobody reads back in the batch (audit events) and the
inactive-contacts clock (`last_exchange_at`) are written once, at the end, as executemany.

The invariant that keeps the caches right: everything the batch creates is entered into them
at once, and whatever is not in a cache is in the database as of the last flush. Whatever
can break that (an erasure) flushes and drops the contact caches.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Table, bindparam, insert, or_, update
from sqlalchemy.orm import Session

from store.models import AuditEvent, Contact, ContactEvidence, Message, Thread, ThreadContainer, utcnow

__all__ = ["BatchContext", "chunks"]

#: Rows of an IN (...) list per query: far below SQLite's and PostgreSQL's parameter limits.
CHUNK = 500

#: Evidence rows created earlier in the batch (not flushed, no id yet) sort after every stored
#: row, in creation order, exactly as the ids a flush would have given them.
_PENDING_BASE = 1 << 62

T = TypeVar("T")


def chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


@dataclass(eq=False)
class BatchContext:
    """Per-batch caches and deferred writes; see the module docstring for the invariant."""

    # messages: content hash / Message-ID → the stored or new message (pk or object)
    by_hash: dict[str, Message | int] = field(default_factory=dict)
    by_message_id: dict[str, Message | int] = field(default_factory=dict)
    #: location keys (see store.messages) already held, per message pk or new message object
    locations: dict[Message | int, set[tuple[Any, ...]]] = field(default_factory=dict)

    # threads
    #: Message-ID → its container (None: known not to exist)
    containers: dict[str, ThreadContainer | None] = field(default_factory=dict)
    #: thread → its containers by Message-ID, once loaded
    members: dict[Thread, dict[str, ThreadContainer]] = field(default_factory=dict)
    #: containers whose thread has no id yet (flushed by `flush`)
    unthreaded: dict[ThreadContainer, Thread] = field(default_factory=dict)
    #: containers not yet added to the session (their thread_id is not known yet)
    transient: list[ThreadContainer] = field(default_factory=list)
    #: threads merged away → the thread they were merged into
    merged: dict[Thread, Thread] = field(default_factory=dict)
    new_threads: dict[Thread, int] = field(default_factory=dict)

    # contacts
    #: (kind, normalised value) → the contact holding that key (None: known to be free)
    keys: dict[tuple[str, str], Contact | None] = field(default_factory=dict)
    #: contact → its live evidence rows (the one list add_evidence keeps current)
    live: dict[Contact, list[ContactEvidence]] = field(default_factory=dict)
    new_contacts: dict[Contact, int] = field(default_factory=dict)
    #: evidence rows created since the last point a per-message flush would have happened
    unsettled: list[ContactEvidence] = field(default_factory=list)
    settled: int = 0
    audits: list[tuple[Contact | None, int | None, dict[str, Any]]] = field(default_factory=list)
    exchange: dict[Contact, datetime] = field(default_factory=dict)
    project_codes: list[str] | None = None

    # --- ordering as ids would give it --------------------------------------------------

    def thread_order(self, thread: Thread) -> tuple[int, int]:
        return (0, thread.id) if thread.id is not None else (1, self.new_threads[thread])

    def contact_order(self, contact: Contact) -> tuple[int, int]:
        return (0, contact.id) if contact.id is not None else (1, self.new_contacts.get(contact, 0))

    def settle(self) -> None:
        """Where the one-message path would have flushed: rows made so far get their place in order."""
        for row in self.unsettled:
            self.settled += 1
            row.batch_order = _PENDING_BASE + self.settled  # type: ignore[attr-defined]
        self.unsettled.clear()

    # --- threads ------------------------------------------------------------------------

    def resolve(self, thread: Thread) -> Thread:
        """The thread `thread` lives on as (itself unless it was merged away)."""
        while thread in self.merged:
            thread = self.merged[thread]
        return thread

    def set_thread(self, container: ThreadContainer, thread: Thread) -> None:
        if thread.id is None:
            self.unthreaded[container] = thread
        else:
            self.unthreaded.pop(container, None)
            container.thread_id = thread.id

    def thread_of(self, session: Session, container: ThreadContainer) -> Thread:
        pending = self.unthreaded.get(container)
        if pending is not None:
            return self.resolve(pending)
        thread = session.get(Thread, container.thread_id)
        assert thread is not None, "a container's thread exists (foreign key)"
        return self.resolve(thread)

    def flush(self, session: Session) -> None:
        """Flush, then give containers their new threads' ids and flush those too."""
        session.flush()
        if not self.unthreaded and not self.transient:
            return
        for container, thread in self.unthreaded.items():
            container.thread_id = self.resolve(thread).id
        self.unthreaded.clear()
        # Imported here: store.threads imports this module.
        from store.threads import insert_containers

        held = insert_containers(session, self.transient, merged=self.merged)
        self.transient.clear()
        for mid, container in held.items():
            if mid in self.containers:
                self.containers[mid] = container
        for members in self.members.values():
            for mid in members.keys() & held.keys():
                members[mid] = held[mid]
        session.flush()

    # --- contacts -----------------------------------------------------------------------

    def audit(self, contact: Contact | None, contact_id: int | None, **values: Any) -> None:
        """An audit event about a contact whose id may not be known yet (written by `finish`)."""
        values.setdefault("at", utcnow())
        self.audits.append((contact, contact_id, values))

    def record_exchange(self, contacts: Iterable[Contact], at: datetime) -> None:
        for contact in contacts:
            known = self.exchange.get(contact)
            if known is None or at > known:
                self.exchange[contact] = at

    def forget_contacts(self, session: Session) -> None:
        """After an erasure: flush, and let the rest of the batch read contacts afresh."""
        self.flush(session)
        self.settle()
        self.keys.clear()
        self.live.clear()

    # --- the end of the batch -----------------------------------------------------------

    def finish(self, session: Session) -> None:
        """Flush, then write the deferred audit events and exchange dates (executemany each)."""
        self.flush(session)
        if self.audits:
            rows = [
                {
                    "object_kind": "contact",
                    "object_id": contact.id if contact is not None else contact_id,
                    "field": None,
                    "reason": None,
                    "source": None,
                    **values,
                }
                for contact, contact_id, values in self.audits
            ]
            session.execute(insert(AuditEvent), rows)
            self.audits.clear()
        if self.exchange:
            table = Contact.__table__
            assert isinstance(table, Table)
            stmt = (
                update(table)
                .where(
                    table.c.id == bindparam("contact"),
                    or_(table.c.last_exchange_at.is_(None), table.c.last_exchange_at < bindparam("at")),
                )
                .values(last_exchange_at=bindparam("at"))
            )
            params = [{"contact": c.id, "at": at} for c, at in self.exchange.items() if c.id is not None]
            if params:
                session.connection().execute(stmt, params)
            self.exchange.clear()
