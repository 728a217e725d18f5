"""The sender's signature block and the contact data in it.

Why our own (shared/LIBRARIES.md §2): no maintained library finds Swedish or
Nordic signatures. The block is looked for only in the sender's own text (quotes
are already cut) and after redaction, in this order:

1. after a "-- " delimiter line;
2. after the last closing ("Med vänliga hälsningar", "Mvh Anna", "/Anna", "Best");
3. else the last paragraph of 1 to 10 short lines that carries contact evidence
   (the sender's name, a title word, an organisation, a number, an address).

A block that is only a first name ("/Eva", "Mvh Eva", "– Eva") is the signature when it is
the sender's own first name; it names nobody the From header does not, so no name is read
from it. Everything from a phone-client footer ("Skickat från min iPhone") or a legal
disclaimer on is never part of it; a block with newsletter-footer words is no
person's signature. Words per language are data (`rules/lexicon/signature.toml`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from copy import deepcopy
from dataclasses import dataclass, fields, is_dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from harvester.understand.coverage import coverage_of_contact
from harvester.understand.extract import (
    find_address,
    find_emails,
    find_phones,
    find_urls,
    normalize_email,
    split_street,
)
from harvester.understand.lexicon import Lexicon, phrase_regex
from harvester.understand.region import (
    DEFAULT_REGION,
    address_region,
    explicit_region,
    label_region,
    legal_form_region,
    prefer_address_region,
)
from harvester.understand.types import Address, Contact, Mailbox

__all__ = ["SignatureBlock", "contact_from", "find_signature"]

_FILE = "signature"
_MAX_LINES = 15
_SHORT = 90
_DASHES = re.compile(r"^\s*(?:--|\u2014|\u2013|__)\s*$")
_DASH_MARKS = ("--", "\u2014", "\u2013", "__")
_ITEM_SPLIT = re.compile(r"\s{2,}|\t+|\s[|•·¦]\s?|\s?[|•·¦]\s")
_DIGITS = re.compile(r"\d")
_PHONE_LIKE = re.compile(r"\+?\(?\d[\d\s().\-/]{5,}\d")
_LABEL = re.compile(
    r"^(?:tel|telefon|tfn|phone|mobil|mobile|mob|cell|direkt|direct|växel|vx|fax|e-?post|"
    r"e-?mail|mail|epost|webb|web|www|adress|address|besöksadress|postadress|puh|gsm|"
    r"[tmefw])\s*[.:]\s*",
    re.I,
)
_WORD_CUT = re.compile(r"\s(?:på|at|vid|hos|i|för|for|@)\s*$", re.I)
_TITLE_SPLIT = re.compile(r"\s*(?:,|\s(?:på|at|vid|hos|i|@|för|for)\s|\s[-\u2013\u2014]\s|/)\s*")
_PERSON = re.compile(
    r"^[A-ZÅÄÖÆØÜÉ][\w'\u2019.-]+(?:\s+(?:[A-ZÅÄÖÆØÜÉ][\w'\u2019.-]*|af|av|von|van|de|la|der))"
    r"{1,3}$"
)
# Shared mailboxes: their local part names a function, not a person.
_ROLE_LOCALS = {
    "info",
    "press",
    "presse",
    "kontakt",
    "contact",
    "redaktion",
    "redaktionen",
    "nyheter",
    "news",
    "noreply",
    "kultur",
    "tips",
    "desk",
    "office",
    "admin",
    "kansli",
    "reception",
    "media",
    "pressjour",
    "hello",
    "hej",
    "mail",
    "post",
    "toimitus",
    "uutiset",
}
# A paragraph that opens with a greeting is the message, not its signature.
_GREETING = re.compile(
    r"^\s*(?:hej|hejsan|hallå|tjena|tja|hi|hello|dear|hei|heippa|moi|kära|god morgon|"
    r"good morning|goddag)\b",
    re.I,
)
# A line that opens with "Jag"/"Jeg"/"I am"/"Olen" is a sentence of the message, not a signature.
_FIRST_PERSON = re.compile(r"^\s*(?:jag|vi|jeg|i'm|i am|we|minä|me|olen|olemme)\s", re.I)
_PARENTHESES = re.compile(r"\s*[(\[][^)\]]*[)\]]")  # "Erik Lindqvist (han/honom)"
_NAME_TAIL = re.compile(r",\s+|\s[-\u2013\u2014/]\s")
_FREEMAIL = {
    "gmail",
    "hotmail",
    "outlook",
    "yahoo",
    "live",
    "icloud",
    "me",
    "mac",
    "msn",
    "telia",
    "comhem",
    "bredband",
    "spray",
    "passagen",
    "aol",
    "proton",
    "protonmail",
    "gmx",
    "mail",
    "online",
    "example",
    "kolumbus",
    "suomi24",
    "jubii",
    "privat",
}


@dataclass(frozen=True, slots=True)
class SignatureBlock:
    """The block as found (after redaction), its lines, and which rule found it."""

    text: str
    lines: tuple[str, ...]
    how: str  # "dashes" | "closing" | "name" | "block" | "sign_off" (a first name alone)


@dataclass
class _Words:
    """The compiled lexicon parts this module uses (one per Lexicon, cached on it)."""

    closing: re.Pattern[str]
    closing_line: re.Pattern[str]
    footer: re.Pattern[str]
    disclaimer: re.Pattern[str]
    newsletter: re.Pattern[str]
    # Whether a title word is in a text (searched only: the stem alone is enough to find);
    # `title_start` matches the whole first word that holds one.
    title: re.Pattern[str]
    title_start: re.Pattern[str]
    org: re.Pattern[str]
    referral: re.Pattern[str]
    coverage_label: re.Pattern[str]
    disclaimer_words: re.Pattern[str]
    name_prefix: re.Pattern[str]
    rank_title: re.Pattern[str]
    programme: re.Pattern[str]
    delegate: re.Pattern[str]
    department: re.Pattern[str]


_CACHE: dict[int, _Words] = {}


def _words(lexicon: Lexicon) -> _Words:
    cached = _CACHE.get(id(lexicon))
    if cached is not None:
        return cached
    closing_src = phrase_regex(list(lexicon.phrases(_FILE, "closings")))
    closing_re = lexicon.phrases(_FILE, "closing_regex")
    stems = [re.escape(s) for s in lexicon.phrases(_FILE, "title_stems")]
    title_words = (
        [phrase_regex(list(lexicon.phrases(_FILE, "title_words")))]
        if lexicon.phrases(_FILE, "title_words")
        else []
    )
    # "\w*" around the stems only widens a match, and costs a search ~10x: left out where
    # only whether there is a match counts.
    title_src = "|".join(([f"(?:{'|'.join(stems)})"] if stems else []) + title_words)
    title_start_src = "|".join(([rf"\w*(?:{'|'.join(stems)})\w*"] if stems else []) + title_words)
    org_src = "|".join(
        [phrase_regex(list(lexicon.phrases(_FILE, "org_words")))]
        + [f"(?:{r})" for r in lexicon.phrases(_FILE, "org_suffix_regex")]
    )
    never = r"(?!x)x"
    words = _Words(
        closing=re.compile(rf"^\s*(?:{closing_src or never})[\s,.!:;-]*", re.I),
        closing_line=re.compile("|".join(f"(?:{r})" for r in closing_re) or never, re.I),
        footer=re.compile(
            rf"^\s*(?:{phrase_regex(list(lexicon.phrases(_FILE, 'mobile_footers'))) or never})",
            re.I,
        ),
        disclaimer=re.compile(
            rf"^\s*(?:{phrase_regex(list(lexicon.phrases(_FILE, 'disclaimer_openers'))) or never})",
            re.I,
        ),
        newsletter=re.compile(phrase_regex(list(lexicon.phrases(_FILE, "newsletter_footer"))) or never, re.I),
        title=re.compile(title_src or never, re.I),
        title_start=re.compile(title_start_src or never, re.I),
        # Legal forms are case-sensitive ("AB", "AS"); media words are capitalised in names.
        org=re.compile(org_src or never),
        disclaimer_words=re.compile(
            phrase_regex(list(lexicon.phrases(_FILE, "disclaimer_words"))) or never, re.I
        ),
        coverage_label=re.compile(
            rf"^(?:{phrase_regex(list(lexicon.phrases(_FILE, 'coverage_labels'))) or never})",
            re.I,
        ),
        referral=re.compile(phrase_regex(list(lexicon.phrases(_FILE, "referral"))) or never, re.I),
        name_prefix=_prefix_regex(
            list(lexicon.phrases(_FILE, "name_prefix_titles")) + list(lexicon.phrases(_FILE, "name_prefixes"))
        ),
        rank_title=_prefix_regex(list(lexicon.phrases(_FILE, "name_prefix_titles")), whole=True),
        programme=re.compile(
            rf"^(?:{phrase_regex(list(lexicon.phrases(_FILE, 'programme_nouns'))) or never})", re.I
        ),
        delegate=re.compile(
            rf"^\s*(?:{phrase_regex(list(lexicon.phrases(_FILE, 'delegate_labels'))) or never})\s*:", re.I
        ),
        department=re.compile(
            "|".join(f"(?:{r})" for r in lexicon.phrases(_FILE, "department_regex")) or never, re.I
        ),
    )
    _CACHE[id(lexicon)] = words
    return words


def _prefix_regex(phrases: list[str], *, whole: bool = False) -> re.Pattern[str]:
    """Degrees and honorifics at the start of a name, repeated ("Prof. Dr. Anna Berg"), each
    with or without its dots and spaces ("Fil. dr", "Fil.dr"), before a capitalised word;
    `whole`: one of them and nothing else ("Professor", "Prof.")."""
    if not phrases:
        return re.compile(r"(?!x)x")
    alternatives = "|".join(
        sorted(
            (r"\.?\s*".join(re.escape(t.strip(".")) for t in p.split()) for p in phrases if p.strip()),
            key=len,
            reverse=True,
        )
    )
    if whole:
        return re.compile(rf"^(?:{alternatives})\.?$", re.IGNORECASE)
    return re.compile(rf"^(?:(?:{alternatives})\b\.?,?\s+)+(?=(?-i:[A-ZÅÄÖÆØÜÉ]))", re.IGNORECASE)


def _strip_name_prefix(name: str, words: _Words) -> tuple[str, str | None]:
    """ "Fil. dr Karin Holm" → ("Karin Holm", "Fil. dr"); a name without one → (name, None)."""
    match = words.name_prefix.match(name)
    if match is None or not name[match.end() :].strip():
        return name, None
    return name[match.end() :].strip(), match.group().strip(" ,")


def _closing_rest(line: str, words: _Words) -> str | None:
    """If `line` is a closing, what follows the closing phrase ("" when nothing); else None."""
    stripped = line.strip()
    if words.closing_line.match(stripped):
        return stripped.lstrip("/").strip()
    match = words.closing.match(stripped)
    if not match:
        return None
    rest = stripped[match.end() :].strip()
    if len(rest) > 40 or re.search(r"[.!?]\s|\b(?:jag|vi|i|we|you|du|ni|för|for)\b", rest, re.I):
        return None
    return rest


def _end_of_own_text(lines: list[str], words: _Words) -> int:
    """Index where a phone footer or a disclaimer starts (the sender's text ends there)."""
    for index, line in enumerate(lines):
        if index == 0:
            continue
        if words.footer.match(line):
            # "Skickat från min Samsung Galaxy" ABOVE the signature (the app put it there):
            # the contact lines below it are still the sender's own
            rest = [r for r in lines[index + 1 :] if r.strip()]
            if not (
                0 < len(rest) <= 10 and all(_short_line(r) for r in rest) and _evidence(rest, words, []) >= 2
            ):
                return index
        if words.disclaimer.match(line):
            paragraph = " ".join(lines[index : index + 8])
            if words.disclaimer_words.search(paragraph):
                return index
    return _trailing_disclaimer(lines, words)


def _trailing_disclaimer(lines: list[str], words: _Words) -> int:
    """Where prose with disclaimer words below a contact block starts, else len(lines).

    "Norrlandsscenen behandlar personuppgifter enligt …" opens with the organisation's
    name, which no opener list can hold; what gives it away is its place: a paragraph of
    sentences about personal data or confidentiality right below phone and e-mail lines.
    """
    spans = _paragraphs(lines)
    end = len(lines)
    for at in range(len(spans) - 1, 0, -1):
        start, stop = spans[at]
        paragraph = " ".join(line.strip() for line in lines[start:stop])
        if not (
            len(paragraph.split()) >= 6
            and re.search(r"[.!?](?:\s|$)", paragraph)
            and words.disclaimer_words.search(paragraph)
        ):
            break
        before = lines[spans[at - 1][0] : spans[at - 1][1]]
        if any("@" in line or _PHONE_LIKE.search(line) or "www." in line for line in before):
            end = start
    return end


def _paragraphs(lines: list[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for index, line in enumerate(lines):
        if line.strip():
            if start is None:
                start = index
        elif start is not None:
            spans.append((start, index))
            start = None
    if start is not None:
        spans.append((start, len(lines)))
    return spans


def _evidence(lines: list[str], words: _Words, names: list[set[str]]) -> int:
    score = 0
    for line in lines:
        if "@" in line or _PHONE_LIKE.search(line) or "www." in line or "://" in line:
            score += 2
        elif words.title.search(line) or words.org.search(line):
            score += 1
        elif _matches_name(line, names):
            score += 2
    return score


def find_signature(
    top: str,
    *,
    sender: Mailbox | None,
    lexicon: Lexicon,
) -> SignatureBlock | None:
    """The sender's signature block in their own (redacted) text, or None."""
    if not top.strip():
        return None
    words = _words(lexicon)
    lines = top.split("\n")
    # A footer or disclaimer line holds one of its list's words: most mail has none, and
    # one pass over the text (shared with the other prechecks) spares a search per line.
    ends = lexicon.may_match(_FILE, "mobile_footers", top) or lexicon.may_match(
        _FILE, "disclaimer_openers", top
    )
    end = _end_of_own_text(lines, words) if ends else len(lines)
    while end > 0 and not lines[end - 1].strip():
        end -= 1
    if end == 0:
        return None
    names = _name_keys(sender)
    found: tuple[int, int, str] | None = None
    dashes = any(mark in top for mark in _DASH_MARKS)  # a line of them holds one
    for index in range(end - 1, -1 if dashes else end - 1, -1):
        if _DASHES.match(lines[index]) and 0 < end - index - 1 <= _MAX_LINES:
            found = (index + 1, end, "dashes")
            break
    if found is None:
        for index in range(end - 1, max(-1, end - 1 - _MAX_LINES), -1):
            rest = _closing_rest(lines[index], words)
            if rest is None:
                continue
            after = [line for line in lines[index + 1 : end] if line.strip()]
            if not all(_short_line(line) for line in after):
                break
            start = index if rest else index + 1
            if start < end:
                found = (start, end, "closing")
            break
    if found is None:
        found = _name_anchor(lines, end, names)
    if found is None:
        spans = [s for s in _paragraphs(lines[:end]) if s[1] <= end]
        if spans:
            start, stop = spans[-1]
            block = lines[start:stop]
            short = all(_short_line(line) for line in block)
            prev = _previous_line(lines, start)
            if (
                short
                and 1 <= len(block) <= 10
                and not prev.rstrip().endswith(":")
                and (len(spans) > 1 or _matches_name(block[0], names))
                and _evidence(block, words, names) >= 2
                and not any(words.referral.search(line) for line in block)
                and not _GREETING.match(block[0])
                and not any(_FIRST_PERSON.match(line) for line in block)
            ):
                if len(spans) > 1 and not _matches_name(block[0], names):
                    p_start, p_stop = spans[-2]
                    before = lines[p_start:p_stop]
                    if (
                        len(before) <= 4
                        and _matches_name(before[0], names)
                        and all(len(line.strip()) <= _SHORT for line in before)
                    ):
                        start = p_start
                found = (start, stop, "block")
    if found is None:
        return None
    start, stop, how = found
    block_lines = [line.rstrip() for line in lines[start:stop]]
    # An auto-reply's "Vid brådskande ärenden kontakta …" after the name is someone else's.
    for index, line in enumerate(block_lines):
        if index > 0 and words.referral.search(line):
            block_lines = block_lines[:index]
            break
    while block_lines and not block_lines[0].strip():
        block_lines.pop(0)
    while block_lines and not block_lines[-1].strip():
        block_lines.pop()
    if not block_lines:
        return None
    text = "\n".join(block_lines)
    if words.newsletter.search(text):
        return None
    signed = _sign_off_name(block_lines, words)
    if signed is not None:
        # "/Eva", "Mvh Eva", "– Eva": the sender's block when it is their own first name;
        # a stray word ("Ingr", "/J") is none.
        if not _is_first_name(signed, sender):
            return None
        how = "sign_off"
    return SignatureBlock(text=text, lines=tuple(block_lines), how=how)


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")  # a blank line between paragraphs
_CELLS = re.compile(r"\s[|\u2022\u00b7]\s")
_ANGLE_LINK = re.compile(r"<(?:https?://|mailto:)[^>\s]*>")


def _short_line(line: str) -> bool:
    """A signature-sized line: short, or a row of short items ("Olle Sjöberg | Bokare | 070-…")."""
    line = _ANGLE_LINK.sub("", line.strip())  # Outlook's "Instagram<https://…>": the word counts
    if len(line) <= _SHORT:
        return True
    cells = _CELLS.split(line)
    return (
        len(cells) >= 3 and all(len(c.strip()) <= _SHORT for c in cells) and not re.search(r"[.!?]\s", line)
    )


def _sign_off_name(lines: list[str], words: _Words) -> str | None:
    """ "/Tove", "Hilsen Knut", "Sofia": the one word signed with, when the block is only a
    closing and a first name — nothing a contact is made of (no surname, title,
    organisation, number, address or link). None for anything more ("Erik Sandberg")."""
    filled = [line.strip() for line in lines if line.strip()]
    if len(filled) != 1:
        return None
    line = filled[0]
    rest = _closing_rest(line, words)
    name = (rest if rest is not None else line).lstrip("/-–— ").strip(" ,.!")
    if (
        len(name.split()) > 1
        or len(line) > 40
        or _DIGITS.search(line)
        or "@" in line
        or "." in name
        or words.title.search(line)
        or words.org.search(line)
    ):
        return None
    return name


def _is_first_name(word: str, sender: Mailbox | None) -> bool:
    """`word` is the sender's first name: the display name's first word(s), or, without a
    display name, the first part of the address ("eva.holm@" → "eva")."""
    signed = _tokens(word)
    if not signed or sender is None:
        return False
    display = clean_display_name(sender.name)
    if display:
        known = _tokens(display)
    else:
        known = [t for t in re.split(r"[._\-+]", _fold(sender.email.partition("@")[0])) if t]
    return len(known) > len(signed) and known[: len(signed)] == signed


def _name_anchor(lines: list[str], end: int, names: list[set[str]]) -> tuple[int, int, str] | None:
    """A short line with the sender's name near the end, only short lines after it.

    Up to ten non-blank lines back: a plain part made from HTML double-spaces every line.
    """
    seen = 0
    for index in range(end - 1, -1, -1):
        line = lines[index].strip()
        if not line:
            continue
        seen += 1
        if len(line) > _SHORT or seen > 10:
            return None
        if len(line) <= 40 and index > 0 and _matches_name(line, names):
            return (index, end, "name")
    return None


def _previous_line(lines: list[str], start: int) -> str:
    for index in range(start - 1, -1, -1):
        if lines[index].strip():
            return lines[index]
    return ""


# --- contact ------------------------------------------------------------------------------


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[^\w]+", _fold(text)) if len(t) >= 2 and not t.isdigit()]


def clean_display_name(name: str | None) -> str | None:
    """A From display name as a person's name: "Berg, Karin" → "Karin Berg", no org tail."""
    if not name:
        return None
    name = name.strip().strip("'\"").strip()
    if "@" in name:
        return None
    name = re.split(r"\s+[|(\[]|\s+[-\u2013\u2014/]\s+", name)[0].strip()
    if name.count(",") == 1:
        last, first = (p.strip() for p in name.split(","))
        if last and first and " " not in last:
            name = f"{first} {last}"
    return name or None


def _name_keys(sender: Mailbox | None) -> list[set[str]]:
    """Token sets that identify the sender: from the display name and the address's local part."""
    keys: list[set[str]] = []
    if sender is None:
        return keys
    display = clean_display_name(sender.name)
    if display:
        tokens = set(_tokens(display))
        if tokens:
            keys.append(tokens)
    local = sender.email.partition("@")[0]
    parts = {t for t in re.split(r"[._\-+]", _fold(local)) if len(t) >= 2 and not t.isdigit()}
    if parts and not parts & _ROLE_LOCALS:
        keys.append(parts)
    return keys


#: "instagram.com/hedda.roos", "www.x.example": a link naming the sender is not their name.
_URLISH = re.compile(r"https?://|www\.|[\w-]+\.[a-z]{2,}(?:/|\b)", re.IGNORECASE)


def _matches_name(line: str, names: list[set[str]]) -> bool:
    if not line.strip() or "@" in line or _DIGITS.search(line) or _URLISH.search(line):
        return False
    tokens = _tokens(line)
    if not tokens or len(tokens) > 6:
        return False
    have = set(tokens)
    for key in names:
        common = have & key
        if len(common) >= 2 or (common and (len(key) == 1 or len(have) == 1)):
            return True
        if len(key) == 1 and len(tokens) >= 2:
            # "kberg@", "karinb@", "karinberg@": initial + surname, first name + initial
            only = next(iter(key))
            if len(only) >= 4 and only in (
                "".join(tokens),
                tokens[0][0] + tokens[-1],
                tokens[0] + tokens[-1][0],
            ):
                return True
    return False


def _items(block: SignatureBlock, words: _Words) -> list[str]:
    """Logical lines of the block: table cells and "|"-separated parts split, labels kept."""
    items: list[str] = []
    for index, line in enumerate(block.lines):
        if index == 0:
            rest = _closing_rest(line, words)
            if rest is not None:
                line = rest
        for part in _ITEM_SPLIT.split(line):
            part = part.strip().strip("|").strip()
            if not part:
                continue
            # "Erik Lindqvist, Kulturreporter" / "Erik Lindqvist - Dagbladet": a name first.
            pieces = [p.strip() for p in _NAME_TAIL.split(part) if p.strip()]
            beat = next((i for i, p in enumerate(pieces) if i and words.coverage_label.match(p)), None)
            if len(pieces) > 1 and _PERSON.match(pieces[0]) and not words.title.search(pieces[0]):
                items.extend(pieces)  # "Senior Producer, Night Shift" is a title, not a name
            elif beat is not None:
                # "Frilansjournalist – skriver om jazz och scenkonst": a title, then a beat line.
                head = part[: part.find(pieces[beat], len(pieces[0]))].strip().rstrip(",–—-").strip()
                items.extend([head, ", ".join(pieces[beat:])])
            else:
                items.append(part)
    # A redacted line ("[redacted:politics]") says nothing about the sender's name, title
    # or organisation; it stays in the signature text but is no candidate for a field.
    return [item for item in items if "[redacted:" not in item]


def _without_co_signers(
    block: SignatureBlock, names: list[set[str]], words: _Words, label: str | None
) -> SignatureBlock:
    """The block without the paragraphs another person signs ("Lisa Ek, presschef ⏎ 070-… ⏎⏎
    Omar Haddad, pressekreterare ⏎ 070-…"): their phone and address are not the sender's.

    A paragraph is another signer's when its first line opens with a person's name that is
    not the sender's and a title follows (on that line or the next), and the sender's own
    name opens a paragraph of the same block. Otherwise the block is read whole.
    """
    paragraphs = [p for p in _PARAGRAPH_BREAK.split(block.text) if p.strip()]
    if len(paragraphs) < 2 or not names:
        return block

    def head(paragraph: str) -> tuple[str, list[str]]:
        lines = [line.strip() for line in paragraph.split("\n") if line.strip()]
        pieces = [p.strip() for p in _NAME_TAIL.split(lines[0]) if p.strip()] if lines else []
        return (pieces[0] if pieces else ""), [*pieces[1:], *lines[1:2]]

    own = [i for i, p in enumerate(paragraphs) if _matches_name(head(p)[0], names)]
    if not own:
        return block
    others: set[int] = set()
    for index, paragraph in enumerate(paragraphs):
        name, rest = head(paragraph)
        if (
            index not in own
            and index > own[0]
            and len(paragraph.split("\n")) <= 4
            and _PERSON.match(name)
            and not _org_like(name, words, label)
            and not words.title.search(name)
            and any(words.title.search(r) and not _contactish(r) for r in rest[:1])
        ):
            others.add(index)
    if not others:
        return block
    text = "\n\n".join(p for i, p in enumerate(paragraphs) if i not in others)
    dropped = {line.strip() for i in others for line in paragraphs[i].split("\n")}
    lines = tuple(line for line in block.lines if line.strip() not in dropped)
    return SignatureBlock(text=text, lines=lines, how=block.how)


def _contactish(item: str) -> bool:
    return bool(
        _BARE_DOMAIN.match(item)
        or "@" in item
        or _PHONE_LIKE.search(item)
        or "www." in item
        or "://" in item
        or _LABEL.match(item)
        or _LINK_IN_LINE.search(item)
        or _PRONOUNS.match(item)
        or find_address(item)
    )


#: A pronouns line ("han/honom", "(she/her)", "hen/hen", "hän/hänen") is no field of its own.
_PRONOUNS = re.compile(
    r"^\(?\s*(?:pronomen|pronouns|pronomen)?\s*:?\s*(?:han|hon|hen|de|den|he|she|they|hän|hun|ham|dem)"
    r"\s*/\s*\w+(?:\s*/\s*\w+)?\s*\)?$",
    re.IGNORECASE,
)
#: "Instagram: instagram.com/name", "Spotify – open.spotify.com/artist/…": a link in a line.
_LINK_IN_LINE = re.compile(r"(?<![@\w.-])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/\S", re.IGNORECASE)


def _domain_label(email: str) -> str | None:
    """The organisation's name in the mail domain ("dagbladet", "gp"); None for free mail."""
    domain = email.rpartition("@")[2].lower()
    labels = domain.split(".")
    if len(labels) < 2:
        return None
    label = labels[-2]
    if label in _FREEMAIL or len(label) < 2:
        return None
    return label


def _org_like(item: str, words: _Words, label: str | None) -> bool:
    if words.org.search(item):
        return True
    if label:
        squashed = re.sub(r"[^\w]", "", _fold(item))
        if len(label) >= 3:
            return label.replace("-", "") in squashed
        # A two-letter domain ("gp.example") is only its own word: "GP Exempel", not "Group".
        return label in _tokens(item)
    return False


# "HD Exempel", "SVT Kultur": a name that opens with an upper-case abbreviation.
_ACRONYM_HEAD = re.compile(r"^[A-ZÅÄÖÆØ]{2,5}(?=\s|$)")


def _org_cue(part: str, words: _Words, label: str | None) -> bool:
    """`part` of a "Title, Organisation" line reads as an organisation, not a role."""
    return (
        _org_like(part, words, label)
        or bool(_ACRONYM_HEAD.match(part) and not words.title_start.match(part))
        or _shares_domain_word(part, label)
    )


def _shares_domain_word(part: str, label: str | None) -> bool:
    """A word of `part` is in the mail domain's name: "Göteborgs Kulturblad" at gbgkulturblad.example."""
    if not label or len(label) < 5 or not part[:1].isupper():
        return False
    squashed = label.replace("-", "")
    return any(len(token) >= 5 and token in squashed for token in _tokens(part))


def _names_domain(item: str, label: str | None) -> bool:
    """The item is the mail domain's name ("NRK" for nrk.example, "Yle" for yle.example)."""
    if not label:
        return False
    return re.sub(r"[^\w]", "", _fold(item)) == label.replace("-", "")


# "ashbyfreelance.example", "nrk.example/kultur": written in lower case, a web address;
# "Filmkritik.se" with a capital is the organisation's name (and then not also a URL).
_BARE_DOMAIN = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/\S*)?$")


_CONTACTS: dict[tuple[object, ...], Contact] = {}
_CONTACTS_MAX = 4096


def contact_from(
    block: SignatureBlock | None,
    *,
    sender: Mailbox | None,
    lexicon: Lexicon,
    rules_dir: str | Path | None = None,
    exclude_emails: Iterable[str] = (),
    exclude_phones: Iterable[str] = (),
    regions: Sequence[str] = (DEFAULT_REGION,),
) -> Contact:
    """The sender's contact: their From address first, the rest from their own signature.

    A sender's signature comes back in every mail they send, so the reading is
    remembered per (block, sender, exclusions, regions); callers get their own copy.
    `regions` are where national-format numbers are read (`region.phone_regions`).
    """
    emails_out, phones_out = tuple(exclude_emails), tuple(exclude_phones)
    key = (
        block.text if block else None,
        sender.email if sender else None,
        sender.name if sender else None,
        id(lexicon),
        str(rules_dir),
        emails_out,
        phones_out,
        tuple(regions),
    )
    cached = _CONTACTS.get(key)
    if cached is None:
        cached = _read_contact(
            block,
            sender=sender,
            lexicon=lexicon,
            rules_dir=rules_dir,
            exclude_emails=emails_out,
            exclude_phones=phones_out,
            regions=tuple(regions),
        )
        if len(_CONTACTS) >= _CONTACTS_MAX:
            _CONTACTS.clear()
        _CONTACTS[key] = cached
    return _fresh(cached)


_IMMUTABLE = (str, int, float, bool, Enum, type(None))


def _fresh(value: Any) -> Any:
    """A copy of a cached result that shares nothing mutable with it (`deepcopy`, ~4x faster):
    dataclasses and lists are rebuilt, what cannot change is shared, anything else deep-copied."""
    if isinstance(value, _IMMUTABLE):
        return value
    if isinstance(value, list):
        return [_fresh(item) for item in value]
    if is_dataclass(value) and not isinstance(value, type) and all(f.init for f in fields(value)):
        return type(value)(**{f.name: _fresh(getattr(value, f.name)) for f in fields(value)})
    return deepcopy(value)


def _read_contact(
    block: SignatureBlock | None,
    *,
    sender: Mailbox | None,
    lexicon: Lexicon,
    rules_dir: str | Path | None,
    exclude_emails: Iterable[str],
    exclude_phones: Iterable[str],
    regions: tuple[str, ...] = (DEFAULT_REGION,),
) -> Contact:
    words = _words(lexicon)
    display = clean_display_name(sender.name if sender else None)
    # A degree or honorific before the name ("Fil. dr Karin Holm") is not part of it, unless
    # the sender writes it in their own From name too ("Dr. Lena Hoffmann <…>"): then the
    # name is kept as they present it.
    styled = bool(display and _strip_name_prefix(display, words)[1])
    label = _domain_label(sender.email) if sender else None
    # "Linnea Falk <linnea@linneafalk.example>": a person with a domain of their own is a
    # person, though the domain names them; only organisation cues make a display name a mailbox.
    # Written all in lower case ("maja d'souza"), a name still has a person's shape.
    person_shaped = bool(display and _PERSON.match(display if not display.islower() else display.title()))
    own_domain_name = person_shaped and not _org_like(display or "", words, None)
    if (
        display
        and _org_like(display, words, label)
        and not words.title.search(display)
        and not own_domain_name
    ):
        display = None  # "Dagbladet Kultur <kultur@…>": a mailbox, not a person
    own = normalize_email(sender.email) if sender else None
    emails: list[str] = [own or sender.email] if sender else []
    contact = Contact(name=display, emails=emails)
    if block is None:
        return contact
    names = _name_keys(Mailbox(email=sender.email, name=display)) if sender else []
    block = _without_co_signers(block, names, words, label)
    items = _items(block, words)
    covers = [item for item in items if words.coverage_label.match(item)]
    used: set[int] = {index for index, item in enumerate(items) if item in covers}

    name_index: int | None = None
    rank: str | None = None
    keys = set().union(*names) if names else set()
    best = 0
    display_tokens = set(_tokens(display)) if display else set()
    for index, item in enumerate(items):
        # The sender's own name is their name even when their mail domain is named after them
        # ("Linnea Falk" at linneafalk.example), which would make it look like the organisation.
        if _matches_name(item, names) and (
            not _org_like(item, words, label) or (display_tokens and set(_tokens(item)) == display_tokens)
        ):
            # "Best, John ⏎ John Smith": the fullest line that names the sender wins.
            overlap = len(set(_tokens(item)) & keys) or 1
            if overlap > best:
                name_index, best = index, overlap
    if (
        name_index is None
        and items
        and _PERSON.match(items[0])
        and not (words.title.search(items[0]) or _org_like(items[0], words, label))
        and not names
    ):
        name_index = 0
    if name_index is not None and block.how == "sign_off":
        used.add(name_index)  # "/Eva" names no one the From header does not: no name from it
        name_index = None
    if name_index is not None:
        used.add(name_index)
        found_name = _PARENTHESES.sub("", items[name_index]).strip(" ,")
        if not styled:
            found_name, rank = _strip_name_prefix(found_name, words)
        words_in = found_name.split()
        if keys and words.title.search(found_name) and len(words_in) > 2:
            # "Erik Lindqvist Kulturreporter": the name is the words the keys know.
            head = [w for w in words_in if set(_tokens(w)) & keys]
            if head and found_name.startswith(" ".join(head)):
                rest = found_name[len(" ".join(head)) :].strip(" ,")
                found_name = " ".join(head)
                items.insert(name_index + 1, rest)
                used = {i + 1 if i > name_index else i for i in used}
        same = display is not None and set(_tokens(found_name)) == set(_tokens(display))
        if same and (found_name.isupper() or found_name.islower()):
            found_name = display or found_name  # "ERIK LINDQVIST": the From header's casing
        # "K. Lundgren" is the name as written, though the From header spells it out
        if display is None or len(found_name.split()) >= len(display.split()):
            contact.name = found_name

    title: str | None = None
    org: str | None = None
    title_index: int | None = None
    candidates = [
        index
        for index, item in enumerate(items)
        if index not in used
        and not _contactish(item)
        and len(item.split()) <= 10
        and words.title.search(item)
    ]
    # "Svenska Journalistförbundet" has a title word too: a line that is no organisation wins.
    plain = [i for i in candidates if not _org_like(items[i], words, label)]
    if plain or candidates:
        title_index = (plain or candidates)[0]
    # "Professor Erik Lind" with no title-word line: the rank is the title and the next line
    # is read as the organisation, not as a title.
    ranked = rank is not None and bool(words.rank_title.match(rank))
    if title_index is None and ranked:
        title = rank
    elif title_index is None and name_index is not None and name_index + 1 < len(items):
        candidate = items[name_index + 1]
        if (
            not _contactish(candidate)
            and not _org_like(candidate, words, label)
            and (len(candidate.split()) <= 6 and not _DIGITS.search(candidate))
        ):
            title_index = name_index + 1
    if title_index is not None:
        used.add(title_index)
        # "Programleder, Kulturhuset | NRK": a line of its own that names the mail domain's
        # organisation is the organisation; the programme stays in the title.
        own_org = next(
            (
                i
                for i, item in enumerate(items)
                if i not in used and not _contactish(item) and _names_domain(item, label)
            ),
            None,
        )
        if own_org is not None and not words.title.search(items[own_org]):
            title, org = items[title_index].strip(" ,"), items[own_org]
            used.add(own_org)
        else:
            title, org = _split_title(items[title_index], words, label)
            whole = items[title_index].strip(" ,")
            if (
                org is not None
                and _WORD_CUT.search(whole[: len(whole) - len(org)])
                and any(
                    i not in used | {title_index} and not _contactish(item) and _org_like(item, words, label)
                    for i, item in enumerate(items)
                )
            ):
                # "Chef för Kulturhuset Scen" above "Norrhamns kommun": the line of its own is
                # the employer, the title keeps its words
                title, org = whole, None
            if org is not None:
                title = _without_department(title, words)
            elif not any(
                i not in used and not _contactish(item) and _org_like(item, words, label)
                for i, item in enumerate(items)
            ):
                # "Contributing Editor, Wireline" and no organisation anywhere else: the name after
                # the comma is the employer. ("Senior Producer, Night Shift" above the station's
                # own line stays whole: that line is the organisation.)
                title, org = _title_and_tail(title, words)

    if org is None:
        for index, item in enumerate(items):
            if index in used or _contactish(item) or len(item.split()) > 8:
                continue
            if _org_like(item, words, label):
                org = _firm_of(item, words, label) if _DIGITS.search(item) else item
                used.add(index)
                if title is None and "," in org:
                    # "Musikbloggare, Skivspaning": a title line the domain made look like the firm
                    kept, firm = _split_title(org, words, label)
                    if firm is not None:
                        title, org = kept, firm
                break
    if org is None:
        org = next(
            (
                firm
                for index, item in enumerate(items)
                if index not in used and _DIGITS.search(item)
                for firm in [_firm_of(item, words, label)]
                if firm != item
            ),
            None,
        )
    after_title = name_index if title_index is None and ranked else title_index
    if org is None and after_title is not None and after_title + 1 < len(items):
        candidate = items[after_title + 1]
        if (
            (after_title + 1) not in used
            and not _contactish(candidate)
            and (
                len(candidate.split()) <= 6
                and not _DIGITS.search(candidate)
                and not words.closing.match(candidate)
            )
        ):
            org = candidate
    contact.title = title
    contact.organization = org

    excluded_emails = {e.lower() for e in exclude_emails}
    # "Assistent: Maria Berg, 08-…, maria@…": someone else's numbers and addresses
    own_lines = "\n".join(line for line in block.text.split("\n") if not words.delegate.match(line))
    for value in find_emails(own_lines):
        if value.lower() not in {e.lower() for e in contact.emails} | excluded_emails:
            contact.emails.append(value)
    contact.address = find_address(block.text)
    if contact.address and contact.address.street and org and contact.address.street.startswith(f"{org}, "):
        # "The Northern Review, 14 Marsden Yard, London N1 9AX": the employer is no part of the street
        contact.address.street = contact.address.street[len(org) + 2 :]
    # The signature's own address says where its national numbers are ("Tlf. 22 98 76 54"
    # above "0179 Oslo"), more surely than the language the message is written in.
    # Failing that, a label only one country writes ("puh. 040 123 4567") tells it.
    # Failing that, the country of the numbers it writes with "+CC", then a country's own label.
    hint = (
        address_region(contact.address, lexicon)
        or explicit_region(block.text)
        or label_region(block.text, lexicon)
        or legal_form_region(org, lexicon)
    )
    regions = prefer_address_region(regions, hint, sender_email=sender.email if sender else None)
    excluded_phones = set(exclude_phones)
    contact.phones = [p for p in find_phones(own_lines, regions=regions) if p.e164 not in excluded_phones]
    named = f"https://{org.lower()}" if org and " " not in org and "." in org else None
    contact.urls = [u for u in find_urls(own_lines) if u.lower().rstrip("/") != named]
    # The title as kept (an organisation split off it says nothing about the beat), and
    # only a press person's: a musician's or booker's own title covers nothing.
    # A desk writing as itself ("Kulturredaktionen" at kultur@…) has its beat in its name.
    desk = contact.name if title is None and contact.name and not _PERSON.match(contact.name) else None
    contact.coverage = coverage_of_contact(title or desk, covers, rules_dir=rules_dir)
    return contact


def _firm_of(item: str, words: _Words, label: str | None) -> str:
    """ "Exempel AB Storgatan 12" (table cells run together) → "Exempel AB"; else `item`."""
    for part in item.split(","):
        head, _ = split_street(part.strip())
        if head and len(head.split()) <= 6 and _org_like(head, words, label):
            return head
    return item


def _title_and_tail(title: str, words: _Words) -> tuple[str, str | None]:
    head, comma, tail = title.rpartition(",")
    tail = tail.strip()
    if (
        comma
        and head.strip()
        and words.title.search(head)
        and tail[:1].isupper()
        and len(tail.split()) <= 4
        and not words.title.search(tail)
        and not words.programme.match(tail)
        and not _contactish(tail)
    ):
        return head.strip(), tail
    return title, None


def _without_department(title: str, words: _Words) -> str:
    """ "Kultursamordnare, Kultur- och fritidsförvaltningen" → "Kultursamordnare": with the
    employer split off, a department between them is neither the title nor the employer."""
    parts = [p.strip() for p in title.split(",")]
    while len(parts) > 1 and words.department.search(parts[-1]) and not words.title.search(parts[-1]):
        parts.pop()
    return ", ".join(parts)


def _split_title(item: str, words: _Words, label: str | None) -> tuple[str, str | None]:
    """ "Kulturredaktör, Dagbladet" → ("Kulturredaktör", "Dagbladet"); else (item, None).

    Only an organisation is split off, at the last separator that leaves one:
    "Producer, Front Row, BBC Radio 4" → ("Producer, Front Row", "BBC Radio 4");
    "Redaktör, Nyhetsmorgon" (a programme) stays the title. The reverse order
    "Dagbladet, kulturredaktör" is read the same way when only the head is an organisation.
    """
    cuts = list(_TITLE_SPLIT.finditer(item))
    if any(words.programme.match(part.strip()) for part in item.split(",")[1:]):
        return item.strip(" ,"), None  # "Programledare, podden Sent på tisdagar": a programme
    # A comma or bar before a word such as "på"/"i": "Pressansvarig, Svenska kyrkan i Norrhamn"
    # is split at the comma, the place stays with the organisation.
    marks = [c for c in cuts if c.group().strip() in {",", "|"}]
    for cut in [*reversed(marks), *(c for c in reversed(cuts) if c not in marks)]:
        head, tail = item[: cut.start()].strip(), item[cut.end() :].strip()
        if (
            head
            and tail
            and words.title.search(head)
            and _org_cue(tail, words, label)
            and not words.title.search(tail)
        ):
            return head, tail
    for cut in cuts:
        head, tail = item[: cut.start()].strip(), item[cut.end() :].strip()
        if (
            head
            and tail
            and cut.group().strip() in {",", "|", "-", "\u2013", "\u2014"}
            and words.title.search(tail)
            and _org_cue(head, words, label)
            and not words.title.search(head)
        ):
            return tail, head
    return item.strip(" ,"), None


def address_stated_in(text: str, lexicon: Lexicon) -> Address | None:
    """A postal address the sender gives as their new one in their own text, or None.

    "Jag har flyttat … gäller: ⏎⏎ Karin Olsson ⏎ c/o Sundberg ⏎ Källgatan 4 ⏎ 753 20 Uppsala":
    the words before the address say it is the sender's new one; "Min tidigare adress var
    Vallgatan 8, …" is the old one and is passed over.
    """
    new = lexicon.matcher(_FILE, "address_change.new")
    old = lexicon.matcher(_FILE, "address_change.old")
    # the list's precheck first: the search over a whole letter costs ~0.3 ms
    if not lexicon.may_match(_FILE, "address_change.new", text) or not new.search(text):
        return None
    paragraphs = [p for p in _PARAGRAPH_BREAK.split(text) if p.strip()]
    for index, paragraph in enumerate(paragraphs):
        address = find_address(paragraph)
        if address is None:
            continue
        lines = [line for line in paragraph.split("\n") if line.strip()]
        at = next(
            (i for i, line in enumerate(lines) if address.postal_code and address.postal_code in line), 0
        )
        lead = "\n".join(lines[: max(at - 1, 1)])  # the paragraph's words before the address
        before = (paragraphs[index - 1] if index else "") + "\n" + lead
        if old.search(lead) or not new.search(before):
            continue
        return address
    return None


def address_block_of(text: str, sender: Mailbox | None) -> Address | None:
    """A postal address the sender writes under their own name in their text ("Espen Tveit ⏎
    Grønlandsleiret 41 ⏎ 0190 Oslo", for a parcel): their own address. None otherwise."""
    if sender is None or not sender.name:
        return None
    keys = set(_tokens(clean_display_name(sender.name) or ""))
    if len(keys) < 2:
        return None
    for paragraph in _PARAGRAPH_BREAK.split(text):
        lines = [line.strip() for line in paragraph.split("\n") if line.strip()]
        if 2 <= len(lines) <= 5 and set(_tokens(lines[0])) == keys:
            address = find_address("\n".join(lines[1:]))
            if address is not None and address.street:
                return address
    return None
