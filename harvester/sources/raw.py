"""The boundary type between sources and understanding: bytes plus where they came from."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["Origin", "OriginKind", "RawMessage"]


class OriginKind(StrEnum):
    IMAP = "imap"
    FILE = "file"


@dataclass(frozen=True, slots=True)
class Origin:
    """Where one message was read: an IMAP account/folder/UID, or a file (and its index in an mbox).

    Never holds message content, so it may be logged as it is.
    """

    kind: OriginKind
    account: str | None = None
    folder: str | None = None
    uidvalidity: int | None = None
    uid: int | None = None
    path: str | None = None
    index: int | None = None

    def label(self) -> str:
        """A short id for logs: `imap:karin/INBOX/42` or `file:mail.mbox#3`."""
        if self.kind is OriginKind.IMAP:
            return f"imap:{self.account}/{self.folder}/{self.uid}"
        suffix = f"#{self.index}" if self.index is not None else ""
        return f"file:{self.path}{suffix}"


@dataclass(frozen=True, slots=True)
class RawMessage:
    """One RFC 5322 message exactly as read, before anything is parsed."""

    data: bytes
    origin: Origin
    flags: tuple[str, ...] = field(default=())
    #: SHA-256 of the bytes: de-duplicates a message seen in two folders or re-read after a rescan.
    #: Computed once, when the message is read (a batch looks it up four times).
    content_hash: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "content_hash", hashlib.sha256(self.data).hexdigest())
