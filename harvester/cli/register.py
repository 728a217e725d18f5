"""The member and newsletter register on the command line (issue 9).

Mounted on the `contacts` sub-app: `tag`, `note`, `purpose`, `subscribe`,
`unsubscribe`, `import`; and the top-level `purposes` (the Art. 30 record).
Everything that changes personal data is audited with the OS user as actor,
in one transaction per command (an import is one transaction for the whole file).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from harvester.cli import contacts
from harvester.cli.common import ConfigOption, JsonOption, context, emit_json
from harvester.cli.context import AppContext
from harvester.errors import InputError, UnknownContact
from harvester.records import processing_record, render_markdown
from harvester.understand.types import Contact as SeenContact
from store import audit, purposes, tags
from store.contacts import ContactPolicy, EvidenceSource, contact_by_email, normalise_email, record_sighting
from store.db import session_scope
from store.importer import import_rows, read_csv
from store.models import Contact, utcnow
from store.optouts import OptOutSource, add_opt_outs
from store.rights import reclaim

__all__ = ["register"]

EmailArgument = Annotated[str, typer.Argument(help="Any e-mail address of the contact.")]
PurposeOption = Annotated[
    str | None, typer.Option("--purpose", help="File it under this purpose (see `harvester purposes`).")
]
ConsentSourceOption = Annotated[
    str | None, typer.Option("--consent-source", help="How consent was given, e.g. 'web form'.")
]
ConsentAtOption = Annotated[
    str | None, typer.Option("--consent-given-at", help="When consent was given (YYYY-MM-DD); default now.")
]


def _contact(session: Any, email: str) -> Contact:
    contact = contact_by_email(session, email)
    if contact is None:
        raise UnknownContact(f"no contact with the address {email}")
    return contact


def _moment(option: str, text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option}: not a date like 2025-03-14: {text!r}") from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _known(rules: Any, purpose: str | None) -> str | None:
    if purpose is not None and purpose not in rules:
        raise InputError(f"--purpose: unknown {purpose!r}; one of {', '.join(rules)}")
    return purpose


def _filed(ctx: typer.Context, config: Path | None, purpose: str | None) -> tuple[AppContext, Path | None]:
    """The context and rules directory of a command that files something under a purpose."""
    app_ctx = context(ctx, config)
    rules_dir = app_ctx.config.rules_dir
    _known(purposes.load_purposes(rules_dir), purpose)
    return app_ctx, rules_dir


def tag(
    ctx: typer.Context,
    email: EmailArgument,
    tag_: Annotated[str, typer.Argument(metavar="TAG", help='A label, e.g. "Årsmöte 2025".')],
    remove: Annotated[bool, typer.Option("--remove", help="Remove the tag instead.")] = False,
    purpose: PurposeOption = None,
    config: ConfigOption = None,
) -> None:
    """Tag a contact (provenance manual, audited), or remove a tag."""
    app_ctx, rules_dir = _filed(ctx, config, purpose)
    actor = audit.cli_actor()
    with session_scope(app_ctx.sessions()) as session:
        contact = _contact(session, email)
        if remove:
            done = tags.remove_tag(session, contact, tag_, actor=actor)
        else:
            done = tags.add_tag(
                session, contact, tag_, purpose=purpose, source="manual", actor=actor, rules_dir=rules_dir
            )
    verb = "removed" if remove else "added"
    typer.echo(f"contact {contact.id}: tag {verb}" if done else f"contact {contact.id}: nothing changed")


def note(
    ctx: typer.Context,
    email: EmailArgument,
    text: Annotated[str, typer.Argument(help="What was said or agreed; passes the redaction gate.")],
    purpose: PurposeOption = None,
    config: ConfigOption = None,
) -> None:
    """Add a note of communication (no Art. 9 text or identity numbers are ever stored)."""
    app_ctx, rules_dir = _filed(ctx, config, purpose)
    with session_scope(app_ctx.sessions()) as session:
        contact = _contact(session, email)
        stored = tags.add_note(
            session,
            contact,
            text,
            purpose=purpose,
            source="manual",
            actor=audit.cli_actor(),
            rules_dir=rules_dir,
        )
        redactions = stored.redactions
    extra = f" (redacted: {redactions})" if redactions else ""
    typer.echo(f"contact {contact.id}: note added{extra}")


def purpose(
    ctx: typer.Context,
    email: EmailArgument,
    add: Annotated[str | None, typer.Option("--add", help="Hold the person for this purpose.")] = None,
    remove: Annotated[
        str | None, typer.Option("--remove", help="Delete this purpose and its tags and notes now.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--end", help="The relationship under this purpose ended; retention counts.")
    ] = None,
    object_: Annotated[
        str | None, typer.Option("--object", help="The person objects (Art. 21) to this purpose.")
    ] = None,
    on: Annotated[str | None, typer.Option("--on", help="Date for --end/--object (YYYY-MM-DD).")] = None,
    consent_source: ConsentSourceOption = None,
    consent_given_at: ConsentAtOption = None,
    config: ConfigOption = None,
) -> None:
    """Add, end, object to or remove one purpose of a contact, each with its own legal basis."""
    app_ctx = context(ctx, config)
    rules = purposes.load_purposes(app_ctx.config.rules_dir)
    chosen = [(k, v) for k, v in (("add", add), ("remove", remove), ("end", end), ("object", object_)) if v]
    if len(chosen) != 1:
        raise InputError("give exactly one of --add, --remove, --end, --object")
    action, name = chosen[0]
    _known(rules, name)
    at = _moment("--on", on) or utcnow()
    actor = audit.cli_actor()
    deleted = False
    with session_scope(app_ctx.sessions()) as session:
        contact = _contact(session, email)
        contact_id = contact.id
        if action == "add":
            purposes.add_purpose(
                session,
                contact,
                name,
                rules=rules,
                source=purposes.PurposeSource.MANUAL,
                actor=actor,
                consent_given_at=_moment("--consent-given-at", consent_given_at),
                consent_source=consent_source,
            )
            done = True
        elif action == "remove":
            done = True
            deleted = purposes.drop_purpose(session, contact, name, actor=actor, reason="removed by hand")
        else:
            done = purposes.end_purpose(
                session, contact, name, at=at, actor=actor, objected=action == "object"
            )
    if deleted:
        typer.echo(
            f"contact {contact_id}: {name} removed; nothing else held the person, so they were deleted"
        )
        typer.echo(reclaim(app_ctx.engine))
        return
    typer.echo(f"contact {contact_id}: {name} {action}" + ("" if done else ": nothing changed"))


def subscribe(
    ctx: typer.Context,
    email: EmailArgument,
    consent_source: Annotated[str, typer.Option("--consent-source", help="How consent was given.")],
    consent_given_at: ConsentAtOption = None,
    name: Annotated[str | None, typer.Option("--name", help="The subscriber's name.")] = None,
    config: ConfigOption = None,
) -> None:
    """Subscribe to the newsletter: records consent (when and how); creates the contact if needed."""
    app_ctx = context(ctx, config)
    rules = purposes.load_purposes(app_ctx.config.rules_dir)
    address = normalise_email(email)
    if "@" not in address:
        raise InputError(f"not an e-mail address: {email!r}")
    suppressor = app_ctx.suppressor()
    actor = audit.cli_actor()
    with session_scope(app_ctx.sessions()) as session:
        if suppressor.is_suppressed(session, "email", [address]):
            raise InputError(f"{email} is on the suppression list (the person was erased); not subscribed")
        contact = contact_by_email(session, address)
        if contact is None or name:
            policy = ContactPolicy(legal_basis="consent", suppressor=None, actor=actor)
            seen = SeenContact(name=name, emails=[address])
            contact = record_sighting(
                session, seen, source=EvidenceSource.MANUAL, message_id=None, seen_at=utcnow(), policy=policy
            )
        assert contact is not None
        purposes.add_purpose(
            session,
            contact,
            purposes.NEWSLETTER,
            rules=rules,
            source=purposes.PurposeSource.MANUAL,
            actor=actor,
            consent_given_at=_moment("--consent-given-at", consent_given_at),
            consent_source=consent_source,
        )
    typer.echo(f"contact {contact.id}: subscribed to the newsletter (consent recorded)")


def unsubscribe(ctx: typer.Context, email: EmailArgument, config: ConfigOption = None) -> None:
    """Unsubscribe from the newsletter: consent withdrawn, the newsletter's data deleted now."""
    app_ctx = context(ctx, config)
    with session_scope(app_ctx.sessions()) as session:
        contact = _contact(session, email)
        contact_id = contact.id
        add_opt_outs(
            session,
            contact,
            [purposes.NEWSLETTER],
            source=OptOutSource.MANUAL,
            message_id=None,
            at=utcnow(),
            actor=audit.cli_actor(),
        )
        gone = session.get(Contact, contact_id) is None
    if gone:
        typer.echo(f"contact {contact_id}: unsubscribed; held only for the newsletter, so deleted")
        typer.echo(reclaim(app_ctx.engine))
    else:
        typer.echo(f"contact {contact_id}: unsubscribed; newsletter data deleted, the rest kept")


