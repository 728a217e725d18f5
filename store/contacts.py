"""Contacts as evidence: each field value is a row with its source, message, time and rank.

Why evidence and not values: an agency must be able to say where every value came
from, and a weaker or older source must never silently replace a stronger or
newer one. So nothing is overwritten; the current contact is derived.

Ranks (strongest first): manual > the person's own signature > import > an
auto-reply > a third party's mention. Within one rank the newest sighting wins, so
the signature of the person's own *recent* mail beats an *older* signature, and an
old message ingested late cannot undo a newer one.

Each field has *slots*: one for a single-valued field (name, title, organization,
address), one per distinct item for a list field (an e-mail address, a phone by
its E.164 number, a URL, a coverage slug). A slot's current value is its best live
row. When a new row becomes the best and its value differs, the row it replaces is
marked superseded: that is the field's history, shown by `contacts show` and
exported. A weaker row is kept live but outranked (it is evidence too). The same
value from the same source seen again only moves that row's `seen_at` forward
(the latest confirmation), so the table grows with changes, not with mail volume;
the same message applied twice adds nothing.

A list field with any live manual row shows only the manual rows: a list set by
hand (`contacts edit --set coverage=film,tv`) is not silently extended by mail.

Merge rules: a contact is found by a normalised e-mail address or by a *mobile*
number (E.164). Fixed lines, switchboards and faxes are evidence but never keys,
because a shared switchboard number must not merge two colleagues. A key already
held by another contact is not moved: two contacts are never merged automatically.

Suppressed people (store/suppression.py) are skipped before anything is written,
including when they are named by someone else's auto-reply. Every change writes an
audit event with ids, field names and reasons, never values.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from harvester.understand.types import AutoReply, AutoReplyReason, Kind, Phone, PhoneType, Understanding
from harvester.understand.types import Contact as SeenContact
from store import audit
from store.batch import BatchContext, chunks, new_row
from store.models import Contact, ContactEvidence, ContactKey, utcnow
from store.purposes import register_view
from store.suppression import Suppressor

__all__ = [
    "ABSENCE_REASONS",
    "FIELDS",
    "LIST_FIELDS",
    "RANK",
    "SINGLE_FIELDS",
    "ContactPolicy",
    "ContactStatus",
    "EvidenceSource",
    "add_evidence",
    "apply_understanding",
    "contact_by_email",
    "current_view",
    "find_contact",
    "find_contacts",
    "history",
    "is_mobile",
    "list_contacts",
    "normalise_email",
    "prefetch",
    "provenance",
    "record_sighting",
    "set_art14_notice",
    "set_field_manually",
    "set_legal_basis",
    "set_status",
    "show_view",
]


class EvidenceSource(StrEnum):
    MANUAL = "manual"
    SIGNATURE = "signature"
    IMPORT = "import"
    AUTOREPLY = "autoreply"
    THIRD_PARTY_MENTION = "third_party_mention"


class ContactStatus(StrEnum):
    ACTIVE = "active"
    LEFT_ORGANIZATION = "left_organization"
    BOUNCED = "bounced"
    UNSUBSCRIBED = "unsubscribed"


#: manual > signature > import > auto-reply > a third party's mention; newer wins within a rank.
RANK = {
    EvidenceSource.MANUAL: 100,
    EvidenceSource.SIGNATURE: 60,
    EvidenceSource.IMPORT: 50,
    EvidenceSource.AUTOREPLY: 40,
    EvidenceSource.THIRD_PARTY_MENTION: 10,
}

SINGLE_FIELDS = ("name", "title", "organization", "address")
#: `candidate_emails`: addresses an auto-reply gives as the person's new one; evidence, not keys.
LIST_FIELDS = ("emails", "phones", "urls", "coverage", "candidate_emails")
FIELDS = SINGLE_FIELDS + LIST_FIELDS

#: Auto-reply reasons recorded as an absence. Only these enum values are stored, never the
#: reply's words, so a sick note can never become health data here.
ABSENCE_REASONS = frozenset(
    {AutoReplyReason.VACATION, AutoReplyReason.PARENTAL_LEAVE, AutoReplyReason.ABSENCE}
)
_CANDIDATE_REASONS = frozenset({AutoReplyReason.LEFT_ORGANIZATION, AutoReplyReason.ADDRESS_CHANGE})


def normalise_email(value: str) -> str:
    """The form addresses are keyed and hashed by.

    >>> normalise_email("  Erik@Dagbladet.Example ")
    'erik@dagbladet.example'
    """
    return value.strip().lower()


def is_mobile(e164: str) -> bool:
    """Whether a number may identify one person (only mobiles do; see the module docstring).

    >>> is_mobile("+46701740605"), is_mobile("+46846500400")
    (True, False)
    """
    try:
        parsed = phonenumbers.parse(e164)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(parsed) == phonenumbers.PhoneNumberType.MOBILE


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@dataclass(kw_only=True)
class ContactPolicy:
    """What deciding about contacts needs: legal basis, suppression, actor, own domains."""

    legal_basis: str
    suppressor: Suppressor | None
    actor: str = audit.DAEMON
    own_domains: tuple[str, ...] = ()

    def is_own(self, email: str) -> bool:
        return email.rpartition("@")[2].lower() in {d.lower() for d in self.own_domains}

    def is_suppressed(self, session: Session, *, emails: Iterable[str], phones: Iterable[str]) -> bool:
        if self.suppressor is None:
            return False
        return self.suppressor.is_suppressed(session, "email", list(emails)) or (
            self.suppressor.is_suppressed(session, "phone", list(phones))
        )


# --- keys -----------------------------------------------------------------------------------


def _keys_of(seen: SeenContact) -> tuple[list[str], list[str]]:
    emails = list(dict.fromkeys(normalise_email(e) for e in seen.emails if e and "@" in e))
    mobiles = list(
        dict.fromkeys(
            p.e164
            for p in seen.phones
            if p.type == PhoneType.MOBILE or (p.type == PhoneType.UNKNOWN and is_mobile(p.e164))
        )
    )
    return emails, mobiles


def _holders(session: Session, batch: BatchContext, kind: str, values: Iterable[str]) -> list[Contact]:
    """The contacts holding these keys, from the batch's cache (the database for keys not in it)."""
    keys = batch.keys
    missing = list(dict.fromkeys(v for v in values if (kind, v) not in keys))
    for chunk in chunks(missing):
        rows = session.execute(
            select(ContactKey.value, ContactKey.contact_id).where(
                ContactKey.kind == kind, ContactKey.value.in_(chunk)
            )
        ).all()
        cids = {cid for _, cid in rows}
        contacts = (
            {c.id: c for c in session.scalars(select(Contact).where(Contact.id.in_(cids)))} if cids else {}
        )
        for value, cid in rows:
            keys[(kind, value)] = contacts[cid]
    for value in missing:
        keys.setdefault((kind, value), None)
    return [c for v in values if (c := keys[(kind, v)]) is not None]


