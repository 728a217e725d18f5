"""A message body as plain text: text/plain when there is one, else HTML through inscriptis.

Why inscriptis (shared/LIBRARIES.md §5): it keeps a signature table's lines,
drops `display:none` preheaders and has no Markdown noise. Its table cells are
padded, so every line is right-stripped here.

HTML-only replies carry the quoted message as markup (Gmail `div.gmail_quote`,
Apple `blockquote type=cite`, Outlook's bordered "Från:" block or
`#divRplyFwdMsg`, Thunderbird `.moz-cite-prefix`). Those elements, and everything
after them, are removed from the tree *before* conversion, so a quoted third
party's text never becomes plain text at all; the plain-text quote cutter
(`quotes.py`) still runs on the result for the header blocks markup does not mark.

Charsets: the declared one, else UTF-8; an unknown or wrong declaration falls
back to UTF-8 and then Windows-1252 (what Outlook means by "iso-8859-1").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import dataclass
from email.message import Message
from functools import lru_cache
from typing import Any

__all__ = ["BodyText", "body_of", "decode_part", "html_to_text"]

_FALLBACKS = ("utf-8", "cp1252")
_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "unknown-8bit": "utf-8",
    "x-unknown": "utf-8",
}


@dataclass(frozen=True, slots=True)
class BodyText:
    """The text to read and where it came from (for defects and the HTML quote layer)."""

    text: str
    from_html: bool
    defects: tuple[str, ...] = ()


def decode_part(part: Message) -> tuple[str, str | None]:
    """A leaf part's payload as text, and a defect name when the charset had to be guessed."""
    try:
        payload = part.get_payload(decode=True)
    except (ValueError, TypeError, AssertionError):
        return "", "UndecodablePayload"
    if not isinstance(payload, bytes):
        return "", None
    declared = (part.get_content_charset(None) or "utf-8").strip().lower()
    charset = _ALIASES.get(declared, declared)
    try:
        return payload.decode(charset), None
    except LookupError:
        defect = "UnknownCharset"
    except UnicodeDecodeError:
        defect = "WrongCharset"
    for fallback in _FALLBACKS:
        try:
            return payload.decode(fallback), defect
        except UnicodeDecodeError:
            continue
    return payload.decode("utf-8", errors="replace"), defect


# Markup that starts quoted text, by mail client. Everything from here on is cut.
_QUOTE_XPATH = (
    "//div[contains(concat(' ', normalize-space(@class), ' '), ' gmail_quote ')]"  # Gmail
    " | //div[contains(@class, 'gmail_attr')]"  # Gmail "Den … skrev:" line
    " | //blockquote"  # Apple Mail (type=cite), Gmail, Thunderbird, webmail
    " | //div[@id='divRplyFwdMsg'] | //div[@id='appendonsend']"  # Outlook / OWA
    " | //div[contains(@class, 'moz-cite-prefix')]"  # Thunderbird reply
    " | //div[contains(@class, 'moz-forward-container')]"  # Thunderbird forward
    " | //div[contains(@class, 'yahoo_quoted')]"  # Yahoo
    " | //div[@id='mail-editor-reference-message-container']"  # Outlook for Mac
    " | //div[starts-with(normalize-space(translate(@style, 'BORDERTOPSLID', 'bordertopslid')),"
    " 'border:none;border-top:solid')]"  # Outlook desktop header block
    " | //hr[@id='stopSpelling']"  # old Outlook Web
)
_LETTER = re.compile(r"[^\W\d_]")
_STUB = 12
_STUB_TEXT = re.compile(
    r"^\s*(?:this (?:is an? )?(?:html|multi-?part)|your (?:e-?mail )?(?:client|program)|"
    r"ditt e-?post(?:program)?|detta (?:är ett )?html|to view this (?:e-?mail|message))",
    re.I,
)
_WS_LINE = re.compile(r"[ \t\u00a0]+$", re.M)
# A table cell's lines come out indented by the width of the cells before it (a logo).
_INDENT = re.compile(r"^[ \t]+", re.M)
_MANY_BLANKS = re.compile(r"\n{3,}")


