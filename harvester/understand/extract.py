"""Contact values in free text: e-mail addresses, typed phone numbers, URLs, postal addresses.

Each finder takes text that has already passed the redaction gate (a personnummer
is gone before `find_phones` can mistake it for a number) and returns values in
the contract's normal form: e-mails via email-validator with a lower-case domain,
phones as E.164 with a type, URLs with a scheme. "Nothing found" is an empty list
or None, never an exception.

>>> find_emails("Skriv till Karin.Berg@Dagbladet.Example eller ring.")
['karin.berg@dagbladet.example']
>>> [(p.e164, p.type.value) for p in find_phones("Mobil: 070-174 06 05")]
[('+46701740605', 'mobile')]
>>> find_urls("www.dagbladet.example/kultur")
['https://www.dagbladet.example/kultur']
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import Leniency, PhoneNumber, PhoneNumberMatcher, PhoneNumberType

from harvester.understand.types import Address, Phone, PhoneType

__all__ = [
    "find_address",
    "find_emails",
    "find_phones",
    "find_urls",
    "normalize_email",
    "split_street",
]

# RFC 5322 is wider than this; these are the addresses people put in signatures.
_EMAIL = re.compile(
    r"(?<![\w.+-])([A-Za-z0-9][A-Za-z0-9._%+'-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24})(?![\w-])"
)


@lru_cache(maxsize=4096)
def normalize_email(address: str) -> str | None:
    """The normal form of one address (email-validator, lower-case domain), or None if invalid."""
    address = address.strip().strip("<>().,;:").strip()
    try:
        result = validate_email(
            address, check_deliverability=False, test_environment=True, allow_smtputf8=True
        )
    except EmailNotValidError:
        return None
    # Lower-cased whole: mail systems treat local parts case-insensitively in practice,
    # and the store keys people by address.
    return result.normalized.lower()


def find_emails(text: str) -> list[str]:
    """Every valid address in `text`, normalised, first occurrence order, no duplicates."""
    found: list[str] = []
    seen: set[str] = set()
    for match in _EMAIL.finditer(text):
        value = normalize_email(match.group(1))
        if value and value.lower() not in seen:
            seen.add(value.lower())
            found.append(value)
    return found


# Labels written before a number, per language; the nearest label on the same line wins.
# sv: mobil, mob, direkt, tel, telefon, växel, vx, fax; en: mobile, cell, direct, phone,
# switchboard, main; no/da: mobil, telefon, sentralbord, omstilling, hovednummer; fi:
# matkapuhelin, puh, puhelin, vaihde, faksi.
_LABELS: tuple[tuple[PhoneType, re.Pattern[str]], ...] = (
    (
        PhoneType.FAX,
        re.compile(r"\b(?:tele)?fa[xk]s?i?\b|\bfaksi\b", re.I),
    ),
    (
        PhoneType.SWITCHBOARD,
        re.compile(
            r"\b(?:växel|vaxel|vxl|vx|switchboard|switch|exch|exchange|main|reception|sentralbord|omstilling|"
            r"hovednummer|hovedtelefon|vaihde)\b",
            re.I,
        ),
    ),
    (
        PhoneType.MOBILE,
        re.compile(
            r"\b(?:mobil(?:e|telefon|nummer)?|mob|cell(?:phone)?|gsm|handy|matkapuhelin|"
            r"matkap|kännykkä|m)\b",
            re.I,
        ),
    ),
)
# Labels that name no kind ("Tel:", "Direkt:"): the number plan decides (07x → mobile).
_GENERIC_LABEL = re.compile(
    r"\b(?:tel|telefon|tlf|tfn|phone|ph|puh|puhelin|t|direkt(?:nummer|nr)?|dir|direct|direkte|"
    r"office|kontor|arbete|work|fast|landline|d)\b",
    re.I,
)
# Unlabelled: what the number plan calls mobile is mobile, everything else fixed
# (a 010 or 0771 number without "växel" is as likely a direct line).
_BY_NUMBER_TYPE = {PhoneNumberType.MOBILE: PhoneType.MOBILE}
_LABEL_WINDOW = 40
_DIGIT_RUN = re.compile(r"\d(?:[\s().-]{0,3}\d){5}")
# The matcher merges numbers set apart only by wide gaps or bars; a same-length newline
# keeps them apart without moving any offset.
_GAP = re.compile(r"[ \t]{2,}|[ \t]?[|/•·][ \t]?")


def _gap_to_newline(match: re.Match[str]) -> str:
    return " " * (len(match.group()) - 1) + "\n"


# A label written after the number types it like one before: "0411-55 72 00 (växel)",
# "08-123 45 00, vx", "+47 22 12 34 56 – sentralbord". In brackets, or after a dash or
# comma and then nothing more on the line but a separator ("…, mobil | e-post …"); a word
# followed by a number or a colon ("…, Fax: 08-…") is the next number's label.
_AFTER_LABEL = re.compile(
    r"\s*(?:[(\[]\s*(?P<label>[^()\[\]\d]{1,25}?)\s*[)\]]"
    r"|[-\u2013\u2014,]\s*(?P<label2>[^\W\d](?:[^\W\d]|[.\- ]){0,20}?)\s*(?=$|[|•·;]|\s{2,})"
    # a bare label word right after the number: "08-465 004 00 vxl"
    r"|\s+(?P<label3>(?:vxl|vx|växel|växeln|vaxel|fax|faks|mobil|mob|switchboard|exch)\.?)\s*(?=$|[|•·;,]))",
    re.I,
)


def _label_after(line: str, end: int) -> str | None:
    """The label written just after a number (see `_AFTER_LABEL`), if it is a phone label."""
    match = _AFTER_LABEL.match(line, end)
    if match is None:
        return None
    label = match.group("label") or match.group("label2") or match.group("label3")
    if any(p.search(label) for _, p in _LABELS) or _GENERIC_LABEL.search(label):
        return label
    return None  # "(dygnet runt)", "– Stockholm": no label, the one before decides


def _label_type(prefix: str) -> PhoneType | None:
    """The type named by the label closest before a number (same line), if any."""
    best: tuple[int, PhoneType | None] = (-1, None)
    for ptype, pattern in _LABELS:
        for match in pattern.finditer(prefix):
            if match.start() > best[0]:
                best = (match.start(), ptype)
    generic = [m.start() for m in _GENERIC_LABEL.finditer(prefix)]
    if generic and generic[-1] > best[0]:
        return None  # "Tel:" says nothing about the line's kind; the number range decides
    return best[1]


def find_phones(text: str, *, region: str = "SE", regions: Sequence[str] | None = None) -> list[Phone]:
    """Valid numbers in `text`, E.164, typed from labels, else number range.

    A number without "+CC" is read in the first of `regions` (default: `region`
    alone) where it is valid and whole: "33 47 12 34" with ("DK", "SE") is Danish,
    "070-174 06 12" with ("GB", "SE") stays Swedish (see `region.phone_regions`).

    A label on the same line just before the number decides (mobil/M/GSM → mobile,
    växel/vx/sentralbord/vaihde → switchboard, fax/faks → fax); a generic "Tel:",
    "Direkt:" or no label leaves it to the number plan: mobile if it is one, else fixed.
    """
    if not _DIGIT_RUN.search(text):
        return []  # the matcher costs ~0.3 ms even on text without a number
    order = tuple(regions) if regions else (region,)
    # A sender's signature comes back in every mail they send: remember the answer.
    return [Phone(e164=e164, type=ptype) for e164, ptype in _phones(text, order)]


# A number read in a region that is not the last resort must not be a piece of a longer
# digit run ("08-465" of "08-465 004 00" is a valid Norwegian short number).
_DIGIT_NEAR_BEFORE = re.compile(r"\d[\s.\-/]?$")
_DIGIT_NEAR_AFTER = re.compile(r"^[\s.\-/]?\d")


def _whole(line: str, start: int, end: int) -> bool:
    return not (
        _DIGIT_NEAR_BEFORE.search(line[max(0, start - 2) : start])
        or _DIGIT_NEAR_AFTER.match(line[end : end + 2])
    )


@lru_cache(maxsize=4096)
def _matches(line: str, regions: tuple[str, ...]) -> tuple[tuple[int, int, PhoneNumber], ...]:
    """Numbers on one line, each read in the first region where it is valid (and whole).

    Remembered per line: a phone line recurs in signatures that differ elsewhere.
    """
    taken: list[tuple[int, int, PhoneNumber]] = []
    runs = [m.start() for m in _DIGIT_RUN.finditer(line)]
    for index, region in enumerate(regions):
        last = index == len(regions) - 1
        for match in PhoneNumberMatcher(line, region, leniency=Leniency.VALID):
            if any(match.start < e and s < match.end for s, e, _ in taken):
                continue
            if not last and not _whole(line, match.start, match.end):
                continue
            taken.append((match.start, match.end, match.number))
        if all(any(s <= r < e for s, e, _ in taken) for r in runs):
            break
    return tuple(sorted(taken, key=lambda t: t[0]))


@lru_cache(maxsize=4096)
def _phones(text: str, regions: tuple[str, ...]) -> tuple[tuple[str, PhoneType], ...]:
    found: list[tuple[str, PhoneType]] = []
    seen: set[str] = set()
    # Line by line, and only lines with a digit run: the matcher's cost grows with the text.
    for line in text.split("\n"):
        if not _DIGIT_RUN.search(line):
            continue
        previous_end = 0
        spaced = _GAP.sub(_gap_to_newline, line)
        for start_at, end_at, number in _matches(spaced, regions):
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            start = max(previous_end, start_at - _LABEL_WINDOW)
            prefix = line[start:start_at]
            previous_end = end_at
            if e164 in seen:
                continue
            seen.add(e164)
            ptype = _label_type(_label_after(line, end_at) or prefix)
            if ptype is None:
                ptype = _BY_NUMBER_TYPE.get(phonenumbers.number_type(number), PhoneType.FIXED)
            found.append((e164, ptype))
    return tuple(found)


# URLs: explicit scheme, www., or a social profile without either.
_SOCIAL = (
    r"(?:linkedin\.com/(?:in|company|pub)/|twitter\.com/|x\.com/|instagram\.com/|"
    r"facebook\.com/|fb\.com/|threads\.net/@?|bsky\.app/profile/|tiktok\.com/@|"
    r"youtube\.com/|mastodon\.[a-z]+/@|github\.com/|linktr\.ee/|beacons\.ai/)"
)
# A bare domain ("dagbladet.se", "sr.example/p2") counts only with a TLD seen in signatures.
_BARE = (
    r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:se|nu|no|dk|fi|is|eu|com|org|net|io|info|media|"
    r"fm|tv|example)(?![\w@-])(?!\.\w)(?:/[^\s<>\"'()\[\]|]*)?"
)
_URL = re.compile(
    r"(?<![@\w.\-/])((?:https?://|www\.)[^\s<>\"'()\[\]|]+|"
    r"(?:[a-z0-9-]+\.)*" + _SOCIAL + r"[^\s<>\"'()\[\]|]+|" + _BARE + ")",
    re.I,
)
_TRAILING = ".,;:!?\u00bb\u201d\u2019'\")"
_SOCIAL_URL = re.compile(r"^https?://(?:[a-z0-9-]+\.)*" + _SOCIAL + r"[^\s<>\"'()\[\]|]+$", re.I)


def is_social_profile(url: str) -> bool:
    """`url` is a profile on a social network ("https://www.instagram.com/name")."""
    return _SOCIAL_URL.match(url.strip()) is not None


def find_urls(text: str) -> list[str]:
    """Web and social-profile URLs, with https:// added when the text had no scheme."""
    found: list[str] = []
    seen: set[str] = set()
    for match in _URL.finditer(text):
        url = match.group(1).rstrip(_TRAILING)
        if "@" in url.split("/", 3)[-1 if url.startswith("http") else 0]:
            continue  # mailto-like: an address, not a web page
        if not url.lower().startswith(("http://", "https://")):
            url = "https://" + url
        scheme, _, rest = url.partition("://")
        host, slash, path = rest.partition("/")
        url = f"{scheme.lower()}://{host.lower()}{slash}{path}"
        if "." not in host:
            continue
        key = url.lower().rstrip("/")
        if key not in seen:
            seen.add(key)
            found.append(url)
    return found


