"""`harvester contacts ...` keeps the contract, and `forget` leaves no byte of the person on disk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from harvester.cli.app import app
from harvester.understand.types import Mailbox
from store.db import make_engine
from store.models import MessageLocation
from tests.contact_samples import ERIK, LENA, day, raw_of

KARIN = Mailbox("karin@pr-byran.example", "Karin Berg")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _run(runner: CliRunner, config: Path, *args: str, code: int = 0) -> str:
    result = runner.invoke(app, ["--config", str(config), *args])
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result.stdout


def _write_mail(folder: Path) -> list[Path]:
    """Erik alone, Erik with Lena in Cc, and Lena alone; the body carries Erik's name and number."""
    folder.mkdir(parents=True, exist_ok=True)
    erik, lena = Mailbox(ERIK.email, ERIK.name), Mailbox(LENA.email, LENA.name)
    signature = f"{ERIK.name}\nKulturredaktör, Dagbladet\nMobil {ERIK.mobile_local}"
    raws = [
        raw_of(
            mid="c1@dagbladet.example",
            sender=erik,
            to=[KARIN],
            subject=f"Recension – {ERIK.name}",
            date=day(3),
            body=f"Hej Karin!\n\n{signature}",
        ),
        raw_of(
            mid="c2@dagbladet.example",
            sender=erik,
            to=[KARIN],
            cc=[lena],
            subject="Premiären",
            date=day(4),
            body=f"Vi kommer båda.\n\n{signature}",
        ),
        raw_of(
            mid="c3@sr.example",
            sender=lena,
            to=[KARIN],
            subject="Intervju",
            date=day(5),
            body=f"Hej! {ERIK.name} tipsade om er.\n\n{LENA.name}",
        ),
    ]
    paths = []
    for n, raw in enumerate(raws, 1):
        path = folder / f"mail{n}.eml"
        path.write_bytes(raw.data)
        paths.append(path)
    return paths


@pytest.fixture
def stocked(runner: CliRunner, config_file: Path, tmp_path: Path) -> Path:
    """A config whose database was created by `init` and fed the three messages by `ingest`."""
    _run(runner, config_file, "init")
    _run(runner, config_file, "ingest", *map(str, _write_mail(tmp_path / "mail")))
    return config_file


def test_list_and_show_give_contract_objects_with_provenance(runner: CliRunner, stocked: Path) -> None:
    listed = json.loads(_run(runner, stocked, "contacts", "list", "--json"))
    assert sorted(v["emails"][0] for v in listed) == [ERIK.email, LENA.email]
    assert all({"id", "status", "legal_basis", "opt_outs", "needs_art14_notice"} <= set(v) for v in listed)
    shown = json.loads(_run(runner, stocked, "contacts", "show", ERIK.email.upper(), "--json"))
    (name,) = shown["provenance"]["name"]
    assert (name["value"], name["source"], name["message_id"]) == (
        ERIK.name,
        "signature",
        "<c2@dagbladet.example>",
    )
    assert shown["legal_basis"] == "legitimate_interest"
    assert "provenance and history" in _run(runner, stocked, "contacts", "show", ERIK.email)


def test_edit_sets_fields_by_hand_and_validates_coverage(runner: CliRunner, stocked: Path) -> None:
    _run(
        runner,
        stocked,
        "contacts",
        "edit",
        ERIK.email,
        "--set",
        "coverage=music,film",
        "--set",
        "title=Kulturredaktör",
        "--set",
        "legal_basis=consent",
        "--set",
        "phones=070-174 06 05",
    )
    shown = json.loads(_run(runner, stocked, "contacts", "show", ERIK.email, "--json"))
    assert (sorted(shown["coverage"]), shown["title"], shown["legal_basis"]) == (
        ["film", "music"],
        "Kulturredaktör",
        "consent",
    )
    assert shown["phones"] == [{"e164": ERIK.mobile, "type": "mobile"}]
    assert {e["source"] for e in shown["provenance"]["coverage"] if e["current"]} == {"manual"}
    only_music = json.loads(_run(runner, stocked, "contacts", "list", "--coverage", "music", "--json"))
    assert [v["emails"][0] for v in only_music] == [ERIK.email]


def test_art14_notice_is_cleared_by_hand_once_the_person_is_informed(
    runner: CliRunner, stocked: Path
) -> None:
    _run(runner, stocked, "contacts", "edit", LENA.email, "--set", "needs_art14_notice=true")
    assert json.loads(_run(runner, stocked, "contacts", "show", LENA.email, "--json"))["needs_art14_notice"]
    _run(runner, stocked, "contacts", "edit", LENA.email, "--set", "needs_art14_notice=false")
    assert not json.loads(_run(runner, stocked, "contacts", "show", LENA.email, "--json"))[
        "needs_art14_notice"
    ]
    events = json.loads(_run(runner, stocked, "audit", "--json"))
    assert [e["reason"] for e in events if e["action"] == "art14_notice.changed"][-1] == "informed (Art. 14)"


