"""How fast the store side of the pipeline applies understood messages (issue 6).

Generates N messages with `bench.sync_speed.generate`, wraps them as RawMessage with IMAP
origins, understands them once (not timed), then times `Pipeline._store` in batches of 500
(one transaction each, with an IMAP cursor) on a fresh SQLite file, and on PostgreSQL when
--database-url is given (a throwaway schema, dropped after). Prints msgs/s and SQL
statements per message (counted with a `before_cursor_execute` event; an executemany is one),
and msgs per CPU second of this process (steadier than wall time on a busy machine; for
SQLite it is all the work, for PostgreSQL the server's share is not in it).

    python bench/store_speed.py --messages 5000 [--database-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import pickle
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sync_speed import generate
from harvester.pipeline import Pipeline, safe_understand
from harvester.sources.raw import Origin, OriginKind, RawMessage
from harvester.understand.types import Understanding
from store.contacts import ContactPolicy
from store.cursors import CursorUpdate
from store.db import make_engine, make_sessionmaker, upgrade
from store.suppression import Suppressor

OWN = ("pr-byran.example",)


def _raws(count: int, seed: int) -> list[RawMessage]:
    return [
        RawMessage(
            data,
            Origin(OriginKind.IMAP, account="bench", folder="INBOX", uidvalidity=7, uid=n + 1),
        )
        for n, data in enumerate(generate(count, seed=seed))
    ]


def _run(
    engine: Engine, label: str, raws: list[RawMessage], understood: list[Understanding], batch: int
) -> None:
    upgrade(engine)
    statements = 0

    def count(*_args: Any) -> None:
        nonlocal statements
        statements += 1

    policy = ContactPolicy(
        legal_basis="legitimate_interest", suppressor=Suppressor(b"bench-key-0123456789"), actor="bench"
    )
    pipeline = Pipeline(make_sessionmaker(engine), own_domains=OWN, contact_policy=policy)
    event.listen(engine, "before_cursor_execute", count)
    stored = errors = 0
    started, cpu = time.perf_counter(), time.process_time()
    for start in range(0, len(raws), batch):
        chunk = raws[start : start + batch]
        by_id = {id(r): u for r, u in zip(chunk, understood[start : start + batch], strict=True)}
        cursor = CursorUpdate(
            account="bench",
            folder="INBOX",
            uidvalidity=7,
            last_uid=chunk[-1].origin.uid or 0,
            messages=len(chunk),
        )
        report = pipeline._store(chunk, by_id, cursor, isolate=False)
        stored += report.stored
        errors += report.errors
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    event.remove(engine, "before_cursor_execute", count)
    print(
        f"{label:<10} {len(raws):>7} msgs  {seconds:7.2f} s  {len(raws) / seconds:8.0f} msgs/s  "
        f"{statements / len(raws):6.1f} statements/msg  (stored {stored}, errors {errors}; "
        f"{len(raws) / cpu:.0f} msgs per CPU second of this process)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", help="also run on this PostgreSQL (in a throwaway schema)")
    parser.add_argument("--cache", type=Path, help="keep the understood messages in this pickle file")
    args = parser.parse_args(argv)

    raws = _raws(args.messages, args.seed)
    started = time.perf_counter()
    if args.cache and args.cache.exists():
        understood = pickle.loads(args.cache.read_bytes())
    else:
        understood = [safe_understand(raw, own_domains=OWN) for raw in raws]
        if args.cache:
            args.cache.write_bytes(pickle.dumps(understood))
    if len(understood) != len(raws):
        parser.error(f"{args.cache} holds another number of messages")
    print(f"understood {len(raws):>7} msgs  {time.perf_counter() - started:7.2f} s  (not timed below)")

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        try:
            _run(engine, "sqlite", raws, understood, args.batch_size)
        finally:
            engine.dispose()

    if args.database_url:
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        admin = create_engine(args.database_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        sep = "&" if "?" in args.database_url else "?"
        engine = make_engine(f"{args.database_url}{sep}options={quote(f'-csearch_path={schema}')}")
        try:
            _run(engine, "postgresql", raws, understood, args.batch_size)
        finally:
            engine.dispose()
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
