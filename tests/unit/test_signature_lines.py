"""How one signature line is read: title against organisation, street against the firm in
front of it, first-name sign-offs. Invented senders and organisations only."""

from __future__ import annotations

import pytest

from harvester.understand.lexicon import load_lexicon
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
    ("Redaktör, Morgonpasset", "siv.lund@gmail.com", "Redaktör, Morgonpasset", None),
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
