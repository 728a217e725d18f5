"""The sender's own text: quotes, reply headers and forwarded messages cut off.

Why this runs before anything looks for a signature (shared/ARCHITECTURE.md): a
quoted third party's signature is the most common way to attribute wrong data.

Two layers. Ours first, a table of separators per mail client and language that
quotequail lacks or gets wrong (Nordic Outlook headers "Fra:/Sendt:/Til:",
"Lähettäjä:", "-----Ursprungligt meddelande-----", Apple/Gmail "… skrev …:" in
Swedish, Norwegian, Danish and Finnish "kirjoitti:"); then, only when ours found
nothing, quotequail's `unwrap()` as a second opinion. Lines quoted with ">" are
dropped wherever they are.

>>> own_text("Tack!\\n\\nDen 3 mars 2026 kl 10:12 skrev Karin <k@dagbladet.example>:\\n> Hej")
'Tack!'
"""

from __future__ import annotations

import re

__all__ = ["own_text"]

# "On Tue, 3 Mar 2026 at 10:12, Karin <k@x> wrote:" and its Nordic/German/French kin:
# Gmail/Apple sv "Den 3 mars 2026 kl. 10:12 skrev …:", Apple sv "3 mars 2026 kl. 10:12 skrev …:",
# no "tir. 3. mar. 2026 kl. 10:12 skrev …:", da "Den tirs. 3. mar. 2026 kl. 10.12 skrev …:",
# fi "ti 3.3.2026 klo 10.12 Karin Berg (<k@x>) kirjoitti:", de "Am … schrieb …:".
_ATTRIBUTION = re.compile(
    r"^(?=.*(?:@|\b(?:19|20)\d{2}\b|\d{1,2}[:.]\d{2}))"  # an address, a year or a time
    r".{0,200}?\b(?:wrote|skrev|schrieb|kirjoitti|a écrit|escribió|schreef|skrev følgende)\b"
    r".{0,200}:\s*(?:\([^()]{0,60}\))?\s*$",  # K-9 Mail: "… skrev: (9 november 2026 11:12:40 CET)"
    re.I,
)
_SEPARATOR = re.compile(
    r"^\s*(?:"
    r"-{2,}\s*(?:Original Message|Ursprungligt meddelande|Originalmeddelande|"
    r"Opprinnelig melding|Oprindelig meddelelse|Alkuperäinen viesti|Forwarded message|"
    r"Vidarebefordrat meddelande|Videresendt melding|Videresendt meddelelse|"
    r"Välitetty viesti|Edelleenlähetetty viesti|Weitergeleitete Nachricht|"
    r"Ursprüngliche Nachricht)\s*-{2,}"  # Outlook, Gmail, Thunderbird
    r"|(?:Begin forwarded message|Början på vidarebefordrat meddelande|"
    r"Videresendt e-?post|Videresendt e-?mail|Videresendt melding|"
    r"Välitetty viesti|Vidarebefordrat brev)\s*:"  # Apple Mail
    r"|_{10,}"  # OWA / Outlook.com rule above the header block
    r")\s*$",
    re.I,
)
# Outlook's header block: "Från: …" then "Skickat:"/"Till:"/"Ämne:" within a few lines.
_FROM_HEADER = re.compile(r"^\s*\*?(?:From|Från|Fra|Frå|Lähettäjä|Von|De|Avsändare)\s*:\*?\s*\S", re.I)
_OTHER_HEADER = re.compile(
    r"^\s*\*?(?:Sent|Date|Skickat|Datum|Sendt|Dato|Lähetetty|Päivämäärä|Päiväys|Gesendet|"
    r"To|Till|Til|Vastaanottaja|An|Subject|Ämne|Emne|Aihe|Betreff|Cc|Kopia|Kopi|"
    r"Kopio)\s*:\*?",
    re.I,
)
_QUOTED = re.compile(r"^\s*>")
_RULE = re.compile(r"^_{10,}$")
# quotequail is slow (~2 ms a message); ask it only when a line looks like a quote,
# a rule or a "… wrote:"-style attribution that our table did not recognise.
_QUOTEQUAIL_HINT = re.compile(r"^\s*(?:>|-{3,}|_{5,})|:\s*$", re.M)
# Every match of the hint holds one of these: the plain `in` spares the scan of most mail.
_HINT_NEEDS = (">", "---", "_____", ":")
_HEADER_WINDOW = 4


