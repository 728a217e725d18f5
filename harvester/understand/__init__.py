"""Message understanding: pure functions from bytes to an `Understanding`.

`understand()` is the one entry point; the daemon, `ingest` and `inspect` all call it.
The order is the architecture (shared/ARCHITECTURE.md): parse → body text → cut
quotes → REDACT (the gate) → classify → details per kind → signature → contact →
redact every string again. Nothing before the gate leaves this function.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from typing import Any

from harvester.understand.extract import find_emails, find_phones
from harvester.understand.lexicon import Lexicon, load_lexicon
from harvester.understand.parse import envelope_of, parse_bytes
from harvester.understand.quotes import own_text
from harvester.understand.redact import redact
from harvester.understand.region import DEFAULT_REGION, phone_regions
from harvester.understand.signature import (
    SignatureBlock,
    address_block_of,
    address_stated_in,
    contact_from,
    find_signature,
)
from harvester.understand.text import body_of
from harvester.understand.types import (
    AutoReply,
    Bounce,
    Contact,
    Envelope,
    Kind,
    Mailbox,
    Redaction,
    RedactionCategory,
    Understanding,
    Unsubscribe,
)

__all__ = ["Understanding", "check_rules", "understand"]

_log = logging.getLogger(__name__)
_WHERE_SIGNATURE = "signature"
_WHERE_AUTOREPLY = "autoreply"
_WHERE_BODY = "body"


_STATEMENT = re.compile(r"(?<=[.!?])\s+|\n")


@dataclass
class _Redactions:
    """What was removed, by category and place, one entry per removed phrase, in first-seen order."""

    items: list[Redaction]

    def add(self, categories: Iterable[RedactionCategory], where: str) -> None:
        for category in categories:
            if not any(r.category == category and r.where == where for r in self.items):
                self.items.append(Redaction(category=category, where=where))

    def add_each(self, categories: Iterable[RedactionCategory], text: str, where: str) -> None:
        """One entry per statement (sentence or line) that lost text of a category.

        "Sjukskriven efter en knäoperation" is one statement with two placeholders; the same
        absence said again in English in the next sentence is a second one.
        """
        if not categories:
            return  # no statement to count: spares splitting a long body
        statements = _STATEMENT.split(text)
        for category in categories:
            mark = f"[redacted:{category.value}]"
            for _ in range(sum(mark in statement for statement in statements)):
                self.items.append(Redaction(category=category, where=where))


def _kinds_api() -> dict[str, Callable[..., Any] | None]:
    """The kinds helpers' functions, each None while its module is not there yet."""
    found: dict[str, Callable[..., Any] | None] = {}
    for module, name in (
        ("classify", "classify"),
        ("autoreply", "autoreply_details"),
        ("bounce", "bounce_details"),
        ("unsubscribe", "unsubscribe_channels"),
    ):
        try:
            mod = __import__(f"harvester.understand.{module}", fromlist=[name])
            found[name] = getattr(mod, name, None)
        except ImportError:
            found[name] = None
    return found


_API: dict[str, Callable[..., Any] | None] | None = None


def _api() -> dict[str, Callable[..., Any] | None]:
    global _API
    if _API is None:
        _API = _kinds_api()
    return _API


def _classify(msg: Message, sender: str, text: str, lexicon: Lexicon) -> Kind:
    classify = _api()["classify"]
    if classify is None:
        return Kind.PERSONAL
    try:
        return Kind(classify(msg, sender=sender, text=text, lexicon=lexicon))
    except TypeError:  # the header-only foundation version
        return Kind(classify(msg, sender=sender))


def _redact_str(value: str | None, categories: list[RedactionCategory], rules: str | None) -> Any:
    if not value:
        return value
    result = redact(value, rules_dir=rules)
    categories.extend(result.categories)
    return result.text


def _redact_contact(contact: Contact, rules: str | None) -> list[RedactionCategory]:
    found: list[RedactionCategory] = []
    contact.name = _redact_str(contact.name, found, rules)
    contact.title = _redact_str(contact.title, found, rules)
    contact.organization = _redact_str(contact.organization, found, rules)
    if contact.address is not None:
        for field in ("street", "postal_code", "city", "country"):
            setattr(contact.address, field, _redact_str(getattr(contact.address, field), found, rules))
    contact.urls = [_redact_str(u, found, rules) for u in contact.urls]
    return found


