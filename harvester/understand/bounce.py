"""Which addresses a bounce says failed, and whether the failure is permanent.

Signature note: `bounce_details(msg)` takes an optional keyword `lexicon` beyond the
agreed signature (default: the shipped lexicon). Callers that omit it are unaffected.

Why flufl.bounce plus our own reading (shared/LIBRARIES.md §3): flufl.bounce knows
many servers' formats, but gives addresses only, counts `Action: failed` with a
4.x.x status as permanent, and reads no Swedish Exchange report. So:
1. an RFC 3464 delivery-status part is read per recipient: `Action`, `Status`,
   `Diagnostic-Code` (5.x.x = permanent; 4.x.x or `delayed` = not);
2. flufl.bounce `all_failures` adds the recipients of formats we do not parse;
3. `X-Failed-Recipients` adds its addresses;
4. a text-only report (Exchange in Swedish, Norwegian, Danish, Finnish, English)
   gives the addresses written in the report itself, never those of the quoted
   original below it, and its status codes or delay words.
Addresses are lower-cased; the bounce's own From/To never count.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from email.message import Message
from email.utils import getaddresses

from harvester.understand.lexicon import Lexicon, load_lexicon
from harvester.understand.types import Bounce

__all__ = ["bounce_details", "dsn_actions", "is_delivery_report", "report_text"]

_FILE = "bounce"
_ENHANCED = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.]*\d)")
_SMTP_CODE = re.compile(r"(?<![\w.-])([45][0-5]\d)(?=[ -]+(?:[#<]|[A-Za-z]))")
_ADDRESS = re.compile(r"[\w.%+'-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){0,8}\.[A-Za-z]{2,24}")
_SKIP_TYPES = frozenset({"message/rfc822", "text/rfc822-headers", "message/delivery-status"})
_MAX_TEXT = 20_000


def is_delivery_report(msg: Message) -> bool:
    """RFC 3464 structure anywhere in the message (some gateways nest the report)."""
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            return True
        if ctype == "multipart/report":
            report_type = str(part.get_param("report-type") or "").lower()
            if report_type == "delivery-status":
                return True
    return False


# --- RFC 3464 --------------------------------------------------------------------


def _dsn_blocks(part: Message) -> list[dict[str, str]]:
    """The field blocks of a message/delivery-status part, header names lower-case."""
    payload = part.get_payload()
    blocks: list[dict[str, str]] = []
    if isinstance(payload, list):
        for block in payload:
            if isinstance(block, Message):
                blocks.append({k.lower(): str(v) for k, v in block.items()})
        # compat32 keeps a block it cannot split as the payload of the last one
        raw = payload[-1].get_payload() if payload and isinstance(payload[-1], Message) else ""
        if isinstance(raw, str) and ":" in raw:
            blocks.extend(_text_blocks(raw))
        return blocks
    if isinstance(payload, str):
        return _text_blocks(payload)
    return blocks


def _text_blocks(text: str) -> list[dict[str, str]]:
    blocks: list[dict[str, str]] = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        fields: dict[str, str] = {}
        name = ""
        for line in chunk.split("\n"):
            if line[:1] in (" ", "\t") and name:
                fields[name] += " " + line.strip()
            elif ":" in line:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                fields[name] = value.strip()
        if fields:
            blocks.append(fields)
    return blocks


def _address_of(field: str) -> str | None:
    value = field.partition(";")[2] if ";" in field else field
    found = _ADDRESS.search(value)
    return found.group(0).lower() if found else None


def dsn_actions(msg: Message) -> list[str]:
    """The `Action` of every recipient block of every delivery-status part, lower-case."""
    actions: list[str] = []
    for part in msg.walk():
        if part.get_content_type() == "message/delivery-status":
            actions += [b["action"].strip().lower() for b in _dsn_blocks(part) if "action" in b]
    return actions


def _dsn_recipients(msg: Message) -> dict[str, bool]:
    """Failed recipient → permanent, from every delivery-status part."""
    failed: dict[str, bool] = {}
    for part in msg.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        for block in _dsn_blocks(part):
            address = _address_of(block.get("final-recipient") or "") or _address_of(
                block.get("original-recipient") or ""
            )
            if address is None:
                continue
            action = block.get("action", "").strip().lower()
            status = block.get("status", "").strip()
            if action in {"delivered", "relayed", "expanded"}:
                continue
            code = _ENHANCED.search(status) or _ENHANCED.search(block.get("diagnostic-code", ""))
            if action == "delayed" or (code and code.group(1) == "4"):
                permanent = False
            else:
                permanent = True
            failed[address] = failed.get(address, False) or permanent
    return failed


# flufl.bounce logs a full traceback whenever one of its ~40 detectors trips over an odd
# header (a Header object where it expects str): expected on real mail, handled by the
# detectors that follow and by our own reading, and noise in the daemon's log.
logging.getLogger("flufl.bounce").setLevel(logging.CRITICAL)


def _flufl_recipients(msg: Message) -> tuple[set[str], set[str]]:
    try:
        from flufl.bounce import all_failures

        temporary, permanent = all_failures(msg)
    except Exception:  # a detector tripping over broken MIME must not stop the message
        return set(), set()

    def _decoded(values: object) -> set[str]:
        found: set[str] = set()
        for value in values or ():  # type: ignore[attr-defined]
            text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
            address = _ADDRESS.search(text)
            if address:
                found.add(address.group(0).lower())
        return found

    return _decoded(temporary), _decoded(permanent)


# --- text reports ------------------------------------------------------------------


def _report_parts(msg: Message) -> Iterator[Message]:
    """Leaf text parts of the report itself: never inside an attached original."""
    if msg.get_content_type() in _SKIP_TYPES:
        return
    if msg.is_multipart():
        payload = msg.get_payload()
        for sub in payload if isinstance(payload, list) else ():
            if isinstance(sub, Message):
                yield from _report_parts(sub)
    elif msg.get_content_maintype() == "text":
        yield msg


def report_text(msg: Message) -> str:
    """The human-readable text of a report (plain preferred, else HTML converted)."""
    from harvester.understand.text import decode_part, html_to_text

    plain: list[str] = []
    html: list[str] = []
    for part in _report_parts(msg):
        text, _ = decode_part(part)
        if part.get_content_subtype() == "html":
            html.append(text)
        else:
            plain.append(text)
    if any(t.strip() for t in plain):
        return "\n".join(plain)[:_MAX_TEXT]
    return html_to_text("\n".join(html)[:_MAX_TEXT]) if html else ""


def _before_original(text: str, lexicon: Lexicon) -> str:
    """The report up to the first line that starts the quoted original."""
    markers = lexicon.patterns(_FILE, "original_regex")
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if any(p.match(line) for p in markers):
            break
        kept.append(line)
    return "\n".join(kept)


def _without_delivered(text: str, lexicon: Lexicon) -> str:
    """The report without the recipients it says were reached (the line saying so and the
    paragraph of addresses after it)."""
    markers = lexicon.patterns(_FILE, "delivered_regex")
    if not markers:
        return text
    kept: list[str] = []
    skipping = 0  # 1: after the marker line, 2: inside the addresses' paragraph
    for line in text.split("\n"):
        if any(p.search(line) for p in markers):
            skipping = 1
            continue
        if skipping == 1 and not line.strip():
            continue
        if skipping and line.strip():
            skipping = 2
            continue
        skipping = 0
        kept.append(line)
    return "\n".join(kept)


def _own_addresses(msg: Message) -> set[str]:
    values = [str(msg.get(h, "")) for h in ("From", "To", "Cc", "Sender", "Return-Path")]
    return {a.lower() for _, a in getaddresses(values) if "@" in a}


def _is_daemon(address: str, lexicon: Lexicon) -> bool:
    local = address.partition("@")[0]
    return lexicon.search_any(_FILE, "sender_local_regex", local)


def _status_permanent(text: str, lexicon: Lexicon) -> bool | None:
    """From a report's own words: True for 5.x.x/5xx, False for delay words or 4.x.x only."""
    codes = {m.group(1) for m in _ENHANCED.finditer(text)} | {
        m.group(1)[0] for m in _SMTP_CODE.finditer(text)
    }
    if "5" in codes:
        return True
    if lexicon.matcher(_FILE, "temporary").search(text) or "4" in codes:
        return False
    return None


