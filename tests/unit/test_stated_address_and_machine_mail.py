"""A member's own new address written in the text is their contact address (an old one or a
venue's is not), and mail that says no one can answer it is bulk."""

from __future__ import annotations

import pytest

from harvester.understand import understand
from harvester.understand.types import Kind


def _mail(body: str, *, sender: str = "Karin Olsson <karin.olsson@hemmapost.example>") -> bytes:
    return (
        f"From: {sender}\r\nTo: kansli@forbundet.example\r\nSubject: Adress\r\n"
        "Message-ID: <moved@x.example>\r\nDate: Wed, 4 Nov 2026 10:00:00 +0100\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


def test_a_new_address_given_in_the_text_is_the_contacts() -> None:
    body = (
        "Hej!\r\n\r\nJag har flyttat och vill ändra min adress. Från 1 juni gäller:\r\n\r\n"
        "Karin Olsson\r\nc/o Berg\r\nKällgatan 4\r\n753 20 Uppsala\r\n\r\n"
        "Min tidigare adress var Vallgatan 8, 582 24 Linköping.\r\n\r\n"
        "Hälsningar\r\nKarin Olsson\r\n070-174 06 34"
    )
    contact = understand(_mail(body), own_domains=["forbundet.example"]).contact
    assert contact is not None and contact.address is not None
    assert (contact.address.street, contact.address.postal_code, contact.address.city) == (
        "Källgatan 4",
        "753 20",
        "Uppsala",
    )


@pytest.mark.parametrize(
    "body",
    [
        # a venue's address is not the sender's, though a move is mentioned
        "Hej!\r\n\r\nKonserten har flyttat. Adressen är Storgatan 1, 111 22 Stockholm.\r\n\r\n/Karin",
        # only the old address is given
        "Hej!\r\n\r\nJag har flyttat. Min gamla adress var Vallgatan 8, 582 24 Linköping.\r\n\r\n/Karin",
    ],
)
def test_a_venue_or_an_old_address_is_not_taken(body: str) -> None:
    contact = understand(_mail(body), own_domains=["forbundet.example"]).contact
    assert contact is not None
    assert contact.address is None


@pytest.mark.parametrize(
    "closing",
    [
        "Detta är ett automatiskt genererat meddelande och går inte att svara på.",
        "This is an automated message. Please do not reply to this email.",
        "Tähän viestiin ei voi vastata.",
    ],
)
def test_mail_that_says_no_one_can_answer_it_is_bulk(closing: str) -> None:
    body = f"Hej Maria!\r\n\r\nTack för din beställning, ordernummer 2026-1001.\r\n\r\n{closing}"
    result = understand(
        _mail(body, sender="Butiken <order@butiken.example>"), own_domains=["forbundet.example"]
    )
    assert result.kind is Kind.BULK
    assert result.contact is None


def test_a_person_who_asks_for_no_reply_is_still_personal() -> None:
    body = "Hej!\r\n\r\nTack för igår, du behöver inte svara på det här.\r\n\r\nHälsningar\r\nKarin Olsson"
    assert understand(_mail(body), own_domains=["forbundet.example"]).kind is Kind.PERSONAL


@pytest.mark.parametrize(
    "body",
    [
        "Hei,\r\n\r\npyytäisin, ettette enää soita minulle ettekä lähetä tekstiviestejä. Sähköposti on ok.",
        "Hi,\r\n\r\nplease don't ring me about these; I can't take calls in the studio. Email is fine.",
        "Hej,\r\n\r\nJag begär att ni raderar samtliga personuppgifter om mig. "
        "Jag vill inte heller bli kontaktad av er igen, i någon form.",
    ],
)
def test_refusals_in_other_words_are_unsubscribe_requests(body: str) -> None:
    assert understand(_mail(body), own_domains=["forbundet.example"]).kind is Kind.UNSUBSCRIBE
