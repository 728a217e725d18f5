"""Projects: rules link threads when mail is stored, manual links win, expiry follows the policy."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from harvester.errors import InputError, PolicyError
from harvester.pipeline import Pipeline
from harvester.project_rules import load_project_rules
from harvester.retention_policy import load_policy
from harvester.sources.raw import Origin, OriginKind, RawMessage
from store import projects
from store.contacts import ContactPolicy
from store.models import Message, Project, Thread
from store.suppression import Suppressor

KEY = b"0123456789abcdef0123456789abcdef"

RULES = """
[[project]]
code = "PR-2025-014"
names = ["Sara Larsson"]
addresses = ["booking@skivbolaget.example"]

[[project]]
code = "PR-2025-020"
names = ["Höstmässan"]
domains = ["massan.example"]

[[project]]
code = "PR-2025-099"
names = ["Sara Larsson"]
"""


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "projects.toml").write_text(RULES, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("subject", "participants", "known", "expected"),
    [
        ("SV: [pr-2025-020] Turné", ["x@example.com"], ["PR-2025-014", "PR-2025-020"], "PR-2025-020"),
        ("Re: PR-2025-020 bilder", [], ["PR-2025-014", "PR-2025-020"], "PR-2025-020"),
        ("Bilder från Höstmässan", [], ["PR-2025-014", "PR-2025-020"], "PR-2025-020"),
        ("Intervju", ["booking@skivbolaget.example"], ["PR-2025-014", "PR-2025-020"], "PR-2025-014"),
        ("Intervju", ["press@massan.example"], ["PR-2025-014", "PR-2025-020"], "PR-2025-020"),
        ("Intervju med Sara Larsson", [], ["PR-2025-014"], "PR-2025-014"),
        pytest.param(
            "Intervju med Sara Larsson", [], ["PR-2025-014", "PR-2025-099"], None, id="tie_links_nothing"
        ),
        pytest.param("[PR-2025-777] okänt", [], ["PR-2025-014"], None, id="tag_of_unknown_project"),
        pytest.param("Höstmässan", [], ["PR-2025-014"], None, id="rule_for_project_not_created"),
        pytest.param("PR-2025-0200 bilder", [], ["PR-2025-020"], None, id="code_must_be_a_whole_word"),
        pytest.param(
            "[PR-2025-014] via mässan",
            ["a@massan.example"],
            ["PR-2025-014", "PR-2025-020"],
            "PR-2025-014",
            id="tag_beats_domain",
        ),
    ],
)
def test_project_rules_pick_one_project_or_none(
    rules_dir: Path, subject: str, participants: list[str], known: list[str], expected: str | None
) -> None:
    rules = load_project_rules(rules_dir=rules_dir)
    assert rules.match(subject=subject, participants=participants, known=known) == expected


def _raw(mid: str, subject: str, sender: str, *, reply_to: str | None = None) -> RawMessage:
    extra = f"In-Reply-To: <{reply_to}>\r\nReferences: <{reply_to}>\r\n" if reply_to else ""
    data = (
        f"From: {sender}\r\nTo: karin@pr-byran.example\r\nSubject: {subject}\r\nMessage-ID: <{mid}>\r\n"
        f"{extra}Date: Mon, 2 Nov 2026 10:00:00 +0100\r\n\r\nHej!\r\n"
    ).encode()
    return RawMessage(data=data, origin=Origin(kind=OriginKind.FILE, path=f"/mail/{mid}.eml"))


@pytest.fixture
def pipeline(sessions: sessionmaker[Session], rules_dir: Path) -> Iterator[Pipeline]:
    policy = ContactPolicy(legal_basis="legitimate_interest", suppressor=Suppressor(KEY), actor="test")
    with Pipeline(
        sessions, own_domains=["pr-byran.example"], contact_policy=policy, rules_dir=rules_dir
    ) as p:
        yield p


def _project_of(session: Session, mid: str) -> tuple[str | None, str | None]:
    thread = session.scalar(select(Thread).join(Message).where(Message.message_id == f"<{mid}>"))
    assert thread is not None
    return (thread.project.code if thread.project else None, thread.link_source)


def test_storing_mail_links_its_thread_by_rule(sessions: sessionmaker[Session], pipeline: Pipeline) -> None:
    with sessions.begin() as session:
        projects.create_project(session, "PR-2025-014", name="Sara Larsson", actor="test")
    pipeline.apply_batch(
        [
            _raw("a@skivbolaget.example", "Turnéplan", "booking@skivbolaget.example"),
            _raw("b@example.com", "Re: Turnéplan", "x@example.com", reply_to="a@skivbolaget.example"),
            _raw("c@example.com", "Annat", "y@example.com"),
        ]
    )
    with sessions() as session:
        assert _project_of(session, "a@skivbolaget.example") == ("PR-2025-014", "rule")
        assert _project_of(session, "b@example.com") == ("PR-2025-014", "rule")
        assert _project_of(session, "c@example.com") == (None, None)


def test_manual_link_beats_rules_and_rules_are_reapplicable(
    sessions: sessionmaker[Session], pipeline: Pipeline, rules_dir: Path
) -> None:
    pipeline.apply_batch(
        [
            _raw("m1@massan.example", "Monterplats", "press@massan.example"),
            _raw("m2@example.com", "Intervju med Sara Larsson", "z@example.com"),
        ]
    )
    rules = load_project_rules(rules_dir=rules_dir)
    with sessions.begin() as session:
        fair = projects.create_project(session, "PR-2025-020", name="Höstmässan", actor="test")
        sara = projects.create_project(session, "PR-2025-014", name="Sara", actor="test")
        assert projects.apply_rules(session, rules, actor="test") == 2
        thread = session.scalar(
            select(Thread).join(Message).where(Message.message_id == "<m1@massan.example>")
        )
        assert thread is not None
        projects.link_thread(session, sara, thread, actor="test")
        assert (
            projects.link_thread(session, fair, thread, source=projects.LinkSource.RULE, actor="test")
            is False
        )
        projects.apply_rules(session, rules, actor="test")
    with sessions() as session:
        assert _project_of(session, "m1@massan.example") == ("PR-2025-014", "manual")
        assert _project_of(session, "m2@example.com") == ("PR-2025-014", "rule")


def test_expiry_follows_the_policy_period(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    (tmp_path / "retention.toml").write_text(
        '[[rule]]\nname = "proj"\npurpose = "p"\nselect = "project_threads"\nclock = "project_closed"\n'
        'period = "18 months"\n',
        encoding="utf-8",
    )
    policy = load_policy(rules_dir=tmp_path, unlinked_threads=timedelta(days=1))
    with sessions.begin() as session:
        project = projects.create_project(session, "PR-2025-001", name="X", actor="test")
        projects.close_project(session, project, on=date(2025, 8, 31), actor="test")
        assert projects.expires_on(project, policy) == date(2027, 2, 28)
        projects.set_hold(session, project, held=True, actor="test")
        assert projects.expires_on(project, policy) is None


def test_project_codes_are_unique_regardless_of_case(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        projects.create_project(session, "PR-2025-001", name="X", actor="test")
        with pytest.raises(InputError):
            projects.create_project(session, "pr-2025-001", name="Y", actor="test")
        assert session.scalars(select(Project.code)).all() == ["PR-2025-001"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[project]]\ncode = "PR-1"\nnames = "Sara"\n', "project 'PR-1': names: must be a list"),
        ('[[project]]\ncode = "PR-1"\n', "project 'PR-1': give at least one of"),
        ('[[project]]\ncode = "PR-1"\naddresses = ["sara"]\n', "project 'PR-1': addresses: 'sara' is not"),
        ('[[project]]\nnames = ["x"]\n', "project #1: code: missing"),
        ('tag = "\\\\[(.*)\\\\]"\n', "tag: needs a named group"),
        ('[[project]]\ncode = "PR-1"\nname = ["x"]\n', "project 'PR-1': unknown key 'name'"),
    ],
)
def test_bad_project_rules_name_file_project_and_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "projects.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError) as error:
        load_project_rules(path)
    assert str(error.value).startswith(str(path)) and message in str(error.value)


def test_shipped_project_rules_load() -> None:
    rules = load_project_rules()
    assert rules.match(subject="[PR-2026-014] x", participants=[], known=["PR-2026-014"]) == "PR-2026-014"
