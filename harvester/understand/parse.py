"""Bytes → a parsed message and its envelope, tolerant of anything a mailbox may hold.

(The body is read by `text.body_of`, with charset fallbacks and HTML conversion.)

compat32 is used on purpose: it is ~4 times faster than `policy.default`
(shared/ARCHITECTURE.md) and never raises on broken headers; headers are decoded
here, lazily and defensively, instead.
"""

from __future__ import annotations

import email
import email.policy
import re
from datetime import UTC, datetime
from email import errors
from email.header import decode_header
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime

from harvester.understand.types import Envelope, Mailbox

__all__ = ["envelope_of", "header_text", "parse_bytes"]

_MSGID = re.compile(r"<[^<>\s]+>")


def parse_bytes(data: bytes) -> Message:
    """Parse without ever raising; defects are kept on the message (`msg.defects`).

    A multipart whose declared boundary never occurs but whose body opens with another
    "--boundary" line (a client that rewrote one and not the other) is read with the
    boundary the body uses; the original defects stay listed.
    """
    msg = _single_part(data) or email.message_from_bytes(data, policy=email.policy.compat32)
    if not any(isinstance(d, errors.StartBoundaryNotFoundDefect) for d in msg.defects):
        return msg
    declared = msg.get_boundary()
    head_end = data.find(b"\n\n") if b"\r\n\r\n" not in data else data.find(b"\r\n\r\n")
    found = _BOUNDARY_LINE.search(data, head_end) if declared and head_end > 0 else None
    if found is None or declared is None:
        return msg
    head = data[:head_end].replace(declared.encode("ascii", "replace"), found.group(1))
    fixed = email.message_from_bytes(head + data[head_end:], policy=email.policy.compat32)
    if not fixed.is_multipart():
        return msg
    fixed.defects[:0] = msg.defects
    return fixed


def _single_part(data: bytes) -> Message | None:
    """A message that is neither multipart nor message/*, read without walking its body.

    The feed parser hands such a body over as it stands, after walking it line by line
    (most of the parse of a long mail). Here only the header block is parsed and the rest
    set as the payload: the same message. None (parse it the usual way) when the block's
    end is not plain to see: the header parse then leaves a body or a defect.
    """
    ends = [at for at in (data.find(b"\n\n"), data.find(b"\r\n\r\n")) if at >= 0]
    if not ends:
        return None
    at = min(ends)
    cut = at + (2 if data.startswith(b"\n\n", at) else 4)
    msg = email.message_from_bytes(data[:cut], policy=email.policy.compat32)
    if msg.defects or msg.get_content_maintype() in ("multipart", "message") or msg.get_payload() != "":
        return None
    msg.set_payload(data[cut:].decode("ascii", "surrogateescape"))
    return msg


_BOUNDARY_LINE = re.compile(rb"^--([0-9A-Za-z'()+_,./:=?-]{1,70}?)\s*$", re.M)


def _chunk_text(chunk: bytes | str, charset: str | None) -> str:
    """One decoded-header chunk as text; raw 8-bit bytes are read as UTF-8, else cp1252."""
    if isinstance(chunk, str):
        return chunk
    for candidate in (charset, "utf-8", "cp1252"):
        if not candidate or candidate == "unknown-8bit":
            continue
        try:
            return chunk.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return chunk.decode("utf-8", errors="replace")


def header_text(msg: Message, name: str) -> str | None:
    """A header decoded to text (RFC 2047, raw 8-bit UTF-8, unknown charsets), or None.

    compat32 keeps a raw 8-bit header ("Subject: Frånvaro") as a `Header` in the
    charset "unknown-8bit"; its bytes are read as UTF-8, else Windows-1252.
    """
    raw = msg.get(name)
    if raw is None:
        return None
    try:
        parts = decode_header(raw)
        text = "".join(_chunk_text(chunk, charset) for chunk, charset in parts)
    except (LookupError, UnicodeError, ValueError, TypeError, email.errors.HeaderParseError):
        text = str(raw).encode("ascii", "replace").decode("ascii")
    return " ".join(text.split()) or None


#: What an address must look like to be one: "erik lindqvist@x" or "@rik" are not addresses.
_ADDRESS = re.compile(r"^[^\s@<>()\[\],;:\"]+@[^\s@<>()\[\],;:\"]+\.[^\s@<>()\[\],;:\"]+$")


def _mailbox(name: str, addr: str) -> Mailbox | None:
    addr = addr.strip().strip("<>").strip()
    if not _ADDRESS.match(addr):
        return None
    local, _, domain = addr.rpartition("@")
    return Mailbox(email=f"{local}@{domain.lower()}", name=name.strip().strip('"').strip() or None)


def _mailboxes(msg: Message, name: str) -> list[Mailbox]:
    values = [header_text(msg, name) or "" for name in (name,)]
    found: list[Mailbox] = []
    for display, addr in getaddresses([v for v in values if v]):
        box = _mailbox(display, addr)
        if box is not None:
            found.append(box)
    return found


def _date(msg: Message) -> datetime | None:
    raw = header_text(msg, "Date")
    if not raw:
        return None
    try:
        value = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def envelope_of(msg: Message) -> Envelope:
    """Threading and participant headers; every value tolerant of garbage."""
    message_ids = _MSGID.findall(header_text(msg, "Message-ID") or "")
    reply_to_ids = _MSGID.findall(header_text(msg, "In-Reply-To") or "")
    sender_name, sender_addr = parseaddr(header_text(msg, "From") or "")
    return Envelope(
        message_id=message_ids[0] if message_ids else None,
        in_reply_to=reply_to_ids[0] if reply_to_ids else None,
        references=_MSGID.findall(header_text(msg, "References") or ""),
        subject=header_text(msg, "Subject"),
        date=_date(msg),
        sender=_mailbox(sender_name, sender_addr),
        to=_mailboxes(msg, "To"),
        cc=_mailboxes(msg, "Cc"),
    )
