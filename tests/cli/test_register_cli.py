"""The register's commands: tag, note, purpose, subscribe/unsubscribe, import, and `harvester purposes`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harvester.cli.app import app
from tests.cli.test_contacts_cli import _run
from tests.store.test_purposes import ISSUE_PURPOSES

ANNA = "anna.medlem@forbundet.example"
BO = "bo@example.org"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _show(runner: CliRunner, config: Path, email: str) -> dict:
    return json.loads(_run(runner, config, "contacts", "show", email, "--json"))


def _export(runner: CliRunner, config: Path, email: str) -> dict:
    return json.loads(_run(runner, config, "contacts", "export", email))


@pytest.fixture
def config(runner: CliRunner, config_file: Path) -> Path:
    """The test config with its database created (PostgreSQL is not migrated implicitly)."""
    _run(runner, config_file, "init")
    return config_file


@pytest.fixture
def members(runner: CliRunner, config: Path, tmp_path: Path) -> Path:
    """Anna and Bo imported as members."""
    csv_file = tmp_path / "medlemmar.csv"
    csv_file.write_text(
        f"e-post;namn;telefon\n{ANNA};Anna Medlem;070-174 06 21\n{BO};Bo Berg;\n", encoding="utf-8"
    )
    _run(runner, config, "contacts", "import", str(csv_file), "--purpose", "member")
    return config


def test_import_dry_run_then_import(runner: CliRunner, config: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "lista.csv"
    csv_file.write_text(f"email,name\n{ANNA},Anna Medlem\n", encoding="utf-8")
    out = _run(
        runner, config, "contacts", "import", str(csv_file), "--purpose", "member", "--dry-run", "--json"
    )
    assert json.loads(out) | {"rejected": []} == {
        "purpose": "member",
        "dry_run": True,
        "imported": False,
        "rows": 1,
        "created": 1,
        "updated": 0,
        "rejected": [],
        "skipped": [],
    }
    _run(runner, config, "contacts", "show", ANNA, code=2)
    out = _run(runner, config, "contacts", "import", str(csv_file), "--purpose", "member")
    assert "1 new" in out and "imported" in out
    assert _show(runner, config, ANNA)["provenance"]["name"][0]["source"] == "import"


def test_import_with_a_bad_line_names_it_and_exits_2(runner: CliRunner, config: Path, tmp_path: Path) -> None:
    csv_file = tmp_path / "lista.csv"
    csv_file.write_text(f"email,name\n{ANNA},Anna\ninte-en-adress,Ola\n", encoding="utf-8")
    result = runner.invoke(
        app, ["--config", str(config), "contacts", "import", str(csv_file), "--purpose", "member"]
    )
    assert result.exit_code == 2
    assert f"{csv_file}:3: rejected: email:" in result.stderr
    assert "nothing imported" in result.stdout
    _run(runner, config, "contacts", "show", ANNA, code=2)


def test_tag_and_note_show_with_provenance_in_export(runner: CliRunner, members: Path) -> None:
    _run(runner, members, "contacts", "tag", ANNA, "Årsmöte 2025", "--purpose", "event_participant")
    out = _run(runner, members, "contacts", "note", ANNA, "Ringde om avgiften, pnr 19121212-1212")
    assert "redacted: national_id" in out
    data = _export(runner, members, ANNA)
    assert [t["tag"] for t in data["register"]["tags"]] == ["Årsmöte 2025"]
    note = data["register"]["notes"][0]
    assert note["source"] == "manual" and "19121212" not in json.dumps(data)
    _run(runner, members, "contacts", "tag", ANNA, "Årsmöte 2025", "--remove")
    assert _export(runner, members, ANNA)["register"]["tags"] == []


def test_subscribe_then_unsubscribe_keeps_the_member(runner: CliRunner, members: Path) -> None:
    _run(
        runner,
        members,
        "contacts",
        "subscribe",
        ANNA,
        "--consent-source",
        "webbformulär",
        "--consent-given-at",
        "2025-02-01",
    )
    purposes = {p["purpose"]: p for p in _export(runner, members, ANNA)["register"]["purposes"]}
    assert purposes["newsletter"]["legal_basis"] == "consent"
    assert purposes["newsletter"]["consent_source"] == "webbformulär"
    assert purposes["newsletter"]["consent_given_at"].startswith("2025-02-01")
    out = _run(runner, members, "contacts", "unsubscribe", ANNA)
    assert "the rest kept" in out
    data = _export(runner, members, ANNA)
    assert [p["purpose"] for p in data["register"]["purposes"]] == ["member"]
    assert "newsletter" in data["contact"]["opt_outs"]


def test_subscriber_only_is_deleted_on_unsubscribe(runner: CliRunner, config: Path) -> None:
    _run(
        runner,
        config,
        "contacts",
        "subscribe",
        "ny@example.net",
        "--consent-source",
        "mässa",
        "--name",
        "Ny",
    )
    out = _run(runner, config, "contacts", "unsubscribe", "ny@example.net")
    assert "deleted" in out
    _run(runner, config, "contacts", "show", "ny@example.net", code=2)


def test_subscribe_without_consent_source_is_a_usage_error(runner: CliRunner, config: Path) -> None:
    _run(runner, config, "contacts", "subscribe", "ny@example.net", code=2)


def test_purpose_end_and_object(runner: CliRunner, members: Path) -> None:
    _run(runner, members, "contacts", "purpose", BO, "--add", "event_participant")
    _run(runner, members, "contacts", "purpose", BO, "--end", "member", "--on", "2025-09-30")
    _run(runner, members, "contacts", "purpose", BO, "--end", "event_participant", "--on", "2025-04-05")
    purposes = {p["purpose"]: p for p in _export(runner, members, BO)["register"]["purposes"]}
    assert purposes["event_participant"]["retention"]["due_on"] == "2026-09-30"
    assert purposes["member"]["retention"]["due_on"] == "2025-09-30"
    _run(runner, members, "contacts", "purpose", BO, "--object", "event_participant")
    purposes = {p["purpose"]: p for p in _export(runner, members, BO)["register"]["purposes"]}
    assert purposes["event_participant"]["objected"] is True


@pytest.mark.parametrize(
    "args",
    [
        ("--add", "astrology"),
        ("--add", "member", "--remove", "member"),
        (),
        ("--add", "newsletter"),  # consent needs --consent-source
    ],
)
def test_purpose_usage_errors_exit_2(runner: CliRunner, members: Path, args: tuple[str, ...]) -> None:
    _run(runner, members, "contacts", "purpose", ANNA, *args, code=2)


def test_remove_last_purpose_of_an_imported_person_deletes_them(runner: CliRunner, members: Path) -> None:
    out = _run(runner, members, "contacts", "purpose", BO, "--remove", "member")
    assert "deleted" in out
    _run(runner, members, "contacts", "show", BO, code=2)


def test_purposes_json_is_the_art30_record(runner: CliRunner, config: Path) -> None:
    record = json.loads(_run(runner, config, "purposes", "--json"))
    assert record["controller"] == "PR-byrån AB"
    by_name = {p["purpose"]: p for p in record["purposes"]}
    assert {"mail_contacts", *ISSUE_PURPOSES, "invoicing"} <= set(by_name)
    for entry in record["purposes"]:
        assert {"description", "legal_basis", "data_categories", "recipients", "retention"} <= set(entry)
        assert entry["data_categories"] and entry["recipients"] and entry["retention"]["text"]
    assert by_name["newsletter"]["legal_basis"] == "consent"
    assert by_name["mail_contacts"]["legal_basis"] == "legitimate_interest"  # config default
    assert record["storage"]["database"] == "sqlite" or record["storage"]["database"] == "postgresql"


def test_purposes_markdown_has_a_section_per_purpose(runner: CliRunner, config: Path) -> None:
    text = _run(runner, config, "purposes", "--markdown")
    assert text.startswith("# Record of processing activities — PR-byrån AB")
    assert "## newsletter" in text and "Only as long as the person subscribes." in text
    assert "| event_participant | legitimate_interest |" in text


def test_purposes_follow_an_override_rules_dir(runner: CliRunner, config: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "purposes.toml").write_text(
        '[purposes.alumni]\ndescription = "Former members."\nlegal_basis = "legitimate_interest"\n'
        'data_categories = ["name"]\nrecipients = ["staff"]\n'
        'retention = { rule = "alumni", anchor = "purpose_end", period = "2y", text = "Two years." }\n',
        encoding="utf-8",
    )
    config.write_text(config.read_text(encoding="utf-8") + f'\n[rules]\ndir = "{rules}"\n', encoding="utf-8")
    record = json.loads(_run(runner, config, "purposes", "--json"))
    assert [p["purpose"] for p in record["purposes"]] == ["mail_contacts", "alumni"]


def test_retention_plan_and_run_include_the_register_purposes(runner: CliRunner, members: Path) -> None:
    _run(runner, members, "contacts", "purpose", ANNA, "--add", "support_case")
    _run(runner, members, "contacts", "purpose", ANNA, "--end", "support_case", "--on", "2024-01-10")
    items = json.loads(_run(runner, members, "retention", "plan", "--json"))
    due = [i for i in items if i["what"] == "contact_purpose" and i["due_now"]]
    assert [i["rule"] for i in due] == ["support_case"]
    _run(runner, members, "retention", "run")
    purposes = [p["purpose"] for p in _export(runner, members, ANNA)["register"]["purposes"]]
    assert purposes == ["member"]
    after = json.loads(_run(runner, members, "retention", "plan", "--json"))
    assert not [i for i in after if i["what"] == "contact_purpose" and i["due_now"]]


def test_import_and_edit_read_a_phone_number_the_same_way(
    runner: CliRunner, members: Path, tmp_path: Path
) -> None:
    """One parser (store/phones.py): the same spellings are stored, and refused, alike."""
    _run(runner, members, "contacts", "edit", BO, "--set", "phones=+46 (0)70-174 06 22")
    assert _show(runner, members, ANNA)["phones"] == [{"e164": "+46701740621", "type": "mobile"}]
    assert _show(runner, members, BO)["phones"] == [{"e164": "+46701740622", "type": "mobile"}]
    edited = runner.invoke(app, ["--config", str(members), "contacts", "edit", BO, "--set", "phones=070-12"])
    csv_file = tmp_path / "fel.csv"
    csv_file.write_text(f"email,phone\n{BO},070-12\n", encoding="utf-8")
    imported = runner.invoke(
        app, ["--config", str(members), "contacts", "import", str(csv_file), "--purpose", "member"]
    )
    assert (edited.exit_code, imported.exit_code) == (2, 2)
    assert "--set phones: not a valid phone number: '070-12'" in edited.stderr
    assert f"{csv_file}:2: rejected: phone: not a valid phone number" in imported.stderr


def test_export_holds_the_same_retention_items_as_the_plan_register_purposes_included(
    runner: CliRunner, members: Path
) -> None:
    _run(runner, members, "contacts", "purpose", ANNA, "--add", "support_case")
    _run(runner, members, "contacts", "purpose", ANNA, "--end", "support_case", "--on", "2024-01-10")
    _run(runner, members, "contacts", "purpose", BO, "--add", "support_case")
    _run(runner, members, "contacts", "purpose", BO, "--end", "support_case", "--on", "2024-02-10")
    planned = json.loads(_run(runner, members, "retention", "plan", "--json"))
    exported = _export(runner, members, ANNA)
    ids = {p["purpose"]: p for p in exported["register"]["purposes"]}
    assert "support_case" in ids
    purpose_items = [i for i in exported["retention"] if i["what"] == "contact_purpose"]
    assert len(purpose_items) == 1 and purpose_items[0] in planned
    assert purpose_items[0]["due_on"] == ids["support_case"]["retention"]["due_on"]
    assert len([i for i in planned if i["what"] == "contact_purpose"]) == 2  # Bo's is not Anna's


def test_forget_fields_erases_tags_and_notes_and_keeps_the_rest(runner: CliRunner, members: Path) -> None:
    _run(runner, members, "contacts", "tag", ANNA, "Styrelsen", "--purpose", "member")
    _run(runner, members, "contacts", "tag", ANNA, "Årsmöte 2025")
    _run(runner, members, "contacts", "note", ANNA, "Ringde om avgiften")
    _run(runner, members, "contacts", "tag", BO, "Valberedningen")
    out = _run(runner, members, "contacts", "forget", ANNA, "--fields", "tags,notes", "--yes")
    assert "3 rows of tags, notes erased" in out
    register = _export(runner, members, ANNA)["register"]
    assert (register["tags"], register["notes"]) == ([], [])
    assert [p["purpose"] for p in register["purposes"]] == ["member"]
    assert _show(runner, members, ANNA)["name"] == "Anna Medlem"
    assert [t["tag"] for t in _export(runner, members, BO)["register"]["tags"]] == ["Valberedningen"]
    events = json.loads(_run(runner, members, "audit", "--json"))
    assert {e["field"] for e in events if e["action"] == "evidence.erased"} == {"tags", "notes"}
