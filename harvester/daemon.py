"""`harvester run`: APScheduler jobs that poll every account, apply retention daily, and publish
their state for `harvester status`.

Stopping: SIGTERM/SIGINT set a stop event that pollers check between batches, the
scheduler is shut down, and workers get a short grace period. Because every batch
is one transaction with its cursor, stopping (or being killed) mid-batch loses
nothing: the next poll starts where the last commit ended.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.orm import Session, sessionmaker

from harvester.config import AccountConfig, Config
from harvester.pipeline import Pipeline
from harvester.sync import sync_account
from store.db import session_scope
from store.models import RuntimeState, utcnow

__all__ = ["Daemon", "configure_logging"]

log = logging.getLogger(__name__)

#: Seconds running jobs get to finish their batch after a stop signal.
STOP_GRACE = 10.0


def configure_logging(level: str) -> None:
    """Structured key=value lines on stderr (journald adds the time); never message content."""
    logging.basicConfig(
        level=level,
        format="level=%(levelname)s logger=%(name)s %(message)s",
        force=True,
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def publish_state(sessions: sessionmaker[Session], key: str, value: Any) -> None:
    with session_scope(sessions) as session:
        row = session.get(RuntimeState, key)
        text = json.dumps(value, default=str)
        if row is None:
            session.add(RuntimeState(key=key, value=text))
        else:
            row.value = text
            row.updated_at = utcnow()


class Daemon:
    def __init__(
        self,
        config: Config,
        *,
        pipeline: Pipeline,
        retention_job: Callable[[], None] | None = None,
    ) -> None:
        self.config = config
        self.pipeline = pipeline
        self.sessions = pipeline.sessions
        self.stop_event = threading.Event()
        self.scheduler = BackgroundScheduler(timezone=datetime.now().astimezone().tzinfo)
        self._retention_job = retention_job

    # ------------------------------------------------------------------ jobs

    def _poll(self, account: AccountConfig) -> None:
        if self.stop_event.is_set():
            return
        sync_account(account, pipeline=self.pipeline, stop=self.stop_event)

    def _retention(self) -> None:
        if self._retention_job is not None and not self.stop_event.is_set():
            self._retention_job()

    def _publish_jobs(self, _event: JobExecutionEvent | None = None) -> None:
        jobs = [
            {
                "id": job.id,
                "next_run_at": job.next_run_time.astimezone(UTC).isoformat() if job.next_run_time else None,
            }
            for job in self.scheduler.get_jobs()
        ]
        try:
            publish_state(self.sessions, "jobs", jobs)
        except Exception as exc:
            log.warning("event=state.publish_failed error=%s", type(exc).__name__)

    def schedule(self) -> None:
        now = datetime.now(UTC)
        for account in self.config.accounts:
            self.scheduler.add_job(
                self._poll,
                IntervalTrigger(seconds=account.poll_interval.total_seconds()),
                args=[account],
                id=f"poll:{account.name}",
                next_run_time=now,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
            )
        hour, minute = (int(p) for p in self.config.retention_run_at.split(":"))
        self.scheduler.add_job(
            self._retention,
            CronTrigger(hour=hour, minute=minute),
            id="retention",
            max_instances=1,
            coalesce=True,
        )
        self.scheduler.add_listener(self._publish_jobs, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)

    # ------------------------------------------------------------------ life

    def request_stop(self, signum: int | None = None, _frame: Any = None) -> None:
        if not self.stop_event.is_set():
            log.info("event=daemon.stopping signal=%s", signum)
        self.stop_event.set()

    def run(self, *, install_signals: bool = True) -> None:
        """Run until SIGTERM/SIGINT (or `request_stop`)."""
        if install_signals:
            signal.signal(signal.SIGTERM, self.request_stop)
            signal.signal(signal.SIGINT, self.request_stop)
        self.schedule()
        self.scheduler.start()
        publish_state(self.sessions, "daemon", {"pid": os.getpid(), "started_at": utcnow().isoformat()})
        self._publish_jobs()
        log.info("event=daemon.started accounts=%d", len(self.config.accounts))
        while not self.stop_event.wait(1.0):
            pass
        self.scheduler.shutdown(wait=False)
        deadline = time.monotonic() + STOP_GRACE
        for thread in threading.enumerate():
            if thread is not threading.current_thread() and not thread.daemon:
                thread.join(max(0.0, deadline - time.monotonic()))
        publish_state(self.sessions, "jobs", [])
        publish_state(self.sessions, "daemon", {"pid": None, "stopped_at": utcnow().isoformat()})
        log.info("event=daemon.stopped")
