"""Generalisations learnt from a blind set on special categories: inflected diagnoses are
redacted, a Finnish "puh./tfn" label reads Finnish numbers, Finnish and Norwegian refusals
with a word between, a title comma before "Svenska kyrkan i …", a sound engineer's title, and
"today" as the last day of a one-day absence."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from harvester.understand import understand
from harvester.understand.dates import parse_until
from harvester.understand.lexicon import load_lexicon
from harvester.understand.redact import redact
from harvester.understand.region import label_region
from harvester.understand.types import Kind


@pytest.mark.parametrize("text", ["Migränen har släppt.", "Depressionen är över.", "Astman är bättre."])
def test_inflected_diagnoses_are_redacted(text: str) -> None:
    assert "[redacted:health]" in redact(text).text


def test_a_label_with_a_second_languages_label_after_a_slash_still_tells_the_country() -> None:
    assert label_region("Sanna Koskinen\npuh./tfn 040 718 2245", load_lexicon()) == "FI"


@pytest.mark.parametrize(
    "body",
    [
        "Hei,\r\n\r\nälkää enää lähettäkö minulle tiedotteita. Älkää myöskään soittako minulle.",
        "Hei,\r\n\r\njeg ønsker ikke lenger å motta nyhetsbrevet deres, og heller ikke kalenderen i posten.",
    ],
)
def test_refusals_with_a_word_between(body: str) -> None:
    data = (
        "From: Antti Heikkinen <antti@sanomat.example>\r\nTo: tove@pr-byran.example\r\n"
        "Subject: Re: Tiedote\r\n"
        "Message-ID: <h12@x.example>\r\nDate: Wed, 18 Nov 2026 09:00:00 +0200\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()
    assert understand(data, own_domains=["pr-byran.example"]).kind is Kind.UNSUBSCRIBE


def test_today_is_the_last_day_of_a_one_day_absence() -> None:
    sent = datetime(2026, 11, 18, 8, 0, tzinfo=UTC)
    assert parse_until("I'm off sick today and not reading e-mail.", sent_at=sent) == date(2026, 11, 18)
    assert parse_until("Jag är ledig idag, åter måndag.", sent_at=sent) == date(2026, 11, 23)


@pytest.mark.parametrize(
    ("title", "coverage"),
    [
        ("Danskritiker", ["dance"]),
        ("Dansk musikanmelder", ["music"]),
        ("Classical Music Critic", ["classical_music"]),
        ("Kunstanmelder", ["art"]),
        ("Frilansande scenkonstkritiker", ["theatre", "dance"]),
    ],
)
def test_coverage_words_learnt_from_the_press_set(title: str, coverage: list[str]) -> None:
    from harvester.understand.coverage import coverage_of_contact

    assert coverage_of_contact(title, []) == coverage


def test_nordic_lessons_legal_forms_pappaperm_afmeld_and_an_address_under_ones_name() -> None:
    from harvester.understand.region import legal_form_region

    lex = load_lexicon()
    assert [
        legal_form_region(o, lex) for o in ("Kustposten Ab", "Avisforlaget AS", "Lyd ApS", "Exempel AB")
    ] == [
        "FI",
        "NO",
        "DK",
        None,
    ]

    def mail(sender: str, body: str, headers: str = "") -> bytes:
        return (
            f"From: {sender}\r\nTo: saga@pr-byran.example\r\nSubject: Re: Plate\r\n{headers}"
            "Message-ID: <h13@x.example>\r\nDate: Mon, 20 Jul 2026 09:00:00 +0200\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
        ).encode()

    own = ["pr-byran.example"]
    reply = understand(
        mail(
            "Ola Nordmann <ola@avis.example>",
            "Jeg er ute i pappaperm til 1. oktober.",
            "Auto-Submitted: auto-replied\r\n",
        ),
        own_domains=own,
    )
    assert reply.autoreply is not None and reply.autoreply.reason.value == "parental_leave"
    refusal = understand(
        mail("Thomas Lund <thomas@avis.example>", "Afmeld venligst min adresse fra jeres pressemeddelelser."),
        own_domains=own,
    )
    assert refusal.kind is Kind.UNSUBSCRIBE
    parcel = understand(
        mail(
            "Espen Tveit <espen@tveit.example>",
            "Hei,\r\n\r\nvinylen kan sendes til adressen under.\r\n\r\nEspen Tveit\r\nGrønlandsleiret 41\r\n"
            "0190 Oslo\r\n\r\nVennlig hilsen\r\nEspen Tveit\r\nFrilans musikkanmelder\r\n+47 934 56 789",
        ),
        own_domains=own,
    )
    assert parcel.contact is not None and parcel.contact.address is not None
    assert (parcel.contact.address.street, parcel.contact.address.city) == ("Grønlandsleiret 41", "Oslo")


def test_holdout14_lessons_list_footers_courses_paper_mailings_and_a_desk_you_reach() -> None:
    from harvester.understand.autoreply import autoreply_reason
    from harvester.understand.types import AutoReplyReason
    from harvester.understand.unsubscribe import is_unsubscribe_request, unsubscribe_channels

    lex = load_lexicon()
    notice = (
        "Saga, ditt inlägg får uppmärksamhet\n\nAgnes har kommenterat.\n\n-----------------\n"
        "Avsluta prenumerationen: https://nät.example/unsub"
    )
    assert not is_unsubscribe_request(notice, lexicon=lex, first_lines=8)
    assert autoreply_reason("Jag är på utbildning till och med onsdag.", lexicon=lex) is AutoReplyReason.OTHER
    request = "Tidningen vill jag inte längre få per post. Kan ni ta bort mig från pappersutskicket?"
    assert [c.value for c in unsubscribe_channels(request, lexicon=lex)] == ["post"]
