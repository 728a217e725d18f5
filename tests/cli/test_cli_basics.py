"""The command line keeps the contract: JSON Lines from inspect, one-line errors, exit statuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harvester.cli.app import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "mail"
CONTRACT_KEYS = {
    "path",
    "message_id",
    "kind",
    "autoreply",
    "bounce",
    "unsubscribe",
    "signature",
    "contact",
    "redactions",
}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def ready_config(runner: CliRunner, config_file: Path) -> Path:
    """A config whose database `harvester init` has created (PostgreSQL is never created implicitly)."""
    result = runner.invoke(app, ["--config", str(config_file), "init"])
    assert result.exit_code == 0, result.output
    return config_file


def test_postgresql_database_is_not_created_implicitly(runner: CliRunner, config_file: Path) -> None:
    result = runner.invoke(app, ["--config", str(config_file), "status", "--json"])
    if "sqlite" in config_file.read_text():
        assert result.exit_code == 0  # the embedded default creates itself on first use
    else:
        assert result.exit_code == 1
        assert "run `harvester init`" in result.stderr


def test_inspect_prints_one_contract_object_per_example(runner: CliRunner, config_file: Path) -> None:
    files = sorted(str(p) for p in EXAMPLES.glob("*.eml"))
    result = runner.invoke(app, ["--config", str(config_file), "inspect", *files, "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == len(files)
    for obj, path in zip(lines, files, strict=True):
        assert CONTRACT_KEYS <= set(obj)
        assert obj["path"] == path
        assert obj["kind"] in {"personal", "autoreply", "bounce", "bulk", "unsubscribe"}


def test_inspect_of_a_missing_path_is_one_line_and_status_2(
    runner: CliRunner, config_file: Path, tmp_path: Path
) -> None:
    result = runner.invoke(
        app, ["--config", str(config_file), "inspect", str(tmp_path / "nope.eml"), "--json"]
    )
    assert result.exit_code == 2
    assert "nope.eml: no such file or directory" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_inspect_of_a_file_that_is_not_mail_is_status_2(
    runner: CliRunner, config_file: Path, tmp_path: Path
) -> None:
    junk = tmp_path / "photo.eml"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    result = runner.invoke(app, ["--config", str(config_file), "inspect", str(junk), "--json"])
    assert result.exit_code == 2
    assert "not a mail message" in result.stderr


def test_bad_config_is_one_line_naming_file_and_key(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "harvester.toml"
    bad.write_text('[organization]\nname = "x"\npassword = "hunter2"\n')
    result = runner.invoke(app, ["check-config", "--config", str(bad)])
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert f"{bad}: organization.password: passwords never go in the config file" in result.stderr
    assert "hunter2" not in result.stderr


def test_ingest_twice_stores_nothing_new_and_summarises(runner: CliRunner, ready_config: Path) -> None:
    first = runner.invoke(app, ["--config", str(ready_config), "ingest", str(EXAMPLES), "--json"])
    assert first.exit_code == 0, first.output
    summary = json.loads(first.stdout)
    assert summary["stored"] == summary["messages"] == len(list(EXAMPLES.glob("*.eml")))
    assert summary["contacts_total"] > 0
    second = json.loads(
        runner.invoke(app, ["--config", str(ready_config), "ingest", str(EXAMPLES), "--json"]).stdout
    )
    assert (second["stored"], second["duplicates"]) == (0, summary["messages"])
    assert second["contacts_total"] == summary["contacts_total"]


def test_contacts_never_include_the_own_domain(runner: CliRunner, ready_config: Path) -> None:
    runner.invoke(app, ["--config", str(ready_config), "ingest", str(EXAMPLES)])
    result = runner.invoke(app, ["--config", str(ready_config), "contacts", "list", "--json"])
    emails = [e for c in json.loads(result.stdout) for e in c["emails"]]
    assert emails and not any(e.endswith("@pr-byran.example") for e in emails)


def test_init_creates_then_reports_up_to_date(runner: CliRunner, config_file: Path) -> None:
    first = runner.invoke(app, ["--config", str(config_file), "init"])
    second = runner.invoke(app, ["--config", str(config_file), "init"])
    assert first.exit_code == second.exit_code == 0
    assert "up to date" in second.stdout


def test_status_json_has_the_contract_fields(runner: CliRunner, ready_config: Path) -> None:
    result = runner.invoke(app, ["--config", str(ready_config), "status", "--json"])
    assert result.exit_code == 0, result.output
    assert {"accounts", "contacts", "threads", "projects"} <= set(json.loads(result.stdout))


def test_a_broken_rules_override_stops_inspect_with_status_2(
    runner: CliRunner, config_file: Path, tmp_path: Path
) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "special_categories.toml").write_text("[health\nsv = [", encoding="utf-8")
    config_file.write_text(config_file.read_text() + f'\n[rules]\ndir = "{rules}"\n', encoding="utf-8")
    result = runner.invoke(app, ["--config", str(config_file), "inspect", str(EXAMPLES), "--json"])
    assert result.exit_code == 2
    assert "special_categories" in result.stderr
    assert result.stdout == ""
