"""`harvester projects / threads / retention`: the contract's commands and JSON shapes."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from harvester.cli.app import app

PROJECT_KEYS = {"code", "name", "state", "closed_on", "expires_on", "threads"}
THREAD_KEYS = {"id", "subject", "participants", "project", "messages", "message_ids", "last_message_at"}
PLAN_KEYS = {"rule", "what", "id", "due_on"}


def _eml(folder: Path, name: str, *, subject: str, sender: str, mid: str, day: str) -> None:
    (folder / name).write_text(
        f"From: {sender}\r\nTo: karin@pr-byran.example\r\nSubject: {subject}\r\n"
        f"Message-ID: <{mid}>\r\nDate: {day} 10:00:00 +0100\r\n\r\nHej!\r\n",
        encoding="utf-8",
    )


class Cli:
    def __init__(self, runner: CliRunner, config: Path) -> None:
        self.runner, self.config = runner, config

    def __call__(self, *args: str, code: int = 0) -> str:
        result = self.runner.invoke(app, ["--config", str(self.config), *args])
        assert result.exit_code == code, (args, result.output, result.stderr)
        return result.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self(*args, "--json"))


@pytest.fixture
def cli(config_file: Path, tmp_path: Path) -> Cli:
    run = Cli(CliRunner(), config_file)
    run("init")
    run("projects", "create", "PR-2024-001", "--name", "Höstturné")
    run("projects", "create", "PR-2026-002", "--name", "Lansering")
    mail = tmp_path / "mail"
    mail.mkdir()
    _eml(
        mail,
        "1.eml",
        subject="[PR-2024-001] Turné",
        sender="erik@dagbladet.example",
        mid="c1@dagbladet.example",
        day="Tue, 3 Mar 2024",
    )
    _eml(
        mail,
        "2.eml",
        subject="PR-2026-002: lanseringen",
        sender="anna@sr.example",
        mid="c2@sr.example",
        day="Mon, 2 Nov 2026",
    )
    _eml(
        mail,
        "3.eml",
        subject="Fråga om bilder",
        sender="lena@tidning.example",
        mid="c3@tidning.example",
        day=(date.today() - timedelta(days=3)).strftime("%a, %d %b %Y"),
    )
    run("ingest", str(mail))
    return run


def _by_code(cli: Cli) -> dict[str, dict[str, Any]]:
    return {p["code"]: p for p in cli.json("projects", "list")}


def test_projects_list_keeps_the_contract_shape(cli: Cli) -> None:
    projects = _by_code(cli)
    assert set(projects) == {"PR-2024-001", "PR-2026-002"}
    assert all(PROJECT_KEYS <= set(p) for p in projects.values())
    old = projects["PR-2024-001"]
    assert (old["state"], old["closed_on"], old["expires_on"], old["threads"]) == ("open", None, None, 1)
    assert projects["PR-2026-002"]["threads"] == 1


def test_closed_project_is_planned_and_run_while_open_one_stays(cli: Cli) -> None:
    cli("projects", "close", "PR-2024-001", "--on", "2024-06-01")
    assert _by_code(cli)["PR-2024-001"]["expires_on"] == "2025-06-01"
    plan = cli.json("retention", "plan")
    assert all(PLAN_KEYS <= set(item) for item in plan)
    due_now = [(i["rule"], i["what"], i["due_on"]) for i in plan if i["due_now"]]
    assert due_now == [("project-conversations", "thread", "2025-06-01")]
    assert "deleted 1 thread" in cli("retention", "run")
    threads = cli.json("threads", "list")
    assert all(THREAD_KEYS <= set(t) for t in threads)
    assert sorted(t["project"] or "-" for t in threads) == ["-", "PR-2026-002"]


def test_reopen_cancels_the_expiry(cli: Cli) -> None:
    cli("projects", "close", "PR-2024-001", "--on", "2024-06-01")
    cli("projects", "reopen", "PR-2024-001")
    assert _by_code(cli)["PR-2024-001"]["expires_on"] is None
    assert not [i for i in cli.json("retention", "plan") if i["due_now"]]


def test_held_project_is_kept_until_released(cli: Cli) -> None:
    cli("projects", "close", "PR-2024-001", "--on", "2024-06-01")
    cli("projects", "hold", "PR-2024-001")
    assert "nothing is due" in cli("retention", "run")
    assert _by_code(cli)["PR-2024-001"]["threads"] == 1
    cli("projects", "release", "PR-2024-001")
    assert "deleted 1 thread" in cli("retention", "run")


def test_manual_link_moves_an_unlinked_thread_and_beats_rules(cli: Cli) -> None:
    (unlinked,) = cli.json("threads", "list", "--unlinked")
    assert unlinked["project"] is None
    cli("projects", "link", "PR-2026-002", "--thread", str(unlinked["id"]))
    assert cli.json("threads", "list", "--unlinked") == []
    cli("projects", "apply-rules")
    linked = {t["id"]: t for t in cli.json("threads", "list")}[unlinked["id"]]
    assert (linked["project"], linked["link_source"]) == ("PR-2026-002", "manual")
    assert _by_code(cli)["PR-2026-002"]["threads"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["projects", "close", "NOPE-1"], "no project NOPE-1"),
        (["projects", "close", "PR-2024-001", "--on", "1 juni"], "--on: not a date"),
        (["projects", "link", "PR-2024-001", "--thread", "999"], "no thread 999"),
        (["projects", "create", "PR-2024-001", "--name", "igen"], "exists already"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli: Cli, args: list[str], message: str) -> None:
    result = cli.runner.invoke(app, ["--config", str(cli.config), *args])
    assert result.exit_code == 2
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_threads_list_shows_messages_participants_and_project(cli: Cli) -> None:
    threads = {t["project"]: t for t in cli.json("threads", "list")}
    lansering = threads["PR-2026-002"]
    assert lansering["message_ids"] == ["<c2@sr.example>"]
    assert lansering["participants"] == ["anna@sr.example", "karin@pr-byran.example"]
    assert (lansering["messages"], lansering["link_source"]) == (1, "rule")
