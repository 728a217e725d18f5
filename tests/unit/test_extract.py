"""Contact values in free text: e-mails, typed phones, URLs, postal addresses."""

from __future__ import annotations

import pytest

from harvester.understand.extract import find_address, find_emails, find_phones, find_urls, split_street
from harvester.understand.types import Address, PhoneType


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("karin.berg@Dagbladet.EXAMPLE", ["karin.berg@dagbladet.example"]),
        ("<erik@sr.example>, erik@sr.example", ["erik@sr.example"]),
        ("Mejla: anna-lena.o'neil@pr-byran.example.", ["anna-lena.o'neil@pr-byran.example"]),
        ("no address @ here, nor foo@bar", []),
    ],
)
def test_emails_are_found_normalised_and_deduplicated(text: str, expected: list[str]) -> None:
    assert find_emails(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mobil: 070-174 06 05", [("+46701740605", PhoneType.MOBILE)]),
        ("Tel: 08-465 004 10", [("+46846500410", PhoneType.FIXED)]),
        ("Tel: 070-174 06 06", [("+46701740606", PhoneType.MOBILE)]),
        ("Växel 08-465 004 00", [("+46846500400", PhoneType.SWITCHBOARD)]),
        ("vx: 031-390 06 00", [("+46313900600", PhoneType.SWITCHBOARD)]),
        ("Switchboard +46 40 628 04 00", [("+46406280400", PhoneType.SWITCHBOARD)]),
        ("Fax 040-628 04 11", [("+46406280411", PhoneType.FAX)]),
        ("Direkt: 0980-319 205", [("+46980319205", PhoneType.FIXED)]),
        ("Cell: +46 (0)70 174 06 07", [("+46701740607", PhoneType.MOBILE)]),
        ("+47 22 12 34 56", [("+4722123456", PhoneType.FIXED)]),
        ("010-123 45 67", [("+46101234567", PhoneType.FIXED)]),
        ("Direkt: 070-174 06 09", [("+46701740609", PhoneType.MOBILE)]),
        ("GSM +46 70 174 06 14", [("+46701740614", PhoneType.MOBILE)]),
        ("Sentralbord: +47 22 12 34 00", [("+4722123400", PhoneType.SWITCHBOARD)]),
        ("Faks +47 22 12 34 01", [("+4722123401", PhoneType.FAX)]),
        ("Mob: 08-465 004 15", [("+46846500415", PhoneType.MOBILE)]),
        ("+358 40 123 4567", [("+358401234567", PhoneType.MOBILE)]),
        (
            "T: +46 8 465 004 10 | M: +46 70 174 06 12",
            [("+46846500410", PhoneType.FIXED), ("+46701740612", PhoneType.MOBILE)],
        ),
        (
            "Direkt 031-390 06 05  Mobil 070-174 06 08",
            [("+46313900605", PhoneType.FIXED), ("+46701740608", PhoneType.MOBILE)],
        ),
        ("Org.nr 556036-0793, datum 2026-04-03, nödnummer 112", []),
    ],
)
def test_phones_are_e164_and_typed_from_label_or_number_plan(
    text: str, expected: list[tuple[str, PhoneType]]
) -> None:
    assert [(p.e164, p.type) for p in find_phones(text)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("www.dagbladet.example/kultur", ["https://www.dagbladet.example/kultur"]),
        ("Läs mer: https://sr.example/p2.", ["https://sr.example/p2"]),
        ("linkedin.com/in/karinberg", ["https://linkedin.com/in/karinberg"]),
        (
            "Twitter: twitter.com/karin_b | x.com/karin_b",
            ["https://twitter.com/karin_b", "https://x.com/karin_b"],
        ),
        ("karin@dagbladet.example", []),
        ("kvallsposten.example", ["https://kvallsposten.example"]),
        ("Läs dagbladet.se/kultur i dag.", ["https://dagbladet.se/kultur"]),
        ("bild.jpg, t.o.m. 3/4", []),
    ],
)
def test_urls_get_a_scheme_and_social_profiles_are_found(text: str, expected: list[str]) -> None:
    assert find_urls(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Storgatan 12, 111 22 Stockholm", Address("Storgatan 12", "111 22", "Stockholm")),
        ("Box 123\n101 23 Stockholm", Address("Box 123", "101 23", "Stockholm")),
        ("Box 123, SE-101 23 Stockholm", Address("Box 123", "101 23", "Stockholm", "Sweden")),
        ("Karl Johans gate 1, 0150 Oslo", Address("Karl Johans gate 1", "0150", "Oslo")),
        (
            "Vesterbrogade 3\n1560 København V\nDanmark",
            Address("Vesterbrogade 3", "1560", "København V", "Danmark"),
        ),
        ("Mannerheimintie 5, 00100 Helsinki", Address("Mannerheimintie 5", "00100", "Helsinki")),
        (
            "Besöksadress: Storgatan 12, Stockholm\nPostadress: Box 123, 101 23 Stockholm",
            Address("Box 123", "101 23", "Stockholm"),
        ),
        ("Adress: Storgatan 12\n111 22 Stockholm", Address("Storgatan 12", "111 22", "Stockholm")),
        ("Vi ses 2026 kl 10", None),
        ("Ring mig på 070-174 06 05", None),
    ],
)
def test_postal_addresses_are_parsed(text: str, expected: Address | None) -> None:
    assert find_address(text) == expected