# Postal lines. Swedish "111 22 Stockholm" (optionally "SE-"), Finnish "00100 Helsinki",
# Norwegian "0150 Oslo", Danish "1560 København V". City words start upper case.
_CITY = r"([A-ZÅÄÖÆØÜ][A-Za-zÅÄÖÆØÜåäöæøüé\-]+(?: [A-ZÅÄÖÆØ][A-Za-zÅÄÖÆØåäöæøé\-]*)?)"
_POSTAL = re.compile(
    r"(?:^|(?<=[\s,]))(?:(SE|S|NO|N|DK|FI|SF)[- ])?"
    r"(\d{3} \d{2}|\d{5}|\d{4})\s+" + _CITY + r"\s*$",
    re.M,
)
_COUNTRY_PREFIX = {
    "SE": "Sweden",
    "S": "Sweden",
    "NO": "Norway",
    "N": "Norway",
    "DK": "Denmark",
    "FI": "Finland",
    "SF": "Finland",
}
_COUNTRIES = re.compile(
    r"^\s*(Sverige|Sweden|Norge|Norway|Danmark|Denmark|Suomi|Finland|Island|Iceland)\s*$",
    re.I,
)
# Street-name endings (a suffix of the last word, or a word of its own) per language:
# sv -gatan/-vägen/-gränd/-torget/-platsen/-backen/-stigen/-kajen; no -gata/-gate/-veien/
# -plassen/-bakken; da -gade/-vej/-plads(en)/-stræde/-allé/-torv/-brygge; fi -katu/-tie/
# -kuja/-polku/-tori/-ranta/-aukio; en Road/Street/Lane/Square/Avenue/… (own words).
_STREET_SUFFIXES = (
    "gatan|gata|gaten|gate|gade|gaden|vägen|väg|veien|vegen|vei|vejen|vej|gränd|grenda|"
    "torget|torg|torvet|torv|tori|platsen|plats|plassen|plass|pladsen|plads|plan|backen|backe|"
    "bakken|bakke|stigen|stien|kajen|kaj|kaia|kaien|kai|brygga|bryggan|brygge|bryggen|allé|allén|alléen|"
    "allee|esplanaden|promenaden|leden|stræde|strædet|strede|stredet|katu|tie|kuja|polku|"
    "ranta|aukio|väylä|raitti"
)
_STREET_WORD = re.compile(
    r"(?:" + _STREET_SUFFIXES + r")\b|\b(?:street|st\.|road|rd\.|avenue|ave\.|lane|square|way|"
    r"place|row|terrace|crescent|quay|wharf|drive|close|gardens|court|walk|yard|hill)\b",
    re.I,
)
# Post boxes: "Box 123", "Postboks 4321 Sentrum", "Pb. 45 Blindern", "PL 12", "P.O. Box 7".
_BOX = r"(?:P\.?\s?O\.?\s?Box|Postbox|Postboks|Postilokero|Postbus|Box|Boks|PL|Pb\.?)\s*\d+[A-Za-z]?"
_BOX_DISTRICT = r"(?:\s+[A-ZÅÄÖÆØ][\wåäöæø\-]+){0,2}"
_STREET = re.compile(
    r"^" + _BOX + _BOX_DISTRICT + r"$|"
    r"^[A-ZÅÄÖÆØ][\wåäöæøéü.\- ]{1,40}\s\d{1,4}(?:\s?[A-Za-z](?![a-z]))?(?:[,\s]+(?:\d+\s?tr|"
    r"\d+\s?(?:vån|th|tv)\.?|[A-Z]))?$",
    re.I,
)
# A labelled phone, e-mail or web line ("Sentralbord: +47 …", "Tel. 08-…", "Web: …") is
# never an address line, whatever its words end in.
_CONTACT_LINE = re.compile(
    r"^\s*(?:(?:tele)?fa[xk]s?|faksi|växel|vaxel|vxl|vx|switchboard|sentralbord|omstilling|"
    r"hovednummer|vaihde|reception|mobil\w*|mob|cell\w*|gsm|matkapuhelin|tel\w*|tlf|tfn|"
    r"phone|ph|puh\w*|direkt\w*|direct|dir|e-?post|e-?mail|mail|sähköposti|web\w*|www|url|"
    r"hemsida|nettside|[tmfe])\b\.?\s*[:.]?\s*[+(\d]|"
    r"^\s*(?:e-?post|e-?mail|mail|sähköposti|web\w*|www|url|hemsida|nettside|hjemmeside)\s*[:.]|"
    r"\+\d|://|www\.",
    re.I,
)
# Items of an address line: bars, bullets, " - ", commas, and the wide gaps of table cells.
_SPLIT = re.compile(r"\s*(?:[|•·]|\s-\s|,|\t|\s{3,})\s*")


