"""The date an auto-reply says its sender is away until (or back on).

Signature note: `parse_until` takes an optional keyword `lexicon` beyond the agreed
signature (default: the shipped lexicon), so an organisation's rules directory can
add trigger words and month names. Callers that omit it are unaffected.

Why our own layer around dateparser (shared/LIBRARIES.md §4): dateparser parses a
string that *is* a date, is slow when it has to guess the language, reads
"3/4" year-first with Swedish locale data, knows no week numbers, and its
`search_dates` finds dates in street numbers and "så". So we look for trigger
words first ("t.o.m.", "tillbaka", "until", "tilbake", "asti", ...; all in
`rules/lexicon/dates.toml`), read the few words after them with our own patterns
(day + month name, "3/4", "14.8.", "5.5.2026", ISO, week numbers, weekday names,
"tomorrow"), and only hand a short relative phrase ("nästa vecka", "next week")
to dateparser, with one language, DMY order, the message's date as the base and
future dates preferred. `search_dates` is never run over a mail.

What the date means: the date the text gives. After an "until" word it is the
last day away, after a "back" word the day the person is back; a week number is
that week's last day (Sunday, `week_last_weekday`), or its Monday after a "back"
word. A date without a year takes the message's year, or the next year when it
would lie more than a week before the message.

>>> from datetime import datetime
>>> sent = datetime(2026, 3, 20, 9, 0)
>>> parse_until("Jag är på semester t.o.m. 14/8.", sent_at=sent)
datetime.date(2026, 8, 14)
>>> parse_until("Åter i tjänst v. 33", sent_at=sent)
datetime.date(2026, 8, 10)
>>> parse_until("I'm back on Monday 5 January", sent_at=sent)
datetime.date(2027, 1, 5)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from itertools import islice
from typing import Any

from harvester.understand.lexicon import Lexicon, load_lexicon, phrase_regex
from harvester.understand.region import LanguageWords, best_language, language_matchers

__all__ = ["parse_until"]

_FILE = "dates"
_FLAGS = re.IGNORECASE
#: Trigger words looked at per kind: an out-of-office note has a few, junk has thousands.
_MAX_TRIGGERS = 12
#: Characters read around a trigger (a date follows within a few words).
_REACH = 160
#: How far (days) before the message a year-less date may lie and still be this year.
_PAST_SLACK = 7
#: A sentence ends at "!", "?", a blank line, or "." before a capital letter.
_SENTENCE_END = re.compile(r"[!?](?:\s|$)|\n\s*\n|\.\s+(?=[A-ZÅÄÖÆØ])")
_WORD = re.compile(r"\S+")

_BACK = "back"
_UNTIL = "until"


@dataclass(frozen=True, slots=True)
class _Grammar:
    """The compiled patterns of one lexicon's dates file."""

    until: re.Pattern[str]
    until_before: re.Pattern[str]
    back: re.Pattern[str]
    date: re.Pattern[str]
    range_sep: re.Pattern[str]
    time: re.Pattern[str]
    relative: re.Pattern[str]
    today: re.Pattern[str]
    months: dict[str, int]
    weekdays: dict[str, int]
    languages: dict[str, LanguageWords]
    max_gap: int
    #: ISO weekday a week number stands for: (alone or "until", after "back").
    week_days: tuple[int, int]


def _names(lexicon: Lexicon, table: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for key in lexicon.keys(_FILE, table):
        if key.isdigit():
            for name in lexicon.phrases(_FILE, f"{table}.{key}"):
                found.setdefault(name.lower().rstrip("."), int(key))
    return found


def _alternation(names: dict[str, int]) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) or "(?!x)x"