def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A CSV file with a header row (email, name, phone, ...).")],
    purpose_: Annotated[str, typer.Option("--purpose", help="The purpose every row is held for.")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check everything, write nothing.")] = False,
    consent_source: ConsentSourceOption = None,
    consent_given_at: ConsentAtOption = None,
    json_out: JsonOption = False,
    config: ConfigOption = None,
) -> None:
    """Import a member or press list: all rows or, if any row is bad, none (bad lines are listed).

    Columns: email (required), name, phone, organization, title,
    tags (a|b), note, consent_given_at, consent_source, ended_at.

    Swedish column names (e-post, namn, telefon, ...) work too.
    Suppressed people are skipped, never imported.
    """
    app_ctx = context(ctx, config)
    rules_dir = app_ctx.config.rules_dir
    rules = purposes.load_purposes(rules_dir)
    _known(rules, purpose_)
    rows, problems = read_csv(file)
    with session_scope(app_ctx.sessions()) as session:
        report = import_rows(
            session,
            rows,
            problems,
            purpose=purpose_,
            rules=rules,
            suppressor=app_ctx.suppressor(),
            actor=audit.cli_actor(),
            dry_run=dry_run,
            consent_source=consent_source,
            consent_given_at=_moment("--consent-given-at", consent_given_at),
            rules_dir=rules_dir,
        )
    if json_out:
        emit_json(report.to_json())
    else:
        for problem in report.rejected:
            typer.echo(f"{file}:{problem.line}: rejected: {problem.reason}", err=True)
        for problem in report.skipped:
            typer.echo(f"{file}:{problem.line}: skipped: {problem.reason}", err=True)
        if report.imported:
            state = "imported"
        elif report.rejected:
            state = "nothing imported (fix the rejected lines)"
        else:
            state = "dry run, nothing written"
        typer.echo(
            f"{report.rows} rows: {report.created} new, {report.updated} updated, "
            f"{len(report.skipped)} skipped, {len(report.rejected)} rejected; {state}"
        )
    if report.rejected:
        raise typer.Exit(2)


