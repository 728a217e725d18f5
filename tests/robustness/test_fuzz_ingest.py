"""`harvester inspect` and `ingest` on hostile mail: never a traceback, the contract per line, nothing lost.

inspect is driven through Typer's CliRunner (fast enough for hypothesis) and once as a
real subprocess on the pathological messages; ingest through the Pipeline API (the
code `harvester ingest` runs) on SQLite and PostgreSQL, and once as a subprocess.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from typer.testing import CliRunner

from harvester.cli.app import app
from harvester.sources.files import looks_like_mail, read_paths
from harvester.sources.raw import Origin, OriginKind, RawMessage
from store.models import Message
from tests.robustness.contract import check_inspect_object
from tests.robustness.corpus import BUILDERS, MUTATORS, OWN_DOMAINS, SEEDS, fuzz_settings, messages
from tests.robustness.helpers import (
    count_store,
    make_pipeline,
    run_harvester,
    write_config,
    write_mbox,
)

_counter = iter(range(10**9))


def _inspect_files(runner: CliRunner, config: Path, files: list[Path]) -> None:
    """Run inspect on `files` and check stdout, stderr and the exit status against the contract."""
    result = runner.invoke(app, ["--config", str(config), "inspect", *map(str, files), "--json"])
    assert "Traceback" not in result.output and "internal error" not in result.stderr, result.stderr
    expected = 0
    bad = 0
    for file in files:
        if looks_like_mail(file.read_bytes()[:4096]):
            expected += sum(1 for _ in read_paths([file]))
        else:
            bad += 1
    lines = result.stdout.splitlines()
    assert len(lines) == expected
    for line in lines:
        check_inspect_object(json.loads(line), own_domains=OWN_DOMAINS)
    errors = result.stderr.splitlines()
    assert len([e for e in errors if e.startswith("harvester: ") and "not a mail message" in e]) == bad
    assert result.exit_code == (2 if bad else 0), result.stderr


@pytest.fixture(scope="module")
def inspect_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("inspect")


@pytest.fixture(scope="module")
def inspect_config(inspect_dir: Path) -> Path:
    return write_config(inspect_dir / "harvester.toml", f"sqlite:///{inspect_dir / 'unused.db'}")


@fuzz_settings(60)
@given(batch=st.lists(messages(), min_size=1, max_size=4), as_mbox=st.booleans())
def test_inspect_prints_a_contract_line_or_a_one_line_error_for_any_input(
    inspect_dir: Path, inspect_config: Path, batch: list[bytes], as_mbox: bool
) -> None:
    n = next(_counter)
    if as_mbox:
        files = [write_mbox(inspect_dir / f"fuzz-{n}.mbox", batch)]
    else:
        files = []
        for i, data in enumerate(batch):
            path = inspect_dir / f"fuzz-{n}-{i}.eml"
            path.write_bytes(data)
            files.append(path)
    _inspect_files(CliRunner(), inspect_config, files)


def test_inspect_subprocess_reads_every_pathological_message(tmp_path: Path) -> None:
    config = write_config(tmp_path / "harvester.toml", f"sqlite:///{tmp_path / 'unused.db'}")
    files = []
    for name, build in sorted(BUILDERS.items()):
        path = tmp_path / f"{name}.eml"
        path.write_bytes(build())
        files.append(path)
    result = run_harvester("--config", str(config), "inspect", *map(str, files), "--json")
    assert "Traceback" not in result.stderr
    mail_files = [f for f in files if looks_like_mail(f.read_bytes()[:4096])]
    lines = result.stdout.splitlines()
    assert len(lines) == len(mail_files)
    for line in lines:
        check_inspect_object(json.loads(line), own_domains=OWN_DOMAINS)
    assert result.returncode == (0 if len(mail_files) == len(files) else 2)


def _raw(data: bytes, label: str) -> RawMessage:
    return RawMessage(data=data, origin=Origin(kind=OriginKind.FILE, path=label))


@fuzz_settings(25)
@given(batch=st.lists(messages(), min_size=1, max_size=8))
def test_ingest_stores_every_mutated_message_once_and_never_raises(
    db_url: str, engine: object, batch: list[bytes]
) -> None:
    pipeline = make_pipeline(db_url)
    n = next(_counter)
    raws = [_raw(data, f"fuzz-{n}-{i}.eml") for i, data in enumerate(batch)]
    first = pipeline.apply_batch(raws)
    again = pipeline.apply_batch(raws)
    assert first.messages == len(raws)
    assert first.stored + first.duplicates + first.errors == len(raws)
    assert again.stored == 0
    assert first.errors == 0 and again.errors == 0
    with pipeline.sessions() as session:
        counts = count_store(session)
        hashes = set(session.scalars(select(Message.content_hash)))
    assert counts.contacts_without_email_key == counts.orphan_evidence == counts.orphan_keys == 0
    assert counts.messages_without_location == 0
    for raw in raws:  # stored, or a copy with the same Message-ID is
        assert raw.content_hash in hashes or first.duplicates


ODD_BUT_REAL = {
    "nul_in_subject": BUILDERS["nul_bytes"](),
    "nul_in_display_name": (
        b"From: Bj\x00rn <bjorn@sr.example>\r\nMessage-ID: <nul-name@x.example>\r\n\r\nHej\r\n"
    ),
    "display_name_300_chars": (
        b"From: a@sr.example\r\nTo: "
        + b"N" * 300
        + b" <b@sr.example>\r\nMessage-ID: <long-to@x.example>\r\n\r\nHej\r\n"
    ),
    "sender_name_300_chars": b"From: "
    + b"N" * 300
    + b" <c@sr.example>\r\nMessage-ID: <long-from@x.example>\r\n\r\nHej\r\n",
    "message_id_1200_chars": b"From: d@sr.example\r\nMessage-ID: <"
    + b"m" * 1200
    + b"@x.example>\r\n\r\nHej\r\n",
    "address_400_chars": b"From: "
    + b"e" * 400
    + b"@sr.example\r\nMessage-ID: <long-addr@x.example>\r\n\r\nHej\r\n",
}


@pytest.mark.parametrize("name", sorted(ODD_BUT_REAL))
def test_odd_but_real_message_is_stored(db_url: str, engine: object, name: str) -> None:
    """NUL characters and values longer than a column (found failing on PostgreSQL, fixed in the store)."""
    report = make_pipeline(db_url).apply_batch([_raw(ODD_BUT_REAL[name], f"{name}.eml")])
    assert (report.stored, report.errors) == (1, 0)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_pathological_message_is_stored_once(db_url: str, engine: object, name: str) -> None:
    pipeline = make_pipeline(db_url)
    data = BUILDERS[name]()
    first = pipeline.apply_batch([_raw(data, f"{name}.eml")])
    second = pipeline.apply_batch([_raw(data, f"{name}-copy.eml")])
    assert (first.stored, first.errors, second.stored, second.duplicates) == (1, 0, 0, 1)


def test_message_nested_1000_deep_is_stored_not_lost(db_url: str, engine: object) -> None:
    from tests.robustness.corpus import nested_rfc822

    report = make_pipeline(db_url).apply_batch([_raw(nested_rfc822(1000), "deep.eml")])
    assert (report.stored, report.errors) == (1, 0)


def test_ingest_subprocess_of_a_hostile_mbox_exits_cleanly(db_url: str, tmp_path: Path) -> None:
    rnd = random.Random(2026)
    batch = [b() for name, b in sorted(BUILDERS.items()) if name not in {"attachment_10mb", "empty"}]
    for seed in SEEDS.values():
        data = seed
        for mutator in rnd.sample(sorted(MUTATORS), 2):
            data = MUTATORS[mutator](data, rnd)
        batch.append(data)
    mbox = write_mbox(tmp_path / "hostile.mbox", batch)
    expected = sum(1 for _ in read_paths([mbox]))
    config = write_config(tmp_path / "harvester.toml", db_url)
    assert run_harvester("--config", str(config), "init").returncode == 0
    result = run_harvester("--config", str(config), "ingest", str(mbox), "--json")
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["messages"] == expected
    assert summary["stored"] + summary["duplicates"] == expected
    assert summary["errors"] == 0


def test_understand_does_not_raise_on_mail_nested_1000_deep() -> None:
    from harvester.understand import understand
    from tests.robustness.corpus import nested_rfc822

    understand(nested_rfc822(1000))
