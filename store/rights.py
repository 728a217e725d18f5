"""Data-subject rights: access and portability (export, GDPR Art. 15/20) and erasure (Art. 17).

Erasure is real deletion, not a flag: the contact's rows (keys, evidence with its
history, opt-outs) are deleted; the person's e-mail addresses and mobile numbers
enter the suppression list as keyed hashes, so their mail is recognised and never
harvested again; message bodies in which they are the only party outside the
organisation are deleted, and their address, name and numbers are redacted from the
others, and from the file paths messages were read from (message_locations); their
message_participants rows go. SQLite deletes with `secure_delete`
(freed pages are zeroed) and `reclaim()` then checkpoints and truncates the WAL
and VACUUMs, so the bytes are gone from the files on disk. On PostgreSQL the rows
are gone at once; dead row versions are reclaimed by VACUUM (run on the affected
tables when the role may, else by autovacuum) — backups and WAL archives keep them
until they expire, which the organisation's backup retention must cover.

The audit keeps what happened (ids, kinds, field names, reasons) and survives
erasure because it never holds a value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, cast

import phonenumbers
from sqlalchemy import ColumnElement, CursorResult, Delete, Engine, delete, func, or_, select
from sqlalchemy.orm import Session

from store import audit, tags
from store.contacts import (
    FIELDS,
    current_view,
    history,
    is_mobile,
    provenance,
)
from store.holds import refuse_if_held
from store.models import (
    AuditEvent,
    Contact,
    ContactEvidence,
    ContactKey,
    Message,
    MessageLocation,
    MessageParticipant,
    OptOut,
    Project,
    Thread,
    utcnow,
)
from store.purposes import purposes_of, register_view
from store.suppression import Suppressor
from store.threads import subject_key

__all__ = [
    "PLACEHOLDER",
    "REGISTER_PARTS",
    "ErasureReport",
    "Person",
    "erase_contact",
    "erase_fields",
    "export_contact",
    "person_of",
    "reclaim",
    "scrub_messages",
    "scrub_suppressed",
]

PLACEHOLDER = "[erased]"
#: Tables an erasure writes to; VACUUMed on PostgreSQL after it.
_AFFECTED_TABLES = (
    "contacts",
    "contact_keys",
    "contact_evidence",
    "contact_tags",
    "contact_notes",
    "opt_outs",
    "messages",
    "message_locations",
    "message_participants",
    "threads",
)


@dataclass(slots=True)
class Person:
    """What identifies one person in the store: the values erasure must find and remove."""

    emails: set[str]
    mobiles: set[str]
    phones: set[str]
    names: set[str]


@dataclass(slots=True)
class ErasureReport:
    """Counts only (safe to print and log)."""

    contact_id: int | None = None
    suppressed: int = 0
    evidence_rows: int = 0
    bodies_deleted: int = 0
    messages_redacted: int = 0
    participants_deleted: int = 0


def person_of(session: Session, contact: Contact) -> Person:
    keys = list(session.scalars(select(ContactKey).where(ContactKey.contact_id == contact.id)))
    emails = {k.value for k in keys if k.kind == "email"}
    mobiles = {k.value for k in keys if k.kind == "phone"}
    phones = set(mobiles)
    names: set[str] = set()
    for row in session.scalars(select(ContactEvidence).where(ContactEvidence.contact_id == contact.id)):
        value = json.loads(row.value)
        if row.field in ("emails", "candidate_emails") and isinstance(value, str):
            emails.add(value.lower())
        elif row.field == "phones" and isinstance(value, dict) and value.get("e164"):
            phones.add(value["e164"])
        elif row.field == "name" and isinstance(value, str) and value.strip():
            names.add(value.strip())
    return Person(emails=emails, mobiles=mobiles, phones=phones, names=names)


# --- redaction of archived messages ---------------------------------------------------------


def _redactor(
    *, emails: Iterable[str], names: Iterable[str], phones: Collection[str]
) -> Callable[[str | None], str | None]:
    """A function that replaces the person's addresses, name (whole and its parts) and numbers."""
    literals = sorted({*emails, *names, *phones}, key=len, reverse=True)
    parts = {p for n in names for p in re.split(r"[\s,]+", n) if len(p) >= 3}
    patterns = [re.escape(v) for v in literals if v] + [rf"\b{re.escape(p)}\b" for p in sorted(parts)]
    regex = re.compile("|".join(patterns), re.IGNORECASE) if patterns else None

    def redact(text: str | None) -> str | None:
        if not text:
            return text
        if phones:
            for match in reversed(list(phonenumbers.PhoneNumberMatcher(text, "SE"))):
                e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
                if e164 in phones:
                    text = text[: match.start] + PLACEHOLDER + text[match.end :]
        return regex.sub(PLACEHOLDER, text) if regex is not None else text

    return redact