def test_list_filters_by_status_and_rejects_unknown(runner: CliRunner, stocked: Path) -> None:
    assert json.loads(_run(runner, stocked, "contacts", "list", "--status", "bounced", "--json")) == []
    _run(runner, stocked, "contacts", "list", "--status", "asleep", code=2)


@pytest.mark.parametrize(
    "assignment",
    [
        "coverage=knitting",
        "legal_basis=whim",
        "shoe_size=42",
        "title",
        "phones=12",
        "needs_art14_notice=maybe",
    ],
)
def test_edit_rejects_what_it_cannot_store(runner: CliRunner, stocked: Path, assignment: str) -> None:
    _run(runner, stocked, "contacts", "edit", ERIK.email, "--set", assignment, code=2)


def test_opt_out_by_hand_and_unknown_channel(runner: CliRunner, stocked: Path) -> None:
    _run(runner, stocked, "contacts", "opt-out", ERIK.email, "--channel", "sms", "--channel", "email")
    shown = json.loads(_run(runner, stocked, "contacts", "show", ERIK.email, "--json"))
    assert (shown["opt_outs"], shown["status"]) == (["email", "sms"], "unsubscribed")
    _run(runner, stocked, "contacts", "opt-out", ERIK.email, "--channel", "pigeon", code=2)
    events = json.loads(_run(runner, stocked, "audit", "--json"))
    assert {(e["action"], e["field"]) for e in events} >= {
        ("opt_out.added", "sms"),
        ("opt_out.added", "email"),
    }
    assert all(e["actor"].startswith("cli:") for e in events if e["action"] == "opt_out.added")


def test_opt_out_all_erases_and_suppresses(runner: CliRunner, stocked: Path) -> None:
    _run(runner, stocked, "contacts", "opt-out", ERIK.email, "--channel", "all", "--yes")
    _run(runner, stocked, "contacts", "show", ERIK.email, code=2)


def test_export_writes_everything_held_to_a_file(runner: CliRunner, stocked: Path, tmp_path: Path) -> None:
    out = tmp_path / "erik.json"
    _run(runner, stocked, "contacts", "export", ERIK.email, "--out", str(out))
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["organization"] == "PR-byrån AB"
    assert {m["message_id"] for m in data["messages"]} == {"<c1@dagbladet.example>", "<c2@dagbladet.example>"}
    assert data["identifiers"]["emails"] == [ERIK.email]
    assert json.loads(_run(runner, stocked, "contacts", "export", ERIK.email))["contact"]["name"] == ERIK.name


