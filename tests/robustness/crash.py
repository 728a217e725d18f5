"""Kill -9 a harvester command at chosen or random points, and check what the store shows after.

Two ways to pick a kill point: HARVESTER_TEST_CRASH_AFTER=N (the pipeline's test hook
SIGKILLs the process when it is about to store its N-th message, inside the open
transaction), and a plain SIGKILL from outside after a random delay (which also lands
between batches, during a commit, while reading the mbox or while connecting).

Every run carries a marker in its environment, so processes it left behind (worker
processes of the pipeline's pool) can be found after the kill, counted and removed.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from store.models import Message
from tests.robustness.helpers import KEY, StoreCounts, count_store, harvester_cmd

__all__ = ["Crasher", "assert_consistent", "delays", "marked_processes"]

_MARK = "HARVESTER_TEST_RUN_MARK"
_RUN_TIMEOUT = 300.0


def marked_processes(mark: str) -> list[int]:
    """Pids of live processes whose environment carries `mark` (the run's descendants)."""
    needle = f"{_MARK}={mark}".encode()
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            environ = (proc / "environ").read_bytes()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if needle in environ.split(b"\0") and state != "Z":
            found.append(int(proc.name))
    return found


@dataclass
class Crasher:
    """Runs `harvester ARGS` to be killed; counts kills and the processes each kill left behind."""

    env: dict[str, str] = field(default_factory=dict)
    kills: int = 0
    longest_run: float = 0.0
    orphans: int = 0
    orphan_runs: int = 0

    def _env(self, mark: str, extra: dict[str, str]) -> dict[str, str]:
        env = {**os.environ, "HARVESTER_SUPPRESSION_KEY": KEY.decode(), **self.env}
        env.pop("HARVESTER_TEST_CRASH_AFTER", None)  # only `extra` may arm the crash hook
        return {**env, **extra, _MARK: mark}

    def _reap(self, mark: str) -> None:
        """Give left-over processes 3 s to leave on their own (pool workers watch for their
        owner every 0.25 s), then count and kill them."""
        deadline = time.monotonic() + 3.0
        left = marked_processes(mark)
        while left and time.monotonic() < deadline:
            time.sleep(0.1)
            left = marked_processes(mark)
        if left:
            self.orphans += len(left)
            self.orphan_runs += 1
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def _run(self, args: Sequence[str], extra: dict[str, str], delay: float | None) -> tuple[int, bool, str]:
        """Run to its end (or SIGKILL it after `delay`); output goes to files, never to pipes:
        processes a killed run leaves behind would hold a pipe open, and reading it would hang."""
        mark = uuid.uuid4().hex
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            process = subprocess.Popen(
                harvester_cmd(*args), env=self._env(mark, extra), stdout=out, stderr=err
            )
            started = time.monotonic()
            deadline = started + (delay if delay is not None else _RUN_TIMEOUT)
            while time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.01)
            killed = process.poll() is None
            if killed:
                process.send_signal(signal.SIGKILL)
            status = process.wait(timeout=60)
            self.longest_run = max(self.longest_run, time.monotonic() - started)
            self._reap(mark)
            err.seek(0)
            stderr = err.read().decode(errors="replace")
        assert "Traceback" not in stderr, stderr
        assert delay is not None or not killed, f"harvester {' '.join(args)} ran over {_RUN_TIMEOUT}s"
        return status, killed, stderr

    def run_with_hook(self, args: Sequence[str], crash_after: int) -> int:
        """Run with the pipeline's crash hook; returns the exit status (-9 when the hook fired)."""
        status, _, _ = self._run(args, {"HARVESTER_TEST_CRASH_AFTER": str(crash_after)}, None)
        self.kills += status == -signal.SIGKILL
        return status

    def run_to_end(self, args: Sequence[str]) -> None:
        status, _, stderr = self._run(args, {}, None)
        assert status == 0, stderr

    def run_killed_after(self, args: Sequence[str], delay: float) -> bool:
        """Start, SIGKILL after `delay` seconds; True when it was still running then."""
        _, killed, _ = self._run(args, {}, delay)
        self.kills += killed
        return killed


def delays(count: int, longest: float, *, seed: int) -> list[float]:
    """`count` kill delays spread evenly over (0.3 s, longest), jittered, in a stable order."""
    rnd = random.Random(seed)
    span = max(longest - 0.3, 0.1)
    return [0.3 + span * (i + rnd.random()) / count for i in range(count)]


def assert_consistent(
    sessions: sessionmaker[Session], *, allowed_ids: Sequence[set[str]] | None = None
) -> StoreCounts:
    """No partial state: stored ids are one of `allowed_ids`, contacts are whole, the audit matches."""
    with sessions() as session:
        counts = count_store(session)
        ids = set(session.scalars(select(Message.message_id)))
    if allowed_ids is not None:
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