#: What people put between the digits of a phone number; removed before a number is looked for.
_NUMBER_SEPARATORS = (" ", "-", "(", ")", ".", "/", "+", "\u00a0", "\u2013")


def _digits_only(column: Any) -> ColumnElement[str]:
    """The column without number separators (SQL, the same on SQLite and PostgreSQL).

    "070-174 06 05" and "+46 70 174 06 05" both become runs holding "701740605", so one
    LIKE finds every way a number is written; the redactor then confirms each match.
    """
    expression: ColumnElement[str] = column
    for separator in _NUMBER_SEPARATORS:
        expression = func.replace(expression, separator, "")
    return expression


def _mobile_digits(phones: Iterable[str]) -> list[str]:
    """The national significant numbers of the mobiles among `phones` (E.164): what a mention holds."""
    found = set()
    for e164 in phones:
        if is_mobile(e164):
            found.add(phonenumbers.national_significant_number(phonenumbers.parse(e164)))
    return sorted(found)


def _delete(session: Session, statement: Delete) -> int:
    """Run a DELETE; how many rows it removed."""
    result = cast(CursorResult[Any], session.execute(statement))
    return result.rowcount or 0


def _is_own(email: str, own_domains: Collection[str]) -> bool:
    return email.rpartition("@")[2].lower() in {d.lower() for d in own_domains}


def scrub_messages(
    session: Session,
    *,
    emails: Collection[str],
    names: Iterable[str] = (),
    phones: Collection[str] = (),
    own_domains: Collection[str] = (),
    report: ErasureReport | None = None,
    mentions: bool = False,
) -> ErasureReport:
    """Remove one person from archived messages (see the module docstring).

    `mentions`: also find messages that only *mention* the person (their address, full
    name or surname in a subject or body, or their mobile number however it is written:
    +46701234567, 070-123 45 67, 0701234567) and redact them there; a scan of the whole
    archive, so erasure uses it and ingest does not. Only mobile numbers are searched for:
    a fixed number is often a switchboard shared with colleagues (see store/contacts.py).
    """
    report = report or ErasureReport()
    emails = {e.lower() for e in emails}
    names = {n for n in names if n}
    if not emails:
        return report
    _secure_delete(session)
    redact = _redactor(emails=emails, names=names, phones=phones)
    involved = select(MessageParticipant.message_pk).where(MessageParticipant.email.in_(emails))
    conditions: list[ColumnElement[bool]] = [Message.id.in_(involved), Message.sender_email.in_(emails)]
    thread_conditions: list[ColumnElement[bool]] = []
    if mentions:
        surnames = {p for n in names for p in n.split()[1:] if len(p) >= 3}
        for needle in sorted({*emails, *names, *surnames}):
            for column in (Message.body, Message.subject):
                conditions.append(func.lower(column).contains(needle.lower(), autoescape=True))
            thread_conditions.append(func.lower(Thread.subject).contains(needle.lower(), autoescape=True))
        for digits in _mobile_digits(phones):
            for column in (Message.body, Message.subject):
                conditions.append(_digits_only(column).contains(digits, autoescape=True))
            thread_conditions.append(_digits_only(Thread.subject).contains(digits, autoescape=True))
    found = list(session.scalars(select(Message).where(or_(*conditions))))
    participating = set(session.scalars(involved)) | {
        m.id for m in found if m.sender_email and m.sender_email.lower() in emails
    }
    threads: set[int] = set()
    for message in found:
        others = {
            p.email.lower()
            for p in message.participants
            if p.email.lower() not in emails and not _is_own(p.email, own_domains)
        }
        if others or message.id not in participating:
            message.body = redact(message.body)
            report.messages_redacted += 1
        elif message.body is not None:
            message.body = None
            report.bodies_deleted += 1
        message.subject = redact(message.subject)
        if message.sender_email and message.sender_email.lower() in emails:
            message.sender_email = None
        if message.thread_id is not None:
            threads.add(message.thread_id)
    _scrub_paths(session, {m.id for m in found}, emails=emails, names=names, redact=redact)
    report.participants_deleted += _delete(
        session, delete(MessageParticipant).where(MessageParticipant.email.in_(emails))
    )
    for thread in session.scalars(select(Thread).where(or_(Thread.id.in_(threads), *thread_conditions))):
        thread.subject = redact(thread.subject)
        thread.subject_key = subject_key(thread.subject)  # the key is derived from the subject
    session.flush()
    return report


