"""kill -9 during `harvester sync --once` against a real Dovecot, then restart: every message once.

The mailbox holds 300 messages in INBOX and 30 byte-identical copies in Sent (a message
seen in two folders is stored once). Batches are 25 messages, each stored with its
folder's cursor in one transaction. The sync is killed through the pipeline's crash
hook at 14 points (each restart resumes from the cursor, so the kills march through
INBOX, the switch to Sent and Sent itself); then, with a wave of 100 new messages
arriving before each, runs are killed at 8 delays spread over the second half of a
run (start-up comes first). After every kill the store must hold exactly the messages
at or below each folder's cursor — nothing beyond it (the cursor never lags), nothing
missing below it (the cursor never runs ahead) — and whole contacts; at the end, what
a clean run stores, on every count.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from harvester.sources.raw import Origin, OriginKind, RawMessage
from store.db import upgrade
from store.models import Message, SourceCursor
from tests.imap.conftest import Mailbox
from tests.robustness.corpus import generated_message
from tests.robustness.crash import Crasher, assert_consistent
from tests.robustness.helpers import (
    StoreCounts,
    account_toml,
    backend_of,
    count_store,
    make_pipeline,
    write_config,
)

pytestmark = [pytest.mark.dovecot, pytest.mark.slow]

INBOX_MESSAGES = 300
SENT_COPIES = 30
BATCH = 25
FOLDERS = ("INBOX", "Sent")
PASSWORD_ENV = "HARVESTER_ROBUST_IMAP_PASSWORD"
WAVE = 100


def _account(mailbox: Mailbox) -> str:
    return account_toml(
        host=mailbox.host,
        port=mailbox.port,
        user=mailbox.user,
        secret=f'password_env = "{PASSWORD_ENV}"',
        folders=FOLDERS,
        extra=f"batch_size = {BATCH}\ntimeout = 10",
    )


def _uid_map(mailbox: Mailbox) -> dict[str, dict[int, str]]:
    """Folder → UID → Message-ID, read with EXAMINE/BODY.PEEK (Dovecot assigns UIDs here)."""
    client = mailbox.connect()
    try:
        found: dict[str, dict[int, str]] = {}
        for folder in FOLDERS:
            client.select_folder(folder, readonly=True)
            fetched = client.fetch(client.search("ALL"), ["BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
            found[folder] = {
                uid: data[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"].decode().split(":", 1)[1].strip()
                for uid, data in fetched.items()
            }
        return found
    finally:
        client.logout()


def _check_cursor_matches_store(sessions: sessionmaker[Session], uids: dict[str, dict[int, str]]) -> int:
    """Stored Message-IDs are exactly those at or below each folder's cursor; returns how many."""
    with sessions() as session:
        cursors = {c.folder: c.last_uid for c in session.scalars(select(SourceCursor))}
        stored = set(session.scalars(select(Message.message_id)))
    expected = {
        mid for folder, by_uid in uids.items() for uid, mid in by_uid.items() if uid <= cursors.get(folder, 0)
    }
    assert stored == expected, (
        f"cursors {cursors}: {len(stored - expected)} stored beyond a cursor, "
        f"{len(expected - stored)} missing below one"
    )
    assert_consistent(sessions)
    return len(stored)


def _reference(tmp_path: Path, mailbox: Mailbox, uids: dict[str, dict[int, str]]) -> StoreCounts:
    """A clean, uninterrupted run of the same bytes in the same order through the same pipeline."""
    pipeline = make_pipeline(f"sqlite:///{tmp_path / 'reference.db'}")
    upgrade(pipeline.sessions.kw["bind"])
    client = mailbox.connect()
    try:
        for folder in FOLDERS:
            client.select_folder(folder, readonly=True)
            ordered = sorted(uids[folder])
            for start in range(0, len(ordered), BATCH):
                chunk = ordered[start : start + BATCH]
                fetched = client.fetch(chunk, ["BODY.PEEK[]"])
                raws = [
                    RawMessage(
                        data=fetched[uid][b"BODY[]"],
                        origin=Origin(
                            kind=OriginKind.IMAP, account="karin", folder=folder, uidvalidity=1, uid=uid
                        ),
                    )
                    for uid in chunk
                ]
                pipeline.apply_batch(raws)
    finally:
        client.logout()
    with pipeline.sessions() as session:
        return count_store(session)


def test_sync_killed_at_many_points_and_restarted_stores_every_message_once(
    tmp_path: Path, db_url: str, sessions: sessionmaker[Session], mailbox: Mailbox
) -> None:
    sqlite = backend_of(db_url) == "sqlite"
    hook_points, timed = (14, 8) if sqlite else (4, 2)
    first = [generated_message(i, seed=3) for i in range(INBOX_MESSAGES)]
    for data in first:
        mailbox.deliver("INBOX", data)
    for data in first[:SENT_COPIES]:
        mailbox.deliver("Sent", data)
    uids = _uid_map(mailbox)
    config = write_config(tmp_path / "harvester.toml", db_url, extra=_account(mailbox))
    args = ["--config", str(config), "sync", "--once", "--json"]
    crasher = Crasher(env={PASSWORD_ENV: mailbox.password})

    outcomes: list[str] = []
    rnd = random.Random(5)
    for _ in range(hook_points):
        point = rnd.randint(1, 2 * BATCH + 10)
        status = crasher.run_with_hook(args, point)
        outcomes.append(f"hook@{point}:{_check_cursor_matches_store(sessions, uids)}")
        if status == 0:
            break  # the mailbox is done: the remaining points would find nothing to crash in
        assert status == -9, f"sync exited {status} at hook point {point}"
    crasher.run_to_end(args)
    assert _check_cursor_matches_store(sessions, uids) == INBOX_MESSAGES

    probe = Crasher(env=crasher.env)
    delivered = INBOX_MESSAGES
    for wave in range(timed + 1):
        for i in range(WAVE):  # fresh mail before every kill, so each run has work to be killed in
            mailbox.deliver("INBOX", generated_message(delivered + i, seed=4))
        delivered += WAVE
        uids = _uid_map(mailbox)
        if wave == 0:  # measures how long a run of one wave takes, to place the timed kills
            probe.run_to_end(args)
            outcomes.append(f"probe:{_check_cursor_matches_store(sessions, uids)}")
            continue
        delay = probe.longest_run * (0.45 + 0.6 * (wave - 1 + random.Random(wave).random()) / timed)
        crasher.run_killed_after(args, delay)
        outcomes.append(f"kill@{delay:.2f}s:{_check_cursor_matches_store(sessions, uids)}")
    crasher.run_to_end(args)
    crasher.run_to_end(args)  # a sync with nothing new stores nothing
    print(
        f"sync crash points ({backend_of(db_url)}, {crasher.kills} kills, {crasher.orphans} orphan "
        f"processes): {' '.join(outcomes)}"
    )
    assert _check_cursor_matches_store(sessions, uids) == delivered
    with sessions() as session:
        assert count_store(session) == _reference(tmp_path, mailbox, uids)
