"""A co-signer's number is not the sender's; a Finnish "puh." label reads Finnish numbers; a
producer who is an artist covers nothing, a desk covers its name's beat; an HTML signature's
profile link behind a word or an icon keeps its address."""

from __future__ import annotations

import pytest

from harvester.understand import understand
from harvester.understand.coverage import coverage_of_contact
from harvester.understand.lexicon import load_lexicon
from harvester.understand.region import label_region
from harvester.understand.text import html_to_text
from harvester.understand.types import Contact

OWN = ["pr-byran.example"]


def _mail(sender: str, body: str, *, html: bool = False) -> bytes:
    kind = "html" if html else "plain"
    return (
        f"From: {sender}\r\nTo: jonas@pr-byran.example\r\nSubject: Re: Visning\r\n"
        f"Message-ID: <cosign@x.example>\r\nDate: Wed, 4 Nov 2026 10:00:00 +0100\r\n"
        f"Content-Type: text/{kind}; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()


def _contact(sender: str, body: str) -> Contact:
    contact = understand(_mail(sender, body), own_domains=OWN).contact
    assert contact is not None
    return contact


def _contact_html(sender: str, html: str) -> Contact:
    contact = understand(_mail(sender, html, html=True), own_domains=OWN).contact
    assert contact is not None
    return contact


def test_a_second_signer_keeps_their_own_number() -> None:
    body = (
        "Hej Jonas,\r\n\r\nVi tar gärna emot er på fredag.\r\n\r\nVänliga hälsningar\r\n\r\n"
        "Sara Holm, presschef\r\n070-174 06 11\r\n\r\n"
        "Pelle Nyström, pressekreterare\r\n070-174 06 22\r\n\r\n"
        "Teater Exempel | Box 12, 411 01 Göteborg"
    )
    contact = _contact("Sara Holm <sara.holm@teaterexempel.example>", body)
    assert contact.name == "Sara Holm"
    assert [p.e164 for p in contact.phones] == ["+46701740611"]
    assert contact.address is not None and contact.address.street == "Box 12"


def test_a_signature_without_a_second_person_keeps_all_its_numbers() -> None:
    body = (
        "Hej!\r\n\r\nHälsningar\r\n\r\nSara Holm, presschef\r\n070-174 06 11\r\n\r\n"
        "Teater Exempel\r\nVäxel 031-10 20 30"
    )
    contact = _contact("Sara Holm <sara.holm@teaterexempel.example>", body)
    assert {p.e164 for p in contact.phones} == {"+46701740611", "+4631102030"}


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("Sanna Koskinen\nMusiikkitoimittaja\npuh. 040 123 4567", "FI"),
        ("Anna\nPuhelin: 09 123 4567", "FI"),
        ("Anna Berg\nTel. 040-12 34 56", None),
        ("Anna Berg\npuh. 040 123 4567\nSími 555 1234", None),  # two countries: no hint
    ],
)
def test_a_label_only_one_country_writes_tells_the_region(text: str, region: str | None) -> None:
    assert label_region(text, load_lexicon()) == region


def test_finnish_labelled_numbers_in_an_english_mail_are_finnish() -> None:
    body = (
        "Hi Jonas,\r\n\r\nThanks, I would be happy to do the interview.\r\n\r\nBest,\r\nSanna\r\n\r\n"
        "Sanna Koski\r\nMusic journalist\r\nTurun Lehti\r\npuh. 040 123 4567"
    )
    contact = _contact("Sanna Koski <sanna.koski@turunlehti.example>", body)
    assert [p.e164 for p in contact.phones] == ["+358401234567"]


@pytest.mark.parametrize(
    ("title", "coverage"),
    [
        ("Låtskrivare & producent", []),
        ("Musician and producer", []),
        ("Producent, Kulturredaktionen", ["culture_general"]),
        ("Musikjournalist och låtskrivare", ["music"]),
        ("Kulturredaktionen", ["culture_general"]),
    ],
)
def test_an_artists_producer_title_covers_nothing(title: str, coverage: list[str]) -> None:
    assert coverage_of_contact(title, []) == coverage


def test_a_desk_writing_as_itself_covers_its_beat() -> None:
    body = (
        "Hej,\r\n\r\nTack, vi bevakar gärna.\r\n\r\n"
        "Kulturredaktionen\r\nTidningen Exempel\r\nTel 0920-45 67 00"
    )
    contact = _contact("Kulturredaktionen <kultur@tidningen.example>", body)
    assert contact.coverage == ["culture_general"]


def test_profile_links_behind_a_word_or_an_icon_keep_their_address() -> None:
    text = html_to_text(
        '<div>Anna Berg<br>Reporter<br><a href="https://www.instagram.com/annaberg">Instagram</a> '
        '<a href="https://www.linkedin.com/in/anna-b"><img src="li.png" alt=""></a> '
        '<a href="https://tidningen.example">Webb</a> '
        '<a href="https://tidningen.example/artikel/1">Läs mer</a></div>'
    )
    assert "https://www.instagram.com/annaberg" in text
    assert "https://www.linkedin.com/in/anna-b" in text
    assert "https://tidningen.example " in text + " "
    assert "artikel/1" not in text  # an article link behind "Läs mer" stays hidden


def test_an_html_table_signature_with_icons_and_a_privacy_note_below() -> None:
    html = (
        "<p>Hej!</p><p>Vi ses den 2 juni.</p><p>Hälsningar</p>"
        '<table><tr><td><img src="logo.png" alt="Scenen logotyp"></td><td>'
        "Tova Lind<br>Presschef<br>Scenen Exempel<br>"
        '<img src="i1.png" alt="Telefon"> 0980-31 92 10<br>'
        '<img src="i2.png" alt="Fax"> 0980-31 92 11<br>'
        "tova.lind@scenen.example</td></tr></table>"
        "<p>Scenen Exempel behandlar personuppgifter enligt dataskyddsförordningen. "
        "Läs mer på vår webbplats.</p>"
    )
    contact = _contact_html("Tova Lind <tova.lind@scenen.example>", html)
    assert (contact.title, contact.organization) == ("Presschef", "Scenen Exempel")
    assert [(p.e164, p.type.value) for p in contact.phones] == [
        ("+46980319210", "fixed"),
        ("+46980319211", "fax"),
    ]


def test_a_title_line_splits_off_an_organisation_named_in_the_mail_domain() -> None:
    body = "Hej!\r\n\r\nHälsningar\r\nMalin Ek\r\nKulturreporter, Västra Kulturbladet\r\n070-174 06 12"
    contact = _contact("Malin Ek <malin.ek@vkulturbladet.example>", body)
    assert (contact.title, contact.organization) == ("Kulturreporter", "Västra Kulturbladet")
