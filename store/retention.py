"""Retention: what the policy makes due, when (`plan`), and real deletion of it (`run_due`).

No expiry date is stored anywhere: every due date is computed from the dates the store
holds (a project's `closed_on`, a thread's last message, a contact's last exchange) and
the policy, so closing, reopening or relinking can never leave a stale date behind.
A legal hold on a project pins its threads; a legal hold on a contact pins the contact,
its evidence and every thread it takes part in.

Deleting a thread deletes its messages (with their participants and locations), its
containers, and the contact evidence whose only support were those messages (evidence
rows name their message by Message-ID); a contact left with no evidence and no opt-out
is deleted too. Opt-outs stay: they are legal facts, not harvested data.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session, sessionmaker

from harvester.retention_policy import Clock, Policy, Rule, Selector
from store.batch import BatchContext
from store.db import session_scope
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
    ThreadContainer,
    utcnow,
)

__all__ = ["PlanItem", "daily_job", "plan", "record_exchange", "run_due"]

log = logging.getLogger(__name__)

_CHUNK = 500
_EXCHANGE_KINDS = ("personal",)


@dataclass(frozen=True, slots=True)
class PlanItem:
    """One thing the policy will delete: the contract's plan item plus where its date comes from."""

    rule: str
    what: str  # thread | contact | contact_purpose
    id: int
    due_on: date
    clock: str
    clock_on: date | None
    project: str | None = None

    def to_json(self, *, today: date) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "what": self.what,
            "id": self.id,
            "due_on": self.due_on.isoformat(),
            "due_now": self.due_on <= today,
            "clock": self.clock,
            "clock_on": self.clock_on.isoformat() if self.clock_on else None,
            "project": self.project,
        }


def _day(value: datetime | date | None) -> date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, datetime) else value


