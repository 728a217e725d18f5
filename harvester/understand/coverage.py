"""Coverage areas ("bevakningsområden") from the words a contact writes about their work.

The taxonomy and its words are data (`rules/coverage.toml`), so an organisation
can add areas. Only words the sender *wrote* count: the title line and a
"Bevakar:/Skriver om:/Writing on:" line. What an organisation or a programme is
known for does not ("Pressansvarig, Göteborgsoperan" covers nothing), because a
press officer at an opera house is no music critic.

>>> coverage_of(["Musikjournalist"])
['music']
>>> coverage_of(["Redaktör", "Bevakar film och tv"])
['film', 'tv']

Coverage is for press people: a title gives it only when it names a press role
(`press_roles` in the rules file), so a composer's "Kompositör och musiker" covers
nothing; an explicit beat line always counts.

>>> coverage_of_contact("Kompositör och musiker", [])
[]
>>> coverage_of_contact("Musikjournalist", [])
['music']
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from harvester.understand._terms import wildcard_alternation
from harvester.understand.lexicon import load_rules

__all__ = ["coverage_of", "coverage_of_contact", "is_press_role", "slugs"]


@lru_cache(maxsize=8)
def _taxonomy(rules_dir: str | None) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Slug → one pattern of its words (at a word start) and regexes."""
    data = load_rules("coverage", rules_dir)
    areas: list[tuple[str, re.Pattern[str]]] = []
    for slug, table in data.items():
        if not isinstance(table, dict):
            continue
        parts = []
        words = [w for w in table.get("words", []) if isinstance(w, str)]
        if words:
            parts.append(wildcard_alternation(words))
        parts += [f"(?<!\\w)(?:{r})" for r in table.get("regex", []) if isinstance(r, str)]
        if parts:
            areas.append((slug, re.compile("|".join(parts), re.IGNORECASE)))
    return tuple(areas)


def slugs(*, rules_dir: str | Path | None = None) -> list[str]:
    """Every slug of the taxonomy, in file order."""
    return [slug for slug, _ in _taxonomy(str(rules_dir) if rules_dir is not None else None)]


def coverage_of(texts: Iterable[str | None], *, rules_dir: str | Path | None = None) -> list[str]:
    """Slugs named by any of `texts` (title line, "Bevakar:" lines); file order, no duplicates."""
    joined = "\n".join(t for t in texts if t)
    if not joined:
        return []
    taxonomy = _taxonomy(str(rules_dir) if rules_dir is not None else None)
    spans = {slug: [m.span() for m in pattern.finditer(joined)] for slug, pattern in taxonomy}
    # "klassisk musik" is classical_music, not also music: a match inside another
    # area's longer match does not count.
    longer = [(a, b, slug) for slug, found in spans.items() for a, b in found]

    def counts(slug: str, span: tuple[int, int]) -> bool:
        a, b = span
        return not any(other != slug and x <= a and b <= y and (y - x) > (b - a) for x, y, other in longer)

    return [slug for slug, found in spans.items() if any(counts(slug, span) for span in found)]


@lru_cache(maxsize=8)
def _role_words(rules_dir: str | None, key: str) -> re.Pattern[str] | None:
    """One wildcard list of the rules file (`press_roles`, `shared_roles`, `artist_roles`): the
    override's when it has the list, else the shipped one; None when empty (no gate)."""
    words = load_rules("coverage", rules_dir).get(key)
    if not isinstance(words, list):
        words = load_rules("coverage", None).get(key)
    found = [w for w in words or [] if isinstance(w, str) and w.strip()]
    return re.compile(wildcard_alternation(found), re.IGNORECASE) if found else None


def is_press_role(title: str | None, *, rules_dir: str | Path | None = None) -> bool:
    """The title names a press role (journalist, editor, critic, producer, desk head …).

    A word both trades use ("producent") is no press role beside an artist's own role:
    "Låtskrivare & producent" makes records, not radio.
    """
    if not title:
        return False
    key = str(rules_dir) if rules_dir is not None else None
    roles = _role_words(key, "press_roles")
    if roles is None:
        return True
    found = [m.group(0) for m in roles.finditer(title)]
    if not found:
        return False
    shared, artist = _role_words(key, "shared_roles"), _role_words(key, "artist_roles")
    if shared is None or artist is None or not artist.search(title):
        return True
    return not all(shared.fullmatch(word) for word in found)


def coverage_of_contact(
    title: str | None, beats: Iterable[str], *, rules_dir: str | Path | None = None
) -> list[str]:
    """A contact's coverage: their title's words when it is a press role, and their beat lines."""
    kept = title if is_press_role(title, rules_dir=rules_dir) else None
    return coverage_of([kept, *beats], rules_dir=rules_dir)
