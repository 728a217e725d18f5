"""Commands that read mail: inspect, ingest, sync, run."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from harvester.cli.common import ConfigOption, JsonOption, context, emit_json
from harvester.cli.context import AppContext
from harvester.errors import ConfigError, InputError
from harvester.pipeline import BatchReport, Pipeline, default_workers, safe_understand
from harvester.sources.files import read_paths
from harvester.sources.raw import RawMessage
from harvester.understand import check_rules
from store.contacts import list_contacts

__all__ = ["register"]

PathsArgument = Annotated[list[Path], typer.Argument(help=".eml files, mbox files or Maildir folders.")]
_BATCH = 200


def _batches(items: Iterator[RawMessage], size: int) -> Iterator[list[RawMessage]]:
    while batch := list(islice(items, size)):
        yield batch


def inspect(
    ctx: typer.Context,
    paths: PathsArgument,
    json_out: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Understand messages without storing anything: one JSON object per message (JSON Lines)."""
    app_ctx = context(ctx, config)
    check_rules(app_ctx.config.rules_dir)
    own = app_ctx.config.organization.domains
    rules_dir = app_ctx.config.rules_dir
    failed = False
    for path in paths:
        try:
            for raw in read_paths([path]):
                understanding = safe_understand(raw, own_domains=own, rules_dir=rules_dir)
                understanding.path = str(path)
                if json_out:
                    sys.stdout.write(json.dumps(understanding.to_json(), ensure_ascii=False) + "\n")
                else:
                    contact = understanding.contact
                    who = (contact.name or (contact.emails or ["?"])[0]) if contact else "-"
                    typer.echo(f"{path}\t{understanding.kind.value}\t{who}")
        except InputError as exc:
            typer.echo(f"harvester: {exc}", err=True)
            failed = True
    if failed:
        raise typer.Exit(2)


def ingest(
    ctx: typer.Context,
    paths: PathsArgument,
    json_out: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Feed .eml files, mbox files or Maildir folders through the pipeline and store the result."""
    app_ctx = context(ctx, config)
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: no such file or directory")
    pipeline = _pipeline(app_ctx)
    sessions = pipeline.sessions
    total = BatchReport()
    console = Console(stderr=True)
    show_progress = console.is_terminal and not json_out
    with Progress(
        TextColumn("ingest"),
        BarColumn(),
        TextColumn("{task.completed} messages"),
        TimeElapsedColumn(),
        console=console,
        disable=not show_progress,
    ) as progress:
        task = progress.add_task("ingest", total=None)
        batches = ((batch, None, len(batch)) for batch in _batches(read_paths(paths), _BATCH))
        for size, report in pipeline.stream(batches):
            total.merge(report)
            progress.update(task, advance=size)
        pipeline.close()  # the worker pool goes before exit, never at interpreter teardown
    with sessions() as session:
        contacts_total = len(list_contacts(session))
    summary = {
        "messages": total.messages,
        "stored": total.stored,
        "duplicates": total.duplicates,
        "errors": total.errors,
        "kinds": dict(sorted(total.kinds.items())),
        "contacts_touched": len(total.contacts_touched),
        "contacts_total": contacts_total,
        "database": app_ctx.config.database_url,
    }
    if json_out:
        emit_json(summary)
        return
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(total.kinds.items())) or "none"
    typer.echo(
        f"{total.messages} messages read: {total.stored} stored, {total.duplicates} already stored, "
        f"{total.errors} errors\nkinds: {kinds}\ncontacts: {len(total.contacts_touched)} found or "
        f"updated, {contacts_total} in the list\ndatabase: {app_ctx.config.database_url}"
    )
    if total.errors:
        raise typer.Exit(1)


def _pipeline(app_ctx: AppContext, *, actor: str | None = None) -> Pipeline:
    check_rules(app_ctx.config.rules_dir)
    return Pipeline(
        app_ctx.sessions(),
        own_domains=app_ctx.config.organization.domains,
        contact_policy=app_ctx.contact_policy(actor=actor),
        rules_dir=app_ctx.config.rules_dir,
        workers=default_workers(),
    )


def sync(
    ctx: typer.Context,
    account: Annotated[str | None, typer.Option(help="Only this account.")] = None,
    once: Annotated[bool, typer.Option("--once", help="One poll, then exit (the default).")] = True,
    json_out: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Poll the IMAP accounts once, with progress."""
    from harvester.sync import sync_accounts

    app_ctx = context(ctx, config)
    cfg = app_ctx.config
    accounts = [cfg.account(account)] if account else list(cfg.accounts)
    if not accounts:
        raise ConfigError(f"{cfg.path}: accounts: no [[accounts]] to sync")
    pipeline = _pipeline(app_ctx)
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} messages"),
        TimeElapsedColumn(),
        console=console,
        disable=not console.is_terminal or json_out,
    ) as progress:
        tasks = {a.name: progress.add_task(a.name, total=None) for a in accounts}

        def on_batch(name: str, folder: str, done: int, pending: int) -> None:
            progress.update(
                tasks[name],
                description=f"{name}/{folder}",
                completed=done,
                total=done + pending if pending else None,
            )

        with pipeline:  # shut the worker pool down before exit, never at interpreter teardown
            results = sync_accounts(accounts, pipeline=pipeline, progress=on_batch)
    rows = [
        {
            "account": r.name,
            "messages": r.report.messages,
            "stored": r.report.stored,
            "duplicates": r.report.duplicates,
            "errors": r.report.errors + r.skipped,
            "error": r.error,
        }
        for r in results
    ]
    if json_out:
        emit_json(rows)
    else:
        for row in rows:
            typer.echo(
                f"{row['account']}: {row['messages']} messages, {row['stored']} stored, "
                f"{row['duplicates']} already stored, {row['errors']} errors"
                + (f" — {row['error']}" if row["error"] else "")
            )
    if any(r.error for r in results):
        raise typer.Exit(1)


def run(ctx: typer.Context, config: ConfigOption = None) -> None:
    """The daemon: poll every account and apply retention on schedule (stop with SIGTERM/SIGINT)."""
    from harvester.daemon import Daemon, configure_logging
    from harvester.retention_policy import policy_for
    from store.purposes import load_purposes
    from store.retention import daily_job

    app_ctx = context(ctx, config)
    configure_logging(app_ctx.config.log_level)
    pipeline = _pipeline(app_ctx, actor="daemon")
    retention_job = daily_job(
        pipeline.sessions,
        policy_for(app_ctx.config),
        actor="daemon",
        purposes=load_purposes(app_ctx.config.rules_dir),
    )
    with pipeline:
        Daemon(app_ctx.config, pipeline=pipeline, retention_job=retention_job).run()


def register(app: typer.Typer) -> None:
    app.command()(inspect)
    app.command()(ingest)
    app.command()(sync)
    app.command()(run)
