"""Rules-file phrases with a `*` wildcard as regular expressions (shared by redact and coverage).

Why a wildcard and not plain regexes in rules/: the people who extend the word
lists write Swedish compounds ("kultur*" for "kulturredaktör"), not regexes.

>>> import re
>>> bool(re.fullmatch(wildcard_regex("kultur*"), "kulturredaktör"))
True
>>> bool(re.search(wildcard_regex("tv"), "två"))
False
"""

from __future__ import annotations

import re

__all__ = ["wildcard_alternation", "wildcard_regex"]


def wildcard_regex(term: str) -> str:
    """One phrase as a regex: word boundaries, whitespace runs, `*` lets a word run on."""
    term = term.strip()
    lead, trail = term.startswith("*"), term.endswith("*")
    words = term.strip("*").split()
    body = r"\s+".join(re.escape(w) for w in words)
    head = r"\w*" if lead else (r"(?<!\w)" if words[0][0].isalnum() else "")
    tail = r"\w*" if trail else (r"(?!\w)" if words[-1][-1].isalnum() else "")
    return f"{head}{body}{tail}"


def wildcard_alternation(items: list[str]) -> str:
    """Many phrases as one alternation, longest first (so "till och med" wins over "till")."""
    ordered = sorted({i.strip() for i in items if i.strip()}, key=len, reverse=True)
    return "|".join(wildcard_regex(i) for i in ordered)