def _redact_autoreply(reply: AutoReply, rules: str | None) -> list[RedactionCategory]:
    found: list[RedactionCategory] = []
    for alternate in reply.alternate_contacts:
        alternate.name = _redact_str(alternate.name, found, rules)
    return found


def _redact_envelope(envelope: Envelope, rules: str | None) -> list[RedactionCategory]:
    found: list[RedactionCategory] = []
    envelope.subject = _redact_str(envelope.subject, found, rules)
    for box in [envelope.sender, *envelope.to, *envelope.cc]:
        if box is not None:
            box.name = _redact_str(box.name, found, rules)
    return found


def _is_own(sender: Mailbox | None, own_domains: Iterable[str]) -> bool:
    if sender is None:
        return False
    domain = sender.email.rpartition("@")[2].lower()
    for own in own_domains:
        own = own.lower().lstrip("@").lstrip(".")
        if own and (domain == own or domain.endswith("." + own)):
            return True
    return False


def _autoreply(text: str, envelope: Envelope, lexicon: Lexicon) -> AutoReply | None:
    details = _api()["autoreply_details"]
    if details is None:
        return AutoReply()
    return details(
        text,
        sent_at=envelope.date,
        sender_email=envelope.sender.email if envelope.sender else None,
        lexicon=lexicon,
        find_emails=find_emails,
        find_phones=find_phones,
    )


def _bounce(msg: Message, lexicon: Lexicon) -> Bounce:
    details = _api()["bounce_details"]
    if details is None:
        return Bounce(permanent=False)
    try:
        return details(msg, lexicon=lexicon)
    except TypeError:
        return details(msg)


_REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|sv|vs|aw|ang|antw|fw|fwd|vb|vl|wg)\s*:\s*)+", re.I)


def _subject_said(subject: str | None, rules: str | None) -> str:
    """The Subject of a message with an empty body, as its text (through the gate)."""
    if not subject:
        return ""
    return redact(_REPLY_PREFIX.sub("", subject).strip(), rules_dir=rules).text


def _unsubscribe(text: str, lexicon: Lexicon) -> Unsubscribe:
    channels = _api()["unsubscribe_channels"]
    if channels is None:
        return Unsubscribe()
    return Unsubscribe(channels=list(channels(text, lexicon=lexicon)))


def understand(
    data: bytes,
    *,
    path: str | None = None,
    own_domains: Iterable[str] = (),
    rules_dir: Path | str | None = None,
) -> Understanding:
    """Read one message; never raises on malformed input (defects are listed instead)."""
    own = tuple(own_domains)
    rules = str(rules_dir) if rules_dir is not None else None
    envelope = Envelope()
    defects: list[str] = []
    try:
        msg = parse_bytes(data)
        defects = sorted({type(d).__name__ for d in msg.defects})
        envelope = envelope_of(msg)
        return _understand(msg, envelope, path=path, own=own, rules=rules, defects=defects)
    except Exception as exc:  # never a traceback for a readable message (inspect.md)
        _log.warning("understand failed: %s", type(exc).__name__)  # no path: it may name a person
        redacted = _redact_envelope(envelope, rules) if envelope.subject else []
        log = _Redactions([])
        log.add(redacted, _WHERE_BODY)
        return Understanding(
            kind=Kind.PERSONAL,
            envelope=envelope,
            path=path,
            redactions=log.items,
            defects=sorted({*defects, f"UnderstandingError:{type(exc).__name__}"}),
        )


