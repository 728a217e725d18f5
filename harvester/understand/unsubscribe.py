"""A person's own request to stop receiving mail, and the channels it covers.

Why sentences: a request is first person and unconditional ("Ta bort mig från
era utskick", "Please remove me"); the same words in a newsletter footer are
second person or conditional ("Om du inte vill ha fler utskick, avregistrera dig
här"). Reading sentence by sentence lets the footer wording veto the sentence it
stands in, and lets a channel named next to the request decide what is covered.
The words, and the rule for a bare request (→ e-mail), are in
`rules/lexicon/unsubscribe.toml`.

>>> from harvester.understand.lexicon import load_lexicon
>>> lex = load_lexicon()
>>> [c.value for c in unsubscribe_channels("Hej! Vill inte ha fler pressmeddelanden.", lexicon=lex)]
['press_release']
>>> [c.value for c in unsubscribe_channels("Avregistrera mig, tack.", lexicon=lex)]
['email']
>>> unsubscribe_channels("Om du inte vill ha fler utskick, avregistrera dig här.", lexicon=lex)
[]
"""

from __future__ import annotations

import re

from harvester.understand.lexicon import Lexicon
from harvester.understand.types import UnsubscribeChannel

__all__ = ["is_unsubscribe_request", "unsubscribe_channels"]

_FILE = "unsubscribe"
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n\s*\n|\n(?=\s*[-*•>])")
_CLAUSE = re.compile(r"[,;:\u2013\u2014]|\s(?:men|but|mutta|dog)\s", re.IGNORECASE)
#: Channels in the order they are reported (the contract's order).
_ORDER = (
    UnsubscribeChannel.EMAIL,
    UnsubscribeChannel.PRESS_RELEASE,
    UnsubscribeChannel.NEWSLETTER,
    UnsubscribeChannel.PHONE,
    UnsubscribeChannel.SMS,
    UnsubscribeChannel.POST,
)
#: E-mail mailings: naming one means the e-mail channel is not meant as a whole.
_MAILINGS = frozenset({UnsubscribeChannel.PRESS_RELEASE, UnsubscribeChannel.NEWSLETTER})


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(text) if s and s.strip()]


def _names_channel(sentence: str, lexicon: Lexicon) -> bool:
    return bool(lexicon.matcher(_FILE, "mailing").search(sentence) or _channels(sentence, lexicon))


def _is_request(sentence: str, lexicon: Lexicon) -> bool:
    if lexicon.matcher(_FILE, "conditional").search(sentence):
        return False
    if lexicon.matcher(_FILE, "not_mailing").search(sentence):
        return False  # "ta bort mig från gästlistan": a guest list or an event, not a mailing
    if lexicon.matcher(_FILE, "request").search(sentence):
        return True
    return bool(
        lexicon.matcher(_FILE, "request_with_object").search(sentence) and _names_channel(sentence, lexicon)
    )


def _clauses(sentence: str) -> list[str]:
    return [c for c in _CLAUSE.split(sentence) if c.strip()]


def _bare_first_line(text: str, lexicon: Lexicon) -> bool:
    """A reply whose first line is only "Unsubscribe" / "Avregistrera" (and punctuation)."""
    for line in text.splitlines():
        if line.strip():
            words = " ".join(re.findall(r"[^\W\d_]+", line.lower()))
            return words in {b.lower() for b in lexicon.phrases(_FILE, "bare")}
    return False


_RULE = re.compile(r"^\s*[-_=*]{5,}\s*$")
_LINK = re.compile(r"https?://|www\.", re.I)


