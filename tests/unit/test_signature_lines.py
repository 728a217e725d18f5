"""How one signature line is read: title against organisation, street against the firm in
front of it, first-name sign-offs. Invented senders and organisations only."""

from __future__ import annotations

import pytest

from harvester.understand import signature
from harvester.understand.lexicon import load_lexicon
from harvester.understand.region import phone_regions
from harvester.understand.signature import contact_from, find_signature
from harvester.understand.types import Contact, Mailbox

LEX = load_lexicon()


def _contact(top: str, sender: Mailbox) -> Contact:
    block = find_signature(top, sender=sender, lexicon=LEX)
    assert block is not None
    return contact_from(block, sender=sender, lexicon=LEX)


# (signature line, sender address, expected title, expected organisation)
TITLE_ORG = [
    # a periodical, a festival and a parish are organisations by their words
    ("Kulturskribent, Tidskriften Nordljus", "maja.ek@gmail.com", "Kulturskribent", "Tidskriften Nordljus"),
    ("Bookingansvarlig, Fjordfestivalen", "ola.lie@gmail.com", "Bookingansvarlig", "Fjordfestivalen"),
    ("Pressansvarig, Exempelby församling", "eva.ros@gmail.com", "Pressansvarig", "Exempelby församling"),
    # an upper-case abbreviation opens a newspaper's name
    ("Nöjesreporter, ÖT Exempel", "lina.alm@gmail.com", "Nöjesreporter", "ÖT Exempel"),
    # "at" / "på" / "hos" / "i" between title and organisation
    (
        "Arts correspondent at The Example Times",
        "tom.hale@gmail.com",
        "Arts correspondent",
        "The Example Times",
    ),
    ("Producent på Exempel Produktion AB", "nils.ny@gmail.com", "Producent", "Exempel Produktion AB"),
    (
        "Kommunikasjonsrådgiver i Fjellby kommune",
        "kari.fo@gmail.com",
        "Kommunikasjonsrådgiver",
        "Fjellby kommune",
    ),
    # Danish and Finnish titles and legal forms
    ("Presseansvarlig, Eksempel Forlag A/S", "mads.bo@gmail.com", "Presseansvarlig", "Eksempel Forlag A/S"),
    ("Viestintäasiantuntija, Esimerkki Oy", "aino.aho@gmail.com", "Viestintäasiantuntija", "Esimerkki Oy"),
    # the reverse order: organisation first, then the role
    ("Dagbladet Norr, kulturredaktör", "per.berg@gmail.com", "kulturredaktör", "Dagbladet Norr"),
    ("Exempelteatern | Pressansvarig", "lisa.lo@gmail.com", "Pressansvarig", "Exempelteatern"),
    # the mail domain names the organisation: "Mosaik" for mosaik.example, "NT" for nt.example
    ("Skribent, Mosaik", "ulla.sand@mosaik.example", "Skribent", "Mosaik"),
    ("Reporter, Nt", "ivar.holm@nt.example", "Reporter", "Nt"),
    # a programme without any organisation cue stays part of the title
    # With no organisation line anywhere else, the name after the comma is the employer
    # (blind holdout7: "Contributing Editor, Wireline"); a programme stays in the title when
    # the station has a line of its own (test_holdout7_lessons).
    ("Redaktör, Morgonpasset", "siv.lund@gmail.com", "Redaktör", "Morgonpasset"),
]


@pytest.mark.parametrize(("line", "address", "title", "organization"), TITLE_ORG)
def test_a_title_and_organisation_line_is_split_by_lexicon_and_domain(
    line: str, address: str, title: str, organization: str | None
) -> None:
    local = address.partition("@")[0]
    first, last = (part.capitalize() for part in local.split("."))
    top = f"Hej!\n\nTack för inbjudan.\n\nMed vänliga hälsningar\n{first} {last}\n{line}\n070-174 06 33"
    contact = _contact(top, Mailbox(address, f"{first} {last}"))
    assert (contact.title, contact.organization) == (title, organization)


