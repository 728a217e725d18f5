"""Suppression: keyed hashes only, and a suppressed person is never harvested again."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from harvester.errors import LegalHold
from harvester.understand.types import (
    AlternateContact,
    AutoReply,
    AutoReplyReason,
    Kind,
    Mailbox,
    Phone,
    PhoneType,
    Unsubscribe,
    UnsubscribeChannel,
)
from store.contacts import contact_by_email, list_contacts
from store.holds import set_hold
from store.models import AuditEvent, Contact, ContactEvidence, Message, MessageParticipant, Suppression
from store.optouts import CHANNELS
from store.rights import erase_contact
from store.suppression import Suppressor
from tests.contact_samples import ERIK, KEY, LENA, Mail, Person, contains_any, day, feed, mail, text_values


@pytest.mark.parametrize(
    ("kind", "a", "b"),
    [
        ("email", "Erik@Dagbladet.example", "erik@dagbladet.example"),
        ("phone", " +46701740605", "+46701740605"),
    ],
)
def test_digest_is_normalised_and_keyed(kind: str, a: str, b: str) -> None:
    assert Suppressor(KEY).digest(kind, a) == Suppressor(KEY).digest(kind, b)
    assert Suppressor(KEY).digest(kind, a) != Suppressor(b"another-key-0123456789abcdef").digest(kind, a)
    assert b.strip() not in Suppressor(KEY).digest(kind, a)


def _all(person: Person = ERIK, mid: str = "u@dagbladet.example") -> Mail:
    return mail(
        person,
        mid=mid,
        date=day(4),
        kind=Kind.UNSUBSCRIBE,
        subject="Avregistrera",
        unsubscribe=Unsubscribe(channels=[UnsubscribeChannel.ALL]),
    )


def test_all_unsubscribe_erases_the_sender_and_suppresses_addresses_and_mobile(
    sessions: sessionmaker[Session],
) -> None:
    feed(sessions, mail(ERIK, mid="e1@dagbladet.example", date=day(2), title="Reporter"))
    report = feed(sessions, _all())
    assert report.erasures == 1
    suppressor = Suppressor(KEY)
    with sessions() as session:
        assert list_contacts(session) == []
        assert suppressor.is_suppressed(session, "email", [ERIK.email])
        assert suppressor.is_suppressed(session, "phone", [ERIK.mobile])
        assert session.scalar(select(func.count()).select_from(Suppression)) == 2
        assert "contact.erased" in {e.action for e in session.scalars(select(AuditEvent))}
        assert contains_any(text_values(session), [ERIK.email, ERIK.name, ERIK.mobile, "Lindqvist"]) == []


def test_all_unsubscribe_from_a_contact_under_legal_hold_suppresses_and_opts_out_but_keeps_them(
    sessions: sessionmaker[Session],
) -> None:
    feed(sessions, mail(ERIK, mid="e1@dagbladet.example", date=day(2), title="Reporter"))
    with sessions.begin() as session:
        contact = contact_by_email(session, ERIK.email)
        assert contact is not None
        set_hold(session, contact, held=True, actor="cli:test")
        with pytest.raises(LegalHold, match="under legal hold"):
            erase_contact(session, contact, suppressor=Suppressor(KEY), own_domains=[], actor="t", reason="t")
    feed(sessions, _all())
    suppressor = Suppressor(KEY)
    with sessions() as session:
        contact = contact_by_email(session, ERIK.email)
        assert contact is not None and contact.legal_hold
        assert {o.channel for o in contact.opt_outs} == {c for c in CHANNELS if c != "all"}
        assert {o.message_id for o in contact.opt_outs} == {"<u@dagbladet.example>"}
        assert suppressor.is_suppressed(session, "email", [ERIK.email])
        assert suppressor.is_suppressed(session, "phone", [ERIK.mobile])
        actions = {e.action for e in session.scalars(select(AuditEvent))}
    assert "erasure.deferred" in actions and "contact.erased" not in actions


def test_all_unsubscribe_from_an_unknown_sender_still_suppresses(sessions: sessionmaker[Session]) -> None:
    feed(sessions, _all())
    with sessions() as session:
        assert list_contacts(session) == []
        assert Suppressor(KEY).is_suppressed(session, "email", [ERIK.email])


def test_suppressed_sender_is_never_harvested_again(sessions: sessionmaker[Session]) -> None:
    feed(sessions, _all())
    feed(
        sessions,
        mail(ERIK, mid="e2@dagbladet.example", date=day(6), title="Reporter"),
        mail(
            ERIK,
            mid="e3@dagbladet.example",
            date=day(7),
            kind=Kind.AUTOREPLY,
            autoreply=AutoReply(reason=AutoReplyReason.VACATION),
        ),
    )
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 0
        assert session.scalar(select(func.count()).select_from(ContactEvidence)) == 0
        assert session.scalar(select(func.count()).select_from(Message)) == 3  # archived for the thread
        assert contains_any(text_values(session), [ERIK.email, ERIK.name, ERIK.mobile]) == []


def test_suppressed_person_in_a_shared_message_is_redacted_and_others_kept(
    sessions: sessionmaker[Session],
) -> None:
    feed(sessions, _all())
    shared = mail(
        LENA,
        mid="l@sr.example",
        date=day(6),
        cc=[Mailbox(ERIK.email, ERIK.name)],
        body=f"Hej Karin, jag och {ERIK.name} ({ERIK.email}) kommer.\n\n{LENA.name}",
    )
    feed(sessions, shared)
    with sessions() as session:
        (message,) = session.scalars(select(Message).where(Message.message_id == "<l@sr.example>"))
        assert message.body is not None and LENA.name in message.body
        assert ERIK.name not in message.body and ERIK.email not in message.body
        assert [
            p.email
            for p in session.scalars(
                select(MessageParticipant).where(MessageParticipant.message_pk == message.id)
            )
        ] == [LENA.email, "karin@pr-byran.example"]
        assert [v["emails"] for v in list_contacts(session)] == [[LENA.email]]


def test_suppressed_person_named_in_an_autoreply_is_not_recorded(sessions: sessionmaker[Session]) -> None:
    feed(sessions, _all())
    reply = AutoReply(
        reason=AutoReplyReason.VACATION,
        alternate_contacts=[
            AlternateContact(name=ERIK.name, email=ERIK.email),
            AlternateContact(name="Erik L", email=None, phone=ERIK.mobile),
        ],
    )
    feed(sessions, mail(LENA, mid="l@sr.example", date=day(6), kind=Kind.AUTOREPLY, autoreply=reply))
    with sessions() as session:
        assert [v["emails"] for v in list_contacts(session)] == [[LENA.email]]


def test_a_colleague_sharing_a_switchboard_is_still_harvested(sessions: sessionmaker[Session]) -> None:
    switchboard = Phone("+46846500400", PhoneType.SWITCHBOARD)
    colleague = type(ERIK)(
        "Maria Holm", "maria.holm@dagbladet.example", "+46701740633", "070-174 06 33", "Dagbladet"
    )
    feed(sessions, mail(ERIK, mid="e1@dagbladet.example", date=day(2), phones=[switchboard]))
    feed(sessions, _all())
    feed(sessions, mail(colleague, mid="m1@dagbladet.example", date=day(6), phones=[switchboard]))
    with sessions() as session:
        assert [v["name"] for v in list_contacts(session)] == ["Maria Holm"]
        assert not Suppressor(KEY).is_suppressed(session, "phone", ["+46846500400"])
