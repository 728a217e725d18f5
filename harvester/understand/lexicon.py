"""Phrase lists and rules files as data: load `rules/lexicon/*.toml` once, compile once.

Why: every word list the understanding stage uses (auto-reply phrases, bounce
phrases, closings, special-category terms, ...) is data an organisation may
extend without touching code (shared/ARCHITECTURE.md, "Lexicons and policies are
data in rules/"). This module is the only place that reads those files.

Where the files come from, in order:
1. an override directory (config `[rules] dir`), when given;
2. the shipped package `harvester.rules` (importlib.resources), which setuptools
   maps to the repository's `rules/` directory;
3. the repository's `rules/` directory when running from a source checkout.

An override directory replaces the shipped file of the same name; shipped files
it does not contain are still used (so an organisation can override only
`lexicon/autoreply.toml`).

Conventions inside a lexicon file (`rules/lexicon/NAME.toml`):
- a list of strings under a key whose name ends in `_regex` is a list of regular
  expressions (Python `re`, matched case-insensitively);
- any other list of strings is a list of literal phrases, matched
  case-insensitively on word boundaries, any run of whitespace in the phrase
  matching any run of whitespace in the text;
- tables nest; keys are addressed with dots (`"reason.vacation"`);
- arrays of tables are kept as parsed (read them with `Lexicon.get`); any other
  list must hold strings only.

Everything is compiled when the file is loaded, so a bad pattern fails at start
with a `PolicyError` that names the file and the key, never in the middle of a
mailbox. Loading is cached per directory (`functools.lru_cache`).

>>> lex = load_lexicon()
>>> bool(lex.matcher("autoreply", "subject.prefixes").search("Autosvar: Pressträff"))
True
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from harvester.errors import PolicyError
from harvester.rules_io import shipped_rules_dir
from harvester.understand.prefilter import KeyIndex, Keys, phrase_keys, regex_keys

__all__ = [
    "Lexicon",
    "load_lexicon",
    "load_rules",
    "phrase_regex",
]

_FLAGS = re.IGNORECASE | re.UNICODE
#: Matches nothing: what an empty phrase list compiles to.
_NEVER = re.compile(r"(?!x)x")


def phrase_regex(phrases: list[str] | tuple[str, ...]) -> str:
    r"""One alternation matching any of `phrases` literally, on word boundaries.

    Whitespace inside a phrase matches any whitespace run (mail wraps lines);
    a boundary is only required next to a word character, so "Autosvar:" and
    "t.o.m." work as well as "semester".

    >>> bool(re.search(phrase_regex(["på semester"]), "Jag är på\n semester", re.I))
    True
    >>> bool(re.search(phrase_regex(["loma"]), "lomalla", re.I))
    False
    """
    # Phrases are grouped by the boundaries they need, and each group is one word trie
    # behind one boundary check: Python's re tries every branch of an alternation at every
    # position, so "(?<!\w)a|(?<!\w)b|..." over 100 phrases cost ~17 ms on a 7 KB mail,
    # the trie ~0.7 ms. Longer continuations are tried first, so "till och med" still wins
    # over "till".
    groups: dict[tuple[str, str], list[list[str]]] = {}
    for phrase in sorted({p.strip() for p in phrases if p.strip()}, key=len, reverse=True):
        head = r"(?<!\w)" if phrase[0].isalnum() or phrase[0] == "_" else ""
        tail = r"(?!\w)" if phrase[-1].isalnum() or phrase[-1] == "_" else ""
        groups.setdefault((head, tail), []).append(phrase.split())
    return "|".join(f"{head}(?:{_trie_regex(words)}){tail}" for (head, tail), words in groups.items())


def _trie_regex(phrases: list[list[str]]) -> str:
    r"""One regex for word sequences sharing prefixes: ["ta","bort"], ["ta","av"] → ta\s+(?:bort|av)."""
    root: dict[str, dict] = {}
    for words in phrases:
        node = root
        for word in words:
            node = node.setdefault(word, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = []
        for word, child in sorted(node.items(), key=lambda kv: -len(kv[0])):
            if not word:
                continue
            rest = emit(child)
            if not rest:
                branches.append(re.escape(word))
            else:
                optional = "?" if "" in child else ""
                branches.append(f"{re.escape(word)}(?:\\s+(?:{rest})){optional}")
        return "|".join(branches)

    return emit(root)


@dataclass(frozen=True, slots=True)
class _Entry:
    """One list of a lexicon file: its strings, its patterns, and their union."""

    items: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]
    union: re.Pattern[str]
    # What every match contains (prefilter.py): a whole word of one phrase, or one of
    # some literal strings of a regex list; None when unknown.
    words: frozenset[str] | None = None
    keys: tuple[str, ...] | None = None
    # The union finds a match exactly where one of the patterns does (no item refers to
    # a group by number or sets a flag for the whole pattern).
    union_is_any: bool = True


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Every lexicon file of one rules directory, parsed and compiled.

    `tables` maps a file's stem (`"autoreply"`) to its parsed TOML; `source`
    says where each file came from (for error messages).
    """

    tables: Mapping[str, Mapping[str, Any]]
    source: Mapping[str, str] = field(default_factory=dict)
    _entries: Mapping[tuple[str, str], _Entry] = field(default_factory=dict, repr=False)

    def get(self, file: str, key: str, default: Any = None) -> Any:
        """The raw value at dotted `key` of lexicon `file`, or `default` when absent."""
        node: Any = self.tables.get(file)
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return default
            node = node[part]
        return node

    def keys(self, file: str, key: str = "") -> list[str]:
        """The names directly under dotted `key` (a table), in file order; [] when absent."""
        node = self.get(file, key) if key else self.tables.get(file)
        return list(node) if isinstance(node, Mapping) else []

    def phrases(self, file: str, key: str) -> tuple[str, ...]:
        """The strings of a list (phrases or regex sources); () when absent."""
        entry = self._entries.get((file, key))
        return entry.items if entry else ()

    def patterns(self, file: str, key: str) -> tuple[re.Pattern[str], ...]:
        """One compiled pattern per item of a list; () when absent."""
        entry = self._entries.get((file, key))
        return entry.patterns if entry else ()

    def matcher(self, file: str, key: str) -> re.Pattern[str]:
        """One compiled pattern matching any item of a list; matches nothing when absent."""
        entry = self._entries.get((file, key))
        return entry.union if entry else _NEVER

    def search_any(self, file: str, key: str, text: str) -> bool:
        """Does any item of a list match somewhere in `text`? One search of the union."""
        entry = self._entries.get((file, key))
        if entry is None:
            return False
        if entry.union_is_any:
            return entry.union.search(text) is not None
        return any(p.search(text) for p in entry.patterns)

    def may_match(self, file: str, key: str, text: str) -> bool:
        """False only when `matcher(file, key)` provably finds nothing in `text`.

        A cheap whole-text precheck (a word or substring lookup) to ask before a
        search over a long text; True means "search to know".
        """
        entry = self._entries.get((file, key))
        if entry is None:
            return False
        if entry.words is None and entry.keys is None:
            return True
        found = _asked_index(self).found((file, key), text)
        return found is None or (file, key) in found