@pytest.mark.parametrize("command", [["show"], ["export"], ["forget", "--yes"], ["edit", "--set", "title=x"]])
def test_unknown_contact_is_a_one_line_error(runner: CliRunner, stocked: Path, command: list[str]) -> None:
    result = runner.invoke(
        app, ["--config", str(stocked), "contacts", command[0], "nobody@example.org", *command[1:]]
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == "harvester: no contact with the address nobody@example.org"


def test_forget_asks_first(runner: CliRunner, stocked: Path) -> None:
    result = runner.invoke(app, ["--config", str(stocked), "contacts", "forget", ERIK.email], input="n\n")
    assert result.exit_code == 1
    _run(runner, stocked, "contacts", "show", ERIK.email)


def test_forget_some_fields(runner: CliRunner, stocked: Path) -> None:
    _run(runner, stocked, "contacts", "edit", ERIK.email, "--set", "title=Kulturredaktör")
    _run(runner, stocked, "contacts", "forget", ERIK.email, "--fields", "title,name", "--yes")
    shown = json.loads(_run(runner, stocked, "contacts", "show", ERIK.email, "--json"))
    assert (shown["title"], shown["name"]) == (None, None)
    assert not {"title", "name"} & set(shown["provenance"])
    assert "emails" in shown["provenance"]
    _run(runner, stocked, "contacts", "forget", ERIK.email, "--fields", "emails", "--yes", code=2)


@pytest.mark.parametrize(
    "command",
    [["forget", "--yes"], ["forget", "--fields", "title", "--yes"], ["opt-out", "--channel", "all", "--yes"]],
)
def test_a_contact_under_legal_hold_is_not_erased_until_released(
    runner: CliRunner, stocked: Path, command: list[str]
) -> None:
    assert "under legal hold" in _run(runner, stocked, "contacts", "hold", ERIK.email)
    before = json.loads(_run(runner, stocked, "contacts", "show", ERIK.email, "--json"))
    assert before["legal_hold"] is True
    refused = runner.invoke(app, ["--config", str(stocked), "contacts", command[0], ERIK.email, *command[1:]])
    assert refused.exit_code == 2
    (line,) = refused.stderr.strip().splitlines()
    assert "under legal hold" in line and "refused" in line and "contacts release" in line
    assert json.loads(_run(runner, stocked, "contacts", "show", ERIK.email, "--json")) == before
    _run(runner, stocked, "contacts", "release", ERIK.email)
    if command[0] == "forget" and "--fields" in command:
        assert (
            json.loads(_run(runner, stocked, "contacts", "show", ERIK.email, "--json"))["legal_hold"] is False
        )
    _run(runner, stocked, "contacts", command[0], ERIK.email, *command[1:])
    events = json.loads(_run(runner, stocked, "audit", "--json"))
    assert [e["action"] for e in events if e["action"] in ("contact.hold", "contact.release")] == [
        "contact.hold",
        "contact.release",
    ]


def test_forget_redacts_the_person_from_the_file_paths_mail_was_read_from(
    runner: CliRunner, config_file: Path, db_url: str, tmp_path: Path
) -> None:
    """A folder named after the person, a file named by their address, and their name in snake case."""
    paths = _write_mail(tmp_path / "mail" / ERIK.name)
    paths[0] = paths[0].rename(paths[0].with_name(f"{ERIK.email}.eml"))
    paths[2] = paths[2].rename(tmp_path / "mail" / f"tips_{ERIK.name.lower().replace(' ', '_')}.eml")
    lena_only = tmp_path / "mail" / "lena" / "mail4.eml"
    lena_only.parent.mkdir()
    lena_only.write_bytes(
        raw_of(
            mid="c4@sr.example",
            sender=Mailbox(LENA.email, LENA.name),
            to=[KARIN],
            subject="Hej",
            date=day(6),
            body="Hej!",
        ).data
    )
    _run(runner, config_file, "init")
    _run(runner, config_file, "ingest", *map(str, [*paths, lena_only]))
    _run(runner, config_file, "contacts", "forget", ERIK.email, "--yes")
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            stored = sorted(conn.scalars(select(MessageLocation.path)))
    finally:
        engine.dispose()
    assert len(stored) == 4
    assert [p for p in stored if ERIK.email in p or "lindqvist" in p.lower()] == []
    assert str(lena_only) in stored
    assert str(tmp_path / "mail" / "tips_[erased].eml") in stored


def _needles() -> list[bytes]:
    texts = [
        ERIK.name,
        "Lindqvist",
        ERIK.email,
        ERIK.mobile,
        ERIK.mobile_local,
        ERIK.mobile_local.replace(" ", ""),
    ]
    return [t.encode() for t in texts] + [t.upper().encode() for t in texts]


def _files_with(db: Path) -> dict[str, list[bytes]]:
    found: dict[str, list[bytes]] = {}
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        if path.exists():
            data = path.read_bytes()
            hits = [n for n in _needles() if n in data]
            if hits:
                found[path.name] = hits
    return found


def test_after_forget_no_byte_of_the_person_is_on_disk_and_their_mail_creates_nothing(
    runner: CliRunner, tmp_path: Path, suppression_key: bytes
) -> None:
    """Byte search of the SQLite file, its WAL and shared memory; the audit is in the file."""
    db = tmp_path / "erase.db"
    config = tmp_path / "erase.toml"
    config.write_text(
        f'[organization]\nname = "PR-byrån AB"\ndomains = ["pr-byran.example"]\n\n'
        f'[database]\nurl = "sqlite:///{db}"\n\n[storage]\ndata_dir = "{tmp_path / "data"}"\n',
        encoding="utf-8",
    )
    mails = [str(p) for p in _write_mail(tmp_path / "mail")]
    _run(runner, config, "init")
    _run(runner, config, "ingest", *mails)
    _run(
        runner,
        config,
        "contacts",
        "edit",
        ERIK.email,
        "--set",
        "phones=070-174 06 05",
        "--set",
        "title=Kulturredaktör",
    )
    _run(runner, config, "contacts", "export", ERIK.email, "--out", str(tmp_path / "export.json"))
    assert _files_with(db)  # the test can see the person before
    output = _run(runner, config, "contacts", "forget", ERIK.email, "--yes")
    assert "VACUUM" in output
    assert _files_with(db) == {}
    events = json.loads(_run(runner, config, "audit", "--json"))
    assert "contact.erased" in {e["action"] for e in events}
    assert not any(n.decode() in json.dumps(events, ensure_ascii=False) for n in _needles())

    _run(runner, config, "ingest", *mails, str(tmp_path / "mail" / "mail1.eml"))  # again: nothing new
    (only,) = json.loads(_run(runner, config, "contacts", "list", "--json"))
    assert only["emails"] == [LENA.email]
    _run(runner, config, "contacts", "show", ERIK.email, code=2)
    renamed = tmp_path / "later" / "late.eml"  # a message not stored before: archived without Erik
    renamed.parent.mkdir()
    renamed.write_bytes(
        raw_of(
            mid="c9@dagbladet.example",
            sender=Mailbox(ERIK.email, ERIK.name),
            to=[KARIN],
            subject="Ny recension",
            date=day(9),
            body=f"Hej!\n\n{ERIK.name}",
        ).data
    )
    _run(runner, config, "ingest", str(renamed))
    assert len(json.loads(_run(runner, config, "contacts", "list", "--json"))) == 1
    _run(
        runner, config, "contacts", "forget", LENA.email, "--fields", "name", "--yes"
    )  # runs the VACUUM again
    assert _files_with(db) == {}
