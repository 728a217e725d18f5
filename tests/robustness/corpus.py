"""Real-world-shaped bad mail: the seed messages, builders for pathological ones, and mutators.

Seeds are the invented messages in examples/mail/. The builders make the cases a
mailbox really holds and parsers choke on (a 1 MB Subject, message/rfc822 nested
30 deep, a 10 MB attachment, 5 000 recipients); the mutators turn any seed into
something broken the way transfer, clients and spammers break mail (truncation,
flipped bytes, NULs, wrong charsets, broken boundaries, mixed line ends, RFC 2047
garbage, invalid dates). All names and addresses are invented (example domains).
"""

from __future__ import annotations

import base64
import os
import random
import re
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

__all__ = [
    "BUILDERS",
    "MUTATORS",
    "OWN_DOMAINS",
    "SEEDS",
    "fuzz_settings",
    "generated_message",
    "messages",
    "mutated_messages",
]

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "mail"
SEEDS: dict[str, bytes] = {p.name: p.read_bytes() for p in sorted(EXAMPLES.glob("*.eml"))}
OWN_DOMAINS = ("pr-byran.example",)
LONG = os.environ.get("HYPOTHESIS_PROFILE") == "long"


def fuzz_settings(examples: int) -> settings:
    """Modest in the default run (CI stays fast); ×50 with HYPOTHESIS_PROFILE=long."""
    return settings(
        max_examples=examples * 50 if LONG else examples,
        deadline=None,
        derandomize=not LONG,  # the default run is reproducible; the long run explores
        # The ingest fuzz shares one database across examples on purpose (it must accumulate).
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
        database=None,
    )


# --------------------------------------------------------------------------- builders

_HEAD = (
    "From: Erik Lindqvist <erik@dagbladet.example>\r\n"
    "To: Karin Berg <karin@pr-byran.example>\r\n"
    "Date: Tue, 3 Mar 2026 10:12:00 +0100\r\n"
    "Message-ID: <{mid}@dagbladet.example>\r\n"
)
_SIG = "\r\nHälsningar\r\nErik Lindqvist\r\nKulturredaktör, Dagbladet\r\n070-174 06 05\r\n"


