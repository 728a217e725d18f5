"""Threads: conversations rebuilt from Message-ID, In-Reply-To and References (JWZ).

Jamie Zawinski's algorithm, made incremental and persistent, because mail arrives one
message at a time from many folders and accounts, in any order:

- every Message-ID seen, held or only referenced, gets a `ThreadContainer`; one only
  referenced is a *phantom*, so a reply that arrives before its parent already sits in
  the thread the parent joins later (and two threads that turn out to share an ancestor
  are merged into the older one);
- the References chain sets parent links where none is known yet, and the message's
  own parent is its last reference; a link that would make a cycle is refused;
- subjects never join messages that carry reply headers; only a header-less reply
  (`Re:`, `SV:`, `VS:`, `AW:`, `Fwd:`, `VB:` ... and no In-Reply-To/References) joins
  the newest thread with the same stripped subject within `SUBJECT_WINDOW`.

The same message seen in Sent and in INBOX is stored once (store.messages), so it is
threaded once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import Table, func, inspect, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from store.batch import BatchContext, attach_inserted, chunks, new_row
from store.models import CleanString, Message, MessageParticipant, Project, Thread, ThreadContainer, utcnow

__all__ = [
    "SUBJECT_WINDOW",
    "assign_thread",
    "insert_containers",
    "is_reply_subject",
    "list_threads",
    "prefetch",
    "reference_chain",
    "subject_key",
    "thread_views",
]

#: How far apart a header-less reply and its thread's last message may be.
SUBJECT_WINDOW = timedelta(days=30)

#: Reply and forward prefixes: English (Re, Fwd, Fw), Swedish (SV = svar, VB = vidarebefordra),
#: Norwegian/Danish (SV, VS = videresendt), German (AW = Antwort, WG = weitergeleitet),
#: optionally counted ("Re[2]:") or bracketed list tags are left alone.
_PREFIX = re.compile(r"^\s*(?:(?:re|sv|vs|aw|fwd?|vb|wg)(?:\[\d+\]|\(\d+\))?\s*:\s*)+", re.IGNORECASE)


def subject_key(subject: str | None) -> str | None:
    """The subject without reply/forward prefixes, whitespace folded, lowercased.

    >>> subject_key("SV: Re:  Recension av  boken")
    'recension av boken'
    >>> subject_key("Re:") is None
    True
    """
    if not subject:
        return None
    key = " ".join(_PREFIX.sub("", subject).split()).lower()
    return key[:255] or None


def is_reply_subject(subject: str | None) -> bool:
    """True when the subject starts with a reply or forward prefix.

    >>> is_reply_subject("VB: Pressmeddelande"), is_reply_subject("Pressmeddelande")
    (True, False)
    """
    return bool(subject and _PREFIX.match(subject))


def reference_chain(message: Message) -> list[str]:
    """Ancestors oldest first: References, then In-Reply-To if it is not already last.

    Duplicates and the message's own id are dropped (a message cannot be its own ancestor).
    """
    refs: list[str] = json.loads(message.references) if message.references else []
    if message.in_reply_to and (not refs or refs[-1] != message.in_reply_to):
        refs.append(message.in_reply_to)
    chain: list[str] = []
    for ref in refs:
        if ref and ref != message.message_id and ref not in chain:
            chain.append(ref)
    return chain


def _merge(session: Session, target: Thread, others: list[Thread]) -> None:
    """Move every message and container of `others` into `target`; keep the strongest project link."""
    ids = [t.id for t in others]
    session.execute(update(Message).where(Message.thread_id.in_(ids)).values(thread_id=target.id))
    session.execute(
        update(ThreadContainer).where(ThreadContainer.thread_id.in_(ids)).values(thread_id=target.id)
    )
    for other in others:
        if other.project_id is not None and (
            target.project_id is None or (other.link_source == "manual" and target.link_source != "manual")
        ):
            target.project_id, target.link_source = other.project_id, other.link_source
        if other.last_message_at and (
            target.last_message_at is None or other.last_message_at > target.last_message_at
        ):
            target.last_message_at = other.last_message_at
        session.delete(other)
    session.flush()


def _ancestors(containers: dict[str, ThreadContainer], start: str) -> set[str]:
    seen: set[str] = set()
    current: str | None = start
    while current is not None and current not in seen:
        seen.add(current)
        node = containers.get(current)
        current = node.parent_message_id if node else None
    return seen


def _link(containers: dict[str, ThreadContainer], child: str, parent: str, *, force: bool) -> None:
    """Make `parent` the parent of `child` unless that makes a cycle (JWZ step 1B/1C)."""
    node = containers[child]
    if node.parent_message_id == parent or (node.parent_message_id is not None and not force):
        return
    if child in _ancestors(containers, parent):
        return  # refused: child is already an ancestor of parent
    node.parent_message_id = parent


def _subject_candidate(message: Message) -> bool:
    """A header-less reply: the only kind of message joined to a thread by its subject."""
    return not (
        subject_key(message.subject) is None
        or message.in_reply_to
        or message.references
        or not is_reply_subject(message.subject)
    )


def _subject_thread(session: Session, message: Message) -> Thread | None:
    """The thread a header-less reply belongs to by subject, or None."""
    key = subject_key(message.subject)
    if key is None or not _subject_candidate(message):
        return None
    query = select(Thread).where(Thread.subject_key == key)
    if message.sent_at is not None:
        query = query.where(
            Thread.last_message_at >= message.sent_at - SUBJECT_WINDOW,
            Thread.last_message_at <= message.sent_at + SUBJECT_WINDOW,
        )
    return session.scalar(query.order_by(Thread.last_message_at.desc(), Thread.id.desc()).limit(1))


def _touch(thread: Thread, message: Message, *, is_root: bool) -> None:
    if message.sent_at and (thread.last_message_at is None or message.sent_at > thread.last_message_at):
        thread.last_message_at = message.sent_at
    if is_root or thread.subject is None:
        thread.subject = message.subject
        thread.subject_key = subject_key(message.subject)


def prefetch(session: Session, batch: BatchContext, messages: Sequence[Message]) -> None:
    """The containers of every Message-ID a batch names, their threads and those threads' containers."""
    ids = list(dict.fromkeys(mid for m in messages for mid in _ids(m)))
    for chunk in chunks(ids):
        for container in session.scalars(
            select(ThreadContainer).where(ThreadContainer.message_id.in_(chunk))
        ):
            batch.containers[container.message_id] = container
    for mid in ids:
        batch.containers.setdefault(mid, None)
    thread_ids = sorted({c.thread_id for c in batch.containers.values() if c is not None})
    for some in chunks(thread_ids):
        for thread in session.scalars(select(Thread).where(Thread.id.in_(some))):
            batch.members[thread] = {}
        for container in session.scalars(select(ThreadContainer).where(ThreadContainer.thread_id.in_(some))):
            thread = session.get_one(Thread, container.thread_id)
            batch.members[thread][container.message_id] = container
            batch.containers[container.message_id] = container


