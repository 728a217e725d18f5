"""Soak run: the daemon against a real Dovecot while mail keeps arriving and Dovecot restarts.

Starts a throwaway Dovecot (tests/dovecot.py), writes a config for one account
(poll_interval 2s) and runs `harvester run` as a subprocess for `--seconds` (default
120). A thread delivers generated messages continuously (`--rate` per second, written
as Maildir files like an MDA, so delivery goes on while Dovecot is down); Dovecot is
stopped and started again twice, at 1/3 and 2/3 of the run. At the end delivery stops,
the daemon gets up to `--drain` seconds to store the rest, then SIGTERM.

Prints: messages delivered vs stored, poll errors (status), ERROR lines and tracebacks in
the daemon's log, and the daemon's RSS (VmRSS from /proc) at start and end, for the main
process and for its whole process tree (pool workers included). "Start" is the first
sample after `--warmup` seconds (default 15) once the daemon has stored a batch, so imports
and the worker pool are in the baseline and what is measured is growth under load.

Exit status 1 when delivered != stored after the drain, when the daemon died or did not
stop on SIGTERM, or when the main process's RSS grew by more than 10%.

Run as root (the Dovecot fixture needs it): `python bench/soak.py --seconds 120`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select

from store.db import make_engine, make_sessionmaker
from store.models import Message
from tests.dovecot import DovecotServer
from tests.robustness.corpus import generated_message
from tests.robustness.helpers import account_toml, write_config

PASSWORD_ENV = "HARVESTER_SOAK_PASSWORD"
_MARK = "HARVESTER_SOAK_MARK"


def rss_kb(pid: int) -> int:
    """VmRSS of one process in kB (0 when it is gone); /proc, because psutil is no dependency."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_rss_kb(mark: str) -> int:
    """RSS of every process started by the daemon run (they carry `mark` in their environment)."""
    needle = f"{_MARK}={mark}".encode()
    total = 0
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if needle in (proc / "environ").read_bytes().split(b"\0"):
                    total += rss_kb(int(proc.name))
            except OSError:
                continue
    return total


class Deliverer(threading.Thread):
    """Delivers `rate` messages a second into INBOX until stopped; counts what it delivered."""

    def __init__(self, server: DovecotServer, user: str, rate: float) -> None:
        super().__init__(daemon=True)
        self.server, self.user, self.rate = server, user, rate
        self.delivered = 0
        self.stop = threading.Event()

    def run(self) -> None:
        interval = 1.0 / self.rate
        next_at = time.monotonic()
        while not self.stop.is_set():
            self.server.deliver(self.user, "INBOX", generated_message(self.delivered, seed=99))
            self.delivered += 1
            next_at += interval
            self.stop.wait(max(0.0, next_at - time.monotonic()))


def write_soak_config(root: Path, server: DovecotServer, user: str, database_url: str) -> Path:
    account = account_toml(
        host=server.host,
        port=server.port,
        user=user,
        secret=f'password_env = "{PASSWORD_ENV}"',
        extra='poll_interval = "2s"\nbatch_size = 100\ntimeout = 10',
    )
    return write_config(root / "harvester.toml", database_url, extra=account)