@lru_cache(maxsize=8)
def _grammar(lexicon: Lexicon) -> _Grammar:
    months = _names(lexicon, "month")
    weekdays = _names(lexicon, "weekday")
    mon = rf"(?:{_alternation(months)})"
    day_suffix = r"(?:\s*(?::?e|:a|st|nd|rd|th)(?!\w)|\.)?"
    forms = [
        r"(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})(?!\d)",
        # "den 3 april", "3:e april", "d. 14. august", "14 aug. 2026", "3rd of April"
        rf"(?<![\d.])(?:(?:den|d\.)\s*)?(?P<nd>\d{{1,2}}){day_suffix}\s*(?:of\s+)?"
        rf"(?P<nm>{mon})\.?(?!\w)(?:,?\s*(?P<ny>\d{{4}})(?!\d))?",
        # "April 3", "May 5th, 2026", "August the 14th"
        rf"(?<!\w)(?P<mm>{mon})\.?\s+(?:the\s+)?(?P<md>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:])"
        rf"(?:,?\s*(?P<my>\d{{4}})(?!\d))?",
        # "back on the 3rd", "åter den 3:e": a day of the month alone, this month or the next
        rf"(?<!\w)(?:the|den)\s+(?P<od>\d{{1,2}})(?:st|nd|rd|th|:e|:a)(?!\w)(?!\s*(?:of\s+)?{mon})",
        # "14/8", "3/4/2026", "8/14"
        r"(?<![\d/.])(?P<sa>\d{1,2})/(?P<sb>\d{1,2})(?:/(?P<sy>\d{4}|\d{2}))?(?![\d/])",
        # "14.8.", "5.5.2026", "14.08"
        r"(?<![\d.,])(?P<da>\d{1,2})\.(?P<db>\d{1,2})(?:\.(?P<dy>\d{4}|\d{2})(?!\d)|(?P<dd>\.)|(?![\d,]))",
    ]
    forms += [f"(?P<wk>{p.pattern})" for p in lexicon.patterns(_FILE, "week_regex")]
    forms.append(rf"(?<!\w)(?P<wd>{_alternation(weekdays)})(?!\w)")
    tomorrow = phrase_regex(lexicon.phrases(_FILE, "tomorrow"))
    if tomorrow:
        forms.append(f"(?P<tm>{tomorrow})")
    ranges = lexicon.phrases(_FILE, "trigger.range_regex")
    languages = dict(language_matchers(lexicon))
    return _Grammar(
        until=lexicon.matcher(_FILE, "trigger.until"),
        until_before=lexicon.matcher(_FILE, "trigger.until_before"),
        back=lexicon.matcher(_FILE, "trigger.back"),
        date=re.compile("|".join(forms), _FLAGS),
        range_sep=re.compile(rf"(?:{'|'.join(ranges) or '(?!x)x'})", _FLAGS),
        time=lexicon.matcher(_FILE, "time_regex"),
        relative=lexicon.matcher(_FILE, "relative"),
        today=lexicon.matcher(_FILE, "today"),
        months=months,
        weekdays=weekdays,
        languages=languages,
        max_gap=int(lexicon.get(_FILE, "trigger.max_gap_words", 6) or 6),
        week_days=(
            _weekday(lexicon.get(_FILE, "week_last_weekday"), 7),
            _weekday(lexicon.get(_FILE, "week_back_weekday"), 1),
        ),
    )


def _weekday(value: object, default: int) -> int:
    return value if isinstance(value, int) and 1 <= value <= 7 else default


# --- reading one matched date ------------------------------------------------------


def _year(value: str | None) -> int | None:
    if not value:
        return None
    year = int(value)
    return year + 2000 if year < 100 else year


def _dated(day: int, month: int, year: int | None, sent: date) -> date | None:
    try:
        if year is not None:
            return date(year, month, day)
        found = date(sent.year, month, day)
        if found < sent - timedelta(days=_PAST_SLACK):
            found = date(sent.year + 1, month, day)
        return found
    except ValueError:
        return None


def _day_of_month(day: int, sent: date) -> date | None:
    """The first `day` of a month from the sent date on ("the 3rd" on 29 October is 3 November)."""
    year, month = sent.year, sent.month
    for _ in range(3):
        try:
            found = date(year, month, day)
        except ValueError:
            found = None
        if found is not None and found >= sent:
            return found
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return None


def _week(number: int, *, back: bool, sent: date, days: tuple[int, int]) -> date | None:
    weekday = days[1] if back else days[0]
    for year in (sent.year, sent.year + 1):
        try:
            found = date.fromisocalendar(year, number, weekday)
        except ValueError:
            continue
        if found >= sent - timedelta(days=_PAST_SLACK):
            return found
    return None


