"""Which kind a message is: bounce → auto-reply → unsubscribe → bulk → personal.

The order is the point. A bounce often says `Auto-Submitted`, so bounces go
first; a vacation reply often carries `Precedence: bulk`, so auto-replies go
before bulk; a person who types "avregistrera mig" in reply to a newsletter
asks for something even though the mail looks like a list reply, so requests
go before bulk. Each test only runs when the earlier ones said no.

Cues and where they come from (words in `rules/lexicon/{bounce,autoreply,
unsubscribe,bulk}.toml`, structure here):
- bounce: RFC 3464 report anywhere in the MIME tree (a DSN whose every action is
  `delayed` is still a bounce; `bounce_details` says it is not permanent),
  `X-Failed-Recipients`, MAILER-DAEMON/postmaster senders, bounce subjects, and
  text-only report phrases in the first lines (Exchange in five languages);
- auto-reply: `Auto-Submitted` other than "no" (RFC 3834; `auto-generated` with
  list/ESP headers and no reply wording is a newsletter, not a reply),
  X-Autoreply-style headers, `Precedence: auto_reply`, subject prefixes, body
  wording only automatic replies use; a plain statement of absence ("Jag är på
  semester") counts only at the start of a short text that quotes nothing and is
  no conversational remark ("... nästa vecka men ..."). `X-Auto-Response-Suppress`
  is not a cue: Outlook sets it on ordinary mail;
- unsubscribe: a first-person request in the sender's own text (`text`, quotes
  already cut); for list-looking mail only its first lines count, so the
  newsletter's own body and footer never do;
- bulk: List-Id/List-Unsubscribe, Precedence bulk/list/junk, no-reply senders,
  ESP headers and mailers.
"""

from __future__ import annotations

import re
from email.message import Message
from functools import lru_cache

from harvester.understand.autoreply import autoreply_reason
from harvester.understand.bounce import dsn_actions, is_delivery_report
from harvester.understand.lexicon import Lexicon, load_lexicon
from harvester.understand.parse import header_text
from harvester.understand.types import AutoReplyReason, Kind
from harvester.understand.unsubscribe import is_unsubscribe_request

__all__ = ["classify", "has_autoreply_wording"]

