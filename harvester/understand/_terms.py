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


def wildcard_regex(term: str, *, head: bool = True) -> str:
    """One phrase as a regex: word boundaries, whitespace runs, `*` lets a word run on.

    `head=False` leaves out the leading word boundary, for callers that put one
    boundary in front of a whole alternation (much faster in `re`).
    """
    term = term.strip()
    lead, trail = term.startswith("*"), term.endswith("*")
    words = term.strip("*").split()
    body = r"\s+".join(re.escape(w) for w in words)
    start = r"\w*" if lead else (r"(?<!\w)" if head and words[0][0].isalnum() else "")
    tail = r"\w*" if trail else (r"(?!\w)" if words[-1][-1].isalnum() else "")
    return f"{start}{body}{tail}"


def wildcard_alternation(items: list[str]) -> str:
    """Many phrases as one alternation, longest first (so "till och med" wins over "till").

    Phrases that start at a word start share one leading boundary.
    """
    ordered = sorted({i.strip() for i in items if i.strip()}, key=len, reverse=True)
    bounded = [i for i in ordered if not i.startswith("*") and i[0].isalnum()]
    others = [i for i in ordered if i not in bounded]
    parts = [wildcard_regex(i) for i in others]
    if bounded:
        parts.insert(0, r"(?<!\w)(?:" + "|".join(wildcard_regex(i, head=False) for i in bounded) + ")")
    return "|".join(parts)
