"""Shared CLI pieces: the --config option, JSON output, one-line errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from harvester.cli.context import AppContext
from harvester.errors import NotImplementedYet

__all__ = ["ConfigOption", "JsonOption", "context", "emit_json", "not_implemented"]

ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Config file (else $HARVESTER_CONFIG, else ./harvester.toml).",
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout and nothing else.")]


def context(ctx: typer.Context, config: Path | None) -> AppContext:
    """The AppContext for this invocation; a command's --config overrides the global one."""
    root = ctx.find_root()
    if root.obj is None:
        root.obj = AppContext()
    app_ctx: AppContext = root.obj
    if config is not None:
        app_ctx = AppContext(config_path=config)
        root.obj = app_ctx
    return app_ctx


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, default=str) + "\n")


def not_implemented(what: str, issue: int) -> NoReturn:
    raise NotImplementedYet(f"{what}: not implemented yet (issue #{issue})")