def insert_containers(
    session: Session, containers: Sequence[ThreadContainer], *, merged: dict[Thread, Thread] | None = None
) -> dict[str, ThreadContainer]:
    """Insert new containers; one another writer added meanwhile is joined, not a failure.

    Two writers (`harvester sync` and `harvester ingest`) may both see a Message-ID as new.
    INSERT ... ON CONFLICT DO NOTHING RETURNING (SQLite and PostgreSQL) tells which landed
    (they become persistent in the session as they are); a SELECT finds the ones that lost:
    their rows are merged with the winner's (its thread absorbs ours, or ours
    the winner's when ours is older: the older thread always survives, as in `_merge`).
    Returns the stored containers by Message-ID (use them, not the objects passed in);
    threads merged away are entered in `merged`.
    """
    if not containers:
        return {}
    table = ThreadContainer.__table__
    assert isinstance(table, Table)
    dialect = session.get_bind().dialect
    rows = [
        {
            "message_id": c.message_id,
            "thread_id": c.thread_id,
            "parent_message_id": c.parent_message_id,
            "message_pk": c.message_pk,
        }
        for c in containers
    ]
    dialect_insert = pg_insert if dialect.name == "postgresql" else sqlite_insert
    statement = dialect_insert(table).on_conflict_do_nothing(index_elements=["message_id"])
    landed: dict[str, int] = {}  # stored Message-ID → id, of the rows this INSERT wrote
    if dialect.insert_executemany_returning:
        written = session.execute(statement.returning(table.c.id, table.c.message_id), rows)
        landed = {mid: pk for pk, mid in written}
    else:  # SQLite before 3.35: every container is read back below
        session.execute(statement, rows)
    # Compared as stored: the column cleans values (NUL removed, cut to its length).
    column_type = table.c.message_id.type
    assert isinstance(column_type, CleanString)
    mine = {c.message_id: c for c in containers}
    ours_stored: dict[str, ThreadContainer] = {}  # stored Message-ID → our container written as it
    lost: list[str] = []
    for mid, ours in mine.items():
        key = column_type.process_bind_param(mid, dialect) or ""
        if key in landed and key not in ours_stored:
            ours.id, ours.message_id = landed[key], key
            ours.parent_message_id = column_type.process_bind_param(ours.parent_message_id, dialect)
            ours_stored[key] = ours
        elif key not in ours_stored:
            lost.append(key)
    attach_inserted(session, list(ours_stored.values()))
    stored = {
        c.message_id: c
        for chunk in chunks(lost)
        for c in session.scalars(select(ThreadContainer).where(ThreadContainer.message_id.in_(chunk)))
    }
    stored.update(ours_stored)
    held = {mid: stored[column_type.process_bind_param(mid, dialect) or ""] for mid in mine}
    moved: dict[int, int] = {}  # thread ids merged away here → the thread they went into

    def now(thread_id: int) -> int:
        while thread_id in moved:
            thread_id = moved[thread_id]
        return thread_id

    for mid, ours in mine.items():
        theirs = held[mid]
        if now(theirs.thread_id) == now(ours.thread_id) and theirs.message_pk == ours.message_pk:
            continue  # ours landed (or an identical one)
        if theirs.message_pk is None and ours.message_pk is not None:
            theirs.message_pk = ours.message_pk
        if theirs.parent_message_id is None and ours.parent_message_id is not None:
            theirs.parent_message_id = ours.parent_message_id
        if now(theirs.thread_id) != now(ours.thread_id):
            a, b = sorted((now(theirs.thread_id), now(ours.thread_id)))
            target, other = session.get_one(Thread, a), session.get_one(Thread, b)
            _merge(session, target, [other])
            moved[b] = a
            if merged is not None:
                merged[other] = target
    session.flush()
    return held


