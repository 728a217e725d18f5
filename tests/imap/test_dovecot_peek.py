"""The product's first rule, shown on the fixture: BODY.PEEK reads mail and leaves it unread."""

from __future__ import annotations

import pytest

from tests.imap.conftest import Mailbox

_MESSAGE = (
    b"From: Karin Berg <karin.berg@dagbladet.example>\r\n"
    b"To: Erik Lind <erik@pr-byran.example>\r\n"
    b"Subject: Pressmeddelande\r\n"
    b"Message-ID: <peek-1@dagbladet.example>\r\n"
    b"Date: Mon, 23 Nov 2026 10:00:00 +0100\r\n"
    b"\r\n"
    b"Hej Erik,\r\ntack for utskicket.\r\n"
)


@pytest.mark.parametrize("tls", [False, True], ids=["plain", "tls"])
def test_body_peek_returns_the_message_and_leaves_it_unseen(mailbox: Mailbox, tls: bool) -> None:
    mailbox.deliver("INBOX", _MESSAGE)

    client = mailbox.connect(tls=tls)
    try:
        client.select_folder("INBOX", readonly=True)
        uids = client.search(["ALL"])
        fetched = client.fetch(uids, ["BODY.PEEK[]"])
        flags_after = client.fetch(uids, ["FLAGS"])
    finally:
        client.logout()

    assert len(uids) == 1
    assert fetched[uids[0]][b"BODY[]"] == _MESSAGE
    assert b"\\Seen" not in flags_after[uids[0]][b"FLAGS"]
    status = mailbox.server.doveadm("fetch", "-u", mailbox.user, "flags", "mailbox", "INBOX", "all")
    assert "\\Seen" not in status