def _name_pattern(name: str) -> str:
    """A name as file and folder names write it: parts joined by space, _, -, . or nothing."""
    return r"[\s_.\-]*".join(re.escape(p) for p in name.split())


def _scrub_paths(
    session: Session,
    message_pks: Collection[int],
    *,
    emails: Collection[str],
    names: Collection[str],
    redact: Callable[[str | None], str | None],
) -> None:
    """Redact the person from the file paths messages were read from (a folder named after them).

    The paths of the messages found, and any path holding their address or full name, in any
    of the usual spellings ("Erik Lindqvist", "erik_lindqvist", "Erik.Lindqvist").
    """
    needles = set(emails)
    for name in names:
        parts = name.lower().split()
        needles |= {sep.join(parts) for sep in (" ", "_", "-", ".", "")}
    conditions: list[ColumnElement[bool]] = [
        func.lower(MessageLocation.path).contains(n, autoescape=True) for n in sorted(needles) if n
    ]
    if message_pks:
        conditions.append(MessageLocation.message_pk.in_(list(message_pks)))
    if not conditions:
        return
    whole = [_name_pattern(n) for n in sorted(names, key=len, reverse=True) if n.split()]
    regex = re.compile("|".join(whole), re.IGNORECASE) if whole else None
    query = select(MessageLocation).where(MessageLocation.path.is_not(None), or_(*conditions))
    for location in session.scalars(query):
        path = redact(location.path)  # addresses first: a name pattern would match inside one
        location.path = regex.sub(PLACEHOLDER, path) if regex is not None and path else path


def scrub_suppressed(
    session: Session,
    message: Message,
    *,
    suppressor: Suppressor,
    own_domains: Collection[str],
    sender_names: Iterable[str] = (),
    sender_phones: Collection[str] = (),
) -> bool:
    """At ingest: a message involving a suppressed person is archived without them. True if scrubbed.

    `sender_names`/`sender_phones` (from the understood signature) are redacted too when the
    sender is the suppressed one.
    """
    addresses = {p.email.lower(): p.name for p in message.participants}
    sender = message.sender_email.lower() if message.sender_email else None
    if sender:
        addresses.setdefault(sender, None)
    hit = suppressor.suppressed(session, "email", list(addresses))
    if not hit:
        return False
    names = {n for e in hit if (n := addresses[e])}
    phones: set[str] = set()
    if sender in hit:
        names |= {n for n in sender_names if n}
        phones |= set(sender_phones)
    session.flush()
    scrub_messages(session, emails=hit, names=names, phones=phones, own_domains=own_domains)
    return True


# --- erasure --------------------------------------------------------------------------------


