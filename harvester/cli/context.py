"""What every command needs, built lazily: the config, the database, the pipeline."""

from __future__ import annotations

import os
import secrets
import sys
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from harvester.config import (
    CONFIG_ENV,
    Config,
    OrganizationConfig,
    default_data_dir,
    find_config_path,
    load_config,
)
from harvester.errors import ConfigError, StoreError
from store import audit
from store.contacts import ContactPolicy
from store.db import current_revision, head_revision, make_engine, make_sessionmaker
from store.suppression import Suppressor

__all__ = ["AppContext"]


def _defaults() -> Config:
    data_dir = default_data_dir()
    return Config(
        path=None,
        organization=OrganizationConfig(name="(no organisation configured)"),
        database_url=f"sqlite:///{data_dir / 'harvester.db'}",
        data_dir=data_dir,
    )


@dataclass
class AppContext:
    config_path: Path | None = None
    _engine: Engine | None = field(default=None, init=False)

    @cached_property
    def config(self) -> Config:
        path = find_config_path(self.config_path)
        explicit = self.config_path is not None or bool(os.environ.get(CONFIG_ENV))
        if not explicit and not path.exists():
            config = _defaults()
            print(
                f"harvester: no {path} found; using defaults (data in {config.data_dir})",
                file=sys.stderr,
            )
            return config
        return load_config(path)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.config.database_url)
        return self._engine

    def sessions(self, *, migrate: bool = False) -> sessionmaker[Session]:
        """A session factory; `migrate` creates or upgrades the schema first (embedded use)."""
        from store.db import upgrade

        engine = self.engine
        current = current_revision(engine)
        if current != head_revision():
            if migrate or (current is None and engine.dialect.name == "sqlite"):
                upgrade(engine)
            else:
                raise StoreError(
                    f"the database is at schema {current or 'none'}, this harvester needs "
                    f"{head_revision()}: run `harvester init`"
                )
        return make_sessionmaker(engine)

    def suppression_key(self) -> bytes:
        """The configured key; in the embedded default, a key file created in the data dir."""
        config = self.config
        if config.suppression_key_file is not None or os.environ.get(
            config.suppression_key_env or "HARVESTER_SUPPRESSION_KEY"
        ):
            return config.suppression_key()
        if config.path is not None and config.suppression_key_env != "HARVESTER_SUPPRESSION_KEY":
            return config.suppression_key()  # names a variable that is not set: say so
        key_file = config.data_dir / "suppression.key"
        if not key_file.exists():
            try:
                key_file.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "w") as handle:
                    handle.write(secrets.token_hex(32))
            except FileExistsError:
                pass
            except OSError as exc:
                raise ConfigError(f"cannot create the suppression key {key_file}: {exc.strerror}") from exc
        return key_file.read_bytes().strip()

    def suppressor(self) -> Suppressor:
        return Suppressor(self.suppression_key())

    def contact_policy(self, *, actor: str | None = None) -> ContactPolicy:
        return ContactPolicy(
            legal_basis=self.config.organization.default_legal_basis.value,
            suppressor=self.suppressor(),
            actor=actor or audit.cli_actor(),
        )
