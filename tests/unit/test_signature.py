"""The sender's own signature is found and read into a contact; nothing else is."""

from __future__ import annotations

from copy import deepcopy

import pytest

from harvester.understand import signature
from harvester.understand.lexicon import load_lexicon
from harvester.understand.signature import clean_display_name, contact_from, find_signature
from harvester.understand.text import html_to_text
from harvester.understand.types import Address, Contact, Mailbox, Phone, PhoneType

LEX = load_lexicon()

CASES = [
    (
        "closing_sv",
        "Hej!\n\nLåter bra.\n\nMed vänliga hälsningar\nErik Lindqvist\nKulturreporter, Dagbladet\n"
        "Mobil: 070-174 06 10\nTel: 08-465 004 10\nStorgatan 12, 111 22 Stockholm\n"
        "www.dagbladet.example\n\nSkickat från min iPhone",
        Mailbox("erik.lindqvist@dagbladet.example", "Erik Lindqvist"),
        {
            "name": "Erik Lindqvist",
            "title": "Kulturreporter",
            "organization": "Dagbladet",
            "phones": [("+46701740610", PhoneType.MOBILE), ("+46846500410", PhoneType.FIXED)],
            "urls": ["https://www.dagbladet.example"],
            "coverage": ["culture_general"],
        },
    ),
    (
        "mvh_pipes",
        "Tack, jag kommer.\n\nMvh Anna\n\nAnna Svensson | Musikjournalist | Sveriges Radio P2\n"
        "Tel 08-465 004 20 | Mobil 070-174 06 20",
        Mailbox("anna.svensson@sr.example", "Svensson, Anna"),
        {
            "name": "Anna Svensson",
            "title": "Musikjournalist",
            "organization": "Sveriges Radio P2",
            "phones": [("+46846500420", PhoneType.FIXED), ("+46701740620", PhoneType.MOBILE)],
            "coverage": ["music"],
        },
    ),
    (
        "dashes_en",
        "Hi,\n\nThanks for the invite.\n\n--\nKarin Berg\nArts Editor\nThe Daily Example Ltd\n"
        "+44 20 7946 0958\nlinkedin.com/in/karinberg",
        Mailbox("kberg@daily.example", None),
        {
            "name": "Karin Berg",
            "title": "Arts Editor",
            "organization": "The Daily Example Ltd",
            "urls": ["https://linkedin.com/in/karinberg"],
        },
    ),
    (
        "last_block_before_disclaimer",
        "Hej,\nvi tar gärna emot materialet.\n\nLena Ström\nNöjesredaktör\nKvällsposten\n"
        "040-628 04 10\n\nDetta e-postmeddelande kan innehålla konfidentiell information. "
        "Ring 08-465 004 99.",
        Mailbox("lena.strom@kvallsposten.example", "Lena Ström"),
        {
            "name": "Lena Ström",
            "title": "Nöjesredaktör",
            "organization": "Kvällsposten",
            "phones": [("+46406280410", PhoneType.FIXED)],
            "coverage": ["entertainment"],
        },
    ),
    (
        "name_and_title_on_one_line_no_closing",
        "Hej!\nJa, det går bra.\nErik Lindqvist, Nöjesreporter\nDagbladet\n070-174 06 10",
        Mailbox("erik.lindqvist@dagbladet.example", "Erik Lindqvist"),
        {
            "name": "Erik Lindqvist",
            "title": "Nöjesreporter",
            "organization": "Dagbladet",
            "phones": [("+46701740610", PhoneType.MOBILE)],
        },
    ),
    (
        "norwegian",
        "Hei,\n\nTakk, jeg kommer.\n\nVennlig hilsen\nOla Hansen\nKulturjournalist\n"
        "Avisen Aftenposten\nTlf: +47 22 12 34 56\nKarl Johans gate 1, 0150 Oslo",
        Mailbox("ola.hansen@avisen.example", "Ola Hansen"),
        {
            "title": "Kulturjournalist",
            "organization": "Avisen Aftenposten",
            "phones": [("+4722123456", PhoneType.FIXED)],
            "coverage": ["culture_general"],
        },
    ),
    (
        "finnish_footer_after",
        "Hei,\n\nKiitos!\n\nYstävällisin terveisin\nAino Virtanen\n"
        "Kulttuuritoimittaja, Helsingin Uutiset Oy\npuh. +358 40 123 4567\n\nLähetetty iPhonesta",
        Mailbox("aino.virtanen@uutiset.example", "Aino Virtanen"),
        {
            "title": "Kulttuuritoimittaja",
            "organization": "Helsingin Uutiset Oy",
            "phones": [("+358401234567", PhoneType.MOBILE)],
        },
    ),
    (
        "upper_case_name_takes_from_casing",
        "Tack!\n\nMvh\nERIK LINDQVIST\nReporter\nDagbladet",
        Mailbox("erik.lindqvist@dagbladet.example", "Erik Lindqvist"),
        {"name": "Erik Lindqvist", "title": "Reporter", "organization": "Dagbladet"},
    ),
    (
        "shared_mailbox_display_name",
        "Hej!\n\nVi bevakar gärna.\n\nMvh\nErik Lindqvist\nKulturreporter\n070-174 06 13",
        Mailbox("kultur@dagbladet.example", "Dagbladet Kultur"),
        {"name": "Erik Lindqvist", "title": "Kulturreporter", "organization": None},
    ),
    (
        "referral_paragraph_is_not_a_signature",
        "Jag är på semester till 3/4.\n\nVid brådskande ärenden kontakta:\nLena Ström, "
        "Redaktör\n070-174 06 77",
        Mailbox("erik.lindqvist@dagbladet.example", "Erik Lindqvist"),
        {"name": "Erik Lindqvist", "title": None, "organization": None, "phones": []},
    ),
    (
        "organisation_with_a_title_word_and_pronouns",
        "Hej\n\nMvh\nErik Lindqvist (han/honom)\nSvenska Journalistförbundet\nOmbudsman\n08-465 004 30",
        Mailbox("erik@sjf.example", "Erik Lindqvist"),
        {
            "name": "Erik Lindqvist",
            "title": "Ombudsman",
            "organization": "Svenska Journalistförbundet",
        },
    ),
    (
        "programme_stays_in_the_title",
        "Hej\n\nMvh\nSara Ek\nRedaktör, Nyhetsmorgon\nSveriges Radio\n070-174 06 31",
        Mailbox("sara.ek@sr.example", "Sara Ek"),
        {"title": "Redaktör, Nyhetsmorgon", "organization": "Sveriges Radio"},
    ),
    (
        "referral_after_the_closing_is_cut",
        "Jag är på semester till 3/4.\n\nMvh\nErik Lindqvist\nReporter\n\nVid brådskande "
        "ärenden kontakta Lena Ström\nRedaktör, Dagbladet\n070-174 06 77",
        Mailbox("erik.lindqvist@dagbladet.example", "Erik Lindqvist"),
        {"name": "Erik Lindqvist", "title": "Reporter", "organization": None, "phones": []},
    ),
    (
        "name_and_title_without_separator",
        "Tack!\n\nMvh\nErik Lindqvist Kulturreporter\nDagbladet",
        Mailbox("erik.lindqvist@dagbladet.example", "Erik Lindqvist"),
        {"name": "Erik Lindqvist", "title": "Kulturreporter", "organization": "Dagbladet"},
    ),
    (
        "double_spaced_plain_part_made_from_html",
        "Hej!\n\nTack, det låter bra.\n\nErik Lindqvist\n\nKulturreporter\n\nDagbladet\n\n"
        "Mobil: 070-174 06 10\n\nTel: 08-465 004 10\n\nwww.dagbladet.example",
        Mailbox("erik.lindqvist@dagbladet.example", "Erik Lindqvist"),
        {
            "title": "Kulturreporter",
            "organization": "Dagbladet",
            "phones": [("+46701740610", PhoneType.MOBILE), ("+46846500410", PhoneType.FIXED)],
        },
    ),
    (
        "first_name_after_closing_then_full_block",
        "Hi,\n\nSounds great.\n\nBest,\nJohn\n\nJohn Smith\nSenior Film Critic\n"
        "The Daily Example\nT: +44 20 7946 0958",
        Mailbox("john.smith@daily.example", "Smith, John"),
        {
            "name": "John Smith",
            "title": "Senior Film Critic",
            "organization": "The Daily Example",
            "coverage": ["film"],
        },
    ),
    (
        "slash_name",
        "Tack!\n/Johan",
        Mailbox("johan.ek@tidning.example", "Johan Ek"),
        {"name": "Johan Ek", "title": None, "organization": None, "phones": []},
    ),
    (
        "musician_member_has_no_coverage",
        "Hej, jag skickar noterna i morgon.\n\nHälsningar\nSigne Vall\nTonsättare och musiker\n"
        "070-318 22 61\nwww.signevall.example",
        Mailbox("signevall.musik@mail.example", "Signe Vall"),
        {"name": "Signe Vall", "title": "Tonsättare och musiker", "coverage": []},
    ),
    (
        "musician_with_a_beat_line_has_that_coverage",
        "Hej!\n\nMvh\nSigne Vall\nSkribent och musiker\nBevakar: jazz\n070-318 22 61",
        Mailbox("signevall.musik@mail.example", "Signe Vall"),
        {"name": "Signe Vall", "coverage": ["music"]},
    ),
]


