"""IMAP cursors: how far each account/folder has been read, advanced with the messages it covers."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import SourceCursor, utcnow

__all__ = ["CursorUpdate", "advance", "get_cursor", "list_cursors", "record_error"]


@dataclass(frozen=True, slots=True)
class CursorUpdate:
    account: str
    folder: str
    uidvalidity: int
    last_uid: int
    messages: int = 0


def get_cursor(session: Session, account: str, folder: str) -> SourceCursor | None:
    return session.scalar(
        select(SourceCursor).where(SourceCursor.account == account, SourceCursor.folder == folder)
    )


def list_cursors(session: Session) -> list[SourceCursor]:
    return list(session.scalars(select(SourceCursor).order_by(SourceCursor.account, SourceCursor.folder)))


def advance(session: Session, update: CursorUpdate) -> SourceCursor:
    """Move the cursor in the caller's transaction; a new UIDVALIDITY resets it."""
    cursor = get_cursor(session, update.account, update.folder)
    if cursor is None:
        cursor = SourceCursor(
            account=update.account,
            folder=update.folder,
            uidvalidity=update.uidvalidity,
            last_uid=0,
            messages_seen=0,
            errors=0,
        )
        session.add(cursor)
    if cursor.uidvalidity != update.uidvalidity:
        cursor.uidvalidity = update.uidvalidity
        cursor.last_uid = 0
    cursor.last_uid = max(cursor.last_uid or 0, update.last_uid)
    cursor.messages_seen = (cursor.messages_seen or 0) + update.messages
    cursor.last_poll_at = utcnow()
    return cursor


def record_error(session: Session, account: str, folder: str, kind: str) -> None:
    """Count a poll error; `kind` is a class name or short code, never a message text."""
    cursor = get_cursor(session, account, folder)
    if cursor is None:
        cursor = SourceCursor(
            account=account, folder=folder, uidvalidity=0, last_uid=0, messages_seen=0, errors=0
        )
        session.add(cursor)
    cursor.errors = (cursor.errors or 0) + 1
    cursor.last_error = kind
    cursor.last_poll_at = utcnow()
