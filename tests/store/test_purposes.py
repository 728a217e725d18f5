"""Purposes per contact, newsletter consent and its withdrawal, tags and notes, purpose retention."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from harvester.errors import InputError, PolicyError
from harvester.understand.types import Contact as SeenContact
from harvester.understand.types import Kind, Unsubscribe, UnsubscribeChannel
from store import purposes, tags
from store.contacts import EvidenceSource, contact_by_email, record_sighting
from store.models import AuditEvent, Contact, ContactNote, ContactPurpose, ContactTag, OptOut
from store.optouts import OptOutSource, add_opt_outs
from store.purposes import (
    Anchor,
    PurposeSource,
    RetentionRule,
    add_purpose,
    apply_purpose_retention,
    due_on,
    end_purpose,
    load_purposes,
    purpose_retention_plan,
    register_view,
)
from store.rights import erase_contact
from store.suppression import Suppressor
from tests.contact_samples import KEY, LENA, Mail, Person, contains_any, day, feed, mail, policy, text_values

RULES = load_purposes()
#: The purposes issue 9 names.
ISSUE_PURPOSES = (
    "member",
    "lead",
    "newsletter",
    "course_participant",
    "event_participant",
    "support_case",
    "press_contact",
)
ANNA = "anna.medlem@forbundet.example"
BO = "bo.prenumerant@example.org"


def _person(session: Session, email: str, name: str = "Anna Medlem") -> Contact:
    """A contact entered by hand (provenance manual), as `contacts subscribe` does."""
    contact = record_sighting(
        session,
        SeenContact(name=name, emails=[email]),
        source=EvidenceSource.MANUAL,
        message_id=None,
        seen_at=datetime(2025, 1, 10, tzinfo=UTC),
        policy=policy(actor="cli:test"),
    )
    assert contact is not None
    return contact


def _member(session: Session, email: str) -> Contact:
    contact = _person(session, email)
    add_purpose(session, contact, "member", rules=RULES, source=PurposeSource.MANUAL, actor="cli:test")
    return contact


def _subscribe(session: Session, contact: Contact) -> None:
    add_purpose(
        session,
        contact,
        "newsletter",
        rules=RULES,
        source=PurposeSource.MANUAL,
        actor="cli:test",
        consent_given_at=datetime(2025, 2, 1, tzinfo=UTC),
        consent_source="web form on forbundet.example",
    )


def _unsubscribe(sessions: sessionmaker[Session], contact_id: int) -> None:
    """`contacts unsubscribe`: a newsletter opt-out by hand, in its own transaction."""
    with sessions.begin() as session:
        contact = session.get(Contact, contact_id)
        assert contact is not None
        _opt_out_newsletter(session, contact)


def _opt_out_newsletter(session: Session, contact: Contact) -> None:
    add_opt_outs(
        session, contact, ["newsletter"], source=OptOutSource.MANUAL, message_id=None, at=day(3), actor="t"
    )


def _count(session: Session, model: type, contact_id: int | None = None) -> int:
    query = select(func.count()).select_from(model)
    if contact_id is not None:
        query = query.where(model.contact_id == contact_id)  # type: ignore[attr-defined]
    return session.scalar(query) or 0


def _purposes(sessions: sessionmaker[Session], email: str) -> set[str]:
    with sessions() as session:
        contact = contact_by_email(session, email)
        return set() if contact is None else {p.purpose for p in purposes.purposes_of(session, contact.id)}


def test_each_purpose_carries_its_own_legal_basis(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        contact = _person(session, ANNA)
        for name in ("member", "lead", "support_case", "press_contact", "invoicing"):
            add_purpose(session, contact, name, rules=RULES, source=PurposeSource.MANUAL, actor="cli:test")
        _subscribe(session, contact)
    with sessions() as session:
        rows = {p.purpose: p for p in purposes.purposes_of(session, contact.id)}
    assert {n: r.legal_basis for n, r in rows.items()} == {
        "member": "contract",
        "lead": "legitimate_interest",
        "newsletter": "consent",
        "support_case": "legitimate_interest",
        "press_contact": "legitimate_interest",
        "invoicing": "legal_obligation",
    }
    assert rows["newsletter"].consent_source == "web form on forbundet.example"
    assert rows["newsletter"].consent_given_at == datetime(2025, 2, 1, tzinfo=UTC)
    assert rows["member"].consent_given_at is None


def test_newsletter_without_how_consent_was_given_is_refused(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        contact = _person(session, BO)
        with pytest.raises(InputError, match="consent"):
            add_purpose(session, contact, "newsletter", rules=RULES, source=PurposeSource.MANUAL, actor="t")


def test_unknown_purpose_is_refused_with_the_known_ones(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        contact = _person(session, BO)
        with pytest.raises(InputError, match="member"):
            add_purpose(session, contact, "astrology", rules=RULES, source=PurposeSource.MANUAL, actor="t")


def test_subscriber_who_unsubscribes_loses_newsletter_data_but_keeps_member_data(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        contact = _member(session, ANNA)
        _subscribe(session, contact)
        tags.add_tag(session, contact, "Styrelsen", purpose="member", source="manual", actor="cli:test")
        tags.add_tag(session, contact, "Nyhetsbrev kultur", purpose="newsletter", source="manual", actor="t")
        tags.add_note(
            session, contact, "Vill ha brevet på engelska", purpose="newsletter", source="manual", actor="t"
        )
        tags.add_note(session, contact, "Betalt avgift 2025", purpose="member", source="manual", actor="t")
        contact_id = contact.id
    _unsubscribe(sessions, contact_id)
    with sessions() as session:
        contact = session.get(Contact, contact_id)
        assert contact is not None
        view = register_view(session, contact, today=date(2026, 3, 2))
        opt_outs = {o.channel for o in session.scalars(select(OptOut).where(OptOut.contact_id == contact_id))}
    assert [p["purpose"] for p in view["purposes"]] == ["member"]
    assert [t["tag"] for t in view["tags"]] == ["Styrelsen"]
    assert [n["text"] for n in view["notes"]] == ["Betalt avgift 2025"]
    assert opt_outs == {"newsletter"}


def test_newsletter_only_subscriber_is_deleted_whole_and_not_suppressed(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        contact = _person(session, BO, name="Bo Prenumerant")
        _subscribe(session, contact)
        tags.add_tag(session, contact, "Nyhetsbrev", purpose="newsletter", source="manual", actor="t")
        contact_id = contact.id
    _unsubscribe(sessions, contact_id)
    with sessions() as session:
        assert session.get(Contact, contact_id) is None
        assert _count(session, ContactTag) == _count(session, ContactPurpose) == _count(session, OptOut) == 0
        actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == contact_id)))
        assert not policy().suppressor.is_suppressed(session, "email", [BO])  # type: ignore[union-attr]
    assert {"purpose.data_deleted", "contact.deleted"} <= actions


def test_unsubscribe_reply_withdraws_newsletter_consent_through_the_pipeline(
    sessions: sessionmaker[Session],
) -> None:
    feed(sessions, mail(LENA, mid="m1@sr.example", date=day(2)))
    with sessions.begin() as session:
        contact = contact_by_email(session, LENA.email)
        assert contact is not None
        add_purpose(session, contact, "press_contact", rules=RULES, source=PurposeSource.MANUAL, actor="t")
        _subscribe(session, contact)
    reply = mail(
        LENA,
        mid="m2@sr.example",
        date=day(3),
        kind=Kind.UNSUBSCRIBE,
        unsubscribe=Unsubscribe(channels=[UnsubscribeChannel.NEWSLETTER]),
        subject="Avregistrera nyhetsbrevet",
    )
    feed(sessions, reply)
    assert _purposes(sessions, LENA.email) == {"press_contact"}


BO_PERSON = Person("Bo Prenumerant", BO, "+46701740631", "070-174 06 31", "Bokhandeln")


def _newsletter_reply(person: Person, mid: str) -> Mail:
    return mail(
        person,
        mid=mid,
        date=day(3),
        kind=Kind.UNSUBSCRIBE,
        unsubscribe=Unsubscribe(channels=[UnsubscribeChannel.NEWSLETTER]),
        subject="Avregistrera nyhetsbrevet",
    )


def test_newsletter_only_subscriber_who_unsubscribes_by_reply_is_erased_and_suppressed(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        contact = _person(session, BO, name=BO_PERSON.name)
        _subscribe(session, contact)
        tags.add_tag(session, contact, "Nyhetsbrev", purpose="newsletter", source="manual", actor="t")
        contact_id = contact.id
    report = feed(sessions, _newsletter_reply(BO_PERSON, "u@bokhandeln.example"))
    assert report.erasures == 1
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 0  # nothing learnt from the reply
        assert _count(session, ContactTag) == _count(session, ContactPurpose) == _count(session, OptOut) == 0
        assert policy().suppressor.is_suppressed(session, "email", [BO])  # type: ignore[union-attr]
        assert contains_any(text_values(session), [BO, BO_PERSON.name, BO_PERSON.mobile]) == []
        actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == contact_id)))
    assert "contact.erased" in actions
    feed(sessions, mail(BO_PERSON, mid="later@bokhandeln.example", date=day(5)))
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 0  # not harvested back


def test_newsletter_subscriber_known_from_other_mail_stays_on_legitimate_interest(
    sessions: sessionmaker[Session],
) -> None:
    feed(sessions, mail(LENA, mid="m1@sr.example", date=day(2)))
    with sessions.begin() as session:
        contact = contact_by_email(session, LENA.email)
        assert contact is not None
        _subscribe(session, contact)
        contact_id = contact.id
    report = feed(sessions, _newsletter_reply(LENA, "m2@sr.example"))
    assert report.erasures == 0
    with sessions() as session:
        contact = session.get(Contact, contact_id)
        assert contact is not None
        assert (contact.legal_basis, {o.channel for o in contact.opt_outs}) == (
            "legitimate_interest",
            {"newsletter"},
        )
        assert purposes.purposes_of(session, contact_id) == []
        assert not policy().suppressor.is_suppressed(session, "email", [LENA.email])  # type: ignore[union-attr]


def test_new_consent_lifts_an_earlier_newsletter_opt_out(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        contact = _member(session, ANNA)
        _opt_out_newsletter(session, contact)
        _subscribe(session, contact)
        contact_id = contact.id
    with sessions() as session:
        assert _count(session, OptOut, contact_id) == 0
    assert _purposes(sessions, ANNA) == {"member", "newsletter"}


@pytest.mark.parametrize(
    ("held", "from_mail", "expected"),
    [
        (["newsletter"], False, "consent"),
        (["newsletter", "member"], False, "contract"),
        (["newsletter"], True, "legitimate_interest"),  # a press contact learnt from mail subscribes
        (["lead", "newsletter"], False, "legitimate_interest"),
        (["invoicing"], False, "contract"),
    ],
)
def test_contact_legal_basis_is_the_strongest_of_its_purposes(
    sessions: sessionmaker[Session], held: list[str], from_mail: bool, expected: str
) -> None:
    if from_mail:
        feed(sessions, mail(LENA, mid="m1@sr.example", date=day(2)))
    with sessions.begin() as session:
        contact = contact_by_email(session, LENA.email) if from_mail else _person(session, LENA.email)
        assert contact is not None
        for name in held:
            add_purpose(
                session,
                contact,
                name,
                rules=RULES,
                source=PurposeSource.MANUAL,
                actor="t",
                consent_source="webbformulär" if name == "newsletter" else None,
            )
    with sessions() as session:
        contact = contact_by_email(session, LENA.email)
        assert contact is not None and contact.legal_basis == expected


def test_member_who_drops_membership_but_subscribes_becomes_consent_only(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        contact = _member(session, ANNA)
        _subscribe(session, contact)
        assert contact.legal_basis == "contract"
        purposes.drop_purpose(session, contact, "member", actor="t", reason="left")
        assert contact.legal_basis == "consent"


def test_each_legal_basis_change_from_purposes_is_one_audit_event(sessions: sessionmaker[Session]) -> None:
    """Subscribe (consent), become a member (contract), leave (consent): three changes, three events."""
    with sessions.begin() as session:
        contact = _person(session, ANNA)
        start = contact.legal_basis
        _subscribe(session, contact)
        add_purpose(session, contact, "member", rules=RULES, source=PurposeSource.MANUAL, actor="t")
        purposes.drop_purpose(session, contact, "member", actor="t", reason="left")
        contact_id = contact.id
    with sessions() as session:
        events = list(
            session.scalars(
                select(AuditEvent)
                .where(AuditEvent.object_id == contact_id, AuditEvent.action == "legal_basis.changed")
                .order_by(AuditEvent.id)
            )
        )
    assert start == "legitimate_interest"
    assert [(e.field, e.reason) for e in events] == [("legal_basis", "from purposes")] * 3


# --- retention ------------------------------------------------------------------------------

EVENT = RULES["event_participant"].retention


@pytest.mark.parametrize(
    ("ended", "objected", "relationship_ended", "today", "expected"),
    [
        # the relationship ended 2025-06-30: event data used for marketing one year more
        (datetime(2025, 3, 1, tzinfo=UTC), False, date(2025, 6, 30), date(2025, 7, 1), date(2026, 6, 30)),
        # the relationship goes on (a purpose is still active): no date yet
        (datetime(2025, 3, 1, tzinfo=UTC), False, None, date(2025, 7, 1), None),
        # the person objected: due at once
        (datetime(2025, 3, 1, tzinfo=UTC), True, None, date(2025, 7, 1), date(2025, 7, 1)),
    ],
)
def test_event_data_expire_one_year_after_the_relationship_ended_unless_objected(
    ended: datetime, objected: bool, relationship_ended: date | None, today: date, expected: date | None
) -> None:
    row = ContactPurpose(purpose="event_participant", ended_at=ended, objected=objected)
    assert due_on(EVENT, row, relationship_ended=relationship_ended, today=today) == expected


@pytest.mark.parametrize(
    ("purpose", "ended", "expected"),
    [
        ("support_case", date(2025, 5, 20), date(2026, 5, 20)),  # one year after the case closed
        ("course_participant", date(2025, 5, 20), date(2025, 5, 20)),  # while the course is administered
        ("course_participant", None, None),
        ("invoicing", date(2025, 5, 20), date(2033, 1, 1)),  # 7 years from the end of 2025
        ("invoicing", date(2025, 12, 31), date(2033, 1, 1)),
        ("newsletter", None, None),  # only while subscribed
    ],
)
def test_purpose_retention_rules_from_the_shipped_rules(
    purpose: str, ended: date | None, expected: date | None
) -> None:
    moment = datetime(ended.year, ended.month, ended.day, tzinfo=UTC) if ended else None
    row = ContactPurpose(purpose=purpose, ended_at=moment, objected=False)
    rule = RULES[purpose].retention
    assert due_on(rule, row, relationship_ended=None, today=date(2026, 1, 1)) == expected


def test_event_data_expire_one_year_after_relationship_ended_in_the_store(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        contact = _member(session, ANNA)
        add_purpose(
            session,
            contact,
            "event_participant",
            rules=RULES,
            source=PurposeSource.MANUAL,
            actor="t",
            ended_at=datetime(2025, 4, 5, tzinfo=UTC),
        )
        tags.add_tag(
            session, contact, "Årsmöte 2025", purpose="event_participant", source="manual", actor="t"
        )
        contact_id = contact.id
    with sessions() as session:
        plan = purpose_retention_plan(session, date(2025, 6, 1))
    assert plan == []  # still a member: the relationship has not ended, nothing is dated
    with sessions.begin() as session:
        contact = session.get(Contact, contact_id)
        assert contact is not None
        end_purpose(session, contact, "member", at=datetime(2025, 9, 30, tzinfo=UTC), actor="t")
    with sessions() as session:
        plan = purpose_retention_plan(session, date(2025, 10, 1))
    assert [(i["rule"], i["what"], i["due_on"]) for i in plan] == [
        ("member", "contact_purpose", "2025-09-30"),
        ("event_marketing", "contact_purpose", "2026-09-30"),
    ]
    with sessions.begin() as session:
        done = apply_purpose_retention(session, date(2026, 9, 29), actor="daemon")
    assert [d["rule"] for d in done] == ["member"]  # the event data stay one year more
    with sessions() as session:
        assert session.get(Contact, contact_id) is not None
        assert _count(session, ContactTag, contact_id) == 1
    with sessions.begin() as session:
        done = apply_purpose_retention(session, date(2026, 9, 30), actor="daemon")
    assert [d["rule"] for d in done] == ["event_marketing"]
    with sessions() as session:
        assert session.get(Contact, contact_id) is None  # nothing else held the person
        assert _count(session, ContactTag) == 0


def test_objection_ends_event_marketing_at_once(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        contact = _member(session, ANNA)
        add_purpose(
            session, contact, "event_participant", rules=RULES, source=PurposeSource.MANUAL, actor="t"
        )
        end_purpose(session, contact, "event_participant", at=day(2), actor="t", objected=True)
    with sessions() as session:
        plan = purpose_retention_plan(session, date(2026, 2, 3))
    assert [(i["rule"], i["due_on"], i["clock"]) for i in plan] == [
        ("event_marketing", "2026-02-03", "objection")
    ]
    with sessions.begin() as session:
        done = apply_purpose_retention(session, date(2026, 2, 3), actor="daemon")
    assert [d["rule"] for d in done] == ["event_marketing"]
    assert _purposes(sessions, ANNA) == {"member"}


# --- notes and tags -------------------------------------------------------------------------


def test_note_loses_identity_number_and_audit_names_only_the_category(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        contact = _person(session, ANNA)
        note = tags.add_note(
            session,
            contact,
            "Ringde om fakturan, pnr 19121212-1212.",
            purpose="member",
            source="manual",
            actor="t",
        )
        contact_id = contact.id
    assert "1212" not in note.text and "[redacted:national_id]" in note.text
    with sessions() as session:
        stored = list(session.scalars(select(ContactNote.text)))
        reasons = list(session.scalars(select(AuditEvent.reason).where(AuditEvent.object_id == contact_id)))
    assert not any("1212" in s for s in stored)
    assert "redacted: national_id" in reasons
    assert not any("fakturan" in (r or "") for r in reasons)


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Kan inte komma, är sjukskriven efter en operation.", "sjukskriven"),
        ("Han är partimedlem och vill prata om det.", "partimedlem"),
        ("Kan inte på fredag, det är ramadan.", "ramadan"),
    ],
)
def test_note_with_special_category_text_is_redacted(
    sessions: sessionmaker[Session], text: str, word: str
) -> None:
    with sessions.begin() as session:
        note = tags.add_note(session, _person(session, ANNA), text, purpose=None, source="manual", actor="t")
    assert word not in note.text and "[redacted:" in note.text


def test_tag_holding_an_identity_number_is_refused(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        contact = _person(session, ANNA)
        with pytest.raises(InputError):
            tags.add_tag(session, contact, "Kund 19121212-1212", purpose=None, source="manual", actor="t")


def test_same_tag_twice_is_one_tag(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        contact = _person(session, ANNA)
        assert tags.add_tag(session, contact, "Årsmöte 2025", purpose=None, source="manual", actor="t")
        assert not tags.add_tag(session, contact, "årsmöte  2025", purpose=None, source="manual", actor="t")
        assert tags.remove_tag(session, contact, "ÅRSMÖTE 2025", actor="t")
        assert tags.tags_of(session, contact) == []


# --- rules ----------------------------------------------------------------------------------


def test_shipped_rules_name_every_purpose_of_the_issue() -> None:
    assert set(ISSUE_PURPOSES) <= set(RULES)
    assert RULES["newsletter"].retention.anchor == Anchor.ACTIVE
    assert RULES["invoicing"].retention == RetentionRule(
        "bookkeeping",
        Anchor.CALENDAR_YEAR_END,
        years=7,
        text="Seven years from the end of the calendar year of the invoice.",
    )


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (
            '[purposes.x]\nlegal_basis = "whim"\nretention = {rule="x", anchor="active"}',
            "purposes.x.legal_basis",
        ),
        ('[purposes.x]\nlegal_basis = "consent"\nretention = {rule="x", anchor="later"}', "retention.anchor"),
        (
            '[purposes.x]\nlegal_basis = "consent"\nretention = {rule="x", anchor="active", period="1m"}',
            "period",
        ),
        (
            '[purposes.x]\nlegal_basis = "consent"\ncolour = 1\nretention = {rule="x", anchor="active"}',
            "colour",
        ),
    ],
)
def test_bad_purposes_file_names_file_and_key(tmp_path: Path, text: str, where: str) -> None:
    (tmp_path / "purposes.toml").write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError, match=where) as caught:
        load_purposes(tmp_path)
    assert "purposes.toml" in str(caught.value)


def test_erasure_takes_purposes_tags_and_notes_with_the_person(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        contact = _member(session, ANNA)
        _subscribe(session, contact)
        tags.add_tag(session, contact, "Årsmöte 2025", purpose="member", source="manual", actor="t")
        tags.add_note(session, contact, "Ringde om avgiften", purpose=None, source="manual", actor="t")
    with sessions.begin() as session:
        contact = contact_by_email(session, ANNA)
        assert contact is not None
        erase_contact(
            session, contact, suppressor=Suppressor(KEY), own_domains=(), actor="t", reason="Art. 17"
        )
    with sessions() as session:
        for model in (ContactPurpose, ContactTag, ContactNote):
            assert _count(session, model) == 0
