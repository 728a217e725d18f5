"""Which country a message's national-format phone numbers belong to, and the text's language.

Why: "33 47 12 34", "412 34 567" and "040 123 4567" are Danish, Norwegian and
Finnish numbers, but read with region SE they are lost or, worse, turned into
Swedish ones (+46 40 …). A number written without "+CC" belongs to the writer's
country, and the message says which: first the sender's domain (".dk", ".co.uk"),
then the country of the signature's own postal address ("0150 Oslo", "Danmark";
`address_region`), then the language of the sender's own text, then SE (our own market). The phone
finder takes the first of these regions in which the number is valid, so a Swede
writing English keeps "070-174 06 12" as +46 (no UK number looks like it).

The language detector counts a few frequent words per language
(`rules/lexicon/dates.toml`, `[language]`); dateparser's inner language and the
auto-reply finder use the same one. The language → region table is
`rules/lexicon/autoreply.toml`, `[phone_region]`.

>>> from harvester.understand.lexicon import load_lexicon
>>> phone_regions("Hej, tack!", sender_email="a@dr.dk", lexicon=load_lexicon())
('DK', 'SE')
>>> phone_regions("Hei, olen lomalla. Terveisin", sender_email="a@x.example", lexicon=load_lexicon())
('FI', 'SE')
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import repeat

import phonenumbers

from harvester.understand.lexicon import Lexicon
from harvester.understand.types import Address

__all__ = [
    "DEFAULT_REGION",
    "LanguageWords",
    "address_region",
    "best_language",
    "explicit_region",
    "label_region",
    "language_matchers",
    "legal_form_region",
    "phone_regions",
    "prefer_address_region",
    "ranked_languages",
]

DEFAULT_REGION = "SE"
# ccTLDs whose phone region is not the TLD upper-cased.
_TLD_REGION = {"uk": "GB"}
_LANGUAGE_FILE = "dates"
_REGION_FILE = "autoreply"
_WORD = re.compile(r"\w+")
_MAX_TEXT = 4000  # the opening of the text tells its language


@dataclass(frozen=True, slots=True)
class LanguageWords:
    """One language's telling words (counted per word) and phrases (counted as substrings)."""

    words: frozenset[str]
    phrases: tuple[str, ...]

    def score(self, lower: str, counts: Counter[str]) -> int:
        return sum(map(counts.get, self.words, repeat(0))) + sum(lower.count(p) for p in self.phrases)


@lru_cache(maxsize=8)
def language_matchers(lexicon: Lexicon) -> Mapping[str, LanguageWords]:
    """The telling words of each language code of `[language]`.

    Counted over a word list, not a regex alternation: one `\\w+` pass over the
    text is ~20x faster than five alternations with word boundaries.
    """
    found: dict[str, LanguageWords] = {}
    for lang in lexicon.keys(_LANGUAGE_FILE, "language"):
        items = [i.lower().strip() for i in lexicon.phrases(_LANGUAGE_FILE, f"language.{lang}")]
        found[lang] = LanguageWords(
            words=frozenset(i for i in items if _WORD.fullmatch(i)),
            phrases=tuple(i for i in items if i and not _WORD.fullmatch(i)),
        )
    return found


# Below U+0100 a word character stays itself and every other becomes a space.
_SPACE_NON_WORD = bytes(b if chr(b).isalnum() or b == 0x5F else 0x20 for b in range(256))


def _words_of(text: str) -> list[str]:
    """`_WORD.findall(text)`: for a latin-1 text a translate and a split, ~3x cheaper."""
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        return _WORD.findall(text)
    return raw.translate(_SPACE_NON_WORD).decode("latin-1").split()


def ranked_languages(text: str, languages: Mapping[str, LanguageWords]) -> list[tuple[str, int]]:
    """(language, telling words) for each language with at least one in `text`, most first."""
    lower = text[:_MAX_TEXT].lower()
    counts = Counter(_words_of(lower))
    scores = {lang: words.score(lower, counts) for lang, words in languages.items()}
    return sorted(((lang, score) for lang, score in scores.items() if score), key=lambda item: -item[1])


def best_language(text: str, languages: Mapping[str, LanguageWords]) -> str | None:
    """The language with most telling words in `text`; None when no word tells."""
    ranked = ranked_languages(text, languages)
    return ranked[0][0] if ranked else None


def _domain_region(sender_email: str | None) -> str | None:
    if not sender_email or "@" not in sender_email:
        return None
    tld = sender_email.rpartition(".")[2].lower()
    region = _TLD_REGION.get(tld, tld.upper())
    return region if len(tld) == 2 and region in phonenumbers.SUPPORTED_REGIONS else None


def phone_regions(text: str, *, sender_email: str | None, lexicon: Lexicon) -> tuple[str, ...]:
    """Regions to read national numbers in, most likely first: domain, languages, SE."""
    regions: list[str] = []
    domain = _domain_region(sender_email)
    if domain:
        regions.append(domain)
    # Every language the text is written in, not only the first: a Finnish auto-reply
    # with an English translation still has Finnish numbers. A second language counts
    # when it is really written there (at least half as many telling words, and two),
    # not when a word or two of a neighbour language happen to occur ("hei").
    ranked = ranked_languages(text, language_matchers(lexicon))
    best = ranked[0][1] if ranked else 0
    for language, score in ranked:
        if score != best and (score < 2 or 2 * score < best):
            continue
        found = lexicon.get(_REGION_FILE, f"phone_region.{language}")
        for region in [found] if isinstance(found, str) else found if isinstance(found, list) else []:
            if isinstance(region, str) and region not in regions:
                regions.append(region)
    if DEFAULT_REGION not in regions:
        regions.append(DEFAULT_REGION)
    return tuple(regions)


