"""`harvester sync` and `harvester run` against a real Dovecot: incremental, read-only, stoppable."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harvester.cli.app import app
from tests.imap.conftest import Mailbox


def _message(n: int, *, sender: str = "erik.lindqvist@dagbladet.example") -> bytes:
    return (
        f"From: Erik Lindqvist <{sender}>\r\nTo: karin@pr-byran.example\r\n"
        f"Subject: Fråga {n}\r\nMessage-ID: <sync-{n}@dagbladet.example>\r\n"
        f"Date: Tue, 3 Mar 2026 10:{n % 60:02d}:00 +0100\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"Hej Karin, fråga nummer {n}.\r\n\r\nMvh\r\nErik Lindqvist\r\nMusikjournalist\r\n"
    ).encode()


@pytest.fixture
def sync_config(
    tmp_path: Path, db_url: str, mailbox: Mailbox, suppression_key: bytes, monkeypatch: pytest.MonkeyPatch
) -> Path:
    monkeypatch.setenv("HARVESTER_TEST_IMAP_PASSWORD", mailbox.password)
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

[[accounts]]
name = "karin"
host = "{mailbox.host}"
port = {mailbox.port}
tls = false
user = "{mailbox.user}"
password_env = "HARVESTER_TEST_IMAP_PASSWORD"
folders = ["INBOX", "Sent"]
poll_interval = "1s"
batch_size = 3
timeout = 10
""",
        encoding="utf-8",
    )
    assert CliRunner().invoke(app, ["--config", str(path), "init"]).exit_code == 0
    return path


def _flags(mailbox: Mailbox) -> dict[str, dict[int, tuple[bytes, ...]]]:
    client = mailbox.connect()
    try:
        state = {}
        for folder in ("INBOX", "Sent"):
            client.select_folder(folder, readonly=True)
            state[folder] = {
                uid: data[b"FLAGS"] for uid, data in client.fetch(client.search("ALL"), ["FLAGS"]).items()
            }
        return state
    finally:
        client.logout()


def test_sync_stores_new_mail_once_and_leaves_the_mailbox_untouched(
    sync_config: Path, mailbox: Mailbox
) -> None:
    mailbox.create_folder("Sent")
    for n in range(7):
        mailbox.deliver("INBOX", _message(n), seen=n % 2 == 0)
    mailbox.deliver("Sent", _message(0))  # the same message in two folders
    before = _flags(mailbox)
    runner = CliRunner()
    first = runner.invoke(app, ["--config", str(sync_config), "sync", "--once", "--json"])
    assert first.exit_code == 0, first.output
    (row,) = json.loads(first.stdout)
    assert (row["messages"], row["stored"], row["duplicates"], row["error"]) == (8, 7, 1, None)
    assert _flags(mailbox) == before

    mailbox.deliver("INBOX", _message(7))
    second = json.loads(runner.invoke(app, ["--config", str(sync_config), "sync", "--json"]).stdout)
    assert (second[0]["messages"], second[0]["stored"]) == (1, 1)

    status = json.loads(runner.invoke(app, ["--config", str(sync_config), "status", "--json"]).stdout)
    (account,) = status["accounts"]
    assert account["name"] == "karin" and account["messages_seen"] == 9 and account["last_poll_at"]


def test_sync_with_a_wrong_password_fails_that_account_clearly(
    sync_config: Path, mailbox: Mailbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HARVESTER_TEST_IMAP_PASSWORD", "not-the-password-Xq9")
    result = CliRunner().invoke(app, ["--config", str(sync_config), "sync", "--json"])
    assert result.exit_code == 1
    (row,) = json.loads(result.stdout)
    assert row["error"] and "karin" in row["error"]
    assert "not-the-password-Xq9" not in result.output + result.stderr


def test_daemon_polls_and_stops_cleanly_on_sigterm(sync_config: Path, mailbox: Mailbox) -> None:
    for n in range(4):
        mailbox.deliver("INBOX", _message(n))
    env = {**os.environ, "HARVESTER_CONFIG": str(sync_config)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "harvester", "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        seen = 0
        while time.monotonic() < deadline and seen < 4:
            time.sleep(0.5)
            status = subprocess.run(
                [sys.executable, "-m", "harvester", "status", "--json"],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if status.returncode == 0:
                data = json.loads(status.stdout)
                seen = data["accounts"][0]["messages_seen"]
                jobs = {j["id"] for j in data["jobs"]}
        assert seen == 4
        assert {"poll:karin", "retention"} <= jobs
        mailbox.deliver("INBOX", _message(99))
        time.sleep(2.5)  # the next poll (interval 1 s) picks it up
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        assert time.monotonic() - started < 15
    finally:
        if proc.poll() is None:
            proc.kill()
    _, stderr = proc.communicate()
    assert b"event=daemon.stopped" in stderr
    assert b"Hej Karin" not in stderr  # logs never carry bodies
    status = json.loads(
        subprocess.run(
            [sys.executable, "-m", "harvester", "status", "--json"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert status["accounts"][0]["messages_seen"] == 5
    assert status["jobs"] == []