@pytest.mark.parametrize(
    ("text", "street", "code", "city"),
    [
        ("Media Centre, 201 Wood Lane, London W12 7TQ", "Media Centre, 201 Wood Lane", "W12 7TQ", "London"),
        ("Oxford Road, Manchester M60 1SJ", "Oxford Road", "M60 1SJ", "Manchester"),
        ("Pacific Quay\nGlasgow G51 1DA", "Pacific Quay", "G51 1DA", "Glasgow"),
    ],
)
def test_uk_postcode_lines_give_street_code_and_town(text: str, street: str, code: str, city: str) -> None:
    address = find_address(text)
    assert address is not None
    assert (address.street, address.postal_code, address.city) == (street, code, city)


@pytest.mark.parametrize("text", ["Tel 020 7946 0123", "Ring mig, OK 12 AB", "Releasefest 14 maj"])
def test_text_without_a_postcode_line_has_no_address(text: str) -> None:
    assert find_address(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A labelled phone, e-mail or web line is never the street, whatever its words end in.
        (
            "Sentralbord: +47 21 98 70 00\nPostboks 812 Sentrum, 0104 Oslo",
            Address("Postboks 812 Sentrum", "0104", "Oslo"),
        ),
        ("Tlf. 21 98 70 00\n0104 Oslo", Address(None, "0104", "Oslo")),
        ("Växel: 08-555 120 00\n113 30 Stockholm", Address(None, "113 30", "Stockholm")),
        ("Web: www.exempelbord.example 12\n113 30 Stockholm", Address(None, "113 30", "Stockholm")),
        # Post boxes in every Nordic and English spelling, with a district after the number.
        ("Pb. 77 Blindern\n0314 Oslo", Address("Pb. 77 Blindern", "0314", "Oslo")),
        ("PL 48, 00511 Helsinki", Address("PL 48", "00511", "Helsinki")),
        ("Postilokero 310\n00101 Helsinki", Address("Postilokero 310", "00101", "Helsinki")),
        ("P.O. Box 19, 0104 Oslo", Address("P.O. Box 19", "0104", "Oslo")),
        ("Postboks 220\n1501 København V", Address("Postboks 220", "1501", "København V")),
    ],
)
def test_contact_lines_are_no_street_and_post_boxes_are(text: str, expected: Address) -> None:
    assert find_address(text) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # Table cells run together: the street is the tail that is a street on its own.
        ("Vestjysk Radio Torvepladsen 4", ("Vestjysk Radio", "Torvepladsen 4")),
        ("Kulturnettet Rådhusstræde 9", ("Kulturnettet", "Rådhusstræde 9")),
        ("Lydhuset Solbakkevej 21", ("Lydhuset", "Solbakkevej 21")),
        ("Fjellteatret Kirkegata 14", ("Fjellteatret", "Kirkegata 14")),
        ("Nordlys Forlag Sjøveien 3", ("Nordlys Forlag", "Sjøveien 3")),
        ("Byscenen Torgplassen 2 B", ("Byscenen", "Torgplassen 2 B")),
        ("Kaupunkiradio Satamakatu 8", ("Kaupunkiradio", "Satamakatu 8")),
        ("Äänitalo Koivutie 5", ("Äänitalo", "Koivutie 5")),
        ("Kulturhuset Ekgränd 7", ("Kulturhuset", "Ekgränd 7")),
        ("Scen Väst Järnvägsplatsen 1", ("Scen Väst", "Järnvägsplatsen 1")),
        ("Bokhuset Kvarnbacken 3", ("Bokhuset", "Kvarnbacken 3")),
        ("Konsthall Syd Hamnkajen 10", ("Konsthall Syd", "Hamnkajen 10")),
        ("Dansk Lyd Nørre Allé 7", ("Dansk Lyd", "Nørre Allé 7")),
        ("Exempel Media Kongens Nytorv 3", ("Exempel Media", "Kongens Nytorv 3")),
        # A street whose name opens with a word of its own is no firm plus street.
        ("Gamla Brogatan 12", (None, "Gamla Brogatan 12")),
        ("Frederiksberg Allé 3", (None, "Frederiksberg Allé 3")),
        ("P.O. Box 19", (None, "P.O. Box 19")),
    ],
)
def test_a_firm_run_into_a_street_is_split_by_street_endings(
    line: str, expected: tuple[str | None, str]
) -> None:
    assert split_street(line) == expected


def test_table_cells_on_an_address_line_are_separate_items() -> None:
    text = "Vestjysk Radio      Torvepladsen 4, 7100 Vejle\n                    Danmark"
    assert find_address(text) == Address("Torvepladsen 4", "7100", "Vejle", "Danmark")


