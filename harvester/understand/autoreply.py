"""What an auto-reply says: why the sender is away, until when, a new address, who instead.

Signature note: `autoreply_details` takes one optional keyword beyond the agreed
signature, `sender_name` (the From display name), so a colleague list never
includes the sender under their own name; callers that omit it are unaffected.

Why this shape: an out-of-office note is short, formulaic, and names other people
(colleagues, a news desk). Their addresses and numbers are the most common way to
attribute someone else's data to the sender, so every address and number is given
an owner by the words before it, read from `rules/lexicon/autoreply.toml`:
- after a contact word ("kontakta", "I brådskande ärenden", "For urgent matters
  please contact", "ota yhteyttä") it belongs to an alternate contact, grouped
  with the name before it;
- after a new-address word ("Min nya e-postadress är") it is the sender's new
  address; after a reach-me word ("du når mig på", "ring mig") it is the sender's,
  and the new address only when the sender has left or changed address;
- with no such word it is an alternate when a person's name stands right before
  it, else (when the sender has left or changed address) their new address.
The reason is the first of `reason.order` whose phrases occur; a redacted health
placeholder gives "absence" and no health word is ever written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Literal

from harvester.understand.dates import parse_until
from harvester.understand.extract import has_us_address
from harvester.understand.lexicon import Lexicon
from harvester.understand.region import explicit_region, label_region, phone_regions, prefer_address_region
from harvester.understand.types import AlternateContact, AutoReply, AutoReplyReason, Phone

__all__ = ["autoreply_details", "autoreply_reason"]

_FILE = "autoreply"
_MAX_TEXT = 6000
_MAX_ALTERNATES = 6

# Bounded repeats: a run of thousands of word characters must not cost seconds.
_EMAIL = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9][\w.%+'-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?){0,8}\.[A-Za-z]{2,24}(?![\w-])"
)
_PHONE = re.compile(r"(?<![\w+@/.])(?:\+|00)?\d[\d \t\-\u2013/().]{4,18}\d(?![\w@])")
_DATE_LIKE = re.compile(r"^\d{1,4}[-./]\d{1,2}[-./]\d{1,4}$|^\d{1,2}[./]\d{1,2}\.?$")
_UPPER = "A-ZÅÄÖÆØÜÉÈÁÍÓÚÑ"
_LOWER = "a-zåäöæøüéèáíóúñçß'\u2019"
_NAME_WORD = rf"[{_UPPER}][{_LOWER}]+(?:-[{_UPPER}]?[{_LOWER}]+)?"
_PARTICLE = r"(?:af|von|van|de|der|den|da|di|la|le|du|el)"
_NAME = re.compile(rf"(?<![\w@.]){_NAME_WORD}(?:[ \t]+(?:{_PARTICLE}[ \t]+)?{_NAME_WORD}){{1,3}}")
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n")
_SEPARATOR = re.compile(r"(?<!\w)(?:eller|or|och|and|alternativt|alternatively|tai|ja|samt|og|el\.)(?!\w)|;")
_FOLD = str.maketrans({"æ": "ae", "ø": "o", "ß": "ss"})

_Context = Literal["alternate", "topic", "new", "reach", "none"]


@dataclass(slots=True)
class _Token:
    kind: Literal["name", "email", "phone"]
    start: int
    end: int
    value: str


@dataclass(slots=True)
class _Person:
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    end: int = 0
    tokens: list[_Token] = field(default_factory=list)


def _fold(value: str) -> str:
    """Lower-case ASCII: "Åsa Öberg" → "asa oberg" (to compare names with mail addresses)."""
    value = unicodedata.normalize("NFKD", value.lower().translate(_FOLD))
    return "".join(c for c in value if not unicodedata.combining(c))


def _name_tokens(value: str) -> list[str]:
    return [t for t in re.split(r"[^a-z0-9]+", _fold(value)) if t]


def _email_matches_name(email: str, name: str) -> bool:
    """anna.berg@, aberg@, anna@, berg.anna@ all fit "Anna Berg"."""
    local = _fold(email.partition("@")[0])
    words = _name_tokens(name)
    if not words:
        return False
    first, last = words[0], words[-1]
    squashed = re.sub(r"[^a-z0-9]", "", local)
    return (
        (len(first) >= 3 and first in local)
        or (len(last) >= 3 and last in local)
        or squashed in {first[0] + last, first + last[0], first + last}
    )


@dataclass(frozen=True, slots=True)
class _Sender:
    email: str | None
    name: str | None

    def is_email(self, email: str | None) -> bool:
        return bool(email and self.email and email.lower() == self.email.lower())

    def is_name(self, name: str | None) -> bool:
        if not name:
            return False
        words = _name_tokens(name)
        if self.name and _name_tokens(self.name)[:1] + _name_tokens(self.name)[-1:] == (
            words[:1] + words[-1:]
        ):
            return True
        if not self.email or len(words) < 2:
            return False
        local = _fold(self.email.partition("@")[0])
        return words[0] in local and words[-1] in local

    def resembles(self, email: str) -> bool:
        """Another address of the same person: erik.ek@frilans for erik.ek@dagbladet,
        ahmed@nytt-magasin for ahmed.yousef@magasin (a first name alone only counts
        on another domain: erik@dagbladet is a colleague of erik.ek@dagbladet)."""
        local, _, domain = email.lower().partition("@")
        theirs = _fold(local)
        if self.name and len(_name_tokens(self.name)) >= 2:
            words = _name_tokens(self.name)
            if words[0] in theirs and words[-1] in theirs:
                return True
        if not self.email:
            return False
        my_local, _, my_domain = self.email.lower().partition("@")
        mine = [t for t in _name_tokens(my_local) if len(t) >= 2]
        if mine and all(t in theirs for t in mine):
            return True
        squashed = re.sub(r"[^a-z0-9]", "", theirs)
        return bool(mine) and domain != my_domain and squashed == mine[0] and len(squashed) >= 3


# --- reason ------------------------------------------------------------------------


def _reason_of(key: str) -> AutoReplyReason | None:
    values = sorted((r.value for r in AutoReplyReason), key=len, reverse=True)
    return next((AutoReplyReason(v) for v in values if key.startswith(v)), None)


def autoreply_reason(text: str, *, lexicon: Lexicon) -> AutoReplyReason:
    """The first reason of `reason.order` whose phrases occur in `text`; OTHER when none."""
    order = lexicon.phrases(_FILE, "reason.order") or tuple(
        k for k in lexicon.keys(_FILE, "reason") if k != "order"
    )
    for key in order:
        reason = _reason_of(key)
        if reason is None:
            continue
        if lexicon.matcher(_FILE, f"reason.{key}").search(text) or lexicon.matcher(
            _FILE, f"reason.{key}_regex"
        ).search(text):
            return reason
    return AutoReplyReason.OTHER


# --- tokens and their owners -----------------------------------------------------------


# What may stand between an alternate's address and their number: ", ", " or ", " eller tel. "
_JOINED = re.compile(
    r"^[\s,;/|\u2013-]*(?:(?:or|eller|tai|eller på|or on|on|på|tel\.?|tfn\.?|mobil|mob\.?|phone|puh\.?)"
    r"\s*:?\s*)?$",
    re.I,
)


def _first_name_before(email: str, text: str) -> str | None:
    """ "Hör av dig till Sofia på sofia@…": a first name alone, right before an address whose
    local part starts with it, names that person."""
    at = text.lower().find(email.lower())
    if at <= 0:
        return None
    match = _FIRST_NAME_BEFORE.search(text[max(0, at - 40) : at])
    if match is None:
        return None
    name = match.group(1)
    local = _fold(email.partition("@")[0])
    return name if local.startswith(_fold(name)) and len(name) >= 3 else None


_FIRST_NAME_BEFORE = re.compile(
    r"(?<![\w.])([A-ZÅÄÖÆØ][a-zåäöæøéü]+)\s*(?:,|\(|på|at|on|via|:|p\u00e5)?\s*<?$"
)


def _names(text: str, lexicon: Lexicon) -> list[_Token]:
    stop = {w.lower() for w in lexicon.phrases(_FILE, "contacts.not_names")}
    found: list[_Token] = []
    for m in _NAME.finditer(text):
        words = [(w.start(), w.end()) for w in re.finditer(r"\S+", m.group(0))]
        while words and m.group(0)[words[0][0] : words[0][1]].lower() in stop:
            words.pop(0)
        while words and m.group(0)[words[-1][0] : words[-1][1]].lower() in stop:
            words.pop()
        words = words[:3]
        if len(words) < 2:
            continue
        chosen = [m.group(0)[a:b] for a, b in words]
        if any(w.lower() in stop for w in chosen):
            continue
        start, end = m.start() + words[0][0], m.start() + words[-1][1]
        if found and text[found[-1].end : start].strip() == "(":
            continue  # "Priya Nair (Deputy Editor)": her role, not a second person
        found.append(_Token("name", start, end, " ".join(chosen)))
    return found


def _emails(text: str, find_emails: Callable[[str], list[str]]) -> list[_Token]:
    found: list[_Token] = []
    for m in _EMAIL.finditer(text):
        normal = find_emails(m.group(0))
        if normal:
            found.append(_Token("email", m.start(), m.end(), normal[0]))
    return found


def _phone_of(
    candidate: str, find_phones: Callable[..., list[Phone]], regions: tuple[str, ...]
) -> str | None:
    try:
        phones = find_phones(candidate, regions=regions)
    except TypeError:  # a finder without regions
        phones = find_phones(candidate)
    return phones[0].e164 if phones else None


def _phones(text: str, find_phones: Callable[..., list[Phone]], regions: tuple[str, ...]) -> list[_Token]:
    found: list[_Token] = []
    for m in _PHONE.finditer(text):
        candidate = m.group(0).strip(" \t-()./")
        digits = sum(c.isdigit() for c in candidate)
        if digits < 7 or digits > 15 or _DATE_LIKE.match(candidate):
            continue
        e164 = _phone_of(candidate, find_phones, regions)
        if e164:
            found.append(_Token("phone", m.start(), m.end(), e164))
    return found


@dataclass(frozen=True, slots=True)
class _Cue:
    start: int
    end: int
    kind: _Context  # "topic" counts as "alternate" and may precede a matter's name


def _cues(text: str, lexicon: Lexicon) -> list[_Cue]:
    """Contact, new-address and reach-me words; of overlapping ones the longest wins."""
    raw: list[_Cue] = []
    # On a tie the first kind wins: a topic word is also a contact word.
    cues: tuple[tuple[str, _Context], ...] = (
        ("contacts.topics", "topic"),
        ("contacts.cues", "alternate"),
        ("contacts.new_address", "new"),
        ("contacts.reach_me", "reach"),
    )
    for key, kind in cues:
        raw += [_Cue(m.start(), m.end(), kind) for m in lexicon.matcher(_FILE, key).finditer(text)]
    raw.sort(key=lambda c: (c.start, -(c.end - c.start)))
    kept: list[_Cue] = []
    for cue in raw:
        if kept and cue.start < kept[-1].end:
            continue
        kept.append(cue)
    return kept


#: A closing line is short: "Med vänlig hälsning", "Thanks, Erik" — not "Thanks for your email. ..."
_CLOSING_LINE_MAX = 40


def _closing_lines(text: str, lexicon: Lexicon) -> list[int]:
    """Offsets of lines that begin with a closing ("Med vänlig hälsning", "Best regards")."""
    found: list[int] = []
    for m in lexicon.matcher(_FILE, "contacts.stop").finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.start())
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        if not text[line_start : m.start()].strip() and len(line.strip()) <= _CLOSING_LINE_MAX:
            found.append(line_start)
    return found


def _units(text: str, lexicon: Lexicon) -> list[tuple[int, int]]:
    """Paragraphs, split also before a closing ("Med vänlig hälsning"); a paragraph
    ending in ":" runs on into the ones after it (a list of contacts follows)."""
    cuts = {0, len(text)}
    cuts |= {m.end() for m in _PARAGRAPH.finditer(text)}
    stop = lexicon.matcher(_FILE, "contacts.stop")
    cuts |= set(_closing_lines(text, lexicon))
    bounds = sorted(cuts)
    units = [(a, b) for a, b in pairwise(bounds) if text[a:b].strip()]
    merged: list[tuple[int, int]] = []
    for a, b in units:
        if merged and text[merged[-1][0] : merged[-1][1]].rstrip().endswith(":"):
            if not stop.match(text[a:b].lstrip()):
                merged[-1] = (merged[-1][0], b)
                continue
        merged.append((a, b))
    return merged


def _context(token: _Token, cues: list[_Cue], unit: tuple[int, int], text: str, lex: Lexicon) -> _Context:
    before = [c for c in cues if unit[0] <= c.start and c.end <= token.start]
    if not before:
        return "none"
    cue = before[-1]
    between = text[cue.end : token.start]
    if cue.kind in ("new", "reach"):
        # the sender's own words reach only to the end of their sentence
        sentence_end = _SENTENCE_END.search(between.rstrip(": \t\n"))
        return cue.kind if sentence_end is None else "none"
    if lex.matcher(_FILE, "contacts.self").search(between) and not _NAME.search(between):
        return "reach"
    return "alternate"  # contact and topic words alike


def _signature_start(text: str, sender: _Sender, lexicon: Lexicon, units: list[tuple[int, int]]) -> int:
    """Where the sender's own signature begins: a closing at the start of a line, or a
    later paragraph that holds the sender's address or starts with their name."""
    starts = [len(text), *_closing_lines(text, lexicon)]
    for a, b in units[1:]:
        chunk = text[a:b]
        first_line = chunk.strip().split("\n", 1)[0]
        if (sender.email and sender.email.lower() in chunk.lower()) or (
            sender.name and sender.is_name(first_line.strip())
        ):
            starts.append(a)
    return min(starts)


