"""The configuration file (shared/contracts/config.md) → a typed `Config`.

Every error names the file, the key and the problem, because the person reading
it is an office administrator at a terminal, not a developer. Unknown keys are
errors: a typo must never be silently ignored. Secrets never live here.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from harvester.errors import ConfigError

__all__ = [
    "AccountConfig",
    "Config",
    "LegalBasis",
    "default_data_dir",
    "find_config_path",
    "load_config",
    "parse_duration",
]

DEFAULT_CONFIG_NAME = "harvester.toml"
CONFIG_ENV = "HARVESTER_CONFIG"


class LegalBasis(StrEnum):
    LEGITIMATE_INTEREST = "legitimate_interest"
    CONSENT = "consent"
    CONTRACT = "contract"


_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """`"5m"`, `"180d"` → timedelta.

    >>> parse_duration("5m")
    datetime.timedelta(seconds=300)
    >>> parse_duration("2w").days
    14
    """
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"not a duration like '5m' or '180d': {text!r}")
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


@dataclass(frozen=True, slots=True)
class OrganizationConfig:
    name: str
    domains: tuple[str, ...] = ()
    default_legal_basis: LegalBasis = LegalBasis.LEGITIMATE_INTEREST


@dataclass(frozen=True, slots=True)
class AccountConfig:
    """One mailbox to poll. Its secret is looked up only when connecting
    (harvester.sources.credentials), so a rotated password or token needs no restart."""

    name: str
    host: str
    user: str
    port: int
    tls: bool = True
    starttls: bool = False
    password_env: str | None = None
    password_file: Path | None = None
    oauth2_token_command: str | None = None
    oauth2_token_file: Path | None = None
    folders: tuple[str, ...] = ("INBOX", "Sent")
    poll_interval: timedelta = timedelta(minutes=5)
    batch_size: int = 500
    timeout: float = 60.0
    ca_file: Path | None = None


@dataclass(frozen=True, slots=True)
class Config:
    path: Path | None
    organization: OrganizationConfig
    database_url: str
    data_dir: Path
    rules_dir: Path | None = None
    suppression_key_env: str | None = "HARVESTER_SUPPRESSION_KEY"
    suppression_key_file: Path | None = None
    accounts: tuple[AccountConfig, ...] = ()
    unlinked_threads: timedelta = timedelta(days=180)
    inactive_contacts: timedelta | None = None
    retention_run_at: str = "03:30"
    log_level: str = "INFO"
    extra: dict[str, Any] = field(default_factory=dict)

    def suppression_key(self) -> bytes:
        """The HMAC key for suppression hashes; outside the database by design."""
        if self.suppression_key_file is not None:
            try:
                value = self.suppression_key_file.read_bytes().strip()
            except OSError as exc:
                raise ConfigError(
                    f"{self.path}: suppression.key_file: cannot read {self.suppression_key_file}"
                ) from exc
        else:
            env = self.suppression_key_env or "HARVESTER_SUPPRESSION_KEY"
            value = os.environ.get(env, "").encode()
            if not value:
                raise ConfigError(
                    f"{self.path}: suppression.key_env: environment variable {env} is not set "
                    "(or set suppression.key_file)"
                )
        if len(value) < 16:
            raise ConfigError(f"{self.path}: suppression: the key must be at least 16 bytes")
        return value

    def account(self, name: str) -> AccountConfig:
        for account in self.accounts:
            if account.name == name:
                return account
        raise ConfigError(f"{self.path}: no account named {name!r}")


def find_config_path(explicit: Path | None) -> Path:
    """--config, else $HARVESTER_CONFIG, else ./harvester.toml."""
    if explicit is not None:
        return explicit
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    return Path(DEFAULT_CONFIG_NAME)


class _Reader:
    """Reads one table of the TOML document, naming file and key in every error."""

    def __init__(self, path: Path, prefix: str, table: Any) -> None:
        self.path = path
        self.prefix = prefix
        if not isinstance(table, dict):
            self.fail("", "must be a table")
        self.table: dict[str, Any] = table
        self.seen: set[str] = set()
        if "password" in table:
            self.fail(
                "password",
                "passwords never go in the config file; use password_env or password_file",
            )

    def fail(self, key: str, problem: str) -> None:
        where = f"{self.prefix}.{key}" if key and self.prefix else (key or self.prefix)
        raise ConfigError(f"{self.path}: {where}: {problem}")

    def get(
        self,
        key: str,
        kind: type | tuple[type, ...],
        default: Any = None,
        *,
        required: bool = False,
    ) -> Any:
        self.seen.add(key)
        if key not in self.table:
            if required:
                self.fail(key, "missing")
            return default
        value = self.table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if not isinstance(value, kind) or (isinstance(value, bool) and bool not in kinds):
            self.fail(key, f"must be {_kind_name(kind)}, got {type(value).__name__}")
        return value

    def strings(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        value = self.get(key, list, None)
        if value is None:
            return default
        if not all(isinstance(item, str) and item for item in value):
            self.fail(key, "must be a list of non-empty strings")
        return tuple(value)

    def duration(self, key: str, default: timedelta | None) -> timedelta | None:
        value = self.get(key, str, None)
        if value is None:
            return default
        try:
            return parse_duration(value)
        except ValueError as exc:
            self.fail(key, str(exc))
            raise  # unreachable: fail() raises

    def done(self) -> None:
        for key in self.table:
            if key not in self.seen:
                self.fail(key, "unknown key")


def _kind_name(kind: type | tuple[type, ...]) -> str:
    names = {
        str: "a string",
        int: "an integer",
        bool: "true or false",
        list: "a list",
        dict: "a table",
        float: "a number",
    }
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _organization(path: Path, doc: dict[str, Any]) -> OrganizationConfig:
    if "organization" not in doc:
        raise ConfigError(f"{path}: organization: missing (a [organization] table with name and domains)")
    r = _Reader(path, "organization", doc["organization"])
    name = r.get("name", str, required=True)
    domains = tuple(d.lower().lstrip("@") for d in r.strings("domains"))
    basis_text = r.get("default_legal_basis", str, LegalBasis.LEGITIMATE_INTEREST.value)
    try:
        basis = LegalBasis(basis_text)
    except ValueError:
        r.fail("default_legal_basis", f"must be one of {', '.join(b.value for b in LegalBasis)}")
        raise
    r.done()
    return OrganizationConfig(name=name, domains=domains, default_legal_basis=basis)


def _account(path: Path, index: int, table: Any, names: set[str]) -> AccountConfig:
    r = _Reader(path, f"accounts[{index}]", table)
    name = r.get("name", str, required=True)
    if name in names:
        r.fail("name", f"{name!r} is used by two accounts")
    names.add(name)
    host = r.get("host", str, required=True)
    user = r.get("user", str, required=True)
    tls = r.get("tls", bool, True)
    starttls = r.get("starttls", bool, False)
    if tls and starttls:
        r.fail("starttls", "tls (implicit TLS) and starttls cannot both be true")
    port = r.get("port", int, 993 if tls else 143)
    if not 0 < port < 65536:
        r.fail("port", "must be between 1 and 65535")
    password_env = r.get("password_env", str)
    password_file = r.get("password_file", str)
    token_command = r.get("oauth2_token_command", str)
    token_file = r.get("oauth2_token_file", str)
    given = [
        k
        for k, v in (
            ("password_env", password_env),
            ("password_file", password_file),
            ("oauth2_token_command", token_command),
            ("oauth2_token_file", token_file),
        )
        if v
    ]
    if not given:
        r.fail("password_env", "missing (or password_file, oauth2_token_command, oauth2_token_file)")
    if len(given) > 1:
        r.fail(given[1], f"give only one of {', '.join(given)}")
    folders = r.strings("folders", ("INBOX", "Sent"))
    interval = r.duration("poll_interval", timedelta(minutes=5))
    batch_size = r.get("batch_size", int, 500)
    if batch_size < 1:
        r.fail("batch_size", "must be at least 1")
    timeout = r.get("timeout", (int, float), 60.0)
    ca_file = r.get("ca_file", str)
    r.done()
    return AccountConfig(
        name=name,
        host=host,
        user=user,
        port=port,
        tls=tls,
        starttls=starttls,
        password_env=password_env,
        password_file=_relative_to(path, password_file),
        oauth2_token_command=token_command,
        oauth2_token_file=_relative_to(path, token_file),
        folders=folders,
        poll_interval=interval or timedelta(minutes=5),
        batch_size=batch_size,
        timeout=float(timeout),
        ca_file=_relative_to(path, ca_file),
    )


def default_data_dir() -> Path:
    """Where the embedded database lives when nothing names a place (XDG data home)."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "harvester"