def _secure_delete(session: Session) -> None:
    """SQLite: zero freed pages on this connection, so deleted values do not linger in the file."""
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("PRAGMA secure_delete=ON")


def erase_contact(
    session: Session,
    contact: Contact,
    *,
    suppressor: Suppressor,
    own_domains: Collection[str],
    actor: str,
    reason: str,
) -> ErasureReport:
    """Forget a person entirely and suppress them; the caller commits, then calls `reclaim`.

    A contact under legal hold is refused (LegalHold) before anything is touched.
    """
    refuse_if_held(contact, "erasure")
    _secure_delete(session)
    person = person_of(session, contact)
    report = ErasureReport(contact_id=contact.id)
    for email in sorted(person.emails):
        report.suppressed += suppressor.add(session, "email", email)
    for phone in sorted(person.mobiles):
        report.suppressed += suppressor.add(session, "phone", phone)
    scrub_messages(
        session,
        emails=person.emails,
        names=person.names,
        phones=person.phones,
        own_domains=own_domains,
        report=report,
        mentions=True,
    )
    contact_id = contact.id
    report.evidence_rows = _delete(
        session, delete(ContactEvidence).where(ContactEvidence.contact_id == contact_id)
    )
    session.execute(delete(ContactKey).where(ContactKey.contact_id == contact_id))
    session.execute(delete(OptOut).where(OptOut.contact_id == contact_id))
    session.execute(delete(Contact).where(Contact.id == contact_id))
    session.expunge(contact)
    audit.contact_event(
        session,
        contact_id,
        "contact.erased",
        actor=actor,
        reason=reason,
    )
    session.flush()
    return report


#: Parts of a contact `erase_fields` deletes besides evidence fields: the register's tags and notes.
REGISTER_PARTS = ("tags", "notes")


def erase_fields(
    session: Session, contact: Contact, fields: Iterable[str], *, actor: str, reason: str
) -> int:
    """Delete these fields' evidence, history included, or all tags or notes. Rows deleted.

    Phones also lose their keys. Each part erased is one `evidence.erased` event naming it.
    A contact under legal hold is refused (LegalHold) before anything is touched.
    """
    refuse_if_held(contact, "erasure")
    _secure_delete(session)
    wanted = [f for f in dict.fromkeys(fields) if f in FIELDS or f in REGISTER_PARTS]
    deleted = 0
    if "phones" in wanted:
        numbers = {
            json.loads(v).get("e164")
            for v in session.scalars(
                select(ContactEvidence.value).where(
                    ContactEvidence.contact_id == contact.id, ContactEvidence.field == "phones"
                )
            )
        }
        session.execute(
            delete(ContactKey).where(
                ContactKey.contact_id == contact.id, ContactKey.kind == "phone", ContactKey.value.in_(numbers)
            )
        )
    for field in wanted:
        if field in REGISTER_PARTS:
            deleted += tags.delete_all(session, contact.id, field)
        else:
            deleted += _delete(
                session,
                delete(ContactEvidence).where(
                    ContactEvidence.contact_id == contact.id, ContactEvidence.field == field
                ),
            )
        audit.contact_event(session, contact.id, "evidence.erased", actor=actor, field=field, reason=reason)
    contact.updated_at = utcnow()
    session.flush()
    return deleted


def reclaim(engine: Engine) -> str:
    """After an erasure has committed: make the deleted bytes really go. Returns a note for the user."""
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cursor.close()
        finally:
            raw.close()
        return "SQLite: WAL checkpointed and truncated, database VACUUMed"
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM " + ", ".join(_AFFECTED_TABLES))
    except Exception as exc:  # the erasure itself has committed; vacuum is best effort
        return (
            f"PostgreSQL: rows deleted; VACUUM could not run now ({type(exc).__name__}), "
            "autovacuum reclaims the dead row versions later; backups keep them until they expire"
        )
    return (
        "PostgreSQL: rows deleted and the affected tables VACUUMed; "
        "WAL archives and backups keep old versions until they expire"
    )


