"""Generalisations learnt from a blind English/international set: Proton Mail's own
Feedback-ID is no bulk mark, a "+CC" number tells the country of the signature's national
numbers, Dutch/Canadian/Australian/US one-line addresses, an employer before the street goes,
"back on the 3rd", an American's "10/12", leave "until further notice", Linktree links, and a
title's programme after a comma stays in the title."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from harvester.understand import understand
from harvester.understand.dates import parse_until
from harvester.understand.extract import find_address, find_urls
from harvester.understand.region import explicit_region
from harvester.understand.types import Address, Kind

OWN = ["pr-byran.example"]
SENT = datetime(2026, 10, 29, 9, 0, tzinfo=UTC)


def _mail(body: str, headers: str = "") -> bytes:
    return (
        f"From: Jess Tam <jess@drift.example>\r\nTo: elin@pr-byran.example\r\nSubject: Re: Album\r\n{headers}"
        "Message-ID: <h7@x.example>\r\nDate: Tue, 10 Nov 2026 09:05:44 +1100\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


def test_proton_mails_feedback_id_is_no_bulk_mark_an_esps_is() -> None:
    body = "Hi Elin,\r\n\r\nHappy to talk on Thursday.\r\n\r\nJess"
    assert (
        understand(_mail(body, "Feedback-ID: 20365987:user:proton\r\n"), own_domains=OWN).kind
        is Kind.PERSONAL
    )
    assert understand(_mail(body, "Feedback-ID: 1:2:3:ses\r\n"), own_domains=OWN).kind is Kind.BULK


def test_a_plus_cc_number_tells_the_country_of_the_others() -> None:
    body = (
        "Hi Elin,\r\n\r\nYes please.\r\n\r\nNiamh Byrne\r\nProducer, The Late Set\r\nLiffey Radio\r\n"
        "Direct line: +353 (0)1 555 0142\r\nMob: 087 555 0199"
    )
    contact = understand(_mail(body), own_domains=OWN).contact
    assert contact is not None
    assert [p.e164 for p in contact.phones] == ["+35315550142", "+353875550199"]
    assert explicit_region("T +31 (0)20 794 6012\nM 06 1234 5678") == "NL"
    assert explicit_region("+46 8 123 45 67 / +47 22 12 34 56") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Nieuwezijds Voorburgwal 120\n1012 SH Amsterdam\nThe Netherlands",
            Address("Nieuwezijds Voorburgwal 120", "1012 SH", "Amsterdam", "The Netherlands"),
        ),
        (
            "401 Richmond Street West\nToronto, ON M5V 3A8",
            Address("401 Richmond Street West", "M5V 3A8", "Toronto", None),
        ),
        ("100 Crown Street, Surry Hills NSW 2010", Address("100 Crown Street", "2010", "Surry Hills", None)),
        ("1520 Vine Street, Nashville, TN 37203", Address("1520 Vine Street", "37203", "Nashville", None)),
    ],
)
def test_dutch_canadian_australian_and_one_line_us_addresses(text: str, expected: Address) -> None:
    assert find_address(text) == expected


def test_an_employer_before_the_street_is_no_part_of_it() -> None:
    body = (
        "Hi!\r\n\r\nThanks.\r\n\r\nHarriet Lowe\r\nSenior Music Writer | The Northern Review\r\n"
        "The Northern Review, 14 Marsden Yard, London N1 9AX"
    )
    contact = understand(_mail(body), own_domains=OWN).contact
    assert contact is not None and contact.address is not None
    assert contact.address.street == "14 Marsden Yard"


@pytest.mark.parametrize(
    ("text", "month_first", "until"),
    [
        ("I'm out of the office and back on the 3rd.", False, date(2026, 11, 3)),
        ("Away until 11/12, limited access to email.", True, date(2026, 11, 12)),
        ("Away until 11/12, limited access to email.", False, date(2026, 12, 11)),
        ("Back on the 3rd of December.", False, date(2026, 12, 3)),
    ],
)
def test_a_day_alone_and_an_americans_slashed_date(text: str, month_first: bool, until: date) -> None:
    assert parse_until(text, sent_at=SENT, month_first=month_first) == until


def test_linktree_links_are_urls() -> None:
    assert find_urls("linktr.ee/owenpryce") == ["https://linktr.ee/owenpryce"]


def test_a_programme_after_a_title_stays_in_it_when_the_station_has_its_own_line() -> None:
    body = (
        "Hi!\r\n\r\nSure.\r\n\r\nDanielle Brooks\r\nSenior Producer, Night Shift\r\nWCPX 91.1 FM\r\n"
        "Direct line: (312) 555-0175"
    )
    data = (
        _mail(body)
        .replace(b"jess@drift.example", b"dbrooks@wcpx.example")
        .replace(b"Jess Tam", b"Danielle Brooks")
    )
    contact = understand(data, own_domains=OWN).contact
    assert contact is not None
    assert (contact.title, contact.organization) == ("Senior Producer, Night Shift", "WCPX 91.1 FM")


def test_a_title_then_a_name_and_no_other_organisation_line_is_split() -> None:
    body = "Hi!\r\n\r\nSure.\r\n\r\nOwen Pryce\r\nContributing Editor, Wireline\r\nMob: +44 7700 174 871"
    data = (
        _mail(body).replace(b"jess@drift.example", b"owen@pryce.example").replace(b"Jess Tam", b"Owen Pryce")
    )
    contact = understand(data, own_domains=OWN).contact
    assert contact is not None
    assert (contact.title, contact.organization) == ("Contributing Editor", "Wireline")


def test_a_date_said_as_a_start_is_no_last_day() -> None:
    text = "Från och med 1 november har jag en ny roll som redaktionschef. Kontakta Nils."
    assert parse_until(text, sent_at=SENT) is None
    assert parse_until("Ledig från 2 november till 6 november.", sent_at=SENT) == date(2026, 11, 6)
