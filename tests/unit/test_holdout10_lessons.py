"""Generalisations learnt from a blind set of messy mail: a signature's own underscore rule is
no quote, format=flowed lines are joined, no-break spaces and hyphens and Outlook's "[cid:…]"
placeholders are normal text, "Text<url>" links keep a line short, an assistant's line is not
the sender's, a typo'd "unsubcribe" and a Subject-only request are requests."""

from __future__ import annotations

from harvester.understand import understand
from harvester.understand.quotes import own_text
from harvester.understand.text import unflow
from harvester.understand.types import Contact, Kind, Understanding
from tests.unit.mail_samples import message_bytes

OWN = ["pr-byran.example"]


def _understand(
    body: str, *, subject: str = "Re: Kallmyra", ctype: str = "text/plain; charset=utf-8"
) -> Understanding:
    data = message_bytes(
        "Gunilla Strand <gunilla.strand@lanstidningen.example>",
        body,
        to="hugo@pr-byran.example",
        subject=subject,
        date="Wed, 11 Nov 2026 10:00:00 +0100",
        message_id="<h10@x.example>",
        ctype=ctype,
    )
    return understand(data, own_domains=OWN)


def _contact(body: str, **kw: str) -> Contact:
    contact = _understand(body, **kw).contact
    assert contact is not None
    return contact


def test_an_underscore_rule_above_a_signature_is_no_quote() -> None:
    text = (
        "Hej!\n\nGärna.\n\nVänliga hälsningar\n____________________\nGunilla Strand\nRedaktör\n031-390 06 14"
    )
    assert "Redaktör" in own_text(text)
    quoted = (
        "Tack!\n\n________________________________\nFrån: Hugo <hugo@pr-byran.example>\nSkickat: den 3 nov"
    )
    assert "Hugo" not in own_text(quoted)


def test_format_flowed_lines_are_joined_but_not_the_signature_separator() -> None:
    assert unflow("Mobil: 070-174 \n06 44\n-- \nAnna") == "Mobil: 070-174 06 44\n-- \nAnna"
    assert unflow("> a \n> b\nc") == "> a b\nc"


def test_a_flowed_number_no_break_spaces_and_outlook_placeholders_are_read() -> None:
    contact = _contact(
        "Hej!\r\n\r\nHälsningar\r\nGunilla Strand\r\nKulturchef\r\n[cid:image001.png@01DB3C2A.5F3C1E20]\r\n"
        "Mobil: 070-174 \r\n06 44\r\nFyrvägen\u00a02, 981\u00a031 Kiruna\r\n"
        "Webb: www.lanstidningen.example<https://www.lanstidningen.example/> | "
        "Instagram<https://www.instagram.com/lanstidningen/> | Facebook<https://www.facebook.com/lanstidningen>",
        ctype="text/plain; charset=utf-8; format=flowed",
    )
    assert [p.e164 for p in contact.phones] == ["+46701740644"]
    assert contact.address is not None and contact.address.street == "Fyrvägen 2"
    assert "https://www.instagram.com/lanstidningen/" in contact.urls


def test_an_assistants_line_is_not_the_senders() -> None:
    contact = _contact(
        "Hej!\r\n\r\nHälsningar\r\n\r\nGunilla Strand\r\nKulturchef\r\nDirekt: 08-465 004 61\r\n"
        "Assistent: Maria Berg, 08-465 004 62, maria.berg@lanstidningen.example"
    )
    assert [p.e164 for p in contact.phones] == ["+46846500461"]
    assert contact.emails == ["gunilla.strand@lanstidningen.example"]


def test_a_typo_and_a_subject_only_request_are_unsubscribe_requests() -> None:
    assert _understand("Hi,\r\n\r\nPlease unsubcribe me from this list.\r\n\r\nJack").kind is Kind.UNSUBSCRIBE
    result = _understand("", subject="Avregistrera mig")
    assert result.kind is Kind.UNSUBSCRIBE
    assert result.unsubscribe is not None and [c.value for c in result.unsubscribe.channels] == ["email"]


def test_answers_written_between_quoted_lines_are_the_senders_a_wrapped_quote_line_is_not() -> None:
    text = (
        "Hej Hugo,\n\nsvar inline nedan.\n\nDen 2026-11-11 kl. 13:20, skrev Hugo Lindqvist:\n"
        "> 1. Vill du se den på pressvisningen?\n\nJa, gärna.\n\n"
        "> 2. Intervju med regissören Alva\nBrink på fredag?\n\nKanske.\n\nOla\n\n-- \nOla Ahlgren\n"
        "Filmkritiker\n\n> Hälsningar\n> Hugo"
    )
    own = own_text(text)
    assert "Ja, gärna." in own and "Kanske." in own and "Filmkritiker" in own
    assert "Brink" not in own and "Hugo Lindqvist" not in own
