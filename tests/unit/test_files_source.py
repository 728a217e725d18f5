"""Mail files on disk: .eml, mbox and Maildir all come out as RawMessages in a stable order."""

from __future__ import annotations

import mailbox
from pathlib import Path

import pytest

from harvester.errors import InputError
from harvester.sources.files import looks_like_mail, read_paths

MSG = "From: a@example.com\nSubject: {n}\nMessage-ID: <{n}@example.com>\n\nbody {n}\n"


def test_mbox_yields_every_message_with_its_index(tmp_path: Path) -> None:
    box = mailbox.mbox(str(tmp_path / "mail.mbox"))
    for n in range(3):
        box.add(mailbox.mboxMessage(MSG.format(n=n)))
    box.close()
    raws = list(read_paths([tmp_path / "mail.mbox"]))
    assert [r.origin.index for r in raws] == [0, 1, 2]
    assert [b"Subject: 1" in r.data for r in raws] == [False, True, False]


def test_maildir_yields_cur_and_new(tmp_path: Path) -> None:
    box = mailbox.Maildir(str(tmp_path / "Maildir"))
    for n in range(2):
        box.add(mailbox.MaildirMessage(MSG.format(n=n)))
    raws = list(read_paths([tmp_path / "Maildir"]))
    assert len(raws) == 2


def test_directory_is_walked_and_non_mail_sidecars_skipped(tmp_path: Path) -> None:
    (tmp_path / "a.eml").write_text(MSG.format(n=1))
    (tmp_path / "a.json").write_text("{}")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.eml").write_text(MSG.format(n=2))
    assert len(list(read_paths([tmp_path]))) == 2


def test_missing_path_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        list(read_paths([tmp_path / "missing"]))


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"From: a@b\n", True),
        (b"From x@y Sat Jan  3 01:05:34 1996\n", True),
        (b"\r\nReceived: x\n", True),
        (b"\x89PNG\r\n", False),
        (b"", False),
        (b"just some text\n", False),
    ],
)
def test_looks_like_mail(head: bytes, expected: bool) -> None:
    assert looks_like_mail(head) is expected
