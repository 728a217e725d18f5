"""Generalisations learnt from a blind set of hard signatures: "Name / Title", initials as
written, a label after the number ("… vxl") and "exch.", a title with "för"/"at" above its own
organisation line, a UK address on one line with dots, and a device line above the signature."""

from __future__ import annotations

from harvester.understand import understand
from harvester.understand.extract import find_address, find_phones
from harvester.understand.types import Contact, PhoneType


def _contact(sender: str, signature: str, *, extra: str = "") -> Contact:
    data = (
        f"From: {sender}\r\nTo: jakob@pr-byran.example\r\nSubject: Re: Album\r\n"
        "Message-ID: <h16@x.example>\r\nDate: Mon, 7 Sep 2026 10:00:00 +0200\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\nLåter bra, jag kommer.\r\n\r\n{extra}{signature}\r\n"
    ).encode()
    contact = understand(data, own_domains=["pr-byran.example"]).contact
    assert contact is not None
    return contact


def test_a_slash_between_name_and_title_and_initials_as_written() -> None:
    contact = _contact(
        "Kerstin Lundgren <kerstin@tidning.example>", "Hälsningar\r\nK. Lundgren / Teaterkritiker"
    )
    assert (contact.name, contact.title) == ("K. Lundgren", "Teaterkritiker")


def test_labels_after_the_number_and_exch_are_switchboards() -> None:
    assert find_phones("08-465 004 00 vxl")[0].type is PhoneType.SWITCHBOARD
    assert find_phones("exch. +46 980 319 200")[0].type is PhoneType.SWITCHBOARD


def test_a_title_with_for_keeps_its_words_above_its_own_organisation_line() -> None:
    contact = _contact(
        "Lena Ek <lena.ek@norrhamn.example>",
        "Hälsningar\r\nLena Ek\r\nChef för Kulturhuset Scen\r\nNorrhamns kommun",
    )
    assert (contact.title, contact.organization) == ("Chef för Kulturhuset Scen", "Norrhamns kommun")


def test_a_uk_address_on_one_line_with_dots() -> None:
    address = find_address("12 Castle Street · Cardiff · CF10 1BS")
    assert address is not None
    assert (address.street, address.city, address.postal_code) == ("12 Castle Street", "Cardiff", "CF10 1BS")


def test_a_device_line_above_the_signature_does_not_end_it() -> None:
    contact = _contact(
        "Mikael Öberg <mikael@radio.example>",
        "Mikael Öberg\r\nMusikjournalist\r\nNorrlandsradion\r\nMobil +46 70 174 06 15",
        extra="Skickat från min Samsung Galaxy\r\n\r\n",
    )
    assert contact.title == "Musikjournalist"
    assert [p.e164 for p in contact.phones] == ["+46701740615"]