# "Besöksadress:", "Postadress:", "Address:", "Besøksadresse:", "Käyntiosoite:" before a street.
_ADDRESS_LABEL = re.compile(r"^\s*[A-Za-zÅÄÖÆØåäöæø\- ]{0,20}(?:adress|address|adresse|osoite)\s*:\s*", re.I)


# A street with its floor or flat after a comma: "Kvarngatan 12, 2 tr", "Storgatan 3, lgh 1102".
_FLOOR_STREET = re.compile(
    r"^[A-ZÅÄÖÆØ][\wåäöæøéü.\- ]{1,40}\s\d{1,4}\s?[A-Za-z]?,\s*(?:\d+\s?tr\.?|\d+\s?(?:vån|vån\.|trappor)|"
    r"lgh\.?\s?\d+|\d+\s?(?:th|tv|mf)\.?)$",
    re.I,
)


def _street_of(candidate: str) -> str | None:
    candidate = _ADDRESS_LABEL.sub("", candidate).strip().strip(",").strip()
    if not candidate or len(candidate) > 60 or "@" in candidate or _CONTACT_LINE.search(candidate):
        return None
    if _STREET.match(candidate) or (_STREET_WORD.search(candidate) and re.search(r"\d", candidate)):
        return split_street(candidate)[1]
    return None


