"""Alembic environment: runs on the connection harvester hands it (see store.db.upgrade)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from store.models import Base, CleanString, CleanText, UTCDateTime

config = context.config
target_metadata = Base.metadata


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Migrations stay plain SQLAlchemy: our column types are DateTime, String and Text in the database."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    if type_ == "type" and isinstance(obj, CleanText):
        return "sa.Text()"
    if type_ == "type" and isinstance(obj, CleanString):
        return f"sa.String(length={obj.impl.length})"
    return False


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:  # `alembic` command line during development: URL from -x url=...
    url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///dev.db")
    with create_engine(url).begin() as conn:
        _run(conn)