def _chunks(ids: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _held_contact_threads(session: Session) -> set[int]:
    """Threads a contact under legal hold takes part in."""
    held = (
        select(ContactKey.value).join(Contact).where(Contact.legal_hold.is_(True), ContactKey.kind == "email")
    )
    emails = list(session.scalars(held))
    if not emails:
        return set()
    pinned: set[int] = set()
    for chunk in _chunks(emails):
        pinned.update(
            session.scalars(
                select(Message.thread_id)
                .join(MessageParticipant, MessageParticipant.message_pk == Message.id)
                .where(func.lower(MessageParticipant.email).in_(chunk), Message.thread_id.is_not(None))
                .distinct()
            )
        )
    return pinned


def _item(
    rule: Rule, what: str, oid: int, clock_on: date | None, project: str | None = None
) -> PlanItem | None:
    due = rule.due_on(clock_on) if clock_on else None
    if due is None or clock_on is None:
        return None
    return PlanItem(rule.name, what, oid, due, rule.clock.value, clock_on, project)


def _project_threads(session: Session, rule: Rule, kind: str, pinned: set[int]) -> Iterator[PlanItem]:
    query = (
        select(Thread.id, Thread.last_message_at, Thread.created_at, Project.closed_on, Project.code)
        .join(Project, Project.id == Thread.project_id)
        .where(Project.kind == kind, Project.legal_hold.is_(False))
    )
    if rule.clock is Clock.PROJECT_CLOSED:
        query = query.where(Project.state == "closed", Project.closed_on.is_not(None))
    for thread_id, last, created, closed_on, code in session.execute(query):
        if thread_id in pinned:
            continue
        clock_on = closed_on if rule.clock is Clock.PROJECT_CLOSED else _day(last or created)
        if item := _item(rule, "thread", thread_id, clock_on, code):
            yield item


def _unlinked_threads(session: Session, rule: Rule, pinned: set[int]) -> Iterator[PlanItem]:
    query = select(Thread.id, Thread.last_message_at, Thread.created_at).where(Thread.project_id.is_(None))
    for thread_id, last, created in session.execute(query):
        if thread_id in pinned:
            continue
        if item := _item(rule, "thread", thread_id, _day(last or created)):
            yield item


def _newsletter_subscribers(session: Session, rule: Rule) -> Iterator[PlanItem]:
    """Contacts held on consent (the newsletter's basis) who opted out of it."""
    query = (
        select(Contact.id, func.min(OptOut.set_at))
        .join(OptOut, OptOut.contact_id == Contact.id)
        .where(
            Contact.legal_basis == "consent",
            Contact.legal_hold.is_(False),
            OptOut.channel.in_(("newsletter", "all")),
        )
        .group_by(Contact.id)
    )
    for contact_id, unsubscribed in session.execute(query):
        if item := _item(rule, "contact", contact_id, _day(unsubscribed)):
            yield item


def _inactive_contacts(session: Session, rule: Rule) -> Iterator[PlanItem]:
    query = select(Contact.id, Contact.last_exchange_at, Contact.created_at).where(
        Contact.legal_hold.is_(False)
    )
    for contact_id, exchanged, created in session.execute(query):
        if item := _item(rule, "contact", contact_id, _day(exchanged or created)):
            yield item


def _purpose_items(session: Session, today: date, purposes: Mapping[str, Any]) -> Iterator[PlanItem]:
    """The member register's purposes (rules/purposes.toml), each with its own retention."""
    from store.purposes import purpose_retention_plan

    for item in purpose_retention_plan(session, today, rules=purposes):
        yield PlanItem(
            rule=item["rule"],
            what="contact_purpose",
            id=item["id"],
            due_on=date.fromisoformat(item["due_on"]),
            clock=item["clock"],
            clock_on=None,
        )


def plan(
    session: Session,
    policy: Policy,
    *,
    today: date | None = None,
    purposes: Mapping[str, Any] | None = None,
) -> list[PlanItem]:
    """Every item the policy will delete, due now or later, earliest first (a dry run).

    An item governed by two rules appears once, under the rule that makes it due first.
    With `purposes` (store.purposes.load_purposes), the register's purposes are planned too.
    """
    pinned = _held_contact_threads(session)
    items: list[PlanItem] = []
    for rule in policy.rules:
        if rule.period is None:
            continue
        if rule.select is Selector.PROJECT_THREADS:
            items.extend(_project_threads(session, rule, "project", pinned))
        elif rule.select is Selector.SUPPORT_THREADS:
            items.extend(_project_threads(session, rule, "support", pinned))
        elif rule.select is Selector.UNLINKED_THREADS:
            items.extend(_unlinked_threads(session, rule, pinned))
        elif rule.select is Selector.NEWSLETTER_SUBSCRIBERS:
            items.extend(_newsletter_subscribers(session, rule))
        elif rule.select is Selector.INACTIVE_CONTACTS:
            items.extend(_inactive_contacts(session, rule))
        # BOOKKEEPING_RECORDS: harvester holds none; the rule documents the policy only.
    if purposes is not None:
        items.extend(_purpose_items(session, today or date.today(), purposes))
    first: dict[tuple[str, int], PlanItem] = {}
    for item in items:
        key = (item.what, item.id)
        if key not in first or item.due_on < first[key].due_on:
            first[key] = item
    return sorted(first.values(), key=lambda i: (i.due_on, i.rule, i.what, i.id))


def _audit_rows(items: Iterable[tuple[str, int, str]], *, actor: str, action: str) -> list[dict[str, Any]]:
    now = utcnow()
    return [
        {
            "at": now,
            "actor": actor,
            "action": action,
            "object_kind": kind,
            "object_id": oid,
            "reason": reason,
            "source": "retention",
        }
        for kind, oid, reason in items
    ]


def _delete(session: Session, model: type[Any], *where: Any) -> None:
    session.execute(delete(model).where(*where).execution_options(synchronize_session=False))


def _delete_threads(session: Session, items: Sequence[PlanItem]) -> set[int]:
    """Delete the threads and their messages; returns the contacts whose evidence shrank."""
    touched: set[int] = set()
    held = select(Contact.id).where(Contact.legal_hold.is_(True)).scalar_subquery()
    for chunk in _chunks([i.id for i in items]):
        rows = session.execute(
            select(Message.id, Message.message_id).where(Message.thread_id.in_(chunk))
        ).all()
        header_ids = [mid for _, mid in rows if mid]
        for ids in _chunks(header_ids):
            evidence = ContactEvidence.message_id.in_(ids), ContactEvidence.contact_id.not_in(held)
            touched.update(session.scalars(select(ContactEvidence.contact_id).where(*evidence).distinct()))
            _delete(session, ContactEvidence, *evidence)
        _delete(session, ThreadContainer, ThreadContainer.thread_id.in_(chunk))
        for pks in _chunks([pk for pk, _ in rows]):
            # The schema cascades these too; said explicitly so no backend setting can leave them.
            _delete(session, MessageParticipant, MessageParticipant.message_pk.in_(pks))
            _delete(session, MessageLocation, MessageLocation.message_pk.in_(pks))
            _delete(session, Message, Message.id.in_(pks))
        _delete(session, Thread, Thread.id.in_(chunk))
    return touched


def _orphans(session: Session, contact_ids: set[int]) -> list[int]:
    """Contacts left with no evidence and no opt-out (and not held): nothing supports them."""
    orphans: list[int] = []
    for chunk in _chunks(sorted(contact_ids)):
        has_evidence = select(ContactEvidence.contact_id).where(ContactEvidence.contact_id.in_(chunk))
        has_opt_out = select(OptOut.contact_id).where(OptOut.contact_id.in_(chunk))
        orphans.extend(
            session.scalars(
                select(Contact.id).where(
                    Contact.id.in_(chunk),
                    Contact.legal_hold.is_(False),
                    Contact.id.not_in(has_evidence),
                    Contact.id.not_in(has_opt_out),
                )
            )
        )
    return orphans


def _delete_contacts(session: Session, ids: Sequence[int]) -> None:
    for chunk in _chunks(list(ids)):
        for model in (ContactKey, ContactEvidence, OptOut):
            _delete(session, model, model.contact_id.in_(chunk))
        _delete(session, Contact, Contact.id.in_(chunk))


def run_due(
    session: Session,
    policy: Policy,
    *,
    today: date | None = None,
    actor: str = "daemon",
    purposes: Mapping[str, Any] | None = None,
) -> list[PlanItem]:
    """Delete everything due on or before `today`, in the caller's transaction; returns what went.

    Each deleted item gets one audit event (`retention.deleted`, kind, id, rule as reason);
    a contact whose evidence shrank gets `retention.evidence_deleted`, and one left with
    nothing gets `retention.deleted` too. No personal value reaches the audit.
    """
    today = today or date.today()
    due = [item for item in plan(session, policy, today=today) if item.due_on <= today]
    if purposes is not None:
        from store.purposes import apply_purpose_retention

        done = apply_purpose_retention(session, today, actor=actor, rules=purposes)
        due += list(_purpose_items_done(done))
    threads = [i for i in due if i.what == "thread"]
    contacts = [i for i in due if i.what == "contact"]
    touched = _delete_threads(session, threads) if threads else set()
    contact_ids = {i.id for i in contacts}
    orphans = _orphans(session, touched - contact_ids) if touched else []
    _delete_contacts(session, [*contact_ids, *orphans])
    events = [("thread", i.id, i.rule) for i in threads] + [("contact", i.id, i.rule) for i in contacts]
    reason = ",".join(sorted({i.rule for i in threads}))
    evidence_events = [("contact", cid, reason) for cid in sorted(touched - contact_ids)]
    orphan_events = [("contact", cid, f"{reason}: no evidence left") for cid in orphans]
    rows = _audit_rows(events + orphan_events, actor=actor, action="retention.deleted")
    rows += _audit_rows(evidence_events, actor=actor, action="retention.evidence_deleted")
    if rows:
        session.execute(insert(AuditEvent), rows)
    session.flush()
    return due


def _purpose_items_done(done: list[dict[str, Any]]) -> Iterator[PlanItem]:
    for item in done:
        yield PlanItem(
            rule=item["rule"],
            what="contact_purpose",
            id=item["id"],
            due_on=date.fromisoformat(item["due_on"]),
            clock="purpose",
            clock_on=None,
        )


def record_exchange(session: Session, message: Message, *, batch: BatchContext | None = None) -> None:
    """Move `last_exchange_at` of every contact taking part in a personal message.

    This is the inactive-contacts clock: a message exchanged with the agency (the
    contact sent it, or it was sent or copied to them). Automatic mail (auto-replies,
    bounces, bulk) and signature sightings do not count. In a `batch` the newest date per
    contact is noted and written once, at the batch's end.
    """
    if message.kind not in _EXCHANGE_KINDS:
        return
    at = message.sent_at or message.stored_at or utcnow()
    emails = sorted({p.email.lower() for p in message.participants})
    if not emails:
        return
    if batch is not None:
        # Imported here: store.contacts imports store.purposes, which imports this module.
        from store.contacts import find_contacts

        batch.record_exchange(find_contacts(session, "email", emails, batch=batch), at)
        return
    contact_ids = select(ContactKey.contact_id).where(
        ContactKey.kind == "email", ContactKey.value.in_(emails)
    )
    session.execute(
        update(Contact)
        .where(
            Contact.id.in_(contact_ids),
            (Contact.last_exchange_at.is_(None)) | (Contact.last_exchange_at < at),
        )
        .values(last_exchange_at=at)
        .execution_options(synchronize_session=False)
    )


def daily_job(
    sessions: sessionmaker[Session],
    policy: Policy,
    *,
    actor: str = "daemon",
    purposes: Mapping[str, Any] | None = None,
) -> Callable[[], None]:
    """The daemon's retention job: `run_due` for today in one transaction, counts logged per rule."""

    def job() -> None:
        with session_scope(sessions) as session:
            done = run_due(session, policy, today=date.today(), actor=actor, purposes=purposes)
        counts = Counter((i.rule, i.what) for i in done)
        for (rule, what), n in sorted(counts.items()):
            log.info("event=retention.deleted rule=%s what=%s count=%d", rule, what, n)
        if not done:
            log.info("event=retention.nothing_due")

    return job