def find_contacts(session: Session, kind: str, values: Sequence[str], *, batch: BatchContext) -> set[Contact]:
    """Every contact holding one of these normalised keys (served from the batch's cache)."""
    return set(_holders(session, batch, kind, values))


def find_contact(
    session: Session,
    *,
    emails: Sequence[str] = (),
    phones: Sequence[str] = (),
    batch: BatchContext | None = None,
) -> Contact | None:
    """The contact any of these normalised keys (e-mails first, then mobiles) belongs to."""
    for kind, values in (("email", emails), ("phone", phones)):
        if values and batch is not None:
            holders = _holders(session, batch, kind, values)
            if holders:
                return min(holders, key=lambda c: c.id)
        elif values:
            found = session.scalar(
                select(Contact)
                .join(ContactKey)
                .where(ContactKey.kind == kind, ContactKey.value.in_(list(values)))
                .order_by(Contact.id)
                .limit(1)
            )
            if found is not None:
                return found
    return None


def contact_by_email(session: Session, email: str) -> Contact | None:
    return find_contact(session, emails=[normalise_email(email)])


def _add_keys(
    session: Session, contact: Contact, kind: str, values: Sequence[str], *, batch: BatchContext | None = None
) -> None:
    """Attach keys unless held already, by this contact or another (no silent merge). One query."""
    if not values:
        return
    if batch is not None:
        _holders(session, batch, kind, values)
        for value in dict.fromkeys(values):
            if batch.keys[(kind, value)] is None:
                batch.add_row(session, new_row(ContactKey, contact_id=contact.id, kind=kind, value=value))
                batch.keys[(kind, value)] = contact
        return
    held = set(
        session.scalars(
            select(ContactKey.value).where(ContactKey.kind == kind, ContactKey.value.in_(list(values)))
        )
    )
    for value in dict.fromkeys(values):
        if value not in held:
            session.add(ContactKey(contact_id=contact.id, kind=kind, value=value))


