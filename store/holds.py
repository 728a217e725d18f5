"""Legal holds: a project or a contact pinned against deletion until the hold is released.

Why one function for both: a hold means the same thing wherever it is set (retention
skips the held thing and what it pins, store/retention.py; erasure refuses it,
store/rights.py), so setting and releasing it, and its audit, are one code path. The
audit names the object and the act, never a value.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from harvester.errors import LegalHold
from store import audit
from store.models import Contact, Project

__all__ = ["refuse_if_held", "set_hold"]


def _kind(target: Project | Contact) -> str:
    return "project" if isinstance(target, Project) else "contact"


def set_hold(session: Session, target: Project | Contact, *, held: bool, actor: str) -> None:
    """Put `target` under legal hold (or release it); audited as `<kind>.hold` / `<kind>.release`."""
    target.legal_hold = held
    kind = _kind(target)
    action = f"{kind}.hold" if held else f"{kind}.release"
    audit.record(session, action=action, object_kind=kind, object_id=target.id, actor=actor)


def refuse_if_held(target: Project | Contact, what: str) -> None:
    """Raise LegalHold (nothing done) when `target` is held; `what` names the refused act."""
    if target.legal_hold:
        kind = _kind(target)
        raise LegalHold(
            f"{kind} {target.id} is under legal hold: {what} refused, nothing was deleted "
            f"(release the hold first: harvester {kind}s release)"
        )
