"""Pure parts of the IMAP source: folder selection and where secrets come from."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from harvester.errors import ConfigError, SourceError
from harvester.sources.credentials import Credentials, resolve_credentials
from harvester.sources.imap import match_folders

_FOLDERS = ["INBOX", "Sent", "Drafts", "Projekt/Alfa", "Projekt/Beta", "Arkiv 2025"]


@pytest.mark.parametrize(
    ("wanted", "chosen"),
    [
        (["INBOX", "Sent"], ["INBOX", "Sent"]),
        (["inbox"], ["INBOX"]),
        (["sent"], []),
        (["Projekt/*"], ["Projekt/Alfa", "Projekt/Beta"]),
        (["Projekt/?eta", "INBOX"], ["Projekt/Beta", "INBOX"]),
        (["*", "INBOX"], _FOLDERS),
        (["Saknas"], []),
        (["Arkiv 20[0-9][0-9]"], ["Arkiv 2025"]),
    ],
)
def test_folders_are_chosen_by_name_or_pattern_in_config_order(wanted: list[str], chosen: list[str]) -> None:
    assert match_folders(_FOLDERS, wanted) == chosen


@dataclass
class _Secrets:
    name: str = "karin"
    user: str = "karin@pr-byran.example"
    password_env: str | None = None
    password_file: str | None = None
    oauth2_token_command: str | None = None


def test_password_comes_from_the_named_environment_variable() -> None:
    account = _Secrets(password_env="HARVESTER_KARIN_PASSWORD")

    found = resolve_credentials(account, environ={"HARVESTER_KARIN_PASSWORD": "hemligt"})

    assert found == Credentials("karin@pr-byran.example", password="hemligt")
    assert "hemligt" not in repr(found)


def test_password_file_loses_its_trailing_newline(tmp_path: Path) -> None:
    secret = tmp_path / "karin.password"
    secret.write_text("hemligt \n")

    found = resolve_credentials(_Secrets(password_file=str(secret)))

    assert found.password == "hemligt "


def test_oauth2_token_comes_from_the_command_output() -> None:
    command = f"{sys.executable} -c \"print('ya29.token')\""

    found = resolve_credentials(_Secrets(oauth2_token_command=command))

    assert found == Credentials("karin@pr-byran.example", oauth2_token="ya29.token")


@pytest.mark.parametrize(
    ("account", "error", "message"),
    [
        (_Secrets(password_env="NOT_SET_ANYWHERE"), ConfigError, "NOT_SET_ANYWHERE"),
        (_Secrets(password_file="/nonexistent/karin.password"), ConfigError, "password_file"),
        (_Secrets(), ConfigError, "no secret"),
        (
            _Secrets(oauth2_token_command=f"{sys.executable} -c \"print('refresh-x'); exit(3)\""),
            SourceError,
            "status 3",
        ),
        (_Secrets(oauth2_token_command="/nonexistent/get-token"), SourceError, "get-token"),
    ],
    ids=["env-unset", "file-missing", "nothing", "command-fails", "command-missing"],
)
def test_missing_secret_names_the_account_and_where_it_looked(
    account: _Secrets, error: type[Exception], message: str
) -> None:
    with pytest.raises(error) as caught:
        resolve_credentials(account, environ={})

    assert str(caught.value).startswith("account karin: ")
    assert message in str(caught.value)
    assert "refresh-x" not in str(caught.value)