@pytest.mark.parametrize(("name", "top", "sender", "expected"), CASES, ids=[c[0] for c in CASES])
def test_signature_fields_are_read_from_the_senders_block(
    name: str, top: str, sender: Mailbox, expected: dict[str, object]
) -> None:
    block = find_signature(top, sender=sender, lexicon=LEX)
    contact = contact_from(block, sender=sender, lexicon=LEX)
    assert contact.emails[0] == sender.email
    for field, value in expected.items():
        got = getattr(contact, field)
        if field == "phones":
            got = [(p.e164, p.type) for p in got]
        assert got == value, field


def test_html_signature_table_is_read_after_conversion() -> None:
    html = (
        "<p>Tack för inbjudan!</p><p>Hälsningar</p><table><tr><td><b>Karin Berg</b><br>"
        "Kulturredaktör<br>Dagbladet</td><td>Tel: 08-465 004 11<br>Mobil: 070-174 06 11<br>"
        '<a href="https://dagbladet.example">dagbladet.example</a></td></tr></table>'
    )
    sender = Mailbox("karin.berg@dagbladet.example", "Karin Berg")
    block = find_signature(html_to_text(html), sender=sender, lexicon=LEX)
    contact = contact_from(block, sender=sender, lexicon=LEX)
    assert contact.name == "Karin Berg"
    assert contact.title == "Kulturredaktör"
    assert contact.organization == "Dagbladet"
    assert {(p.e164, p.type) for p in contact.phones} == {
        ("+46846500411", PhoneType.FIXED),
        ("+46701740611", PhoneType.MOBILE),
    }


