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
from datetime import timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from store.models import Message, MessageParticipant, Project, Thread, ThreadContainer

__all__ = [
    "SUBJECT_WINDOW",
    "assign_thread",
    "is_reply_subject",
    "list_threads",
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


def _subject_thread(session: Session, message: Message) -> Thread | None:
    """The thread a header-less reply belongs to by subject, or None."""
    key = subject_key(message.subject)
    if key is None or message.in_reply_to or message.references or not is_reply_subject(message.subject):
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


def assign_thread(session: Session, message: Message) -> Thread:
    """Thread a newly stored (flushed) message; merges threads its references join."""
    chain = reference_chain(message)
    own = message.message_id
    ids = [*chain, own] if own else chain
    found = (
        {
            c.message_id: c
            for c in session.scalars(select(ThreadContainer).where(ThreadContainer.message_id.in_(ids)))
        }
        if ids
        else {}
    )
    threads = sorted({c.thread_id for c in found.values()})
    thread: Thread | None = session.get(Thread, threads[0]) if threads else None
    if thread is not None and len(threads) > 1:
        _merge(session, thread, [t for t in (session.get(Thread, i) for i in threads[1:]) if t])
    if thread is None and not chain:
        thread = _subject_thread(session, message)
    if thread is None:
        thread = Thread()
        session.add(thread)
        session.flush()
    message.thread_id = thread.id
    if ids:
        containers = {
            c.message_id: c
            for c in session.scalars(select(ThreadContainer).where(ThreadContainer.thread_id == thread.id))
        }
        for mid in ids:
            if mid not in containers:
                node = found.get(mid) or ThreadContainer(message_id=mid, thread_id=thread.id)
                node.thread_id = thread.id
                session.add(node)
                containers[mid] = node
        for parent, child in pairwise(chain):
            _link(containers, child, parent, force=False)
        if own:
            containers[own].message_pk = message.id
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
    session.flush()
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