def _relative_to(config_path: Path, value: str | None) -> Path | None:
    """Relative paths in the config are relative to the config file, not to the working directory."""
    if not value:
        return None
    path = Path(value).expanduser()
    return path if path.is_absolute() else config_path.parent / path


def _parse(path: Path, doc: dict[str, Any]) -> Config:
    top = _Reader(path, "", doc)
    organization = _organization(path, doc)
    top.seen.add("organization")

    storage = _Reader(path, "storage", top.get("storage", dict, {}))
    data_dir = _relative_to(path, storage.get("data_dir", str, None)) or default_data_dir()
    storage.done()

    database = _Reader(path, "database", top.get("database", dict, {}))
    url = database.get("url", str, None) or f"sqlite:///{data_dir / 'harvester.db'}"
    database.done()

    rules = _Reader(path, "rules", top.get("rules", dict, {}))
    rules_dir = rules.get("dir", str, None)
    rules.done()

    suppression = _Reader(path, "suppression", top.get("suppression", dict, {}))
    key_env = suppression.get("key_env", str, None)
    key_file = suppression.get("key_file", str, None)
    if key_env and key_file:
        suppression.fail("key_file", "give key_env or key_file, not both")
    suppression.done()

    retention = _Reader(path, "retention", top.get("retention", dict, {}))
    unlinked = retention.duration("unlinked_threads", timedelta(days=180))
    inactive = retention.duration("inactive_contacts", None)
    run_at = retention.get("run_at", str, "03:30")
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", run_at):
        retention.fail("run_at", "must be a time of day like '03:30'")
    retention.done()

    logging_t = _Reader(path, "logging", top.get("logging", dict, {}))
    level = logging_t.get("level", str, "INFO").upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        logging_t.fail("level", "must be DEBUG, INFO, WARNING or ERROR")
    logging_t.done()

    accounts_raw = top.get("accounts", list, [])
    names: set[str] = set()
    accounts = tuple(_account(path, i, t, names) for i, t in enumerate(accounts_raw))
    top.done()
    return Config(
        path=path,
        organization=organization,
        database_url=url,
        data_dir=data_dir,
        rules_dir=_relative_to(path, rules_dir),
        suppression_key_env=None if key_file else (key_env or "HARVESTER_SUPPRESSION_KEY"),
        suppression_key_file=_relative_to(path, key_file),
        accounts=accounts,
        unlinked_threads=unlinked or timedelta(days=180),
        inactive_contacts=inactive,
        retention_run_at=run_at,
        log_level=level,
    )


def load_config(path: Path) -> Config:
    """Read and validate the file; every problem is a ConfigError naming file and key."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(
            f"{path}: no such config file (give --config PATH or set {CONFIG_ENV}; "
            "config.example.toml shows every key)"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return _parse(path, doc)