# A table signature flattened to text can run cells together: "Exempel AB Storgatan 12",
# "Sofia Dahl Box 1234". The street is the tail that is a street on its own: a post box, a
# one-word street ("Storgatan 12", "Mannerheimintie 5"), or anything after a legal form.
_BOX_TAIL = re.compile(r"\s(" + _BOX + r")$")
_WHOLE_BOX = re.compile(_BOX + _BOX_DISTRICT, re.I)
_SUFFIX_WORD = re.compile(_STREET_SUFFIXES, re.I)
_ONE_WORD_STREET = re.compile(
    r"\s((?=[A-ZÅÄÖÆØ])[\wåäöæøéü\-]*(?i:" + _STREET_SUFFIXES + r")\s\d{1,4}(?:\s?[A-Za-z](?![a-z]))?"
    r"(?:[,\s]+(?:\d+\.?\s?(?:tr|vån|th|tv|mf|sal)\.?|[A-Z]))?)$"
)
_AFTER_LEGAL_FORM = re.compile(
    r"\s(?:AB|Ab|Oy|Oyj|AS|ASA|ApS|A/S|HB|KB|Ltd\.?|Limited|GmbH|Inc\.?|LLC|plc)\s+(\S.*)$"
)
# Words that belong to a street's name in front of it: "Gamla Brogatan", "S:t Eriksgatan".
_STREET_HEAD = re.compile(
    r"(?:gamla|nya|övre|nedre|lilla|stora|västra|östra|norra|södra|store|lille|vestre|østre|"
    r"søndre|nordre|nedre|øvre|gamle|nye|nørre|sønder|vester|øster|kongens|dronningens|prinsens|"
    r"kungens|drottningens|sankt|skt\.?|s:t|st\.?|old|new|upper|lower|north|south|east|"
    r"west|great|little|vanha|uusi|pohjoinen|eteläinen|itäinen|läntinen|iso|pieni)",
    re.I,
)


