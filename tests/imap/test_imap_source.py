"""ImapSource against a real Dovecot: incremental, read-only, rescans, TLS, faults."""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from harvester.config import AccountConfig
from harvester.errors import SourceError
from harvester.sources.imap import (
    Batch,
    Cursor,
    FolderState,
    ImapSource,
    ReadOnlyImap,
    RetryPolicy,
    Skipped,
)
from harvester.sources.raw import OriginKind
from tests.imap.conftest import Mailbox

_FAST_RETRY = RetryPolicy(attempts=3, initial=0.05, maximum=0.2, jitter=0.05)


def _message(n: int, subject: str = "Pressmeddelande") -> bytes:
    return (
        f"From: Karin Berg <karin.berg@dagbladet.example>\r\n"
        f"To: Erik Lind <erik@pr-byran.example>\r\n"
        f"Subject: {subject} {n}\r\n"
        f"Message-ID: <msg-{n}@dagbladet.example>\r\n"
        f"Date: Mon, 23 Nov 2026 10:00:00 +0100\r\n"
        f"\r\n"
        f"Hej Erik,\r\nmeddelande nummer {n}.\r\n"
    ).encode()


def _account(mailbox: Mailbox, tmp_path: Path, **overrides: Any) -> AccountConfig:
    secret = tmp_path / "password"
    secret.write_text(f"{mailbox.password}\n")
    values: dict[str, Any] = {
        "name": "karin",
        "host": mailbox.host,
        "port": mailbox.port,
        "user": mailbox.user,
        "tls": False,
        "password_file": secret,
        "folders": ("INBOX",),
    }
    values.update(overrides)
    return AccountConfig(**values)


def _commit(batches: Iterable[Batch], cursors: dict[str, Cursor]) -> list[Batch]:
    """What the pipeline does: take each batch, then advance that folder's cursor."""
    taken = []
    for batch in batches:
        taken.append(batch)
        cursors[batch.folder] = batch.cursor
    return taken


def _subjects(batches: Iterable[Batch]) -> list[tuple[str, bytes]]:
    return [
        (message.origin.folder or "", message.data.split(b"Subject: ")[1].split(b"\r\n")[0])
        for batch in batches
        for message in batch.messages
    ]


def _flags_and_counts(mailbox: Mailbox, folders: Iterable[str]) -> dict[str, str]:
    server = mailbox.server
    return {
        folder: server.doveadm("fetch", "-u", mailbox.user, "uid flags", "mailbox", folder, "all")
        + server.doveadm("mailbox", "status", "-u", mailbox.user, "messages unseen", folder)
        for folder in folders
    }


def test_poll_reads_configured_folders_by_name_and_pattern(mailbox: Mailbox, tmp_path: Path) -> None:
    mailbox.deliver("INBOX", _message(1))
    mailbox.deliver("INBOX", _message(2))
    mailbox.deliver("Sent", _message(3))
    mailbox.deliver("Projekt/Alfa", _message(4))
    mailbox.deliver("Privat", _message(5))
    account = _account(mailbox, tmp_path, folders=("INBOX", "Sent", "Projekt/*", "Saknas"))

    batches = list(ImapSource(account).poll({}))

    assert _subjects(batches) == [
        ("INBOX", b"Pressmeddelande 1"),
        ("INBOX", b"Pressmeddelande 2"),
        ("Sent", b"Pressmeddelande 3"),
        ("Projekt/Alfa", b"Pressmeddelande 4"),
    ]
    first = batches[0].messages[0]
    assert first.data == _message(1)
    assert first.origin.kind is OriginKind.IMAP
    assert (first.origin.account, first.origin.folder, first.origin.uid) == ("karin", "INBOX", 1)
    assert first.origin.uidvalidity == batches[0].uidvalidity
    assert first.flags == ()


