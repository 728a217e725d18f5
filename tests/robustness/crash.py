"""Kill -9 a harvester command at chosen or random points, and check what the store shows after.

Two ways to pick a kill point: HARVESTER_TEST_CRASH_AFTER=N (the pipeline's test hook
SIGKILLs the process after applying N messages, inside the open transaction), and a
plain SIGKILL from outside after a random delay (which also lands between batches,
during a commit, while reading the mbox or while connecting).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from store.models import Message
from tests.robustness.helpers import KEY, StoreCounts, count_store, harvester_cmd

__all__ = ["CrashLog", "assert_consistent", "run_killed_after", "run_with_crash_hook"]


@dataclass
class CrashLog:
    """What a crash run did, for the report in docs/reliability.md."""

    hook_points: list[int] = field(default_factory=list)
    timed_kills: list[float] = field(default_factory=list)
    finished_early: int = 0


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "HARVESTER_SUPPRESSION_KEY": KEY.decode(), **(extra or {})}
    env.pop("HARVESTER_TEST_CRASH_AFTER", None)
    env.update(extra or {})
    return env


def run_with_crash_hook(args: Sequence[str], crash_after: int, *, env: dict[str, str] | None = None) -> int:
    """Run `harvester ARGS` with the pipeline's crash hook; returns the exit status (-9 when it fired)."""
    done = subprocess.run(
        harvester_cmd(*args),
        env=_env({**(env or {}), "HARVESTER_TEST_CRASH_AFTER": str(crash_after)}),
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    return done.returncode


def run_killed_after(args: Sequence[str], delay: float, *, env: dict[str, str] | None = None) -> bool:
    """Start `harvester ARGS`, SIGKILL it after `delay` seconds; True when it was still running."""
    process = subprocess.Popen(
        harvester_cmd(*args),
        env=_env(env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.01)
    killed = process.poll() is None
    if killed:
        process.send_signal(signal.SIGKILL)
    _, stderr = process.communicate(timeout=60)
    assert b"Traceback" not in stderr, stderr.decode(errors="replace")
    return killed


def delays(count: int, longest: float, *, seed: int) -> list[float]:
    """`count` kill delays spread evenly over (0.3 s, longest), jittered, in a stable order."""
    rnd = random.Random(seed)
    span = max(longest - 0.3, 0.1)
    return [0.3 + span * (i + rnd.random()) / count for i in range(count)]


def assert_consistent(sessions: sessionmaker[Session], *, allowed_ids: Sequence[set[str]]) -> StoreCounts:
    """No partial state: stored ids are exactly one of `allowed_ids`, contacts whole, audit matches."""
    with sessions() as session:
        counts = count_store(session)
        ids = set(session.scalars(select(Message.message_id)))
    assert ids in allowed_ids, f"{len(ids)} messages stored: not a whole number of committed batches"
    assert counts.messages == counts.distinct_hashes == len(ids), counts
    assert counts.duplicated_message_ids == 0, counts
    assert counts.messages_without_location == 0, counts
    assert counts.contacts_without_email_key == 0, counts
    assert counts.contacts_without_evidence == 0, counts
    assert counts.orphan_evidence == counts.orphan_keys == 0, counts
    assert counts.audit_contact_created == counts.contacts, counts
    assert counts.audit_evidence_added == counts.evidence_rows, counts
    return counts
