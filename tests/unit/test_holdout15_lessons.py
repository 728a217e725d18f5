"""Generalisations learnt from a blind set on the boundaries between kinds: "remove me from the
guest list" is no unsubscribe, a read receipt and a generated confirmation that cannot be
answered are bulk, a member quitting all mailings is an unsubscribe, a choir's treasurer."""

from __future__ import annotations

from datetime import UTC

import pytest

from harvester.understand import understand
from harvester.understand.types import Kind, Understanding
from tests.unit.mail_samples import message_bytes

OWN = ["forbundet.example"]


def _mail(
    body: str, *, headers: str = "", sender: str = "Karl Ek <karl.ek@tidning.example>"
) -> Understanding:
    data = message_bytes(
        sender,
        body,
        to="hanna@forbundet.example",
        subject="Re: Novemberljus",
        date="Thu, 22 Oct 2026 10:00:00 +0200",
        message_id="<h15@x.example>",
        headers=headers,
    )
    return understand(data, own_domains=OWN)


@pytest.mark.parametrize(
    "body",
    [
        "Hi Hanna,\r\n\r\nplease remove me from the guest list for Friday, I can't make it.\r\n\r\nKarl",
        "Hej!\r\n\r\nTa bort mig från gästlistan på fredag, jag är sjuk... nej, bortrest.\r\n\r\n/Karl",
    ],
)
def test_leaving_a_guest_list_is_no_unsubscribe(body: str) -> None:
    assert _understand_kind(body) is Kind.PERSONAL


def _understand_kind(body: str) -> Kind:
    return _mail(body).kind


def test_a_member_quitting_all_mailings_is_an_unsubscribe() -> None:
    body = (
        "Hej,\r\n\r\njag säger härmed upp mitt medlemskap och vill inte heller få några fler utskick från er."
    )
    assert _understand_kind(body) is Kind.UNSUBSCRIBE


def test_a_read_receipt_is_bulk() -> None:
    data = (
        "From: Tove Lind <tove@tidning.example>\r\nTo: hanna@forbundet.example\r\n"
        "Subject: Läst: Novemberljus\r\n"
        "Message-ID: <mdn@x.example>\r\nDate: Thu, 22 Oct 2026 10:00:00 +0200\r\n"
        'Content-Type: multipart/report; report-type=disposition-notification; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nDitt meddelande har lästs.\r\n"
        "--b\r\nContent-Type: message/disposition-notification\r\n\r\n"
        "Disposition: manual-action/MDN-sent-manually; displayed\r\n--b--\r\n"
    ).encode()
    result = understand(data, own_domains=OWN)
    assert result.kind is Kind.BULK and result.contact is None


def test_a_generated_confirmation_that_cannot_be_answered_is_bulk_a_generated_vacation_reply_is_not() -> None:
    confirmation = _mail(
        "Hej Karin,\r\n\r\ntack för din anmälan! Bokningsnummer KD-1.\r\n\r\n"
        "Det här mejlet går inte att svara på.\r\n\r\nVarma hälsningar\r\nEmma Lind\r\nProjektledare",
        headers="Auto-Submitted: auto-generated\r\n",
        sender="Kulturdagarna <anmalan@kulturdagarna.example>",
    )
    assert confirmation.kind is Kind.BULK
    vacation = _mail(
        "Jag har semester till och med 2 november. Det går inte att svara på detta mejl.",
        headers="Auto-Submitted: auto-generated\r\n",
    )
    assert vacation.kind is Kind.AUTOREPLY


def test_a_postmasters_own_words_of_a_delay_are_not_permanent() -> None:
    from harvester.understand.bounce import bounce_details
    from harvester.understand.parse import parse_bytes

    data = (
        "From: Postmästaren <postmaster@tidning.example>\r\nTo: hanna@forbundet.example\r\n"
        "Subject: Ditt mejl har inte kommit fram ännu\r\nMessage-ID: <b@x.example>\r\n"
        "Date: Mon, 19 Oct 2026 10:00:00 +0200\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Hej!\r\n\r\nDitt meddelande har inte kommit fram ännu. Det ligger kvar i kön och vi försöker "
        "leverera det igen.\r\n\r\nMottagare: red@tidning.example\r\nÄmne: Nytt album\r\nStatus: 4.4.1\r\n"
    ).encode()
    assert bounce_details(parse_bytes(data)).permanent is False


def test_a_note_typed_to_someone_by_name_about_an_absence_is_personal() -> None:
    body = (
        "Hej Hanna!\r\n\r\nTack för skivan. Jag är borta hela vecka 44, så intervjun tar min kollega "
        "Linn.\r\n\r\n/Anders"
    )
    assert _understand_kind(body) is Kind.PERSONAL
    assert _understand_kind("Hej!\r\n\r\nJag är borta hela vecka 44.\r\n\r\n/Anders") is Kind.AUTOREPLY


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Jag har gått i pension och läser inte längre denna adress.", "left_organization"),
        ("I have retired from the Listener; please write to the desk.", "left_organization"),
        ("Jag har lämnat Scenhuset och börjat på Stadsteatern.", "left_organization"),
        ("Jag vabbar i dag och i morgon.", "absence"),
    ],
)
def test_retirement_a_new_employer_and_vab(text: str, reason: str) -> None:
    from harvester.understand.autoreply import autoreply_reason
    from harvester.understand.lexicon import load_lexicon

    assert autoreply_reason(text, lexicon=load_lexicon()).value == reason


def test_vab_today_and_tomorrow_ends_tomorrow() -> None:
    from datetime import date, datetime

    from harvester.understand.dates import parse_until

    sent = datetime(2026, 10, 14, 8, 0, tzinfo=UTC)
    assert parse_until("Jag vabbar i dag och i morgon.", sent_at=sent) == date(2026, 10, 15)


def test_an_alternate_named_by_first_name_only() -> None:
    from datetime import datetime

    from harvester.understand.autoreply import autoreply_details
    from harvester.understand.extract import find_emails, find_phones
    from harvester.understand.lexicon import load_lexicon

    reply = autoreply_details(
        "Jag vabbar i dag. Hör av dig till Sofia på sofia.lind@tidning.example så länge.",
        sent_at=datetime(2026, 10, 14, tzinfo=UTC),
        sender_email="anna@tidning.example",
        lexicon=load_lexicon(),
        find_emails=find_emails,
        find_phones=find_phones,
    )
    assert [(a.name, a.email) for a in reply.alternate_contacts] == [("Sofia", "sofia.lind@tidning.example")]
