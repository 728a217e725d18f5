"""Dump what `understand()` says about a fixed corpus, to prove a speed-up changes nothing.

Usage:
    python bench/understand_identity.py dump OUT.jsonl [--sync N=5000] [--inspect N=2000]
    python bench/understand_identity.py compare A.jsonl B.jsonl

`dump` writes one JSON line per message: every .eml under tests/fixtures/ and
examples/mail/, N messages of `sync_speed.generate` and N of `inspect_speed.generate`.
Each line is `Understanding.to_json()` (what `harvester inspect --json` prints) plus
the fields it leaves out (the redacted body, the envelope, the defects), so a change
anywhere in the result shows. `compare` prints the first differing lines and exits 1
when the files differ. Record a dump before an optimisation and compare after it.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _corpus(sync: int, inspect: int) -> Iterator[tuple[str, bytes]]:
    for base in (ROOT / "tests" / "fixtures", ROOT / "examples" / "mail"):
        for path in sorted(base.rglob("*.eml")):
            yield str(path.relative_to(ROOT)), path.read_bytes()
    from bench.sync_speed import generate as sync_generate

    for n, data in enumerate(sync_generate(sync)):
        yield f"sync:{n}", data
    from bench.inspect_speed import generate as inspect_generate

    random.seed(0)  # its Message-IDs come from the module-level generator
    for n, data in enumerate(inspect_generate(inspect)):
        yield f"inspect:{n}", data


def _line(name: str, data: bytes) -> str:
    from harvester.understand import understand

    result = understand(data)
    record = result.to_json()
    record["path"] = name
    record["body"] = result.body
    record["defects"] = result.defects
    record["envelope"] = asdict(result.envelope)
    record["redactions_all"] = [asdict(r) for r in result.redactions]
    return json.dumps(record, ensure_ascii=False, default=str, sort_keys=True)


def dump(out: Path, sync: int, inspect: int) -> None:
    count = 0
    with out.open("w", encoding="utf-8") as handle:
        for name, data in _corpus(sync, inspect):
            handle.write(_line(name, data) + "\n")
            count += 1
    print(f"{count} messages written to {out}")


def compare(a: Path, b: Path) -> int:
    left = a.read_text(encoding="utf-8").splitlines()
    right = b.read_text(encoding="utf-8").splitlines()
    differ = [i for i, (x, y) in enumerate(zip(left, right, strict=False)) if x != y]
    if len(left) != len(right):
        print(f"line counts differ: {len(left)} vs {len(right)}")
    for i in differ[:5]:
        print(f"line {i + 1} differs:\n- {left[i][:2000]}\n+ {right[i][:2000]}")
    if differ or len(left) != len(right):
        print(f"{len(differ)} differing lines")
        return 1
    print(f"identical: {len(left)} messages")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("out", type=Path)
    d.add_argument("--sync", type=int, default=5000)
    d.add_argument("--inspect", type=int, default=2000)
    c = sub.add_parser("compare")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = parser.parse_args(argv)
    if args.command == "dump":
        dump(args.out, args.sync, args.inspect)
        return 0
    return compare(args.a, args.b)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