@pytest.mark.parametrize(
    ("text", "regions", "expected"),
    [
        # A type label after the number counts like one before it: brackets, dash, comma.
        ("0431-71 40 00 (växel)", ("SE",), [("+46431714000", PhoneType.SWITCHBOARD)]),
        ("Tel: 08-555 120 00 (vx)", ("SE",), [("+46855512000", PhoneType.SWITCHBOARD)]),
        ("031-712 40 00, växel", ("SE",), [("+46317124000", PhoneType.SWITCHBOARD)]),
        ("08-555 120 09 (fax)", ("SE",), [("+46855512009", PhoneType.FAX)]),
        ("08-555 120 31 (mobil)", ("SE",), [("+46855512031", PhoneType.MOBILE)]),
        ("21 98 70 00 – sentralbord", ("NO", "SE"), [("+4721987000", PhoneType.SWITCHBOARD)]),
        ("21 98 70 00 (omstilling)", ("NO", "SE"), [("+4721987000", PhoneType.SWITCHBOARD)]),
        ("+45 35 21 40 00 (omstilling)", ("DK", "SE"), [("+4535214000", PhoneType.SWITCHBOARD)]),
        ("09 3108 4000 (vaihde)", ("FI", "SE"), [("+358931084000", PhoneType.SWITCHBOARD)]),
        ("+44 20 7946 0800 (switchboard)", ("GB", "SE"), [("+442079460800", PhoneType.SWITCHBOARD)]),
        ("+44 20 7946 0811 (reception)", ("GB", "SE"), [("+442079460811", PhoneType.SWITCHBOARD)]),
        # A generic word after the number leaves the kind to the number plan.
        ("Växel: 08-555 120 15 (direkt)", ("SE",), [("+46855512015", PhoneType.FIXED)]),
        # Words in brackets that are no label leave the label before the number in charge.
        ("Växel 08-555 120 00 (dygnet runt)", ("SE",), [("+46855512000", PhoneType.SWITCHBOARD)]),
        ("08-555 120 00 – Stockholm", ("SE",), [("+46855512000", PhoneType.FIXED)]),
        # The next number's label is not the previous number's trailing label.
        (
            "Direkt 08-555 120 15, växel 08-555 120 00",
            ("SE",),
            [("+46855512015", PhoneType.FIXED), ("+46855512000", PhoneType.SWITCHBOARD)],
        ),
        (
            "Mobil: 070-318 22 45, Fax: 08-555 120 09",
            ("SE",),
            [("+46703182245", PhoneType.MOBILE), ("+46855512009", PhoneType.FAX)],
        ),
    ],
)
def test_a_type_label_after_the_number_types_it(
    text: str, regions: tuple[str, ...], expected: list[tuple[str, PhoneType]]
) -> None:
    assert [(p.e164, p.type) for p in find_phones(text, regions=regions)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # House number first, town and postcode on one line, the country written or not.
        (
            "40 Hope Street, Liverpool L1 9BX, United Kingdom",
            Address("40 Hope Street", "L1 9BX", "Liverpool", "United Kingdom"),
        ),
        (
            "7 Example Square, London SW1A 1AA",
            Address("7 Example Square", "SW1A 1AA", "London", "United Kingdom"),
        ),
        ("3 Shoreditch Row, London EC2A 4NE, UK", Address("3 Shoreditch Row", "EC2A 4NE", "London", "UK")),
        # Two lines: street above "town postcode", or "street, town" above the postcode.
        ("18 Castlegate\nYork YO1 9RN", Address("18 Castlegate", "YO1 9RN", "York", "United Kingdom")),
        (
            "18 Castlegate, York\nYO1 9RN\nEngland",
            Address("18 Castlegate", "YO1 9RN", "York", "England"),
        ),
        # A phone line above the town is no street.
        ("Tel: +44 20 7946 0000\nLondon EC2A 4NE", Address(None, "EC2A 4NE", "London", "United Kingdom")),
    ],
)
def test_uk_addresses_on_one_or_two_lines_are_read_with_their_country(text: str, expected: Address) -> None:
    assert find_address(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Sam Ortiz\n210 Mercer Row, Suite 4B\nNew York, NY 10012",
            Address(street="210 Mercer Row, Suite 4B", postal_code="10012", city="New York", country=None),
        ),
        (
            "1200 Lake Shore Ave, Chicago, IL 60601, USA",
            Address(street="1200 Lake Shore Ave", postal_code="60601", city="Chicago", country="USA"),
        ),
        (
            "Tónlistarstígur 4, 101 Reykjavík",
            Address(street="Tónlistarstígur 4", postal_code="101", city="Reykjavík", country=None),
        ),
        (
            "Jazz & Folk Correspondent\nCork, Ireland",
            Address(street=None, postal_code=None, city="Cork", country="Ireland"),
        ),
    ],
)
def test_us_icelandic_and_town_country_addresses(text: str, expected: Address) -> None:
    assert find_address(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Konserten börjar 19.30, NY 10012 är fel",  # no state line shape
        "Mötet är i rum 101 Stora salen",  # a room number, no Icelandic town
        "Tack, Anna",  # no country
        "Boston, MA",  # no ZIP
    ],
)
def test_lookalikes_are_no_address(text: str) -> None:
    assert find_address(text) is None
