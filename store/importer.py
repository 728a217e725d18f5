"""Import an existing member or press list from CSV, with provenance "import".

Why all-or-nothing: an import that stops half-way leaves a list nobody can reason
about ("which rows are in?"). So the whole file is read and every row checked
first (pure: `parse_csv`); if any row is rejected, nothing is written and the
report names each bad line and why; otherwise every row is written in the
caller's one transaction. A dry run does the same checks and the same look-ups
and writes nothing.

Suppressed people (store/suppression.py) are never imported: their rows are
skipped and counted by line number, without saying more. A person who opted out
of the newsletter is not put back on it by an import. Values are checked with
email-validator (syntax, no DNS) and phonenumbers (Swedish numbers by default);
notes pass the redaction gate (store/tags.py).

Columns (header row, case-insensitive, Swedish names accepted): email (required),
name, phone, organization, title, tags (separated by "|"), note, consent_given_at
and consent_source (for a consent purpose such as the newsletter; the CLI can give
one source for the whole file), ended_at (when the relationship under the purpose
ended, e.g. the event's date). Delimiter: comma, semicolon or tab, whichever the header uses most.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from harvester.errors import InputError
from harvester.understand.types import Contact as SeenContact
from harvester.understand.types import Phone, PhoneType
from store import audit, purposes
from store.contacts import RANK, ContactPolicy, EvidenceSource, is_mobile, normalise_email, record_sighting
from store.models import Contact, ContactEvidence, ContactKey, OptOut
from store.phones import phone_value
from store.purposes import PurposeBasis, PurposeRule, PurposeSource
from store.suppression import Suppressor
from store.tags import add_note, add_tag, clean_tag

__all__ = [
    "COLUMNS",
    "ImportReport",
    "ImportRow",
    "RowProblem",
    "import_rows",
    "parse_csv",
    "read_csv",
]

COLUMNS = (
    "email",
    "name",
    "phone",
    "organization",
    "title",
    "tags",
    "note",
    "consent_given_at",
    "consent_source",
    "ended_at",
)
_ALIASES = {
    "e-mail": "email",
    "e-post": "email",
    "epost": "email",
    "mail": "email",
    "namn": "name",
    "telefon": "phone",
    "mobil": "phone",
    "organisation": "organization",
    "företag": "organization",
    "titel": "title",
    "taggar": "tags",
    "anteckning": "note",
    "samtycke_datum": "consent_given_at",
    "samtycke_källa": "consent_source",
    "avslutad": "ended_at",
}


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    reason: str


@dataclass(slots=True)
class ImportRow:
    """One checked row: normalised values only."""

    line: int
    email: str
    name: str | None = None
    phone: dict[str, str] | None = None
    organization: str | None = None
    title: str | None = None
    tags: tuple[str, ...] = ()
    note: str | None = None
    consent_given_at: datetime | None = None
    consent_source: str | None = None
    ended_at: datetime | None = None


@dataclass(slots=True)
class ImportReport:
    """What an import did or would do; line numbers and counts only (safe to print and log)."""

    purpose: str
    dry_run: bool
    rows: int = 0
    created: int = 0
    updated: int = 0
    imported: bool = False
    rejected: list[RowProblem] = field(default_factory=list)
    skipped: list[RowProblem] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "purpose": self.purpose,
            "dry_run": self.dry_run,
            "imported": self.imported,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "rejected": [{"line": p.line, "reason": p.reason} for p in self.rejected],
            "skipped": [{"line": p.line, "reason": p.reason} for p in self.skipped],
        }


# --- reading and checking (pure) ------------------------------------------------------------


def _phone(text: str) -> dict[str, str]:
    try:
        return phone_value(text)
    except ValueError as exc:
        raise ValueError(f"phone: {exc}") from None


def _moment(column: str, text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text) if "T" in text or " " in text else None
        if value is None:
            day = date.fromisoformat(text)
            value = datetime(day.year, day.month, day.day)
    except ValueError:
        raise ValueError(f"{column}: not a date like 2025-03-14") from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _check(line: int, raw: Mapping[str, str]) -> ImportRow:
    def get(key: str) -> str | None:
        value = " ".join((raw.get(key) or "").split())
        return value or None

    address = get("email")
    if address is None:
        raise ValueError("email: missing")
    try:
        email = normalise_email(validate_email(address, check_deliverability=False).normalized)
    except EmailNotValidError as exc:
        raise ValueError(f"email: {exc}") from None
    try:
        tags = tuple(clean_tag(t) for t in (raw.get("tags") or "").split("|") if t.strip())
    except InputError as exc:
        raise ValueError(f"tags: {exc}") from None
    return ImportRow(
        line=line,
        email=email,
        name=get("name"),
        phone=_phone(p) if (p := get("phone")) else None,
        organization=get("organization"),
        title=get("title"),
        tags=tags,
        note=(raw.get("note") or "").strip() or None,
        consent_given_at=_moment("consent_given_at", c) if (c := get("consent_given_at")) else None,
        consent_source=get("consent_source"),
        ended_at=_moment("ended_at", e) if (e := get("ended_at")) else None,
    )


def parse_csv(text: str) -> tuple[list[ImportRow], list[RowProblem]]:
    """Rows and problems, by line number of the file (the header is line 1)."""
    # The header decides the delimiter (csv.Sniffer guesses from data rows and is fooled by them).
    first = text.partition("\n")[0]
    delimiter = max(",;\t", key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise InputError("the file is empty (expected a header row with at least `email`)")
    columns = [_ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    unknown = [h for h, c in zip(header, columns, strict=True) if c not in COLUMNS]
    if unknown:
        raise InputError(f"line 1: unknown column(s) {', '.join(unknown)}; known: {', '.join(COLUMNS)}")
    if "email" not in columns:
        raise InputError("line 1: no `email` column")
    rows: list[ImportRow] = []
    problems: list[RowProblem] = []
    first_line: dict[str, int] = {}
    line = reader.line_num + 1
    for cells in reader:
        start, line = line, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(columns):
            problems.append(RowProblem(start, f"{len(cells)} fields, the header has {len(columns)}"))
            continue
        try:
            row = _check(start, dict(zip(columns, cells, strict=True)))
        except ValueError as exc:
            problems.append(RowProblem(start, str(exc)))
            continue
        if row.email in first_line:
            problems.append(RowProblem(start, f"email: the same address as line {first_line[row.email]}"))
            continue
        first_line[row.email] = start
        rows.append(row)
    return rows, problems


def read_csv(path: Path) -> tuple[list[ImportRow], list[RowProblem]]:
    """`parse_csv` on a file: UTF-8 (with or without BOM), else Windows-1252 as Excel writes it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: {exc.strerror}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    return parse_csv(text)


