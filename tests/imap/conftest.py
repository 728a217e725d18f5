"""Fixtures for tests against a real Dovecot (see tests/dovecot.py).

`dovecot` is one server for the whole session; `mailbox` gives each test a fresh user
with an empty INBOX, so tests never see each other's mail. When Dovecot cannot start,
the tests fail with the log's path: a skipped IMAP suite would hide a broken CI.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import imapclient
import pytest

from tests.dovecot import DovecotError, DovecotServer

__all__ = ["Mailbox"]

_users = count(1)


@dataclass(frozen=True)
class Mailbox:
    """One test user on the session's Dovecot, with shortcuts to fill and read it."""

    server: DovecotServer
    user: str
    password: str

    @property
    def host(self) -> str:
        return self.server.host

    @property
    def port(self) -> int:
        return self.server.port

    @property
    def ssl_port(self) -> int:
        return self.server.ssl_port

    @property
    def ca_file(self) -> Path:
        return self.server.ca_file

    def deliver(self, folder: str, data: bytes, *, seen: bool = False) -> Path:
        return self.server.deliver(self.user, folder, data, seen=seen)

    def create_folder(self, folder: str) -> Path:
        return self.server.create_folder(self.user, folder)

    def recreate_folder(self, folder: str) -> None:
        self.server.recreate_folder(self.user, folder)

    def connect(self, *, tls: bool = False) -> imapclient.IMAPClient:
        """A logged-in imapclient (plain port, or the TLS port verified with `ca_file`)."""
        if tls:
            context = ssl.create_default_context(cafile=str(self.ca_file))
            client = imapclient.IMAPClient(
                self.host, self.ssl_port, ssl=True, ssl_context=context, timeout=10
            )
        else:
            client = imapclient.IMAPClient(self.host, self.port, ssl=False, timeout=10)
        client.login(self.user, self.password)
        return client


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/imap as `dovecot`, so `-m 'not dovecot'` can leave them out."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.dovecot)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    """A running Dovecot for the session; fails (never skips) when it cannot start."""
    try:
        server = DovecotServer()
    except (DovecotError, OSError, KeyError) as exc:
        pytest.fail(f"cannot prepare the test Dovecot: {exc}", pytrace=False)
    try:
        server.start()
    except (DovecotError, OSError) as exc:
        # Keep the directory: the log named in the message must still be there to read.
        server.stop_process()
        pytest.fail(f"cannot start the test Dovecot: {exc}\n{server.log_tail()}", pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def mailbox(dovecot: DovecotServer) -> Mailbox:
    """A fresh user with an empty INBOX on the running Dovecot (restarted if a test stopped it)."""
    if not dovecot.running:
        dovecot.start()
    user = f"user{next(_users)}"
    password = f"pw-{user}-Hemligt"
    dovecot.add_user(user, password)
    return Mailbox(dovecot, user, password)