def split_street(line: str) -> tuple[str | None, str]:
    """ "Exempel AB Storgatan 12" → ("Exempel AB", "Storgatan 12"); a plain street → (None, line).

    Words that open a street's name stay with it: "Dansk Film Nørre Allé 7" → ("Dansk Film",
    "Nørre Allé 7"); a post box's own "P.O." is no firm.
    """
    if _WHOLE_BOX.fullmatch(line):
        return None, line
    for pattern in (_AFTER_LEGAL_FORM, _BOX_TAIL, _ONE_WORD_STREET):
        match = pattern.search(line)
        if match is None:
            continue
        head, street = line[: match.start(1)].strip(" ,"), match.group(1).strip()
        if pattern is _ONE_WORD_STREET:
            words = head.split()
            bare = _SUFFIX_WORD.fullmatch(street.split()[0])  # "Allé 3": "Frederiksberg Allé"?
            while words and _STREET_HEAD.fullmatch(words[-1]):
                street, bare = f"{words.pop()} {street}", None
            if bare:
                continue
            head = " ".join(words)
        if not head:
            continue
        if pattern is _AFTER_LEGAL_FORM and not (_STREET_WORD.search(street) or _STREET.match(street)):
            continue
        return head, street
    return None, line


# UK: "Kings Place, 90 York Way, London N1 9GU", "12 Deansgate, Manchester M3 2BW, United
# Kingdom", "Belvedere Road, London SE1 8XX"; the street is what stands before the town on
# the line (or the line above). The code may also stand alone under "street, town".
_UK_CODE = r"(?P<code>[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2})"
_UK_COUNTRY = (
    r"(?:\s*,?\s*(?P<country>United Kingdom|Great Britain|England|Scotland|Wales|Northern Ireland|U\.?K\.?))?"
)
_UK_POSTCODE = re.compile(
    r"(?:^|,\s*)(?P<city>[A-Z][A-Za-z'\-]+(?: [A-Z][A-Za-z'\-]+)?),?\s+" + _UK_CODE + _UK_COUNTRY + r"\s*$"
)
_UK_CODE_LINE = re.compile(r"^" + _UK_CODE + _UK_COUNTRY + r"\s*$")
_UK_TOWN_LINE = re.compile(r"(?:^|,\s*)(?P<city>[A-Z][A-Za-z'\-]+(?: [A-Z][A-Za-z'\-]+)?)\s*,?\s*$")
_UK_NAMED = re.compile(r"^(?:United Kingdom|Great Britain|England|Scotland|Wales|Northern Ireland|U\.?K\.?)$")
_UK_STREET = re.compile(
    r"\d|\b(?:Road|Street|Way|Lane|Avenue|Place|Square|Row|Hill|Gardens|Court|Quay|Wharf|"
    r"Terrace|Close|Drive|Crescent|Walk|Yard)\b"
)
# A UK postcode names its country as surely as "SE-" does: "United Kingdom" unless written.
_UK = "United Kingdom"
_DOTS = re.compile(r"\s+[·•|]\s+")


