"""How fast a CSV member list is imported (SQLite file, one core, one transaction).

Generates 10 000 invented members (name, e-mail, a phone from the ranges PTS keeps
for fiction: mobiles for the first 95, fixed lines after; organisation, a tag on
every fifth row, a note on every tenth), then times reading + checking the CSV, a
dry run, and the real import, and prints rows/s.

    python bench/import_speed.py [ROWS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from store.db import make_engine, make_sessionmaker, session_scope, upgrade
from store.importer import import_rows, read_csv
from store.purposes import load_purposes
from store.suppression import Suppressor


def _csv(path: Path, rows: int) -> None:
    lines = ["email;name;phone;organization;tags;note"]
    for n in range(rows):
        # Fictional ranges (PTS). A mobile identifies a person (two rows with one mobile are one
        # contact), and the mobile range has only 95 numbers: the first 95 rows get one, the
        # rest a fixed line from 08-465 004 00..99 or 031-390 06 00..99 (not keys, shared freely).
        if n < 95:
            phone = f"070-174 06 {5 + n:02d}"
        else:
            phone = f"08-465 004 {n % 100:02d}" if n % 2 else f"031-390 06 {n % 100:02d}"
        tags = "Årsmöte 2025" if n % 5 == 0 else ""
        note = "Betalt avgift 2025" if n % 10 == 0 else ""
        lines.append(f"medlem{n}@forbundet.example;Medlem {n};{phone};Förening {n % 40};{tags};{note}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    rules = load_purposes()
    suppressor = Suppressor(b"bench-suppression-key-0123456789")
    with tempfile.TemporaryDirectory() as tmp:
        csv_file = Path(tmp) / "members.csv"
        _csv(csv_file, rows)
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        sessions = make_sessionmaker(engine)

        start = time.perf_counter()
        parsed, problems = read_csv(csv_file)
        parse_s = time.perf_counter() - start
        assert not problems, problems[:3]

        timings = {}
        for dry_run in (True, False):
            start = time.perf_counter()
            with session_scope(sessions) as session:
                report = import_rows(
                    session,
                    parsed,
                    problems,
                    purpose="member",
                    rules=rules,
                    suppressor=suppressor,
                    actor="bench",
                    dry_run=dry_run,
                )
            timings[dry_run] = time.perf_counter() - start
            assert report.created == rows and not report.rejected
        engine.dispose()
    print(f"rows:                  {rows}")
    print(f"read + check CSV:      {parse_s:6.2f} s  {rows / parse_s:8.0f} rows/s")
    print(f"dry run (look-ups):    {timings[True]:6.2f} s  {rows / timings[True]:8.0f} rows/s")
    print(f"import (one txn):      {timings[False]:6.2f} s  {rows / timings[False]:8.0f} rows/s")
    total = parse_s + timings[False]
    print(f"whole import:          {total:6.2f} s  {rows / total:8.0f} rows/s")


if __name__ == "__main__":
    main()
