"""`harvester contacts ...`: the contact list and data-subject rights."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from harvester.cli.common import ConfigOption, JsonOption, context, emit_json, not_implemented
from harvester.errors import UnknownContact
from store.contacts import current_view, find_contact, list_contacts

__all__ = ["app"]

app = typer.Typer(no_args_is_help=True)

EmailArgument = Annotated[str, typer.Argument(help="Any e-mail address of the contact.")]


@app.command("list")
def list_(
    ctx: typer.Context,
    coverage: Annotated[str | None, typer.Option(help="Only this coverage area (slug).")] = None,
    status: Annotated[str | None, typer.Option(help="Only this status.")] = None,
    json_out: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """List contacts."""
    app_ctx = context(ctx, config)
    with app_ctx.sessions()() as session:
        views = list_contacts(session, status=status, coverage=coverage)
    if json_out:
        emit_json(views)
        return
    table = Table("id", "name", "organization", "e-mail", "coverage", "status")
    for v in views:
        table.add_row(
            str(v["id"]),
            v["name"] or "",
            v["organization"] or "",
            (v["emails"] or [""])[0],
            ",".join(v["coverage"]),
            v["status"],
        )
    Console().print(table)


@app.command()
def show(
    ctx: typer.Context,
    email: EmailArgument,
    json_out: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """One contact with every field's provenance and history."""
    app_ctx = context(ctx, config)
    with app_ctx.sessions()() as session:
        contact = find_contact(session, emails=[email.strip().lower()])
        if contact is None:
            raise UnknownContact(f"no contact with the address {email}")
        view = current_view(session, contact)
    if json_out:
        emit_json(view)
        return
    for key, value in view.items():
        typer.echo(f"{key}: {value}")


@app.command()
def edit(
    ctx: typer.Context,
    email: EmailArgument,
    set_: Annotated[list[str], typer.Option("--set", help="FIELD=VALUE (provenance: manual).")],
    config: ConfigOption = None,
) -> None:
    """Correct or add a field by hand."""
    context(ctx, config)
    not_implemented("contacts edit", 5)


@app.command("opt-out")
def opt_out(
    ctx: typer.Context,
    email: EmailArgument,
    channel: Annotated[
        list[str],
        typer.Option("--channel", help="phone, sms, email, press_release, newsletter, post, all"),
    ],
    config: ConfigOption = None,
) -> None:
    """Stop contact through these channels."""
    context(ctx, config)
    not_implemented("contacts opt-out", 5)


@app.command()
def export(
    ctx: typer.Context,
    email: EmailArgument,
    out: Annotated[Path | None, typer.Option("--out", help="Write to FILE instead of stdout.")] = None,
    config: ConfigOption = None,
) -> None:
    """Everything held about a person, as JSON (GDPR Art. 15/20)."""
    context(ctx, config)
    not_implemented("contacts export", 5)


@app.command()
def forget(
    ctx: typer.Context,
    email: EmailArgument,
    fields: Annotated[
        str | None, typer.Option("--fields", help="Only these fields, comma-separated.")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    config: ConfigOption = None,
) -> None:
    """Erase the person, or only some fields; whole erasure adds a suppression entry."""
    context(ctx, config)
    not_implemented("contacts forget", 5)
