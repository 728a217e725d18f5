"""kill -9 during `harvester ingest`, then run it again: every message once, no half-made contact.

`harvester ingest` stores batches of 200 messages, each in one transaction. An mbox of
300 generated messages is killed at 14 points chosen through the pipeline's crash hook
(mid-transaction; in ascending order, so each point meets the state a fresh run would),
then a second mbox (new messages from the same 40 people, so existing contacts gain
evidence) is killed at 6 random delays spread over a run's whole length (20 points on
SQLite; 4 + 2 on PostgreSQL, to keep the suite short). After every kill
the store must hold a whole number of batches and whole contacts; at the end, exactly
what clean runs store, compared on every count (messages, ids, hashes, contacts, keys,
evidence, audit events).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from harvester.sources.files import read_paths
from store.db import upgrade
from tests.robustness.corpus import generated_message
from tests.robustness.crash import Crasher, assert_consistent, delays
from tests.robustness.helpers import (
    StoreCounts,
    backend_of,
    count_store,
    make_pipeline,
    write_config,
    write_mbox,
)

MESSAGES = 300
BATCH = 200  # harvester/cli/mail.py _BATCH


def _ids(seed: int, stop: int) -> set[str]:
    return {f"<gen-{seed}-{i}@dagbladet.example>" for i in range(stop)}


def _mbox(path: Path, seed: int) -> Path:
    return write_mbox(path, [generated_message(i, seed=seed) for i in range(MESSAGES)])


def _reference(tmp_path: Path, mboxes: list[Path]) -> StoreCounts:
    """What clean runs store: the same pipeline in this process, on a fresh SQLite file."""
    pipeline = make_pipeline(f"sqlite:///{tmp_path / 'reference.db'}")
    upgrade(pipeline.sessions.kw["bind"])
    for mbox in mboxes:
        raws = list(read_paths([mbox]))
        for start in range(0, len(raws), BATCH):
            pipeline.apply_batch(raws[start : start + BATCH])
    with pipeline.sessions() as session:
        return count_store(session)


@pytest.mark.slow
def test_ingest_killed_at_many_points_and_rerun_stores_every_message_once(
    tmp_path: Path, db_url: str, sessions: sessionmaker[Session]
) -> None:
    sqlite = backend_of(db_url) == "sqlite"
    hook_points, timed = (14, 6) if sqlite else (4, 2)
    first, second = _mbox(tmp_path / "first.mbox", 1), _mbox(tmp_path / "second.mbox", 2)
    reference = _reference(tmp_path, [first, second])
    config = write_config(tmp_path / "harvester.toml", db_url)

    first_args = ["--config", str(config), "ingest", str(first), "--json"]
    allowed = [set(), _ids(1, BATCH), _ids(1, MESSAGES)]
    crasher = Crasher()
    outcomes: list[str] = []
    for point in sorted(random.Random(7).sample(range(1, MESSAGES + 1), hook_points)):
        status = crasher.run_with_hook(first_args, point)
        assert status == -9, f"the crash hook did not fire at message {point} (exit {status})"
        outcomes.append(f"hook@{point}:{assert_consistent(sessions, allowed_ids=allowed).messages}")
    crasher.run_to_end(first_args)

    second_args = ["--config", str(config), "ingest", str(second), "--json"]
    done = _ids(1, MESSAGES)
    allowed = [done, done | _ids(2, BATCH), done | _ids(2, MESSAGES)]
    killed = 0
    elapsed = crasher.longest_run  # the hook run nearest the end took about a whole run
    for delay in delays(timed, elapsed, seed=11):
        killed += crasher.run_killed_after(second_args, delay)
        stored = assert_consistent(sessions, allowed_ids=allowed).messages - MESSAGES
        outcomes.append(f"kill@{delay:.2f}s:{stored}")
    crasher.run_to_end(second_args)
    crasher.run_to_end(first_args)  # re-running stores nothing new

    print(
        f"crash points ({backend_of(db_url)}, run {elapsed:.2f}s, {crasher.kills} kills "
        f"({killed} of {timed} timed), "
        f"{crasher.orphans} orphan processes after {crasher.orphan_runs} kills): {' '.join(outcomes)}"
    )
    final = assert_consistent(sessions, allowed_ids=[done | _ids(2, MESSAGES)])
    assert final == reference


def test_killed_ingest_leaves_no_worker_processes_behind(tmp_path: Path, db_url: str, engine: object) -> None:
    mbox = _mbox(tmp_path / "first.mbox", 1)
    config = write_config(tmp_path / "harvester.toml", db_url)
    crasher = Crasher()
    assert crasher.run_with_hook(["--config", str(config), "ingest", str(mbox)], 250) == -9
    assert crasher.orphans == 0
