"""The `harvester` command: one Typer app, a sub-app per noun (shared/contracts/cli.md)."""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

import typer
from sqlalchemy.exc import SQLAlchemyError
from typer.core import TyperGroup

from harvester.cli import admin, contacts, mail, projects, register, retention, threads
from harvester.cli.common import ConfigOption
from harvester.cli.context import AppContext
from harvester.errors import HarvesterError

__all__ = ["app", "main"]


#: Click's own exceptions (usage errors, exits) pass through untouched; Typer vendors Click,
#: so the base class is found from a public Typer name rather than imported.
_CLICK_ERRORS: tuple[type[BaseException], ...] = (
    *(cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "ClickException"),
    typer.Exit,
    typer.Abort,
    KeyboardInterrupt,
)


class _Group(TyperGroup):
    """Turns every HarvesterError into one line on stderr and its exit status; never a traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except _CLICK_ERRORS:
            raise
        except BrokenPipeError:
            # `harvester inspect ... | head`: the reader left; stop quietly like other Unix tools.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(0) from None
        except HarvesterError as exc:
            typer.echo(f"harvester: {exc}", err=True)
            raise typer.Exit(exc.exit_code) from None
        except SQLAlchemyError as exc:
            detail = getattr(exc, "orig", None) or exc
            typer.echo(f"harvester: database error: {type(exc).__name__}: {detail}", err=True)
            raise typer.Exit(1) from None
        except Exception as exc:
            if os.environ.get("HARVESTER_DEBUG"):
                raise
            typer.echo(
                f"harvester: internal error ({type(exc).__name__}); "
                "run with HARVESTER_DEBUG=1 to see the traceback",
                err=True,
            )
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_Group,
    name="harvester",
    help="Keeps press and member contacts up to date from mail, under GDPR.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def _root(ctx: typer.Context, config: ConfigOption = None) -> None:
    ctx.obj = AppContext(config_path=config)
    logging.basicConfig(
        level=os.environ.get("HARVESTER_LOG_LEVEL", "WARNING"),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )


admin.register(app)
mail.register(app)
app.add_typer(contacts.app, name="contacts", help="The contact list and data-subject rights.")
app.add_typer(projects.app, name="projects", help="Projects and their conversations.")
app.add_typer(threads.app, name="threads", help="Conversations rebuilt from reply headers.")
app.add_typer(retention.app, name="retention", help="What is kept, and what is deleted when.")
register.register(app)


def main() -> None:
    app(prog_name="harvester")


if __name__ == "__main__":  # pragma: no cover
    main()
