"""Whole-text prechecks that prove a case-insensitive pattern cannot match, cheaply.

Why: a long mail (15 KB of prose) costs Python's `re` ~1 ms per search with a big
IGNORECASE alternation, and almost no mail contains any of the words. Every match of
a phrase list contains each of the phrase's words as a whole `\\w+` token, and every
match of most regexes contains one of a few literal strings: looking those up in the
lowercased text (a set of tokens, or `in`) is ~100x cheaper. A precheck only ever
says "cannot match" when the pattern provably cannot, so outputs never change.
`KeyIndex` answers many such prechecks at once, in one Aho-Corasick pass.

Lowercasing is IGNORECASE's comparison for almost every character; the exceptions
(dotless ı, long ſ, Greek final sigma, İ, ...: characters `re` treats as equal to
another whose lowercase differs) make a text "unfoldable", and for such a text every
precheck answers "may match".

>>> may_contain_words("Vänligen avregistrera MIG.", frozenset({"avregistrera"}))
True
>>> may_contain_words("Registrera mig", frozenset({"avregistrera"}))
False
>>> may_contain_words("ſtop", frozenset({"stop"}))  # long s: re.I says "stop"
True
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from re import _constants as _c  # type: ignore[attr-defined]
from typing import Any, Generic, TypeVar

import ahocorasick

__all__ = [
    "KeyIndex",
    "Keys",
    "fold",
    "may_contain",
    "may_contain_words",
    "phrase_keys",
    "regex_keys",
    "words_of",
]

_WORD = re.compile(r"\w+")
# No cased character lies above this (checked when the table is built).
_CASED_LIMIT = 0x20000


@lru_cache(maxsize=1)
def _tables() -> tuple[re.Pattern[str], dict[str, str], frozenset[str]]:
    """(a class of the characters lowercasing is not IGNORECASE for, the smallest equal of each
    grouped character, those characters)."""
    parent: dict[str, str] = {}

    def root(char: str) -> str:
        while parent.get(char, char) != char:
            char = parent[char]
        return char

    def join(a: str, b: str) -> None:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    odd: set[str] = set()
    by_upper: dict[str, str] = {}
    cased = [c for c in map(chr, range(_CASED_LIMIT)) if c.lower() != c or c.upper() != c]
    for char in cased:
        lower = char.lower()
        if len(lower) != 1 or lower.isalnum() != char.isalnum() or (char == "_") != (lower == "_"):
            odd.add(char)
            continue
        # Same uppercase, different lowercase: `re` takes them as equal (ı/i, ſ/s, ς/σ).
        first = by_upper.setdefault(char.upper(), lower)
        if first != lower:
            join(first, lower)
    try:  # what `re` itself adds (Python 3.11+)
        from re import _casefix  # type: ignore[attr-defined]

        for point, others in _casefix._EXTRA_CASES.items():
            for other in others:
                join(chr(point), chr(other))
    except (ImportError, AttributeError):
        pass
    canonical = {char: root(char) for char in parent}
    canonical.update({root(char): root(char) for char in parent})
    odd |= {char for char, least in canonical.items() if char != least}
    # A character whose lowercase is odd is odd too (Σ lowercases to σ or ς).
    odd |= {char for char in cased if char.lower() in odd}
    ranges = _ranges(sorted(ord(c) for c in odd))
    pattern = re.compile("[" + "".join(_range(a, b) for a, b in ranges) + "]")
    return pattern, canonical, frozenset(odd)


def _ranges(points: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for p in points:
        if out and out[-1][1] == p - 1:
            out[-1] = (out[-1][0], p)
        else:
            out.append((p, p))
    return out


def _range(a: int, b: int) -> str:
    return re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"


def _odd(text: str) -> bool:
    if text.isascii():
        return False
    return _tables()[0].search(text) is not None


def _normal(key: str) -> str | None:
    """`key` lowercased as IGNORECASE compares it; None when that is not one character each."""
    canonical = _tables()[1]
    out = []
    for char in key:
        lower = char.lower()
        if len(lower) != 1:
            return None
        out.append(canonical.get(lower, lower))
    return "".join(out)


@lru_cache(maxsize=8)
def fold(text: str) -> str | None:
    """`text` lowercased, or None when lowercasing is not what IGNORECASE compares."""
    return None if _odd(text) else text.lower()


@lru_cache(maxsize=8)
def words_of(text: str) -> frozenset[str] | None:
    """The `\\w+` tokens of `text`, lowercased; None for a text `fold` cannot fold."""
    folded = fold(text)
    return None if folded is None else frozenset(_WORD.findall(folded))


def may_contain_words(text: str, keys: frozenset[str] | None) -> bool:
    """False only when no key is a whole token of `text` (case-insensitively). None: unknown."""
    if keys is None:
        return True
    words = words_of(text)
    return words is None or not words.isdisjoint(keys)


def may_contain(text: str, keys: tuple[str, ...] | None) -> bool:
    """False only when no key occurs in `text` (case-insensitively). None: unknown."""
    if keys is None:
        return True
    folded = fold(text)
    return folded is None or any(k in folded for k in keys)


def phrase_keys(phrases: Iterable[str]) -> frozenset[str] | None:
    """One whole-token key per phrase of a `lexicon.phrase_regex` list (its longest word).

    Words are joined by whitespace and bounded by a word boundary where they start or
    end with a word character, so each `\\w+` run of a phrase is a whole token of the
    text it matches. None when a phrase has no such run (it can match anything).
    """
    keys: set[str] = set()
    for phrase in phrases:
        tokens = _WORD.findall(phrase)
        if not tokens:
            return None
        key = _normal(max(tokens, key=len))
        if key is None:
            return None
        keys.add(key)
    return frozenset(keys)


def regex_keys(source: str, flags: int = 0) -> tuple[str, ...] | None:
    """Literal strings one of which every match of `source` contains; None when unknown.

    Read from the parsed pattern: a run of literal characters, an alternation whose
    every branch has such strings, a group, or a repeat of at least one.
    """
    try:
        from re import _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(source, flags)
        found = _required(list(parsed))
    except Exception:  # an unknown parser shape: no precheck, never a wrong one
        return None
    if not found:
        return None
    keys = [_normal(k) for k in found]
    if any(k is None or not k for k in keys):
        return None
    return tuple(sorted({k for k in keys if k}))


def _required(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    """Strings one of which every match of this sequence contains (the longest sure ones)."""
    best: frozenset[str] | None = None

    def consider(candidates: frozenset[str] | None) -> None:
        nonlocal best
        if candidates and (best is None or min(map(len, candidates)) > min(map(len, best))):
            best = candidates

    run: list[str] = []
    for op, av in items:
        if op == _c.LITERAL:
            run.append(chr(av))
            continue
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] >= 1 and _single_literal(av[2]):
            # "-{2,}": at least two in a row; what follows joins only the last of them
            piece = chr(next(iter(av[2]))[1]) * av[0]
            run.append(piece)
            if av[1] != av[0]:
                consider(frozenset({"".join(run)}))
                run = [piece]
            continue
        if run:
            consider(frozenset({"".join(run)}))
            run = []
        if op == _c.SUBPATTERN:
            consider(_required(list(av[-1])))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and av[0] >= 1:
            consider(_required(list(av[2])))
        elif op == _c.BRANCH:
            branches = [_required(list(b)) for b in av[1]]
            if all(branches):
                consider(frozenset().union(*[b for b in branches if b]))
    if run:
        consider(frozenset({"".join(run)}))
    return best


def _single_literal(sub: Any) -> bool:
    items = list(sub)
    return len(items) == 1 and items[0][0] == _c.LITERAL


# --- many keys at once --------------------------------------------------------------
#
# A rule set has hundreds of keys (the gate: ~700 words, prefixes and substrings over its
# phrase lists, tied rules and regexes). Asking `k in text` for each, or building the
# set of the text's words, costs ~0.8 ms on a 15 KB mail; one Aho-Corasick pass over a
# "spaced" view of the text answers every key at once in ~0.1 ms.
#
# The view is the text lowercased with every non-word character a space, padded with a
# space at each end, so a whole word is " key ", a word prefix " key", a substring "key".
# It is made in three C passes (latin-1 encode, a 256-byte translate, decode); a
# character above U+00FF becomes a space too. That may join "words" the text does not
# have (a false "may occur", harmless) but never loses one, as long as no key holds a
# character above U+00FF or a non-word character: such keys are looked up directly.


@dataclass(frozen=True, slots=True)
class Keys:
    """Strings one of which every match of some pattern contains, by where they must stand."""

    words: frozenset[str] = frozenset()  # a whole `\\w+` token of the text
    prefixes: frozenset[str] = frozenset()  # the start of a token
    substrings: frozenset[str] = frozenset()  # anywhere


G = TypeVar("G", bound=Hashable)

_WORD_CHAR = frozenset(chr(b) for b in range(256) if chr(b).isalnum() or b == 0x5F)


@lru_cache(maxsize=1)
def _view_tables() -> tuple[bytes, bytes, re.Pattern[str] | None]:
    """(lowercase-and-space table, space-only table, characters that need `fold` first).

    A character above U+00FF whose lowercase has one below U+0100 (Kelvin K, Angstrom Å,
    Ÿ, ẞ) would be lost by the latin-1 shortcut, and an odd one (see `fold`) makes the
    text unfoldable: a text holding either goes through `fold`. None when lowercasing
    below U+0100 is not one word character to one (the shortcut is then never taken).
    """
    lower_table = bytes(
        ord(chr(b).lower()) if chr(b) in _WORD_CHAR and len(chr(b).lower()) == 1 else 0x20 for b in range(256)
    )
    word_table = bytes(b if chr(b) in _WORD_CHAR else 0x20 for b in range(256))
    odd = _tables()[2]
    latin1 = [chr(b) for b in range(256)]
    if any(
        c in odd
        or len(c.lower()) != 1
        or ord(c.lower()) > 255
        or (c in _WORD_CHAR) != (c.lower() in _WORD_CHAR)
        for c in latin1
    ):
        return lower_table, word_table, None
    points = [p for p in range(256, _CASED_LIMIT) if chr(p) in odd or min(chr(p).lower()) < "\u0100"]
    special = re.compile("[" + "".join(_range(a, b) for a, b in _ranges(points)) + "]")
    return lower_table, word_table, special


@lru_cache(maxsize=8)
def _view(text: str) -> str | None:
    """The spaced view of `text` (see above); None for a text `fold` cannot fold."""
    lower_table, word_table, special = _view_tables()
    if special is not None:
        try:
            return _padded(text.encode("latin-1").translate(lower_table))
        except UnicodeEncodeError:
            if special.search(text) is None:
                # "?" for what latin-1 lacks: a non-word character, so a space
                return _padded(text.encode("latin-1", "replace").translate(lower_table))
    folded = fold(text)
    return None if folded is None else _spaced(folded, word_table)


def _padded(raw: bytes) -> str:
    return " " + raw.decode("latin-1") + " "


def _spaced(lower: str, table: bytes) -> str:
    """The spaced view of an already lowercased text (no further case folding)."""
    return _padded(lower.encode("latin-1", "replace").translate(table))


def _viewable(key: str) -> bool:
    return bool(key) and all(c in _WORD_CHAR for c in key) and key == key.lower()


# Runs of characters the view keeps as they are (lowercase word characters below U+0100).
_VIEWABLE_RUN = re.compile("[" + "".join(re.escape(c) for c in sorted(_WORD_CHAR) if c == c.lower()) + "]+")
# A shorter run occurs in too many texts to rule any out.
_SHORTEST_RUN = 3


class KeyIndex(Generic[G]):
    """Which of some named groups of keys may occur in a text, in one pass over it.

    >>> index = KeyIndex([("sick", Keys(words=frozenset({"sjuk"}))),
    ...                   ("origin", Keys(prefixes=frozenset({"samisk"})))])
    >>> sorted(index.found("Jag är SJUK i dag, samiskt hantverk"))
    ['origin', 'sick']
    >>> sorted(index.found("sjukhus och samer"))
    []
    >>> index.found("ſjuk") is None  # long s: IGNORECASE says "sjuk", lower() does not
    True
    """

    def __init__(self, groups: Iterable[tuple[G, Keys]]) -> None:
        by_key: dict[str, set[G]] = {}
        direct: dict[tuple[str, str], set[G]] = {}
        for group, keys in groups:
            for kind, strings, tagged in (
                ("word", keys.words, " {} "),
                ("prefix", keys.prefixes, " {}"),
                ("substring", keys.substrings, "{}"),
            ):
                for key in strings:
                    if _viewable(key):
                        by_key.setdefault(tagged.format(key), set()).add(group)
                        continue
                    # "out of office" holds "office" wherever it stands: a weaker key the
                    # view can show, better than folding every text for the whole one
                    run = max(_VIEWABLE_RUN.findall(key), key=len, default="")
                    if len(run) >= _SHORTEST_RUN:
                        by_key.setdefault(run, set()).add(group)
                    else:
                        direct.setdefault((kind, key), set()).add(group)
        self._automaton: Any = None
        if by_key:
            self._automaton = ahocorasick.Automaton()
            for tagged, found in by_key.items():
                self._automaton.add_word(tagged, frozenset(found))
            self._automaton.make_automaton()
        self._direct = tuple(
            (_direct_pattern(kind, key), frozenset(found)) for (kind, key), found in direct.items()
        )
        self._cache: dict[tuple[str, bool], frozenset[G] | None] = {}

    def found(self, text: str) -> frozenset[G] | None:
        """The groups with a key in `text` (case-insensitively); None when `fold` cannot fold it.

        A superset: a group may be listed whose key is not quite there, never left out
        when it is.
        """
        return self._cached(text, lowered=False)

    def found_in_lowered(self, lower: str) -> frozenset[G]:
        """The groups with a key in `lower`, compared as it stands (no case folding)."""
        found = self._cached(lower, lowered=True)
        assert found is not None
        return found

    def _cached(self, text: str, *, lowered: bool) -> frozenset[G] | None:
        key = (text, lowered)
        if key in self._cache:
            try:
                return self._cache[key]
            except KeyError:  # cleared by another thread in between
                pass
        if lowered:
            view: str | None = _spaced(text, _view_tables()[1])
            folded: str | None = text
        else:
            view = _view(text)
            folded = None
        found: frozenset[G] | None = None
        if view is not None:
            hits: set[G] = set()
            if self._automaton is not None:
                for _, groups in self._automaton.iter(view):
                    hits |= groups
            for pattern, groups in self._direct:
                if groups <= hits:
                    continue
                if folded is None:
                    folded = fold(text)
                    assert folded is not None  # foldable: `_view` said so
                if pattern.search(folded):
                    hits |= groups
            found = frozenset(hits)
        if len(self._cache) >= 8:
            self._cache.clear()
        self._cache[key] = found
        return found


def _direct_pattern(kind: str, key: str) -> re.Pattern[str]:
    escaped = re.escape(key)
    if kind == "word":
        return re.compile(rf"(?<!\w){escaped}(?!\w)")
    if kind == "prefix":
        return re.compile(rf"(?<!\w){escaped}")
    return re.compile(escaped)
