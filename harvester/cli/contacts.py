"""`harvester contacts ...`: the contact list and data-subject rights.

Every command that changes personal data writes audit events with the OS user as
actor ("cli:<user>"). `forget` and an `all` opt-out are erasures: they ask first
(unless --yes) and afterwards make SQLite drop the bytes (store/rights.py).
"""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from harvester.cli.common import ConfigOption, JsonOption, context, emit_json
from harvester.cli.retention import plan_json, planned
from harvester.config import LegalBasis
from harvester.errors import InputError, UnknownContact
from harvester.understand.coverage import slugs
from store import audit
from store.contacts import (
    ContactStatus,
    contact_by_email,
    current_view,
    list_contacts,
    set_art14_notice,
    set_field_manually,
    set_legal_basis,
    set_status,
    show_view,
)
from store.db import session_scope
from store.holds import refuse_if_held, set_hold
from store.models import Contact, utcnow
from store.optouts import CHANNELS, OptOutSource, add_opt_outs, object_to_everything
from store.phones import phone_value
from store.rights import REGISTER_PARTS, erase_contact, erase_fields, export_contact, reclaim

__all__ = ["app", "coverage_slugs"]

app = typer.Typer(no_args_is_help=True)

EmailArgument = Annotated[str, typer.Argument(help="Any e-mail address of the contact.")]
YesOption = Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")]

_TEXT_FIELDS = ("name", "title", "organization")
_LIST_FIELDS = ("coverage", "urls", "phones", "emails")
_ADDRESS_PARTS = ("street", "postal_code", "city", "country")
EDITABLE = (
    *_TEXT_FIELDS,
    *_LIST_FIELDS,
    *(f"address.{p}" for p in _ADDRESS_PARTS),
    "legal_basis",
    "status",
    "needs_art14_notice",
)
_BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
#: What `forget --fields` accepts; e-mail addresses identify the person: forget them whole.
FORGETTABLE = (
    "name",
    "title",
    "organization",
    "address",
    "phones",
    "urls",
    "coverage",
    "candidate_emails",
    *REGISTER_PARTS,
)


def coverage_slugs(rules_dir: Path | None) -> set[str]:
    """The coverage taxonomy's slugs (rules/coverage.toml, or the config's rules dir override)."""
    return set(slugs(rules_dir=rules_dir))


def _contact(session: Any, email: str) -> Contact:
    contact = contact_by_email(session, email)
    if contact is None:
        raise UnknownContact(f"no contact with the address {email}")
    return contact


