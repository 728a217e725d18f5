"""The suppression list: keyed hashes of addresses and numbers never to be harvested again.

HMAC-SHA256 with a secret kept outside the database, so a copy of the database
alone does not reveal who asked to be forgotten, yet their mail is recognised.
Entries are added by erasure (`contacts forget`) and by an `all` opt-out; only
e-mail addresses and mobile numbers are entered, the same values that identify a
contact (store/contacts.py), so a colleague sharing a switchboard number is never
suppressed with them. Nothing but the digest and its kind is kept.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import Suppression

__all__ = ["Suppressor"]


class Suppressor:
    """Keyed hashing and look-up; the key never reaches the database."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("suppression key must be at least 16 bytes")
        self._key = key

    def digest(self, kind: str, value: str) -> str:
        """Hash of a normalised value (`kind` is "email" or "phone")."""
        normal = value.strip().lower() if kind == "email" else value.strip()
        return hmac.new(self._key, f"{kind}:{normal}".encode(), hashlib.sha256).hexdigest()

    def is_suppressed(self, session: Session, kind: str, values: Iterable[str]) -> bool:
        digests = [self.digest(kind, v) for v in values]
        if not digests:
            return False
        found = session.scalar(select(Suppression.id).where(Suppression.digest.in_(digests)).limit(1))
        return found is not None

    def suppressed(self, session: Session, kind: str, values: Iterable[str]) -> set[str]:
        """Which of `values` are suppressed (one query for a message's participants)."""
        by_digest = {self.digest(kind, v): v for v in values}
        if not by_digest:
            return set()
        found = session.scalars(select(Suppression.digest).where(Suppression.digest.in_(list(by_digest))))
        return {by_digest[d] for d in found}

    def add(self, session: Session, kind: str, value: str) -> bool:
        """Add one entry; False when it was there already."""
        digest = self.digest(kind, value)
        if session.scalar(select(Suppression.id).where(Suppression.digest == digest)) is not None:
            return False
        session.add(Suppression(digest=digest, kind=kind))
        return True