_ADDRESS_FILE = "signature"
_SHAPES = (
    (re.compile(r"\d{3} \d{2}"), ("SE",)),
    (re.compile(r"\d{5}"), ("FI", "SE")),
    (re.compile(r"\d{4}"), ("NO", "DK")),
)
_DANISH_DISTRICT = re.compile(r"\s[A-ZÆØÅ]$")  # "København K", "Aarhus C", "Aalborg Ø"


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


@lru_cache(maxsize=8)
def _address_words(lexicon: Lexicon) -> tuple[dict[str, str], dict[str, str], tuple[tuple[str, str], ...]]:
    """(country name → region, town → region, (street ending, region) longest first)."""

    def table(key: str) -> dict[str, str]:
        return {
            _fold(word): region
            for region in lexicon.keys(_ADDRESS_FILE, f"address_region.{key}")
            for word in lexicon.phrases(_ADDRESS_FILE, f"address_region.{key}.{region}")
        }

    endings = sorted(table("street_endings").items(), key=lambda item: -len(item[0]))
    return table("countries"), table("towns"), tuple(endings)


def address_region(address: Address | None, lexicon: Lexicon) -> str | None:
    """The phone region of a signature's own postal address, when it tells one.

    A written country ("Danmark", "Norway", a "N-" prefix) decides; else the postal
    code's shape narrows it ("111 22" Swedish; four digits Norwegian or Danish; five
    Finnish or Swedish) and the town or the street's ending picks the country.
    """
    if address is None:
        return None
    countries, towns, endings = _address_words(lexicon)
    if address.country:
        return countries.get(_fold(address.country))
    code, city = address.postal_code or "", address.city or ""
    shape = next((regions for pattern, regions in _SHAPES if pattern.fullmatch(code)), ())
    if len(shape) == 1:
        return shape[0]
    town = _fold(_DANISH_DISTRICT.sub("", city))
    if towns.get(town) in shape:
        return towns[town]
    if "DK" in shape and _DANISH_DISTRICT.search(city):
        return "DK"
    street = _fold(address.street or "")
    name = re.sub(r"[\s\d,.\-]+[a-z]?$", "", street)  # "møllergata 12 b" → "møllergata"
    for ending, region in endings:
        if region in shape and name.endswith(ending):
            return region
    return None


def prefer_address_region(
    regions: tuple[str, ...], hint: str | None, *, sender_email: str | None
) -> tuple[str, ...]:
    """`regions` with the address's region moved ahead of the languages (after the domain's)."""
    if hint is None or hint not in phonenumbers.SUPPORTED_REGIONS or regions[:1] == (hint,):
        return regions
    domain = _domain_region(sender_email)
    head = (domain,) if domain is not None and regions[:1] == (domain,) else ()
    return (*head, hint, *(r for r in regions if r != hint and r not in head))


@lru_cache(maxsize=8)
def _label_patterns(lexicon: Lexicon) -> tuple[tuple[str, re.Pattern[str]], ...]:
    found = []
    for region in lexicon.keys(_ADDRESS_FILE, "phone_label_region"):
        labels = lexicon.phrases(_ADDRESS_FILE, f"phone_label_region.{region}")
        if labels:
            alternation = "|".join(re.escape(label) for label in sorted(labels, key=len, reverse=True))
            # "puh. 040 …", "Puhelin: 09 …", "puh./tfn 040 …" (a second language's label after a slash)
            found.append(
                (
                    region,
                    re.compile(
                        rf"(?<!\w)(?:{alternation})\.?(?:\s*/\s*\w+\.?)*\s*:?\s*[+(\d]", re.IGNORECASE
                    ),
                )
            )
    return tuple(found)


def label_region(text: str, lexicon: Lexicon) -> str | None:
    """The one country whose own phone labels the text uses before a number ("puh. 040 …").

    None when no such label is written, or labels of two countries are.
    """
    regions = {region for region, pattern in _label_patterns(lexicon) if pattern.search(text)}
    return regions.pop() if len(regions) == 1 else None


_PLUS = re.compile(r"\+\s?\(?\d")


def explicit_region(text: str) -> str | None:
    """The one country of the numbers the text writes with "+CC" ("Direct line: +353 …" above
    "Mob: 087 …": the mobile is Irish too); None when none or several are written."""
    if not _PLUS.search(text):
        return None
    found = {
        phonenumbers.region_code_for_number(match.number)
        for match in phonenumbers.PhoneNumberMatcher(text, "ZZ", leniency=phonenumbers.Leniency.VALID)
    }
    found.discard(None)
    found.discard("ZZ")
    return found.pop() if len(found) == 1 else None


@lru_cache(maxsize=8)
def _legal_forms(lexicon: Lexicon) -> tuple[tuple[str, str], ...]:
    found = [
        (form, region)
        for region in lexicon.keys(_ADDRESS_FILE, "legal_form_region")
        for form in lexicon.phrases(_ADDRESS_FILE, f"legal_form_region.{region}")
    ]
    return tuple(sorted(found, key=lambda item: -len(item[0])))


def legal_form_region(organization: str | None, lexicon: Lexicon) -> str | None:
    """The country an organisation's legal form names ("Kustposten Ab" → FI), or None."""
    if not organization:
        return None
    name = organization.strip().rstrip(".,")
    for form, region in _legal_forms(lexicon):
        if name.endswith(" " + form.rstrip(".")) or name.endswith(" " + form):
            return region
    return None
