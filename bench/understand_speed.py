"""Messages per second of `understand()` on one core, on the messages `sync_speed.py` stores.

Usage: python bench/understand_speed.py [N=2000]

`bench/sync_speed.py` reaches its target (a full sync at >= 0.5 of the raw IMAP
fetch rate) only if understanding keeps up; its messages are long (~15 KB,
Swedish/English prose, a signature with a phone, every fifth with a base64
attachment), unlike `inspect_speed.py`'s short replies. This times `understand()`
alone over `sync_speed.generate(N)` held in memory, so the CPU cost per message
can be followed without a Dovecot. No timing assertions live in tests.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.sync_speed import generate
from harvester.understand import understand


def main(argv: list[str]) -> None:
    n = int(argv[1]) if len(argv) > 1 else 2000
    messages = list(generate(n))
    understand(messages[0])  # warm caches: lexicon load, regex compile, lazy imports
    start = time.perf_counter()
    cpu_start = time.process_time()
    for data in messages:
        understand(data)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    size = sum(len(m) for m in messages) / n
    print(f"messages: {n}  avg size: {size:.0f} B")
    print(f"understand(): {n / elapsed:,.0f} msgs/s on one core ({elapsed * 1000 / n:.2f} ms/msg)")
    print(f"  by CPU time: {n / cpu:,.0f} msgs/s ({cpu * 1000 / n:.2f} ms/msg)")


if __name__ == "__main__":
    main(sys.argv)
