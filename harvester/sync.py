"""One poll of IMAP accounts through the pipeline: the work of `harvester sync` and of the daemon.

The poller yields batches; each batch is stored together with its cursor in one
transaction, in order, while the next batch is fetched and understood
(`Pipeline.stream`), so a crash at any point loses nothing and duplicates nothing.
One account's failure is recorded and the next account is polled: a bad mailbox
never stops the others.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from harvester.config import AccountConfig
from harvester.errors import HarvesterError
from harvester.pipeline import BatchReport, Pipeline
from harvester.sources.imap import Batch, Cursor, ImapSource
from harvester.sources.raw import RawMessage
from store.cursors import CursorUpdate, list_cursors, record_error
from store.db import session_scope

__all__ = ["AccountResult", "sync_account", "sync_accounts"]

log = logging.getLogger(__name__)

#: Called after each stored batch with (account name, folder, messages stored so far, pending).
Progress = Callable[[str, str, int, int], None]


@dataclass(slots=True)
class AccountResult:
    name: str
    report: BatchReport = field(default_factory=BatchReport)
    skipped: int = 0
    error: str | None = None


def _cursors(sessions: sessionmaker[Session], account: str) -> dict[str, Cursor]:
    with sessions() as session:
        return {
            c.folder: Cursor(c.uidvalidity, c.last_uid)
            for c in list_cursors(session)
            if c.account == account and c.uidvalidity
        }


def _with_cursor(batches: Iterable[Batch]) -> Iterator[tuple[list[RawMessage], CursorUpdate, Batch]]:
    """Each polled batch with the cursor update that is stored in the same transaction."""
    for batch in batches:
        update = CursorUpdate(
            account=batch.account,
            folder=batch.folder,
            uidvalidity=batch.uidvalidity,
            last_uid=batch.last_uid,
            messages=len(batch.messages),
        )
        yield list(batch.messages), update, batch


def sync_account(
    account: AccountConfig,
    *,
    pipeline: Pipeline,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
    source: ImapSource | None = None,
) -> AccountResult:
    """Poll one account until it has nothing new (or `stop` is set between batches)."""
    result = AccountResult(account.name)
    source = source or ImapSource(account, timeout=account.timeout, ca_file=account.ca_file)
    sessions = pipeline.sessions
    try:
        # The next batch is fetched and understood while this one is stored (Pipeline.stream).
        for batch, report in pipeline.stream(_with_cursor(source.poll(_cursors(sessions, account.name)))):
            result.report.merge(report)
            if batch.skipped:
                result.skipped += len(batch.skipped)
                with session_scope(sessions) as session:
                    for skipped in batch.skipped:
                        log.warning(
                            "event=message.skipped account=%s folder=%s uid=%s reason=%s",
                            account.name,
                            batch.folder,
                            skipped.uid,
                            skipped.reason,
                        )
                        record_error(session, account.name, batch.folder, "skipped")
            if progress is not None:
                progress(account.name, batch.folder, result.report.messages, batch.pending)
            if stop is not None and stop.is_set():
                log.info("event=sync.stopped account=%s", account.name)
                break
    except Exception as exc:  # one account's failure must never stop the others
        # A HarvesterError's message names the account and is safe to show; anything else
        # (a library bug) is reported by its type only, never its text (it may hold a secret).
        result.error = (
            str(exc)
            if isinstance(exc, HarvesterError)
            else f"account {account.name}: unexpected {type(exc).__name__} (see the log)"
        )
        log.error("event=sync.failed account=%s error=%s", account.name, type(exc).__name__)
        with session_scope(sessions) as session:
            record_error(session, account.name, "*", type(exc).__name__)
    finally:
        source.close()
    log.info(
        "event=sync.done account=%s messages=%d stored=%d duplicates=%d errors=%d",
        account.name,
        result.report.messages,
        result.report.stored,
        result.report.duplicates,
        result.report.errors,
    )
    return result


def sync_accounts(
    accounts: Iterable[AccountConfig],
    *,
    pipeline: Pipeline,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> list[AccountResult]:
    results = []
    for account in accounts:
        if stop is not None and stop.is_set():
            break
        results.append(sync_account(account, pipeline=pipeline, progress=progress, stop=stop))
    return results
