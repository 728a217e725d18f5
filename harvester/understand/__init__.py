"""Message understanding: pure functions from bytes to an `Understanding`.

`understand()` is the one entry point; the daemon, `ingest` and `inspect` all call it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from harvester.understand.classify import classify
from harvester.understand.parse import envelope_of, parse_bytes
from harvester.understand.types import Contact, Kind, Understanding

__all__ = ["Understanding", "understand"]


def understand(
    data: bytes,
    *,
    path: str | None = None,
    own_domains: Iterable[str] = (),
    rules_dir: Path | None = None,
) -> Understanding:
    """Read one message; never raises on malformed input (defects are listed instead)."""
    msg = parse_bytes(data)
    envelope = envelope_of(msg)
    sender = envelope.sender.email if envelope.sender else ""
    kind = classify(msg, sender=sender)
    own = {d.lower() for d in own_domains}
    contact = None
    if envelope.sender and kind not in (Kind.BULK, Kind.BOUNCE):
        if envelope.sender.email.rpartition("@")[2] not in own:
            contact = Contact(name=envelope.sender.name, emails=[envelope.sender.email])
    return Understanding(
        kind=kind,
        envelope=envelope,
        path=path,
        contact=contact,
        body=None,  # kept only once redaction exists: nothing unredacted is stored
        defects=sorted({type(d).__name__ for d in msg.defects}),
    )