# (address line as a flattened table gives it, street, the firm in front of it)
STREET_LINES = [
    ("Scenbolaget Exempel AB Storgatan 12\n111 22 Stockholm", "Storgatan 12", "Scenbolaget Exempel AB"),
    ("Ingrid Dahl Box 1234\n103 14 Stockholm", "Box 1234", None),
    ("Eksempel Forlag AS Karl Johans gate 3\n0154 Oslo", "Karl Johans gate 3", "Eksempel Forlag AS"),
    ("Esimerkki Oy Mannerheimintie 5 A, 00100 Helsinki", "Mannerheimintie 5 A", "Esimerkki Oy"),
    (
        "Eksempel Bøger ApS Vesterbrogade 12, 3. th\n1620 København V",
        "Vesterbrogade 12",
        "Eksempel Bøger ApS",
    ),
    ("Exempelteatern Sveavägen 44 2 tr\n113 59 Stockholm", "Sveavägen 44 2 tr", "Exempelteatern"),
    # a street's own leading words stay with it
    ("Gamla Brogatan 5\n111 20 Stockholm", "Gamla Brogatan 5", None),
    ("S:t Eriksgatan 12\n112 39 Stockholm", "S:t Eriksgatan 12", None),
    ("Drottning Kristinas väg 3\n114 28 Stockholm", "Drottning Kristinas väg 3", None),
]


@pytest.mark.parametrize(("address", "street", "organization"), STREET_LINES)
def test_a_firm_run_into_the_street_by_a_table_is_split_off(
    address: str, street: str, organization: str | None
) -> None:
    top = f"Hej!\n\nTack.\n\nVänliga hälsningar\nIda Berg\nPressansvarig\n{address}\n070-174 06 44"
    contact = _contact(top, Mailbox("ida.berg@gmail.com", "Ida Berg"))
    assert contact.address is not None
    assert (contact.address.street, contact.organization) == (street, organization)


# (the sender's own text, From display name, signature expected, contact name expected)
SIGN_OFFS = [
    ("Hej!\n\nTack, det låter bra.\n\n/Eva", "Eva Holm", "/Eva", "Eva Holm"),
    ("Hej!\n\nJag kommer gärna.\n\nMvh Eva", "Eva Holm", "Mvh Eva", "Eva Holm"),
    ("Hej!\n\nJag kommer gärna.\n\nHälsningar, Eva", "Eva Holm", "Hälsningar, Eva", "Eva Holm"),
    ("Hi,\n\nSounds good, see you there.\n\n– Eva", "Eva Holm", "– Eva", "Eva Holm"),
    ("Hei!\n\nTakk for invitasjonen.\n\nHilsen\nEva", "Holm, Eva", "Eva", "Eva Holm"),
    (
        "Moi!\n\nKiitos kutsusta.\n\nTerveisin Eva-Lena",
        "Eva-Lena Holm",
        "Terveisin Eva-Lena",
        "Eva-Lena Holm",
    ),
    # no display name: the address's first part is the first name, the contact has no name
    ("Hej!\n\nTack.\n\n/Eva", None, "/Eva", None),
    # a word that is not the sender's first name is no signature: nothing is invented
    ("Hej!\n\nTack.\n\n/Olle", "Eva Holm", None, "Eva Holm"),
    ("Hej!\n\nTack.\n\nIngr", "Eva Holm", None, "Eva Holm"),
]


@pytest.mark.parametrize(("top", "display", "signature", "name"), SIGN_OFFS)
def test_a_first_name_sign_off_is_the_signature_and_never_makes_up_a_surname(
    top: str, display: str | None, signature: str | None, name: str | None
) -> None:
    sender = Mailbox("eva.holm@gmail.com", display)
    if display and "Lena" in display:
        sender = Mailbox("evalena.holm@gmail.com", display)
    block = find_signature(top, sender=sender, lexicon=LEX)
    assert (block.text if block else None) == signature
    assert contact_from(block, sender=sender, lexicon=LEX).name == name


# (a labelled line about what the person covers, expected coverage slugs)
COVERAGE_LINES = [
    ("Ansvarsområde: film och tv", ["film", "tv"]),
    ("Ansvarsområden: teater, dans", ["theatre", "dance"]),
    ("Fagområde: musikk", ["music"]),
    ("Dekningsområde: teater", ["theatre"]),
    ("Jeg dekker film", ["film"]),
    ("Dækningsområde: musik", ["music"]),
    ("Vastuualue: elokuvat", ["film"]),
    ("Focus: film and TV", ["film", "tv"]),
    ("Beats: music, theatre", ["music", "theatre"]),
    ("Writing about dance", ["dance"]),
    ("Arbetar med litteratur", ["literature"]),
]