def purposes_(
    ctx: typer.Context,
    json_out: JsonOption = False,
    markdown: Annotated[bool, typer.Option("--markdown", help="Print the record as Markdown.")] = False,
    config: ConfigOption = None,
) -> None:
    """The record of processing (GDPR Art. 30): every purpose, its basis, data, recipients and retention."""
    app_ctx = context(ctx, config)
    record = processing_record(purposes.load_purposes(app_ctx.config.rules_dir), app_ctx.config)
    if json_out:
        emit_json(record)
        return
    if markdown:
        typer.echo(render_markdown(record), nl=False)
        return
    table = Table(
        "purpose", "legal basis", "retention", title=f"Record of processing — {record['controller']}"
    )
    for entry in record["purposes"]:
        table.add_row(entry["purpose"], entry["legal_basis"], entry["retention"]["text"])
    Console().print(table)


def register(app: typer.Typer) -> None:
    """Mount the register's commands: on `contacts`, and `purposes` at the top level."""
    contacts.app.command("tag")(tag)
    contacts.app.command("note")(note)
    contacts.app.command("purpose")(purpose)
    contacts.app.command("subscribe")(subscribe)
    contacts.app.command("unsubscribe")(unsubscribe)
    contacts.app.command("import")(import_)
    app.command("purposes")(purposes_)
