"""Threads: conversations rebuilt from Message-ID, In-Reply-To and References."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.models import Message, Project, Thread

__all__ = ["assign_thread", "list_threads"]


def _parent_ids(message: Message) -> list[str]:
    ids: list[str] = []
    if message.in_reply_to:
        ids.append(message.in_reply_to)
    if message.references:
        ids.extend(reversed(json.loads(message.references)))
    return ids


def assign_thread(session: Session, message: Message) -> Thread:
    """Put a newly stored message in the thread of its nearest stored ancestor, or a new one."""
    thread: Thread | None = None
    parents = _parent_ids(message)
    if parents:
        thread = session.scalar(
            select(Thread)
            .join(Message, Message.thread_id == Thread.id)
            .where(Message.message_id.in_(parents))
            .limit(1)
        )
    if thread is None and message.message_id:
        # A reply that arrived earlier may already reference this message.
        thread = session.scalar(
            select(Thread)
            .join(Message, Message.thread_id == Thread.id)
            .where(Message.in_reply_to == message.message_id)
            .limit(1)
        )
    if thread is None:
        thread = Thread(
            subject=message.subject,
            root_message_id=(parents[-1] if parents else message.message_id),
        )
        session.add(thread)
        session.flush()
    message.thread_id = thread.id
    if message.sent_at and (thread.last_message_at is None or message.sent_at > thread.last_message_at):
        thread.last_message_at = message.sent_at
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