class _AskedIndex:
    """One key index over the lists asked about so far: a text is read once for all of them.

    Only the lists asked about: some lists' keys are common words, and every occurrence
    of one costs a step in the pass.
    """

    def __init__(self, lexicon: Lexicon) -> None:
        self._lexicon = lexicon
        self._state: tuple[frozenset[tuple[str, str]], KeyIndex[tuple[str, str]]] = (
            frozenset(),
            KeyIndex([]),
        )

    def found(self, name: tuple[str, str], text: str) -> frozenset[tuple[str, str]] | None:
        state = self._state
        if name not in state[0]:
            names = state[0] | {name}
            state = (names, KeyIndex(self._groups(names)))
            self._state = state  # one assignment: a thread never sees names without their index
        return state[1].found(text)

    def _groups(self, names: frozenset[tuple[str, str]]) -> list[tuple[tuple[str, str], Keys]]:
        groups: list[tuple[tuple[str, str], Keys]] = []
        for name in sorted(names):
            entry = self._lexicon._entries[name]
            if entry.words is not None:
                groups.append((name, Keys(words=entry.words)))
            elif entry.keys is not None:
                groups.append((name, Keys(substrings=frozenset(entry.keys))))
        return groups


@lru_cache(maxsize=8)
def _asked_index(lexicon: Lexicon) -> _AskedIndex:
    return _AskedIndex(lexicon)


