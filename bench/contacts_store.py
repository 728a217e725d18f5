"""How fast the store applies understood messages to contacts (SQLite file, one core).

Prints messages per second for 2,000 hand-built messages from 200 invented people
(signature with title, organisation, mobile, coverage), applied in batches of 500
through the real Pipeline; the understanding stage is not measured here.

    python bench/contacts_store.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from store.db import make_engine, make_sessionmaker, upgrade
from tests.contact_samples import Person, day, feed, mail


def main() -> None:
    people = [
        Person(
            f"Person {n}", f"person{n}@dagbladet.example", f"+4670174{n:04d}", "070-174 06 05", "Dagbladet"
        )
        for n in range(200)
    ]
    mails = [
        mail(
            people[i % 200],
            mid=f"b{i}@dagbladet.example",
            date=day(1 + i % 12, 1 + i % 28),
            title="Reporter" if i % 3 else "Kulturredaktör",
            coverage=["film"],
        )
        for i in range(2000)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        upgrade(engine)
        sessions = make_sessionmaker(engine)
        start = time.perf_counter()
        for i in range(0, len(mails), 500):
            feed(sessions, *mails[i : i + 500])
        elapsed = time.perf_counter() - start
    print(
        f"{len(mails)} messages, {len(people)} people: {len(mails) / elapsed:,.0f} msgs/s ({elapsed:.2f} s)"
    )


if __name__ == "__main__":
    main()
