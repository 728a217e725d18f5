"""Generalisations learnt from a blind set: a K-9 Mail attribution ends the own text, a link's
query string is never redacted, an office in an LGBTQ network is sex-life data while a beat is
not, German press titles cover their area, new tasks at the same employer are no departure."""

from __future__ import annotations

from datetime import UTC

import pytest

from harvester.understand.autoreply import autoreply_reason
from harvester.understand.coverage import coverage_of_contact
from harvester.understand.lexicon import load_lexicon
from harvester.understand.quotes import own_text
from harvester.understand.redact import redact
from harvester.understand.types import AutoReplyReason


def test_a_k9_mail_attribution_with_a_trailing_date_starts_the_quote() -> None:
    text = (
        "Tack, jag återkommer.\n\n-- \nPer Ek\nFilmkritiker\n\n"
        "Anna Berg <anna@pr-byran.example> skrev: (9 november 2026 11:12:40 CET)\n> Hej Per,\n> Anna"
    )
    assert "anna@pr-byran.example" not in own_text(text)


def test_a_links_query_string_is_not_redacted() -> None:
    text = "Visa i kalendern: https://kalender.example/event?eid=ZXhlbXBsZQ"
    assert redact(text).text == text


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        ("Ordförande, HBTQ-nätverket på Tidningen", True),
        ("Member of the LGBTQ+ staff network", True),
        ("Bevakar hbtq-frågor och jämställdhet", False),
        ("Vi arrangerar en hbtq-kväll på klubben", False),
    ],
)
def test_an_office_in_an_lgbtq_network_is_redacted_a_beat_is_not(text: str, redacted: bool) -> None:
    assert ("[redacted:sex_life]" in redact(text).text) is redacted


@pytest.mark.parametrize(
    ("title", "coverage"),
    [("Musikredakteurin", ["music"]), ("Kulturredakteur", ["culture_general"])],
)
def test_german_press_titles_cover_their_area(title: str, coverage: list[str]) -> None:
    assert coverage_of_contact(title, []) == coverage


@pytest.mark.parametrize(
    ("text", "left"),
    [
        ("Jag arbetar inte längre med musikbevakningen. Kontakta Nils.", False),
        ("Jag arbetar inte längre på Tidningen. Kontakta Nils.", True),
        ("I no longer work on the music desk; please write to Nils.", False),
        ("I no longer work at the paper; please write to Nils.", True),
    ],
)
def test_new_tasks_are_no_departure(text: str, left: bool) -> None:
    assert (autoreply_reason(text, lexicon=load_lexicon()) is AutoReplyReason.LEFT_ORGANIZATION) is left


def test_an_alternates_number_after_their_address_and_a_role_in_brackets() -> None:
    from datetime import datetime

    from harvester.understand.autoreply import autoreply_details
    from harvester.understand.extract import find_emails, find_phones

    text = (
        "Jag har semester. Under min ledighet nås redaktionen via Jonas Alm, jonas.alm@bladet.example, "
        "070-174 06 38.\n\nFor urgent matters please contact Priya Nair (Deputy Editor) on "
        "priya.nair@bladet.example or 0141 496 0457."
    )
    reply = autoreply_details(
        text,
        sent_at=datetime(2026, 7, 1, tzinfo=UTC),
        sender_email="karin@bladet.example",
        lexicon=load_lexicon(),
        find_emails=find_emails,
        find_phones=find_phones,
    )
    people = [(a.name, a.email, a.phone) for a in reply.alternate_contacts]
    assert ("Jonas Alm", "jonas.alm@bladet.example", "+46701740638") in people
    assert all(name != "Deputy Editor" for name, _, _ in people)