def _compile_list(name: str, key: str, items: list[Any]) -> _Entry:
    where = f"{name}: {key}"
    if not all(isinstance(i, str) for i in items):
        raise PolicyError(f"{where}: every item must be a string")
    strings = tuple(i for i in items if i.strip())
    try:
        words: frozenset[str] | None = None
        keys: tuple[str, ...] | None = None
        union_is_any = True
        if key.rpartition(".")[2].endswith("_regex"):
            patterns = tuple(re.compile(s, _FLAGS) for s in strings)
            union_src = "|".join(f"(?:{s})" for s in strings)
            keys = regex_keys(union_src, _FLAGS) if strings else ()
            union_is_any = not any(_NOT_IN_UNION.search(s) for s in strings)
        else:
            patterns = tuple(re.compile(phrase_regex([s]), _FLAGS) for s in strings)
            union_src = phrase_regex(list(strings))
            words = phrase_keys(strings)
        union = re.compile(union_src, _FLAGS) if strings else _NEVER
    except re.error as exc:
        raise PolicyError(f"{where}: bad regular expression: {exc}") from exc
    return _Entry(
        items=strings, patterns=patterns, union=union, words=words, keys=keys, union_is_any=union_is_any
    )


# What reads differently inside a union: a group referred to by number (the numbers
# shift), a condition on a group, flags set for the whole pattern at its start.
_NOT_IN_UNION = re.compile(r"\\[1-9]|\(\?P=|\(\?\(|^\(\?[aiLmsux]+\)")


def _walk(name: str, table: Mapping[str, Any], prefix: str = "") -> dict[tuple[str, str], _Entry]:
    entries: dict[tuple[str, str], _Entry] = {}
    stem = name.rpartition("/")[2].removesuffix(".toml")
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping):
            entries.update(_walk(name, value, f"{dotted}."))
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            entries[(stem, dotted)] = _compile_list(name, dotted, value)
        elif isinstance(value, list) and not all(isinstance(v, Mapping) for v in value):
            raise PolicyError(f"{name}: {dotted}: every item must be a string")
    return entries


def _parse(name: str, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{name}: not valid TOML: {exc}") from exc


def _shipped_root() -> Traversable | Path:
    """The shipped rules: the installed package, else the checkout's rules/ directory."""
    return shipped_rules_dir()


def _files(root: Traversable | Path, sub: str) -> dict[str, Traversable | Path]:
    base = root.joinpath(sub) if sub else root
    if not base.is_dir():
        return {}
    return {f.name: f for f in base.iterdir() if f.name.endswith(".toml") and f.is_file()}


def _read(file: Traversable | Path, label: str) -> str:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{label}: cannot be read: {exc}") from exc


def _layered(sub: str, rules_dir: str | None) -> dict[str, tuple[Traversable | Path, str]]:
    """File name → (file, label) for `sub` ("lexicon" or ""), override over shipped."""
    found = {
        name: (f, f"rules/{sub + '/' if sub else ''}{name}")
        for name, f in _files(_shipped_root(), sub).items()
    }
    if rules_dir is not None:
        override = Path(rules_dir)
        if not override.is_dir():
            raise PolicyError(f"{rules_dir}: rules directory does not exist")
        for name, f in _files(override, sub).items():
            found[name] = (f, str(f))
    return found


@lru_cache(maxsize=8)
def _load_lexicon(rules_dir: str | None) -> Lexicon:
    tables: dict[str, Mapping[str, Any]] = {}
    source: dict[str, str] = {}
    entries: dict[tuple[str, str], _Entry] = {}
    for name, (file, label) in sorted(_layered("lexicon", rules_dir).items()):
        stem = name.removesuffix(".toml")
        table = _parse(label, _read(file, label))
        tables[stem] = table
        source[stem] = label
        entries.update(_walk(label, table))
    return Lexicon(tables=tables, source=source, _entries=entries)


def load_lexicon(rules_dir: str | Path | None = None) -> Lexicon:
    """All lexicon files, shipped ones overlaid by `rules_dir/lexicon/*.toml`; cached.

    Raises `PolicyError` (naming file and key) for a file that is not valid TOML,
    a list item that is not a string, or a regular expression that does not compile.
    """
    return _load_lexicon(str(rules_dir) if rules_dir is not None else None)


@lru_cache(maxsize=32)
def _load_rules(name: str, rules_dir: str | None) -> Mapping[str, Any]:
    files = _layered("", rules_dir)
    if name not in files:
        return {}
    file, label = files[name]
    return _parse(label, _read(file, label))


def load_rules(name: str, rules_dir: str | Path | None = None) -> Mapping[str, Any]:
    """A top-level rules file (`"coverage.toml"`, `"special_categories.toml"`) as parsed TOML.

    The override directory's file wins over the shipped one; {} when neither exists.
    The result is cached: treat it as read-only.
    """
    if not name.endswith(".toml"):
        name = f"{name}.toml"
    return _load_rules(name, str(rules_dir) if rules_dir is not None else None)