def _unit_of(pos: int, units: list[tuple[int, int]]) -> tuple[int, int]:
    return next((u for u in units if u[0] <= pos < u[1]), (pos, pos))


# --- grouping alternates -----------------------------------------------------------------


def _attach(person: _Person, token: _Token, text: str, cues: list[_Cue]) -> bool:
    """May `token` (an address or number) belong to `person`, the last one named?

    Not across a new contact word or sentence; after "eller"/"or" only a number
    ("Anna Berg, anna.berg@... eller 070-...") or an address that fits the name.
    """
    slot = "email" if token.kind == "email" else "phone"
    if getattr(person, slot) is not None:
        return False
    if token.kind == "email" and person.name and _email_matches_name(token.value, person.name):
        return True
    gap = text[person.end : token.start]
    if "\n\n" in gap or len(gap) > 60 or re.search(r"[.!?]\s", gap):
        return False
    if any(person.end <= c.start and c.end <= token.start for c in cues):
        return False
    return token.kind == "phone" or not _SEPARATOR.search(gap)


def _group(tokens: list[_Token], text: str, cues: list[_Cue]) -> list[_Person]:
    people: list[_Person] = []
    for token in tokens:
        if token.kind == "name":
            people.append(_Person(name=token.value, end=token.end, tokens=[token]))
            continue
        owner = people[-1] if people and _attach(people[-1], token, text, cues) else None
        if owner is None and token.kind == "email":
            owner = next(
                (
                    p
                    for p in people
                    if p.email is None and p.name and _email_matches_name(token.value, p.name)
                ),
                None,
            )
        if owner is None:
            owner = _Person(end=token.end)
            people.append(owner)
        setattr(owner, "email" if token.kind == "email" else "phone", token.value)
        owner.end = max(owner.end, token.end)
        owner.tokens.append(token)
    return people


