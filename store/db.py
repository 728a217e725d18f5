"""Engine and sessions: embedded SQLite (WAL) by default, PostgreSQL by URL; migrations via Alembic."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from harvester.errors import StoreError

__all__ = [
    "current_revision",
    "head_revision",
    "make_engine",
    "make_sessionmaker",
    "session_scope",
    "upgrade",
]


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    # pysqlite's own BEGIN handling breaks SAVEPOINT; SQLAlchemy emits BEGIN instead (_sqlite_begin).
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


#: Execution option of a connection whose transaction will write (set by `session_scope`).
_WRITES = "harvester_writes"


def _sqlite_begin(conn: Any) -> None:
    # A unit of work takes SQLite's write lock at BEGIN (IMMEDIATE): a deferred transaction that
    # reads first (a batch reads everything up front) and writes later fails outright when
    # another writer committed in between (a stale WAL snapshot is never retried by
    # busy_timeout). IMMEDIATE makes the second writer wait its turn instead.
    conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITES) else "BEGIN")


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; for SQLite the file's directory is created and WAL switched on."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError, ValueError…
        raise StoreError(f"database.url: not a database URL: {exc}") from exc
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            try:
                Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the directory of {database}: {exc.strerror}") from exc
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error.

    On SQLite it holds the write lock from its first statement, so concurrent writers (the
    daemon and an `ingest`, two CLI commands) queue instead of failing on a stale snapshot.
    """
    with factory() as session:
        try:
            if session.get_bind().dialect.name == "sqlite":
                session.connection(execution_options={_WRITES: True})
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def _alembic_config() -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(resources.files("store") / "migrations"))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Create or migrate the schema to `revision` (the `harvester init` command)."""
    cfg = _alembic_config()
    try:
        with engine.begin() as connection:
            cfg.attributes["connection"] = connection
            command.upgrade(cfg, revision)
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot migrate the database: {type(exc).__name__}: {getattr(exc, 'orig', None) or exc}"
        ) from exc


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()