# --- export ---------------------------------------------------------------------------------


def _iso(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime) and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def export_contact(
    session: Session,
    contact: Contact,
    *,
    organization: str,
    actor: str,
    plan: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """Everything held about one person (Art. 15/20), as one JSON-ready object; audited.

    `plan`: the retention plan's items (`harvester retention plan --json` objects); the
    items for this person's threads, contact and register purposes are exported, so the
    dates a person is told are exactly the ones `retention run` will act on.
    """
    person = person_of(session, contact)
    roles: dict[int, set[str]] = {}
    for pk, role in session.execute(
        select(MessageParticipant.message_pk, MessageParticipant.role).where(
            MessageParticipant.email.in_(person.emails)
        )
    ):
        roles.setdefault(pk, set()).add(role)
    messages = list(
        session.scalars(
            select(Message)
            .where(or_(Message.id.in_(list(roles)), Message.sender_email.in_(person.emails)))
            .order_by(Message.sent_at, Message.id)
        )
    )
    thread_ids = {m.thread_id for m in messages if m.thread_id is not None}
    threads = {
        t.id: (t, p)
        for t, p in session.execute(
            select(Thread, Project)
            .outerjoin(Project, Project.id == Thread.project_id)
            .where(Thread.id.in_(thread_ids))
        )
    }
    mine = (
        {("thread", t) for t in threads}
        | {("contact", contact.id)}
        | {("contact_purpose", row.id) for row in purposes_of(session, contact.id)}
    )
    retention = [dict(item) for item in plan if (item.get("what"), item.get("id")) in mine]
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_kind == "contact", AuditEvent.object_id == contact.id)
        .order_by(AuditEvent.at, AuditEvent.id)
    )
    prov = provenance(session, contact)
    result = {
        "organization": organization,
        "generated_at": _iso(utcnow()),
        "contact": current_view(session, contact),
        "status": contact.status,
        "status_since": _iso(contact.status_since),
        "legal_basis": contact.legal_basis,
        "needs_art14_notice": contact.needs_art14_notice,
        "absence": current_view(session, contact)["absence"],
        "created_at": _iso(contact.created_at),
        "last_activity_at": _iso(contact.last_activity_at),
        "sources": sorted({e["source"] for entries in prov.values() for e in entries}),
        "provenance": prov,
        "history": history(session, contact),
        "opt_outs": [
            {"channel": o.channel, "source": o.source, "message_id": o.message_id, "set_at": _iso(o.set_at)}
            for o in sorted(contact.opt_outs, key=lambda o: o.channel)
        ],
        "identifiers": {"emails": sorted(person.emails), "mobiles": sorted(person.mobiles)},
        "messages": [
            {
                "message_id": m.message_id,
                "subject": m.subject,
                "date": _iso(m.sent_at),
                "kind": m.kind,
                "roles": sorted(
                    roles.get(m.id, set()) | ({"from"} if m.sender_email in person.emails else set())
                ),
                "thread_id": m.thread_id,
                "project": (
                    threads[m.thread_id][1].code
                    if m.thread_id in threads and threads[m.thread_id][1] is not None
                    else None
                ),
            }
            for m in messages
        ],
        "threads": [
            {
                "id": t.id,
                "subject": t.subject,
                "project": p.code if p is not None else None,
                "last_message_at": _iso(t.last_message_at),
            }
            for t, p in sorted(threads.values(), key=lambda tp: tp[0].id)
        ],
        "retention": retention,
        # Issue 9: purposes (each with its legal basis and retention), tags and notes.
        "register": register_view(session, contact, today=utcnow().date()),
        "audit": [
            {
                "at": _iso(e.at),
                "action": e.action,
                "field": e.field,
                "reason": e.reason,
                "source": e.source,
                "actor": e.actor,
            }
            for e in events
        ],
    }
    audit.contact_event(
        session,
        contact.id,
        "contact.exported",
        actor=actor,
        reason="data subject access (Art. 15/20)",
    )
    return result
