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
import weakref
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.models import Suppression

__all__ = ["Suppressor"]

#: How many computed digests a Suppressor keeps (then starts afresh): a few MB at most.
_DIGESTS_KEPT = 50_000


class Suppressor:
    """Keyed hashing and look-up; the key never reaches the database.

    Look-ups read the whole (small: one row per erased address) digest set once per
    session and keep it for that session, so a batch of 500 messages costs one query,
    not three per message; `add` keeps the cached set current. A new session (the next
    batch, another process's erasure) reads the table afresh.
    """

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("suppression key must be at least 16 bytes")
        self._key = key
        self._known: weakref.WeakKeyDictionary[Session, set[str]] = weakref.WeakKeyDictionary()
        #: Digests already computed: the same senders and recipients recur in every batch.
        self._digested: dict[tuple[str, str], str] = {}

    def digest(self, kind: str, value: str) -> str:
        """Hash of a normalised value (`kind` is "email" or "phone")."""
        found = self._digested.get((kind, value))
        if found is None:
            normal = value.strip().lower() if kind == "email" else value.strip()
            found = hmac.new(self._key, f"{kind}:{normal}".encode(), hashlib.sha256).hexdigest()
            if len(self._digested) >= _DIGESTS_KEPT:
                self._digested.clear()
            self._digested[(kind, value)] = found
        return found

    def _digests(self, session: Session) -> set[str]:
        known = self._known.get(session)
        if known is None:
            known = set(session.scalars(select(Suppression.digest)))
            self._known[session] = known
        return known

    def is_suppressed(self, session: Session, kind: str, values: Iterable[str]) -> bool:
        return bool(self.suppressed(session, kind, values))

    def suppressed(self, session: Session, kind: str, values: Iterable[str]) -> set[str]:
        """Which of `values` are suppressed."""
        values = list(values)
        if not values:
            return set()
        known = self._digests(session)
        if not known:  # the common case: nobody suppressed, nothing to hash
            return set()
        return {v for v in values if self.digest(kind, v) in known}

    def add(self, session: Session, kind: str, value: str) -> bool:
        """Add one entry; False when it was there already."""
        digest = self.digest(kind, value)
        known = self._digests(session)
        if digest in known or session.scalar(select(Suppression.id).where(Suppression.digest == digest)):
            return False
        session.add(Suppression(digest=digest, kind=kind))
        known.add(digest)
        return True
