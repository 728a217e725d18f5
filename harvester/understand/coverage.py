"""Coverage areas ("bevakningsområden") from a contact's title and organisation.

The taxonomy and its words are data (`rules/coverage.toml`), so an organisation
can add areas. The title decides; the organisation only counts when the title
names no area, because "Kulturreporter, Dagens Nyheter" covers culture, not news.

>>> coverage_of("Musikjournalist", "Dagbladet")
['music']
>>> coverage_of("Reporter", "Nöjesguiden")
['entertainment']
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from harvester.understand._terms import wildcard_alternation, wildcard_regex
from harvester.understand.lexicon import load_rules

__all__ = ["coverage_of", "slugs"]

#: Shorter words only match at a word start even in names ("Automat" is not "mat").
_INSIDE_MIN = 5


@lru_cache(maxsize=16)
def _taxonomy(
    rules_dir: str | None, inside: bool = False
) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Slug → pattern. `inside` also matches inside a compound ("Stadsteatern"), for names."""
    data = load_rules("coverage", rules_dir)
    areas: list[tuple[str, re.Pattern[str]]] = []
    for slug, table in data.items():
        if not isinstance(table, dict):
            continue
        parts = []
        words = [w for w in table.get("words", []) if isinstance(w, str)]
        if words:
            parts.append(
                "|".join(wildcard_regex(w, head=len(w.strip("*")) < _INSIDE_MIN) for w in words)
                if inside
                else wildcard_alternation(words)
            )
        head = "" if inside else "(?<!\\w)"
        parts += [f"{head}(?:{r})" for r in table.get("regex", []) if isinstance(r, str)]
        if parts:
            areas.append((slug, re.compile("|".join(parts), re.IGNORECASE)))
    return tuple(areas)


def slugs(*, rules_dir: str | Path | None = None) -> list[str]:
    """Every slug of the taxonomy, in file order."""
    return [slug for slug, _ in _taxonomy(str(rules_dir) if rules_dir is not None else None)]


def _areas(text: str, taxonomy: tuple[tuple[str, re.Pattern[str]], ...]) -> list[str]:
    return [slug for slug, pattern in taxonomy if pattern.search(text)]


def coverage_of(
    title: str | None, organization: str | None, *, rules_dir: str | Path | None = None
) -> list[str]:
    """Slugs named by the title's words, else by the organisation's; file order, no duplicates."""
    rules = str(rules_dir) if rules_dir is not None else None
    found = _areas(title, _taxonomy(rules)) if title else []
    if not found and organization:
        # Organisation names are compounds more often than titles: "Stadsteatern".
        found = _areas(organization, _taxonomy(rules, inside=True))
    return found