_AUTO = "autoreply"
_BOUNCE = "bounce"
_BULK = "bulk"
#: Lines of the sender's text searched for report and auto-reply wording.
_HEAD_LINES = 12
#: Lines at the start of the text where a plain statement of absence may stand.
_WEAK_LINES = 4
#: A text this long is a letter, not an out-of-office note.
_WEAK_MAX_CHARS = 1500
#: Lines of list-looking mail in which a human's unsubscribe request may stand.
_LIST_REQUEST_LINES = 8
_FALSE = frozenset({"no", "false", "0", "off", ""})
_REPLY_PREFIX = re.compile(r"^\s*(?:re|sv|vs|aw|fw|fwd|vb|vl|antw|r)\s*:", re.IGNORECASE)
_PREFIX_FOLLOW = re.compile(r"\s*(?:$|[:\]\-\u2013|(]|(?:re|sv|vs|aw|fw|fwd)\s*:)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


@lru_cache(maxsize=16)
def _head(text: str, lines: int) -> str:
    """The first `lines` non-blank lines of `text`, one newline between them.

    Only as much of a long text is split as those lines take (and each is asked for by
    more than one test: cached).
    """
    size = _HEAD_CHUNK
    while size < len(text):
        # every piece but the last ends before the cut as it does in the whole text
        found = [line for line in text[:size].splitlines()[:-1] if line.strip()]
        if len(found) >= lines:
            return "\n".join(found[:lines])
        size *= 4
    return "\n".join([line for line in text.splitlines() if line.strip()][:lines])


_HEAD_CHUNK = 2048


def _search(lex: Lexicon, file: str, key: str, text: str) -> re.Match[str] | None:
    """`lex.matcher(file, key).search(text)`, skipped when the list's precheck rules it out."""
    if not lex.may_match(file, key, text):
        return None
    return lex.matcher(file, key).search(text)


def _local(sender: str) -> str:
    return sender.strip().strip("<>").partition("@")[0].lower()


# --- bounce ----------------------------------------------------------------------


def _is_bounce(msg: Message, sender: str, subject: str, text: str, lex: Lexicon) -> bool:
    if is_delivery_report(msg) or msg.get("X-Failed-Recipients"):
        return True
    local = _local(sender)
    if local and lex.search_any(_BOUNCE, "sender_local_regex", local):
        return True
    from_name = (header_text(msg, "From") or "").partition("<")[0].strip(' "')
    if from_name and lex.matcher(_BOUNCE, "sender_name_regex").search(from_name):
        return True
    if lex.search_any(_BOUNCE, "subject_regex", subject):
        return True
    return _search(lex, _BOUNCE, "body", _head(text, _HEAD_LINES)) is not None


_SUCCESS = frozenset({"delivered", "relayed", "expanded"})


def _is_success_report(msg: Message) -> bool:
    """A DSN whose every recipient was delivered (a receipt someone asked for)."""
    if not is_delivery_report(msg):
        return False
    actions = dsn_actions(msg)
    return bool(actions) and all(a in _SUCCESS for a in actions)


# --- auto-reply ------------------------------------------------------------------


def _subject_says_autoreply(subject: str, lex: Lexicon) -> bool:
    stripped = subject.lstrip(" \t[(")
    m = lex.matcher(_AUTO, "subject.prefixes").match(stripped)
    if m and _PREFIX_FOLLOW.match(stripped, m.end()):
        return True
    if _REPLY_PREFIX.match(subject):  # "Re: Out of office ..." is a person answering one
        return False
    return bool(lex.matcher(_AUTO, "subject.phrases").search(subject))


def _is_conversational(text: str, start: int, lex: Lexicon) -> bool:
    """Does the sentence around `start` read as a remark in a conversation?"""
    begin = 0
    for m in _SENTENCE_END.finditer(text, 0, start):
        begin = m.end()
    end_match = _SENTENCE_END.search(text, start)
    sentence = text[begin : end_match.start() if end_match else len(text)]
    return bool(lex.matcher(_AUTO, "body.conversational").search(sentence))


_NAMED_GREETING = re.compile(
    r"(?:hej|hejsan|hallå|hei|hey|hi|hello|dear|kära|käre|bästa|moi|hei hei|terve|hallo|god morgon)"
    r"\s+[A-ZÅÄÖÆØ][a-zåäöæøé]+\s*[!,.]?\s*(?:\n|$)",
    re.IGNORECASE,
)


def _quotes_something(msg: Message, text: str) -> bool:
    """Did the raw body hold more than the sender's own text (a quoted original)?"""
    from harvester.understand.text import body_of

    raw = body_of(msg).text
    if any(line.lstrip().startswith(">") for line in raw.splitlines()):
        return True
    return len(raw.strip()) > len(text.strip()) + 150


def has_autoreply_wording(text: str, *, lexicon: Lexicon) -> bool:
    """Wording only automatic replies use, in the first lines of `text`."""
    return _search(lexicon, _AUTO, "body.strong", _head(text, _HEAD_LINES)) is not None


def _weak_statement(msg: Message, text: str, lex: Lexicon, *, supported: bool) -> bool:
    head = _head(text, _WEAK_LINES)
    m = _search(lex, _AUTO, "body.weak", head) or _search(lex, _AUTO, "body.weak_regex", head)
    if m is None:
        return False
    if supported:
        return True
    if len(text) > _WEAK_MAX_CHARS or _is_conversational(head, m.start(), lex):
        return False
    if _NAMED_GREETING.match(head.lstrip()):
        return False  # "Hej Hanna!": typed to someone by name, which no automatic reply knows
    return not _quotes_something(msg, text)


def _header_names(msg: Message) -> frozenset[str]:
    """The message's header names, lowercased: one pass instead of one `msg.get` per name."""
    return frozenset(k.lower() for k in msg.keys())


def _header_flag(msg: Message, name: str) -> bool:
    value = msg.get(name)
    return value is not None and str(value).strip().lower() not in _FALSE


def _is_autoreply(msg: Message, subject: str, text: str, lex: Lexicon, *, listy: bool) -> bool:
    auto = (header_text(msg, "Auto-Submitted") or "").split(";")[0].strip().lower()
    wording = _subject_says_autoreply(subject, lex) or has_autoreply_wording(text, lexicon=lex)
    if auto and auto != "no":
        # auto-generated + list/ESP headers is a newsletter unless it reads as a reply
        return auto.startswith("auto-replied") or not listy or wording
    present = _header_names(msg)
    if any(_header_flag(msg, h) for h in lex.phrases(_AUTO, "headers.names") if h.lower() in present):
        return True
    precedence = (header_text(msg, "Precedence") or "").strip().lower()
    if precedence and precedence in {p.lower() for p in lex.phrases(_AUTO, "headers.precedence")}:
        return True
    if wording:
        return True
    supported = any(h.lower() in present for h in lex.phrases(_AUTO, "headers.supporting"))
    return _weak_statement(msg, text, lex, supported=supported)


# --- bulk --------------------------------------------------------------------------


def _list_headers(msg: Message, sender: str, lex: Lexicon) -> bool:
    """List and ESP headers, mass mailers, no-reply senders: mail nobody typed to one person."""
    present = _header_names(msg)
    for name in lex.phrases(_BULK, "headers"):
        if name.lower() not in present:
            continue
        value = f"{name.lower()}: {(header_text(msg, name) or '').strip().lower()}"
        if not lex.search_any(_BULK, "personal_header_regex", value):
            return True
    if any(lex.search_any(_BULK, "header_prefix_regex", k.lower()) for k in msg.keys()):
        return True
    mailer = f"{header_text(msg, 'X-Mailer') or ''} {header_text(msg, 'User-Agent') or ''}"
    if mailer.strip() and lex.matcher(_BULK, "mailer_regex").search(mailer):
        return True
    local = _local(sender)
    return bool(local) and lex.search_any(_BULK, "sender_local_regex", local)


def _is_generated_notice(msg: Message, text: str, lex: Lexicon) -> bool:
    """A machine notice (RFC 3834 "auto-generated") that says it cannot be answered and tells
    of no absence: a booking or form confirmation, not a vacation reply."""
    auto = (header_text(msg, "Auto-Submitted") or "").strip().lower()
    if not auto.startswith("auto-generated") or not _says_it_is_machine_mail(text, lex):
        return False
    return autoreply_reason(text, lexicon=lex) is AutoReplyReason.OTHER


def _is_read_receipt(msg: Message) -> bool:
    return msg.get_content_type() == "multipart/report" and (
        str(msg.get_param("report-type") or "").lower() == "disposition-notification"
    )


def _is_precedence_bulk(msg: Message, lex: Lexicon) -> bool:
    precedence = (header_text(msg, "Precedence") or "").strip().lower()
    return bool(precedence) and precedence in {p.lower() for p in lex.phrases(_BULK, "precedence")}


def _says_it_is_machine_mail(text: str, lex: Lexicon) -> bool:
    """The text says no one can reply to it ("automatiskt genererat meddelande")."""
    return lex.may_match(_BULK, "machine_text", text) and bool(
        lex.matcher(_BULK, "machine_text").search(text)
    )


# --- the order -----------------------------------------------------------------------


def classify(msg: Message, *, sender: str, text: str = "", lexicon: Lexicon | None = None) -> Kind:
    """The kind of `msg`; `text` is the sender's own text (quotes cut, redacted).

    Never raises: a message too broken to read is personal (the safe default:
    it is neither suppressed nor dropped).
    """
    try:
        lex = lexicon if lexicon is not None else load_lexicon()
        text = text if isinstance(text, str) else ""
        sender = sender if isinstance(sender, str) else ""
        subject = header_text(msg, "Subject") or ""
        if _is_bounce(msg, sender, subject, text, lex):
            if _is_success_report(msg):
                return Kind.BULK  # a delivery receipt: machine mail, nothing failed
            return Kind.BOUNCE
        if _is_read_receipt(msg):
            # a read receipt (RFC 8098): machine mail, never a person's reply or request. (Not
            # every "Auto-Submitted: auto-generated": many vacation responders send that too.)
            return Kind.BULK
        if _is_generated_notice(msg, text, lex):
            return Kind.BULK
        listy = _list_headers(msg, sender, lex)
        if _is_autoreply(msg, subject, text, lex, listy=listy):
            return Kind.AUTOREPLY
        bulky = listy or _is_precedence_bulk(msg, lex) or _says_it_is_machine_mail(text, lex)
        first = _LIST_REQUEST_LINES if bulky else None
        if is_unsubscribe_request(text, lexicon=lex, first_lines=first):
            return Kind.UNSUBSCRIBE
        return Kind.BULK if bulky else Kind.PERSONAL
    except Exception:  # broken MIME or headers: never a traceback (inspect.md)
        return Kind.PERSONAL