# --- evidence -------------------------------------------------------------------------------


def _slot(field: str, value: Any) -> str:
    if field == "phones" and isinstance(value, dict):
        return str(value.get("e164"))
    if field in LIST_FIELDS:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return field


@functools.lru_cache(maxsize=65536)
def _stored_slot(field: str, encoded: str) -> str:
    """The slot of a stored (JSON) value: compared for every live row, so decoded once."""
    return _slot(field, json.loads(encoded))


def _order_key(row: ContactEvidence) -> tuple[int, datetime, int]:
    return (row.rank, _aware(row.seen_at), row.id or 0)


def _live_rows(
    session: Session, contact: Contact, field: str | None = None, *, batch: BatchContext | None = None
) -> list[ContactEvidence]:
    """Live rows, strongest first; with a `batch`, its one list of the contact's rows (any field)."""
    if batch is not None:
        rows = batch.live.get(contact)
        if rows is None:
            rows = batch.live[contact] = [] if contact.id is None else _live_rows(session, contact)
        return rows
    query = select(ContactEvidence).where(
        ContactEvidence.contact_id == contact.id, ContactEvidence.superseded_at.is_(None)
    )
    if field is not None:
        query = query.where(ContactEvidence.field == field)
    rows = list(session.scalars(query))
    rows.sort(key=_order_key, reverse=True)
    return rows


def _touch(contact: Contact) -> None:
    contact.updated_at = utcnow()


def _event(
    session: Session, batch: BatchContext | None, contact: Contact, action: str, *, actor: str, **values: Any
) -> None:
    """An audit event about `contact`; in a batch, written with the batch's others at its end."""
    if batch is None:
        audit.contact_event(session, contact.id, action, actor=actor, **values)
    else:
        batch.audit(contact.id, action=action, actor=actor, **values)