@pytest.mark.parametrize(("line", "coverage"), COVERAGE_LINES)
def test_a_labelled_beat_line_gives_coverage_and_is_no_organisation(line: str, coverage: list[str]) -> None:
    top = f"Hej!\n\nTack.\n\nMed vänliga hälsningar\nLisa Ek\nReporter\nExempelposten\n{line}\n070-123 45 67"
    contact = _contact(top, Mailbox("lisa.ek@exempelposten.example", "Lisa Ek"))
    assert (contact.title, contact.organization, contact.coverage) == ("Reporter", "Exempelposten", coverage)


# Whole Nordic and English signatures: (text, sender, title, organisation, phones, urls, coverage)
WHOLE = [
    (
        "Hei!\n\nTakk.\n\nVennlig hilsen\nKari Nordmann\nKulturjournalist | Eksempelavisen\n"
        "Mobil: 912 34 567 | Sentralbord: 22 00 00 00\nDekker: teater og dans\nwww.eksempelavisen.example",
        Mailbox("kari.nordmann@eksempelavisen.example", "Kari Nordmann"),
        ("Kulturjournalist", "Eksempelavisen"),
        [("+4791234567", "mobile"), ("+4722000000", "switchboard")],
        ["https://www.eksempelavisen.example"],
        ["theatre", "dance", "culture_general"],
    ),
    (
        "Moi!\n\nKiitos.\n\nYstävällisin terveisin\nAino Virtanen\nKulttuuritoimittaja, Esimerkki Sanomat\n"
        "Puh. 040 123 4567\nVaihde: 09 1234 5678\nAihepiirit: kirjallisuus ja taide",
        Mailbox("aino.virtanen@esimerkki.example", "Aino Virtanen"),
        ("Kulttuuritoimittaja", "Esimerkki Sanomat"),
        [("+358401234567", "mobile"), ("+358912345678", "switchboard")],
        [],
        ["literature", "art", "culture_general"],
    ),
    (
        "Hi,\n\nThanks.\n\nBest regards,\nJohn Smith\nSenior Culture Correspondent | The Example Herald\n"
        "M: +44 7911 123456 | Switchboard: +44 20 7946 0000\nCovers: music, film and books\n"
        "https://bsky.app/profile/johnsmith.example",
        Mailbox("john.smith@herald.example", "John Smith"),
        ("Senior Culture Correspondent", "The Example Herald"),
        [("+447911123456", "mobile"), ("+442079460000", "switchboard")],
        ["https://bsky.app/profile/johnsmith.example"],
        ["music", "film", "literature", "culture_general"],
    ),
    (
        "Hej!\n\nTack.\n\nHälsningar\nOlof Berg\nNöjesredaktör\nExempel Tidning AB\nMob: 073-123 45 67\n"
        "Vx: 010-123 45 00\nBevakar: nöje, kändisar och tv\ninstagram.com/olofberg",
        Mailbox("olof.berg@exempeltidning.example", "Olof Berg"),
        ("Nöjesredaktör", "Exempel Tidning AB"),
        [("+46731234567", "mobile"), ("+46101234500", "switchboard")],
        ["https://instagram.com/olofberg"],
        ["tv", "entertainment"],
    ),
]


@pytest.mark.parametrize(("top", "sender", "role", "phones", "urls", "coverage"), WHOLE)
def test_nordic_and_english_signatures_are_read_whole(
    top: str,
    sender: Mailbox,
    role: tuple[str, str],
    phones: list[tuple[str, str]],
    urls: list[str],
    coverage: list[str],
) -> None:
    block = find_signature(top, sender=sender, lexicon=LEX)
    assert block is not None
    contact = contact_from(
        block, sender=sender, lexicon=LEX, regions=phone_regions(top, sender_email=sender.email, lexicon=LEX)
    )
    assert (contact.title, contact.organization) == role
    assert [(p.e164, p.type.value) for p in contact.phones] == phones
    assert (contact.urls, contact.coverage) == (urls, coverage)


@pytest.mark.parametrize(
    "text",
    [
        "Kulturredaktör, Dagbladet",
        "Chefredaktören",
        "Anna Holm",
        "Med vänliga hälsningar",
        "Producer, BBC",
        "",
    ],
)
def test_the_title_search_finds_what_the_whole_word_pattern_finds(text: str) -> None:
    words = signature._words(LEX)
    assert bool(words.title.search(text)) == bool(words.title_start.search(text))
