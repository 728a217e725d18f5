"""What one pipeline batch knows already, so storing 500 messages costs a few statements each, not 20.

The store functions (messages, threads, contacts, retention, projects) take an optional
`BatchContext`. Without one they query as they go (one message at a time, e.g. the isolated
replay of a failed batch, the importer, the CLI). With one, the pipeline reads up front, per
batch, everything the batch's messages can touch (stored hashes and Message-IDs, the thread
containers of every Message-ID they name, the contacts of every key they carry, those
contacts' live evidence), works on that in memory with the session's autoflush off, and
writes at a few explicit flushes. Rows nobody reads back in the batch (audit events) and the
inactive-contacts clock (`last_exchange_at`) are written once, at the end, as executemany.

New rows get their primary keys from `new_id` when they are made, so a flush is one
executemany INSERT per table instead of one INSERT ... RETURNING per row (SQLite cannot
return the ids of a multi-row INSERT in order). PostgreSQL: blocks of the table's sequence.
SQLite: the table's max(id) onwards, which is safe because in WAL mode a transaction whose
snapshot is older than another writer's commit cannot write at all (SQLITE_BUSY_SNAPSHOT),
and once it has written no other writer can commit before it does.

The batch's new rows (threads, messages, their participants and locations, contacts, keys,
evidence) never pass through the session's unit of work, whose bookkeeping per row cost more
than the INSERT: they are made without attribute history (`new_row`), kept out of the
session, and written by `flush` as one Core executemany per table, parents first. Those the
batch may change again (threads, messages, contacts, evidence) are then attached to the
session as persistent, as an ORM flush would have left them, so a later change to one is an
UPDATE at the next flush and a query in the batch finds the same object.

The invariant that keeps the caches right: everything the batch creates is entered into them
at once, and whatever is not in a cache is in the database as of the last flush. Whatever
can break that (an erasure) flushes and drops the contact caches.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Column, Table, bindparam, func, insert, or_, select, text, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_dict, set_committed_value

from store.models import (
    AuditEvent,
    Base,
    Contact,
    ContactEvidence,
    ContactKey,
    Message,
    MessageLocation,
    MessageParticipant,
    Thread,
    ThreadContainer,
    utcnow,
)

__all__ = ["BatchContext", "attach_inserted", "chunks", "new_row"]

#: Rows of an IN (...) list per query: far below SQLite's and PostgreSQL's parameter limits.
CHUNK = 500

#: Ids taken from a PostgreSQL sequence at a time (unused ones are a gap, as after a rollback).
ID_BLOCK = 256

_NEXTVAL = text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :n)")

T = TypeVar("T")
R = TypeVar("R", bound=Base)

#: The tables whose new rows the batch writes itself (`BatchContext.flush`), parents first.
_INSERT_ORDER: tuple[type[Base], ...] = (
    Thread,
    Message,
    MessageParticipant,
    MessageLocation,
    Contact,
    ContactKey,
    ContactEvidence,
)
#: Of those, the rows the batch may change after writing them: attached to the session once written.
_ATTACHED: frozenset[type[Base]] = frozenset({Thread, Message, Contact, ContactEvidence})


@functools.cache
def _columns(model: type[Base]) -> tuple[tuple[str, Any], ...]:
    """(attribute, column default) of every column of `model`'s table (attributes are named as columns)."""
    table = model.__table__
    assert isinstance(table, Table)
    columns: list[Column[Any]] = list(table.columns)
    return tuple((c.key, c.default) for c in columns)


def new_row(model: type[R], **values: Any) -> R:
    """A new `model` object holding `values`, for a row the batch writes itself.

    Made as a query makes a loaded object (the mapper's class manager, values straight into
    its dict), not by `model(**values)`, whose events per attribute record history that a
    row written by Core and then attached without history (`attach_inserted`) never uses.
    """
    row: R = model.__mapper__.class_manager.new_instance()
    instance_dict(row).update(values)
    return row


def attach_inserted(session: Session, rows: Sequence[Base]) -> None:
    """Make rows just written by a Core INSERT (ids set) persistent in `session`, as a flush leaves them."""
    for row in rows:
        values = instance_dict(row)
        for key, _default in _columns(type(row)):
            values.setdefault(key, None)
        make_transient_to_detached(row)
    session.add_all(rows)


