"""Config errors name the file, the key and the problem; secrets never come from the file."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from harvester.config import load_config, parse_duration
from harvester.errors import ConfigError
from harvester.sources.credentials import resolve_credentials

MINIMAL = '[organization]\nname = "PR-byrån AB"\ndomains = ["pr-byran.example"]\n'
ACCOUNT = (
    '[[accounts]]\nname = "karin"\nhost = "imap.example.com"\nuser = "karin@pr-byran.example"\n'
    'password_env = "HARVESTER_KARIN_PASSWORD"\n'
)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "harvester.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_minimal_config_needs_only_the_organization(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, MINIMAL))
    assert config.organization.domains == ("pr-byran.example",)
    assert config.database_url.startswith("sqlite:///")
    assert config.accounts == ()


def test_account_defaults_to_implicit_tls_on_993(tmp_path: Path) -> None:
    account = load_config(_write(tmp_path, MINIMAL + ACCOUNT)).accounts[0]
    assert (account.tls, account.port, account.folders) == (True, 993, ("INBOX", "Sent"))
    assert account.poll_interval == timedelta(minutes=5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            MINIMAL + ACCOUNT.replace("password_env", "password"),
            "accounts[0].password: passwords never go in the config file",
        ),
        (MINIMAL + ACCOUNT + 'foldrs = ["INBOX"]\n', "accounts[0].foldrs: unknown key"),
        (MINIMAL + "[databse]\nurl = 'x'\n", "databse: unknown key"),
        ('[organization]\ndomains = ["x.example"]\n', "organization.name: missing"),
        ("", "organization: missing"),
        (MINIMAL + ACCOUNT + "port = 'imap'\n", "accounts[0].port: must be an integer"),
        (MINIMAL + ACCOUNT + "tls = 1\n", "accounts[0].tls: must be true or false"),
        (
            MINIMAL + ACCOUNT + 'poll_interval = "often"\n',
            "accounts[0].poll_interval: not a duration",
        ),
        (
            MINIMAL.replace("]\n", ']\ndefault_legal_basis = "whim"\n', 1),
            "organization.default_legal_basis: must be one of",
        ),
        (
            MINIMAL + "[[accounts]]\nname = 'k'\nhost = 'h'\nuser = 'u'\n",
            "accounts[0].password_env: missing",
        ),
        ("[organization\n", "not valid TOML"),
    ],
)
def test_bad_config_names_file_key_and_problem(tmp_path: Path, text: str, expected: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as excinfo:
        load_config(path)
    message = str(excinfo.value)
    assert str(path) in message
    assert expected in message


def test_missing_config_file_says_how_to_give_one(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        load_config(tmp_path / "nope.toml")


def test_password_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    account = load_config(_write(tmp_path, MINIMAL + ACCOUNT)).accounts[0]
    monkeypatch.delenv("HARVESTER_KARIN_PASSWORD", raising=False)
    with pytest.raises(ConfigError, match=r"HARVESTER_KARIN_PASSWORD.*is not set"):
        resolve_credentials(account)
    monkeypatch.setenv("HARVESTER_KARIN_PASSWORD", "s3cret")
    assert resolve_credentials(account).password == "s3cret"


def test_password_file_is_read_and_stripped(tmp_path: Path) -> None:
    (tmp_path / "pw").write_text("s3cret\n")
    text = MINIMAL + ACCOUNT.replace(
        'password_env = "HARVESTER_KARIN_PASSWORD"', f'password_file = "{tmp_path / "pw"}"'
    )
    assert resolve_credentials(load_config(_write(tmp_path, text)).accounts[0]).password == "s3cret"


def test_shipped_example_config_is_valid() -> None:
    example = Path(__file__).resolve().parents[2] / "config.example.toml"
    config = load_config(example)
    assert config.accounts and all(not hasattr(a, "password") for a in config.accounts)


@pytest.mark.parametrize(
    ("text", "expected"), [("30s", timedelta(seconds=30)), ("180d", timedelta(days=180))]
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected
