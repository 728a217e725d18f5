"""Disabilities and chronic conditions are health data; self-descriptions with an adjective are
ethnicity; look-alike words of business mail are not."""

from __future__ import annotations

import pytest

from harvester.understand import understand
from harvester.understand.redact import redact
from harvester.understand.types import RedactionCategory as C


@pytest.mark.parametrize(
    ("line", "category", "gone"),
    [
        ("Jag har en synnedsättning, så ring gärna", C.HEALTH, "synnedsättning"),
        ("Hörselskadad – mejla hellre än ring", C.HEALTH, "Hörselskadad"),
        ("I'm hard of hearing, please text", C.HEALTH, "hard of hearing"),
        ("Jeg er hørselshemmet, send heller sms", C.HEALTH, "hørselshemmet"),
        ("Jeg har nedsat hørelse", C.HEALTH, "nedsat hørelse"),
        ("Minulla on kuulovamma, laita viesti", C.HEALTH, "kuulovamma"),
        ("Proud Sámi and reindeer herder's daughter", C.ETHNICITY, "Sámi"),
        ("Stolt samisk journalist", C.ETHNICITY, "samisk"),
    ],
)
def test_conditions_and_self_descriptions_are_redacted(line: str, category: C, gone: str) -> None:
    result = redact(line)
    assert gone not in result.text
    assert category in {r for r in result.categories}


@pytest.mark.parametrize(
    "line",
    [
        "Prisnedsättning på biljetterna till premiären",
        "The mailbox is disabled or over quota",
        "Kontot är avstängt",
        "Reporter som bevakar funktionsrättsfrågor",
    ],
)
def test_business_look_alikes_are_kept(line: str) -> None:
    assert redact(line).text == line


def test_a_link_that_names_the_sender_is_not_their_name() -> None:
    mail = (
        "From: Hedda Roos <hedda@kulturtidning.example>\r\nTo: anna@pr-byran.example\r\n"
        "Subject: Visning\r\nMessage-ID: <x1@kulturtidning.example>\r\n"
        "Date: Fri, 20 Mar 2026 15:00:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Jag kommer på lördag.\r\n\r\nHedda Roos\r\nKonstkritiker, Kulturtidningen\r\n"
        "Styrelseledamot i Kulturföreningen\r\ninstagram.com/hedda.roos.konst\r\n"
    ).encode()
    contact = understand(mail, own_domains=["pr-byran.example"]).contact
    assert contact is not None and contact.name == "Hedda Roos"
    assert contact.title == "Konstkritiker"


def test_a_danish_address_change_gives_the_new_address_and_no_until() -> None:
    mail = (
        "From: Mette Holm <mette@dagblad.example>\r\nTo: anna@pr-byran.example\r\n"
        "Subject: Autosvar: Premiere\r\nAuto-Submitted: auto-replied\r\n"
        "Message-ID: <x2@dagblad.example>\r\nDate: Mon, 4 May 2026 09:00:00 +0200\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Min e-mailadresse er ændret. Skriv fremover til mette.holm@nyavis.example.\r\n\r\n"
        "Mvh Mette Holm\r\n"
    ).encode()
    reply = understand(mail, own_domains=["pr-byran.example"]).autoreply
    assert reply is not None
    assert reply.reason.value == "address_change"
    assert reply.new_email == "mette.holm@nyavis.example"


def test_a_redacted_line_is_never_taken_as_the_organisation() -> None:
    mail = (
        "From: Sara Ek <sara@tidning.example>\r\nTo: anna@pr-byran.example\r\n"
        "Subject: Fråga\r\nMessage-ID: <x3@tidning.example>\r\n"
        "Date: Fri, 20 Mar 2026 15:00:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Hej, när kommer skivan?\r\n\r\nSara Ek\r\nMusikredaktör\r\n"
        "Ledamot i kommunfullmäktige (V)\r\n070-174 06 33\r\n"
    ).encode()
    contact = understand(mail, own_domains=["pr-byran.example"]).contact
    assert contact is not None
    assert all("[redacted" not in (v or "") for v in (contact.name, contact.title, contact.organization))


def test_a_calendar_notification_is_bulk_not_an_autoreply() -> None:
    mail = (
        "From: Kalender <calendar-notification@example.com>\r\nTo: anna@pr-byran.example\r\n"
        "Subject: Inbjudan: Pressträff fre 20 mars\r\nAuto-Submitted: auto-generated\r\n"
        "Message-ID: <x4@example.com>\r\nDate: Fri, 20 Mar 2026 15:00:00 +0100\r\n\r\n"
        "Du har bjudits in till Pressträff.\r\n"
    ).encode()
    result = understand(mail, own_domains=["pr-byran.example"])
    assert result.kind.value == "bulk" and result.contact is None


def test_celebrating_a_religious_holiday_is_religion() -> None:
    result = redact("Jag är ledig på fredag och firar Eid med familjen.")
    assert C.RELIGION in result.categories and "Eid" not in result.text
