"""`harvester projects ...`: projects whose conversations are kept while open."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from harvester.cli.common import ConfigOption, JsonOption, context, emit_json
from harvester.cli.context import AppContext
from harvester.errors import InputError
from harvester.project_rules import load_project_rules
from harvester.retention_policy import policy_for
from store import audit
from store import projects as store_projects
from store.db import session_scope
from store.models import Project, Thread

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True)

CodeArgument = Annotated[str, typer.Argument(help="The project code, e.g. PR-2026-014.")]


@contextmanager
def _project(app_ctx: AppContext, code: str) -> Iterator[tuple[Session, Project]]:
    """The named project in one unit of work; an unknown code is bad input (exit 2)."""
    with session_scope(app_ctx.sessions()) as session:
        project = store_projects.get_project(session, code)
        if project is None:
            raise InputError(f"no project {code} (see `harvester projects list`)")
        yield session, project


def _say(text: str) -> None:
    typer.echo(text)


@app.command()
def create(
    ctx: typer.Context,
    code: CodeArgument,
    name: Annotated[str, typer.Option("--name", help="A name people recognise.")],
    kind: Annotated[str, typer.Option("--kind", help="project, or support for a support case.")] = "project",
    config: ConfigOption = None,
) -> None:
    """A project, open."""
    app_ctx = context(ctx, config)
    with session_scope(app_ctx.sessions()) as session:
        store_projects.create_project(session, code, name=name, kind=kind, actor=audit.cli_actor())
    _say(f"project {code} created (open)")


@app.command("list")
def list_(ctx: typer.Context, json_out: JsonOption = False, config: ConfigOption = None) -> None:
    """Projects with state, close date and expiry date."""
    app_ctx = context(ctx, config)
    policy = policy_for(app_ctx.config)
    with app_ctx.sessions()() as session:
        views = store_projects.project_views(session, policy)
    if json_out:
        emit_json(views)
        return
    table = Table("code", "name", "state", "closed on", "expires on", "threads", "hold")
    for v in views:
        table.add_row(
            v["code"],
            v["name"],
            v["state"],
            v["closed_on"] or "",
            v["expires_on"] or "",
            str(v["threads"]),
            "yes" if v["legal_hold"] else "",
        )
    Console().print(table)


def _parse_date(text: str | None) -> date:
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"--on: not a date like 2026-03-31: {text!r}") from None


@app.command()
def close(
    ctx: typer.Context,
    code: CodeArgument,
    on: Annotated[str | None, typer.Option("--on", help="Close date (YYYY-MM-DD), default today.")] = None,
    config: ConfigOption = None,
) -> None:
    """Close; its conversations expire one year later."""
    app_ctx = context(ctx, config)
    closed_on = _parse_date(on)
    policy = policy_for(app_ctx.config)
    with _project(app_ctx, code) as (session, project):
        store_projects.close_project(session, project, on=closed_on, actor=audit.cli_actor())
        expiry = store_projects.expires_on(project, policy)
    _say(f"project {code} closed on {closed_on}; conversations expire on {expiry or 'never (held)'}")


@app.command()
def reopen(ctx: typer.Context, code: CodeArgument, config: ConfigOption = None) -> None:
    """Reopen; expiry is cancelled."""
    with _project(context(ctx, config), code) as (session, project):
        store_projects.reopen_project(session, project, actor=audit.cli_actor())
    _say(f"project {code} reopened; its conversations no longer expire")


@app.command()
def link(
    ctx: typer.Context,
    code: CodeArgument,
    thread: Annotated[int, typer.Option("--thread", help="Thread id (see `threads list`).")],
    config: ConfigOption = None,
) -> None:
    """Link a thread by hand (this beats any rule, and replaces another project's link)."""
    with _project(context(ctx, config), code) as (session, project):
        found = session.get(Thread, thread)
        if found is None:
            raise InputError(f"no thread {thread} (see `harvester threads list`)")
        store_projects.link_thread(session, project, found, actor=audit.cli_actor())
    _say(f"thread {thread} linked to project {code} (manual)")


@app.command()
def hold(ctx: typer.Context, code: CodeArgument, config: ConfigOption = None) -> None:
    """Put the project under legal hold: nothing of it is deleted until released."""
    with _project(context(ctx, config), code) as (session, project):
        store_projects.set_hold(session, project, held=True, actor=audit.cli_actor())
    _say(f"project {code} is under legal hold")


@app.command()
def release(ctx: typer.Context, code: CodeArgument, config: ConfigOption = None) -> None:
    """Lift a legal hold: retention applies again."""
    with _project(context(ctx, config), code) as (session, project):
        store_projects.set_hold(session, project, held=False, actor=audit.cli_actor())
    _say(f"project {code}: legal hold lifted")


@app.command("apply-rules")
def apply_rules(ctx: typer.Context, config: ConfigOption = None) -> None:
    """Re-apply rules/projects.toml to every thread not linked by hand."""
    app_ctx = context(ctx, config)
    rules = load_project_rules(rules_dir=app_ctx.config.rules_dir)
    with session_scope(app_ctx.sessions()) as session:
        changed = store_projects.apply_rules(session, rules, actor=audit.cli_actor())
    _say(f"{changed} thread link(s) changed")