def _ids(message: Message) -> list[str]:
    chain = reference_chain(message)
    own = message.message_id
    return [*chain, own] if own else chain


def _found(session: Session, ids: list[str], batch: BatchContext | None) -> dict[str, ThreadContainer]:
    if batch is None:
        if not ids:
            return {}
        return {
            c.message_id: c
            for c in session.scalars(select(ThreadContainer).where(ThreadContainer.message_id.in_(ids)))
        }
    missing = [mid for mid in ids if mid not in batch.containers]
    if missing:  # not prefetched: the database holds whatever the batch did not create
        for container in session.scalars(
            select(ThreadContainer).where(ThreadContainer.message_id.in_(missing))
        ):
            batch.containers[container.message_id] = container
        for mid in missing:
            batch.containers.setdefault(mid, None)
    return {mid: c for mid in ids if (c := batch.containers[mid]) is not None}


def _members(session: Session, thread: Thread, batch: BatchContext | None) -> dict[str, ThreadContainer]:
    if batch is None:
        return {
            c.message_id: c
            for c in session.scalars(select(ThreadContainer).where(ThreadContainer.thread_id == thread.id))
        }
    members = batch.members.get(thread)
    if members is None:
        members = batch.members[thread] = {}
        if thread.id is not None:
            for c in session.scalars(select(ThreadContainer).where(ThreadContainer.thread_id == thread.id)):
                members[c.message_id] = c
                batch.containers[c.message_id] = c
    return members