def _cut_after(element: object) -> None:
    """Remove `element` and everything after it in document order."""
    node = element
    while node is not None:
        parent = node.getparent()  # type: ignore[attr-defined]
        if parent is None:
            break
        for sibling in list(node.itersiblings()):  # type: ignore[attr-defined]
            parent.remove(sibling)
        node = parent
    parent = element.getparent()  # type: ignore[attr-defined]
    if parent is not None:
        element.drop_tree()  # type: ignore[attr-defined]


# Outlook (Word) HTML sets every line as its own <p class=MsoNormal> and marks blank
# lines with <p>&nbsp;</p>. Rendered with paragraph margins, every line would be
# double-spaced and the real blank lines lost; so for Word HTML paragraphs get no
# margin and the empty ones carry a placeholder that becomes a blank line.
_BLANK = "\u2063"


def _mark_empty_paragraphs(tree: Any) -> None:
    for para in tree.iter("p"):
        if not para.text_content().strip(" \u00a0\t\r\n"):
            for child in list(para):
                para.remove(child)
            para.text = _BLANK


# What a link's text says when it only names the page ("Instagram", "Webb", "LinkedIn").
_LINK_LABEL = re.compile(r"^[\w\s&\-]{1,30}$")
_WEB_LABEL = re.compile(
    r"^(?:web|webb|website|web ?site|homepage|hemsida|webbplats|nettside|hjemmeside|kotisivu\w*|"
    r"verkkosivu\w*|www)$",
    re.I,
)


def _show_profile_links(tree: Any) -> None:
    """Write out the address of a link whose text only names it ("Instagram" → its profile).

    An HTML signature often links its social profiles and web site behind a word; rendered
    as text the address would be lost. Only profiles and web-site labels: a newsletter's
    "Läs mer" links stay as they are.
    """
    from harvester.understand.extract import is_social_profile

    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href.lower().startswith(("http://", "https://")):
            continue
        label = anchor.text_content().strip()
        if label:
            if not _LINK_LABEL.match(label) or not (is_social_profile(href) or _WEB_LABEL.match(label)):
                continue
        elif not is_social_profile(href):
            continue  # an icon alone: only a profile's address is worth writing out
        anchor.tail = f" {href}" + (anchor.tail or "")


# An icon standing for a phone label ("📱" drawn as <img alt="Mobil">): its alt text is the label.
_ICON_LABEL = re.compile(
    r"^(?:mobil\w*|mobile|cell\w*|gsm|telefon|telephone|phone|tel|tlf|puhelin|fax|faks|telefax|"
    r"växel|vaxel|switchboard|sentralbord|vaihde)$",
    re.I,
)


def _show_icon_labels(tree: Any) -> None:
    """Write a phone icon's alt text ("Mobil", "Fax") as the label it stands for, so the number
    after it is typed as the sender marked it."""
    for image in tree.iter("img"):
        alt = (image.get("alt") or "").strip()
        if _ICON_LABEL.match(alt):
            image.tail = f"{alt}: " + (image.tail or "").lstrip()


@lru_cache(maxsize=2)
def _config(word_html: bool) -> Any:
    from inscriptis.css_profiles import CSS_PROFILES
    from inscriptis.model.config import ParserConfig

    css = deepcopy(CSS_PROFILES["strict"])
    if word_html:
        para = deepcopy(css["p"])
        para.margin_before = 0
        para.margin_after = 0
        css["p"] = para
    return ParserConfig(css=css)


