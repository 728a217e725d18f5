"""`harvester threads ...`: conversations rebuilt from reply headers."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from harvester.cli.common import ConfigOption, JsonOption, context, emit_json
from store.threads import thread_views

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True)


@app.command("list")
def list_(
    ctx: typer.Context,
    unlinked: Annotated[bool, typer.Option("--unlinked", help="Only threads in no project.")] = False,
    json_out: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Threads with participants and project."""
    app_ctx = context(ctx, config)
    with app_ctx.sessions()() as session:
        rows = thread_views(session, unlinked=unlinked)
    if json_out:
        emit_json(rows)
        return
    table = Table("id", "subject", "project", "messages", "last message")
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["subject"] or "",
            r["project"] or "",
            str(r["messages"]),
            (r["last_message_at"] or "")[:16],
        )
    Console().print(table)
