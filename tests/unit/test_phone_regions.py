"""National-format numbers are read in the writer's country: sender domain, then the country of
the signature's own address, then the text's language, then SE; a number with +CC is the same
whatever the region, and no Swedish number flips to another country."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harvester.understand import region
from harvester.understand.extract import find_phones
from harvester.understand.lexicon import load_lexicon
from harvester.understand.region import address_region, phone_regions, prefer_address_region
from harvester.understand.signature import contact_from, find_signature
from harvester.understand.types import Address, Mailbox, PhoneType

LEX = load_lexicon()


@pytest.mark.parametrize(
    ("text", "sender", "expected"),
    [
        ("Hej, tack för senast!", "a@tidning.se", ("SE",)),
        ("Tak for invitationen, venlig hilsen", "a@avis.dk", ("DK", "SE")),
        ("Takk for sist, vennlig hilsen", "a@avis.example", ("NO", "SE")),
        ("Kiitos kutsusta, terveisin", "a@lehti.example", ("FI", "SE")),
        ("Thank you, I would love to come. Best regards", "a@paper.co.uk", ("GB", "US", "SE")),
        ("Thank you, I would love to come. Best regards", "a@gmail.com", ("GB", "US", "SE")),
        ("Tack, jag kommer gärna!", "a@lehti.fi", ("FI", "SE")),
        # Scandinavian "i" (in) is no English word
        ("Kommer der en visning i Aarhus i maj? Venlig hilsen", "a@avis.example", ("DK", "SE")),
        ("", None, ("SE",)),
        # a bilingual auto-reply: both languages, the Finnish numbers are Finnish
        (
            "Olen poissa toimistolta 14.10. asti. Kiireellisissä asioissa ota yhteyttä. "
            "I'm out of the office until 14 October.",
            "a@lehti.example",
            ("GB", "US", "FI", "SE"),
        ),
        # a stray neighbour word ("hei") does not add a language
        ("Hei! Jeg er på ferie uke 32, ring meg hvis det haster.", "a@avisa.example", ("NO", "SE")),
    ],
)
def test_regions_come_from_domain_then_language_then_sweden(
    text: str, sender: str | None, expected: tuple[str, ...]
) -> None:
    assert phone_regions(text, sender_email=sender, lexicon=load_lexicon()) == expected


@pytest.mark.parametrize(
    ("line", "regions", "expected"),
    [
        # Danish, Norwegian, Finnish and British national formats in their own regions
        ("Tlf. 38 41 22 07\nMobil 61 52 43 90", ("DK", "SE"), ["+4538412207", "+4561524390"]),
        ("Mobil 913 45 120 | Sentralbord 22 86 30 00", ("NO", "SE"), ["+4791345120", "+4722863000"]),
        ("Puh. 09 2345 6789, GSM 050 765 4321", ("FI", "SE"), ["+358923456789", "+358507654321"]),
        ("T 020 7946 0718  M 07911 123789", ("GB", "SE"), ["+442079460718", "+447911123789"]),
        # a Swede writing English, Norwegian or Danish keeps +46
        ("Mobile 070-174 06 12", ("GB", "SE"), ["+46701740612"]),
        ("Tel 08-465 004 17 / 070-174 06 18", ("NO", "SE"), ["+46846500417", "+46701740618"]),
        ("Mobil 070-174 06 19", ("DK", "SE"), ["+46701740619"]),
        # +CC numbers are what they say whatever the region
        ("Tel +45 38 41 22 07, +46 8 465 004 21", ("NO", "SE"), ["+4538412207", "+46846500421"]),
    ],
)
def test_national_numbers_are_read_in_the_first_region_they_are_valid_in(
    line: str, regions: tuple[str, ...], expected: list[str]
) -> None:
    assert [p.e164 for p in find_phones(line, regions=regions)] == expected


@pytest.mark.parametrize(
    ("line", "regions", "kind"),
    [
        ("Sentralbord: 22 86 30 00", ("NO", "SE"), "switchboard"),
        ("Omstilling 22 86 30 00", ("NO", "SE"), "switchboard"),
        ("Vaihde 09 1480 1", ("FI", "SE"), "switchboard"),
        ("Switchboard 020 7946 0000", ("GB", "SE"), "switchboard"),
        ("Telefax 38 41 22 99", ("DK", "SE"), "fax"),
        ("050 765 4321", ("FI", "SE"), "mobile"),
        ("07911 123789", ("GB", "SE"), "mobile"),
        ("020 7946 0718", ("GB", "SE"), "fixed"),
    ],
)
def test_types_come_from_labels_then_number_ranges_in_any_region(
    line: str, regions: tuple[str, ...], kind: str
) -> None:
    assert [p.type.value for p in find_phones(line, regions=regions)] == [kind]


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        # A written country decides (a country line, or a prefix the reader turned into one).
        (Address("Box 19", "0104", "Oslo", "Norge"), "NO"),
        (Address("Vestergade 3", "8000", "Aarhus C", "Denmark"), "DK"),
        (Address("7 Example Square", "SW1A 1AA", "London", "United Kingdom"), "GB"),
        # The code's shape: "111 22" is Swedish.
        (Address("Storgatan 4", "113 30", "Lillby", None), "SE"),
        # Four digits: Norwegian or Danish; five: Finnish or Swedish. The town decides …
        (Address("Pilestredet 8", "0180", "Oslo", None), "NO"),
        (Address("Havnen 2", "9000", "Aalborg", None), "DK"),
        (Address("Ratapiha 4", "20100", "Turku", None), "FI"),
        # … a Danish district letter after the town …
        (Address("Havnen 2", "2100", "Nordby Ø", None), "DK"),
        # … else the street's ending.
        (Address("Kirkeveien 41", "1366", "Nordby", None), "NO"),
        (Address("Skovvej 9", "4600", "Nordby", None), "DK"),
        (Address("Koivukuja 2", "02100", "Kylä", None), "FI"),
        (Address("Kyrkvägen 2", "44330", "Byn", None), "SE"),
        # Nothing tells: no hint.
        (Address(None, "1366", "Nordby", None), None),
        (None, None),
    ],
)
def test_a_signatures_address_tells_its_phone_region(address: Address | None, expected: str | None) -> None:
    assert address_region(address, LEX) == expected


@pytest.mark.parametrize(
    ("regions", "hint", "sender", "expected"),
    [
        # Ahead of the languages …
        (("GB", "SE"), "NO", "erik@kulturnett.example", ("NO", "GB", "SE")),
        (("SE",), "DK", "lone@mail.example", ("DK", "SE")),
        # … but after the sender's own country domain.
        (("FI", "GB", "SE"), "NO", "aino@lehti.fi", ("FI", "NO", "GB", "SE")),
        (("NO", "GB", "SE"), "NO", "erik@avis.no", ("NO", "GB", "SE")),
        (("GB", "SE"), None, "erik@kulturnett.example", ("GB", "SE")),
    ],
)
def test_the_address_region_goes_after_the_domain_and_before_languages(
    regions: tuple[str, ...], hint: str | None, sender: str, expected: tuple[str, ...]
) -> None:
    assert prefer_address_region(regions, hint, sender_email=sender) == expected


@pytest.mark.parametrize(
    ("top", "sender", "expected"),
    [
        # An English message from a neutral domain with a Norwegian signature address.
        (
            "Please stop the printed catalogue.\n\nBest regards\nOla Nordby\nRedaktør, Byavisa\n"
            "Pilestredet 8, 0180 Oslo\nTlf. 21 44 80 20",
            Mailbox("ola.nordby@byavisa.example", "Ola Nordby"),
            [("+4721448020", PhoneType.FIXED)],
        ),
        (
            "Thanks for the tip.\n\nKind regards\nLone Skov\nFilmanmelder\nHavnen 2\n9000 Aalborg\n"
            "Tlf. 98 12 34 56",
            Mailbox("lone.skov@nordavis.example", "Lone Skov"),
            [("+4598123456", PhoneType.FIXED)],
        ),
        # A Swedish address keeps a Swedish number Swedish in an English message.
        (
            "Thanks!\n\nBest\nKarin Lund\nMusikjournalist\nStorgatan 4, 113 30 Stockholm\nTel 08-555 120 44",
            Mailbox("karin.lund@tidning.example", "Karin Lund"),
            [("+46855512044", PhoneType.FIXED)],
        ),
    ],
)
def test_signature_numbers_are_read_in_the_country_of_its_address(
    top: str, sender: Mailbox, expected: list[tuple[str, PhoneType]]
) -> None:
    regions = phone_regions(top, sender_email=sender.email, lexicon=LEX)
    block = find_signature(top, sender=sender, lexicon=LEX)
    contact = contact_from(block, sender=sender, lexicon=LEX, regions=regions)
    assert [(p.e164, p.type) for p in contact.phones] == expected


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from([*"aZ_1 -.\n\x85\x1c\xa0\xb2\xd7\xe5\xdf", "\u2019", "\u4e2d", "\u0661"]), max_size=30
    )
)
def test_the_words_of_a_text_are_its_regex_words(pieces: list[str]) -> None:
    text = "".join(pieces)
    assert region._words_of(text) == re.findall(r"\w+", text)