def add_evidence(
    session: Session,
    contact: Contact,
    *,
    field: str,
    value: Any,
    source: EvidenceSource,
    message_id: str | None,
    seen_at: datetime,
    actor: str,
    reason: str,
    live: list[ContactEvidence] | None = None,
    batch: BatchContext | None = None,
) -> bool:
    """Record one value as evidence; True when anything changed.

    Nothing is overwritten: a stronger or newer value supersedes the current one (kept
    as history), a weaker or older one is kept live but outranked. `live`: the contact's
    live rows, loaded once by a caller adding many values (kept up to date here).
    """
    seen_at = _aware(seen_at)
    encoded = json.dumps(value, ensure_ascii=False, sort_keys=True)
    # The slot of a list item is its JSON (that is `encoded`), a phone's its number.
    slot = encoded if field in LIST_FIELDS and not isinstance(value, dict) else _slot(field, value)
    if live is None:
        if batch is not None:
            batch.settle(session)
        live = _live_rows(session, contact, field, batch=batch)
    # In a batch, the contact's live rows indexed by slot (each add would scan them all otherwise).
    slots = (
        batch.slots_of(contact, live, lambda r: (r.field, _stored_slot(r.field, r.value))) if batch else None
    )
    if slots is not None:
        rows = list(slots.get((field, slot), ()))
    else:
        rows = [r for r in live if r.field == field and _stored_slot(field, r.value) == slot]
    rows.sort(key=_order_key, reverse=True)
    same = None  # the strongest row of this value from this source
    for row in rows:
        if row.value == encoded and row.source == source.value:
            if message_id is not None and row.message_id == message_id:
                return False  # this message's value is recorded already
            if same is None:
                same = row
    current = rows[0] if rows else None
    if same is not None:
        if seen_at <= _aware(same.seen_at):
            return False
        same.seen_at, same.message_id = seen_at, message_id  # a newer confirmation of the same value
        target = same
    else:
        values = {
            "contact_id": contact.id,
            "field": field,
            "value": encoded,
            "source": source.value,
            "rank": RANK[source],
            "message_id": message_id,
            "seen_at": seen_at,
        }
        target = ContactEvidence(**values) if batch is None else new_row(ContactEvidence, **values)
        live.append(target)
        if slots is not None:
            slots.setdefault((field, slot), []).append(target)
        if batch is None:
            session.add(target)
        else:
            batch.add_new(target)  # its id at the next `settle`
            batch.unsettled.append(target)
        _event(
            session,
            batch,
            contact,
            "evidence.added",
            actor=actor,
            field=field,
            reason=reason,
            source=source.value,
        )
    if (
        current is not None
        and current is not target
        and current.value != encoded
        and _order_key(target) > _order_key(current)
    ):
        current.superseded_at = utcnow()
        live.remove(current)
        if slots is not None:
            slots[(field, slot)].remove(current)
        _event(
            session,
            batch,
            contact,
            "evidence.superseded",
            actor=actor,
            field=field,
            reason=f"replaced by {source.value}",
            source=current.source,
        )
    _touch(contact)
    return True


def set_status(
    session: Session,
    contact: Contact,
    status: ContactStatus,
    *,
    at: datetime,
    actor: str,
    reason: str,
    batch: BatchContext | None = None,
) -> bool:
    """Change the status unless it is already so, or the evidence is older than the last change."""
    at = _aware(at)
    if contact.status == status.value:
        return False
    if contact.status_since is not None and at < _aware(contact.status_since):
        return False
    contact.status = status.value
    contact.status_since = at
    _touch(contact)
    _event(
        session,
        batch,
        contact,
        "status.changed",
        actor=actor,
        field="status",
        reason=reason,
    )
    return True


def _resting_status(contact: Contact) -> ContactStatus:
    """The status a reachable contact has: unsubscribed once they refused e-mail."""
    channels = {o.channel for o in contact.opt_outs}
    return ContactStatus.UNSUBSCRIBED if "email" in channels else ContactStatus.ACTIVE


def set_legal_basis(
    session: Session, contact: Contact, legal_basis: str, *, actor: str, reason: str = "edited by hand"
) -> bool:
    """Change the contact's legal basis with one audit event saying why; False when it was that already."""
    if contact.legal_basis == legal_basis:
        return False
    contact.legal_basis = legal_basis
    _touch(contact)
    audit.contact_event(
        session,
        contact.id,
        "legal_basis.changed",
        actor=actor,
        field="legal_basis",
        reason=reason,
    )
    return True


def set_art14_notice(session: Session, contact: Contact, needed: bool, *, actor: str) -> bool:
    """Mark whether the person still has to be told (Art. 14) that we hold their data."""
    if contact.needs_art14_notice == needed:
        return False
    contact.needs_art14_notice = needed
    _touch(contact)
    audit.contact_event(
        session,
        contact.id,
        "art14_notice.changed",
        actor=actor,
        field="needs_art14_notice",
        reason="informed (Art. 14)" if not needed else "edited by hand",
    )
    return True


