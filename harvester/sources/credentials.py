"""Secrets for an IMAP account: a password from an environment variable or a file, or an
OAuth2 access token from a command.

Why a separate step: secrets never live in the config file, and they are resolved at
connect time, not at load time, so a token command runs again on every reconnect and a
rotated password file is picked up without a restart. Error messages name the account
and where the secret was looked for, never the secret itself.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from harvester.errors import ConfigError, SourceError

__all__ = ["AccountSecrets", "Credentials", "SecretResolver", "resolve_credentials"]

_TOKEN_COMMAND_TIMEOUT = 30.0


class AccountSecrets(Protocol):
    """The attributes of an account that say where its secret is (config's AccountConfig)."""

    # Read-only properties, so frozen dataclasses (AccountConfig) and Path values fit.
    @property
    def name(self) -> str: ...
    @property
    def user(self) -> str: ...
    @property
    def password_env(self) -> str | None: ...
    @property
    def password_file(self) -> str | os.PathLike[str] | None: ...
    @property
    def oauth2_token_command(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a login needs: a password, or an OAuth2 access token (XOAUTH2)."""

    user: str
    password: str | None = field(default=None, repr=False)
    oauth2_token: str | None = field(default=None, repr=False)


#: Turns an account into credentials; the default reads env/file/command, tests may pass their own.
SecretResolver = Callable[[AccountSecrets], Credentials]


def resolve_credentials(account: AccountSecrets, *, environ: Mapping[str, str] | None = None) -> Credentials:
    """Read the account's secret from where the config says it is.

    Order: `oauth2_token_command`, then `password_env`, then `password_file`. One
    trailing newline of a file or a command's output is dropped (editors add one).
    """
    env = os.environ if environ is None else environ
    if account.oauth2_token_command:
        return Credentials(account.user, oauth2_token=_run_token_command(account))
    token_file = getattr(account, "oauth2_token_file", None)  # optional in the Protocol
    if token_file:
        return Credentials(
            account.user, oauth2_token=_read_secret_file(account, token_file, "oauth2_token_file")
        )
    if account.password_env:
        value = env.get(account.password_env)
        if not value:
            raise ConfigError(
                f"account {account.name}: environment variable {account.password_env} "
                "(password_env) is not set"
            )
        return Credentials(account.user, password=value)
    if account.password_file:
        return Credentials(
            account.user, password=_read_secret_file(account, account.password_file, "password_file")
        )
    raise ConfigError(
        f"account {account.name}: no secret: set password_env, password_file or oauth2_token_command"
    )


def _read_secret_file(account: AccountSecrets, name: str | os.PathLike[str], key: str) -> str:
    path = Path(name).expanduser()
    try:
        value = path.read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as exc:
        raise ConfigError(f"account {account.name}: {key} {path}: {exc.strerror or exc}") from exc
    if not value:
        raise ConfigError(f"account {account.name}: {key} {path} is empty")
    return value


def _run_token_command(account: AccountSecrets) -> str:
    command = account.oauth2_token_command or ""
    try:
        result = subprocess.run(
            shlex.split(command),
            capture_output=True,
            text=True,
            timeout=_TOKEN_COMMAND_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SourceError(f"account {account.name}: oauth2_token_command failed: {exc}") from exc
    token = result.stdout.strip()
    if result.returncode != 0 or not token:
        # stderr may carry a token or a refresh secret: report the exit status only.
        raise SourceError(
            f"account {account.name}: oauth2_token_command exited with status "
            f"{result.returncode} and {'no token' if not token else 'output'}"
        )
    return token
