"""The whole-text prechecks never say "cannot match" where the pattern matches.

They are shortcuts taken before a search (prefilter.py): a wrong "no" would drop an
unsubscribe request or let an Art. 9 phrase through the gate, so each is checked
against the search it spares, on the shipped lists and on generated text.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harvester.understand import prefilter, quotes
from harvester.understand.lexicon import load_lexicon
from harvester.understand.redact import _rules

LEX = load_lexicon()
LISTS = sorted(LEX._entries)


def _variants(item: str) -> list[str]:
    """`item` as mail writes it: cased, wrapped, with odd letters `re` folds (ſ, ı, K)."""
    return [
        item,
        item.upper(),
        item.title(),
        f"Hej!\n{item.replace(' ', chr(10))}.",
        item.replace("s", "\u017f").replace("i", "\u0131").replace("k", "\u212a"),
        item.upper().replace("I", "\u0130"),
    ]


@pytest.mark.parametrize(("file", "key"), LISTS)
def test_a_list_item_in_the_text_always_may_match(file: str, key: str) -> None:
    matcher = LEX.matcher(file, key)
    for item in LEX.phrases(file, key):
        for text in _variants(item):
            if matcher.search(text):
                assert LEX.may_match(file, key, text), (file, key, text)


def test_a_text_without_the_words_is_ruled_out() -> None:
    text = "Hej Erik, tack för senast. Bifogar underlaget till rapporten.\n" * 200
    assert not LEX.may_match("unsubscribe", "request", text)
    assert not LEX.may_match("unsubscribe", "request_with_object", text)
    assert LEX.may_match("unsubscribe", "request", text + "Ta bort mig.")


def test_regex_keys_read_literals_alternations_and_repeats() -> None:
    assert prefilter.regex_keys(r"of\s+\w+\s+(?:descent|origin)\b", re.I) == ("descent", "origin")
    assert prefilter.regex_keys(r"^-{2,}\s*x", 0) == ("--",)
    assert prefilter.regex_keys(r"\w+@\w+", 0) == ("@",)
    assert prefilter.regex_keys(r"\d+|\w", 0) is None  # nothing literal: always search


def test_a_text_with_odd_letters_is_never_ruled_out() -> None:
    # "ſ" is "s" to IGNORECASE but not to str.lower(): such a text takes the full search
    assert prefilter.fold("\u017ftop") is None
    assert prefilter.may_contain_words("\u017fluta skicka", frozenset({"skicka", "sluta"}))
    assert prefilter.may_contain("Σ", ("σ",))


_PIECES = st.sampled_from(
    [
        "sjukskriven",
        "SJUKSKRIV",
        "med rötter i Tornedalen",
        "Stolt same",
        "of Sámi descent",
        "ledamot i kulturnämnden (V)",
        "medlem",
        "kyrkan",
        "ta bort mig",
        "Avregistrera mig",
        "please remove me",
        "vill inte ha fler pressmeddelanden",
        "\u017f",
        "\u0131",
        "\u0130",
        "\u212a",
        "Σ",
        " ",
        "\n",
        ", ",
        ".",
        "-",
        "_",
        "x",
        "Från: Karin",
        "Skickat: igår",
        "-----Ursprungligt meddelande-----",
        "> citat",
        "Den 3 mars 2026 kl 10:12 skrev Karin <k@x.example>:",
        "On Tue, 3 Mar 2026",
        "Karin <k@x.example> wrote:",
        "__________",
    ]
)
_TEXTS = st.lists(_PIECES, max_size=14).map("".join)


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_the_gate_precheck_never_misses_a_term(text: str) -> None:
    rules = _rules(None)
    if rules.terms.search(text):
        assert rules.may_match(text)


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_lexicon_prechecks_never_miss(text: str) -> None:
    for file, key in (
        ("unsubscribe", "request"),
        ("unsubscribe", "request_with_object"),
        ("unsubscribe", "mailing"),
        ("autoreply", "body.weak_regex"),
    ):
        if LEX.matcher(file, key).search(text):
            assert LEX.may_match(file, key, text)


def _cut_index_every_line(lines: list[str]) -> int | None:
    """`quotes._cut_index` as it was: every line through every pattern."""
    for index in range(len(lines)):
        found = quotes._cut_index_at(lines, index)
        if found:
            return index
    return None


@settings(max_examples=400, deadline=None)
@given(st.lists(_TEXTS, max_size=12))
def test_the_quote_cut_only_skips_lines_that_cannot_cut(lines: list[str]) -> None:
    lines = "\n".join(lines).split("\n")
    assert quotes._cut_index(lines) == _cut_index_every_line(lines)