def set_field_manually(session: Session, contact: Contact, field: str, value: Any, *, actor: str) -> bool:
    """A hand correction (provenance manual). A list value replaces the list: the rest goes to history.

    True when anything changed, a list shortened by hand included.
    """
    now = utcnow()
    reason = "edited by hand"
    items = list(value) if field in LIST_FIELDS else [value]
    changed = False
    if field in LIST_FIELDS:
        wanted = {json.dumps(v, ensure_ascii=False, sort_keys=True) for v in items}
        for row in _live_rows(session, contact, field):
            if row.value not in wanted:
                row.superseded_at = now
                changed = True
                audit.contact_event(
                    session,
                    contact.id,
                    "evidence.superseded",
                    actor=actor,
                    field=field,
                    reason=reason,
                    source=row.source,
                )
    for item in items:
        changed |= add_evidence(
            session,
            contact,
            field=field,
            value=item,
            source=EvidenceSource.MANUAL,
            message_id=None,
            seen_at=now,
            actor=actor,
            reason=reason,
        )
    if field == "emails":
        _add_keys(session, contact, "email", items)
    _touch(contact)
    return changed


# --- what one message says ------------------------------------------------------------------


def record_sighting(
    session: Session,
    seen: SeenContact,
    *,
    source: EvidenceSource,
    message_id: str | None,
    seen_at: datetime,
    policy: ContactPolicy,
    batch: BatchContext | None = None,
) -> Contact | None:
    """Add what one message says about one person; creates the contact on first sight."""
    emails, mobiles = _keys_of(seen)
    if not emails and not mobiles:
        return None
    if batch is not None:
        batch.settle(session)
    contact = find_contact(session, emails=emails, phones=mobiles, batch=batch)
    reason = f"{source.value} in message"
    if contact is None:
        state: dict[str, Any] = {
            "legal_basis": policy.legal_basis,
            "status": ContactStatus.ACTIVE.value,
            "needs_art14_notice": source == EvidenceSource.THIRD_PARTY_MENTION,
        }
        if batch is None:
            contact = Contact(**state)
            session.add(contact)
            session.flush()
        else:
            state["id"] = batch.new_id(session, Contact)
            state["created_at"] = state["updated_at"] = utcnow()
            contact = new_row(Contact, **state)
            batch.live[contact] = []
            batch.add_new(contact)
        _event(
            session,
            batch,
            contact,
            "contact.created",
            actor=policy.actor,
            reason=reason,
            source=source.value,
        )
    _add_keys(session, contact, "email", emails, batch=batch)
    _add_keys(session, contact, "phone", mobiles, batch=batch)
    live = _live_rows(session, contact, batch=batch)
    values: list[tuple[str, Any]] = [
        ("name", seen.name),
        ("title", seen.title),
        ("organization", seen.organization),
        ("address", asdict(seen.address) if seen.address else None),
    ]
    values += [("emails", e) for e in emails]
    values += [("phones", {"e164": p.e164, "type": p.type.value}) for p in seen.phones]
    values += [("urls", u) for u in seen.urls]
    values += [("coverage", c) for c in seen.coverage]
    for field, value in values:
        if value:
            add_evidence(
                session,
                contact,
                field=field,
                value=value,
                source=source,
                message_id=message_id,
                seen_at=seen_at,
                actor=policy.actor,
                reason=reason,
                live=live,
                batch=batch,
            )
    seen_at = _aware(seen_at)
    if contact.last_activity_at is None or seen_at > _aware(contact.last_activity_at):
        contact.last_activity_at = seen_at
    return contact


