"""A batch stored in one go (store/batch.py) ends exactly as the same messages stored one at a time.

The one-message path (`isolate=True`, each message in its savepoint) is the reference: it
queries as it goes. The batch path reads up front and writes at a few flushes; for a batch
that exercises every kind of message (signatures that change, an old message arriving late,
auto-replies naming third parties, a bounce, opt-outs, an erasure followed by more mail
from the erased person, a reply before its parent, a header-less reply, a duplicate copy)
both must leave the same contacts, evidence, threads, locations and audit trail.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from harvester.pipeline import Pipeline
from harvester.sources.raw import Origin, OriginKind, RawMessage
from harvester.understand.types import (
    AlternateContact,
    AutoReply,
    AutoReplyReason,
    Kind,
    Unsubscribe,
    UnsubscribeChannel,
)
from store.contacts import list_contacts
from store.db import make_engine, make_sessionmaker, upgrade
from store.models import AuditEvent, ContactEvidence, MessageLocation, Suppression
from store.threads import thread_views
from tests.contact_samples import ERIK, LENA, OWN, Mail, Person, bounce_mail, day, mail, policy

NILS = Person("Nils Ek", "nils.ek@example.org", "+46701740699", "070-174 06 99", "Kvällsposten")
OLA = Person("Ola Sund", "ola.sund@kommun.example", "+46701740677", "070-174 06 77", "Kommunen")


def _reply(m: Mail, *, to: str, refs: list[str]) -> Mail:
    envelope = replace(m.understanding.envelope, in_reply_to=to, references=refs)
    return Mail(m.raw, replace(m.understanding, envelope=envelope))


def _mails() -> list[Mail]:
    away = AutoReply(
        reason=AutoReplyReason.VACATION,
        until=date(2026, 4, 1),
        alternate_contacts=[AlternateContact("Ola Sund", OLA.email, OLA.mobile)],
    )
    left = AutoReply(reason=AutoReplyReason.LEFT_ORGANIZATION, new_email="lena@ny.example")
    parent = mail(ERIK, mid="p1@dagbladet.example", date=day(3, 2), title="Reporter")
    return [
        mail(ERIK, mid="e1@dagbladet.example", date=day(3, 1), title="Reporter", coverage=["film"]),
        mail(ERIK, mid="e2@dagbladet.example", date=day(3, 5), title="Kulturchef"),
        mail(ERIK, mid="e0@dagbladet.example", date=day(2, 1), title="Praktikant"),  # old, late
        mail(LENA, mid="l1@sr.example", date=day(3, 3), kind=Kind.AUTOREPLY, autoreply=away),
        mail(OLA, mid="o1@kommun.example", date=day(3, 4), title="Pressansvarig"),
        _reply(
            mail(LENA, mid="l2@sr.example", date=day(3, 6), subject="Re: Recension"),
            to="<p1@dagbladet.example>",
            refs=["<p0@dagbladet.example>", "<p1@dagbladet.example>"],
        ),
        parent,
        mail(LENA, mid="l3@sr.example", date=day(3, 7), subject="SV: Recension"),  # header-less reply
        mail(NILS, mid="n1@example.org", date=day(3, 8), title="Frilans"),
        mail(
            NILS,
            mid="n2@example.org",
            date=day(3, 9),
            unsubscribe=Unsubscribe([UnsubscribeChannel.NEWSLETTER]),
        ),
        mail(
            OLA, mid="o2@kommun.example", date=day(3, 10), unsubscribe=Unsubscribe([UnsubscribeChannel.ALL])
        ),
        mail(OLA, mid="o3@kommun.example", date=day(3, 11), title="Chef"),  # erased: never harvested
        mail(LENA, mid="l4@sr.example", date=day(3, 12), kind=Kind.AUTOREPLY, autoreply=left),
        bounce_mail([NILS.email], mid="b1@pr-byran.example", date=day(3, 13)),
        mail(ERIK, mid="e3@dagbladet.example", date=day(3, 14), title="Kulturchef"),
    ]


def _raws(mails: list[Mail]) -> list[RawMessage]:
    raws = [
        RawMessage(m.raw.data, Origin(OriginKind.IMAP, account="karin", folder="INBOX", uidvalidity=3, uid=n))
        for n, m in enumerate(mails, 1)
    ]
    # The same bytes seen again in Sent: stored once, with two locations.
    return [*raws, RawMessage(raws[0].data, Origin(OriginKind.IMAP, "karin", "Sent", 3, 1))]


def _store(sessions: sessionmaker[Session], *, isolate: bool) -> None:
    mails = _mails()
    raws = _raws(mails)
    by_data = {m.raw.data: m.understanding for m in mails}
    understood = {id(r): by_data[r.data] for r in raws[:-1]}
    understood[id(raws[-1])] = by_data[raws[-1].data]
    pipeline = Pipeline(sessions, own_domains=[OWN], contact_policy=policy())
    half = len(raws) // 2  # two batches: the second one finds what the first stored
    pipeline._store(
        raws[:half], {k: v for k, v in understood.items() if k in map(id, raws[:half])}, None, isolate=isolate
    )
    pipeline._store(
        raws[half:], {k: v for k, v in understood.items() if k in map(id, raws[half:])}, None, isolate=isolate
    )


def _snapshot(sessions: sessionmaker[Session]) -> dict[str, Any]:
    with sessions() as session:
        contacts = [
            {k: v for k, v in c.items() if k not in ("id", "updated_at")} for c in list_contacts(session)
        ]
        threads = [{k: v for k, v in t.items() if k != "id"} for t in thread_views(session)]
        evidence = Counter(
            (r.field, r.value, r.source, r.message_id, r.superseded_at is None)
            for r in session.scalars(select(ContactEvidence))
        )
        audit = Counter(
            (e.action, e.object_kind, e.field, e.reason, e.source)
            for e in session.scalars(select(AuditEvent))
        )
        locations = sorted((loc.folder, loc.uid) for loc in session.scalars(select(MessageLocation)))
        suppressed = len(session.scalars(select(Suppression.digest)).all())
    return {
        "contacts": sorted(contacts, key=repr),
        "threads": sorted(threads, key=repr),
        "evidence": evidence,
        "audit": audit,
        "locations": locations,
        "suppressed": suppressed,
    }


def test_a_batch_ends_as_the_same_messages_stored_one_at_a_time(
    sessions: sessionmaker[Session], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    reference = make_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    upgrade(reference)
    try:
        _store(make_sessionmaker(reference), isolate=True)
        with caplog.at_level(logging.WARNING):
            _store(sessions, isolate=False)
        expected = _snapshot(make_sessionmaker(reference))
    finally:
        reference.dispose()
    got = _snapshot(sessions)
    assert got["contacts"] and got["threads"] and got["suppressed"]  # the batch did something
    assert got == expected
    assert "retry_isolated" not in caplog.text
