"""Invented people and hand-built Understandings, fed through the real pipeline and store.

The understanding stage is built in parallel; these tests pin what the store does
with a given Understanding, so they build it by hand and hand it to the real
`Pipeline` (a subclass whose `understand()` looks the raw message up). Each raw
message is a real RFC 5322 text with the same headers, so it can also be ingested
by the CLI with the real `understand()`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import Header
from email.utils import format_datetime, formataddr

from sqlalchemy import String, Text, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from harvester.pipeline import BatchReport, Pipeline
from harvester.sources.raw import Origin, OriginKind, RawMessage
from harvester.understand.types import (
    AutoReply,
    Bounce,
    Contact,
    Envelope,
    Kind,
    Mailbox,
    Phone,
    PhoneType,
    Understanding,
    Unsubscribe,
)
from store.contacts import ContactPolicy
from store.models import Base
from store.suppression import Suppressor

__all__ = [
    "ERIK",
    "KEY",
    "LENA",
    "OWN",
    "Mail",
    "Person",
    "bounce_mail",
    "contains_any",
    "day",
    "feed",
    "mail",
    "policy",
    "raw_of",
    "text_values",
]

KEY = b"test-suppression-key-0123456789abcdef"  # the conftest `suppression_key`
OWN = "pr-byran.example"
KARIN = Mailbox("karin@pr-byran.example", "Karin Berg")


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    mobile: str  # E.164
    mobile_local: str  # as written in a signature
    organization: str


ERIK = Person(
    "Erik Lindqvist", "erik.lindqvist@dagbladet.example", "+46701740605", "070-174 06 05", "Dagbladet"
)
LENA = Person("Lena Ström", "lena.strom@sr.example", "+46701740611", "070-174 06 11", "Sveriges Radio P2")


@dataclass
class Mail:
    """One message: its raw text and the Understanding the store is given for it."""

    raw: RawMessage
    understanding: Understanding


class _Fed(Pipeline):
    mails: dict[bytes, Understanding]

    def understand(self, raw: RawMessage) -> Understanding:
        return self.mails[raw.data]


def raw_of(
    *,
    mid: str,
    sender: Mailbox,
    to: Sequence[Mailbox],
    cc: Sequence[Mailbox] = (),
    subject: str,
    date: datetime,
    body: str,
) -> RawMessage:
    def boxes(items: Iterable[Mailbox]) -> str:  # RFC 2047 for non-ASCII names, as mail clients send
        return ", ".join(formataddr((b.name or "", b.email), charset="utf-8") for b in items)

    headers = [
        f"From: {boxes([sender])}",
        f"To: {boxes(to)}",
        *([f"Cc: {boxes(cc)}"] if cc else []),
        f"Subject: {Header(subject, 'utf-8').encode() if not subject.isascii() else subject}",
        f"Message-ID: <{mid}>",
        f"Date: {format_datetime(date)}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
    ]
    data = ("\r\n".join(headers) + "\r\n\r\n" + body.replace("\n", "\r\n") + "\r\n").encode()
    return RawMessage(data=data, origin=Origin(kind=OriginKind.FILE, path=f"{mid.partition('@')[0]}.eml"))


def mail(
    person: Person,
    *,
    mid: str,
    date: datetime,
    kind: Kind = Kind.PERSONAL,
    title: str | None = None,
    organization: str | None = None,
    phones: Sequence[Phone] | None = None,
    coverage: Sequence[str] = (),
    autoreply: AutoReply | None = None,
    bounce: Bounce | None = None,
    unsubscribe: Unsubscribe | None = None,
    cc: Sequence[Mailbox] = (),
    subject: str = "Recension",
    body: str | None = None,
    name: str | None = None,
    raw_body: str | None = None,
    raw_subject: str | None = None,
) -> Mail:
    """A message from `person` to Karin at the agency, understood as given.

    `raw_body`/`raw_subject`: what the raw message says when it differs from what the
    understanding keeps (the unredacted original).
    """
    sender = Mailbox(person.email, name or person.name)
    phones = list(phones) if phones is not None else [Phone(person.mobile, PhoneType.MOBILE)]
    signature = (
        f"{sender.name}\n{title or ''}\n{organization or person.organization}\nMobil {person.mobile_local}"
    )
    text = body if body is not None else f"Hej Karin!\n\nTack för pressmeddelandet.\n\n{signature}"
    envelope = Envelope(
        message_id=f"<{mid}>", subject=subject, date=date, sender=sender, to=[KARIN], cc=list(cc)
    )
    contact = None
    if kind not in (Kind.BULK, Kind.BOUNCE):
        contact = Contact(
            name=sender.name,
            title=title,
            organization=organization or person.organization,
            emails=[person.email],
            phones=phones,
            coverage=list(coverage),
        )
    understanding = Understanding(
        kind=kind,
        envelope=envelope,
        autoreply=autoreply,
        bounce=bounce,
        unsubscribe=unsubscribe,
        signature=signature if contact else None,
        contact=contact,
        body=text,
    )
    raw = raw_of(
        mid=mid,
        sender=sender,
        to=[KARIN],
        cc=cc,
        subject=raw_subject or subject,
        date=date,
        body=raw_body or text,
    )
    return Mail(raw=raw, understanding=understanding)


def bounce_mail(addresses: Sequence[str], *, mid: str, date: datetime, permanent: bool = True) -> Mail:
    daemon = Mailbox("mailer-daemon@pr-byran.example", "Mail Delivery System")
    envelope = Envelope(message_id=f"<{mid}>", subject="Undeliverable", date=date, sender=daemon, to=[KARIN])
    understanding = Understanding(
        kind=Kind.BOUNCE, envelope=envelope, bounce=Bounce(permanent=permanent, addresses=list(addresses))
    )
    raw = raw_of(mid=mid, sender=daemon, to=[KARIN], subject="Undeliverable", date=date, body="550 5.1.1")
    return Mail(raw=raw, understanding=understanding)


def policy(*, legal_basis: str = "legitimate_interest", actor: str = "daemon") -> ContactPolicy:
    return ContactPolicy(legal_basis=legal_basis, suppressor=Suppressor(KEY), actor=actor, own_domains=(OWN,))


def feed(
    sessions: sessionmaker[Session], *mails: Mail, legal_basis: str = "legitimate_interest"
) -> BatchReport:
    """Apply these messages, in this order, through the real pipeline in one batch."""
    pipeline = _Fed(sessions, own_domains=[OWN], contact_policy=policy(legal_basis=legal_basis))
    pipeline.mails = {m.raw.data: m.understanding for m in mails}
    return pipeline.apply_batch([m.raw for m in mails])


def day(month: int, dom: int = 1) -> datetime:
    return datetime(2026, month, dom, 10, 0, tzinfo=UTC)


def text_values(session: Session) -> list[tuple[str, str, str]]:
    """(table, column, value) for every non-empty text value in every table: the whole database."""
    found: list[tuple[str, str, str]] = []
    for table in Base.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(getattr(c.type, "impl", c.type), String | Text)]
        if not columns:
            continue
        names = ", ".join(f'"{c.name}"' for c in columns)
        for row in session.execute(text(f'SELECT {names} FROM "{table.name}"')):
            for column, value in zip(columns, row, strict=True):
                if value:
                    found.append((table.name, column.name, str(value)))
    assert inspect(session.get_bind()).get_table_names()  # the schema is really there
    return found


def contains_any(
    values: Iterable[tuple[str, str, str]], needles: Iterable[str]
) -> list[tuple[str, str, str]]:
    lowered = [n.lower() for n in needles]
    return [v for v in values if any(n in v[2].lower() for n in lowered)]