def stored(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with make_sessionmaker(engine)() as session:
            return int(session.scalar(select(func.count(Message.id))) or 0)
    finally:
        engine.dispose()


def status(config: Path, env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-m", "harvester", "--config", str(config), "status", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    return json.loads(done.stdout) if done.returncode == 0 else {"error": done.stderr.strip()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120.0, help="how long mail keeps arriving")
    parser.add_argument("--rate", type=float, default=5.0, help="messages delivered per second")
    parser.add_argument("--drain", type=float, default=60.0, help="seconds allowed to store the rest")
    parser.add_argument("--restart-down", type=float, default=3.0, help="seconds Dovecot stays down")
    parser.add_argument("--database-url", help="default: a SQLite file in the run's temp dir")
    parser.add_argument("--warmup", type=float, default=15.0, help="seconds before the RSS baseline")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (log, database) on success")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="harvester-soak-"))
    database_url = args.database_url or f"sqlite:///{root / 'harvester.db'}"
    server = DovecotServer(ssl=False)
    server.start()
    user, password = "soak", "soak-Hemligt-1"
    server.add_user(user, password)
    config = write_soak_config(root, server, user, database_url)
    mark = os.urandom(8).hex()
    env = {
        **os.environ,
        PASSWORD_ENV: password,
        "HARVESTER_SUPPRESSION_KEY": "soak-suppression-key-0123456789",
        _MARK: mark,
    }
    env.pop("HARVESTER_TEST_CRASH_AFTER", None)
    subprocess.run(
        [sys.executable, "-m", "harvester", "--config", str(config), "init"],
        env=env,
        check=True,
        capture_output=True,
    )
    log_path = root / "daemon.log"
    failures: list[str] = []
    with log_path.open("wb") as log:
        daemon = subprocess.Popen(
            [sys.executable, "-m", "harvester", "--config", str(config), "run"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deliverer = Deliverer(server, user, args.rate)
        started = time.monotonic()
        deliverer.start()
        restarts_at = [args.seconds / 3, 2 * args.seconds / 3]
        rss_start = tree_start = 0
        samples: list[tuple[float, int, int]] = []
        while time.monotonic() - started < args.seconds and daemon.poll() is None:
            now = time.monotonic() - started
            if restarts_at and now >= restarts_at[0]:
                restarts_at.pop(0)
                print(f"[{now:6.1f}s] restarting Dovecot ({args.restart_down:.0f}s down)", flush=True)
                server.stop_process()
                time.sleep(args.restart_down)
                server.start()
            main_rss, tree_rss = rss_kb(daemon.pid), tree_rss_kb(mark)
            if not rss_start and now >= args.warmup and stored(database_url) > 0:
                rss_start, tree_start = main_rss, tree_rss
            samples.append((now, main_rss, tree_rss))
            time.sleep(1.0)
        deliverer.stop.set()
        deliverer.join()
        delivered = deliverer.delivered
        drain_deadline = time.monotonic() + args.drain
        while (
            time.monotonic() < drain_deadline and daemon.poll() is None and stored(database_url) < delivered
        ):
            time.sleep(1.0)
        drained_in = args.drain - max(0.0, drain_deadline - time.monotonic())
        rss_end, tree_end = rss_kb(daemon.pid), tree_rss_kb(mark)
        if daemon.poll() is not None:
            failures.append(f"the daemon died during the run (exit {daemon.returncode})")
        else:
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(timeout=30)
            except subprocess.TimeoutExpired:
                daemon.kill()
                failures.append("the daemon did not stop within 30 s of SIGTERM")
    final_stored = stored(database_url)
    state = status(config, env)
    server.stop()
    text = log_path.read_text(errors="replace")
    error_lines = [line for line in text.splitlines() if "level=ERROR" in line or " ERROR " in line]
    tracebacks = text.count("Traceback")
    retries = sum(1 for line in text.splitlines() if "level=WARNING" in line and "retry" in line)
    poll_errors = sum(int(a.get("errors", 0)) for a in state.get("accounts", []))  # type: ignore[union-attr]

    growth = (rss_end - rss_start) / rss_start if rss_start else 0.0
    tree_growth = (tree_end - tree_start) / tree_start if tree_start else 0.0
    print(f"duration            {args.seconds:.0f} s delivery at {args.rate:g}/s, 2 Dovecot restarts")
    print(f"delivered           {delivered}")
    print(f"stored              {final_stored}   (drain took {drained_in:.1f} s)")
    print(f"poll errors         {poll_errors}   (status --json, counted per failed poll/folder)")
    print(f"ERROR log lines     {len(error_lines)}")
    print(f"reconnect retries   {retries}   (WARNING lines: Dovecot was down)")
    print(f"tracebacks          {tracebacks}")
    print(f"daemon exit         {daemon.returncode}")
    print(f"RSS main start/end  {rss_start / 1024:.1f} MB -> {rss_end / 1024:.1f} MB ({growth:+.1%})")
    print(f"RSS tree start/end  {tree_start / 1024:.1f} MB -> {tree_end / 1024:.1f} MB ({tree_growth:+.1%})")
    if samples:
        peak = max(s[1] for s in samples)
        print(f"RSS main peak       {peak / 1024:.1f} MB over {len(samples)} samples")
    for line in error_lines[:10]:
        print(f"  {line}")
    print(f"daemon log          {log_path}" if failures or args.keep or final_stored != delivered else "")
    if final_stored != delivered:
        failures.append(f"delivered {delivered} but stored {final_stored}")
    if not rss_start:
        failures.append("the daemon never stored a batch (no RSS baseline)")
    elif growth > 0.10:
        failures.append(f"main RSS grew {growth:.1%} (> 10%)")
    if tracebacks:
        failures.append(f"{tracebacks} traceback(s) in the daemon log")
    for failure in failures:
        print(f"FAIL: {failure}")
    if not failures and not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
