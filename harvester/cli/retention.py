"""`harvester retention ...`: the declarative retention policy, planned and applied."""

from __future__ import annotations

import typer

from harvester.cli.common import ConfigOption, JsonOption, context, not_implemented

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True)


@app.command()
def plan(ctx: typer.Context, json_out: JsonOption = False, config: ConfigOption = None) -> None:
    """What will be deleted, when, under which rule (dry run)."""
    context(ctx, config)
    not_implemented("retention plan", 7)


@app.command("run")
def run_(ctx: typer.Context, config: ConfigOption = None) -> None:
    """Delete what is due now."""
    context(ctx, config)
    not_implemented("retention run", 7)