@pytest.mark.parametrize(
    "top",
    [
        "Hej! Vi ses imorgon kl 10 på redaktionen, ta med pressbilderna.",
        "Nyhetsbrev vecka 12\n\nDagbladet AB\nStorgatan 1, 111 22 Stockholm\nAvregistrera dig här",
    ],
)
def test_text_without_a_personal_signature_gives_none(top: str) -> None:
    sender = Mailbox("erik@dagbladet.example", "Erik Lindqvist")
    assert find_signature(top, sender=sender, lexicon=LEX) is None


@pytest.mark.parametrize(
    ("display", "expected"),
    [
        ("Berg, Karin", "Karin Berg"),
        ('"Karin Berg"', "Karin Berg"),
        ("Karin Berg | Dagbladet", "Karin Berg"),
        ("Karin Berg (Dagbladet)", "Karin Berg"),
        ("karin@dagbladet.example", None),
        (None, None),
    ],
)
def test_display_names_are_cleaned_to_a_person(display: str | None, expected: str | None) -> None:
    assert clean_display_name(display) == expected


def test_a_body_sentence_starting_like_a_disclaimer_does_not_end_the_text() -> None:
    top = "Hej!\n\nSekretess gäller till 3 april.\n\nMvh\nErik Lindqvist\nReporter\nDagbladet"
    sender = Mailbox("erik.lindqvist@dagbladet.example", "Erik Lindqvist")
    block = find_signature(top, sender=sender, lexicon=LEX)
    assert block is not None and block.lines[0] == "Erik Lindqvist"