_FI_INFLECTED = re.compile(r"^(?P<stem>\w+?)se(?:en|lle|lta|lla|n|ssa|sta)$")


def _nominative(name: str, email: str | None) -> str:
    """ "Liisa Virtaseen" with liisa.virtanen@ → "Liisa Virtanen" (Finnish -nen surnames
    are inflected after "ota yhteyttä"; the address keeps the base form)."""
    if not email:
        return name
    words = name.split()
    m = _FI_INFLECTED.match(words[-1])
    if m is None:
        return name
    base = m.group("stem") + "nen"
    if _fold(base) in _fold(email.partition("@")[0]):
        words[-1] = base
    return " ".join(words)


def _same_person(known: AlternateContact, person: _Person) -> bool:
    """One entry per person: the same address, name or number, or an address that
    fits a name given apart from it ("anna.berg@... (Anna Berg)")."""
    if person.email and known.email and person.email.lower() == known.email.lower():
        return True
    if person.name and known.name and _fold(person.name) == _fold(known.name):
        return True
    if person.phone and known.phone == person.phone:
        return True
    if person.email and not known.email and not person.name and known.name:
        return _email_matches_name(person.email, known.name)
    if known.email and not person.email and person.name and not known.name:
        return _email_matches_name(known.email, person.name)
    return False


