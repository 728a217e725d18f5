"""Commands about the installation itself: init, check-config, status, audit."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from harvester.cli.common import ConfigOption, JsonOption, context, emit_json
from harvester.config import find_config_path, load_config
from store import audit as audit_store
from store.cursors import list_cursors
from store.db import current_revision, head_revision, upgrade
from store.models import Contact, Project, RuntimeState, Thread

__all__ = ["register"]


def init(ctx: typer.Context, config: ConfigOption = None) -> None:
    """Create or migrate the database named in the config."""
    app_ctx = context(ctx, config)
    before = current_revision(app_ctx.engine)
    upgrade(app_ctx.engine)
    after = current_revision(app_ctx.engine)
    state = "created" if before is None else ("migrated" if before != after else "up to date")
    typer.echo(f"database {state} at schema {after}: {app_ctx.config.database_url}")


def check_config(ctx: typer.Context, config: ConfigOption = None) -> None:
    """Validate the config; name the file, key and problem."""
    app_ctx = context(ctx, config)
    path = find_config_path(app_ctx.config_path)
    loaded = load_config(path)
    typer.echo(f"{path}: ok ({len(loaded.accounts)} account(s), organisation {loaded.organization.name!r})")


def status(ctx: typer.Context, json_out: JsonOption = False, config: ConfigOption = None) -> None:
    """Accounts, last poll, counts, next scheduled jobs."""
    app_ctx = context(ctx, config)
    sessions = app_ctx.sessions()
    with sessions() as session:
        cursors = list_cursors(session)
        accounts = []
        for account in app_ctx.config.accounts:
            mine = [c for c in cursors if c.account == account.name]
            polls = [c.last_poll_at for c in mine if c.last_poll_at]
            accounts.append(
                {
                    "name": account.name,
                    "last_poll_at": max(polls).isoformat() if polls else None,
                    "messages_seen": sum(c.messages_seen or 0 for c in mine),
                    "errors": sum(c.errors or 0 for c in mine),
                }
            )
        jobs_row = session.get(RuntimeState, "jobs")
        result = {
            "accounts": accounts,
            "contacts": session.scalar(select(func.count(Contact.id))) or 0,
            "threads": session.scalar(select(func.count(Thread.id))) or 0,
            "projects": session.scalar(select(func.count(Project.id))) or 0,
            "schema": current_revision(app_ctx.engine),
            "schema_head": head_revision(),
            "jobs": json.loads(jobs_row.value) if jobs_row else [],
        }
    if json_out:
        emit_json(result)
        return
    table = Table("account", "last poll", "messages", "errors")
    for a in accounts:
        table.add_row(
            str(a["name"]), str(a["last_poll_at"] or "never"), str(a["messages_seen"]), str(a["errors"])
        )
    console = Console()
    console.print(table)
    console.print(
        f"contacts {result['contacts']}, threads {result['threads']}, projects {result['projects']}"
    )


def audit(
    ctx: typer.Context,
    since: Annotated[str | None, typer.Option(help="Only events on or after DATE (YYYY-MM-DD).")] = None,
    json_out: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """The audit log: what changed, when, why, by whom (never a personal value)."""
    app_ctx = context(ctx, config)
    start = None
    if since:
        try:
            start = datetime.combine(date.fromisoformat(since), time.min, tzinfo=UTC)
        except ValueError:
            raise typer.BadParameter("use YYYY-MM-DD", param_hint="--since") from None
    with app_ctx.sessions()() as session:
        events = audit_store.list_events(session, since=start)
        rows = [
            {
                "id": e.id,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "object_kind": e.object_kind,
                "object_id": e.object_id,
                "field": e.field,
                "reason": e.reason,
                "source": e.source,
            }
            for e in events
        ]
    if json_out:
        emit_json(rows)
        return
    table = Table("at", "actor", "action", "object", "field", "reason")
    for r in rows:
        table.add_row(
            str(r["at"])[:19],
            str(r["actor"]),
            str(r["action"]),
            f"{r['object_kind']}:{r['object_id']}",
            str(r["field"] or ""),
            str(r["reason"] or ""),
        )
    Console().print(table)


def register(app: typer.Typer) -> None:
    app.command()(init)
    app.command("check-config")(check_config)
    app.command()(status)
    app.command()(audit)
