"""Contacts from evidence: ranks, history, merge rules, status, absence, mentions, opt-outs, audit."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from harvester.understand.types import (
    AlternateContact,
    AutoReply,
    AutoReplyReason,
    Kind,
    Phone,
    PhoneType,
    Unsubscribe,
    UnsubscribeChannel,
)
from store.contacts import (
    apply_understanding,
    contact_by_email,
    current_view,
    find_contact,
    list_contacts,
    set_field_manually,
    show_view,
)
from store.models import AuditEvent, ContactEvidence, OptOut
from tests.contact_samples import (
    ERIK,
    LENA,
    bounce_mail,
    contains_any,
    day,
    feed,
    mail,
    policy,
    text_values,
)


def _show(sessions: sessionmaker[Session], email: str) -> dict:
    with sessions() as session:
        contact = contact_by_email(session, email)
        assert contact is not None
        return show_view(session, contact)


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_autoreply_title_does_not_replace_signature_title(sessions: sessionmaker[Session]) -> None:
    feed(
        sessions,
        mail(ERIK, mid="m1@dagbladet.example", date=day(3), title="Kulturredaktör"),
        mail(
            ERIK,
            mid="m2@dagbladet.example",
            date=day(4),
            kind=Kind.AUTOREPLY,
            title="Vikarie",
            autoreply=AutoReply(reason=AutoReplyReason.OTHER),
        ),
    )
    shown = _show(sessions, ERIK.email)
    assert shown["title"] == "Kulturredaktör"
    titles = {e["value"]: e for e in shown["provenance"]["title"]}
    assert titles["Vikarie"]["source"] == "autoreply" and not titles["Vikarie"]["current"]
    assert (
        titles["Kulturredaktör"]["current"]
        and titles["Kulturredaktör"]["message_id"] == "<m1@dagbladet.example>"
    )


@pytest.mark.parametrize("order", [("old", "new"), ("new", "old")], ids=["in_order", "old_arrives_late"])
def test_newer_signature_wins_and_the_replaced_title_is_history(
    sessions: sessionmaker[Session], order: tuple[str, str]
) -> None:
    mails = {
        "old": mail(ERIK, mid="old@dagbladet.example", date=day(1), title="Reporter"),
        "new": mail(ERIK, mid="new@dagbladet.example", date=day(6), title="Kulturredaktör"),
    }
    for key in order:
        feed(sessions, mails[key])
    shown = _show(sessions, ERIK.email)
    assert shown["title"] == "Kulturredaktör"
    if order == ("old", "new"):
        assert [e["value"] for e in shown["history"]["title"]] == ["Reporter"]
    else:  # the older value never was current: kept as outranked evidence, not history
        assert "title" not in shown["history"]
        assert {e["value"] for e in shown["provenance"]["title"]} == {"Reporter", "Kulturredaktör"}


def test_same_message_applied_twice_adds_nothing(sessions: sessionmaker[Session]) -> None:
    first = mail(ERIK, mid="m1@dagbladet.example", date=day(3), title="Reporter", coverage=["film"])
    feed(sessions, first)
    with sessions() as session:
        before = (_count(session, ContactEvidence), _count(session, AuditEvent))
    with sessions.begin() as session:  # the store itself, not only the pipeline's message dedupe
        apply_understanding(session, first.understanding, seen_at=day(3), policy=policy())
    with sessions() as session:
        assert (_count(session, ContactEvidence), _count(session, AuditEvent)) == before


def test_the_same_value_seen_again_moves_its_date_forward_without_new_rows(
    sessions: sessionmaker[Session],
) -> None:
    feed(sessions, mail(ERIK, mid="a@dagbladet.example", date=day(1), title="Reporter"))
    with sessions() as session:
        rows = _count(session, ContactEvidence)
    feed(sessions, mail(ERIK, mid="b@dagbladet.example", date=day(5), title="Reporter"))
    with sessions() as session:
        assert _count(session, ContactEvidence) == rows
    (entry,) = _show(sessions, ERIK.email)["provenance"]["title"]
    assert entry["message_id"] == "<b@dagbladet.example>" and entry["seen_at"].startswith("2026-05-01")


def test_shared_switchboard_number_does_not_merge_two_people(sessions: sessionmaker[Session]) -> None:
    switchboard = Phone("+46846500400", PhoneType.SWITCHBOARD)
    feed(
        sessions,
        mail(ERIK, mid="e@dagbladet.example", date=day(2), phones=[switchboard]),
        mail(LENA, mid="l@sr.example", date=day(2), phones=[switchboard]),
    )
    with sessions() as session:
        views = list_contacts(session)
    assert len(views) == 2
    assert all(v["phones"] == [{"e164": "+46846500400", "type": "switchboard"}] for v in views)


def test_a_mobile_number_finds_the_same_person_under_a_new_address(sessions: sessionmaker[Session]) -> None:
    feed(sessions, mail(ERIK, mid="e1@dagbladet.example", date=day(2)))
    moved = type(ERIK)(ERIK.name, "erik@kvallsposten.example", ERIK.mobile, ERIK.mobile_local, "Kvällsposten")
    feed(sessions, mail(moved, mid="e2@kvallsposten.example", date=day(5)))
    with sessions() as session:
        (view,) = list_contacts(session)
    assert set(view["emails"]) == {ERIK.email, "erik@kvallsposten.example"}
    assert view["organization"] == "Kvällsposten"


def test_left_organization_sets_status_and_keeps_the_new_address_as_a_candidate(
    sessions: sessionmaker[Session],
) -> None:
    feed(
        sessions,
        mail(ERIK, mid="e1@dagbladet.example", date=day(2)),
        mail(
            ERIK,
            mid="e2@dagbladet.example",
            date=day(5),
            kind=Kind.AUTOREPLY,
            autoreply=AutoReply(
                reason=AutoReplyReason.LEFT_ORGANIZATION, new_email="Erik@Kvallsposten.example"
            ),
        ),
    )
    shown = _show(sessions, ERIK.email)
    assert shown["status"] == "left_organization"
    assert shown["candidate_emails"] == ["erik@kvallsposten.example"]
    assert shown["emails"] == [ERIK.email]
    (candidate,) = shown["provenance"]["candidate_emails"]
    assert (candidate["source"], candidate["message_id"]) == ("autoreply", "<e2@dagbladet.example>")
    with sessions() as session:
        assert find_contact(session, emails=["erik@kvallsposten.example"]) is None  # not a key


@pytest.mark.parametrize(("permanent", "status"), [(True, "bounced"), (False, "active")])
def test_permanent_bounce_sets_bounced_for_each_failed_address(
    sessions: sessionmaker[Session], permanent: bool, status: str
) -> None:
    feed(
        sessions,
        mail(ERIK, mid="e@dagbladet.example", date=day(2)),
        mail(LENA, mid="l@sr.example", date=day(2)),
    )
    feed(
        sessions,
        bounce_mail(
            [ERIK.email.upper(), LENA.email], mid="b@pr-byran.example", date=day(3), permanent=permanent
        ),
    )
    with sessions() as session:
        assert [v["status"] for v in list_contacts(session)] == [status, status]


def test_absence_has_a_reason_and_until_and_newer_own_mail_clears_it(sessions: sessionmaker[Session]) -> None:
    feed(
        sessions,
        mail(ERIK, mid="e1@dagbladet.example", date=day(2)),
        mail(
            ERIK,
            mid="e2@dagbladet.example",
            date=day(3),
            kind=Kind.AUTOREPLY,
            autoreply=AutoReply(reason=AutoReplyReason.PARENTAL_LEAVE, until=date(2026, 8, 14)),
        ),
    )
    shown = _show(sessions, ERIK.email)
    assert shown["absence"] == {"reason": "parental_leave", "until": "2026-08-14"}
    assert shown["status"] == "active"
    feed(sessions, mail(ERIK, mid="e3@dagbladet.example", date=day(9)))
    assert _show(sessions, ERIK.email)["absence"] is None


def test_alternate_contacts_are_third_party_mentions_needing_art14_notice(
    sessions: sessionmaker[Session],
) -> None:
    reply = AutoReply(
        reason=AutoReplyReason.VACATION,
        alternate_contacts=[
            AlternateContact(name=LENA.name, email=LENA.email, phone=None),
            AlternateContact(name="Anna Ek", email=None, phone="+46701740620"),
            AlternateContact(name="Karin Berg", email="karin@pr-byran.example"),  # our own colleague
            AlternateContact(name="Växeln", email=None, phone="+46846500400"),  # no key: not a person
        ],
    )
    feed(sessions, mail(ERIK, mid="e@dagbladet.example", date=day(2), kind=Kind.AUTOREPLY, autoreply=reply))
    with sessions() as session:
        views = {v["name"]: v for v in list_contacts(session)}
    assert set(views) == {ERIK.name, LENA.name, "Anna Ek"}
    assert views[ERIK.name]["needs_art14_notice"] is False
    assert views[LENA.name]["needs_art14_notice"] is True and views["Anna Ek"]["needs_art14_notice"] is True
    lena = _show(sessions, LENA.email)
    assert {e["source"] for entries in lena["provenance"].values() for e in entries} == {
        "third_party_mention"
    }


def test_own_mail_strengthens_a_mentioned_contact_and_beats_the_mention(
    sessions: sessionmaker[Session],
) -> None:
    reply = AutoReply(
        reason=AutoReplyReason.VACATION,
        alternate_contacts=[AlternateContact(name="Lena S", email=LENA.email)],
    )
    feed(sessions, mail(ERIK, mid="e@dagbladet.example", date=day(5), kind=Kind.AUTOREPLY, autoreply=reply))
    feed(sessions, mail(LENA, mid="l@sr.example", date=day(2)))
    assert _show(sessions, LENA.email)["name"] == LENA.name


@pytest.mark.parametrize("basis", ["legitimate_interest", "consent", "contract"])
def test_legal_basis_comes_from_the_policy(sessions: sessionmaker[Session], basis: str) -> None:
    feed(sessions, mail(ERIK, mid="e@dagbladet.example", date=day(2)), legal_basis=basis)
    assert _show(sessions, ERIK.email)["legal_basis"] == basis


def test_manual_coverage_list_wins_and_mail_does_not_extend_it(sessions: sessionmaker[Session]) -> None:
    feed(
        sessions,
        mail(ERIK, mid="e1@dagbladet.example", date=day(2), coverage=["film", "tv"], title="Reporter"),
    )
    with sessions.begin() as session:
        contact = contact_by_email(session, ERIK.email)
        assert contact is not None
        set_field_manually(session, contact, "coverage", ["music"], actor="cli:test")
        set_field_manually(session, contact, "title", "Musikredaktör", actor="cli:test")
    feed(sessions, mail(ERIK, mid="e2@dagbladet.example", date=day(9), coverage=["news"], title="Reporter"))
    shown = _show(sessions, ERIK.email)
    assert shown["coverage"] == ["music"]
    assert shown["title"] == "Musikredaktör"
    assert {e["value"] for e in shown["history"]["coverage"]} == {"film", "tv"}


def test_hand_edits_of_single_and_list_fields_are_manual_evidence_and_report_change(
    sessions: sessionmaker[Session],
) -> None:
    """One path for both: each value one manual row; a list shortened by hand is a change."""
    feed(sessions, mail(ERIK, mid="e1@dagbladet.example", date=day(2), title="Reporter"))
    with sessions.begin() as session:
        contact = contact_by_email(session, ERIK.email)
        assert contact is not None
        first = [
            set_field_manually(session, contact, "title", "Musikredaktör", actor="cli:test"),
            set_field_manually(
                session, contact, "urls", ["https://a.example", "https://b.example"], actor="a"
            ),
        ]
        shortened = set_field_manually(session, contact, "urls", ["https://b.example"], actor="t")
        rows = list(
            session.scalars(
                select(ContactEvidence).where(
                    ContactEvidence.contact_id == contact.id, ContactEvidence.source == "manual"
                )
            )
        )
        added = session.scalar(
            select(func.count()).where(AuditEvent.action == "evidence.added", AuditEvent.source == "manual")
        )
    assert (first, shortened) == ([True, True], True)
    assert sorted((r.field, r.superseded_at is None) for r in rows) == [
        ("title", True),
        ("urls", False),
        ("urls", True),
    ]
    assert added == 3
    assert _show(sessions, ERIK.email)["urls"] == ["https://b.example"]


def test_unsubscribe_message_sets_opt_outs_with_the_message_as_evidence(
    sessions: sessionmaker[Session],
) -> None:
    wish = Unsubscribe(channels=[UnsubscribeChannel.PRESS_RELEASE, UnsubscribeChannel.NEWSLETTER])
    feed(
        sessions,
        mail(ERIK, mid="e1@dagbladet.example", date=day(2)),
        mail(ERIK, mid="u@dagbladet.example", date=day(3), kind=Kind.UNSUBSCRIBE, unsubscribe=wish),
    )
    with sessions() as session:
        rows = list(session.scalars(select(OptOut).order_by(OptOut.channel)))
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "opt_out.added")))
    assert [(r.channel, r.source, r.message_id) for r in rows] == [
        ("newsletter", "unsubscribe", "<u@dagbladet.example>"),
        ("press_release", "unsubscribe", "<u@dagbladet.example>"),
    ]
    assert sorted(e.field for e in events) == ["newsletter", "press_release"]
    assert {e.actor for e in events} == {"daemon"}
    assert _show(sessions, ERIK.email)["status"] == "active"


def test_email_unsubscribe_makes_the_contact_unsubscribed(sessions: sessionmaker[Session]) -> None:
    wish = Unsubscribe(channels=[UnsubscribeChannel.EMAIL])
    feed(
        sessions, mail(ERIK, mid="u@dagbladet.example", date=day(3), kind=Kind.UNSUBSCRIBE, unsubscribe=wish)
    )
    shown = _show(sessions, ERIK.email)
    assert (shown["status"], shown["opt_outs"]) == ("unsubscribed", ["email"])


def test_audit_records_every_change_and_never_a_value(sessions: sessionmaker[Session]) -> None:
    feed(
        sessions,
        mail(ERIK, mid="e1@dagbladet.example", date=day(2), title="Reporter"),
        mail(ERIK, mid="e2@dagbladet.example", date=day(4), title="Kulturredaktör"),
        mail(
            ERIK,
            mid="e3@dagbladet.example",
            date=day(5),
            kind=Kind.AUTOREPLY,
            autoreply=AutoReply(reason=AutoReplyReason.ABSENCE, until=date(2026, 6, 1)),
        ),
    )
    with sessions() as session:
        actions = {e.action for e in session.scalars(select(AuditEvent))}
        audit_values = [v for v in text_values(session) if v[0] == "audit_events"]
    assert {"contact.created", "evidence.added", "evidence.superseded", "absence.recorded"} <= actions
    needles = [ERIK.name, ERIK.email, ERIK.mobile, "Reporter", "Kulturredaktör", "Dagbladet"]
    assert contains_any(audit_values, needles) == []


def test_view_of_a_contact_is_the_contract_object(sessions: sessionmaker[Session]) -> None:
    feed(sessions, mail(ERIK, mid="e@dagbladet.example", date=day(2), title="Reporter", coverage=["film"]))
    with sessions() as session:
        contact = contact_by_email(session, ERIK.email)
        assert contact is not None
        view = current_view(session, contact)
    contract = {
        "id",
        "name",
        "title",
        "organization",
        "emails",
        "phones",
        "address",
        "urls",
        "coverage",
        "status",
        "opt_outs",
        "legal_basis",
        "updated_at",
    }
    assert contract <= set(view)
    assert view["phones"] == [{"e164": ERIK.mobile, "type": "mobile"}]
