"""Understanding → store: the one path every message takes, from IMAP or from files.

Understanding is pure and runs before the transaction; storing a batch (messages,
threads, contacts and the IMAP cursor that covers them) is ONE transaction, so a
crash at any point leaves nothing half-written and nothing skipped. A batch is
stored without savepoints; if a message fails, the batch is replayed with one
savepoint per message, so the bad one is logged by id and counted and the rest
lands. `Pipeline.stream` overlaps reading and understanding the next batch (worker
processes) with storing the current one (this process).
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from harvester.project_rules import load_project_rules
from harvester.sources.raw import RawMessage
from harvester.understand import understand
from harvester.understand.types import Understanding
from store import contacts, cursors, messages, optouts, projects, retention, rights, threads
from store.batch import BatchContext
from store.db import session_scope
from store.models import Contact, Message, Thread, utcnow

__all__ = ["BatchReport", "PendingBatch", "Pipeline", "safe_understand"]

T = TypeVar("T")

log = logging.getLogger(__name__)

#: Test hook (tests/robustness/test_crash_*.py): the process SIGKILLs itself when it is about to
#: store its N-th message, inside the open transaction. Unset (the default), it does nothing.
_CRASH_AFTER = int(os.environ.get("HARVESTER_TEST_CRASH_AFTER") or 0)
_applied = 0


def _test_crash_point() -> None:
    global _applied
    _applied += 1
    if _applied == _CRASH_AFTER:
        os.kill(os.getpid(), signal.SIGKILL)


def safe_understand(
    raw: RawMessage, *, own_domains: Iterable[str], rules_dir: Path | None = None
) -> Understanding:
    """`understand()` that cannot take a poll down: a bug is logged by id, the message kept as bulk."""
    return _safe_understand(
        raw.data, raw.origin.path, raw.origin.label(), own_domains=own_domains, rules_dir=rules_dir
    )


def _safe_understand(
    data: bytes, path: str | None, label: str, *, own_domains: Iterable[str], rules_dir: Path | None
) -> Understanding:
    try:
        return understand(data, path=path, own_domains=own_domains, rules_dir=rules_dir)
    except Exception as exc:
        log.error("understand failed for %s: %s", label, type(exc).__name__)
        from harvester.understand.types import Envelope, Kind

        return Understanding(
            kind=Kind.BULK,
            envelope=Envelope(),
            path=path,
            defects=[f"understand:{type(exc).__name__}"],
        )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while one batch is stored, back on (as it was) after.

    A batch makes tens of thousands of objects (rows, session state) that all live until
    its transaction ends, so every collection it triggers walks the whole heap and frees
    nothing: about a quarter of the store's CPU. What the batch leaves behind is
    collected as usual once the collector is back on.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _watch_parent(parent: int) -> None:
    """In a worker: exit when the harvester process that owns the pool is gone.

    After a kill -9 nothing tells forkserver workers their owner died (they hold the
    forkserver's pipe and their own queue open), so without this they, the forkserver
    and the resource tracker would live on for ever.
    """

    def watch() -> None:
        while True:
            time.sleep(0.25)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:  # pid reused by another user's process: the owner is gone
                os._exit(0)

    threading.Thread(target=watch, name="harvester-parent-watch", daemon=True).start()


#: In a worker: the owning pipeline's own domains and rules folder, set once by `_start_worker`.
_worker_options: tuple[tuple[str, ...], Path | None] = ((), None)


def _start_worker(parent: int, own_domains: tuple[str, ...], rules_dir: Path | None) -> None:
    global _worker_options
    _worker_options = (own_domains, rules_dir)
    _watch_parent(parent)


def _understand_job(job: tuple[bytes, str | None, str]) -> Understanding:
    """In a worker: one message, sent as its bytes, file path and log label only (the least to pickle)."""
    data, path, label = job
    own_domains, rules_dir = _worker_options
    return _safe_understand(data, path, label, own_domains=own_domains, rules_dir=rules_dir)


def _take(
    session: Session,
    raw: RawMessage,
    understood: dict[int, Understanding],
    report: BatchReport,
    *,
    batch: BatchContext | None = None,
) -> Understanding | None:
    """Count one message of a batch; None when its bytes are stored already (then only where
    it was seen is noted). Both store paths, batched and isolated, start each message so."""
    if _CRASH_AFTER:
        _test_crash_point()
    report.messages += 1
    understanding = understood.get(id(raw))
    if understanding is None:
        messages.add_location(session, raw, batch=batch)
        report.duplicates += 1
        return None
    report.kinds[understanding.kind.value] += 1
    return understanding


def default_workers() -> int:
    """Understanding is pure and CPU-bound: one worker process per core, the store stays in this one."""
    return max(1, min(os.cpu_count() or 1, 8))


@dataclass(slots=True)
class BatchReport:
    """What a batch did, in counts only (safe to log and print)."""

    messages: int = 0
    stored: int = 0
    duplicates: int = 0
    errors: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    contacts_touched: set[int] = field(default_factory=set)
    #: People erased because an unsubscribe message asked for `all`.
    erasures: int = 0

    def merge(self, other: BatchReport) -> None:
        self.messages += other.messages
        self.stored += other.stored
        self.duplicates += other.duplicates
        self.errors += other.errors
        self.kinds.update(other.kinds)
        self.contacts_touched |= other.contacts_touched
        self.erasures += other.erasures


@dataclass(slots=True)
class PendingBatch:
    """A batch handed to understanding (`Pipeline.submit`) and not yet stored (`Pipeline.store`)."""

    raws: Sequence[RawMessage]
    #: The messages whose bytes the store does not have yet: only these are understood.
    fresh: list[RawMessage]
    #: Results still coming from the worker pool, or None when they are computed inline at store time.
    started: Iterator[Understanding] | None


class Pipeline:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        own_domains: Iterable[str],
        contact_policy: contacts.ContactPolicy,
        rules_dir: Path | None = None,
        workers: int = 1,
    ) -> None:
        self.sessions = sessions
        self.own_domains = tuple(own_domains)
        # Alternate contacts in our own domains are colleagues, never harvested.
        self.contact_policy = (
            contact_policy
            if contact_policy.own_domains
            else replace(contact_policy, own_domains=self.own_domains)
        )
        self.rules_dir = rules_dir
        self.workers = workers
        #: rules/projects.toml, read once: a bad file stops the pipeline before any mail is read.
        self.project_rules = load_project_rules(rules_dir=rules_dir)
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Pipeline:
        return self

    def __exit__(self, *_exc: Any) -> None:
        self.close()

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(cancel_futures=True)

    def understand(self, raw: RawMessage) -> Understanding:
        return safe_understand(raw, own_domains=self.own_domains, rules_dir=self.rules_dir)

    def _pool_for_understanding(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["harvester.understand"])
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=context,
                initializer=_start_worker,
                initargs=(os.getpid(), self.own_domains, self.rules_dir),
            )
        return self._pool

    def _start_understanding(self, raws: Sequence[RawMessage]) -> Iterator[Understanding] | None:
        """Hand `raws` to the worker pool and return at once, or None when they are better done inline."""
        if self.workers <= 1 or len(raws) < 4 * self.workers:
            return None
        jobs = [(raw.data, raw.origin.path, raw.origin.label()) for raw in raws]
        try:
            return self._pool_for_understanding().map(
                _understand_job, jobs, chunksize=max(1, len(jobs) // (4 * self.workers))
            )
        except BrokenProcessPool:
            log.error("event=pool.broken action=understand_inline messages=%d", len(raws))
            self.close()
            return None

    def _finish_understanding(
        self, raws: Sequence[RawMessage], started: Iterator[Understanding] | None
    ) -> list[Understanding]:
        if started is not None:
            try:
                return list(started)
            except BrokenProcessPool:
                log.error("event=pool.broken action=understand_inline messages=%d", len(raws))
                self.close()
        return [self.understand(raw) for raw in raws]

    def _understand_all(self, raws: Sequence[RawMessage]) -> list[Understanding]:
        """Understand a batch, in worker processes when it is worth it (pure work, no I/O)."""
        return self._finish_understanding(raws, self._start_understanding(raws))

    def _already_stored(self, raws: Sequence[RawMessage]) -> set[str]:
        """Content hashes of this batch the store already has: re-reads skip understanding."""
        hashes = [raw.content_hash for raw in raws]
        with self.sessions() as session:
            return set(session.scalars(select(Message.content_hash).where(Message.content_hash.in_(hashes))))

    def submit(self, raws: Sequence[RawMessage]) -> PendingBatch:
        """Start understanding a batch (in the worker pool when there is one) and return at once."""
        known = self._already_stored(raws) if raws else set()
        fresh = [raw for raw in raws if raw.content_hash not in known]
        return PendingBatch(raws, fresh, self._start_understanding(fresh))

    def store(self, pending: PendingBatch, *, cursor: cursors.CursorUpdate | None = None) -> BatchReport:
        """Wait for a submitted batch's understanding, then store it and advance `cursor` in ONE transaction.

        The batch is first stored without savepoints (fast); if any message fails, the
        transaction is rolled back and the batch stored again with a savepoint per
        message, so the bad one is logged by id and counted and the rest still lands.
        """
        results = self._finish_understanding(pending.fresh, pending.started)
        understood = dict(zip((id(r) for r in pending.fresh), results, strict=True))
        try:
            return self._store(pending.raws, understood, cursor, isolate=False)
        except SQLAlchemyError as exc:
            log.warning(
                "event=batch.retry_isolated messages=%d error=%s", len(pending.raws), type(exc).__name__
            )
            return self._store(pending.raws, understood, cursor, isolate=True)

    def apply_batch(
        self, raws: Sequence[RawMessage], *, cursor: cursors.CursorUpdate | None = None
    ) -> BatchReport:
        """Understand and store one batch, advancing `cursor` in the same transaction."""
        return self.store(self.submit(raws), cursor=cursor)

    def stream(
        self, batches: Iterable[tuple[Sequence[RawMessage], cursors.CursorUpdate | None, T]]
    ) -> Iterator[tuple[T, BatchReport]]:
        """Store `batches` in order while the next one is read and understood (one batch ahead).

        Reading (IMAP, files) and understanding (worker processes) of batch N+1 overlap the
        storing of batch N in this process. Each batch is still stored with its own cursor
        in its own transaction, in order, so a crash or a stop between two yields loses
        nothing: the batch read ahead was not stored, its cursor did not move, and the next
        poll reads it again. `T` is whatever the caller wants back with each report.
        """
        ahead: tuple[PendingBatch, cursors.CursorUpdate | None, T] | None = None
        for raws, cursor, tag in batches:
            submitted = (self.submit(raws), cursor, tag)
            if ahead is not None:
                yield ahead[2], self.store(ahead[0], cursor=ahead[1])
            ahead = submitted
        if ahead is not None:
            yield ahead[2], self.store(ahead[0], cursor=ahead[1])

    def _store(
        self,
        raws: Sequence[RawMessage],
        understood: dict[int, Understanding],
        cursor: cursors.CursorUpdate | None,
        *,
        isolate: bool,
    ) -> BatchReport:
        report = BatchReport()
        with _collector_paused(), session_scope(self.sessions) as session:
            if isolate:
                self._store_isolated(session, raws, understood, report)
            else:
                self._store_batch(session, raws, understood, report)
            if cursor is not None:
                cursors.advance(session, cursor)
        if report.erasures:
            rights.reclaim(self.sessions.kw["bind"])
        return report

    def _store_isolated(
        self,
        session: Session,
        raws: Sequence[RawMessage],
        understood: dict[int, Understanding],
        report: BatchReport,
    ) -> None:
        """One message at a time, each in a savepoint: one that fails is logged by id, the rest lands."""
        for raw in raws:
            understanding = _take(session, raw, understood, report)
            if understanding is None:
                continue
            single = BatchReport()  # merged only if the savepoint holds
            try:
                with session.begin_nested():
                    self._apply_one(session, raw, understanding, single)
                report.merge(single)
                continue
            except SQLAlchemyError as exc:
                log.error(
                    "event=message.not_applied origin=%s error=%s", raw.origin.label(), type(exc).__name__
                )
            # Stored as far as it can be: archived in its thread, with its defect noted, but
            # without what it says about contacts, projects or opt-outs.
            single = BatchReport()
            try:
                with session.begin_nested():
                    self._archive_only(session, raw, understanding, single)
                report.merge(single)
            except SQLAlchemyError as exc:
                report.errors += 1
                log.error(
                    "event=message.not_stored origin=%s error=%s", raw.origin.label(), type(exc).__name__
                )

    def _archive_only(
        self, session: Session, raw: RawMessage, understanding: Understanding, report: BatchReport
    ) -> None:
        archived = replace(understanding, defects=[*understanding.defects, "store:not_applied"])
        message, created = messages.store_message(session, raw, archived)
        if not created:
            report.duplicates += 1
            return
        threads.assign_thread(session, message)
        report.stored += 1
        report.errors += 1

    def _store_batch(
        self,
        session: Session,
        raws: Sequence[RawMessage],
        understood: dict[int, Understanding],
        report: BatchReport,
    ) -> None:
        """The whole batch with its reads done up front and its writes at a few flushes (store/batch.py).

        In three passes, each in the batch's order: store the messages, thread them, then
        apply each to contacts, projects and opt-outs. Only
        messages depend on messages and contacts on contacts, so this is the same as the
        one-at-a-time `_apply_one`, which the isolated replay still uses.
        """
        batch = BatchContext.for_session(session)
        with session.no_autoflush:
            messages.prefetch(
                session,
                batch,
                raws,
                (u.envelope.message_id for u in understood.values() if u.envelope.message_id),
            )
            fresh: list[tuple[Message, Understanding]] = []
            for raw in raws:
                understanding = _take(session, raw, understood, report, batch=batch)
                if understanding is None:
                    continue
                message, created = messages.store_message(session, raw, understanding, batch=batch)
                if not created:
                    report.duplicates += 1
                    continue
                report.stored += 1
                fresh.append((message, understanding))
            threads.prefetch(session, batch, [m for m, _ in fresh])
            assigned = [threads.assign_thread(session, m, batch=batch) for m, _ in fresh]
            batch.flush(session)
            contacts.prefetch(session, batch, (u for _, u in fresh))
            touched: list[Contact] = []
            for (message, understanding), thread in zip(fresh, assigned, strict=True):
                contact = self._apply_contacts(
                    session, message, batch.resolve(thread), understanding, report, batch=batch
                )
                if contact is not None:
                    touched.append(contact)
            batch.finish(session)
        report.contacts_touched.update(c.id for c in touched)

    def _apply_one(
        self, session: Session, raw: RawMessage, understanding: Understanding, report: BatchReport
    ) -> None:
        message, created = messages.store_message(session, raw, understanding)
        if not created:
            report.duplicates += 1
            return
        report.stored += 1
        thread = threads.assign_thread(session, message)
        contact = self._apply_contacts(session, message, thread, understanding, report)
        if contact is not None:
            report.contacts_touched.add(contact.id)

    def _apply_contacts(
        self,
        session: Session,
        message: Message,
        thread: Thread,
        understanding: Understanding,
        report: BatchReport,
        *,
        batch: BatchContext | None = None,
    ) -> Contact | None:
        """What a stored, threaded message changes beyond itself; returns the sender's contact."""
        policy = self.contact_policy
        if batch is not None:
            # Where the one-message path flushes the previous message's rows: they take their
            # ids now, before anything below (a scrub) may flush them without one.
            batch.settle(session)
        if policy.suppressor is not None:
            # Archived for its thread, but without the suppressed person in it.
            seen = understanding.contact
            rights.scrub_suppressed(
                session,
                message,
                suppressor=policy.suppressor,
                own_domains=self.own_domains,
                sender_names=[seen.name] if seen and seen.name else [],
                sender_phones=[p.e164 for p in seen.phones] if seen else [],
            )
        seen_at = understanding.envelope.date or utcnow()
        contact = contacts.apply_understanding(
            session, understanding, seen_at=seen_at, policy=policy, batch=batch
        )
        retention.record_exchange(session, message, batch=batch)
        projects.link_by_rules(session, thread, message, self.project_rules, actor=policy.actor, batch=batch)
        if understanding.unsubscribe is None:
            return contact
        if batch is not None:
            batch.flush(session)  # store/optouts.py reads contacts from the database
        if optouts.apply_unsubscribe(session, understanding, seen_at=seen_at, policy=policy):
            report.erasures += 1
            if batch is not None:
                batch.forget_contacts(session)
        return contact