def _understand(
    msg: Message,
    envelope: Envelope,
    *,
    path: str | None,
    own: tuple[str, ...],
    rules: str | None,
    defects: list[str],
) -> Understanding:
    lexicon = load_lexicon(rules)
    body = body_of(msg)
    defects = sorted({*defects, *body.defects})
    top_raw = own_text(body.text)
    gate = redact(top_raw, rules_dir=rules)
    top = gate.text
    del top_raw  # nothing unredacted goes further than this line

    sender = envelope.sender
    # A reply with no text of its own says what it wants in the Subject ("Avregistrera mig").
    said = top if top.strip() else _subject_said(envelope.subject, rules)
    kind = _classify(msg, sender.email if sender else "", said, lexicon)
    autoreply: AutoReply | None = None
    bounce: Bounce | None = None
    unsubscribe: Unsubscribe | None = None
    if kind is Kind.BOUNCE:
        bounce = _bounce(msg, lexicon)
    elif kind is Kind.AUTOREPLY:
        autoreply = _autoreply(top, envelope, lexicon)
    elif kind is Kind.UNSUBSCRIBE:
        unsubscribe = _unsubscribe(said, lexicon)

    block: SignatureBlock | None = None
    contact: Contact | None = None
    if kind not in (Kind.BULK, Kind.BOUNCE):
        # our own consultant's block is reported as found too, but makes no contact
        block = find_signature(top, sender=sender, lexicon=lexicon)
    if kind not in (Kind.BULK, Kind.BOUNCE) and not _is_own(sender, own):
        alternates = autoreply.alternate_contacts if autoreply else []
        if block is not None and alternates and _is_alternates_block(block, alternates):
            block = None
        contact = contact_from(
            block,
            sender=sender,
            lexicon=lexicon,
            rules_dir=rules,
            # an auto-reply's new address is autoreply.new_email, not one of the contact's
            exclude_emails=[a.email for a in alternates if a.email]
            + ([autoreply.new_email] if autoreply and autoreply.new_email else []),
            exclude_phones=[a.phone for a in alternates if a.phone],
            regions=phone_regions(top, sender_email=sender.email if sender else None, lexicon=lexicon)
            if block is not None
            else (DEFAULT_REGION,),
        )
        if sender is None and (
            block is None or not contact.emails or any(_is_own(Mailbox(email=e), own) for e in contact.emails)
        ):
            # No From: the signature alone says who wrote, and only with an address of its own.
            contact = None

    signature = block.text if block else None
    outside = top.replace(signature, "") if signature else top  # the text around the signature
    if contact is not None and kind is Kind.PERSONAL:
        # "Jag har flyttat … gäller: Källgatan 4, 753 20 Uppsala": their own new address.
        stated = address_stated_in(outside, lexicon)
        if stated is not None:
            contact.address = stated
        elif contact.address is None:
            # "… kan sendes til adressen under: ⏎ Espen Tveit ⏎ Grønlandsleiret 41 ⏎ 0190 Oslo"
            contact.address = address_block_of(outside, sender)

    # Second pass of the gate over every string that leaves.
    log = _Redactions([])
    text_where = _WHERE_AUTOREPLY if kind is Kind.AUTOREPLY else _WHERE_BODY
    log.add_each(gate.categories, outside, text_where)
    if signature:
        again = redact(signature, rules_dir=rules)
        signature = again.text
        log.add_each(gate.categories, signature, _WHERE_SIGNATURE)
        log.add(again.categories, _WHERE_SIGNATURE)
    if contact is not None:
        log.add(_redact_contact(contact, rules), _WHERE_SIGNATURE)
    if autoreply is not None:
        log.add(_redact_autoreply(autoreply, rules), _WHERE_AUTOREPLY)
    log.add(_redact_envelope(envelope, rules), text_where)
    # `top` is the gate's own output: nothing was added to it since, so it is not redacted twice.

    return Understanding(
        kind=kind,
        envelope=envelope,
        path=path,
        autoreply=autoreply,
        bounce=bounce,
        unsubscribe=unsubscribe,
        signature=signature,
        contact=contact,
        redactions=log.items,
        body=top or None,
        defects=defects,
    )


def _is_alternates_block(block: SignatureBlock, alternates: list[Any]) -> bool:
    """A block that only lists the people an auto-reply points to is not the sender's."""
    text = block.text.lower()
    return (
        any((a.email and a.email.lower() in text) or (a.name and a.name.lower() in text) for a in alternates)
        and block.how == "block"
    )


def check_rules(rules_dir: str | Path | None = None) -> None:
    """Load and compile every rules file understanding reads; a broken one raises PolicyError.

    `understand()` never raises, so without this a bad override file would silently turn
    every message "personal": commands call it once at start and exit 2 instead.
    """
    import importlib
    import re

    from harvester.errors import PolicyError

    # `redact` in this namespace is the function; the modules are fetched by name.
    redact_module = importlib.import_module("harvester.understand.redact")
    coverage_module = importlib.import_module("harvester.understand.coverage")
    key = str(rules_dir) if rules_dir is not None else None
    load_lexicon(key)
    try:
        redact_module._rules(key)
        coverage_module._taxonomy(key)
    except re.error as exc:
        raise PolicyError(f"{rules_dir or 'rules'}: a pattern does not compile: {exc}") from exc