# --- writing --------------------------------------------------------------------------------


def _existing(session: Session, kind: str, values: list[str]) -> dict[str, int]:
    """Which of these key values (e-mail addresses or mobiles) belong to a contact, and to which."""
    found: dict[str, int] = {}
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        for value, contact_id in session.execute(
            select(ContactKey.value, ContactKey.contact_id).where(
                ContactKey.kind == kind, ContactKey.value.in_(chunk)
            )
        ):
            found[value] = contact_id
    return found


def _mobile(row: ImportRow) -> str | None:
    phone = row.phone
    if phone is None:
        return None
    if phone["type"] == "mobile" or (phone["type"] == "unknown" and is_mobile(phone["e164"])):
        return phone["e164"]
    return None


def _create_fresh(session: Session, rows: list[ImportRow], *, policy: ContactPolicy) -> list[Contact]:
    """People new to the store, in bulk: one INSERT per table per chunk instead of ~15 queries a row.

    Only for rows whose address and mobile no contact holds (checked by the caller), so
    there is nothing to rank against: each value is simply the contact's first evidence,
    exactly what `record_sighting` would write, with the same audit events.
    """
    now = datetime.now(UTC)
    contacts = [
        Contact(legal_basis=policy.legal_basis, status="active", last_activity_at=now, updated_at=now)
        for _ in rows
    ]
    session.add_all(contacts)
    session.flush()
    reason = f"{EvidenceSource.IMPORT.value} in file"
    for row, contact in zip(rows, contacts, strict=True):
        session.add(ContactKey(contact_id=contact.id, kind="email", value=row.email))
        if (mobile := _mobile(row)) is not None:
            session.add(ContactKey(contact_id=contact.id, kind="phone", value=mobile))
        audit.contact_event(
            session, contact.id, "contact.created", actor=policy.actor, reason=reason, source="import"
        )
        values = (
            ("name", row.name),
            ("title", row.title),
            ("organization", row.organization),
            ("emails", row.email),
            ("phones", row.phone),
        )
        for name, value in values:
            if not value:
                continue
            session.add(
                ContactEvidence(
                    contact_id=contact.id,
                    field=name,
                    value=json.dumps(value, ensure_ascii=False, sort_keys=True),
                    source=EvidenceSource.IMPORT.value,
                    rank=RANK[EvidenceSource.IMPORT],
                    message_id=None,
                    seen_at=now,
                )
            )
            audit.contact_event(
                session,
                contact.id,
                "evidence.added",
                actor=policy.actor,
                field=name,
                reason=reason,
                source="import",
            )
    return contacts