def _is_topic(name: _Token, cues: list[_Cue], details: list[_Token], text: str) -> bool:
    """A name between a topic word and the next contact word, with no address, number
    or "eller"/"or" between, is the matter, not a person ("For urgent Front Row matters
    please contact ...", "Vid frågor om Way Out West, kontakta ...")."""
    before = [c for c in cues if c.end <= name.start]
    if not before or before[-1].kind != "topic":
        return False
    following = next((c for c in cues if c.start >= name.end), None)
    if following is None:
        return False
    gap = text[before[-1].end : following.start]
    if re.search(r"[.!?]\s|\n\s*\n", gap) or _SEPARATOR.search(gap):
        return False
    return not any(name.end <= d.start < following.start for d in details)


def _merge(people: list[_Person], sender: _Sender, roles: re.Pattern[str]) -> list[AlternateContact]:
    result: list[AlternateContact] = []
    for person in people:
        if person.name:
            person.name = _nominative(person.name, person.email)
        if person.name and person.email and not _email_matches_name(person.email, person.name):
            if roles.fullmatch(person.email.partition("@")[0].lower()):
                # "Scenkonst Västs kansli, kansli@...": a desk, the words are no person
                person.name = None
        if sender.is_name(person.name) or sender.is_email(person.email):
            continue
        same = next((r for r in result if _same_person(r, person)), None)
        if same is None:
            result.append(AlternateContact(name=person.name, email=person.email, phone=person.phone))
        else:
            same.name = same.name or person.name
            same.email = same.email or person.email
            same.phone = same.phone or person.phone
    # A number alone that a fuller entry also holds (said again in a second language) is theirs.
    result = [
        r for r in result if r.name or r.email or not any(o is not r and o.phone == r.phone for o in result)
    ]
    return result[:_MAX_ALTERNATES]