def own_text(text: str) -> str:
    """The sender's own part of a plain-text body (top-posted text, ">" lines dropped)."""
    if not text:
        return ""
    lines = text.replace("\r\n", "\n").split("\n")
    cut = _cut_index(lines)
    if cut is not None:
        kept = lines[:cut]
    else:
        top = _quotequail_top(text, lines)
        kept = lines if top is None else top.split("\n")
    if any(">" in line for line in kept):  # `_QUOTED` needs one
        kept = [line for line in kept if not _QUOTED.match(line)]
    own = "\n".join(kept).strip("\n").rstrip()
    if not own.strip() and cut is not None:
        own = _bottom_posted(lines, cut)
    elif cut is not None and _ATTRIBUTION.match(lines[cut].strip()):
        answers = _interleaved(lines, cut)
        if answers:
            own = f"{own}\n\n{answers}"
    return own


def _interleaved(lines: list[str], cut: int) -> str:
    """The sender's answers written between the lines of a ">"-quote ("svar inline nedan").

    A run of own lines counts only when a blank line sets it apart from the quote above it
    (a quoted line that wrapped without its ">" does not) and more quote follows it; the
    answers and the signature below them are kept, the quote is not.
    """
    rest = lines[cut + 1 :]
    again = _cut_index(rest)
    if again is not None:
        rest = rest[:again]
    first = next((line for line in rest if line.strip()), "")
    if not _QUOTED.match(first):
        return ""
    out: list[str] = []
    previous_blank = False
    in_own = False
    answered = False
    for line in rest:
        if _QUOTED.match(line):
            answered = answered or in_own
            in_own = False
            previous_blank = False
            continue
        if not line.strip():
            previous_blank = True
            if in_own:
                out.append("")
            continue
        if not in_own and not previous_blank:
            continue  # a wrapped quote line that lost its ">"
        if not in_own and out:
            out.append("")
        in_own = True
        out.append(line)
    if not answered:
        return ""
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n").rstrip()


def _bottom_posted(lines: list[str], cut: int) -> str:
    """Text written *below* a ">"-quoted block (bottom posting), when nothing is above it.

    Only the part after the last ">" line, and only when no further separator follows.
    """
    last_quoted = max((i for i, line in enumerate(lines) if _QUOTED.match(line)), default=-1)
    if last_quoted < cut:
        return ""
    rest = lines[last_quoted + 1 :]
    again = _cut_index(rest)
    if again is not None:
        rest = rest[:again]
    return "\n".join(line for line in rest if not _QUOTED.match(line)).strip("\n").rstrip()


def _candidates(lines: list[str]) -> list[int]:
    """The lines `_cut_index` can stop at, in order: a separator needs "--", "__" or ":",
    a header line and an attribution need ":" (a two-line attribution in its next line).

    Prose has few of them, so the table's patterns run on a handful of lines, not all.
    """
    found: set[int] = set()
    for index, line in enumerate(lines):
        if ":" in line:
            found.add(index)
            if index:
                found.add(index - 1)
        elif "--" in line or "__" in line:
            found.add(index)
    return sorted(found)


def _cut_index(lines: list[str]) -> int | None:
    """Index of the first line of quoted or forwarded text (our table), or None."""
    for index in _candidates(lines):
        if _cut_index_at(lines, index):
            return index
    return None


def _cut_index_at(lines: list[str], index: int) -> bool:
    """Does quoted or forwarded text start at `lines[index]`?"""
    line = lines[index]
    stripped = line.strip()
    if not stripped or _QUOTED.match(line):
        return False
    if _SEPARATOR.match(stripped):
        if not _RULE.match(stripped):
            return True
        # A rule of underscores is OWA's line above a header block, or a signature's own
        # separator: only a "From:"/"Från:" line just below makes it a quote.
        below = [w for w in lines[index + 1 : index + 1 + _HEADER_WINDOW] if w.strip()]
        return any(_FROM_HEADER.match(w.strip()) for w in below[:2])
    if _FROM_HEADER.match(stripped):
        window = lines[index + 1 : index + 1 + _HEADER_WINDOW]
        if any(_OTHER_HEADER.match(w) for w in window):
            return True
    if _ATTRIBUTION.match(stripped):
        return True
    if index + 1 < len(lines) and len(stripped) < 200:
        following = lines[index + 1].strip()
        if (
            following
            and _ATTRIBUTION.match(f"{stripped} {following}")
            and (stripped.lower().startswith(("on ", "den ", "am ", "le ")) or re.search(r"\d{4}", stripped))
        ):
            return True
    return False


def _quotequail_top(text: str, lines: list[str]) -> str | None:
    """quotequail's top text when it found a reply, forward or quote; None otherwise."""
    if len(text) > 100_000:
        return None
    if not any(hint in text for hint in _HINT_NEEDS) or not _QUOTEQUAIL_HINT.search(text):
        return None  # what our table does not know, quotequail only finds after these
    import quotequail

    try:
        result = quotequail.unwrap(text)
    except Exception:  # a library failure must not stop the message
        return None
    if not result or result.get("type") not in ("reply", "forward", "quote"):
        return None
    return str(result.get("text_top") or "")