def _newsletter_refusers(session: Session, contact_ids: list[int]) -> set[int]:
    refused: set[int] = set()
    for start in range(0, len(contact_ids), 500):
        chunk = contact_ids[start : start + 500]
        refused |= set(
            session.scalars(
                select(OptOut.contact_id).where(
                    OptOut.contact_id.in_(chunk), OptOut.channel.in_([purposes.NEWSLETTER, "email"])
                )
            )
        )
    return refused


def _write(
    session: Session,
    row: ImportRow,
    *,
    purpose: str,
    rules: Mapping[str, PurposeRule],
    policy: ContactPolicy,
    consent_source: str | None,
    consent_given_at: datetime | None,
    rules_dir: Path | None,
    fresh: Contact | None = None,
) -> None:
    """One row's purpose, tags and note; its contact values by `record_sighting` unless `fresh`."""
    contact = fresh
    if contact is None:
        phones = [Phone(row.phone["e164"], PhoneType(row.phone["type"]))] if row.phone else []
        seen = SeenContact(
            name=row.name, title=row.title, organization=row.organization, emails=[row.email], phones=phones
        )
        contact = record_sighting(
            session,
            seen,
            source=EvidenceSource.IMPORT,
            message_id=None,
            seen_at=datetime.now(UTC),
            policy=policy,
        )
    if contact is None:  # pragma: no cover - a checked row always has an address
        return
    actor = policy.actor
    new = fresh is not None
    purposes.add_purpose(
        session,
        contact,
        purpose,
        rules=rules,
        source=PurposeSource.IMPORT,
        actor=actor,
        consent_given_at=row.consent_given_at or consent_given_at,
        consent_source=row.consent_source or consent_source,
        ended_at=row.ended_at,
        fresh=new,
    )
    for tag in row.tags:
        add_tag(
            session,
            contact,
            tag,
            purpose=purpose,
            source="import",
            actor=actor,
            rules_dir=rules_dir,
            fresh=new,
        )
    if row.note:
        add_note(
            session,
            contact,
            row.note,
            purpose=purpose,
            source="import",
            actor=actor,
            rules_dir=rules_dir,
            fresh=new,
        )