def _apply_autoreply(
    session: Session,
    contact: Contact,
    reply: AutoReply,
    *,
    message_id: str | None,
    seen_at: datetime,
    policy: ContactPolicy,
    batch: BatchContext | None = None,
) -> None:
    actor = policy.actor
    if reply.reason == AutoReplyReason.LEFT_ORGANIZATION:
        set_status(
            session,
            contact,
            ContactStatus.LEFT_ORGANIZATION,
            at=seen_at,
            actor=actor,
            reason="auto-reply: left organization",
            batch=batch,
        )
    if reply.reason in _CANDIDATE_REASONS and reply.new_email:
        add_evidence(
            session,
            contact,
            field="candidate_emails",
            value=normalise_email(reply.new_email),
            source=EvidenceSource.AUTOREPLY,
            message_id=message_id,
            seen_at=seen_at,
            actor=actor,
            reason="auto-reply gives a new address (candidate)",
            batch=batch,
        )
    if reply.reason in ABSENCE_REASONS:
        since = contact.absence_since
        if since is None or _aware(seen_at) >= _aware(since):
            contact.absence_reason = reply.reason.value
            contact.absence_until = reply.until
            contact.absence_since = _aware(seen_at)
            _touch(contact)
            _event(
                session,
                batch,
                contact,
                "absence.recorded",
                actor=actor,
                field="absence",
                reason="auto-reply",
            )


def _apply_own_mail(
    session: Session,
    contact: Contact,
    *,
    seen_at: datetime,
    policy: ContactPolicy,
    batch: BatchContext | None = None,
) -> None:
    """A personal message written after an absence or a bounce shows the person is back."""
    seen_at = _aware(seen_at)
    if contact.absence_since is not None and seen_at > _aware(contact.absence_since):
        contact.absence_reason = contact.absence_until = contact.absence_since = None
        _touch(contact)
        _event(
            session,
            batch,
            contact,
            "absence.cleared",
            actor=policy.actor,
            field="absence",
            reason="newer own mail",
        )
    if contact.status in (ContactStatus.BOUNCED, ContactStatus.LEFT_ORGANIZATION):
        set_status(
            session,
            contact,
            _resting_status(contact),
            at=seen_at,
            actor=policy.actor,
            reason="newer own mail",
            batch=batch,
        )


def _apply_mentions(
    session: Session,
    reply: AutoReply,
    *,
    sender_emails: Sequence[str],
    message_id: str | None,
    seen_at: datetime,
    policy: ContactPolicy,
    batch: BatchContext | None = None,
) -> None:
    """People an auto-reply names instead of the sender: third parties, flagged for Art. 14."""
    for alt in reply.alternate_contacts:
        email = normalise_email(alt.email) if alt.email else None
        if email and (policy.is_own(email) or email in sender_emails):
            continue
        phones = (
            [Phone(alt.phone, PhoneType.MOBILE if is_mobile(alt.phone) else PhoneType.UNKNOWN)]
            if alt.phone
            else []
        )
        seen = SeenContact(name=alt.name, emails=[email] if email else [], phones=phones)
        emails, mobiles = _keys_of(seen)
        if policy.is_suppressed(session, emails=emails, phones=mobiles):
            continue
        record_sighting(
            session,
            seen,
            source=EvidenceSource.THIRD_PARTY_MENTION,
            message_id=message_id,
            seen_at=seen_at,
            policy=policy,
            batch=batch,
        )


def _apply_bounce(
    session: Session,
    understanding: Understanding,
    *,
    seen_at: datetime,
    policy: ContactPolicy,
    batch: BatchContext | None = None,
) -> None:
    bounce = understanding.bounce
    if bounce is None or not bounce.permanent:
        return
    for address in bounce.addresses:
        if batch is not None:
            batch.settle(session)
        contact = find_contact(session, emails=[normalise_email(address)], batch=batch)
        if contact is not None:
            set_status(
                session,
                contact,
                ContactStatus.BOUNCED,
                at=seen_at,
                actor=policy.actor,
                reason="permanent bounce",
                batch=batch,
            )


