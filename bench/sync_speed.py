"""How fast harvester reads a mailbox, against the floor of what IMAP itself allows.

Loads N generated messages (~15 KB on average, invented Swedish press mail) into a
throwaway Dovecot by writing Maildir files, then times, on the same warmed-up folder:

- floor:  imapclient, UID FETCH BODY.PEEK[] in batches of 500, parsing nothing;
- poll:   `ImapSource.poll` alone (connect, EXAMINE, UID SEARCH, FETCH BODY.PEEK[] FLAGS
          RFC822.SIZE, RawMessage per message), nothing stored;
- repoll: `ImapSource.poll` again with the cursors of the first poll (unchanged mailbox);
- sync:   harvester's full sync (`harvester.sync.sync_account`: poll, understand in worker
          processes, store in SQLite with the cursor), then a re-sync of the unchanged mailbox.

It prints msgs/s and MB/s, the poll/floor and sync/floor ratios (target sync/floor >= 0.5),
and peak RSS of this process and of its worker processes.

Run as root (the Dovecot fixture needs it): `python bench/sync_speed.py --messages 10000`.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import imapclient

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harvester.config import AccountConfig
from harvester.pipeline import Pipeline, default_workers
from harvester.sources.imap import Cursor, ImapSource
from harvester.sync import sync_account
from store.contacts import ContactPolicy
from store.db import make_engine, make_sessionmaker, upgrade
from store.suppression import Suppressor
from tests.dovecot import DovecotServer

_WORDS = (
    "pressmeddelande kommunen projektet lansering tidningen redaktionen intervju "
    "möjlighet vecka fredag medlemmar styrelsen kampanj budget rapport uppföljning "
    "hälsningar tack för senast bifogar underlag kommentar deadline publicering "
    "the and report launch interview schedule attached regards"
).split()
_NAMES = ["Karin Berg", "Erik Lind", "Anna Holm", "Lars Ek", "Maja Sund", "Olof Dahl"]
_DOMAINS = ["dagbladet.example", "sr.example", "kommun.example", "example.org"]


def generate(count: int, *, seed: int = 1) -> Iterator[bytes]:
    """`count` invented messages, body sizes spread around 15 KB, some with a base64 part."""
    rng = random.Random(seed)
    for n in range(count):
        name = rng.choice(_NAMES)
        domain = rng.choice(_DOMAINS)
        address = name.lower().replace(" ", ".") + "@" + domain
        target = int(rng.lognormvariate(9.35, 0.6))  # median ~11.5 KB, mean ~14-15 KB
        words: list[str] = []
        size = 0
        while size < target:
            word = rng.choice(_WORDS)
            words.append(word)
            size += len(word) + 1
        lines = [" ".join(words[i : i + 12]) for i in range(0, len(words), 12)]
        text = "\r\n".join(lines)
        signature = f"Med vänliga hälsningar\r\n{name}\r\nReporter, {domain}\r\n070-174 06 {n % 90 + 10}"
        headers = (
            f"From: {name} <{address}>\r\n"
            f"To: Erik Lind <erik@pr-byran.example>\r\n"
            f"Subject: Angående pressmeddelande {n}\r\n"
            f"Message-ID: <bench-{n}@{domain}>\r\n"
            f"Date: Mon, 23 Nov 2026 10:{n % 60:02d}:00 +0100\r\n"
            f"MIME-Version: 1.0\r\n"
        )
        body = f"Hej Erik,\r\n\r\n{text}\r\n\r\n{signature}\r\n"
        if n % 5 == 0:
            attachment = rng.randbytes(target // 4).hex()
            wrapped = "\r\n".join(attachment[i : i + 76] for i in range(0, len(attachment), 76))
            message = (
                headers + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
                "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n"
                "Content-Transfer-Encoding: 8bit\r\n\r\n"
                f"{body}\r\n--b1\r\nContent-Type: application/octet-stream\r\n"
                "Content-Transfer-Encoding: base64\r\n\r\n"
                f"{wrapped}\r\n--b1--\r\n"
            )
        else:
            message = (
                headers + "Content-Type: text/plain; charset=utf-8\r\n"
                "Content-Transfer-Encoding: 8bit\r\n\r\n" + body
            )
        yield message.encode("utf-8")


def floor(server: DovecotServer, user: str, password: str, batch: int) -> tuple[int, int]:
    """imapclient alone: BODY.PEEK[] of every message, parsing nothing. (messages, bytes)"""
    client = imapclient.IMAPClient(server.host, server.port, ssl=False, timeout=60)
    client.login(user, password)
    client.select_folder("INBOX", readonly=True)
    uids = client.search(["ALL"])
    count = total = 0
    for start in range(0, len(uids), batch):
        response = client.fetch(uids[start : start + batch], ["BODY.PEEK[]"])
        for item in response.values():
            count += 1
            total += len(item[b"BODY[]"])
    client.logout()
    return count, total


def poll(source: ImapSource, cursors: dict[str, Cursor]) -> tuple[int, int]:
    """ImapSource alone, advancing the cursors as a consumer would. (messages, bytes)"""
    count = total = 0
    for batch in source.poll(cursors):
        count += len(batch.messages)
        total += sum(len(message.data) for message in batch.messages)
        cursors[batch.folder] = batch.cursor
    return count, total


def _rate(label: str, count: int, total: int, seconds: float) -> float:
    rate = count / seconds if seconds else float("inf")
    print(
        f"{label:<10} {count:>8} msgs  {seconds:8.2f} s  {rate:9.0f} msgs/s  "
        f"{total / seconds / 1e6 if seconds else 0:7.1f} MB/s"
    )
    return rate


def _workers_peak_mb(pipeline: Pipeline) -> float:
    """Peak RSS (VmHWM) of the understanding workers: forkserver children are not ours to wait for."""
    pool = pipeline._pool
    peak = 0.0
    for pid in list(getattr(pool, "_processes", {}) or {}):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]) / 1024)
        except OSError:
            continue
    return peak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=0, help="understanding processes (0: one per core)")
    args = parser.parse_args(argv)

    server = DovecotServer(ssl=False)
    try:
        server.start()
        user, password = "bench", "bench-Hemligt"
        server.add_user(user, password)
        started = time.perf_counter()
        loaded = 0
        for data in generate(args.messages, seed=args.seed):
            server.deliver(user, "INBOX", data)
            loaded += len(data)
        print(
            f"loaded     {args.messages:>8} msgs  {time.perf_counter() - started:8.2f} s  "
            f"avg {loaded / max(1, args.messages) / 1024:.1f} KB"
        )
        # Warm-up: Dovecot assigns UIDs and builds its index on the first EXAMINE.
        started = time.perf_counter()
        warm = imapclient.IMAPClient(server.host, server.port, ssl=False, timeout=600)
        warm.login(user, password)
        warm.select_folder("INBOX", readonly=True)
        warm.logout()
        print(f"index      {'':>8}       {time.perf_counter() - started:8.2f} s  (first EXAMINE)")

        secret = server.root / "bench.password"
        secret.write_text(password)
        account = AccountConfig(
            name="bench",
            host=server.host,
            port=server.port,
            user=user,
            tls=False,
            password_file=secret,
            folders=("INBOX",),
            batch_size=args.batch_size,
        )
        source = ImapSource(account)
        # Alternate the two and keep each one's best round, so neither profits from going second.
        floor_rate = poll_rate = 0.0
        cursors: dict[str, Cursor] = {}
        for round_ in range(1, args.rounds + 1):
            started = time.perf_counter()
            count, total = floor(server, user, password, args.batch_size)
            rate = _rate(f"floor #{round_}", count, total, time.perf_counter() - started)
            floor_rate = max(floor_rate, rate)

            cursors = {}
            started = time.perf_counter()
            count, total = poll(source, cursors)
            rate = _rate(f"poll #{round_}", count, total, time.perf_counter() - started)
            poll_rate = max(poll_rate, rate)

        started = time.perf_counter()
        count, _ = poll(source, cursors)
        print(f"repoll     {count:>8} msgs  {time.perf_counter() - started:8.2f} s  (unchanged)")

        print(f"ratio      poll/floor = {poll_rate / floor_rate:.2f} (best rounds)")

        engine = make_engine(f"sqlite:///{server.root / 'bench.db'}")
        upgrade(engine)
        policy = ContactPolicy(
            legal_basis="legitimate_interest", suppressor=Suppressor(b"bench-key-0123456789"), actor="bench"
        )
        workers = args.workers or default_workers()
        with Pipeline(
            make_sessionmaker(engine),
            own_domains=["pr-byran.example"],
            contact_policy=policy,
            workers=workers,
        ) as pipeline:
            started = time.perf_counter()
            result = sync_account(account, pipeline=pipeline)
            seconds = time.perf_counter() - started
            sync_rate = _rate("sync", result.report.messages, loaded, seconds)
            workers_peak = _workers_peak_mb(pipeline)
            started = time.perf_counter()
            again = sync_account(account, pipeline=pipeline)
            print(
                f"resync     {again.report.messages:>8} msgs  {time.perf_counter() - started:8.2f} s  "
                "(unchanged mailbox, full pipeline)"
            )
        print(f"ratio      sync/floor = {sync_rate / floor_rate:.2f} (target >= 0.5; {workers} workers)")
        print(f"stored     {result.report.stored} messages, {result.report.errors} errors")
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"peak RSS   {peak:.0f} MB (this process, generation included); "
            f"largest worker {workers_peak:.0f} MB"
        )
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
