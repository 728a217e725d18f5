"""Mail files on disk → RawMessage: single .eml files, mbox files and Maildir folders.

The same pipeline as IMAP reads them (`harvester ingest`), and `harvester inspect`
reads them without a database. A directory that is not a Maildir is walked for
mail files, so `harvester ingest examples/mail/` just works.
"""

from __future__ import annotations

import mailbox
from collections.abc import Iterable, Iterator
from pathlib import Path

from harvester.errors import InputError
from harvester.sources.raw import Origin, OriginKind, RawMessage

__all__ = ["iter_paths", "looks_like_mail", "read_paths"]

_HEAD = 4096
_SKIP_SUFFIXES = {".json", ".md", ".txt", ".py", ".toml"}


def _is_maildir(path: Path) -> bool:
    return path.is_dir() and all((path / sub).is_dir() for sub in ("cur", "new", "tmp"))


def _is_mbox(head: bytes) -> bool:
    return head.startswith(b"From ")


def looks_like_mail(head: bytes) -> bool:
    """A cheap test that bytes start like RFC 5322 (a header line) or an mbox ("From ")."""
    if _is_mbox(head):
        return True
    first = head.lstrip(b"\r\n").split(b"\n", 1)[0]
    name, colon, _ = first.partition(b":")
    return bool(colon) and bool(name) and all(33 <= c <= 126 for c in name)


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(_HEAD)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc


def _file_messages(path: Path) -> Iterator[RawMessage]:
    head = _read_head(path)
    if not looks_like_mail(head):
        raise InputError(f"{path}: not a mail message (no header lines)")
    if _is_mbox(head):
        box = mailbox.mbox(str(path), create=False)
        try:
            for index, key in enumerate(box.iterkeys()):
                data = box.get_bytes(key, from_=False)
                yield RawMessage(data=data, origin=Origin(kind=OriginKind.FILE, path=str(path), index=index))
        finally:
            box.close()
        return
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from exc
    yield RawMessage(data=data, origin=Origin(kind=OriginKind.FILE, path=str(path)))


def _maildir_messages(path: Path) -> Iterator[RawMessage]:
    for sub in ("cur", "new"):
        for file in sorted((path / sub).iterdir()):
            if file.is_file() and not file.name.startswith("."):
                yield RawMessage(data=file.read_bytes(), origin=Origin(kind=OriginKind.FILE, path=str(file)))


def iter_paths(paths: Iterable[Path]) -> Iterator[Path]:
    """Every mail file or Maildir named, directories walked in name order; missing paths raise."""
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or directory")
        if path.is_file() or _is_maildir(path):
            yield path
            continue
        children = sorted(p for p in path.rglob("*") if p.is_file() or _is_maildir(p))
        for child in children:
            if any(part in {"cur", "new", "tmp"} for part in child.relative_to(path).parts[:-1]):
                continue  # inside a Maildir that is yielded whole
            if child.is_file() and (child.suffix.lower() in _SKIP_SUFFIXES or child.name.startswith(".")):
                continue
            yield child


def read_paths(paths: Iterable[Path]) -> Iterator[RawMessage]:
    """All messages under `paths`, in a stable order (so re-ingesting is idempotent)."""
    for path in iter_paths(paths):
        if _is_maildir(path):
            yield from _maildir_messages(path)
        else:
            yield from _file_messages(path)
