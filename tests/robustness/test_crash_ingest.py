"""kill -9 during `harvester ingest`, then run it again: every message once, no half-made contact.

`harvester ingest` stores batches of 200 messages, each in one transaction. An mbox of
300 generated messages is killed at 20 points chosen through the pipeline's crash hook
(mid-transaction; in ascending order, so each point meets the state a fresh run would),
then a second mbox (new messages from the same 40 people, so existing contacts gain
evidence) is killed at random delays spread over a run's whole length. After every kill
the store must hold a whole number of batches and whole contacts; at the end, exactly
what clean runs store, compared on every count (messages, ids, hashes, contacts, keys,
evidence, audit events).
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.robustness.corpus import generated_message
from tests.robustness.crash import assert_consistent, delays, run_killed_after, run_with_crash_hook
from tests.robustness.helpers import (
    StoreCounts,
    backend_of,
    count_store,
    make_pipeline,
    run_harvester,
    write_config,
    write_mbox,
)

MESSAGES = 300
BATCH = 200  # harvester/cli/mail.py _BATCH
NEVER = 10**9


def _ids(seed: int, stop: int) -> set[str]:
    return {f"<gen-{seed}-{i}@dagbladet.example>" for i in range(stop)}


def _mbox(path: Path, seed: int) -> Path:
    return write_mbox(path, [generated_message(i, seed=seed) for i in range(MESSAGES)])


def _reference(tmp_path: Path, mboxes: list[Path]) -> tuple[StoreCounts, float]:
    """What clean runs store (on a fresh SQLite file), and how long the last run took."""
    url = f"sqlite:///{tmp_path / 'reference.db'}"
    config = write_config(tmp_path / "reference.toml", url)
    elapsed = 0.0
    for mbox in mboxes:
        start = time.monotonic()
        result = run_harvester("--config", str(config), "ingest", str(mbox), "--json")
        elapsed = time.monotonic() - start
        assert result.returncode == 0, result.stderr
    with make_pipeline(url).sessions() as session:
        return count_store(session), elapsed


@pytest.mark.slow
def test_ingest_killed_at_many_points_and_rerun_stores_every_message_once(
    tmp_path: Path, db_url: str, sessions: sessionmaker[Session]
) -> None:
    sqlite = backend_of(db_url) == "sqlite"
    hook_points, timed = (20, 12) if sqlite else (8, 4)
    first, second = _mbox(tmp_path / "first.mbox", 1), _mbox(tmp_path / "second.mbox", 2)
    reference, elapsed = _reference(tmp_path, [first, second])
    config = write_config(tmp_path / "harvester.toml", db_url)

    first_args = ["--config", str(config), "ingest", str(first), "--json"]
    allowed = [set(), _ids(1, BATCH), _ids(1, MESSAGES)]
    outcomes: list[str] = []
    for point in sorted(random.Random(7).sample(range(1, MESSAGES + 1), hook_points)):
        status = run_with_crash_hook(first_args, point)
        assert status == -9, f"the crash hook did not fire at message {point} (exit {status})"
        outcomes.append(f"hook@{point}:{assert_consistent(sessions, allowed_ids=allowed).messages}")
    assert run_with_crash_hook(first_args, NEVER) == 0

    second_args = ["--config", str(config), "ingest", str(second), "--json"]
    done = _ids(1, MESSAGES)
    allowed = [done, done | _ids(2, BATCH), done | _ids(2, MESSAGES)]
    killed = 0
    for delay in delays(timed, elapsed, seed=11):
        killed += run_killed_after(second_args, delay)
        stored = assert_consistent(sessions, allowed_ids=allowed).messages - MESSAGES
        outcomes.append(f"kill@{delay:.2f}s:{stored}")
    assert killed >= timed // 2, f"only {killed} of {timed} timed kills landed before the run ended"
    assert run_with_crash_hook(second_args, NEVER) == 0
    assert run_with_crash_hook(first_args, NEVER) == 0  # re-running stores nothing new

    print(f"crash points ({db_url.split(':')[0]}, run {elapsed:.2f}s): {' '.join(outcomes)}")
    final = assert_consistent(sessions, allowed_ids=[done | _ids(2, MESSAGES)])
    assert final == reference