def _items(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def _phone(text: str) -> dict[str, str]:
    try:
        return phone_value(text)
    except ValueError as exc:
        raise InputError(f"--set phones: {exc}: {text!r}") from None


def _parse_assignment(text: str, *, taxonomy: set[str]) -> tuple[str, Any]:
    field, sep, value = text.partition("=")
    field, value = field.strip(), value.strip()
    if not sep or field not in EDITABLE:
        raise InputError(f"--set {text!r}: expected FIELD=VALUE with FIELD one of {', '.join(EDITABLE)}")
    if field == "legal_basis":
        if value not in {b.value for b in LegalBasis}:
            raise InputError(f"--set legal_basis: one of {', '.join(b.value for b in LegalBasis)}")
        return field, value
    if field == "needs_art14_notice":
        if value.lower() not in _BOOLEANS:
            raise InputError(
                "--set needs_art14_notice: true or false (false once the person has been informed)"
            )
        return field, _BOOLEANS[value.lower()]
    if field == "status":
        if value not in {s.value for s in ContactStatus}:
            raise InputError(f"--set status: one of {', '.join(s.value for s in ContactStatus)}")
        return field, value
    if field == "coverage":
        slugs = _items(value)
        unknown = sorted(set(slugs) - taxonomy)
        if unknown:
            raise InputError(
                f"--set coverage: unknown area(s) {', '.join(unknown)}; known: {', '.join(sorted(taxonomy))}"
            )
        return field, slugs
    if field == "urls":
        return field, _items(value)
    if field == "phones":
        return field, [_phone(v) for v in _items(value)]
    if field == "emails":
        emails = [v.lower() for v in _items(value)]
        if not emails or any("@" not in e for e in emails):
            raise InputError("--set emails: comma-separated e-mail addresses")
        return field, emails
    if not value:
        raise InputError(f"--set {field}: empty value (use `contacts forget --fields {field}`)")
    return field, value


def _confirm(question: str, yes: bool) -> None:
    if not yes and not typer.confirm(question, default=False):
        raise typer.Exit(1)


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
    if status is not None and status not in {s.value for s in ContactStatus}:
        raise InputError(f"--status: one of {', '.join(s.value for s in ContactStatus)}")
    with app_ctx.sessions()() as session:
        views = list_contacts(session, status=status, coverage=coverage)
    if json_out:
        emit_json(views)
        return
    table = Table("id", "name", "organization", "e-mail", "coverage", "status", "opt-outs")
    for v in views:
        table.add_row(
            str(v["id"]),
            (v["name"] or "") + (" (Art. 14)" if v["needs_art14_notice"] else ""),
            v["organization"] or "",
            (v["emails"] or [""])[0],
            ",".join(v["coverage"]),
            v["status"],
            ",".join(v["opt_outs"]),
        )
    Console().print(table)


def _short(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


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
        view = show_view(session, _contact(session, email))
    if json_out:
        emit_json(view)
        return
    console = Console()
    for key, value in view.items():
        if key not in ("provenance", "history"):
            console.print(f"[bold]{key}[/bold]: {_short(value)}", highlight=False)
    table = Table("field", "value", "source", "seen", "message", "state", title="provenance and history")
    for field, entries in view["provenance"].items():
        for e in entries:
            state = "current" if e["current"] else ("replaced" if e["superseded_at"] else "outranked")
            table.add_row(
                field, _short(e["value"]), e["source"], e["seen_at"][:10], e["message_id"] or "", state
            )
    console.print(table)


@app.command()
def edit(
    ctx: typer.Context,
    email: EmailArgument,
    set_: Annotated[list[str], typer.Option("--set", help="FIELD=VALUE (provenance: manual).")],
    config: ConfigOption = None,
) -> None:
    """Correct or add a field by hand (lists are comma-separated and replace the list)."""
    app_ctx = context(ctx, config)
    taxonomy = coverage_slugs(app_ctx.config.rules_dir)
    assignments = [_parse_assignment(a, taxonomy=taxonomy) for a in set_]
    actor = audit.cli_actor()
    changed: list[str] = []
    with session_scope(app_ctx.sessions()) as session:
        contact = _contact(session, email)
        for field, value in assignments:
            if field == "legal_basis":
                done = set_legal_basis(session, contact, value, actor=actor)
            elif field == "needs_art14_notice":
                done = set_art14_notice(session, contact, value, actor=actor)
            elif field == "status":
                done = set_status(
                    session, contact, ContactStatus(value), at=utcnow(), actor=actor, reason="edited by hand"
                )
            elif field.startswith("address."):
                address = dict(current_view(session, contact)["address"] or dict.fromkeys(_ADDRESS_PARTS))
                address[field.partition(".")[2]] = value
                done = set_field_manually(session, contact, "address", address, actor=actor)
            else:
                done = set_field_manually(session, contact, field, value, actor=actor)
            if done:
                changed.append(field)
    typer.echo(
        f"contact {contact.id}: " + (f"changed {', '.join(changed)}" if changed else "nothing changed")
    )


@app.command("opt-out")
def opt_out(
    ctx: typer.Context,
    email: EmailArgument,
    channel: Annotated[
        list[str],
        typer.Option("--channel", help="phone, sms, email, press_release, newsletter, post, all"),
    ],
    yes: YesOption = False,
    config: ConfigOption = None,
) -> None:
    """Stop contact through these channels; `all` erases the person and suppresses their addresses."""
    app_ctx = context(ctx, config)
    channels = [c.strip() for item in channel for c in item.split(",") if c.strip()]
    bad = sorted(set(channels) - set(CHANNELS))
    if bad or not channels:
        raise InputError(f"--channel: unknown {', '.join(bad) or '(none)'}; one of {', '.join(CHANNELS)}")
    actor = audit.cli_actor()
    sessions = app_ctx.sessions()
    if "all" in channels:
        with sessions() as session:
            refuse_if_held(_contact(session, email), "opt-out from all channels (an erasure)")
        _confirm(f"Opt-out from all channels erases {email} and every trace of them. Continue?", yes)
        with session_scope(sessions) as session:
            report = object_to_everything(
                session,
                contact=_contact(session, email),
                emails=[email],
                suppressor=app_ctx.suppressor(),
                own_domains=app_ctx.config.organization.domains,
                actor=actor,
                reason="opt-out by hand: all",
            )
        note = reclaim(app_ctx.engine)
        typer.echo(
            f"contact {report.contact_id}: erased; {report.suppressed} suppression entries added\n{note}"
        )
        return
    with session_scope(sessions) as session:
        contact = _contact(session, email)
        added = add_opt_outs(
            session, contact, channels, source=OptOutSource.MANUAL, message_id=None, at=utcnow(), actor=actor
        )
    typer.echo(f"contact {contact.id}: " + (f"opted out of {', '.join(added)}" if added else "nothing new"))


@app.command()
def export(
    ctx: typer.Context,
    email: EmailArgument,
    out: Annotated[Path | None, typer.Option("--out", help="Write to FILE instead of stdout.")] = None,
    config: ConfigOption = None,
) -> None:
    """Everything held about a person, as JSON (GDPR Art. 15/20)."""
    app_ctx = context(ctx, config)
    today = date.today()
    with session_scope(app_ctx.sessions()) as session:
        data = export_contact(
            session,
            _contact(session, email),
            organization=app_ctx.config.organization.name,
            actor=audit.cli_actor(),
            plan=plan_json(planned(app_ctx, session, today=today), today=today),
        )
    if out is None:
        emit_json(data)
        return
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=2)
            handle.write("\n")
    except OSError as exc:
        raise InputError(f"--out {out}: {exc.strerror}") from exc
    typer.echo(f"wrote {out}", err=True)


@app.command()
def forget(
    ctx: typer.Context,
    email: EmailArgument,
    fields: Annotated[
        str | None, typer.Option("--fields", help="Only these fields, comma-separated.")
    ] = None,
    yes: YesOption = False,
    config: ConfigOption = None,
) -> None:
    """Erase the person, or only some fields; whole erasure adds a suppression entry."""
    app_ctx = context(ctx, config)
    wanted = _items(fields) if fields is not None else None
    if wanted is not None:
        bad = sorted(set(wanted) - set(FORGETTABLE))
        if bad or not wanted:
            raise InputError(
                f"--fields: cannot forget {', '.join(bad) or '(none)'} alone; one of {', '.join(FORGETTABLE)}"
                " (forget without --fields erases the person, addresses included)"
            )
    sessions = app_ctx.sessions()
    with sessions() as session:
        refuse_if_held(_contact(session, email), "erasure")
    what = f"the fields {', '.join(wanted)} of {email}" if wanted else f"{email} entirely"
    _confirm(f"Erase {what}? This cannot be undone.", yes)
    actor = audit.cli_actor()
    with session_scope(sessions) as session:
        contact = _contact(session, email)
        contact_id = contact.id
        if wanted:
            rows = erase_fields(
                session, contact, wanted, actor=actor, reason="data subject request (Art. 17)"
            )
            summary = f"contact {contact_id}: {rows} rows of {', '.join(wanted)} erased"
        else:
            report = erase_contact(
                session,
                contact,
                suppressor=app_ctx.suppressor(),
                own_domains=app_ctx.config.organization.domains,
                actor=actor,
                reason="data subject request (Art. 17)",
            )
            summary = (
                f"contact {contact_id}: erased ({report.evidence_rows} evidence rows); "
                f"{report.suppressed} suppression entries added; {report.bodies_deleted} message bodies "
                f"deleted, {report.messages_redacted} redacted"
            )
    typer.echo(f"{summary}\n{reclaim(app_ctx.engine)}")


def _hold(ctx: typer.Context, email: str, config: Path | None, *, held: bool) -> int:
    app_ctx = context(ctx, config)
    with session_scope(app_ctx.sessions()) as session:
        contact = _contact(session, email)
        set_hold(session, contact, held=held, actor=audit.cli_actor())
    return contact.id


@app.command()
def hold(ctx: typer.Context, email: EmailArgument, config: ConfigOption = None) -> None:
    """Put the contact under legal hold: neither retention nor erasure deletes them until released."""
    typer.echo(f"contact {_hold(ctx, email, config, held=True)} is under legal hold")


@app.command()
def release(ctx: typer.Context, email: EmailArgument, config: ConfigOption = None) -> None:
    """Lift a contact's legal hold: retention and erasure apply again."""
    typer.echo(f"contact {_hold(ctx, email, config, held=False)}: legal hold lifted")