def bounce_details(msg: Message, *, lexicon: Lexicon | None = None) -> Bounce:
    """The failed addresses of a bounce and whether any failure is permanent. Never raises."""
    lex = lexicon if lexicon is not None else load_lexicon()
    try:
        return _details(msg, lex)
    except Exception:  # garbage MIME: say what is safe, never raise
        return Bounce(permanent=False, addresses=[])


def _details(msg: Message, lex: Lexicon) -> Bounce:
    failed = _dsn_recipients(msg)
    dsn = bool(failed)
    temporary, permanent = _flufl_recipients(msg)
    for address in sorted(permanent):
        failed.setdefault(address, True)
    for address in sorted(temporary):
        failed.setdefault(address, False)

    text = _before_original(report_text(msg), lex)
    subject = str(msg.get("Subject", ""))
    status = _status_permanent(f"{subject}\n{text}", lex)

    if status is False and not dsn:
        # a text-only report whose own status is a 4.x.x delay: flufl's guess is no failure
        failed = {address: False for address in failed}
    header = str(msg.get("X-Failed-Recipients", ""))
    for _, address in getaddresses([header]) if header else ():
        if "@" in address:
            failed.setdefault(address.lower(), status is not False)

    if not failed:
        own = _own_addresses(msg)
        for found in _ADDRESS.finditer(_without_delivered(text, lex)):
            address = found.group(0).lower().strip(".")
            if address not in own and not _is_daemon(address, lex):
                failed.setdefault(address, status is not False)

    if failed:
        permanent_any = any(failed.values())
    else:
        permanent_any = status is not False and not is_delivery_report(msg)
    return Bounce(permanent=permanent_any, addresses=list(failed))
