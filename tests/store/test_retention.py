"""Retention: plan and real deletion under the declarative policy, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from harvester.errors import PolicyError
from harvester.pipeline import Pipeline
from harvester.retention_policy import Period, Policy, load_policy
from harvester.sources.raw import Origin, OriginKind, RawMessage
from store import projects
from store.contacts import ContactPolicy, find_contact
from store.models import (
    AuditEvent,
    Contact,
    ContactEvidence,
    Message,
    MessageLocation,
    MessageParticipant,
    OptOut,
    Project,
    Thread,
    ThreadContainer,
)
from store.retention import daily_job, plan, run_due
from store.suppression import Suppressor

TODAY = date(2026, 11, 23)
KEY = b"0123456789abcdef0123456789abcdef"


def mail(
    mid: str, subject: str, *, sender: str, day: str, reply_to: str | None = None, body: str = "Hej!"
) -> RawMessage:
    headers = [
        f"From: {sender.split('@')[0].title()} <{sender}>",
        "To: karin@pr-byran.example",
        f"Subject: {subject}",
        f"Message-ID: <{mid}>",
        f"Date: {day} 10:00:00 +0100",
    ]
    if reply_to:
        headers += [f"In-Reply-To: <{reply_to}>", f"References: <{reply_to}>"]
    data = ("\r\n".join(headers) + f"\r\n\r\n{body}\r\n").encode()
    return RawMessage(data=data, origin=Origin(kind=OriginKind.FILE, path=f"/mail/{mid}.eml"))


@pytest.fixture
def pipeline(sessions: sessionmaker[Session]) -> Iterator[Pipeline]:
    policy = ContactPolicy(legal_basis="legitimate_interest", suppressor=Suppressor(KEY), actor="test")
    with Pipeline(sessions, own_domains=["pr-byran.example"], contact_policy=policy) as p:
        yield p


@pytest.fixture
def policy() -> Policy:
    return load_policy(unlinked_threads=timedelta(days=180))


def _setup(sessions: sessionmaker[Session], pipeline: Pipeline) -> None:
    """Closed PR-2024-001 (two years ago), open PR-2026-002; Erik writes in both, Anna in one."""
    with sessions.begin() as session:
        old = projects.create_project(session, "PR-2024-001", name="Höstturné", actor="test")
        projects.create_project(session, "PR-2026-002", name="Lansering", actor="test")
        projects.close_project(session, old, on=date(2024, 6, 1), actor="test")
    pipeline.apply_batch(
        [
            mail(
                "t1@dagbladet.example",
                "[PR-2024-001] Turné",
                sender="erik@dagbladet.example",
                day="Tue, 3 Mar 2024",
                # Only this old message says what Erik's title was: evidence it alone supports.
                body="Hej!\r\n\r\nMvh\r\nErik\r\nMusikjournalist\r\nDagbladet",
            ),
            mail(
                "t1r@pr-byran.example",
                "Re: [PR-2024-001] Turné",
                sender="karin@pr-byran.example",
                day="Tue, 3 Mar 2024",
                reply_to="t1@dagbladet.example",
            ),
            mail("t2@sr.example", "[PR-2026-002] Lansering", sender="anna@sr.example", day="Mon, 2 Nov 2026"),
            mail(
                "t2r@dagbladet.example",
                "Re: [PR-2026-002] Lansering",
                sender="erik@dagbladet.example",
                day="Tue, 3 Nov 2026",
                reply_to="t2@sr.example",
            ),
        ]
    )


def _thread_of(session: Session, mid: str) -> int:
    thread_id = session.scalar(select(Message.thread_id).where(Message.message_id == f"<{mid}>"))
    assert thread_id is not None
    return thread_id


def _project(session: Session, code: str) -> Project:
    project = projects.get_project(session, code)
    assert project is not None
    return project


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_closed_project_threads_are_planned_and_deleted_while_open_project_stays(
    sessions: sessionmaker[Session], pipeline: Pipeline, policy: Policy
) -> None:
    _setup(sessions, pipeline)
    with sessions() as session:
        old_thread = _thread_of(session, "t1@dagbladet.example")
        open_thread = _thread_of(session, "t2@sr.example")
        items = plan(session, policy, today=TODAY)
    assert [(i.rule, i.what, i.id, i.due_on) for i in items] == [
        ("project-conversations", "thread", old_thread, date(2025, 6, 1))
    ]
    with sessions.begin() as session:
        done = run_due(session, policy, today=TODAY, actor="test")
    assert [i.id for i in done] == [old_thread]
    with sessions() as session:
        assert session.get(Thread, old_thread) is None
        assert session.get(Thread, open_thread) is not None
        assert _count(session, Message) == 2
        assert _count(session, MessageLocation) == 2
        assert _count(session, MessageParticipant) == 4
        assert session.scalar(select(func.count()).where(ThreadContainer.thread_id == old_thread)) == 0
        assert plan(session, policy, today=TODAY) == []


def test_deleting_a_thread_removes_evidence_it_alone_supported(
    sessions: sessionmaker[Session], pipeline: Pipeline, policy: Policy
) -> None:
    _setup(sessions, pipeline)
    with sessions() as session:
        erik = find_contact(session, emails=["erik@dagbladet.example"])
        assert erik is not None
        before = session.scalars(
            select(ContactEvidence.message_id).where(ContactEvidence.contact_id == erik.id).distinct()
        ).all()
    assert set(before) == {"<t1@dagbladet.example>", "<t2r@dagbladet.example>"}
    with sessions.begin() as session:
        run_due(session, policy, today=TODAY, actor="test")
    with sessions() as session:
        after = session.scalars(
            select(ContactEvidence.message_id).where(ContactEvidence.contact_id == erik.id).distinct()
        ).all()
        assert after == ["<t2r@dagbladet.example>"]
        assert session.get(Contact, erik.id) is not None


def test_contact_whose_only_evidence_was_deleted_goes_too(
    sessions: sessionmaker[Session], pipeline: Pipeline, policy: Policy
) -> None:
    pipeline.apply_batch(
        [mail("u1@tidning.example", "Fråga", sender="lena@tidning.example", day="Mon, 5 Jan 2026")]
    )
    with sessions() as session:
        lena = find_contact(session, emails=["lena@tidning.example"])
        assert lena is not None
        lena_id = lena.id
        (item,) = plan(session, policy, today=TODAY)
    assert (item.rule, item.what, item.due_on) == ("unlinked-conversations", "thread", date(2026, 7, 4))
    with sessions.begin() as session:
        run_due(session, policy, today=TODAY, actor="audit-test")
    with sessions() as session:
        assert session.get(Contact, lena_id) is None
        events = session.scalars(select(AuditEvent).where(AuditEvent.actor == "audit-test")).all()
    assert sorted((e.action, e.object_kind) for e in events) == [
        ("retention.deleted", "contact"),
        ("retention.deleted", "thread"),
        ("retention.evidence_deleted", "contact"),
    ]
    for event in events:
        values = [event.reason, event.field, event.source]
        assert not any(v and ("@" in v or "lena" in v.lower()) for v in values)


def test_reopening_a_project_cancels_its_expiry(
    sessions: sessionmaker[Session], pipeline: Pipeline, policy: Policy
) -> None:
    _setup(sessions, pipeline)
    with sessions.begin() as session:
        project = _project(session, "PR-2024-001")
        assert projects.expires_on(project, policy) == date(2025, 6, 1)
        projects.reopen_project(session, project, actor="test")
        assert projects.expires_on(project, policy) is None
    with sessions.begin() as session:
        assert plan(session, policy, today=TODAY) == []
        assert run_due(session, policy, today=TODAY, actor="test") == []
        assert _count(session, Message) == 4


@pytest.mark.parametrize("hold", ["project", "contact"])
def test_legal_hold_keeps_the_data(
    sessions: sessionmaker[Session], pipeline: Pipeline, policy: Policy, hold: str
) -> None:
    _setup(sessions, pipeline)
    with sessions.begin() as session:
        if hold == "project":
            project = _project(session, "PR-2024-001")
            projects.set_hold(session, project, held=True, actor="test")
        else:
            erik = find_contact(session, emails=["erik@dagbladet.example"])
            assert erik is not None
            erik.legal_hold = True
    with sessions.begin() as session:
        assert plan(session, policy, today=TODAY) == []
        run_due(session, policy, today=TODAY, actor="test")
        assert _count(session, Message) == 4


def test_relinking_a_thread_moves_its_expiry(
    sessions: sessionmaker[Session], pipeline: Pipeline, policy: Policy
) -> None:
    _setup(sessions, pipeline)
    with sessions.begin() as session:
        thread = session.get(Thread, _thread_of(session, "t1@dagbladet.example"))
        assert thread is not None
        projects.link_thread(session, _project(session, "PR-2026-002"), thread, actor="test")
    with sessions() as session:
        assert plan(session, policy, today=TODAY) == []


def test_a_future_expiry_is_planned_but_not_run(
    sessions: sessionmaker[Session], pipeline: Pipeline, policy: Policy
) -> None:
    _setup(sessions, pipeline)
    with sessions.begin() as session:
        projects.close_project(session, _project(session, "PR-2026-002"), on=date(2026, 11, 1), actor="test")
    with sessions.begin() as session:
        due = {i.due_on for i in plan(session, policy, today=TODAY)}
        assert due == {date(2025, 6, 1), date(2027, 11, 1)}
        assert len(run_due(session, policy, today=TODAY, actor="test")) == 1
        assert _count(session, Message) == 2


def test_unsubscribed_newsletter_subscriber_is_due_on_the_day(
    sessions: sessionmaker[Session], pipeline: Pipeline, policy: Policy
) -> None:
    pipeline.apply_batch([mail("n1@example.org", "Hej", sender="nils@example.org", day="Mon, 2 Nov 2026")])
    with sessions.begin() as session:
        nils = find_contact(session, emails=["nils@example.org"])
        assert nils is not None
        nils.legal_basis = "consent"
        session.add(OptOut(contact_id=nils.id, channel="newsletter", source="manual"))
        session.flush()
        items = [i for i in plan(session, policy, today=TODAY) if i.what == "contact"]
        assert [(i.rule, i.id) for i in items] == [("newsletter-subscribers", nils.id)]


def test_inactive_contacts_count_from_the_last_exchange_only(
    sessions: sessionmaker[Session], pipeline: Pipeline
) -> None:
    policy = load_policy(inactive_contacts=timedelta(days=365))
    pipeline.apply_batch([mail("i1@example.net", "Hej", sender="ida@example.net", day="Mon, 3 Mar 2025")])
    auto = mail("i2@example.net", "Autosvar: Hej", sender="ida@example.net", day="Mon, 2 Nov 2026")
    auto = RawMessage(
        data=auto.data.replace(b"Subject:", b"Auto-Submitted: auto-replied\r\nSubject:"), origin=auto.origin
    )
    pipeline.apply_batch([auto])
    with sessions() as session:
        ida = find_contact(session, emails=["ida@example.net"])
        assert ida is not None and ida.last_exchange_at is not None
        items = [i for i in plan(session, policy, today=TODAY) if i.what == "contact"]
    assert [(i.rule, i.due_on) for i in items] == [("inactive-contacts", date(2026, 3, 3))]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "retention.toml"
    path.write_text(text, encoding="utf-8")
    return path


RULE = '[[rule]]\nname = "r"\npurpose = "p"\nselect = "{select}"\nclock = "{clock}"\nperiod = "{period}"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            RULE.format(select="project_threads", clock="project_closed", period="a year"),
            "rule 'r': period: not a period",
        ),
        (
            RULE.format(select="project_thread", clock="project_closed", period="1y"),
            "rule 'r': select: unknown 'project_thread'",
        ),
        (
            RULE.format(select="project_threads", clock="last_exchange", period="1y"),
            "rule 'r': clock: 'last_exchange' does not fit select 'project_threads'",
        ),
        (
            RULE.format(select="unlinked_threads", clock="last_message", period="config:nope"),
            "rule 'r': period: unknown config key 'nope'",
        ),
        (
            RULE.format(select="unlinked_threads", clock="last_message", period="1y") + 'colour = "red"\n',
            "rule 'r': unknown key 'colour'",
        ),
        (
            RULE.format(select="unlinked_threads", clock="last_message", period="1y") * 2,
            "rule 'r': the name is used twice",
        ),
        ('[[rule]]\npurpose = "p"\n', "rule #1: name: missing"),
        ("[[rule]\n", "not valid TOML"),
    ],
)
def test_bad_policy_file_names_file_rule_and_problem(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(PolicyError) as error:
        load_policy(path)
    assert str(error.value).startswith(str(path))
    assert message in str(error.value)


def test_shipped_policy_loads_with_one_rule_per_purpose() -> None:
    policy = load_policy(unlinked_threads=timedelta(days=90))
    assert len({r.select for r in policy.rules}) == len(policy.rules) == 6
    unlinked = next(r for r in policy.rules if r.name == "unlinked-conversations")
    assert unlinked.period == Period(days=90)
    bookkeeping = next(r for r in policy.rules if r.name == "bookkeeping-records")
    assert bookkeeping.due_on(date(2026, 3, 1)) == date(2033, 12, 31)


def test_daily_job_deletes_what_is_due_in_its_own_transaction(
    sessions: sessionmaker[Session], pipeline: Pipeline, policy: Policy
) -> None:
    _setup(sessions, pipeline)
    daily_job(sessions, policy, actor="daemon")()
    with sessions() as session:
        assert _count(session, Message) == 2
        actors = session.scalars(
            select(AuditEvent.actor).where(AuditEvent.action == "retention.deleted")
        ).all()
        assert set(actors) == {"daemon"}
