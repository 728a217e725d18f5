"""`harvester retention ...`: the declarative retention policy, planned and applied."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from harvester.cli.common import ConfigOption, JsonOption, context, emit_json
from harvester.cli.context import AppContext
from harvester.retention_policy import policy_for
from store import audit
from store.db import session_scope
from store.purposes import load_purposes
from store.retention import PlanItem, run_due
from store.retention import plan as plan_items

__all__ = ["app", "plan_json", "planned"]

app = typer.Typer(no_args_is_help=True)


def planned(app_ctx: AppContext, session: Session, *, today: date) -> list[PlanItem]:
    """Everything the configured policy and the register's purposes will delete (what `run` acts on)."""
    return plan_items(
        session, policy_for(app_ctx.config), today=today, purposes=load_purposes(app_ctx.config.rules_dir)
    )


def plan_json(items: list[PlanItem], *, today: date) -> list[dict[str, Any]]:
    """The plan's contract objects (`retention plan --json`, and the export's `retention`)."""
    return [i.to_json(today=today) for i in items]


@app.command()
def plan(ctx: typer.Context, json_out: JsonOption = False, config: ConfigOption = None) -> None:
    """What will be deleted, when, under which rule (dry run); due now and later."""
    app_ctx = context(ctx, config)
    today = date.today()
    with app_ctx.sessions()() as session:
        items = planned(app_ctx, session, today=today)
    if json_out:
        emit_json(plan_json(items, today=today))
        return
    table = Table("due on", "rule", "what", "id", "counted from", "project")
    for item in items:
        due = f"[bold]{item.due_on}[/bold]" if item.due_on <= today else str(item.due_on)
        table.add_row(
            due, item.rule, item.what, str(item.id), f"{item.clock} {item.clock_on or ''}", item.project or ""
        )
    console = Console()
    console.print(table)
    now = sum(1 for i in items if i.due_on <= today)
    console.print(
        f"{now} item(s) due now, {len(items) - now} later (policy: {policy_for(app_ctx.config).path})"
    )


@app.command("run")
def run_(ctx: typer.Context, json_out: JsonOption = False, config: ConfigOption = None) -> None:
    """Delete what is due now (real deletion, one audit event per item)."""
    app_ctx = context(ctx, config)
    policy = policy_for(app_ctx.config)
    today = date.today()
    with session_scope(app_ctx.sessions()) as session:
        done = run_due(
            session,
            policy,
            today=today,
            actor=audit.cli_actor(),
            purposes=load_purposes(app_ctx.config.rules_dir),
        )
    counts = Counter((i.rule, i.what) for i in done)
    if json_out:
        emit_json([{"rule": r, "what": w, "deleted": n} for (r, w), n in sorted(counts.items())])
        return
    if not done:
        typer.echo("nothing is due")
    for (rule, what), n in sorted(counts.items()):
        typer.echo(f"{rule}: deleted {n} {what}(s)")
