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
        "Jag är på semester",
        "Detta är ett automatiskt svar",
        "out of office",
        "Delivery has failed",
        "Skickat från min iPhone",
        "Detta e-postmeddelande",
        "Jag har flyttat, ny adress:",
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
        ("autoreply", "body.strong"),
        ("autoreply", "body.weak"),
        ("autoreply", "body.weak_regex"),
        ("bounce", "body"),
        ("signature", "mobile_footers"),
        ("signature", "disclaimer_openers"),
        ("signature", "address_change.new"),
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


# --- the key index: every key a naive lookup finds, it finds too -------------------------

_INDEX_CHARS = [
    *"abksi åÿß_1.-\n",
    "\u017f",  # ſ: odd, the text is unfoldable
    "\u0131",  # ı
    "\u0130",  # İ
    "\u212a",  # Kelvin K: lowercases to an ASCII k
    "\u212b",  # Angstrom Å: lowercases to å
    "\u0178",  # Ÿ: lowercases to ÿ
    "\u1e9e",  # ẞ
    "\u2019",  # ’: a non-word character above U+00FF
    "\u2013",  # –
    "\u00a0",  # no-break space
    "\u00b2",  # ²: a word character below U+0100
    "\u00d7",  # ×
    "\u0301",  # a combining accent: not a word character
    "\u4e2d",  # a word character above U+00FF
    "\u03c3",  # σ
    "\ud800",  # a lone surrogate (surrogateescape'd bytes)
    "A",
    "S",
    "Å",
]
_INDEX_TEXTS = st.lists(st.sampled_from(_INDEX_CHARS), max_size=40).map("".join)
_KEY_TEXTS = st.lists(st.sampled_from(_INDEX_CHARS), min_size=1, max_size=6).map("".join)
_WORD_KEYS = _KEY_TEXTS.filter(lambda k: re.fullmatch(r"\w+", k) is not None)
_KEY_SETS = st.frozensets(_WORD_KEYS, max_size=3)


def _naive(folded: str, keys: prefilter.Keys) -> bool:
    words = set(re.findall(r"\w+", folded))
    return (
        not words.isdisjoint(keys.words)
        or any(w.startswith(p) for w in words for p in keys.prefixes)
        or any(s in folded for s in keys.substrings)
    )


@settings(max_examples=600, deadline=None)
@given(
    _INDEX_TEXTS,
    st.lists(
        st.builds(
            prefilter.Keys,
            words=_KEY_SETS,
            prefixes=_KEY_SETS,
            substrings=st.frozensets(_KEY_TEXTS, max_size=3),
        ),
        max_size=3,
    ),
)
def test_the_key_index_never_misses_a_key(text: str, groups: list[prefilter.Keys]) -> None:
    index = prefilter.KeyIndex(list(enumerate(groups)))
    found = index.found(text)
    folded = prefilter.fold(text)
    if folded is None:
        assert found is None
    else:
        assert found is not None
        for n, keys in enumerate(groups):
            if _naive(folded, keys):
                assert n in found, (text, keys)
    lower = text.lower()
    in_lower = index.found_in_lowered(lower)
    for n, keys in enumerate(groups):
        if _naive(lower, keys):
            assert n in in_lower, (lower, keys)


def test_the_key_index_tells_words_prefixes_and_substrings_apart() -> None:
    index = prefilter.KeyIndex(
        [
            ("word", prefilter.Keys(words=frozenset({"sjuk"}))),
            ("prefix", prefilter.Keys(prefixes=frozenset({"sjuk"}))),
            ("substring", prefilter.Keys(substrings=frozenset({"sjuk"}))),
            ("dash", prefilter.Keys(substrings=frozenset({"--"}))),
        ]
    )
    assert index.found("Är du SJUK?") == {"word", "prefix", "substring"}
    assert index.found("sjukhus") == {"prefix", "substring"}
    assert index.found("långtidssjuk") == {"substring"}
    assert index.found("hej -- då") == {"dash"}
    assert index.found("läkare’sjuk") == {"word", "prefix", "substring"}
    assert index.found("\u212aAFFE") == set()  # Kelvin: "kaffe", no key
    assert index.found("\u017fjuk") is None  # ſ: unfoldable, the caller searches
    # a key the view cannot show whole is looked for by its longest run of word characters
    spaced = prefilter.KeyIndex([("office", prefilter.Keys(substrings=frozenset({"out of office"})))])
    assert spaced.found("I am OUT OF OFFICE") == {"office"}
    assert spaced.found("Office hours") == {"office"}  # a weaker key: "may match"
    assert spaced.found("out of the blue") == set()
