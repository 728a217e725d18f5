"""Retention speed: plan and run over 100 000 generated messages in SQLite (target: plan < 5 s).

Generates projects (open, closed long ago, closed recently, held), threads linked to
them or to nothing, messages with participants, locations and contact evidence, all by
bulk insert; then times `plan`, `run_due` and a second `plan`, and prints the figures.
Also times incremental JWZ threading (`assign_thread`) for a few thousand messages.

    python bench/retention_speed.py [--messages 100000] [--db /tmp/retention-bench.db]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import tempfile
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from harvester.retention_policy import load_policy
from store.db import make_engine, make_sessionmaker, upgrade
from store.models import (
    Contact,
    ContactEvidence,
    ContactKey,
    Message,
    MessageLocation,
    MessageParticipant,
    Project,
    Thread,
    ThreadContainer,
)
from store.retention import plan, run_due
from store.threads import assign_thread

TODAY = date(2026, 11, 23)
START = datetime(2023, 1, 1, tzinfo=UTC)


def _generate(session: Session, n_messages: int, rng: random.Random) -> dict[str, int]:
    n_threads = n_messages // 5
    n_projects = 200
    n_contacts = 5000
    projects: list[dict[str, Any]] = []
    for i in range(n_projects):
        state = rng.choice(["open", "closed_old", "closed_recent"])
        closed = {
            "open": None,
            "closed_old": date(2024, 1, 1) + timedelta(days=rng.randrange(300)),
            "closed_recent": TODAY - timedelta(days=rng.randrange(200)),
        }[state]
        projects.append(
            {
                "id": i + 1,
                "code": f"PR-2024-{i:03d}",
                "name": f"Projekt {i}",
                "kind": "support" if i % 10 == 0 else "project",
                "state": "open" if closed is None else "closed",
                "closed_on": closed,
                "legal_hold": i % 50 == 0,
            }
        )
    session.execute(insert(Project), projects)
    contacts = [
        {
            "id": i + 1,
            "status": "active",
            "legal_basis": "legitimate_interest",
            "legal_hold": i % 1000 == 0,
            "last_exchange_at": START + timedelta(days=rng.randrange(1400)),
        }
        for i in range(n_contacts)
    ]
    session.execute(insert(Contact), contacts)
    emails = [f"person{i}@redaktion{i % 97}.example" for i in range(n_contacts)]
    session.execute(
        insert(ContactKey), [{"contact_id": i + 1, "kind": "email", "value": e} for i, e in enumerate(emails)]
    )
    threads, messages, participants, locations, containers, evidence = [], [], [], [], [], []
    message_pk = 0
    for t in range(n_threads):
        first = START + timedelta(days=rng.randrange(1400))
        linked = rng.random() < 0.6
        threads.append(
            {
                "id": t + 1,
                "subject": f"Ärende {t}",
                "subject_key": f"ärende {t}",
                "root_message_id": f"<t{t}m0@bench.example>",
                "project_id": rng.randrange(n_projects) + 1 if linked else None,
                "link_source": "rule" if linked else None,
                "last_message_at": first,
            }
        )
        for m in range(5):
            message_pk += 1
            mid = f"<t{t}m{m}@bench.example>"
            sent = first + timedelta(hours=m)
            threads[-1]["last_message_at"] = sent
            messages.append(
                {
                    "id": message_pk,
                    "message_id": mid,
                    "kind": "personal",
                    "content_hash": hashlib.sha256(mid.encode()).hexdigest(),
                    "subject": f"Re: Ärende {t}" if m else f"Ärende {t}",
                    "sent_at": sent,
                    "in_reply_to": f"<t{t}m{m - 1}@bench.example>" if m else None,
                    "references": json.dumps([f"<t{t}m{k}@bench.example>" for k in range(m)]) or None,
                    "thread_id": t + 1,
                }
            )
            containers.append(
                {
                    "message_id": mid,
                    "thread_id": t + 1,
                    "message_pk": message_pk,
                    "parent_message_id": f"<t{t}m{m - 1}@bench.example>" if m else None,
                }
            )
            contact = rng.randrange(n_contacts)
            participants.append({"message_pk": message_pk, "role": "from", "email": emails[contact]})
            participants.append({"message_pk": message_pk, "role": "to", "email": "karin@pr-byran.example"})
            locations.append(
                {
                    "message_pk": message_pk,
                    "account": "karin",
                    "folder": "INBOX",
                    "uidvalidity": 1,
                    "uid": message_pk,
                }
            )
            if m == 0:
                evidence.append(
                    {
                        "contact_id": contact + 1,
                        "field": "name",
                        "value": json.dumps(f"Person {contact}"),
                        "source": "signature",
                        "rank": 60,
                        "message_id": mid,
                        "seen_at": sent,
                    }
                )
    for rows, model in (
        (threads, Thread),
        (messages, Message),
        (participants, MessageParticipant),
        (locations, MessageLocation),
        (containers, ThreadContainer),
        (evidence, ContactEvidence),
    ):
        for start in range(0, len(rows), 20_000):
            session.execute(insert(model), rows[start : start + 20_000])
    return {
        "projects": n_projects,
        "threads": n_threads,
        "messages": len(messages),
        "contacts": n_contacts,
        "evidence": len(evidence),
    }


def _jwz(db: Path, n: int) -> float:
    """Incremental threading of `n` messages arriving in shuffled order (replies before parents)."""
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    rng = random.Random(7)
    specs = []
    for t in range(n // 5):
        for m in range(5):
            specs.append((t, m))
    rng.shuffle(specs)
    with make_sessionmaker(engine)() as session:
        began = time.perf_counter()
        for t, m in specs:
            mid = f"<j{t}m{m}@bench.example>"
            message = Message(
                message_id=mid,
                content_hash=hashlib.sha256(mid.encode()).hexdigest(),
                kind="personal",
                subject=f"Re: J {t}",
                sent_at=START + timedelta(hours=m),
                in_reply_to=f"<j{t}m{m - 1}@bench.example>" if m else None,
                references=json.dumps([f"<j{t}m{k}@bench.example>" for k in range(m)]) if m else None,
            )
            session.add(message)
            session.flush()
            assign_thread(session, message)
        session.commit()
        elapsed = time.perf_counter() - began
        threads = session.scalar(select(func.count()).select_from(Thread))
    engine.dispose()
    assert threads == n // 5, threads
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--jwz", type=int, default=5_000, help="messages to thread incrementally")
    parser.add_argument("--db", type=Path, default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="retention-bench-"))
    db = args.db or folder / "bench.db"
    db.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    policy = load_policy(unlinked_threads=timedelta(days=180), inactive_contacts=timedelta(days=730))
    began = time.perf_counter()
    with sessions.begin() as session:
        sizes = _generate(session, args.messages, random.Random(2026))
    generated = time.perf_counter() - began
    print(f"generated {sizes} in {generated:.1f} s  (db {db})")

    with sessions() as session:
        began = time.perf_counter()
        items = plan(session, policy, today=TODAY)
        planned = time.perf_counter() - began
    due = [i for i in items if i.due_on <= TODAY]
    print(f"plan: {len(items)} items ({len(due)} due now) in {planned:.2f} s  [target < 5 s]")
    for (rule, what), n in sorted(Counter((i.rule, i.what) for i in due).items()):
        print(f"  due now  {rule:<24} {what:<8} {n}")

    with sessions.begin() as session:
        began = time.perf_counter()
        done = run_due(session, policy, today=TODAY, actor="bench")
        ran = time.perf_counter() - began
    with sessions() as session:
        left = {
            m.__name__: session.scalar(select(func.count()).select_from(m))
            for m in (Thread, Message, MessageParticipant, Contact, ContactEvidence)
        }
        began = time.perf_counter()
        again = plan(session, policy, today=TODAY)
        replanned = time.perf_counter() - began
    print(f"run: deleted {len(done)} items in {ran:.2f} s (before commit); left {left}")
    still_due = sum(1 for i in again if i.due_on <= TODAY)
    print(f"plan after run: {len(again)} items, {still_due} due, {replanned:.2f} s")
    engine.dispose()

    jwz = _jwz(folder / "jwz.db", args.jwz)
    print(f"JWZ assign_thread: {args.jwz} shuffled messages in {jwz:.2f} s ({args.jwz / jwz:.0f} msgs/s)")


if __name__ == "__main__":
    main()