def html_to_text(html: str) -> str:
    """HTML (quotes cut at the markup) → plain text with lines right-stripped."""
    from inscriptis import Inscriptis
    from lxml.etree import ParserError
    from lxml.html import document_fromstring

    html = html.strip()
    if not html:
        return ""
    if html.startswith("<?xml"):
        html = html.split("?>", 1)[-1]
    try:
        tree = document_fromstring(html)
    except (ParserError, ValueError):
        return ""
    try:
        quoted = tree.xpath(_QUOTE_XPATH)
    except Exception:  # a malformed tree must not stop the message
        quoted = []
    if quoted:
        _cut_after(quoted[0])
    _show_profile_links(tree)
    _show_icon_labels(tree)
    word_html = "MsoNormal" in html
    if word_html:
        _mark_empty_paragraphs(tree)
    text = Inscriptis(tree, _config(word_html)).get_text().replace(_BLANK, "")
    text = _INDENT.sub("", _WS_LINE.sub("", text.replace("\u00a0", " ")))
    return _MANY_BLANKS.sub("\n\n", text).strip("\n")


def _own_parts(msg: Message) -> Iterator[Message]:
    """Every part of the message itself, but nothing inside an attached message/rfc822:
    a forwarded-as-attachment mail is someone else's text."""
    yield msg
    if msg.get_content_type() == "message/rfc822":
        return
    payload = msg.get_payload()
    if msg.is_multipart() and isinstance(payload, list):
        for sub in payload:
            if isinstance(sub, Message):
                yield from _own_parts(sub)


def _param(part: Message, name: str) -> str:
    value = part.get_param(name)
    return value.lower() if isinstance(value, str) else ""


def unflow(text: str, *, delsp: bool = False) -> str:
    """RFC 3676 format=flowed: a line ending in a space continues on the next one.

    Thunderbird and Apple Mail wrap long lines so ("Mobil: 070-174 ⏎06 44" is one number);
    the signature separator "-- " and quoted lines of another depth are never joined.
    """
    out: list[str] = []
    joining = False
    out_depth = 0
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        if line.startswith(" ") and depth == 0:
            line = line[1:]  # space-stuffing
        if joining and out and depth == out_depth:
            content = line[depth:].lstrip(" ") if depth else line
            out[-1] = out[-1] + content
        else:
            out.append(line)
            out_depth = depth
        last = out[-1]
        joining = last.endswith(" ") and last.rstrip() != "--" and last[depth:].strip() != "--"
        if joining and delsp:
            out[-1] = last[:-1]
    return "\n".join(out)


# Outlook's plain text: an inline image leaves "[cid:image001.png@01DB…]", a link "Text<url>";
# no-break spaces and hyphens sit inside numbers and addresses.
_CID = re.compile(r"^\s*\[cid:[^\]\n]*\]\s*$\n?", re.M)
_NO_BREAK_CHARS = ("\u00a0", "\u202f", "\u2007", "\u2011")
_NO_BREAK = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2011": "-"})


def _plain_text(text: str) -> str:
    if "[cid:" in text:
        text = _CID.sub("", text)
    if text.isascii() or not any(c in text for c in _NO_BREAK_CHARS):
        return text  # str.translate costs ~0.4 ms on a 15 KB text: only when there is one
    return text.translate(_NO_BREAK)


def body_of(msg: Message) -> BodyText:
    """The first text/plain part (not an attachment), else the first text/html converted."""
    plain: Message | None = None
    html: Message | None = None
    for part in _own_parts(msg):
        if part.is_multipart():
            continue
        if part.get_content_disposition() == "attachment":
            continue
        ctype = part.get_content_type()
        if ctype == "text/plain" and plain is None:
            plain = part
        elif ctype == "text/html" and html is None:
            html = part
        if plain is not None and html is not None:
            break
    defects: list[str] = []
    if plain is not None:
        text, defect = decode_part(plain)
        if defect:
            defects.append(defect)
        # An empty or stub plain part ("Ditt e-postprogram visar inte HTML") loses to the HTML.
        if html is None or (len(_LETTER.findall(text)) >= _STUB and not _STUB_TEXT.search(text)):
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            if _param(plain, "format") == "flowed":
                text = unflow(text, delsp=_param(plain, "delsp") == "yes")
            return BodyText(_plain_text(text), False, tuple(defects))
    if html is not None:
        markup, defect = decode_part(html)
        if defect:
            defects.append(defect)
        return BodyText(html_to_text(markup), True, tuple(defects))
    return BodyText("", False, tuple(defects))
