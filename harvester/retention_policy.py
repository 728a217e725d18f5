"""The retention policy: `rules/retention.toml` → a validated `Policy`.

Retention is data, not code: one rule per purpose, each naming what it selects, the
clock it counts from and the period. The selectors and clocks are a fixed vocabulary
because each needs a query (store/retention.py); the periods and the wording are the
organisation's. A bad file raises PolicyError naming the file, the rule and the
problem, so whoever edited it can fix it without reading code.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from harvester.config import Config
from harvester.errors import PolicyError
from harvester.rules_io import named_table, read_toml, rules_file

__all__ = [
    "CLOCKS_FOR",
    "Clock",
    "Period",
    "Policy",
    "Rule",
    "Selector",
    "load_policy",
    "parse_period",
    "policy_for",
    "policy_path",
]

POLICY_FILE = "retention.toml"


class Selector(StrEnum):
    """What a rule selects."""

    PROJECT_THREADS = "project_threads"  # conversations linked to a project (kind "project")
    SUPPORT_THREADS = "support_threads"  # conversations linked to a support case (kind "support")
    UNLINKED_THREADS = "unlinked_threads"  # conversations in no project
    NEWSLETTER_SUBSCRIBERS = "newsletter_subscribers"  # contacts held on consent for the newsletter
    BOOKKEEPING_RECORDS = "bookkeeping_records"  # held by the bookkeeping system, not by harvester
    INACTIVE_CONTACTS = "inactive_contacts"  # contacts with no message exchanged for a period


class Clock(StrEnum):
    """What a rule's period counts from."""

    PROJECT_CLOSED = "project_closed"
    LAST_MESSAGE = "last_message"
    UNSUBSCRIBED = "unsubscribed"
    END_OF_CALENDAR_YEAR = "end_of_calendar_year"
    LAST_EXCHANGE = "last_exchange"


#: The clocks that make sense for each selector (anything else is a policy error).
CLOCKS_FOR: dict[Selector, frozenset[Clock]] = {
    Selector.PROJECT_THREADS: frozenset({Clock.PROJECT_CLOSED}),
    Selector.SUPPORT_THREADS: frozenset({Clock.PROJECT_CLOSED, Clock.LAST_MESSAGE}),
    Selector.UNLINKED_THREADS: frozenset({Clock.LAST_MESSAGE}),
    Selector.NEWSLETTER_SUBSCRIBERS: frozenset({Clock.UNSUBSCRIBED}),
    Selector.BOOKKEEPING_RECORDS: frozenset({Clock.END_OF_CALENDAR_YEAR}),
    Selector.INACTIVE_CONTACTS: frozenset({Clock.LAST_EXCHANGE}),
}

_PERIOD = re.compile(r"^\s*(\d+)\s*(y|years?|months?|w|weeks?|d|days?)\s*$", re.IGNORECASE)
_CONFIG_KEYS = ("unlinked_threads", "inactive_contacts")
_RULE_KEYS = {"name", "purpose", "select", "clock", "period"}


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar period: years and months move the date, days are added after."""

    years: int = 0
    months: int = 0
    days: int = 0

    def after(self, start: date) -> date:
        """`start` plus this period; 29 February plus one year is 28 February.

        >>> Period(years=1).after(date(2024, 2, 29))
        datetime.date(2025, 2, 28)
        >>> Period(days=180).after(date(2026, 1, 1))
        datetime.date(2026, 6, 30)
        """
        months = start.month - 1 + self.months + 12 * self.years
        year, month = start.year + months // 12, months % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        return date(year, month, day) + timedelta(days=self.days)


def parse_period(text: str) -> Period:
    """`"1y"`, `"7 years"`, `"18 months"`, `"26w"`, `"180d"` → Period.

    >>> parse_period("18 months")
    Period(years=0, months=18, days=0)
    """
    match = _PERIOD.match(text)
    if not match:
        raise ValueError(f"not a period like '1y', '18 months', '26w' or '180d': {text!r}")
    n, unit = int(match.group(1)), match.group(2).lower()
    if unit.startswith("y"):
        return Period(years=n)
    if unit.startswith("mo"):
        return Period(months=n)
    if unit.startswith("w"):
        return Period(days=7 * n)
    return Period(days=n)


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    purpose: str
    select: Selector
    clock: Clock
    #: None when the period comes from a config key that is not set: the rule selects nothing.
    period: Period | None
    period_text: str

    def due_on(self, clock_date: date) -> date | None:
        """When data whose clock reads `clock_date` is due; END_OF_CALENDAR_YEAR moves it first."""
        if self.period is None:
            return None
        if self.clock is Clock.END_OF_CALENDAR_YEAR:
            clock_date = date(clock_date.year, 12, 31)
        return self.period.after(clock_date)


@dataclass(frozen=True, slots=True)
class Policy:
    path: Path
    rules: tuple[Rule, ...]

    def for_selector(self, selector: Selector) -> Rule | None:
        return next((r for r in self.rules if r.select is selector), None)


def policy_path(rules_dir: Path | None = None) -> Path:
    """The organisation's retention.toml when it has one in `rules_dir`, else the shipped one."""
    return rules_file(POLICY_FILE, rules_dir)