def huge_subject(size: int = 1_000_000) -> bytes:
    return (
        _HEAD.format(mid="huge-subject") + "Subject: " + "Recension " * (size // 10) + "\r\n\r\nHej!\r\n"
    ).encode()


def huge_folded_header(size: int = 1_000_000) -> bytes:
    folded = "\r\n ".join(["x" * 70] * (size // 73))
    return (_HEAD.format(mid="folded") + f"X-Long: {folded}\r\nSubject: vikt\r\n\r\nHej{_SIG}").encode()


def nested_rfc822(depth: int = 30) -> bytes:
    inner = (_HEAD.format(mid="nest-0") + "Subject: innerst\r\n\r\nInnerst." + _SIG).encode()
    for level in range(1, depth + 1):
        boundary = f"b{level}"
        inner = (
            (
                _HEAD.format(mid=f"nest-{level}")
                + f"Subject: Fwd {level}\r\nMIME-Version: 1.0\r\n"
                + f'Content-Type: multipart/mixed; boundary="{boundary}"\r\n\r\n'
                + f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSe bifogat.\r\n"
                + f"--{boundary}\r\nContent-Type: message/rfc822\r\n\r\n"
            ).encode()
            + inner
            + f"\r\n--{boundary}--\r\n".encode()
        )
    return inner


def big_attachment(size: int = 10_000_000) -> bytes:
    blob = base64.encodebytes(random.Random(8).randbytes(size * 3 // 4)).replace(b"\n", b"\r\n")
    return (
        (
            _HEAD.format(mid="big-attachment")
            + "Subject: Pressbilder\r\nMIME-Version: 1.0\r\n"
            + 'Content-Type: multipart/mixed; boundary="XX"\r\n\r\n'
            + "--XX\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHär är bilderna."
            + _SIG
            + '--XX\r\nContent-Type: image/jpeg; name="bild.jpg"\r\nContent-Disposition: attachment\r\n'
            + "Content-Transfer-Encoding: base64\r\n\r\n"
        ).encode()
        + blob
        + b"\r\n--XX--\r\n"
    )


def many_recipients(count: int = 5000) -> bytes:
    to = ",\r\n ".join(f"Mottagare {i} <r{i}@sr.example>" for i in range(count))
    return (
        "From: Erik Lindqvist <erik@dagbladet.example>\r\n"
        f"To: {to}\r\nCc: {to}\r\nSubject: Till alla\r\n"
        f"Message-ID: <many@dagbladet.example>\r\n\r\nHej alla!{_SIG}"
    ).encode()


def header_only() -> bytes:
    return _HEAD.format(mid="header-only").encode() + b"Subject: bara huvud\r\n"


def body_only() -> bytes:
    return ("\r\nHej Karin, här kommer bara en brödtext." + _SIG).encode()


def nul_bytes() -> bytes:
    return (_HEAD.format(mid="nul") + "Subject: N\x00U\x00L\r\nX-\x00: \x00\r\n\r\nH\x00ej" + _SIG).encode()


def bad_charsets() -> bytes:
    return (
        _HEAD.format(mid="charset")
        + "Subject: =?x-unknown-7?B?SGVq?= =?utf-8?Q?=FF=FE?= =?iso-8859-1?Q?G=E4rna?=\r\n"
        + 'MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="a"\r\n\r\n'
        + "--a\r\nContent-Type: text/plain; charset=x-does-not-exist\r\n\r\nHej"
        + _SIG
        + "--a\r\nContent-Type: text/html; charset=utf-16\r\n"
        + "Content-Transfer-Encoding: base64\r\n\r\n!!!notb64\r\n"
        + '--a\r\nContent-Type: text/plain; charset=""\r\n'
        + "Content-Transfer-Encoding: quoted-printable\r\n\r\n=ZZ=\r\n"
        + "--a--\r\n"
    ).encode() + "Hälsningar i latin-1: Göran".encode("latin-1")


def invalid_dates() -> bytes:
    return (
        "From: Erik <erik@dagbladet.example>\r\nDate: Mon, 99 Foo 99999 99:99:99 +9999\r\n"
        "Date: \r\nResent-Date: yesterday\r\nSubject: datum\r\nMessage-ID: <<<>>>\r\n\r\nHej" + _SIG
    ).encode()


def raw_utf8_headers() -> bytes:
    """RFC 6532 style: 8-bit UTF-8 straight in the headers (common from modern clients)."""
    return (
        "From: Björn Ström <bjorn@sr.example>\r\nTo: karin@pr-byran.example\r\n"
        "Subject: Hallå där, intervju?\r\nMessage-ID: <utf8@sr.example>\r\n\r\nHej!" + _SIG
    ).encode()


def autoreply_with_pnr() -> bytes:
    return (
        "From: Anna Holm <anna.holm@dagbladet.example>\r\nAuto-Submitted: auto-replied\r\n"
        "Subject: Frånvaro\r\nMessage-ID: <pnr@dagbladet.example>\r\n\r\n"
        "Jag är sjukskriven till 14 augusti. Mitt personnummer är 19121212-1212.\r\n"
        "Kontakta Per Ek, per.ek@dagbladet.example, 08-465 004 12.\r\n"
    ).encode()


BUILDERS: dict[str, Callable[[], bytes]] = {
    "huge_subject": huge_subject,
    "huge_folded_header": huge_folded_header,
    "nested_rfc822_30": nested_rfc822,
    "attachment_10mb": big_attachment,
    "recipients_5000": many_recipients,
    "header_only": header_only,
    "body_only": body_only,
    "empty": lambda: b"",
    "nul_bytes": nul_bytes,
    "bad_charsets": bad_charsets,
    "invalid_dates": invalid_dates,
    "raw_utf8_headers": raw_utf8_headers,
    "autoreply_with_pnr": autoreply_with_pnr,
}


# --------------------------------------------------------------------------- mutators

_BOUNDARY = re.compile(rb'boundary="?([^";\r\n]+)"?', re.IGNORECASE)
_CHARSET = re.compile(rb'charset="?([^";\r\n]+)"?', re.IGNORECASE)
_ENCODED = [
    b"=?utf-8?B?!!!?=",
    b"=?utf-8?Q?=C3?=",
    b"=?koi8-r?B?8tXT08vJ0Q==?=",
    b"=?x-no-such?Q?a?=",
    b"=??=",
    b"=?utf-8?B?" + base64.b64encode("Ström".encode()) + b"?=",
    b"=?utf-8*sv?Q?hall=C3=A5?=",
    b"=?iso-2022-jp?B?GyRC?=",
]
_CHARSETS = [b"x-unknown", b"utf-16", b"utf-7", b"", b"latin-1\x00", b"\xff\xfe", b"cp1252", b"utf-32-be"]
_DATES = [
    b"",
    b"Mon, 32 Jan 2026 25:61:61 +0100",
    b"0",
    b"Tue, 3 Mar 99999 10:12:00",
    b"\xff",
    b"1 1 1 1 1 1 1",
]


def _flip(data: bytes, rnd: random.Random) -> bytes:
    if not data:
        return data
    buf = bytearray(data)
    for _ in range(rnd.randint(1, 20)):
        i = rnd.randrange(len(buf))
        buf[i] ^= 1 << rnd.randrange(8)
    return bytes(buf)


def _insert(data: bytes, rnd: random.Random) -> bytes:
    junk = rnd.choice(
        [b"\x00", b"\r", b"\n", b"\r\n\r\n", b"\xff\xfe", b"--", b"=?", b":", b"<>", b"\t", b"\xc3"]
    )
    at = rnd.randint(0, len(data))
    return data[:at] + junk * rnd.randint(1, 50) + data[at:]


def _truncate(data: bytes, rnd: random.Random) -> bytes:
    return data[: rnd.randint(0, len(data))]


def _nuls(data: bytes, rnd: random.Random) -> bytes:
    return data.replace(rnd.choice([b" ", b"e", b":", b"\n", b"@"]), b"\x00", rnd.randint(1, 30))


def _charset(data: bytes, rnd: random.Random) -> bytes:
    if not _CHARSET.search(data):
        data = data.replace(b"\n\n", b'\nContent-Type: text/plain; charset="utf-8"\n\n', 1)
    return _CHARSET.sub(b'charset="' + rnd.choice(_CHARSETS) + b'"', data)


def _boundary(data: bytes, rnd: random.Random) -> bytes:
    found = _BOUNDARY.search(data)
    if not found:
        return data.replace(
            b"\n\n", b'\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="zz"\n\n--zz\n\n', 1
        )
    boundary = found.group(1)
    choice = rnd.randrange(3)
    if choice == 0:
        return data.replace(b"--" + boundary + b"--", b"")  # never closed
    if choice == 1:
        return data.replace(b"--" + boundary, b"--" + boundary[:-1], rnd.randint(1, 3))
    return _BOUNDARY.sub(b'boundary=""', data)


def _line_ends(data: bytes, rnd: random.Random) -> bytes:
    lines = data.replace(b"\r\n", b"\n").split(b"\n")
    return b"".join(line + rnd.choice([b"\r\n", b"\n", b"\r"]) for line in lines)


def _rfc2047(data: bytes, rnd: random.Random) -> bytes:
    header = rnd.choice([b"Subject: ", b"From: ", b"To: "])
    garbage = b" ".join(rnd.choice(_ENCODED) for _ in range(rnd.randint(1, 6)))
    if header in data:
        return data.replace(header, header + garbage + b" ", 1)
    return header + garbage + b"\r\n" + data


def _date(data: bytes, rnd: random.Random) -> bytes:
    return re.sub(rb"(?im)^Date:[^\r\n]*", b"Date: " + rnd.choice(_DATES), data, count=1)


def _duplicate_headers(data: bytes, rnd: random.Random) -> bytes:
    head, sep, body = data.partition(b"\n\n")
    lines = head.split(b"\n")
    return b"\n".join(lines + [rnd.choice(lines) for _ in range(rnd.randint(1, 10))]) + sep + body


def _drop_separator(data: bytes, rnd: random.Random) -> bytes:
    return data.replace(b"\r\n\r\n", b"\r\n", 1).replace(b"\n\n", b"\n", 1)


MUTATORS: dict[str, Callable[[bytes, random.Random], bytes]] = {
    "truncate": _truncate,
    "flip": _flip,
    "insert": _insert,
    "nuls": _nuls,
    "charset": _charset,
    "boundary": _boundary,
    "line_ends": _line_ends,
    "rfc2047": _rfc2047,
    "date": _date,
    "duplicate_headers": _duplicate_headers,
    "drop_separator": _drop_separator,
}

#: Small pathological builders cheap enough to mutate in every example.
_SMALL_BUILDERS = (
    "header_only",
    "body_only",
    "empty",
    "nul_bytes",
    "bad_charsets",
    "invalid_dates",
    "raw_utf8_headers",
    "autoreply_with_pnr",
)
_BASES = [*SEEDS.values(), *(BUILDERS[name]() for name in _SMALL_BUILDERS)]


@st.composite
def mutated_messages(draw: st.DrawFn) -> bytes:
    """A seed (or small pathological message) with 1–4 mutations applied, seeded by hypothesis."""
    data = draw(st.sampled_from(_BASES))
    names = draw(st.lists(st.sampled_from(sorted(MUTATORS)), min_size=1, max_size=4))
    rnd = random.Random(draw(st.integers(0, 2**32 - 1)))
    for name in names:
        data = MUTATORS[name](data, rnd)
    return data


def messages() -> st.SearchStrategy[bytes]:
    """Mostly mutated real-shaped mail, sometimes raw random bytes."""
    return st.one_of(mutated_messages(), mutated_messages(), mutated_messages(), st.binary(max_size=2000))


def generated_message(index: int, *, seed: int = 0) -> bytes:
    """A plausible message with a unique Message-ID for crash and soak runs (every 7th an auto-reply)."""
    rnd = random.Random(seed * 1_000_003 + index)
    person = rnd.randrange(40)
    kind = "Auto-Submitted: auto-replied\r\n" if index % 7 == 3 else ""
    return (
        f"From: Person {person} <p{person}@dagbladet.example>\r\n"
        f"To: Karin Berg <karin@pr-byran.example>\r\n"
        f"Subject: Ärende {index}\r\n"
        f"Message-ID: <gen-{seed}-{index}@dagbladet.example>\r\n"
        f"Date: Tue, 3 Mar 2026 {10 + index % 10}:{index % 60:02d}:00 +0100\r\n"
        f"{kind}MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"Content-Transfer-Encoding: 8bit\r\n\r\n"
        f"Hej Karin!\r\n\r\nMeddelande {index} om recensionen.\r\n\r\nHälsningar\r\n"
        f"Person {person}\r\nReporter, Dagbladet\r\n070-174 06 {10 + person % 90:02d}\r\n"
    ).encode()
