"""Fixtures shared by every test: databases (SQLite always, PostgreSQL when configured).

Store tests run on SQLite and, when HARVESTER_TEST_DATABASE_URL is set (CI sets it),
on that PostgreSQL too, each test in a schema of its own that is dropped after.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from store.db import make_engine, make_sessionmaker, upgrade

PG_URL_ENV = "HARVESTER_TEST_DATABASE_URL"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get(PG_URL_ENV) else [])


def pytest_configure(config: pytest.Config) -> None:
    """In CI (HARVESTER_REQUIRE_SERVICES=1) a missing PostgreSQL is a failure, never a quiet skip."""
    if os.environ.get("HARVESTER_REQUIRE_SERVICES") and not os.environ.get(PG_URL_ENV):
        raise pytest.UsageError(f"HARVESTER_REQUIRE_SERVICES is set but {PG_URL_ENV} is not")


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database of each backend, removed after the test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'harvester.db'}"
        return
    base = os.environ[PG_URL_ENV]
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated database (the real Alembic migrations, not create_all)."""
    eng = make_engine(db_url)
    upgrade(eng)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


@pytest.fixture
def suppression_key(monkeypatch: pytest.MonkeyPatch) -> bytes:
    key = b"test-suppression-key-0123456789abcdef"
    monkeypatch.setenv("HARVESTER_SUPPRESSION_KEY", key.decode())
    return key


@pytest.fixture
def config_file(tmp_path: Path, db_url: str, suppression_key: bytes) -> Path:
    """A minimal config for CLI tests, pointing at the test database."""
    path = tmp_path / "harvester.toml"
    path.write_text(
        f"""
[organization]
name = "PR-byrån AB"
domains = ["pr-byran.example"]

[database]
url = "{db_url}"

[storage]
data_dir = "{tmp_path / "data"}"
""",
        encoding="utf-8",
    )
    return path