def _requests(text: str, lexicon: Lexicon, first_lines: int | None) -> list[str]:
    """The sentences of `text` that are requests (all of them, in order)."""
    if first_lines is not None:
        # List mail: only what a person typed above it counts, so never its own footer (below
        # a rule) nor a link's label ("Avsluta prenumerationen: https://…").
        typed: list[str] = []
        for line in text.splitlines():
            if _RULE.match(line):
                break
            if line.strip() and not _LINK.search(line):
                typed.append(line)
        text = "\n".join(typed[:first_lines])
    # A sentence can only be a request if the whole text matches a request phrase
    # somewhere: one search over the text spares the per-sentence scan of most mail.
    possible = any(
        lexicon.may_match(_FILE, key, text) and lexicon.matcher(_FILE, key).search(text)
        for key in ("request", "request_with_object")
    )
    found = [s for s in _sentences(text) if _is_request(s, lexicon)] if possible else []
    if not found and first_lines is None and _bare_first_line(text, lexicon):
        found = [next(line for line in text.splitlines() if line.strip())]
    return found


def is_unsubscribe_request(text: str, *, lexicon: Lexicon, first_lines: int | None = None) -> bool:
    """True when `text` (the sender's own words) asks to stop receiving mail.

    `first_lines` limits the search to the first non-empty lines (classify uses it
    for mail that looks like a newsletter, whose own body is not the sender's reply;
    a bare "Unsubscribe" line then does not count either).
    """
    if not text or not isinstance(text, str):
        return False
    return bool(_requests(text[:20_000], lexicon, first_lines))


def unsubscribe_channels(text: str, *, lexicon: Lexicon) -> list[UnsubscribeChannel]:
    """The channels a request covers: named ones, ["all"], or ["email"] for a bare request.

    Channels are read in the request's own sentences, leaving out clauses that say
    a channel is still welcome ("sms nej tack, mejl går bra"). Empty when `text`
    holds no request. Never raises.
    """
    if not text or not isinstance(text, str):
        return []
    requests = _requests(text[:20_000], lexicon, None)
    if not requests:
        return []
    if any(lexicon.matcher(_FILE, "all").search(s) for s in requests):
        return [UnsubscribeChannel.ALL]
    welcome = lexicon.matcher(_FILE, "still_welcome")
    found: set[UnsubscribeChannel] = set()
    implied = False  # e-mail read into a request that did not name it
    sentences = _sentences(text[:20_000])
    for sentence in requests:
        scope = " ".join(c for c in _clauses(sentence) if not welcome.search(c))
        named = _channels(scope, lexicon)
        if named & _MAILINGS:
            # "pressmeddelanden per e-post": the mailing is meant, not all e-mail
            named.discard(UnsubscribeChannel.EMAIL)
        elif named and lexicon.matcher(_FILE, "mailing").search(
            # "your postal mailing list" is the post channel, not the e-mail list too
            lexicon.matcher(_FILE, "channel.post").sub(" ", scope)
        ):
            # "remove me from your list and don't call me": the e-mail list too
            implied = True
        elif not named:
            # "... era pressmeddelanden hamnar fel hos mig. Stryk mig från den listan.": a bare
            # request that points back at a mailing named just before it means that mailing
            place = sentences.index(sentence) if sentence in sentences else 0
            named = _channels(sentences[place - 1], lexicon) & _MAILINGS if place else set()
            implied = implied or not named
        found |= named
    if implied and not found & _MAILINGS:
        # a bare request means the agency's e-mail list; but in "Ta bort mig från era
        # utskick. Jag vill inte ha fler pressmeddelanden." the named mailing says what the
        # bare sentence meant, and "mejla gärna som vanligt" beside a named channel keeps
        # e-mail out
        email_welcome = any(
            welcome.search(s) and UnsubscribeChannel.EMAIL in _channels(s, lexicon) for s in sentences
        )
        if not (email_welcome and found):
            found.add(UnsubscribeChannel.EMAIL)
    return [c for c in _ORDER if c in found]


def _channels(sentence: str, lexicon: Lexicon) -> set[UnsubscribeChannel]:
    return {c for c in _ORDER if lexicon.matcher(_FILE, f"channel.{c.value}").search(sentence)}