def _split(
    session: Session, wanted: list[tuple[ImportRow, int | None]]
) -> tuple[list[ImportRow], list[ImportRow]]:
    """(new people, people the store knows): a row is new when no contact holds its address or mobile.

    A mobile identifies a person (store/contacts.py), so a second row with the same mobile
    is the same person, and goes the known way (merged by `record_sighting`).
    """
    held_mobiles = set(_existing(session, "phone", [m for r, _ in wanted if (m := _mobile(r))]))
    fresh: list[ImportRow] = []
    known: list[ImportRow] = []
    for row, contact_id in wanted:
        mobile = _mobile(row)
        if contact_id is None and (mobile is None or mobile not in held_mobiles):
            fresh.append(row)
            if mobile is not None:
                held_mobiles.add(mobile)
        else:
            known.append(row)
    return fresh, known


def import_rows(
    session: Session,
    rows: list[ImportRow],
    problems: list[RowProblem],
    *,
    purpose: str,
    rules: Mapping[str, PurposeRule],
    suppressor: Suppressor | None,
    actor: str,
    dry_run: bool,
    consent_source: str | None = None,
    consent_given_at: datetime | None = None,
    rules_dir: Path | None = None,
) -> ImportReport:
    """Check rows against the store, then write all of them or, with any rejected row, none."""
    if purpose not in rules:
        raise InputError(f"--purpose: unknown {purpose!r}; one of {', '.join(rules)}")
    rule = rules[purpose]
    report = ImportReport(purpose=purpose, dry_run=dry_run, rows=len(rows) + len(problems))
    report.rejected = list(problems)
    if rule.legal_basis == PurposeBasis.CONSENT:
        for row in rows:
            if not (row.consent_source or consent_source):
                report.rejected.append(
                    RowProblem(row.line, f"consent_source: {purpose} rests on consent; say how it was given")
                )
    suppressed = suppressor.suppressed(session, "email", [r.email for r in rows]) if suppressor else set()
    existing = _existing(session, "email", [r.email for r in rows if r.email not in suppressed])
    refusers = (
        _newsletter_refusers(session, sorted(set(existing.values())))
        if purpose == purposes.NEWSLETTER
        else set()
    )
    wanted: list[tuple[ImportRow, int | None]] = []
    rejected_lines = {p.line for p in report.rejected}
    for row in rows:
        if row.email in suppressed:
            report.skipped.append(RowProblem(row.line, "suppressed: never imported"))
        elif existing.get(row.email) in refusers:
            report.skipped.append(
                RowProblem(row.line, "opted out of the newsletter: not put back by an import")
            )
        elif row.line not in rejected_lines:
            wanted.append((row, existing.get(row.email)))
    report.rejected.sort(key=lambda p: p.line)
    report.skipped.sort(key=lambda p: p.line)
    fresh, known = _split(session, wanted)
    report.created, report.updated = len(fresh), len(known)
    if dry_run or report.rejected:
        return report
    # A contact's own legal_basis keeps the contract's three values; the purpose row holds the precise one.
    legal_basis = rule.legal_basis.value if rule.legal_basis != PurposeBasis.LEGAL_OBLIGATION else "contract"
    policy = ContactPolicy(legal_basis=legal_basis, suppressor=None, actor=actor)
    options: dict[str, Any] = {
        "purpose": purpose,
        "rules": rules,
        "policy": policy,
        "consent_source": consent_source,
        "consent_given_at": consent_given_at,
        "rules_dir": rules_dir,
    }
    for start in range(0, len(fresh), 500):
        chunk = fresh[start : start + 500]
        for row, contact in zip(chunk, _create_fresh(session, chunk, policy=policy), strict=True):
            _write(session, row, fresh=contact, **options)
        session.flush()
    for row in known:
        _write(session, row, **options)
    audit.record(
        session,
        action="import.done",
        object_kind="import",
        object_id=None,
        actor=actor,
        reason=f"{purpose}: {report.created} new, {report.updated} updated, {len(report.skipped)} skipped",
        source="import",
    )
    report.imported = True
    return report
