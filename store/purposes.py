"""Purposes of processing per contact, each with its own legal basis and retention.

A member organisation holds one person for several reasons at once (member,
newsletter subscriber, event participant, ...) and promises, purpose by purpose,
what it keeps and for how long. So a contact holds one `ContactPurpose` row per
purpose; tags and notes may be filed under a purpose (store/tags.py); and when a
purpose ends, exactly its data goes while the rest stays.

The purposes themselves are data: `rules/purposes.toml` (description, legal basis,
data categories, recipients, retention). This module loads it and evaluates the
retention rules, and the Art. 30 record (harvester/records.py) is generated from
the same file, so the record is always what the program does.

Newsletter: subscribing records consent (when and how). An unsubscribe, by a reply
the pipeline understands as channel `newsletter` or by the CLI, withdraws it: the
consent record and the tags and notes filed under the newsletter go at once; a
person held *only* for the newsletter (no other purpose, nothing learnt from their
own mail) is deleted whole. By hand, without a suppression entry (they objected to
the newsletter, not to everything). By reply, the reply itself is mail the pipeline
has just learnt from: the person is erased (the reply's traces too) and suppressed,
so that reply or the next cannot harvest them back (store/optouts.apply_unsubscribe).
A subscriber also known from other mail stays, on legitimate interest, consent withdrawn.

Retention anchors (see rules/purposes.toml): `active` (kept while the purpose is
active), `purpose_end` (a period after this purpose ended), `relationship_end` (a
period after every purpose of the person ended), `calendar_year_end` (a period after
the end of the calendar year the purpose ended in: bookkeeping). An objection ends
an `objection_ends` purpose at once.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from harvester.errors import InputError, PolicyError
from harvester.rules_io import rules_file
from store import audit, tags
from store.models import Contact, ContactEvidence, ContactKey, ContactPurpose, Message, OptOut, utcnow

__all__ = [
    "MAIL_SOURCES",
    "NEWSLETTER",
    "Anchor",
    "PurposeBasis",
    "PurposeRule",
    "PurposeSource",
    "RetentionRule",
    "add_purpose",
    "apply_purpose_retention",
    "drop_purpose",
    "due_on",
    "end_purpose",
    "held_only_for_newsletter",
    "load_purposes",
    "purpose_retention_plan",
    "purposes_of",
    "register_view",
    "relationship_end",
    "withdraw_newsletter",
]

NEWSLETTER = "newsletter"
#: Evidence learnt from the person's own mail: a contact holding it is not newsletter-only.
MAIL_SOURCES = ("signature", "autoreply", "third_party_mention")


class PurposeBasis(StrEnum):
    """Art. 6(1) bases a purpose may rest on (wider than a contact's contract vocabulary)."""

    CONTRACT = "contract"
    LEGITIMATE_INTEREST = "legitimate_interest"
    CONSENT = "consent"
    LEGAL_OBLIGATION = "legal_obligation"


class Anchor(StrEnum):
    ACTIVE = "active"
    PURPOSE_END = "purpose_end"
    RELATIONSHIP_END = "relationship_end"
    CALENDAR_YEAR_END = "calendar_year_end"


class PurposeSource(StrEnum):
    MANUAL = "manual"
    IMPORT = "import"


@dataclass(frozen=True, slots=True)
class RetentionRule:
    rule: str
    anchor: Anchor
    days: int = 0
    years: int = 0
    objection_ends: bool = False
    text: str = ""

    def period_text(self) -> str:
        return f"{self.years}y" if self.years else f"{self.days}d"


@dataclass(frozen=True, slots=True)
class PurposeRule:
    name: str
    description: str
    legal_basis: PurposeBasis
    data_subjects: str
    data_categories: tuple[str, ...]
    recipients: tuple[str, ...]
    retention: RetentionRule


# --- rules ----------------------------------------------------------------------------------

_PERIOD = re.compile(r"^\s*(\d+)\s*([dy])\s*$")
_FILE = "purposes.toml"


def _source(rules_dir: Path | None) -> tuple[str, str]:
    """(where, text): an override directory's file first, else the shipped one."""
    if rules_dir is not None and (rules_dir / _FILE).is_file():
        path = rules_dir / _FILE
        return str(path), path.read_text(encoding="utf-8")
    shipped = rules_file(_FILE)
    return f"rules/{_FILE}", shipped.read_text(encoding="utf-8")


def _parse_rule(where: str, name: str, table: Any) -> PurposeRule:
    def fail(key: str, problem: str) -> PolicyError:
        return PolicyError(f"{where}: purposes.{name}{'.' + key if key else ''}: {problem}")

    if not isinstance(table, dict):
        raise fail("", "must be a table")
    known = {"description", "legal_basis", "data_subjects", "data_categories", "recipients", "retention"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise fail(unknown[0], "unknown key")
    try:
        basis = PurposeBasis(str(table.get("legal_basis")))
    except ValueError:
        raise fail("legal_basis", f"one of {', '.join(b.value for b in PurposeBasis)}") from None
    retention = table.get("retention")
    if not isinstance(retention, dict) or not isinstance(retention.get("rule"), str):
        raise fail("retention", "a table with at least `rule`, `anchor` and `period`")
    try:
        anchor = Anchor(str(retention.get("anchor")))
    except ValueError:
        raise fail("retention.anchor", f"one of {', '.join(a.value for a in Anchor)}") from None
    match = _PERIOD.match(str(retention.get("period", "0d")))
    if not match:
        raise fail("retention.period", "like '365d' or '7y'")
    amount, unit = int(match.group(1)), match.group(2)
    for key in ("data_categories", "recipients"):
        if not isinstance(table.get(key, []), list) or not all(
            isinstance(v, str) for v in table.get(key, [])
        ):
            raise fail(key, "a list of strings")
    return PurposeRule(
        name=name,
        description=str(table.get("description", "")),
        legal_basis=basis,
        data_subjects=str(table.get("data_subjects", "")),
        data_categories=tuple(table.get("data_categories", [])),
        recipients=tuple(table.get("recipients", [])),
        retention=RetentionRule(
            rule=retention["rule"],
            anchor=anchor,
            days=amount if unit == "d" else 0,
            years=amount if unit == "y" else 0,
            objection_ends=bool(retention.get("objection_ends", False)),
            text=str(retention.get("text", "")),
        ),
    )


@lru_cache(maxsize=8)
def _load(rules_dir: str | None) -> Mapping[str, PurposeRule]:
    where, text = _source(Path(rules_dir) if rules_dir else None)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{where}: not valid TOML: {exc}") from exc
    table = data.get("purposes")
    if not isinstance(table, dict) or not table:
        raise PolicyError(f"{where}: purposes: missing (one [purposes.NAME] table per purpose)")
    return {name: _parse_rule(where, name, value) for name, value in table.items()}


def load_purposes(rules_dir: Path | None = None) -> Mapping[str, PurposeRule]:
    """The purposes from `rules/purposes.toml` (or the override directory's), validated once."""
    return _load(str(rules_dir) if rules_dir is not None else None)


def _rule(rules: Mapping[str, PurposeRule], purpose: str) -> PurposeRule:
    if purpose not in rules:
        raise InputError(f"unknown purpose {purpose!r}; one of {', '.join(rules)}")
    return rules[purpose]


# --- retention (pure) -----------------------------------------------------------------------


def _day(moment: datetime | date | None) -> date | None:
    if moment is None:
        return None
    if isinstance(moment, datetime):
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).date()
    return moment


def relationship_end(rows: Iterable[ContactPurpose]) -> date | None:
    """When the whole relationship ended: the last end, once every purpose has ended."""
    ends = [_day(r.ended_at) for r in rows]
    if not ends or any(e is None for e in ends):
        return None
    return max(e for e in ends if e is not None)


def due_on(
    rule: RetentionRule, row: ContactPurpose, *, relationship_ended: date | None, today: date
) -> date | None:
    """When this purpose's data is due for deletion; None while it is kept without a date.

    >>> from store.models import ContactPurpose
    >>> event = RetentionRule("event_marketing", Anchor.RELATIONSHIP_END, days=365, objection_ends=True)
    >>> row = ContactPurpose(ended_at=datetime(2025, 3, 1, tzinfo=UTC), objected=False)
    >>> due_on(event, row, relationship_ended=date(2025, 6, 30), today=date(2025, 7, 1))
    datetime.date(2026, 6, 30)
    >>> books = RetentionRule("bookkeeping", Anchor.CALENDAR_YEAR_END, years=7)
    >>> due_on(books, row, relationship_ended=None, today=date(2025, 7, 1))
    datetime.date(2033, 1, 1)
    """
    if row.objected and rule.objection_ends:
        return today
    ended = _day(row.ended_at)
    period = timedelta(days=rule.days)
    if rule.anchor == Anchor.RELATIONSHIP_END:
        return relationship_ended + period if relationship_ended is not None else None
    if ended is None:
        return None
    if rule.anchor == Anchor.CALENDAR_YEAR_END:
        return date(ended.year + 1 + rule.years, 1, 1) + period
    return ended + period  # ACTIVE (period 0) and PURPOSE_END


# --- store ----------------------------------------------------------------------------------


def purposes_of(session: Session, contact_id: int) -> list[ContactPurpose]:
    return list(
        session.scalars(
            select(ContactPurpose)
            .where(ContactPurpose.contact_id == contact_id)
            .order_by(ContactPurpose.purpose)
        )
    )


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def add_purpose(
    session: Session,
    contact: Contact,
    purpose: str,
    *,
    rules: Mapping[str, PurposeRule],
    source: PurposeSource,
    actor: str,
    consent_given_at: datetime | None = None,
    consent_source: str | None = None,
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
    fresh: bool = False,
) -> ContactPurpose:
    """Hold the person for this purpose (again); a consent purpose needs when and how it was given.

    `fresh`: the contact was created in this unit of work (a bulk import): nothing to look
    up, and the caller flushes.
    """
    rule = _rule(rules, purpose)
    if rule.legal_basis == PurposeBasis.CONSENT:
        if not consent_source or not consent_source.strip():
            raise InputError(f"{purpose}: rests on consent; say how it was given (--consent-source)")
        consent_given_at = consent_given_at or utcnow()
    row = (
        None
        if fresh
        else session.scalar(
            select(ContactPurpose).where(
                ContactPurpose.contact_id == contact.id, ContactPurpose.purpose == purpose
            )
        )
    )
    action = "purpose.added"
    if row is None:
        row = ContactPurpose(contact_id=contact.id, purpose=purpose, started_at=started_at or utcnow())
        session.add(row)
    else:
        action = "purpose.renewed"
        if started_at is not None:
            row.started_at = started_at
    row.legal_basis = rule.legal_basis.value
    row.source = source.value
    row.ended_at = ended_at
    row.objected = False
    if rule.legal_basis == PurposeBasis.CONSENT:
        row.consent_given_at, row.consent_source = consent_given_at, consent_source
        if not fresh:
            _lift_opt_out(session, contact, purpose, actor=actor)
    contact.updated_at = utcnow()
    audit.contact_event(
        session,
        contact.id,
        action,
        actor=actor,
        field=f"purpose.{purpose}",
        reason=rule.legal_basis.value,
        source=source.value,
    )
    if not fresh:
        session.flush()
        _sync_legal_basis(session, contact, actor=actor)
    return row


def _lift_opt_out(session: Session, contact: Contact, purpose: str, *, actor: str) -> None:
    """New consent to the newsletter supersedes an earlier newsletter opt-out."""
    if purpose != NEWSLETTER:
        return
    for opt_out in session.scalars(
        select(OptOut).where(OptOut.contact_id == contact.id, OptOut.channel == NEWSLETTER)
    ):
        if opt_out in contact.opt_outs:
            contact.opt_outs.remove(opt_out)
        session.delete(opt_out)
        audit.contact_event(
            session, contact.id, "opt_out.removed", actor=actor, field=NEWSLETTER, reason="new consent"
        )


def end_purpose(
    session: Session,
    contact: Contact,
    purpose: str,
    *,
    at: datetime,
    actor: str,
    objected: bool = False,
) -> bool:
    """The relationship under this purpose ended (or the person objected); retention starts counting."""
    row = session.scalar(
        select(ContactPurpose).where(
            ContactPurpose.contact_id == contact.id, ContactPurpose.purpose == purpose
        )
    )
    if row is None:
        return False
    changed = False
    if row.ended_at is None:
        row.ended_at = at
        changed = True
        audit.contact_event(session, contact.id, "purpose.ended", actor=actor, field=f"purpose.{purpose}")
    if objected and not row.objected:
        row.objected = True
        changed = True
        audit.contact_event(
            session, contact.id, "purpose.objected", actor=actor, field=f"purpose.{purpose}", reason="Art. 21"
        )
    if changed:
        contact.updated_at = utcnow()
        session.flush()
    return changed


#: Which basis a contact's own `legal_basis` (the contract's three values) shows when several hold.
_BASIS_ORDER = ("contract", "legitimate_interest", "consent")
_CONTACT_BASIS = {PurposeBasis.LEGAL_OBLIGATION.value: "contract"}


def _from_mail(session: Session, contact_id: int) -> bool:
    found = session.scalar(
        select(ContactEvidence.id)
        .where(ContactEvidence.contact_id == contact_id, ContactEvidence.source.in_(MAIL_SOURCES))
        .limit(1)
    )
    return found is not None


def _sync_legal_basis(session: Session, contact: Contact, *, actor: str) -> None:
    """Keep the contact's one `legal_basis` the strongest of its purposes' (contract first).

    Why: the contact list, its export and the retention policy's newsletter rule read that one
    field; a member who also subscribed must not look like a consent-only subscriber, and a
    press contact learnt from mail keeps its legitimate interest when it subscribes.
    """
    held = {_CONTACT_BASIS.get(r.legal_basis, r.legal_basis) for r in purposes_of(session, contact.id)}
    if not held:
        return
    if _from_mail(session, contact.id):
        held.add("legitimate_interest")
    from store.contacts import set_legal_basis  # store.contacts imports this module (register_view)

    basis = next(b for b in _BASIS_ORDER if b in held)
    set_legal_basis(session, contact, basis, actor=actor, reason="from purposes")


def held_only_for_newsletter(session: Session, contact: Contact, *, besides_message: str | None) -> bool:
    """The newsletter is the contact's one purpose and nothing but `besides_message` was learnt from mail.

    Why `besides_message`: an unsubscribe reply is mail too; what the pipeline learnt from it
    (its signature) must not turn a register-only subscriber into a contact held on legitimate
    interest. A stored message they sent, other than that one, counts as mail-learnt even when
    its evidence row was since re-dated to the reply (same value seen again).
    """
    held = {r.purpose for r in purposes_of(session, contact.id)}
    if held != {NEWSLETTER} or contact.legal_hold:
        return False

    def elsewhere(column: Any) -> Any:
        return column.is_(None) | (column != besides_message) if besides_message is not None else true()

    other_evidence = select(ContactEvidence.id).where(
        ContactEvidence.contact_id == contact.id,
        ContactEvidence.source.in_(MAIL_SOURCES),
        elsewhere(ContactEvidence.message_id),
    )
    emails = select(ContactKey.value).where(ContactKey.contact_id == contact.id, ContactKey.kind == "email")
    other_mail = select(Message.id).where(Message.sender_email.in_(emails), elsewhere(Message.message_id))
    return all(session.scalar(q.limit(1)) is None for q in (other_evidence, other_mail))


def _held_only_for_register(session: Session, contact_id: int) -> bool:
    """No purpose left and nothing learnt from the person's own mail: nothing else justifies keeping them.

    A contact under legal hold is kept whatever else holds it.
    """
    contact = session.get(Contact, contact_id)
    if contact is None or contact.legal_hold:
        return False
    if session.scalar(select(ContactPurpose.id).where(ContactPurpose.contact_id == contact_id).limit(1)):
        return False
    return not _from_mail(session, contact_id)


def drop_purpose(session: Session, contact: Contact, purpose: str, *, actor: str, reason: str) -> bool:
    """Delete a purpose and the tags and notes filed under it; the contact too if nothing else holds it.

    Returns True when the contact itself was deleted. Deleted, not suppressed: ending one
    purpose is not an objection to everything.
    """
    if session.bind is not None and session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("PRAGMA secure_delete=ON")
    contact_id = contact.id
    for row in session.scalars(
        select(ContactPurpose).where(
            ContactPurpose.contact_id == contact_id, ContactPurpose.purpose == purpose
        )
    ):
        session.delete(row)
    tags.delete_for_purpose(session, contact_id, purpose)
    audit.contact_event(
        session, contact_id, "purpose.data_deleted", actor=actor, field=f"purpose.{purpose}", reason=reason
    )
    session.flush()
    if not _held_only_for_register(session, contact_id):
        contact.updated_at = utcnow()
        _sync_legal_basis(session, contact, actor=actor)
        return False
    session.delete(contact)  # keys, evidence, opt-outs by ORM cascade; tags, notes by the database's
    audit.contact_event(
        session, contact_id, "contact.deleted", actor=actor, reason=f"{purpose} ended: {reason}"
    )
    session.flush()
    return True


def withdraw_newsletter(session: Session, contact: Contact, *, actor: str, reason: str) -> bool:
    """Consent withdrawn: the newsletter's data goes now. True when the contact was deleted whole."""
    held = session.scalar(
        select(ContactPurpose.id).where(
            ContactPurpose.contact_id == contact.id, ContactPurpose.purpose == NEWSLETTER
        )
    )
    if held is None:
        return False
    return drop_purpose(session, contact, NEWSLETTER, actor=actor, reason=reason)


# --- plan, apply, views ---------------------------------------------------------------------


def _plan_rows(
    session: Session, rules: Mapping[str, PurposeRule], today: date
) -> list[tuple[ContactPurpose, PurposeRule, date | None]]:
    rows = list(
        session.scalars(select(ContactPurpose).order_by(ContactPurpose.contact_id, ContactPurpose.id))
    )
    by_contact: dict[int, list[ContactPurpose]] = {}
    for row in rows:
        by_contact.setdefault(row.contact_id, []).append(row)
    result = []
    for row in rows:
        rule = rules.get(row.purpose)
        if rule is None:
            continue  # a purpose gone from the rules is kept: deleting under no rule would be a guess
        ended = relationship_end(by_contact[row.contact_id])
        result.append((row, rule, due_on(rule.retention, row, relationship_ended=ended, today=today)))
    return result


def purpose_retention_plan(
    session: Session, today: date, *, rules: Mapping[str, PurposeRule] | None = None
) -> list[dict[str, Any]]:
    """Retention plan items (contracts/cli.md) for every purpose whose data has a due date, earliest first.

        A purpose kept while it is active has no date yet and is not in the plan (`register_view`
        shows it, with `due_on` null). `contact_id`, `purpose` and `clock` (what the period counts
    from: an Anchor value, or "objection") are added fields.
    """
    rules = rules if rules is not None else load_purposes()
    items = [
        {
            "rule": rule.retention.rule,
            "what": "contact_purpose",
            "id": row.id,
            "due_on": due.isoformat(),
            "contact_id": row.contact_id,
            "purpose": row.purpose,
            "clock": "objection"
            if row.objected and rule.retention.objection_ends
            else rule.retention.anchor.value,
        }
        for row, rule, due in _plan_rows(session, rules, today)
        if due is not None
    ]
    return sorted(items, key=lambda i: (i["due_on"], i["rule"], i["id"]))


def apply_purpose_retention(
    session: Session, today: date, *, actor: str, rules: Mapping[str, PurposeRule] | None = None
) -> list[dict[str, Any]]:
    """Delete every purpose due on or before `today` (with its tags, notes, maybe the contact); items done."""
    rules = rules if rules is not None else load_purposes()
    done = []
    for row, rule, due in _plan_rows(session, rules, today):
        if due is None or due > today:
            continue
        contact = session.get(Contact, row.contact_id)
        if contact is None:
            continue
        item = {
            "rule": rule.retention.rule,
            "what": "contact_purpose",
            "id": row.id,
            "due_on": due.isoformat(),
        }
        drop_purpose(session, contact, row.purpose, actor=actor, reason=f"retention: {rule.retention.rule}")
        done.append(item)
    return done


def _iso(moment: datetime | date | None) -> str | None:
    if isinstance(moment, datetime):
        return _aware(moment).isoformat()  # type: ignore[union-attr]
    return moment.isoformat() if moment is not None else None


def register_view(
    session: Session, contact: Contact, *, today: date, rules: Mapping[str, PurposeRule] | None = None
) -> dict[str, Any]:
    """Purposes (each with its retention), tags and notes with provenance: for `show` and export."""
    rules = rules if rules is not None else load_purposes()
    rows = purposes_of(session, contact.id)
    ended = relationship_end(rows)
    purposes = []
    for row in rows:
        rule = rules.get(row.purpose)
        due = due_on(rule.retention, row, relationship_ended=ended, today=today) if rule else None
        purposes.append(
            {
                "purpose": row.purpose,
                "legal_basis": row.legal_basis,
                "consent_given_at": _iso(row.consent_given_at),
                "consent_source": row.consent_source,
                "source": row.source,
                "started_at": _iso(row.started_at),
                "ended_at": _iso(row.ended_at),
                "objected": row.objected,
                "retention": {
                    "rule": rule.retention.rule if rule else None,
                    "text": rule.retention.text if rule else None,
                    "due_on": _iso(due),
                },
            }
        )
    return {
        "purposes": purposes,
        "tags": [
            {"tag": t.tag, "purpose": t.purpose, "source": t.source, "created_at": _iso(t.created_at)}
            for t in tags.tags_of(session, contact)
        ],
        "notes": [
            {
                "text": n.text,
                "purpose": n.purpose,
                "source": n.source,
                "message_id": n.message_id,
                "redactions": n.redactions.split(",") if n.redactions else [],
                "created_at": _iso(n.created_at),
            }
            for n in tags.notes_of(session, contact)
        ],
    }