def apply_understanding(
    session: Session,
    understanding: Understanding,
    *,
    seen_at: datetime,
    policy: ContactPolicy,
    batch: BatchContext | None = None,
) -> Contact | None:
    """Everything one understood message changes about contacts, in the caller's transaction.

    Returns the sender's contact when it was created or updated. Opt-outs from an
    unsubscribe message are applied by store/optouts.py after this (an `all`
    unsubscribe is an erasure, so nothing is recorded for that sender here).
    """
    if understanding.kind == Kind.BOUNCE:
        _apply_bounce(session, understanding, seen_at=seen_at, policy=policy, batch=batch)
        return None
    seen = understanding.contact
    reply = understanding.autoreply if understanding.kind == Kind.AUTOREPLY else None
    contact = None
    sender_emails: list[str] = []
    wants_nothing = understanding.unsubscribe is not None and "all" in {
        c.value for c in understanding.unsubscribe.channels
    }
    if seen is not None and not wants_nothing:
        sender_emails, mobiles = _keys_of(seen)
        if not policy.is_suppressed(session, emails=sender_emails, phones=mobiles):
            source = EvidenceSource.AUTOREPLY if reply is not None else EvidenceSource.SIGNATURE
            contact = record_sighting(
                session,
                seen,
                source=source,
                message_id=understanding.message_id,
                seen_at=seen_at,
                policy=policy,
                batch=batch,
            )
    if contact is not None and reply is not None:
        _apply_autoreply(
            session,
            contact,
            reply,
            message_id=understanding.message_id,
            seen_at=seen_at,
            policy=policy,
            batch=batch,
        )
    elif contact is not None and understanding.kind == Kind.PERSONAL:
        _apply_own_mail(session, contact, seen_at=seen_at, policy=policy, batch=batch)
    if reply is not None:
        _apply_mentions(
            session,
            reply,
            sender_emails=sender_emails,
            message_id=understanding.message_id,
            seen_at=seen_at,
            policy=policy,
            batch=batch,
        )
    return contact


def _batch_keys(understanding: Understanding) -> Iterator[tuple[str, str]]:
    """Every contact key applying `understanding` can look up (see `prefetch`)."""
    if understanding.contact is not None:
        emails, mobiles = _keys_of(understanding.contact)
        yield from (("email", e) for e in emails)
        yield from (("phone", m) for m in mobiles)
    envelope = understanding.envelope
    for box in [envelope.sender, *envelope.to, *envelope.cc]:
        if box is not None and box.email:
            yield "email", box.email.lower()
    if understanding.bounce is not None:
        yield from (("email", normalise_email(a)) for a in understanding.bounce.addresses)
    if understanding.autoreply is not None:
        for alt in understanding.autoreply.alternate_contacts:
            if alt.email:
                yield "email", normalise_email(alt.email)
            if alt.phone:
                yield "phone", alt.phone


def prefetch(session: Session, batch: BatchContext, understandings: Iterable[Understanding]) -> None:
    """The contacts a batch can touch (by every key it carries) and their live evidence: a few queries."""
    wanted: dict[str, list[str]] = {"email": [], "phone": []}
    for kind, value in dict.fromkeys(k for u in understandings for k in _batch_keys(u)):
        wanted[kind].append(value)
    for kind, values in wanted.items():
        _holders(session, batch, kind, values)
    contacts = {c for c in batch.keys.values() if c is not None and c not in batch.live}
    by_id = {c.id: c for c in contacts}
    for contact in contacts:
        batch.live[contact] = []
    for chunk in chunks(sorted(by_id)):
        for row in session.scalars(
            select(ContactEvidence).where(
                ContactEvidence.contact_id.in_(chunk), ContactEvidence.superseded_at.is_(None)
            )
        ):
            batch.live[by_id[row.contact_id]].append(row)


# --- views ----------------------------------------------------------------------------------


