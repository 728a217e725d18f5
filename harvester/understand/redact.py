"""The redaction gate: Art. 9 text and personal identity numbers out, placeholders in.

Why a gate and not a filter at the end (shared/ARCHITECTURE.md): `understand()`
runs `redact` over the sender's text *before* any extractor sees it, and again
over every string of the result, so nothing downstream (store, logs, audit) can
hold special-category data. The terms are data (`rules/special_categories.toml`).

A term is replaced together with the rest of its clause ("sjukskriven efter en
knäoperation" goes as a whole), but the span stops before a date phrase or a
digit, so an auto-reply's "till 3/4" survives for the return date while the
health word does not:

>>> redact("Jag är sjukskriven till 3/4.").text
'Jag är [redacted:health] till 3/4.'
>>> redact("Jag är föräldraledig till 3/4.").text
'Jag är föräldraledig till 3/4.'
>>> redact("Pnr 19121212-1212, orgnr 556036-0793").text
'Pnr [redacted:national_id], orgnr 556036-0793'
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from harvester.understand._terms import wildcard_alternation
from harvester.understand.lexicon import load_rules
from harvester.understand.national_id import find_ids
from harvester.understand.prefilter import KeyIndex, Keys, regex_keys
from harvester.understand.types import RedactionCategory

__all__ = ["Redacted", "placeholder", "redact"]

_LANGS = ("sv", "en", "no", "da", "fi")
_FLAGS = re.IGNORECASE
# Where a clause ends: a line break, or sentence/clause punctuation before a space or the end.
_CLAUSE_END = re.compile(r"\n|[.!?;:,)](?=\s|$)|\s[-\u2013]\s|\d|\[redacted:")
_LINE_CLAUSE_END = re.compile(r"\n|[.!?;:)](?=\s|$)|\s[-\u2013|]\s|\d|\[redacted:")
_SHORT_LINE = 60
_LINE_REST = re.compile(r"[)\]]+[.,;:]?\s*")


@dataclass(frozen=True, slots=True)
class Redacted:
    """Text after the gate and the categories that were removed from it (first-seen order)."""

    text: str
    categories: tuple[RedactionCategory, ...]


_PLACEHOLDER = re.compile(r"\[redacted:[a-z_]+\]")
_URL_QUERY = re.compile(r"(?:https?://|www\.)[^\s?#<>\"']*\?([^\s<>\"']+)", re.I)


def placeholder(category: RedactionCategory) -> str:
    return f"[redacted:{category.value}]"


@dataclass(frozen=True, slots=True)
class _Rules:
    terms: re.Pattern[str]  # one named group per category
    protected: re.Pattern[str] | None
    keep: re.Pattern[str] | None
    # A cheap prefilter: the full alternation costs ~1 ms per short text in `re`,
    # and almost no mail has a term. `index` says which key groups could match, in one
    # pass: "plain" (the phrases), ("role", n) and ("body", n) of the tied rules, "regex".
    index: KeyIndex[Hashable]
    # A tied rule can match only where one of its roles and one of its bodies could
    # (None: a body is a regex, so the role alone decides).
    tied: tuple[tuple[Hashable, Hashable | None], ...]
    regexes: re.Pattern[str] | None
    # False when no literal string is known that every match of `regexes` contains.
    regex_keyed: bool

    def may_match(self, text: str) -> bool:
        found = self.index.found(text)
        if found is None:
            # A text `fold` cannot fold (ſ, ı, σ …): `re.IGNORECASE` may match where its
            # lower() shows no key ("ſjukskriven"), so the gate searches in full.
            return True
        regex_may = not self.regex_keyed or _REGEX in found
        if _PLAIN in found:
            return True
        for roles, bodies in self.tied:
            if roles in found and (bodies is None or bodies in found):
                return True
        return self.regexes is not None and regex_may and self.regexes.search(text) is not None


_PLAIN = "plain"
_REGEX = "regex"


_WORD = re.compile(r"\w+")
# Words too common to be a phrase's prefilter key ("the flu" is keyed on "flu").
_COMMON = frozenset(
    "the a an i am my on in of to is at and är jag min mitt på i av en ett och er og jeg min olen on".split()
)


def _keys(phrases: list[str]) -> Keys:
    """For each phrase one key its every match must contain: its longest whole word,
    else (a single wildcard word) its prefix or infix."""
    first: set[str] = set()
    prefixes: set[str] = set()
    infixes: set[str] = set()
    for phrase in phrases:
        phrase = phrase.strip().lower()
        tokens = _WORD.findall(phrase.strip("*"))
        if not tokens:
            continue
        whole = list(tokens)
        if phrase.endswith("*"):
            whole = whole[:-1]
        if phrase.startswith("*") and whole:
            whole = whole[1:]
        if whole:
            rare = [t for t in whole if t not in _COMMON] or whole
            first.add(max(rare, key=len))
        elif phrase.startswith("*"):
            infixes.add(tokens[0])
        else:
            prefixes.add(tokens[0])
    return Keys(words=frozenset(first), prefixes=frozenset(prefixes), substrings=frozenset(infixes))


@lru_cache(maxsize=8)
def _rules(rules_dir: str | None) -> _Rules:
    data = load_rules("special_categories", rules_dir)
    groups: list[str] = []
    all_phrases: list[str] = []
    key_groups: list[tuple[Hashable, Keys]] = []
    pairs: list[tuple[Hashable, Hashable | None]] = []
    regex_sources: list[str] = []
    for category in RedactionCategory:
        table = data.get(category.value)
        if not isinstance(table, dict):
            continue
        phrases = [p for lang in _LANGS for p in table.get(lang, []) if isinstance(p, str)]
        all_phrases += phrases
        parts = [wildcard_alternation(phrases)] if phrases else []
        # Statements start at a word; one boundary up front lets `re` skip mid-word fast.
        regexes = [f"(?<!\\w)(?:{r})" for r in table.get("regex", []) if isinstance(r, str)]
        regex_sources += regexes
        parts += regexes
        for tied in table.get("tied", []):
            if isinstance(tied, dict) and tied.get("roles") and _bodies(tied):
                parts.append(_tied_regex(tied))
                n = len(pairs)
                key_groups.append((("role", n), _keys([r for r in tied["roles"] if isinstance(r, str)])))
                named = [b for b in tied.get("bodies", []) if isinstance(b, str)]
                named += [b for b in tied.get("bodies_exact", []) if isinstance(b, str)]
                if tied.get("bodies_regex"):
                    pairs.append((("role", n), None))
                else:
                    key_groups.append((("body", n), _keys(named)))
                    pairs.append((("role", n), ("body", n)))
        if parts:
            groups.append(f"(?P<{category.value}>{'|'.join(parts)})")
    terms = re.compile("|".join(groups) or r"(?!x)x", _FLAGS)
    protected = wildcard_alternation(list(data.get("not", {}).get("phrases", [])))
    keep = wildcard_alternation(list(data.get("keep_after", {}).get("phrases", [])))
    regex_union = "|".join(regex_sources)
    # Literal strings one of which every match of the regexes contains (None: unknown).
    literals = regex_keys(regex_union, _FLAGS) if regex_sources else None
    key_groups.append((_PLAIN, _keys(all_phrases)))
    if literals is not None:
        key_groups.append((_REGEX, Keys(substrings=frozenset(literals))))
    return _Rules(
        terms=terms,
        protected=re.compile(protected, _FLAGS) if protected else None,
        keep=re.compile(rf"\s(?:{keep})", _FLAGS) if keep else None,
        index=KeyIndex(key_groups),
        tied=tuple(pairs),
        regexes=re.compile(regex_union, _FLAGS) if regex_sources else None,
        regex_keyed=literals is not None,
    )


_TIED_REACH = 60


def _bodies(tied: dict[str, Any]) -> str:
    """The bodies of a tied rule as one alternation: phrases, case-sensitive phrases, regexes."""
    parts: list[str] = []
    phrases = [b for b in tied.get("bodies", []) if isinstance(b, str)]
    if phrases:
        parts.append(wildcard_alternation(phrases))
    exact = [b for b in tied.get("bodies_exact", []) if isinstance(b, str)]
    if exact:
        parts.append(f"(?-i:{wildcard_alternation(exact)})")
    parts += [f"(?:{r})" for r in tied.get("bodies_regex", []) if isinstance(r, str)]
    return "|".join(parts)


def _tied_regex(tied: dict[str, Any]) -> str:
    """A role and a body in one clause, either order ("ledamot i kulturnämnden (V)",
    "Unionens förbundsmöte som förtroendevald"): neither word alone says anything."""
    roles = wildcard_alternation([r for r in tied["roles"] if isinstance(r, str)])
    bodies = _bodies(tied)
    reach = int(tied.get("reach", _TIED_REACH))
    gap = rf"(?:(?![.!?;](?:\s|$)|\n).){{0,{reach}}}?"
    return f"(?:{roles}){gap}(?:{bodies})|(?:{bodies}){gap}(?:{roles})"


def _clause_end(text: str, start: int, rules: _Rules) -> int:
    """End of the redacted span: the clause's end, or just before a date-keeping word."""
    end = len(text)
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    # A short line (a signature's "Fackligt förtroendevald, Journalistklubben") is one
    # clause; in prose a comma ends it.
    pattern = _LINE_CLAUSE_END if line_end - line_start <= _SHORT_LINE else _CLAUSE_END
    found = pattern.search(text, start)
    if found:
        end = found.start()
    if rules.keep is not None:
        # Searched past the clause end: "t.o.m." has its own full stops.
        keep = rules.keep.search(text, start, min(len(text), end + 12))
        if keep and keep.start() < end:
            end = keep.start()
    while end > start and (text[end - 1].isspace() or text[end - 1] == ","):
        end -= 1
    if _LINE_REST.fullmatch(text, end, line_end):
        end = line_end  # "(Svenska kyrkan)": no stray bracket after the placeholder
    return end


