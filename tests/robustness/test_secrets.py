"""The IMAP password, an OAuth2 token and the suppression key never leave the process.

Looked for (verbatim, and in the base64 forms AUTHENTICATE PLAIN and XOAUTH2 put on
the wire) in: every log record at DEBUG (in-process, imapclient's protocol log
included), a subprocess's stdout and stderr with HARVESTER_LOG_LEVEL=DEBUG, every
exception message (and its causes), `harvester status --json`, `harvester audit
--json`, and every row of every table of the database. Cases: a wrong password
against Dovecot, a right one, a token command that fails (and prints the token on its
stderr), a token the server refuses, a suppression key that is too short, and a good
key used for an ingest and an erasure.
"""

from __future__ import annotations

import base64
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from harvester.config import load_config
from harvester.errors import HarvesterError
from store.db import upgrade
from store.models import Base
from tests.imap.conftest import Mailbox
from tests.robustness.corpus import SEEDS
from tests.robustness.helpers import account_toml, make_pipeline, run_harvester, write_config

PASSWORD_ENV = "HARVESTER_ROBUST_SECRET_PW"
WRONG_PASSWORD = "Fel-Losen-7f3a9c!"
TOKEN = "ya29.robust-oauth-token-5b8e1d0c"
SHORT_KEY = "kort-nyckel-15b"  # 15 bytes: refused


def _forms(secret: str, user: str = "") -> list[str]:
    """The secret as written, and as base64 inside AUTHENTICATE PLAIN / XOAUTH2."""
    forms = [secret]
    for wire in (f"\0{user}\0{secret}", f"user={user}\1auth=Bearer {secret}\1\1"):
        forms.append(base64.b64encode(wire.encode()).decode())
    return forms


def _exception_texts(exc: BaseException | None) -> Iterator[str]:
    while exc is not None:
        yield f"{exc!s} {exc!r} {exc.args!r}"
        exc = exc.__cause__ or exc.__context__


def _database_text(sessions: sessionmaker[Session]) -> str:
    with sessions() as session:
        return "\n".join(
            repr(tuple(row))
            for table in Base.metadata.sorted_tables
            for row in session.execute(select(table))
        )


def assert_nowhere(secret: str, user: str, *texts: str) -> None:
    for form in _forms(secret, user):
        for text in texts:
            assert form not in text, (
                f"a secret ({secret[:3]}…) leaked: …{text[max(0, text.find(form) - 80) :][:200]}…"
            )


def _account(mailbox: Mailbox, secret_lines: str) -> str:
    return account_toml(
        host=mailbox.host, port=mailbox.port, user=mailbox.user, secret=secret_lines, extra="timeout = 5"
    )


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """SQLite only: where a secret could leak does not depend on the backend (keeps the suite short)."""
    return f"sqlite:///{tmp_path / 'harvester.db'}"


@pytest.fixture
def sessions(db_url: str) -> sessionmaker[Session]:
    pipeline = make_pipeline(db_url)
    upgrade(pipeline.sessions.kw["bind"])
    return pipeline.sessions


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("imapclient").setLevel(logging.DEBUG)
    return caplog


def _in_process_sync(config_path: Path, db_url: str) -> tuple[str, list[str]]:
    """sync_account in this process: returns (its error text, the exception texts met)."""
    from harvester.sync import sync_account

    config = load_config(config_path)
    pipeline = make_pipeline(db_url)
    texts: list[str] = []
    try:
        result = sync_account(config.accounts[0], pipeline=pipeline)
        error = result.error or ""
    except HarvesterError as exc:  # an error the CLI would print: its text is checked too
        error = str(exc)
        texts.extend(_exception_texts(exc))
    return error, texts


def _cli_texts(config: Path, env: dict[str, str]) -> list[str]:
    texts = []
    for args in (["sync", "--once", "--json"], ["status", "--json"], ["audit", "--json"]):
        done = run_harvester("--config", str(config), *args, env={"HARVESTER_LOG_LEVEL": "DEBUG", **env})
        texts += [done.stdout, done.stderr]
    return texts