def _uk_address(lines: list[str]) -> Address | None:
    # "12 Castle Street · Cardiff · CF10 1BS": dots between the parts read as commas
    lines = [_DOTS.sub(", ", line) for line in lines]
    for index, line in enumerate(lines):
        match = _UK_POSTCODE.search(line)
        town_at = index
        if match is None:
            match = _UK_CODE_LINE.match(line)
            town = _UK_TOWN_LINE.search(lines[index - 1]) if match and index > 0 else None
            if match is None or town is None:
                continue
            town_at, head = index - 1, lines[index - 1][: town.start()]
            city = town.group("city")
        else:
            head, city = line[: match.start()], match.group("city")
        street: str | None = head.strip(" ,") or None
        if street is None and town_at > 0 and _UK_STREET.search(lines[town_at - 1]):
            street = lines[town_at - 1].strip(" ,") or None
        if street is not None and (len(street) > 60 or "@" in street or _CONTACT_LINE.search(street)):
            street = None
        country = match.group("country")
        if country is None and index + 1 < len(lines) and _UK_NAMED.match(lines[index + 1]):
            country = lines[index + 1]
        return Address(street=street, postal_code=match.group("code"), city=city, country=country or _UK)
    return None


# US: "New York, NY 10012" (a state's two letters and a ZIP), the street on the line above.
_US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR".split()
)
_US_CITY_LINE = re.compile(
    r"^(?:(?P<street>\d+[^,]*(?:,\s*(?:Suite|Ste\.?|Apt\.?|Floor|Fl\.?|Unit|#)\s*\w+)?),\s*)?"
    r"(?P<city>[A-Z][A-Za-z.'\- ]{1,30}),\s*(?P<state>[A-Z]{2})\s+(?P<zip>\d{5}(?:-\d{4})?)"
    r"(?:,?\s*(?P<country>USA|U\.S\.A\.|US|United States(?: of America)?))?$"
)
_US_STREET = re.compile(r"^\d+[A-Za-z]?\s+[A-Z]")
# Iceland: three-digit codes, taken only before a known town ("101 Reykjavík").
_IS_TOWNS = (
    "Reykjavík|Reykjavik|Kópavogur|Hafnarfjörður|Garðabær|Mosfellsbær|Seltjarnarnes|Akureyri|"
    "Reykjanesbær|Selfoss|Akranes|Ísafjörður|Egilsstaðir|Húsavík|Vestmannaeyjar|Borgarnes|"
    "Hveragerði|Sauðárkrókur"
)
_IS_POSTAL = re.compile(r"(?:^|(?<=[\s,]))(?:IS[- ])?(\d{3})\s+(" + _IS_TOWNS + r")\s*$")
# "Cork, Ireland", "Berlin, Germany": a town and a written country, with no post code.
_CITY_COUNTRY = re.compile(
    r"^(?P<city>[A-ZÅÄÖÆØÉÍÓÚ][\w'.\-]+(?: [A-ZÅÄÖÆØ][\w'.\-]+)?),\s*(?P<country>Ireland|Irland|Éire|"
    r"United Kingdom|UK|England|Scotland|Wales|USA|United States|Germany|Deutschland|Tyskland|"
    r"France|Frankrike|Netherlands|Nederländerna|Nederland|Belgium|Belgien|Estonia|Eesti|Estland|"
    r"Spain|Spanien|Italy|Italien|Sverige|Sweden|Norge|Norway|Danmark|Denmark|Suomi|Finland|"
    r"Island|Iceland|Ísland)$"
)


