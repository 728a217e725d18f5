"""Personnummer and samordningsnummer are found in text; organisation numbers are not."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harvester.understand import national_id
from harvester.understand.national_id import classify, find_ids


@pytest.mark.parametrize(
    ("number", "kind"),
    [
        ("811218-9876", "personnummer"),
        ("198112189876", "personnummer"),
        ("19811218+9876", "personnummer"),
        ("811218 9876", "personnummer"),
        ("811218\u20139876", "personnummer"),
        ("19121212-1212", "personnummer"),
        ("121212-1212", "personnummer"),
        ("701063-2391", "samordningsnummer"),
        ("556036-0793", "organisationsnummer"),
        ("5560360793", "organisationsnummer"),
        ("16556036-0793", "organisationsnummer"),
        ("811218-9875", None),
        ("2026-04-03", None),
    ],
)
def test_numbers_are_told_apart_by_date_and_luhn(number: str, kind: str | None) -> None:
    assert classify(number) == kind


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Mitt pnr är 19121212-1212.", ["19121212-1212"]),
        ("pnr 121212-1212 och 198112189876", ["121212-1212", "198112189876"]),
        ("Org.nr 556036-0793, VAT SE556036079301", []),
        ("Mobil 0701740605", []),
        ("Ring 0701740605 eller 0701740614", []),
        ("Tel 08-465 004 10, datum 2026-04-03", []),
    ],
)
def test_only_personal_identity_numbers_are_found_in_text(text: str, found: list[str]) -> None:
    assert [text[m.start : m.end] for m in find_ids(text)] == found


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(["1", "9", "0", " ", "-", "x", "å", "\u0661", "\uff11", "’", "\u00b2"]), max_size=16
    )
)
def test_six_digits_in_a_row_are_seen_in_any_script(pieces: list[str]) -> None:
    # the latin-1 shortcut must agree with `\d` (Arabic-Indic, fullwidth digits included)
    text = "".join(pieces)
    assert national_id._has_six_digits(text) == bool(re.search(r"\d{6}", text))
