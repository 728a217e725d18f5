"""`harvester threads ...`: conversations rebuilt from reply headers."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from harvester.cli.common import ConfigOption, JsonOption, context, emit_json
from store.models import Message, MessageParticipant
from store.threads import list_threads

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
    rows: list[dict[str, Any]] = []
    with app_ctx.sessions()() as session:
        for thread, count, project in list_threads(session, unlinked=unlinked):
            ids = list(
                session.scalars(
                    select(Message.message_id)
                    .where(Message.thread_id == thread.id)
                    .order_by(Message.sent_at, Message.id)
                )
            )
            people = sorted(
                set(
                    session.scalars(
                        select(MessageParticipant.email).join(Message).where(Message.thread_id == thread.id)
                    )
                )
            )
            rows.append(
                {
                    "id": thread.id,
                    "subject": thread.subject,
                    "participants": people,
                    "project": project.code if project else None,
                "link_source": thread.link_source,
                    "messages": count,
                    "message_ids": [i for i in ids if i],
                    "last_message_at": thread.last_message_at.isoformat() if thread.last_message_at else None,
                }
            )
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