def has_us_address(text: str) -> bool:
    """`text` has an American "City, ST 12345" line (its writer writes dates month first)."""
    if not _DIGIT_RUN.search(text):
        return False
    return _us_address([line.strip() for line in text.splitlines()]) is not None


def _us_address(lines: list[str]) -> Address | None:
    for index, line in enumerate(lines):
        match = _US_CITY_LINE.match(line)
        if match is None or match.group("state") not in _US_STATES:
            continue
        street = match.group("street") or _street_above(lines, index)
        return Address(
            street=street.strip() if street else None,
            postal_code=match.group("zip"),
            city=match.group("city").strip(),
            country=match.group("country"),
        )
    return None


def _icelandic_address(lines: list[str]) -> Address | None:
    for index, line in enumerate(lines):
        parts = [p for p in _SPLIT.split(line) if p]
        for pindex, part in enumerate(parts):
            match = _IS_POSTAL.search(part)
            if match is None:
                continue
            street = _street_of(part[: match.start()]) if match.start() > 0 else None
            for earlier in reversed(parts[:pindex]):
                street = street or _street_of(earlier)
            if street is None and index > 0:
                street = next((_street_of(p) for p in reversed(_SPLIT.split(lines[index - 1])) if p), None)
            return Address(street=street, postal_code=match.group(1), city=match.group(2), country=None)
    return None


def _town_and_country(lines: list[str]) -> Address | None:
    for line in lines:
        match = _CITY_COUNTRY.match(line)
        if match:
            return Address(
                street=None, postal_code=None, city=match.group("city"), country=match.group("country")
            )
    return None


# "Besöksadress: Kajgatan 2, Västerlunda": a labelled street and town with no post code.
_LABELLED_STREET_TOWN = re.compile(
    r"^(?:besöksadress|gatuadress|adress|postadress|visiting address|address|besøksadresse|"
    r"besøgsadresse|adresse|käyntiosoite|osoite)\s*:\s*(?P<street>[^,]{3,50}?\d{1,4}\s?[A-Za-z]?)\s*,\s*"
    r"(?P<city>[A-ZÅÄÖÆØ][\wåäöæø\-]+(?: [A-ZÅÄÖÆØ][\wåäöæø\-]+)?)$",
    re.I,
)


def _labelled_street_and_town(lines: list[str]) -> Address | None:
    for line in lines:
        match = _LABELLED_STREET_TOWN.match(line)
        if match and _street_of(match.group("street")):
            return Address(
                street=match.group("street").strip(), postal_code=None, city=match.group("city"), country=None
            )
    return None


_ENGLISH_STREET_END = re.compile(
    r"\b(?:Street|St|Road|Rd|Avenue|Ave|Lane|Boulevard|Blvd|Drive|Dr|Way|Place|Pl|Square|Row|"
    r"Court|Terrace|Parkway|Pike|Highway|Hwy)\.?$"
)
_DUTCH_LETTERS = re.compile(r"[A-Z]{2}\s")  # "1012 SH Amsterdam": the code's letters, then the town