@pytest.mark.parametrize(
    ("top", "sender", "title", "organization"),
    [
        # the mail domain's name on its own is the organisation; the programme stays in the title
        (
            "Hei!\n\nHilsen\nKari Dahl | Journalist, Dagsrevyen | TV2\nMobil 913 45 120",
            Mailbox("kari.dahl@tv2.example", "Kari Dahl"),
            "Journalist, Dagsrevyen",
            "TV2",
        ),
        # the organisation splits off at the last separator that leaves one
        (
            "Thanks!\n\nBest,\nAmy Lowe\nReporter, Today Programme, BBC Radio 4\n020 7946 0718",
            Mailbox("amy.lowe@bbc.example", "Amy Lowe"),
            "Reporter, Today Programme",
            "BBC Radio 4",
        ),
        # a reviewer's title in Norwegian/Danish is a title, not the organisation
        (
            "Hej!\n\nVenlig hilsen\nMads Lund\nTeateranmelder, Politiken\nMobil 61 52 43 90",
            Mailbox("mads.lund@pol.example", "Mads Lund"),
            "Teateranmelder",
            "Politiken",
        ),
    ],
)
def test_title_keeps_the_programme_and_the_organisation_is_the_employer(
    top: str, sender: Mailbox, title: str, organization: str
) -> None:
    block = find_signature(top, sender=sender, lexicon=LEX)
    assert block is not None
    contact = contact_from(block, sender=sender, lexicon=LEX)
    assert (contact.title, contact.organization) == (title, organization)


def test_a_first_person_sentence_is_not_a_signature_block() -> None:
    top = "Hei,\n\nJeg har sluttet i avisen. Ny e-post: kari@frilans.example"
    sender = Mailbox("kari.dahl@avis.example", "Kari Dahl")
    assert find_signature(top, sender=sender, lexicon=LEX) is None


def test_a_disclaimer_opening_with_this_email_in_brackets_ends_the_signature() -> None:
    top = (
        "Hi,\n\nBest wishes,\nAmy Lowe\nProducer, BBC Radio 4\n020 7946 0718\n\n"
        "This e-mail (and any attachments) is confidential and intended for the recipient only."
    )
    block = find_signature(top, sender=Mailbox("amy.lowe@bbc.example", "Amy Lowe"), lexicon=LEX)
    assert block is not None
    assert "confidential" not in block.text


@pytest.mark.parametrize(
    ("top", "sender", "organization", "urls"),
    [
        # a lower-case bare domain is the web address, not the organisation
        (
            "Thanks!\n\nBest,\nSam Reed\nFreelance critic\nsamreedwrites.example",
            Mailbox("sam@samreedwrites.example", "Sam Reed"),
            None,
            ["https://samreedwrites.example"],
        ),
        # a capitalised one on the organisation's line is its name, not also a URL
        (
            "Tack!\n\n/Lena\n\nLena Ek\nBokrecensent\nBokkoll.se\n070-174 06 41",
            Mailbox("lena.ek@bokkoll.example", "Lena Ek"),
            "Bokkoll.se",
            [],
        ),
    ],
)
def test_a_bare_domain_is_a_url_in_lower_case_and_a_name_capitalised(
    top: str, sender: Mailbox, organization: str | None, urls: list[str]
) -> None:
    block = find_signature(top, sender=sender, lexicon=LEX)
    assert block is not None
    contact = contact_from(block, sender=sender, lexicon=LEX)
    assert (contact.organization, contact.urls) == (organization, urls)