def _read(m: re.Match[str], g: _Grammar, *, back: bool, sent: date) -> date | None:
    """The date one match of `_Grammar.date` stands for, or None when it is no date."""
    groups = m.groupdict()
    if groups["iy"]:
        return _dated(int(groups["id"]), int(groups["im"]), int(groups["iy"]), sent)
    if groups["nm"]:
        month = g.months.get(groups["nm"].lower())
        return _dated(int(groups["nd"]), month, _year(groups["ny"]), sent) if month else None
    if groups["mm"]:
        month = g.months.get(groups["mm"].lower())
        return _dated(int(groups["md"]), month, _year(groups["my"]), sent) if month else None
    if groups.get("od"):
        return _day_of_month(int(groups["od"]), sent)
    if groups["sa"]:
        first, second = int(groups["sa"]), int(groups["sb"])
        if first <= 12 < second:  # "8/14": only month-first reading is a date
            first, second = second, first
        return _dated(first, second, _year(groups["sy"]), sent)
    if groups["da"]:
        return _dated(int(groups["da"]), int(groups["db"]), _year(groups["dy"]), sent)
    if groups["wk"]:
        numbers = [n for n in m.groups()[m.re.groupindex["wk"] :] if n and n.isdigit()]
        if not numbers:
            return None
        number = int(numbers[1] if len(numbers) > 1 else numbers[0])
        return _week(number, back=back, sent=sent, days=g.week_days)
    if groups["wd"]:
        weekday = g.weekdays.get(groups["wd"].lower())
        if weekday is None:
            return None
        # "ledig fredag" written on that Friday is today; "åter fredag" then is a week ahead.
        ahead = (weekday - sent.isoweekday()) % 7
        return sent + timedelta(days=ahead or (7 if back else 0))
    if groups.get("tm"):
        return sent + timedelta(days=1)
    return None


def _is_explicit(m: re.Match[str]) -> bool:
    """A form that is a date wherever it stands (not a bare weekday, "tomorrow" or "14.08")."""
    groups = m.groupdict()
    if groups["da"]:
        return bool(groups["dy"] or groups["dd"])
    return not (groups["wd"] or groups.get("tm") or groups.get("od"))


def _range_end(text: str, m: re.Match[str], g: _Grammar, *, back: bool, sent: date) -> date | None:
    """For "1/7-14/8" (any dash) or "1 juli till 14 augusti": the end of the range, else None."""
    sep = g.range_sep.match(text, m.end())
    if sep is None:
        return None
    second = g.date.match(text, sep.end())
    if second is None or not _is_explicit(second):
        return None
    return _read(second, g, back=back, sent=sent)


def _best(text: str, start: int, stop: int, g: _Grammar, *, back: bool, sent: date, gap: int) -> date | None:
    """The first date in text[start:stop] within `gap` words of `start`; a full date
    beats a weekday, which beats "tomorrow" ("back on Monday 5 May" is 5 May)."""
    ranked: list[tuple[int, date]] = []
    for m in g.date.finditer(text, start, stop):
        if len(_WORD.findall(text, start, m.start())) > gap:
            break
        found = _range_end(text, m, g, back=back, sent=sent) or _read(m, g, back=back, sent=sent)
        if found is None:
            continue
        groups = m.groupdict()
        rank = 2 if groups.get("tm") else 1 if groups["wd"] else 0
        if rank == 0:
            return found
        ranked.append((rank, found))
    return min(ranked)[1] if ranked else None


# --- dateparser, for short relative phrases only -------------------------------------


@lru_cache(maxsize=64)
def _dateparser(language: str, base: date) -> Any:
    from dateparser.date import DateDataParser  # imported late: 130 ms, rarely needed

    settings: dict[str, Any] = {
        "DATE_ORDER": "MDY" if language == "en" else "DMY",
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": datetime(base.year, base.month, base.day),
        "REQUIRE_PARTS": [],
    }
    return DateDataParser(languages=[language], settings=settings)


def _language(text: str, g: _Grammar, hint: str | None) -> str:
    if hint:
        hint = hint.lower()[:2]
        return "nb" if hint in {"no", "nn"} else hint
    return best_language(text, g.languages) or "sv"


def _relative(text: str, start: int, g: _Grammar, *, sent: date, hint: str | None) -> date | None:
    """Hand the first few words after a trigger to dateparser when they look relative."""
    words = [w.strip(".,;:!?()") for w in _WORD.findall(text, start, start + 40)][:4]
    if not words or not g.relative.search(" ".join(words[:2])):
        return None
    parser = _dateparser(_language(text, g, hint), sent)  # the language only when needed
    for size in range(len(words), 0, -1):
        try:
            found = parser.get_date_data(" ".join(words[:size])).date_obj
        except Exception:  # dateparser raises assorted errors on odd input
            return None
        if found is not None:
            return found.date()
    return None


