"""Data-subject rights: export holds everything, erasure leaves nothing, Art. 9 never reaches the store."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from harvester.pipeline import Pipeline
from harvester.retention_policy import load_policy
from harvester.understand.types import (
    AutoReply,
    AutoReplyReason,
    Kind,
    Mailbox,
    Redaction,
    RedactionCategory,
)
from store.contacts import contact_by_email, set_field_manually
from store.models import AuditEvent, Contact, ContactEvidence, ContactKey, Message, OptOut, Thread
from store.optouts import OptOutSource, add_opt_outs
from store.retention import plan as retention_plan
from store.rights import erase_contact, erase_fields, export_contact
from store.suppression import Suppressor
from tests.contact_samples import (
    ERIK,
    KEY,
    LENA,
    OWN,
    contains_any,
    day,
    feed,
    mail,
    policy,
    raw_of,
    text_values,
)

EXPORT_KEYS = {
    "organization",
    "generated_at",
    "contact",
    "status",
    "status_since",
    "legal_basis",
    "needs_art14_notice",
    "absence",
    "created_at",
    "last_activity_at",
    "sources",
    "provenance",
    "history",
    "opt_outs",
    "identifiers",
    "messages",
    "threads",
    "retention",
    "audit",
}


def _erik_with_history(sessions: sessionmaker[Session]) -> None:
    feed(
        sessions,
        mail(
            ERIK,
            mid="e1@dagbladet.example",
            date=day(2),
            title="Reporter",
            subject="Recension av Erik Lindqvist",
        ),
        mail(ERIK, mid="e2@dagbladet.example", date=day(4), title="Kulturredaktör"),
        mail(
            ERIK,
            mid="e3@dagbladet.example",
            date=day(5),
            kind=Kind.AUTOREPLY,
            autoreply=AutoReply(reason=AutoReplyReason.VACATION, until=date(2026, 6, 1)),
        ),
        mail(
            LENA,
            mid="l1@sr.example",
            date=day(6),
            cc=[Mailbox(ERIK.email, ERIK.name)],
            body=f"Hej! Jag har pratat med {ERIK.name}, nå honom på {ERIK.mobile_local}.\n\n{LENA.name}",
        ),
        mail(  # mentions Erik without him taking part: redacted, never emptied
            LENA,
            mid="l2@sr.example",
            date=day(7),
            subject="Tips från Lindqvist",
            body=f"Hej! {ERIK.name} ({ERIK.email}) tipsade om er.\n\n{LENA.name}",
        ),
    )
    with sessions.begin() as session:
        contact = contact_by_email(session, ERIK.email)
        assert contact is not None
        add_opt_outs(
            session,
            contact,
            ["sms"],
            source=OptOutSource.MANUAL,
            message_id=None,
            at=day(7),
            actor="cli:test",
        )


def test_export_holds_every_field_with_provenance_history_messages_and_retention(
    sessions: sessionmaker[Session],
) -> None:
    _erik_with_history(sessions)
    with sessions.begin() as session:
        contact = contact_by_email(session, ERIK.email)
        assert contact is not None
        policy = load_policy(unlinked_threads=timedelta(days=180), inactive_contacts=timedelta(days=730))
        today = date(2026, 11, 23)
        data = export_contact(
            session,
            contact,
            organization="PR-byrån AB",
            actor="cli:test",
            plan=[i.to_json(today=today) for i in retention_plan(session, policy, today=today)],
        )
    assert EXPORT_KEYS <= set(data)
    assert data["organization"] == "PR-byrån AB"
    assert data["contact"]["title"] == "Kulturredaktör"
    assert [e["value"] for e in data["history"]["title"]] == ["Reporter"]
    assert data["absence"] == {"reason": "vacation", "until": "2026-06-01"}
    assert data["legal_basis"] == "legitimate_interest"
    assert [(o["channel"], o["source"]) for o in data["opt_outs"]] == [("sms", "manual")]
    assert {m["message_id"] for m in data["messages"]} == {
        "<e1@dagbladet.example>",
        "<e2@dagbladet.example>",
        "<e3@dagbladet.example>",
        "<l1@sr.example>",
    }
    cc = next(m for m in data["messages"] if m["message_id"] == "<l1@sr.example>")
    assert cc["roles"] == ["cc"] and cc["thread_id"] is not None
    assert {r["rule"] for r in data["retention"]} == {"unlinked-conversations", "inactive-contacts"}
    assert all(r["due_on"] for r in data["retention"])
    assert set(data["sources"]) == {"signature", "autoreply"}
    with sessions() as session:
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "contact.exported")) is not None


def _erase_erik(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        contact = contact_by_email(session, ERIK.email)
        assert contact is not None
        erase_contact(
            session,
            contact,
            suppressor=Suppressor(KEY),
            own_domains=[OWN],
            actor="cli:test",
            reason="data subject request",
        )


def test_forget_deletes_the_person_everywhere_and_suppresses_them(sessions: sessionmaker[Session]) -> None:
    _erik_with_history(sessions)
    _erase_erik(sessions)
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(OptOut)) == 0
        assert [k.value for k in session.scalars(select(ContactKey).where(ContactKey.kind == "email"))] == [
            LENA.email
        ]
        bodies = {m.message_id: m.body for m in session.scalars(select(Message))}
        assert bodies["<e1@dagbladet.example>"] is None  # only Erik besides us: body deleted
        assert bodies["<l1@sr.example>"] is not None and LENA.name in bodies["<l1@sr.example>"]
        assert bodies["<l2@sr.example>"] == f"Hej! [erased] ([erased]) tipsade om er.\n\n{LENA.name}"
        needles = [ERIK.name, ERIK.email, ERIK.mobile, ERIK.mobile_local, "Lindqvist"]
        assert contains_any(text_values(session), needles) == []
        assert Suppressor(KEY).is_suppressed(session, "email", [ERIK.email])
        assert all("Lindqvist" not in (t.subject or "") for t in session.scalars(select(Thread)))
    feed(sessions, mail(ERIK, mid="e9@dagbladet.example", date=day(9), title="Reporter"))
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Contact)) == 1  # Lena only
        assert contains_any(text_values(session), [ERIK.name, ERIK.email, ERIK.mobile]) == []


@pytest.mark.parametrize(
    "written",
    [ERIK.mobile, ERIK.mobile_local, ERIK.mobile_local.replace(" ", "").replace("-", ""), "+46 70-174 06 05"],
)
def test_forget_redacts_a_mention_by_mobile_number_alone(
    sessions: sessionmaker[Session], written: str
) -> None:
    _erik_with_history(sessions)
    feed(
        sessions,
        mail(
            LENA,
            mid="l3@sr.example",
            date=day(8),
            subject=f"Nummer {written}",
            body=f"Hej! Ring honom på {written}, eller mig på {LENA.mobile_local}.\n\n{LENA.name}",
        ),
    )
    _erase_erik(sessions)
    with sessions() as session:
        message = session.scalar(select(Message).where(Message.message_id == "<l3@sr.example>"))
        assert message is not None
        assert (
            message.body == f"Hej! Ring honom på [erased], eller mig på {LENA.mobile_local}.\n\n{LENA.name}"
        )
        assert message.subject == "Nummer [erased]"
        assert (
            contains_any(text_values(session), [ERIK.mobile, ERIK.mobile_local, "701740605", "174 06 05"])
            == []
        )


def test_forget_some_fields_deletes_their_evidence_and_history_only(sessions: sessionmaker[Session]) -> None:
    _erik_with_history(sessions)
    with sessions.begin() as session:
        contact = contact_by_email(session, ERIK.email)
        assert contact is not None
        erase_fields(session, contact, ["title", "phones"], actor="cli:test", reason="data subject request")
    with sessions() as session:
        contact = contact_by_email(session, ERIK.email)
        assert contact is not None
        mine = ContactEvidence.contact_id == contact.id
        fields = {r.field for r in session.scalars(select(ContactEvidence).where(mine))}
        keys = {
            k.kind for k in session.scalars(select(ContactKey).where(ContactKey.contact_id == contact.id))
        }
        erased = {
            e.field for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "evidence.erased"))
        }
    assert "title" not in fields and "phones" not in fields and "name" in fields
    assert keys == {"email"}
    assert erased == {"title", "phones"}


def test_manual_edit_is_audited_without_its_value(sessions: sessionmaker[Session]) -> None:
    _erik_with_history(sessions)
    with sessions.begin() as session:
        contact = contact_by_email(session, ERIK.email)
        assert contact is not None
        set_field_manually(session, contact, "organization", "Kvällsposten", actor="cli:test")
    with sessions() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.actor == "cli:test"))
        assert ("evidence.added", "organization", "manual") in {(e.action, e.field, e.source) for e in events}
        assert (
            contains_any([v for v in text_values(session) if v[0] == "audit_events"], ["Kvällsposten"]) == []
        )


# --- Art. 9 and personal identity numbers never reach the store -------------------------------

ART9 = {
    RedactionCategory.HEALTH: ["sjukskriven", "utbrändhet", "cancerbehandling"],
    RedactionCategory.NATIONAL_ID: ["19121212-1212", "121212-1212"],
    RedactionCategory.UNION: ["medlem i Journalistförbundet"],
    RedactionCategory.POLITICS: ["aktiv i Vänsterpartiet"],
    RedactionCategory.RELIGION: ["troende katolik"],
}
FORBIDDEN = [w for words in ART9.values() for w in words]
RAW_TEXT = (
    "Hej Karin!\n\nJag är sjukskriven på grund av utbrändhet och går i cancerbehandling.\n"
    "Mitt personnummer är 19121212-1212 (121212-1212). Jag är medlem i Journalistförbundet,\n"
    "aktiv i Vänsterpartiet och troende katolik.\n\nErik Lindqvist\nKulturredaktör\nMobil 070-174 06 05\n"
)


def _placeholder(text: str) -> str:
    for category, words in ART9.items():
        for word in words:
            text = text.replace(word, f"[redacted:{category.value}]")
    return text


def test_redacted_understandings_leave_no_special_category_text_in_any_column(
    sessions: sessionmaker[Session],
) -> None:
    """The store adds nothing of its own: what the redaction gate removed is nowhere in the database."""
    mails = [
        mail(
            ERIK,
            mid="a9@dagbladet.example",
            date=day(2),
            title="Kulturredaktör",
            subject=_placeholder("Recension, sjukskriven"),
            body=_placeholder(RAW_TEXT),
            raw_subject="Recension, sjukskriven",
            raw_body=RAW_TEXT,
        ),
        mail(
            ERIK,
            mid="b9@dagbladet.example",
            date=day(3),
            kind=Kind.AUTOREPLY,
            subject="Autosvar",
            autoreply=AutoReply(reason=AutoReplyReason.ABSENCE, until=date(2026, 4, 3)),
            body=_placeholder("Jag är sjukskriven t.o.m. 3 april, personnummer 19121212-1212."),
            raw_body="Jag är sjukskriven t.o.m. 3 april, personnummer 19121212-1212.",
        ),
    ]
    for m in mails:  # the raw bytes carry the Art. 9 text; the understanding does not
        m.understanding.redactions = [Redaction(c, "body") for c in ART9]
        assert b"sjukskriven" in m.raw.data
        assert not any(w in (m.understanding.body or "") for w in FORBIDDEN)
    feed(sessions, *mails)
    with sessions() as session:
        values = text_values(session)
        assert any(v[0] == "contact_evidence" for v in values)
        assert contains_any(values, FORBIDDEN) == []


def test_raw_mail_with_special_category_text_leaves_none_in_any_column(
    sessions: sessionmaker[Session],
) -> None:
    """Real understand() on raw mail: passes once the redaction gate covers subject, body, signature."""
    raws = [
        raw_of(
            mid="r1@dagbladet.example",
            sender=Mailbox(ERIK.email, ERIK.name),
            to=[Mailbox("karin@pr-byran.example", "Karin Berg")],
            subject="Sjukskriven till 3 april",
            date=day(2),
            body=RAW_TEXT,
        ),
        raw_of(
            mid="r2@dagbladet.example",
            sender=Mailbox(ERIK.email, "Erik Lindqvist 19121212-1212"),
            to=[Mailbox("karin@pr-byran.example", "Karin Berg")],
            subject="Re: medlem i Journalistförbundet",
            date=day(3),
            body="Aktiv i Vänsterpartiet sedan länge.\n\nErik",
        ),
    ]
    Pipeline(sessions, own_domains=[OWN], contact_policy=policy()).apply_batch(raws)
    with sessions() as session:
        values = text_values(session)
        assert any(v[0] == "messages" for v in values)
        assert contains_any(values, FORBIDDEN) == []


@pytest.mark.parametrize("reason", list(AutoReplyReason))
def test_absence_reason_is_only_ever_an_enum_value(
    sessions: sessionmaker[Session], reason: AutoReplyReason
) -> None:
    feed(
        sessions,
        mail(
            ERIK,
            mid="x@dagbladet.example",
            date=day(2),
            kind=Kind.AUTOREPLY,
            autoreply=AutoReply(reason=reason, until=date(2026, 4, 3)),
        ),
    )
    with sessions() as session:
        stored = session.scalar(select(Contact.absence_reason))
    assert stored in {None, "vacation", "parental_leave", "absence"}


def test_export_takes_the_retention_plan_items_of_this_person_only(sessions: sessionmaker[Session]) -> None:
    _erik_with_history(sessions)
    with sessions.begin() as session:
        contact = contact_by_email(session, ERIK.email)
        assert contact is not None
        threads = {
            m.thread_id for m in session.scalars(select(Message).where(Message.sender_email == ERIK.email))
        }
        plan = [
            *(
                {"rule": "unlinked_threads", "what": "thread", "id": t, "due_on": "2026-09-01"}
                for t in threads
            ),
            {"rule": "unlinked_threads", "what": "thread", "id": 999, "due_on": "2026-09-01"},
            {"rule": "inactive_contacts", "what": "contact", "id": contact.id, "due_on": "2028-01-01"},
            {"rule": "inactive_contacts", "what": "contact", "id": contact.id + 1, "due_on": "2028-01-01"},
        ]
        data = export_contact(session, contact, organization="PR-byrån AB", actor="cli:test", plan=plan)
    assert sorted((r["what"], r["id"]) for r in data["retention"]) == sorted(
        [("thread", t) for t in threads] + [("contact", contact.id)]
    )
