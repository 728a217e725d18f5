"""National-format numbers are read in the writer's country: sender domain, then the text's
language, then SE; a number with +CC is the same whatever the region, and no Swedish number
flips to another country."""

from __future__ import annotations

import pytest

from harvester.understand.extract import find_phones
from harvester.understand.lexicon import load_lexicon
from harvester.understand.region import phone_regions


@pytest.mark.parametrize(
    ("text", "sender", "expected"),
    [
        ("Hej, tack för senast!", "a@tidning.se", ("SE",)),
        ("Tak for invitationen, venlig hilsen", "a@avis.dk", ("DK", "SE")),
        ("Takk for sist, vennlig hilsen", "a@avis.example", ("NO", "SE")),
        ("Kiitos kutsusta, terveisin", "a@lehti.example", ("FI", "SE")),
        ("Thank you, I would love to come. Best regards", "a@paper.co.uk", ("GB", "SE")),
        ("Thank you, I would love to come. Best regards", "a@gmail.com", ("GB", "SE")),
        ("Tack, jag kommer gärna!", "a@lehti.fi", ("FI", "SE")),
        # Scandinavian "i" (in) is no English word
        ("Kommer der en visning i Aarhus i maj? Venlig hilsen", "a@avis.example", ("DK", "SE")),
        ("", None, ("SE",)),
        # a bilingual auto-reply: both languages, the Finnish numbers are Finnish
        (
            "Olen poissa toimistolta 14.10. asti. Kiireellisissä asioissa ota yhteyttä. "
            "I'm out of the office until 14 October.",
            "a@lehti.example",
            ("GB", "FI", "SE"),
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