@pytest.mark.parametrize(
    ("top", "found"),
    [
        ("Hej, kom boken fram?\n\n/Greta", True),
        ("Takk for sist!\n\nHilsen Ola", False),
        ("Kiitos!\n\nPekka", False),
        ("Hej!\n\nJag har semester till 3/8.\n\nVänliga hälsningar\nGreta Lund", True),
        ("Hej!\n\nTack.\n\n/Greta\nKulturreporter", True),
    ],
)
def test_a_first_name_sign_off_is_a_signature_only_with_the_senders_first_name(top: str, found: bool) -> None:
    sender = Mailbox("greta.lund@tidning.example", "Greta Lund")
    assert (find_signature(top, sender=sender, lexicon=LEX) is not None) is found


@pytest.mark.parametrize(
    ("top", "sender", "name", "title", "organization"),
    [
        # A degree or honorific before the name is no part of it and no title.
        (
            "Tack!\n\nMvh\nFil. dr Sara Lund\nKonstkritiker\nKvällsbladet\n08-555 120 71",
            Mailbox("sara.lund@kvallsbladet.example", "Sara Lund"),
            "Sara Lund",
            "Konstkritiker",
            "Kvällsbladet",
        ),
        (
            "Thanks,\n\nDr. Maya Quinn\nArts Editor\nThe Example Herald",
            Mailbox("maya.quinn@herald.example", None),
            "Maya Quinn",
            "Arts Editor",
            "The Example Herald",
        ),
        (
            "Kiitos!\n\nTerveisin\nFT Aino Salo\nKulttuuritoimittaja",
            Mailbox("aino.salo@lehti.example", "Aino Salo"),
            "Aino Salo",
            "Kulttuuritoimittaja",
            None,
        ),
        # A rank that is a position is the title when the signature has no other.
        (
            "Hej!\n\nHälsningar\nDocent Per Vik\nInstitutionen för musikvetenskap",
            Mailbox("per.vik@uni.example", "Per Vik"),
            "Per Vik",
            "Docent",
            "Institutionen för musikvetenskap",
        ),
        (
            "Hi,\n\nBest\nProf. Jonas Ek\nMusic Editor",
            Mailbox("jonas.ek@review.example", "Jonas Ek"),
            "Jonas Ek",
            "Music Editor",
            None,
        ),
        # Who writes the prefix in their own From name is named as they present themselves.
        (
            "Thanks,\n\nDr. Maya Quinn\nArts Editor",
            Mailbox("maya.quinn@herald.example", "Dr. Maya Quinn"),
            "Dr. Maya Quinn",
            "Arts Editor",
            None,
        ),
        # A first name that only starts like a prefix is a name ("Drude", "Frida").
        (
            "Tak!\n\nHilsen\nDrude Holm\nKulturredaktør",
            Mailbox("drude.holm@avis.example", "Drude Holm"),
            "Drude Holm",
            "Kulturredaktør",
            None,
        ),
    ],
)
def test_a_degree_before_the_name_is_left_out_of_the_name(
    top: str, sender: Mailbox, name: str, title: str | None, organization: str | None
) -> None:
    block = find_signature(top, sender=sender, lexicon=LEX)
    contact = contact_from(block, sender=sender, lexicon=LEX)
    assert (contact.name, contact.title, contact.organization) == (name, title, organization)


def _kept_contact() -> Contact:
    return Contact(
        name="Karin Berg",
        emails=["karin@dagbladet.example"],
        phones=[Phone("+46701740612", PhoneType.MOBILE)],
        address=Address(street="Storgatan 1", postal_code="111 22", city="Stockholm"),
        urls=["https://dagbladet.example"],
        coverage=["culture"],
    )


def test_a_remembered_contact_is_handed_out_as_a_copy_that_shares_nothing() -> None:
    kept = _kept_contact()
    copy = signature._fresh(kept)
    assert copy == deepcopy(kept)
    copy.emails.append("x@y.example")
    copy.phones[0].e164 = "+4600"
    assert copy.address is not None
    copy.address.city = "Malmö"
    assert kept == _kept_contact()