def test_second_poll_yields_only_new_mail(mailbox: Mailbox, tmp_path: Path) -> None:
    mailbox.deliver("INBOX", _message(1))
    mailbox.deliver("Sent", _message(2))
    source = ImapSource(_account(mailbox, tmp_path, folders=("INBOX", "Sent")))
    cursors: dict[str, Cursor] = {}
    _commit(source.poll(cursors), cursors)

    mailbox.deliver("Sent", _message(3))
    second = _commit(source.poll(cursors), cursors)
    third = _commit(source.poll(cursors), cursors)

    assert _subjects(second) == [("Sent", b"Pressmeddelande 3")]
    assert third == []
    assert cursors["Sent"].last_uid == 2


def test_batches_hold_at_most_batch_size_messages(mailbox: Mailbox, tmp_path: Path) -> None:
    for n in range(5):
        mailbox.deliver("INBOX", _message(n))
    source = ImapSource(_account(mailbox, tmp_path, batch_size=2))

    batches = list(source.poll({}))

    assert [len(b.messages) for b in batches] == [2, 2, 1]
    assert [b.last_uid for b in batches] == [2, 4, 5]
    assert [b.pending for b in batches] == [3, 1, 0]


def test_batches_are_cut_before_they_exceed_max_batch_bytes(mailbox: Mailbox, tmp_path: Path) -> None:
    sizes = [3000, 3000, 3000, 20_000, 1000]
    for n, size in enumerate(sizes):
        mailbox.deliver("INBOX", _message(n) + b"x" * size + b"\r\n")
    source = ImapSource(_account(mailbox, tmp_path, batch_size=10), max_batch_bytes=7000)

    batches = list(source.poll({}))

    assert [[m.origin.uid for m in b.messages] for b in batches] == [[1, 2], [3], [4], [5]]
    assert [b.pending for b in batches] == [3, 2, 1, 0]


def test_first_poll_of_an_empty_folder_yields_its_cursor(mailbox: Mailbox, tmp_path: Path) -> None:
    source = ImapSource(_account(mailbox, tmp_path))

    batches = list(source.poll({}))

    assert [(b.folder, b.messages, b.last_uid) for b in batches] == [("INBOX", [], 0)]


def test_new_uidvalidity_rescans_the_whole_folder(mailbox: Mailbox, tmp_path: Path) -> None:
    mailbox.deliver("Sent", _message(1))
    mailbox.deliver("Sent", _message(2))
    source = ImapSource(_account(mailbox, tmp_path, folders=("Sent",)))
    cursors: dict[str, Cursor] = {}
    first = _commit(source.poll(cursors), cursors)

    mailbox.recreate_folder("Sent")
    second = _commit(source.poll(cursors), cursors)

    assert second[0].uidvalidity != first[0].uidvalidity
    assert all(batch.rescan for batch in second)
    assert sorted(_subjects(second)) == sorted(_subjects(first))
    assert cursors["Sent"] == Cursor(second[-1].uidvalidity, 2)


def test_full_sync_changes_no_flag_and_no_message_count(mailbox: Mailbox, tmp_path: Path) -> None:
    mailbox.deliver("INBOX", _message(1))
    mailbox.deliver("INBOX", _message(2), seen=True)
    mailbox.deliver("Sent", _message(3), seen=True)
    mailbox.deliver("Sent", _message(4))
    folders = ["INBOX", "Sent"]
    # Let Dovecot assign UIDs and index the new mail before the "before" picture.
    before = _flags_and_counts(mailbox, folders)

    batches = list(ImapSource(_account(mailbox, tmp_path, folders=tuple(folders))).poll({}))

    assert _flags_and_counts(mailbox, folders) == before
    flags = {m.data: m.flags for b in batches for m in b.messages}
    assert flags[_message(1)] == ()
    assert flags[_message(2)] == ("\\Seen",)
    assert "\\Seen" not in before["INBOX"].splitlines()[1]


@pytest.mark.parametrize(
    "command",
    [
        "select_folder",
        "add_flags",
        "set_flags",
        "remove_flags",
        "add_gmail_labels",
        "delete_messages",
        "expunge",
        "uid_expunge",
        "copy",
        "move",
        "append",
        "create_folder",
        "delete_folder",
        "rename_folder",
        "subscribe_folder",
    ],
)
def test_read_only_client_has_no_command_that_changes_mail(command: str) -> None:
    assert not hasattr(ReadOnlyImap, command)