# --- the public function ------------------------------------------------------------


def _sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    """The sentence around `pos`, looking at most `_REACH` characters either way."""
    start = max(0, pos - _REACH)
    for end in _SENTENCE_END.finditer(text, start, pos):
        start = end.end()
    following = _SENTENCE_END.search(text, pos, pos + _REACH)
    return start, following.start() + 1 if following else min(len(text), pos + _REACH)


def _after_triggers(
    text: str, trigger: re.Pattern[str], g: _Grammar, *, back: bool, sent: date, hint: str | None
) -> date | None:
    for t in islice(trigger.finditer(text), _MAX_TRIGGERS):
        stop = _sentence_bounds(text, t.end())[1]
        found = _best(text, t.end(), stop, g, back=back, sent=sent, gap=g.max_gap)
        if found is None:
            found = _relative(text, t.end(), g, sent=sent, hint=hint)
        if found is not None:
            return found
    return None


def _before_triggers(text: str, g: _Grammar, *, sent: date) -> date | None:
    """Finnish postpositions: "lomalla 14.8. asti" — the last date just before the word."""
    for t in islice(g.until_before.finditer(text), _MAX_TRIGGERS):
        start = max(_sentence_bounds(text, t.start())[0], t.start() - 40)
        last: date | None = None
        for m in g.date.finditer(text, start, t.start()):
            if len(_WORD.findall(text, m.end(), t.start())) <= 2:
                last = _read(m, g, back=False, sent=sent) or last
        if last is not None:
            return last
    return None


def _anywhere(text: str, g: _Grammar, *, sent: date) -> date | None:
    """No trigger: the first explicit date (or range end) that is not in the past."""
    for m in g.date.finditer(text):
        if not _is_explicit(m):
            continue
        end = _range_end(text, m, g, back=False, sent=sent)
        if end is None and _STARTS.search(text, max(0, m.start() - 24), m.start()):
            continue  # "Från och med 1 november har jag en ny roll": when something starts
        found = end or _read(m, g, back=False, sent=sent)
        if found is not None and found >= sent:
            return found
    return None


# A date said as a start ("från och med 1 november", "starting 3 May") is no last day.
_STARTS = re.compile(
    r"(?:från och med|fr\.\s?o\.\s?m\.?|fra og med|fra og med den|alkaen|starting(?: on)?|"
    r"as of|from|since|sedan|från|fra)\s+(?:den\s+|d\.\s*|the\s+)?$",
    re.I,
)


def _today_or_tomorrow(head: str, g: _Grammar, sent: date) -> date | None:
    """ "VAB i dag och i morgon": the last day named; "off sick today": the sent date."""
    if not g.today.search(head):
        return None
    tomorrow = g.date.search(head)
    if tomorrow is not None and tomorrow.groupdict().get("tm"):
        return sent + timedelta(days=1)
    return sent


_TODAY_REACH = 400  # "today" counts in the opening lines, where an auto-reply says why

# "10/12" as a US writer means it: month first, so it is read with its parts swapped.
_SLASHED = re.compile(r"(?<![\d/.])(\d{1,2})/(\d{1,2})(?=(?:/\d{2,4})?(?![\d/]))")


def parse_until(
    text: str,
    *,
    sent_at: datetime | None,
    lang_hint: str | None = None,
    lexicon: Lexicon | None = None,
    month_first: bool = False,
) -> date | None:
    """The date `text` says its writer is away until (or back on); None when it says none.

    `sent_at` is the message's date: the base for years, weekdays and "tomorrow"
    (today when unknown). `month_first`: the writer is American, so "10/12" is 12 October.
    Never raises.
    """
    if not text or not isinstance(text, str):
        return None
    try:
        g = _grammar(lexicon if lexicon is not None else load_lexicon())
        sent = (sent_at or datetime.now(UTC)).date()
        text = g.time.sub(" ", text[:4000])
        if month_first:
            text = _SLASHED.sub(r"\2/\1", text)
        return (
            _after_triggers(text, g.until, g, back=False, sent=sent, hint=lang_hint)
            or _before_triggers(text, g, sent=sent)
            or _after_triggers(text, g.back, g, back=True, sent=sent, hint=lang_hint)
            or _anywhere(text, g, sent=sent)
            or _today_or_tomorrow(text[:_TODAY_REACH], g, sent)
        )
    except (ValueError, OverflowError, re.error):
        return None