def _rule(path: Path, index: int, raw: Any, settings: Mapping[str, timedelta | None]) -> Rule:
    raw, label = named_table(path, raw, kind="rule", index=index, key="name", known=_RULE_KEYS)
    name: str = raw["name"]
    where = f"{path}: {label}"
    for key in ("purpose", "select", "clock", "period"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise PolicyError(f"{where}: {key}: missing or not a string")
    try:
        selector = Selector(raw["select"])
    except ValueError:
        known = ", ".join(s.value for s in Selector)
        raise PolicyError(f"{where}: select: unknown {raw['select']!r} (known: {known})") from None
    try:
        clock = Clock(raw["clock"])
    except ValueError:
        known = ", ".join(c.value for c in Clock)
        raise PolicyError(f"{where}: clock: unknown {raw['clock']!r} (known: {known})") from None
    if clock not in CLOCKS_FOR[selector]:
        fits = ", ".join(sorted(c.value for c in CLOCKS_FOR[selector]))
        raise PolicyError(
            f"{where}: clock: {clock.value!r} does not fit select {selector.value!r} (use {fits})"
        )
    text: str = raw["period"].strip()
    period: Period | None
    if text.startswith("config:"):
        key = text.removeprefix("config:")
        if key not in _CONFIG_KEYS:
            raise PolicyError(
                f"{where}: period: unknown config key {key!r} (known: {', '.join(_CONFIG_KEYS)})"
            )
        value = settings.get(key)
        period = Period(days=value.days) if value is not None else None
    else:
        try:
            period = parse_period(text)
        except ValueError as exc:
            raise PolicyError(f"{where}: period: {exc}") from None
    return Rule(
        name=name,
        purpose=raw["purpose"].strip(),
        select=selector,
        clock=clock,
        period=period,
        period_text=text,
    )


def load_policy(
    path: Path | None = None,
    *,
    rules_dir: Path | None = None,
    unlinked_threads: timedelta | None = timedelta(days=180),
    inactive_contacts: timedelta | None = None,
) -> Policy:
    """Read and validate the policy; `config:KEY` periods come from the config's [retention]."""
    path = path or policy_path(rules_dir)
    doc = read_toml(path)
    unknown = sorted(set(doc) - {"rule"})
    if unknown:
        raise PolicyError(f"{path}: unknown key {unknown[0]!r} (rules are [[rule]] tables)")
    raw_rules = doc.get("rule", [])
    if not isinstance(raw_rules, list) or not raw_rules:
        raise PolicyError(f"{path}: no [[rule]] tables")
    settings = {"unlinked_threads": unlinked_threads, "inactive_contacts": inactive_contacts}
    rules: list[Rule] = []
    for index, raw in enumerate(raw_rules):
        rule = _rule(path, index, raw, settings)
        for other in rules:
            if other.name == rule.name:
                raise PolicyError(f"{path}: rule {rule.name!r}: the name is used twice")
            if other.select is rule.select:
                raise PolicyError(
                    f"{path}: rule {rule.name!r}: select {rule.select.value!r} is already "
                    f"governed by rule {other.name!r} (one rule per purpose)"
                )
        rules.append(rule)
    return Policy(path=path, rules=tuple(rules))


def policy_for(config: Config) -> Policy:
    """The policy as configured: the rules directory and the [retention] periods of harvester.toml."""
    return load_policy(
        rules_dir=config.rules_dir,
        unlinked_threads=config.unlinked_threads,
        inactive_contacts=config.inactive_contacts,
    )
