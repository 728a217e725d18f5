"""`harvester projects ...`: projects whose conversations are kept while open."""

from __future__ import annotations

from typing import Annotated

import typer

from harvester.cli.common import ConfigOption, JsonOption, context, not_implemented

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True)

CodeArgument = Annotated[str, typer.Argument(help="The project code, e.g. PR-2026-014.")]


@app.command()
def create(
    ctx: typer.Context,
    code: CodeArgument,
    name: Annotated[str, typer.Option("--name", help="A name people recognise.")],
    config: ConfigOption = None,
) -> None:
    """A project, open."""
    context(ctx, config)
    not_implemented("projects create", 7)


@app.command("list")
def list_(ctx: typer.Context, json_out: JsonOption = False, config: ConfigOption = None) -> None:
    """Projects with state, close date and expiry date."""
    context(ctx, config)
    not_implemented("projects list", 7)


@app.command()
def close(
    ctx: typer.Context,
    code: CodeArgument,
    on: Annotated[str | None, typer.Option("--on", help="Close date (YYYY-MM-DD), default today.")] = None,
    config: ConfigOption = None,
) -> None:
    """Close; its conversations expire one year later."""
    context(ctx, config)
    not_implemented("projects close", 7)


@app.command()
def reopen(ctx: typer.Context, code: CodeArgument, config: ConfigOption = None) -> None:
    """Reopen; expiry is cancelled."""
    context(ctx, config)
    not_implemented("projects reopen", 7)


@app.command()
def link(
    ctx: typer.Context,
    code: CodeArgument,
    thread: Annotated[int, typer.Option("--thread", help="Thread id (see `threads list`).")],
    config: ConfigOption = None,
) -> None:
    """Link a thread by hand."""
    context(ctx, config)
    not_implemented("projects link", 7)