def assign_thread(session: Session, message: Message, *, batch: BatchContext | None = None) -> Thread:
    """Thread a newly stored (flushed) message; merges threads its references join.

    With a `batch` (store/batch.py, `prefetch` done) new threads and containers stay
    unflushed (threads get their ids here) and lookups are served from the batch; a merge or
    a subject look-up flushes first.
    """
    chain = reference_chain(message)
    own = message.message_id
    ids = [*chain, own] if own else chain
    found = _found(session, ids, batch)
    if batch is None:
        threads = [session.get_one(Thread, i) for i in sorted({c.thread_id for c in found.values()})]
    else:
        threads = sorted({batch.thread_of(session, c) for c in found.values()}, key=lambda t: t.id)
    thread: Thread | None = threads[0] if threads else None
    if thread is not None and len(threads) > 1:
        if batch is not None:
            batch.flush(session)
        _merge(session, thread, threads[1:])
        if batch is not None:
            for other in threads[1:]:
                batch.merged[other] = thread
            batch.members.clear()  # containers moved: read the merged thread's afresh
    if thread is None and not chain:
        if batch is not None and _subject_candidate(message):
            batch.flush(session)
        thread = _subject_thread(session, message)
    if thread is None:
        if batch is None:
            thread = Thread()
            session.add(thread)
            session.flush()
        else:
            thread = new_row(Thread, id=batch.new_id(session, Thread), created_at=utcnow())
            batch.add_new(thread)
            batch.new_threads[thread.id] = thread
            batch.members[thread] = {}
    message.thread_id = thread.id
    created: list[ThreadContainer] = []
    if ids:
        containers = _members(session, thread, batch)
        for mid in ids:
            if mid not in containers:
                node = found.get(mid)
                if node is None:
                    node = (
                        ThreadContainer(message_id=mid)
                        if batch is None
                        else new_row(ThreadContainer, message_id=mid)
                    )
                    created.append(node)
                    if batch is not None:
                        batch.transient.append(node)
                        batch.containers[mid] = node
                node.thread_id = thread.id
                containers[mid] = node
        for parent, child in pairwise(chain):
            _link(containers, child, parent, force=False)
        if own:
            node = containers[own]
            if batch is not None and inspect(node).persistent:
                batch.held_by.append((node, message.id))  # after the message's INSERT (see flush)
            else:
                node.message_pk = message.id
            if chain:
                _link(containers, own, chain[-1], force=True)
        top: str = own or chain[-1]
        walked = {top}
        up = containers[top].parent_message_id
        while up is not None and up in containers and up not in walked:
            walked.add(up)
            top, up = up, containers[up].parent_message_id
        thread.root_message_id = top
        is_root = top == own
    else:
        is_root = thread.subject is None
    _touch(thread, message, is_root=is_root)
    if batch is None:
        session.flush()
        merged: dict[Thread, Thread] = {}
        insert_containers(session, created, merged=merged)
        while thread in merged:  # another writer threaded one of these Message-IDs first
            thread = merged[thread]
    return thread


def list_threads(session: Session, *, unlinked: bool = False) -> list[tuple[Thread, int, Project | None]]:
    counts = (
        select(Message.thread_id, func.count(Message.id).label("n")).group_by(Message.thread_id).subquery()
    )
    query = (
        select(Thread, func.coalesce(counts.c.n, 0), Project)
        .outerjoin(counts, counts.c.thread_id == Thread.id)
        .outerjoin(Project, Project.id == Thread.project_id)
        .order_by(Thread.id)
    )
    if unlinked:
        query = query.where(Thread.project_id.is_(None))
    return [(t, n, p) for t, n, p in session.execute(query)]


def thread_views(session: Session, *, unlinked: bool = False) -> list[dict[str, Any]]:
    """The contract's thread objects (plus `link_source`), in three queries however many threads."""
    rows = list_threads(session, unlinked=unlinked)
    wanted = {thread.id for thread, _, _ in rows}
    ids: dict[int, list[str]] = {}
    for thread_id, message_id in session.execute(
        select(Message.thread_id, Message.message_id)
        .where(Message.thread_id.is_not(None), Message.message_id.is_not(None))
        .order_by(Message.thread_id, Message.sent_at, Message.id)
    ):
        if thread_id in wanted and message_id:
            ids.setdefault(thread_id, []).append(message_id)
    people: dict[int, set[str]] = {}
    for thread_id, email in session.execute(
        select(Message.thread_id, MessageParticipant.email)
        .join(MessageParticipant, MessageParticipant.message_pk == Message.id)
        .where(Message.thread_id.is_not(None))
        .distinct()
    ):
        if thread_id in wanted:
            people.setdefault(thread_id, set()).add(email)
    return [
        {
            "id": thread.id,
            "subject": thread.subject,
            "participants": sorted(people.get(thread.id, ())),
            "project": project.code if project else None,
            "link_source": thread.link_source,
            "messages": count,
            "message_ids": ids.get(thread.id, []),
            "last_message_at": thread.last_message_at.isoformat() if thread.last_message_at else None,
        }
        for thread, count, project in rows
    ]