# --- the public function ----------------------------------------------------------------


def _name_right_before(token: _Token, names: list[_Token], text: str, cues: list[_Cue]) -> _Token | None:
    """The name just before `token`, with no separator or contact word between them."""
    for name in reversed(names):
        if name.end <= token.start:
            gap = text[name.end : token.start]
            if len(gap) > 40 or _SEPARATOR.search(gap) or "\n\n" in gap:
                return None
            if any(name.end <= c.start and c.end <= token.start for c in cues):
                return None
            return name
    return None


def autoreply_details(
    text: str,
    *,
    sent_at: datetime | None,
    sender_email: str | None,
    lexicon: Lexicon,
    find_emails: Callable[[str], list[str]],
    find_phones: Callable[..., list[Phone]],
    sender_name: str | None = None,
) -> AutoReply:
    """Reason, until, new address and alternate contacts of an auto-reply's own text.

    `text` is redacted and has its quotes cut. Never raises; what cannot be read
    is left empty.
    """
    if not text or not isinstance(text, str):
        return AutoReply()
    text = text[:_MAX_TEXT].replace("\r\n", "\n")
    try:
        reason = autoreply_reason(text, lexicon=lexicon)
    except Exception:
        return AutoReply()
    reply = AutoReply(reason=reason)
    if reason not in (AutoReplyReason.LEFT_ORGANIZATION, AutoReplyReason.ADDRESS_CHANGE):
        # An American writes "10/12" for 12 October: known by a +1 number or a US address.
        american = explicit_region(text) == "US" or has_us_address(text)
        reply.until = parse_until(text, sent_at=sent_at, lexicon=lexicon, month_first=american)
    try:
        _fill_contacts(reply, text, _Sender(sender_email, sender_name), lexicon, find_emails, find_phones)
    except Exception:  # a finder tripping over odd text must not lose the reason and date
        reply.alternate_contacts = []
    return reply


