"""A multipart whose declared boundary never occurs is read with the boundary its body uses."""

from __future__ import annotations

import pytest

from harvester.understand.parse import parse_bytes
from harvester.understand.text import body_of

HEAD = (
    "From: Lena Ek <lena.ek@tidning.example>\nTo: karin@pr-byran.example\nSubject: Hej\n"
    'MIME-Version: 1.0\nContent-Type: multipart/alternative; boundary="{declared}"\n\n'
)
BODY = (
    "--{used}\nContent-Type: text/plain; charset=utf-8\n\nHej Karin, vi ses på fredag.\n\n"
    "--{used}\nContent-Type: text/html; charset=utf-8\n\n<p>Hej Karin</p>\n--{used}--\n"
)


@pytest.mark.parametrize(
    ("declared", "used", "defect"),
    [
        ("outer_declared", "inner_used", True),
        ("same_boundary", "same_boundary", False),
    ],
)
def test_the_body_s_own_boundary_is_used_when_the_declared_one_is_missing(
    declared: str, used: str, defect: bool
) -> None:
    data = (HEAD.format(declared=declared) + BODY.format(used=used)).encode()
    msg = parse_bytes(data)
    assert msg.is_multipart()
    assert body_of(msg).text.startswith("Hej Karin, vi ses på fredag.")
    names = {type(d).__name__ for d in msg.defects}
    assert ("StartBoundaryNotFoundDefect" in names) is defect


def test_a_multipart_without_any_boundary_line_stays_readable() -> None:
    data = (HEAD.format(declared="nowhere") + "Bara text, ingen del.\n").encode()
    msg = parse_bytes(data)
    assert not msg.is_multipart()
