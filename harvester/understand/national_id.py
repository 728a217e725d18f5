"""Swedish identity numbers in free text: personnummer and samordningsnummer vs organisationsnummer.

Why our own finder (shared/LIBRARIES.md §7): python-stdnum validates one number
but neither finds numbers in text nor tells a person from a company, and it
accepts a personnummer as an organisationsnummer (both are Luhn numbers). The
rule here: the two digits after the birth year are a month (01 to 12) for a person;
the day is 01 to 31 for a personnummer and 61 to 91 (day + 60) for a samordningsnummer;
an organisation number has 20 or more in that place ("556036-0793", also in the
12-digit form "16556036-0793"). The Luhn check runs on the last ten digits.

An enskild firma's organisation number *is* its owner's personnummer, so it is
found (and redacted) as personal data, which is what it is.

>>> [m.kind for m in find_ids("pnr 19121212-1212, orgnr 556036-0793")]
['personnummer']
>>> classify("701063-2391")
'samordningsnummer'
>>> classify("556036-0793")
'organisationsnummer'
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from stdnum import luhn

__all__ = ["IdMatch", "classify", "find_ids"]

# 10 or 12 digits, an optional separator before the last four (- + en dash or a space).
_CANDIDATE = re.compile(r"(?<![\d-])((?:\d{2})?\d{6})\s?([-+\u2013]?)\s?(\d{4})(?![\d-])")
_SIX_DIGITS = re.compile(r"\d\d\d\d\d\d")
# Below U+0100 the digits `\d` knows are 0-9: a latin-1 text is asked in one translate.
_DIGITS_ONLY = bytes(0x30 if chr(b).isdecimal() else 0x20 for b in range(256))
_LATIN1_DIGITS_ARE_ASCII = all(chr(b).isdecimal() == (0x30 <= b <= 0x39) for b in range(256))
_PHONE_CONTEXT = re.compile(r"(?:tel|mob|phone|fax|växel|vx|nr|direkt)\w*\W{0,3}$", re.I)


@dataclass(frozen=True, slots=True)
class IdMatch:
    """One identity number found in text: where it is and what it is."""

    start: int
    end: int
    kind: str  # "personnummer" | "samordningsnummer"


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def classify(number: str) -> str | None:
    """'personnummer', 'samordningsnummer', 'organisationsnummer', or None when not valid."""
    digits = re.sub(r"\D", "", number)
    if len(digits) not in (10, 12):
        return None
    century = digits[:2] if len(digits) == 12 else None
    ten = digits[-10:]
    if not luhn.is_valid(ten):
        return None
    month, day = int(ten[2:4]), int(ten[4:6])
    if century == "16" or month >= 20:
        return "organisationsnummer" if month >= 20 else None
    if century is not None and century not in ("18", "19", "20"):
        return None
    year = int((century or "20") + ten[:2])
    if 1 <= month <= 12:
        if 61 <= day <= 91 and _valid_date(year, month, day - 60):
            return "samordningsnummer"
        if _valid_date(year, month, day) or (century is None and _valid_date(1900 + year % 100, month, day)):
            return "personnummer"
    return None


def _has_six_digits(text: str) -> bool:
    if _LATIN1_DIGITS_ARE_ASCII:
        try:
            return b"000000" in text.encode("latin-1").translate(_DIGITS_ONLY)
        except UnicodeEncodeError:
            pass  # digits of other scripts may be there: the search knows them
    return _SIX_DIGITS.search(text) is not None


def find_ids(text: str) -> list[IdMatch]:
    """Every personnummer or samordningsnummer in `text` (organisation numbers are left out).

    A bare ten-digit run that starts with 07 (a mobile number), or any bare run right
    after a phone label ("Tel 0846500410"), is a phone number, not an identity, even
    when it happens to pass the checks.
    """
    found: list[IdMatch] = []
    if not _has_six_digits(text):
        return found  # every candidate has six digits in a row; a scan for them is 5x cheaper
    for match in _CANDIDATE.finditer(text):
        kind = classify(match.group(0))
        if kind not in ("personnummer", "samordningsnummer"):
            continue
        bare = not match.group(2) and " " not in match.group(0) and len(match.group(1)) == 6
        if bare and match.group(1).startswith("07"):
            continue  # "0701740610": a Swedish mobile number written without spaces
        if bare and match.group(1).startswith("0"):
            before = text[max(0, match.start() - 20) : match.start()]
            if _PHONE_CONTEXT.search(before):
                continue
        found.append(IdMatch(match.start(), match.end(), kind))
    return found