def _insert_values(row: Base, columns: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    """The row's INSERT parameters, column defaults applied as a flush applies them.

    Every column's value is also left in the object (None included), as a flush leaves it,
    so once attached no attribute of it is expired (read again from the database).
    """
    values = instance_dict(row)
    params: dict[str, Any] = {}
    for key, default in columns:
        value = values.get(key)
        if value is None:
            if default is not None:
                value = default.arg(None) if default.is_callable else default.arg
            values[key] = value
        params[key] = value
    return params


def chunks(values: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


@dataclass(eq=False)
class BatchContext:
    """Per-batch caches and deferred writes; see the module docstring for the invariant."""

    postgresql: bool = False
    _free_ids: dict[str, list[int]] = field(default_factory=dict)
    _last_ids: dict[str, int] = field(default_factory=dict)

    # messages: content hash / Message-ID → the stored or new message (pk or object)
    by_hash: dict[str, Message | int] = field(default_factory=dict)
    by_message_id: dict[str, Message | int] = field(default_factory=dict)
    #: location keys (see store.messages) already held, per message pk or new message object
    locations: dict[Message | int, set[tuple[Any, ...]]] = field(default_factory=dict)
    #: new rows kept out of the session, inserted by `flush` (Core, executemany; see _INSERT_ORDER)
    rows: dict[type[Base], list[Base]] = field(default_factory=dict)
    #: relationship values of new rows, set as loaded once the rows are attached (see `flush`)
    loaded: list[tuple[Base, str, list[Any]]] = field(default_factory=list)

    # threads
    #: Message-ID → its container (None: known not to exist)
    containers: dict[str, ThreadContainer | None] = field(default_factory=dict)
    #: thread → its containers by Message-ID, once loaded
    members: dict[Thread, dict[str, ThreadContainer]] = field(default_factory=dict)
    #: new containers, inserted by `flush` (store.threads.insert_containers)
    transient: list[ThreadContainer] = field(default_factory=list)
    #: stored (phantom) containers and the new message that now holds their Message-ID; set by
    #: `flush` once the messages are inserted
    held_by: list[tuple[ThreadContainer, int]] = field(default_factory=list)
    #: threads merged away → the thread they were merged into
    merged: dict[Thread, Thread] = field(default_factory=dict)
    #: threads made in this batch by id (not flushed, so not in the session's identity map)
    new_threads: dict[int, Thread] = field(default_factory=dict)

    # contacts
    #: (kind, normalised value) → the contact holding that key (None: known to be free)
    keys: dict[tuple[str, str], Contact | None] = field(default_factory=dict)
    #: contact → its live evidence rows (the one list add_evidence keeps current)
    live: dict[Contact, list[ContactEvidence]] = field(default_factory=dict)
    #: the same rows by (field, slot), built on first use (see store.contacts.add_evidence)
    slots: dict[Contact, dict[tuple[str, str], list[ContactEvidence]]] = field(default_factory=dict)
    #: evidence rows made since the last point the one-message path would have flushed
    unsettled: list[ContactEvidence] = field(default_factory=list)
    audits: list[dict[str, Any]] = field(default_factory=list)
    exchange: dict[Contact, datetime] = field(default_factory=dict)
    project_codes: list[str] | None = None

    @classmethod
    def for_session(cls, session: Session) -> BatchContext:
        return cls(postgresql=session.get_bind().dialect.name == "postgresql")

    # --- ids ----------------------------------------------------------------------------

    def new_id(self, session: Session, model: type[Base]) -> int:
        """A primary key for a new row of `model`'s table (see the module docstring)."""
        table = str(model.__tablename__)
        if self.postgresql:
            free = self._free_ids.setdefault(table, [])
            if not free:
                got = session.scalars(_NEXTVAL, {"table": table, "n": ID_BLOCK}).all()
                free.extend(sorted(got, reverse=True))
            return free.pop()
        last = self._last_ids.get(table)
        if last is None:
            last = session.scalar(select(func.max(model.__table__.c.id))) or 0
        self._last_ids[table] = last + 1
        return last + 1

    def add_row(self, session: Session, row: MessageParticipant | MessageLocation | ContactKey) -> None:
        """Give `row` its id and insert it (kept out of the session) at the next flush."""
        row.id = self.new_id(session, type(row))
        self.add_new(row)

    def add_new(self, row: Base, **loaded: list[Any]) -> None:
        """Insert `row` (kept out of the session, its id given by then) at the next flush.

        Threads, messages, contacts and evidence are attached to the session once inserted;
        `loaded`: relationship collections set as already loaded then (not before: attaching
        would cascade to them).
        """
        self.rows.setdefault(type(row), []).append(row)
        if loaded:
            self.loaded.extend((row, key, value) for key, value in loaded.items())

    def _insert_new(self, session: Session) -> None:
        """Write the new rows: one executemany per table, parents first; attach the ones the batch changes."""
        for model in _INSERT_ORDER:
            rows = self.rows.get(model)
            if not rows:
                continue
            columns, table = _columns(model), model.__table__
            assert isinstance(table, Table)
            session.execute(insert(table), [_insert_values(row, columns) for row in rows])
            if model in _ATTACHED:
                attach_inserted(session, rows)
            rows.clear()
        assert not any(self.rows.values()), "a new row of a table the batch does not write"
        for row, key, value in self.loaded:
            set_committed_value(row, key, value)
        self.loaded.clear()

    def settle(self, session: Session) -> None:
        """Where the one-message path would have flushed: evidence made so far gets its ids.

        Until then a new row has no id, so it ranks below an equal older row, as it does there.
        """
        for row in self.unsettled:
            row.id = self.new_id(session, ContactEvidence)
        self.unsettled.clear()

    # --- threads ------------------------------------------------------------------------

    def resolve(self, thread: Thread) -> Thread:
        """The thread `thread` lives on as (itself unless it was merged away)."""
        while thread in self.merged:
            thread = self.merged[thread]
        return thread

    def thread_of(self, session: Session, container: ThreadContainer) -> Thread:
        thread = self.new_threads.get(container.thread_id) or session.get(Thread, container.thread_id)
        assert thread is not None, "a container's thread exists (foreign key)"
        return self.resolve(thread)

    def flush(self, session: Session) -> None:
        """Insert the new rows, flush the session's changes, then insert the new containers.

        New rows go first: the session's pending rows and changes may refer to them, never
        the other way round. Containers need their threads and messages.
        """
        self.settle(session)
        self._insert_new(session)
        for container, message_pk in self.held_by:
            container.message_pk = message_pk
        self.held_by.clear()
        session.flush()
        if not self.transient:
            return
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

    def audit(self, contact_id: int | None, **values: Any) -> None:
        """An audit event about a contact, written with the others by `finish`."""
        self.audits.append(
            {
                "object_kind": "contact",
                "object_id": contact_id,
                "field": None,
                "reason": None,
                "source": None,
                "at": utcnow(),
                **values,
            }
        )

    def slots_of(
        self,
        contact: Contact,
        live: list[ContactEvidence],
        slot: Callable[[ContactEvidence], tuple[str, str]],
    ) -> dict[tuple[str, str], list[ContactEvidence]]:
        index = self.slots.get(contact)
        if index is None:
            index = self.slots[contact] = {}
            for row in live:
                index.setdefault(slot(row), []).append(row)
        return index

    def record_exchange(self, contacts: Iterable[Contact], at: datetime) -> None:
        for contact in contacts:
            known = self.exchange.get(contact)
            if known is None or at > known:
                self.exchange[contact] = at

    def forget_contacts(self, session: Session) -> None:
        """After an erasure: flush, and let the rest of the batch read contacts afresh."""
        self.flush(session)
        self.keys.clear()
        self.live.clear()
        self.slots.clear()

    # --- the end of the batch -----------------------------------------------------------

    def finish(self, session: Session) -> None:
        """Flush, then write the deferred audit events and exchange dates (executemany each)."""
        self.flush(session)
        if self.audits:
            session.execute(insert(AuditEvent), self.audits)
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