def _fill_contacts(
    reply: AutoReply,
    text: str,
    sender: _Sender,
    lexicon: Lexicon,
    find_emails: Callable[[str], list[str]],
    find_phones: Callable[..., list[Phone]],
) -> None:
    moved = reply.reason in (AutoReplyReason.LEFT_ORGANIZATION, AutoReplyReason.ADDRESS_CHANGE)
    names = _names(text, lexicon)
    # "puh. 03 174 0620" in a bilingual reply is Finnish whichever language has more words.
    regions = prefer_address_region(
        phone_regions(text, sender_email=sender.email, lexicon=lexicon),
        label_region(text, lexicon),
        sender_email=sender.email,
    )
    details = sorted(_emails(text, find_emails) + _phones(text, find_phones, regions), key=lambda t: t.start)
    # a number inside an address ("anna.070@...") or a name inside one is no token
    details = [
        d
        for i, d in enumerate(details)
        if not any(
            o is not d and o.start <= d.start and d.end <= o.end for o in details[:i] + details[i + 1 :]
        )
    ]
    cues = _cues(text, lexicon)
    units = _units(text, lexicon)

    signature = _signature_start(text, sender, lexicon, units)

    alternate: list[_Token] = []
    new_strong: list[str] = []
    new_weak: list[str] = []
    for token in details:
        if token.kind == "email" and sender.is_email(token.value):
            continue
        if token.kind == "email" and sender.resembles(token.value):
            # erik.ek@frilans for erik.ek@dagbladet: the sender's own other address
            if moved:
                new_strong.append(token.value)
            continue
        if token.start >= signature:
            continue
        context = _context(token, cues, _unit_of(token.start, units), text, lexicon)
        if context == "alternate":
            alternate.append(token)
        elif token.kind != "email":
            # "… via Jonas Almqvist, jonas@…, 070-174 06 38": a number right after an alternate's
            # address is theirs too
            if alternate and _JOINED.match(text[alternate[-1].end : token.start]):
                alternate.append(token)
            continue
        elif context == "new" or (context == "reach" and moved):
            new_strong.append(token.value)
        elif context == "none":
            # an address in the note itself that is not the sender's: a desk or colleague
            alternate.append(token)

    # names said after a contact word are people even without an address
    for name in names:
        if _is_topic(name, cues, details, text):
            continue
        context = _context(name, cues, _unit_of(name.start, units), text, lexicon)
        if context == "alternate" or any(
            t.start >= name.end and _name_right_before(t, names, text, cues) is name for t in alternate
        ):
            alternate.append(name)
    alternate = sorted({(t.start, t.kind): t for t in alternate}.values(), key=lambda t: t.start)

    roles = lexicon.matcher(_FILE, "contacts.role_locals_regex")
    reply.alternate_contacts = _merge(_group(alternate, text, cues), sender, roles)
    for person in reply.alternate_contacts:
        if person.name is None and person.email:
            person.name = _first_name_before(person.email, text)
    taken = {a.email.lower() for a in reply.alternate_contacts if a.email}
    for candidate in new_strong + new_weak:
        if candidate.lower() not in taken and not sender.is_email(candidate):
            reply.new_email = candidate
            break