def redact(text: str, *, rules_dir: str | Path | None = None) -> Redacted:
    """Replace Art. 9 clauses and personal identity numbers with "[redacted:CATEGORY]"."""
    if not text:
        return Redacted(text, ())
    key = str(rules_dir) if rules_dir is not None else None
    if len(text) <= _SHORT_TEXT:
        return _redact_short(text, key)  # names, titles, subjects: they repeat
    return _redact(text, key)


_SHORT_TEXT = 400  # a signature block fits; it comes back with every mail


@lru_cache(maxsize=8192)
def _redact_short(text: str, rules_dir: str | None) -> Redacted:
    return _redact(text, rules_dir)


def _redact(text: str, rules_dir: str | None) -> Redacted:
    rules = _rules(rules_dir)
    categories: list[RedactionCategory] = []
    ids = find_ids(text)
    if ids:
        pieces: list[str] = []
        last = 0
        for found in ids:
            pieces += [text[last : found.start], placeholder(RedactionCategory.NATIONAL_ID)]
            last = found.end
        text = "".join([*pieces, text[last:]])
        categories.append(RedactionCategory.NATIONAL_ID)
    if not rules.may_match(text) or not rules.terms.search(text):
        return Redacted(text, tuple(categories))
    # A placeholder of an earlier pass is never redacted again ("ethnicity" is a term itself).
    shielded = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(text)]
    if rules.protected is not None:
        shielded += [(m.start(), m.end()) for m in rules.protected.finditer(text)]
    # A link's query string is an opaque token ("?eid=ZXhl…" is no "Eid"): nobody wrote it.
    if "?" in text:
        shielded += [(m.start(1), m.end(1)) for m in _URL_QUERY.finditer(text)]
    out: list[str] = []
    last = 0
    for match in rules.terms.finditer(text):
        start = match.start()
        if start < last or any(a <= start and match.end() <= b for a, b in shielded):
            continue
        name = next(k for k, v in match.groupdict().items() if v is not None)
        category = RedactionCategory(name)
        end = max(match.end(), _clause_end(text, match.end(), rules))
        out += [text[last:start], placeholder(category)]
        last = end
        if category not in categories:
            categories.append(category)
    out.append(text[last:])
    return Redacted("".join(out), tuple(categories))
