"""Generalisations learnt from a blind Swedish set: "Vxl" is a switchboard, a comp day names its
own day, "ringa nyhetsdesken på …" points to the desk, a one-line " | " signature is found,
a lower-case name is a person, floors stay with their street, a podcast stays in the title, a
labelled street and town is an address and a department between title and employer goes."""

from __future__ import annotations

from datetime import date

from harvester.understand import understand
from harvester.understand.extract import find_address, find_phones
from harvester.understand.types import Address, Contact, PhoneType, Understanding

OWN = ["pr-byran.example"]


def _understand(
    sender: str, body: str, *, headers: str = "", date_: str = "Wed, 4 Nov 2026 10:00:00 +0100"
) -> Understanding:
    data = (
        f"From: {sender}\r\nTo: frida@pr-byran.example\r\nSubject: Re: Vinterljus\r\n{headers}"
        f"Message-ID: <h8@x.example>\r\nDate: {date_}\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()
    return understand(data, own_domains=OWN)


def _contact(sender: str, body: str) -> Contact:
    contact = _understand(sender, body).contact
    assert contact is not None
    return contact


def test_vxl_is_a_switchboard() -> None:
    assert find_phones("Direkt: 040-628 04 48 | Vxl: 040-628 04 00")[1].type is PhoneType.SWITCHBOARD


def test_a_comp_day_on_the_day_it_is_sent_ends_that_day_and_points_to_the_desk() -> None:
    result = _understand(
        "Mats Öberg <mats.oberg@nt.example>",
        "Hej!\r\n\r\nJag är kompledig fredag och läser inte min e-post. Är det brådskande går det\r\n"
        "bra att ringa nyhetsdesken på 08-465 004 50.\r\n\r\nMats Öberg\r\nNyhetsreporter",
        headers="Auto-Submitted: auto-replied\r\n",
        date_="Fri, 13 Nov 2026 08:02:19 +0100",
    )
    assert result.autoreply is not None
    assert result.autoreply.until == date(2026, 11, 13)
    assert result.autoreply.reason.value == "absence"
    assert [a.phone for a in result.autoreply.alternate_contacts] == ["+46846500450"]


def test_a_one_line_signature_of_cells_is_read() -> None:
    contact = _contact(
        "Olle Sjöberg <olle@nattljus.example>",
        "Tjena!\r\n\r\nKolla med bandet och återkom gärna före jul.\r\n\r\nMvh\r\n"
        "Olle Sjöberg | Bokare | Nattljus Konserter AB | 070-174 06 58 | olle@nattljus.example",
    )
    assert (contact.title, contact.organization) == ("Bokare", "Nattljus Konserter AB")
    assert [p.e164 for p in contact.phones] == ["+46701740658"]


def test_a_lower_case_name_at_a_domain_of_its_own_is_a_person() -> None:
    contact = _contact(
        "maja d'souza <maja@majadsouza.example>",
        "hej!\r\n\r\ntack på förhand!\r\n\r\n-- \r\nmaja d'souza\r\nfrilansfotograf\r\n070-174 06 47",
    )
    assert (contact.name, contact.organization) == ("maja d'souza", None)


def test_a_podcast_stays_in_the_title_and_a_floor_with_its_street() -> None:
    contact = _contact(
        "Jonna Wik <jonna@sentpatisdagar.example>",
        "Hej!\r\n\r\nHör av dig!\r\n\r\nJonna Wik\r\nProgramledare och producent, podden Sent på tisdagar\r\n"
        "Poddverket Produktion HB\r\nKvarngatan 12, 2 tr\r\n118 47 Stockholm",
    )
    assert contact.title == "Programledare och producent, podden Sent på tisdagar"
    assert contact.organization == "Poddverket Produktion HB"
    assert contact.address is not None and contact.address.street == "Kvarngatan 12, 2 tr"


def test_a_labelled_street_and_town_is_an_address() -> None:
    assert find_address("Besöksadress: Kajgatan 2, Västerlunda") == Address(
        street="Kajgatan 2", postal_code=None, city="Västerlunda", country=None
    )


def test_a_department_between_title_and_employer_is_dropped() -> None:
    contact = _contact(
        "Sara Nilsson <sara.nilsson@asbacka.example>",
        "Hej!\r\n\r\nAnmälan senast 15 december.\r\n\r\nVänligen\r\nSara Nilsson\r\n"
        "Kultursamordnare, Kultur- och fritidsförvaltningen, Åsbacka kommun\r\nDirekt: 040-628 04 48",
    )
    assert (contact.title, contact.organization) == ("Kultursamordnare", "Åsbacka kommun")