@pytest.mark.parametrize("item", ["BODY[]", "RFC822", "RFC822.TEXT", "BODY[TEXT]", "body[header]"])
def test_read_only_client_refuses_fetch_items_that_set_seen(mailbox: Mailbox, item: str) -> None:
    mailbox.deliver("INBOX", _message(1))
    imap = ReadOnlyImap(mailbox.connect())
    try:
        imap.examine("INBOX")
        with pytest.raises(ValueError, match=r"BODY\.PEEK"):
            imap.fetch([1], [item])
    finally:
        imap.logout()
    assert "\\Seen" not in mailbox.server.doveadm(
        "fetch", "-u", mailbox.user, "flags", "mailbox", "INBOX", "all"
    )


@pytest.mark.parametrize("mode", ["implicit", "starttls"])
def test_tls_is_verified_with_the_configured_ca_file(mailbox: Mailbox, tmp_path: Path, mode: str) -> None:
    mailbox.deliver("INBOX", _message(1))
    if mode == "implicit":
        account = _account(mailbox, tmp_path, tls=True, port=mailbox.ssl_port, ca_file=mailbox.ca_file)
    else:
        account = _account(mailbox, tmp_path, starttls=True, ca_file=mailbox.ca_file)

    batches = list(ImapSource(account).poll({}))

    assert _subjects(batches) == [("INBOX", b"Pressmeddelande 1")]


def test_tls_without_the_ca_file_is_refused(mailbox: Mailbox, tmp_path: Path) -> None:
    account = _account(mailbox, tmp_path, tls=True, port=mailbox.ssl_port)

    with pytest.raises(SourceError, match=r"account karin: TLS certificate of 127\.0\.0\.1"):
        list(ImapSource(account, retry=_FAST_RETRY).poll({}))


