"""parse_bytes reads a single-part message as the full feed parser does, without its walk."""

from __future__ import annotations

import email
import email.policy
from email.message import Message
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harvester.understand.parse import parse_bytes

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted([*ROOT.glob("tests/fixtures/**/*.eml"), *ROOT.glob("examples/mail/*.eml")])


def _shape(msg: Message) -> object:
    """Everything a parse leaves on a message, parts included."""
    parts = msg.get_payload() if msg.is_multipart() else None
    return (
        msg.get_unixfrom(),
        msg.items(),
        None if parts is not None else msg.get_payload(),
        [_shape(p) for p in parts] if isinstance(parts, list) else None,
        [type(d).__name__ for d in msg.defects],
        msg.preamble,
        msg.epilogue,
        msg.get_default_type(),
        msg.get_charset(),
    )


def _full(data: bytes) -> Message:
    return email.message_from_bytes(data, policy=email.policy.compat32)


def _recovered(path: Path) -> bool:
    """Samples whose boundary the feed parser misses are recovered on purpose
    (test_parse_recovery.py), so they are no reference for this test."""
    return any(type(d).__name__ == "StartBoundaryNotFoundDefect" for d in _full(path.read_bytes()).defects)


@pytest.mark.parametrize(
    "path", [p for p in SAMPLES if not _recovered(p)], ids=lambda p: str(p.relative_to(ROOT))
)
def test_every_sample_parses_as_the_feed_parser_reads_it(path: Path) -> None:
    data = path.read_bytes()
    assert _shape(parse_bytes(data)) == _shape(_full(data))


_PIECES = st.sampled_from(
    [
        "From: Karin <k@x.example>",
        "From karin@x.example Mon Mar  2 10:00:00 2026",
        "Subject: Hej",
        " folded",
        "\tfolded",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Type: multipart/mixed; boundary=b",
        "Content-Type: message/rfc822",
        "Content-Transfer-Encoding: base64",
        "--b",
        "not a header",
        ":",
        "",
        "Hej Karin!",
        "x\u00e5\u00e4",
    ]
)
_ENDS = st.sampled_from(["\n", "\r\n", "\r", "\n\n", "\r\n\r\n"])


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(_PIECES, _ENDS), max_size=14))
def test_any_message_parses_as_the_feed_parser_reads_it(lines: list[tuple[str, str]]) -> None:
    data = "".join(text + end for text, end in lines).encode("utf-8")
    full = _full(data)
    if any(type(d).__name__ == "StartBoundaryNotFoundDefect" for d in full.defects):
        return  # recovered differently on purpose (test_parse_recovery.py)
    assert _shape(parse_bytes(data)) == _shape(full)


@pytest.mark.parametrize(
    "data",
    [
        b"From: k@x.example\nContent-Type: message/rfc822\n\nSubject: inner\n\nHej\n",
        b"From: k@x.example\nContent-Type: message/delivery-status\n\n"
        b"Reporting-MTA: dns; x\n\nAction: failed\n",
        b"From: k@x.example\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nHej\n--b--\n",
        b"From: k@x.example\r\nSubject: Hej\r\n\r\nHej\r\n\r\nKarin",
        b"From: k@x.example\nnot a header\n\nHej\n",
        b"From: k@x.example\n\r\nHej\n\nKarin\n",
        b" continued\nFrom: k@x.example\n\nHej\n",
        b"Subject: Hej\n\n",
        b"Subject: Hej",
    ],
)
def test_nested_and_odd_messages_parse_as_the_feed_parser_reads_them(data: bytes) -> None:
    assert _shape(parse_bytes(data)) == _shape(_full(data))
