"""Whole-text prechecks that prove a case-insensitive pattern cannot match, cheaply.

Why: a long mail (15 KB of prose) costs Python's `re` ~1 ms per search with a big
IGNORECASE alternation, and almost no mail contains any of the words. Every match of
a phrase list contains each of the phrase's words as a whole `\\w+` token, and every
match of most regexes contains one of a few literal strings: looking those up in the
lowercased text (a set of tokens, or `in`) is ~100x cheaper. A precheck only ever
says "cannot match" when the pattern provably cannot, so outputs never change.

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
from collections.abc import Iterable
from functools import lru_cache
from re import _constants as _c  # type: ignore[attr-defined]
from typing import Any

__all__ = [
    "fold",
    "may_contain",
    "may_contain_words",
    "phrase_keys",
    "regex_keys",
    "sorted_words_of",
    "words_of",
]

_WORD = re.compile(r"\w+")
# No cased character lies above this (checked when the table is built).
_CASED_LIMIT = 0x20000


@lru_cache(maxsize=1)
def _tables() -> tuple[re.Pattern[str], dict[str, str]]:
    """(characters lowercasing is not IGNORECASE for, smallest equal of each grouped char)."""
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
    return pattern, canonical


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


@lru_cache(maxsize=8)
def sorted_words_of(text: str) -> tuple[str, ...] | None:
    """`words_of(text)` in order (for prefix lookups by bisection); None likewise."""
    words = words_of(text)
    return None if words is None else tuple(sorted(words))


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