def test_wrong_password_is_a_clear_error_and_not_retried(
    mailbox: Mailbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = "Fel-Losenord-4711"
    account = _account(mailbox, tmp_path)
    assert account.password_file is not None
    account.password_file.write_text(wrong)

    with caplog.at_level(logging.WARNING), pytest.raises(SourceError) as caught:
        list(ImapSource(account, retry=_FAST_RETRY).poll({}))

    message = str(caught.value)
    assert message.startswith(f"account karin: login to 127.0.0.1:{mailbox.port} refused")
    assert "AUTHENTICATIONFAILED" in message
    assert wrong not in message
    assert "retry" not in caplog.text


def test_unreachable_server_fails_after_bounded_retries(
    mailbox: Mailbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    closed_port = mailbox.ssl_port + 1 if mailbox.ssl_port + 1 != mailbox.port else 1
    account = _account(mailbox, tmp_path, port=closed_port)

    with caplog.at_level(logging.WARNING), pytest.raises(SourceError) as caught:
        list(ImapSource(account, retry=_FAST_RETRY).poll({}))

    assert str(caught.value).startswith(
        f"account karin: cannot read 127.0.0.1:{closed_port} after 3 attempts"
    )
    assert mailbox.password not in str(caught.value)
    assert caplog.text.count("retry") == 2


def test_server_stopped_mid_poll_is_retried_until_it_is_back(mailbox: Mailbox, tmp_path: Path) -> None:
    for n in range(6):
        mailbox.deliver("INBOX", _message(n))
    patient = RetryPolicy(attempts=30, initial=0.1, maximum=0.5, jitter=0.1)
    source = ImapSource(_account(mailbox, tmp_path, batch_size=2), retry=patient)
    cursors: dict[str, Cursor] = {}
    batches = source.poll(cursors)
    taken = _commit([next(batches)], cursors)

    mailbox.server.stop_process()
    restart = threading.Timer(1.0, mailbox.server.start)
    restart.start()
    try:
        taken += _commit(batches, cursors)
    finally:
        restart.join()

    assert [m.origin.uid for b in taken for m in b.messages] == [1, 2, 3, 4, 5, 6]
    assert cursors["INBOX"].last_uid == 6


@pytest.mark.parametrize(
    "data",
    [
        b"this is not a mail at all\r\n",
        b"Subject: =?utf-8?q?broken\r\nFrom: <<@@>>\r\nContent-Type: multipart/mixed\r\n"
        b"\r\n--no-boundary-declared\r\n\xe5\xe4\xf6 latin-1 bytes\r\n",
        b"From: karin.berg@dagbladet.example\r\nX-Header-Without-Colon\r\n\r\nbody\r\n",
    ],
    ids=["no-headers", "broken-mime-8bit", "bad-header-line"],
)
def test_malformed_message_is_still_yielded(mailbox: Mailbox, tmp_path: Path, data: bytes) -> None:
    mailbox.deliver("INBOX", data)

    batches = list(ImapSource(_account(mailbox, tmp_path)).poll({}))

    assert [m.data for b in batches for m in b.messages] == [data]


def test_fetch_response_without_a_body_is_skipped_and_recorded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    account = AccountConfig(name="karin", host="127.0.0.1", user="karin", port=1)
    state = FolderState("INBOX", uidvalidity=7, uidnext=4, exists=3)
    response: dict[int, dict[bytes, object]] = {
        1: {b"BODY[]": _message(1), b"FLAGS": (b"\\Seen", b"\\Recent")},
        2: {b"FLAGS": ()},
    }

    with caplog.at_level(logging.WARNING):
        messages, skipped = ImapSource(account)._read(state, [1, 2, 3], response)

    assert [(m.origin.uid, m.flags) for m in messages] == [(1, ("\\Seen",))]
    assert skipped == [Skipped(2, "no BODY[] in the FETCH response")]
    assert "account=karin folder=INBOX uid=2" in caplog.text


@pytest.mark.parametrize("source", ["command", "file"])
def test_xoauth2_login_uses_the_configured_token(mailbox: Mailbox, tmp_path: Path, source: str) -> None:
    # The fixture's Dovecot checks an XOAUTH2 token like a password.
    mailbox.deliver("INBOX", _message(1))
    token_file = tmp_path / "token"
    token_file.write_text(mailbox.password + "\n")
    token = (
        {"oauth2_token_command": f"cat {token_file}"}
        if source == "command"
        else {"oauth2_token_file": token_file}
    )
    account = _account(mailbox, tmp_path, password_file=None, **token)

    batches = list(ImapSource(account).poll({}))

    assert _subjects(batches) == [("INBOX", b"Pressmeddelande 1")]
    assert f"user=<{mailbox.user}>, method=XOAUTH2" in mailbox.server.log_tail(50)


def test_folder_names_outside_ascii_are_read_and_reported_decoded(mailbox: Mailbox, tmp_path: Path) -> None:
    mailbox.deliver("Projekt/Återkoppling", _message(1))
    mailbox.deliver("Skickat & arkiverat", _message(2))
    account = _account(mailbox, tmp_path, folders=("Projekt/*", "Skickat & arkiverat"))

    batches = list(ImapSource(account).poll({}))

    assert _subjects(batches) == [
        ("Projekt/Återkoppling", b"Pressmeddelande 1"),
        ("Skickat & arkiverat", b"Pressmeddelande 2"),
    ]


def test_folder_deleted_after_list_is_skipped_and_the_rest_is_read(
    mailbox: Mailbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    mailbox.deliver("INBOX", _message(1))
    gone = mailbox.create_folder("Borttagen")
    mailbox.deliver("Sent", _message(2))
    account = _account(mailbox, tmp_path, folders=("INBOX", "Borttagen", "Sent"))
    batches = ImapSource(account).poll({})
    taken = [next(batches)]  # LIST has been answered with all three folders

    shutil.rmtree(gone)
    with caplog.at_level(logging.WARNING):
        taken += list(batches)

    assert [b.folder for b in taken] == ["INBOX", "Sent"]
    assert _subjects(taken) == [("INBOX", b"Pressmeddelande 1"), ("Sent", b"Pressmeddelande 2")]
    assert "folder=Borttagen: cannot EXAMINE" in caplog.text