def _derive(rows: list[ContactEvidence]) -> tuple[dict[str, Any], set[int]]:
    """Current field values from live rows (sorted strongest first), and the ids that hold them."""
    values: dict[str, Any] = {}
    current: set[int] = set()
    for field in SINGLE_FIELDS:
        best = next((r for r in rows if r.field == field), None)
        values[field] = json.loads(best.value) if best else None
        if best is not None:
            current.add(best.id)
    for field in LIST_FIELDS:
        mine = [r for r in rows if r.field == field]
        if any(r.source == EvidenceSource.MANUAL for r in mine):
            mine = [r for r in mine if r.source == EvidenceSource.MANUAL]
        slots: dict[str, ContactEvidence] = {}
        for row in mine:
            slots.setdefault(_slot(field, json.loads(row.value)), row)
        values[field] = [json.loads(r.value) for r in slots.values()]
        current |= {r.id for r in slots.values()}
    return values, current


def _absence(contact: Contact) -> dict[str, Any] | None:
    if contact.absence_reason is None:
        return None
    until = contact.absence_until
    return {"reason": contact.absence_reason, "until": until.isoformat() if isinstance(until, date) else None}


def current_view(session: Session, contact: Contact) -> dict[str, Any]:
    """The contract's contact object, derived from live evidence, plus added fields."""
    values, _ = _derive(_live_rows(session, contact))
    view: dict[str, Any] = {"id": contact.id}
    for field in ("name", "title", "organization", "emails", "phones", "address", "urls", "coverage"):
        view[field] = values[field]
    view["status"] = contact.status
    view["opt_outs"] = sorted(o.channel for o in contact.opt_outs)
    view["legal_basis"] = contact.legal_basis
    view["updated_at"] = contact.updated_at.isoformat() if contact.updated_at else None
    view["candidate_emails"] = values["candidate_emails"]
    view["absence"] = _absence(contact)
    view["needs_art14_notice"] = contact.needs_art14_notice
    return view


def _evidence_json(row: ContactEvidence, *, current: bool) -> dict[str, Any]:
    return {
        "value": json.loads(row.value),
        "source": row.source,
        "message_id": row.message_id,
        "seen_at": _aware(row.seen_at).isoformat(),
        "rank": row.rank,
        "current": current,
        "recorded_at": _aware(row.recorded_at).isoformat() if row.recorded_at else None,
        "superseded_at": _aware(row.superseded_at).isoformat() if row.superseded_at else None,
    }


def provenance(session: Session, contact: Contact) -> dict[str, list[dict[str, Any]]]:
    """Every evidence row per field, strongest first, live and superseded, marked `current`."""
    _, current = _derive(_live_rows(session, contact))
    rows = list(session.scalars(select(ContactEvidence).where(ContactEvidence.contact_id == contact.id)))
    rows.sort(key=lambda r: (r.superseded_at is not None, -r.rank, -_aware(r.seen_at).timestamp(), -r.id))
    result: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        result.setdefault(row.field, []).append(_evidence_json(row, current=row.id in current))
    return result


def history(session: Session, contact: Contact) -> dict[str, list[dict[str, Any]]]:
    """The values that were current once and were replaced, per field."""
    return {
        field: [e for e in entries if e["superseded_at"] is not None]
        for field, entries in provenance(session, contact).items()
        if any(e["superseded_at"] is not None for e in entries)
    }


def show_view(session: Session, contact: Contact) -> dict[str, Any]:
    """`contacts show`: the contact, every field's provenance, and its history."""
    view = current_view(session, contact)
    view["provenance"] = provenance(session, contact)
    view["history"] = history(session, contact)
    view["status_since"] = _aware(contact.status_since).isoformat() if contact.status_since else None
    view["register"] = register_view(session, contact, today=utcnow().date())  # issue 9
    view["legal_hold"] = bool(contact.legal_hold)  # erasure is refused while it is set
    return view


def list_contacts(
    session: Session, *, status: str | None = None, coverage: str | None = None
) -> list[dict[str, Any]]:
    query = select(Contact).order_by(Contact.id)
    if status:
        query = query.where(Contact.status == status)
    views = [current_view(session, c) for c in session.scalars(query)]
    if coverage:
        views = [v for v in views if coverage in v["coverage"]]
    return views