@pytest.mark.dovecot
@pytest.mark.parametrize("password", [WRONG_PASSWORD, "right"])
def test_imap_password_appears_in_no_log_status_audit_error_or_table(
    tmp_path: Path,
    db_url: str,
    sessions: sessionmaker[Session],
    mailbox: Mailbox,
    debug_logs: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    password: str,
) -> None:
    secret = mailbox.password if password == "right" else WRONG_PASSWORD
    mailbox.deliver("INBOX", SEEDS["01-recension-signatur.eml"])
    monkeypatch.setenv(PASSWORD_ENV, secret)
    config = write_config(
        tmp_path / "harvester.toml", db_url, extra=_account(mailbox, f'password_env = "{PASSWORD_ENV}"')
    )
    error, exc_texts = _in_process_sync(config, db_url)
    assert bool(error) == (password != "right")
    texts = [error, *exc_texts, debug_logs.text, *(r.getMessage() for r in debug_logs.records)]
    texts += _cli_texts(config, {PASSWORD_ENV: secret})
    texts.append(_database_text(sessions))
    assert_nowhere(secret, mailbox.user, *texts)


@pytest.mark.dovecot
@pytest.mark.parametrize(
    "command",
    [
        f"sh -c 'echo {TOKEN} >&2; exit 3'",  # fails, and says the token on stderr
        f"echo {TOKEN}",  # a token Dovecot refuses (no XOAUTH2 configured)
    ],
    ids=["failing_command", "refused_token"],
)
def test_oauth_token_appears_in_no_log_status_audit_error_or_table(
    tmp_path: Path,
    db_url: str,
    sessions: sessionmaker[Session],
    mailbox: Mailbox,
    debug_logs: pytest.LogCaptureFixture,
    command: str,
) -> None:
    extra = _account(mailbox, f'oauth2_token_command = "{command}"'.replace("'", "\\u0027"))
    config = write_config(tmp_path / "harvester.toml", db_url, extra=extra)
    error, exc_texts = _in_process_sync(config, db_url)
    assert error, "the sync should have failed"
    texts = [error, *exc_texts, debug_logs.text, *(r.getMessage() for r in debug_logs.records)]
    texts += _cli_texts(config, {})
    texts.append(_database_text(sessions))
    assert_nowhere(TOKEN, mailbox.user, *texts)


def test_suppression_key_that_is_too_short_is_refused_without_being_shown(
    tmp_path: Path, db_url: str, sessions: sessionmaker[Session]
) -> None:
    key_file = tmp_path / "suppression.key"
    key_file.write_text(SHORT_KEY)
    config = write_config(
        tmp_path / "harvester.toml", db_url, extra=f'[suppression]\nkey_file = "{key_file}"\n'
    )
    env = {"HARVESTER_LOG_LEVEL": "DEBUG", "HARVESTER_SUPPRESSION_KEY": ""}
    texts = []
    for args in (["ingest", str(tmp_path)], ["contacts", "forget", "erik@dagbladet.example", "--yes"]):
        done = run_harvester("--config", str(config), *args, env=env)
        assert done.returncode != 0
        texts += [done.stdout, done.stderr]
    with pytest.raises(HarvesterError) as caught:
        load_config(config).suppression_key()
    texts += list(_exception_texts(caught.value))
    assert_nowhere(SHORT_KEY, "", *texts)


def test_suppression_key_appears_in_no_log_output_audit_or_table(
    tmp_path: Path, db_url: str, sessions: sessionmaker[Session], debug_logs: pytest.LogCaptureFixture
) -> None:
    key = os.urandom(12).hex() + "-nyckel"
    mail = tmp_path / "mail"
    mail.mkdir()
    for name, data in SEEDS.items():
        (mail / name).write_bytes(data)
    config = write_config(tmp_path / "harvester.toml", db_url)
    env = {"HARVESTER_LOG_LEVEL": "DEBUG", "HARVESTER_SUPPRESSION_KEY": key}
    texts = []
    for args in (
        ["ingest", str(mail), "--json"],
        ["contacts", "forget", "erik.lindqvist@dagbladet.example", "--yes"],
        ["contacts", "list", "--json"],
        ["status", "--json"],
        ["audit", "--json"],
    ):
        done = run_harvester("--config", str(config), *args, env=env)
        texts += [done.stdout, done.stderr]
    texts += [debug_logs.text, _database_text(sessions)]
    assert_nowhere(key, "", *texts)


@pytest.mark.dovecot
def test_non_ascii_password_is_an_account_error_not_a_crash(
    tmp_path: Path,
    db_url: str,
    sessions: sessionmaker[Session],
    mailbox: Mailbox,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, "Fel-Lösen-åäö")
    config = write_config(
        tmp_path / "harvester.toml", db_url, extra=_account(mailbox, f'password_env = "{PASSWORD_ENV}"')
    )
    from harvester.sync import sync_account

    result = sync_account(load_config(config).accounts[0], pipeline=make_pipeline(db_url))
    assert result.error