# Dutch "1012 SH Amsterdam", Canadian "Toronto, ON M5V 3A8", Australian "Surry Hills NSW 2010".
_NL_POSTAL = re.compile(r"^(?P<code>\d{4}\s?[A-Z]{2})\s+(?P<city>[A-Z][\w'\- ]{1,30})$")
_CA_PROVINCES = frozenset("AB BC MB NB NL NS NT NU ON PE QC SK YT".split())
_CA_POSTAL = re.compile(
    r"^(?:(?P<street>\d+[^,]*),\s*)?(?P<city>[A-Z][A-Za-zÀ-ÿ.'\- ]{1,30}),?\s+(?P<prov>[A-Z]{2})\s+"
    r"(?P<code>[A-Z]\d[A-Z]\s?\d[A-Z]\d)(?:,?\s*(?P<country>Canada))?$"
)
_AU_STATES = frozenset("NSW VIC QLD SA WA TAS NT ACT".split())
_AU_POSTAL = re.compile(
    r"^(?:(?P<street>\d+[^,]*),\s*)?(?P<city>[A-Z][A-Za-z'\- ]{1,30}?)\s+(?P<state>[A-Z]{2,3})\s+"
    r"(?P<code>\d{4})(?:,?\s*(?P<country>Australia))?$"
)


def _street_above(lines: list[str], index: int) -> str | None:
    if index == 0 or not _US_STREET.match(lines[index - 1]):
        return None
    above = lines[index - 1].strip(" ,")
    return None if "@" in above or _CONTACT_LINE.search(above) or len(above) > 60 else above


def _other_address(lines: list[str]) -> Address | None:
    """A Dutch, Canadian or Australian post-code line, the street on it or just above."""
    for index, line in enumerate(lines):
        nl = _NL_POSTAL.match(line)
        if nl and index > 0 and _street_of(lines[index - 1]):
            country = (
                lines[index + 1] if index + 1 < len(lines) and _NL_NAMED.match(lines[index + 1]) else None
            )
            return Address(
                street=_street_of(lines[index - 1]),
                postal_code=nl.group("code"),
                city=nl.group("city"),
                country=country,
            )
        for pattern, regions, key in ((_CA_POSTAL, _CA_PROVINCES, "prov"), (_AU_POSTAL, _AU_STATES, "state")):
            match = pattern.match(line)
            if match and match.group(key) in regions:
                street = match.group("street") or _street_above(lines, index)
                return Address(
                    street=street.strip() if street else None,
                    postal_code=match.group("code"),
                    city=match.group("city").strip(),
                    country=match.group("country"),
                )
    return None


_NL_NAMED = re.compile(r"^(?:The Netherlands|Netherlands|Nederland|Holland)$", re.I)


def find_address(text: str) -> Address | None:
    """The first postal address: a post-code line, the street on the same line or just above;
    failing that a "Town, Country" line."""
    lines = [line.strip() for line in text.splitlines()]
    return (
        _nordic_address(lines)
        or _uk_address(lines)
        or _us_address(lines)
        or _other_address(lines)
        or _icelandic_address(lines)
        or _labelled_street_and_town(lines)
        or _town_and_country(lines)
    )


def _nordic_address(lines: list[str]) -> Address | None:
    for index, line in enumerate(lines):
        parts = [p for p in _SPLIT.split(line) if p]
        for pindex, part in enumerate(parts):
            part = _ADDRESS_LABEL.sub("", part)
            match = _POSTAL.search(part)
            if not match:
                continue
            prefix, code, city = match.group(1), match.group(2), match.group(3)
            if len(code) == 4 and (
                not _looks_nordic_city(city) or _ENGLISH_STREET_END.search(city) or _DUTCH_LETTERS.match(city)
            ):
                continue
            street = _street_of(part[: match.start()]) if match.start() > 0 else None
            if match.start() > 0 and street is None:
                continue
            for earlier in reversed(parts[:pindex]):
                if street:
                    break
                street = _street_of(earlier)
            if street is None and index > 0:
                # "Kvarngatan 12, 2 tr" is one street with its floor; else the line's last street item
                whole = _FLOOR_STREET.match(lines[index - 1].strip())
                above = [whole.group(0)] if whole else [p for p in _SPLIT.split(lines[index - 1]) if p]
                for earlier in reversed(above):
                    street = _street_of(earlier)
                    if street:
                        break
            country = _COUNTRY_PREFIX.get(prefix.upper()) if prefix else None
            rest = parts[pindex + 1 :] + ([lines[index + 1]] if index + 1 < len(lines) else [])
            for after in rest[:2]:
                named = _COUNTRIES.match(after)
                if named:
                    country = named.group(1)
                    break
            return Address(street=street, postal_code=code, city=city.strip(), country=country)
    return None


def _looks_nordic_city(city: str) -> bool:
    """A four-digit code is also a year or a number; accept it only before a real-looking place."""
    return len(city) >= 3 and not city.lower().startswith(("kl", "tel", "mob", "fax"))
