"""Project rules: `rules/projects.toml` → which project a conversation belongs to.

A thread is linked to a project when, in this order (the first level that names
exactly one project wins; two projects at the same level is a tie and links nothing,
because a wrong link would keep or delete the wrong mail):

1. a subject tag such as `[PR-2025-014]` (the `tag` pattern) names a project's code;
2. a project's code appears anywhere in the subject;
3. one of a project's `names` (an artist, a campaign) appears in the subject;
4. a participant's address is one of a project's `addresses`;
5. a participant's domain is one of a project's `domains`.

Only projects that exist in the store are linked; a manual link always beats a rule
(store/projects.py). Matching is pure, so it can be re-applied to stored threads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harvester.errors import PolicyError
from harvester.rules_io import named_table, read_toml, rules_file

__all__ = ["DEFAULT_TAG", "ProjectRule", "ProjectRules", "load_project_rules", "rules_path"]

RULES_FILE = "projects.toml"
DEFAULT_TAG = r"\[(?P<code>[A-Za-z][A-Za-z0-9]*-\d{4}-\d{1,4})\]"
_PROJECT_KEYS = {"code", "names", "addresses", "domains"}


def _word(text: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(text)}(?![\w-])", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ProjectRule:
    code: str
    names: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()


def _one(codes: set[str]) -> str | None:
    return next(iter(codes)) if len(codes) == 1 else None


@dataclass(frozen=True, slots=True)
class ProjectRules:
    path: Path | None
    tag: re.Pattern[str]
    projects: tuple[ProjectRule, ...] = ()

    def match(self, *, subject: str | None, participants: Iterable[str], known: Iterable[str]) -> str | None:
        """The code of the one project these facts point to, or None (no match, or a tie).

        >>> sara = ProjectRule("PR-2025-014", names=("Sara Larsson",))
        >>> rules = ProjectRules(None, re.compile(DEFAULT_TAG), (sara,))
        >>> rules.match(subject="SV: [pr-2025-014] Turné", participants=[], known=["PR-2025-014"])
        'PR-2025-014'
        >>> rules.match(subject="Intervju med Sara Larsson?", participants=[], known=["PR-2025-014"])
        'PR-2025-014'
        """
        by_upper = {code.upper(): code for code in known}
        if not by_upper:
            return None
        text = subject or ""
        tags = {m.group("code").upper() for m in self.tag.finditer(text)}
        tagged = {by_upper[tag] for tag in tags if tag in by_upper}
        if tagged:
            return _one(tagged)
        if found := _one({code for code in by_upper.values() if _word(code).search(text)}):
            return found
        rules = [r for r in self.projects if r.code.upper() in by_upper]
        emails = {p.lower() for p in participants}
        domains = {e.rpartition("@")[2] for e in emails}
        levels = (
            {r.code for r in rules if any(_word(n).search(text) for n in r.names)},
            {r.code for r in rules if emails & set(r.addresses)},
            {r.code for r in rules if domains & set(r.domains)},
        )
        for codes in levels:
            if codes:
                return _one({by_upper[c.upper()] for c in codes})
        return None


def rules_path(rules_dir: Path | None = None) -> Path:
    return rules_file(RULES_FILE, rules_dir)


def _strings(path: Path, where: str, raw: dict[str, Any], key: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise PolicyError(f"{path}: {where}: {key}: must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _project(path: Path, index: int, raw: Any) -> ProjectRule:
    raw, where = named_table(path, raw, kind="project", index=index, key="code", known=_PROJECT_KEYS)
    code: str = raw["code"]
    addresses = tuple(a.lower() for a in _strings(path, where, raw, "addresses"))
    if bad := next((a for a in addresses if "@" not in a), None):
        raise PolicyError(f"{path}: {where}: addresses: {bad!r} is not an e-mail address")
    domains = tuple(d.lower().lstrip("@") for d in _strings(path, where, raw, "domains"))
    names = _strings(path, where, raw, "names")
    if not (names or addresses or domains):
        raise PolicyError(f"{path}: {where}: give at least one of names, addresses, domains")
    return ProjectRule(code=code.strip(), names=names, addresses=addresses, domains=domains)


def load_project_rules(path: Path | None = None, *, rules_dir: Path | None = None) -> ProjectRules:
    """Read and validate the rules; problems raise PolicyError naming file, project and key."""
    path = path or rules_path(rules_dir)
    doc = read_toml(path)
    unknown = sorted(set(doc) - {"tag", "project"})
    if unknown:
        raise PolicyError(f"{path}: unknown key {unknown[0]!r} (known: tag, project)")
    tag_text = doc.get("tag", DEFAULT_TAG)
    try:
        tag = re.compile(tag_text, re.IGNORECASE)
    except (re.error, TypeError) as exc:
        raise PolicyError(f"{path}: tag: not a regular expression: {exc}") from exc
    if "code" not in tag.groupindex:
        raise PolicyError(f"{path}: tag: needs a named group (?P<code>...)")
    raw_projects = doc.get("project", [])
    if not isinstance(raw_projects, list):
        raise PolicyError(f"{path}: project: use [[project]] tables")
    projects = tuple(_project(path, i, raw) for i, raw in enumerate(raw_projects))
    codes = [p.code.upper() for p in projects]
    if dup := next((c for c in codes if codes.count(c) > 1), None):
        raise PolicyError(f"{path}: project {dup!r}: listed twice")
    return ProjectRules(path=path, tag=tag, projects=projects)
