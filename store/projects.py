"""Projects: create, close, reopen, hold, and which threads belong to them.

A thread belongs to at most one project. A link is "manual" (by hand) or "rule"
(rules/projects.toml); a manual link is never changed by rules. Expiry is not stored:
`expires_on` is computed from `closed_on` and the retention policy whenever it is shown,
so closing, reopening and relinking cannot leave a stale date.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from harvester.errors import InputError
from harvester.project_rules import ProjectRules
from harvester.retention_policy import Clock, Policy, Selector
from store import audit
from store.batch import BatchContext
from store.holds import set_hold
from store.models import Message, MessageParticipant, Project, Thread

__all__ = [
    "LinkSource",
    "apply_rules",
    "close_project",
    "create_project",
    "expires_on",
    "get_project",
    "link_by_rules",
    "link_thread",
    "project_view",
    "project_views",
    "reopen_project",
    "set_hold",
]


class LinkSource(StrEnum):
    """How a thread got its project; a manual link is never overridden by a rule."""

    MANUAL = "manual"
    RULE = "rule"


KINDS = ("project", "support")


def get_project(session: Session, code: str) -> Project | None:
    return session.scalar(select(Project).where(func.upper(Project.code) == code.strip().upper()))


def create_project(session: Session, code: str, *, name: str, kind: str = "project", actor: str) -> Project:
    code = code.strip()
    if not code or not name.strip():
        raise InputError("a project needs a code and a name")
    if kind not in KINDS:
        raise InputError(f"project kind must be one of {', '.join(KINDS)}, not {kind!r}")
    if get_project(session, code) is not None:
        raise InputError(f"project {code} exists already")
    project = Project(code=code, name=name.strip(), kind=kind, state="open")
    session.add(project)
    session.flush()
    audit.record(session, action="project.created", object_kind="project", object_id=project.id, actor=actor)
    return project


def close_project(session: Session, project: Project, *, on: date, actor: str) -> None:
    """Close (again, with a new date if already closed): the expiry clock starts `on`."""
    project.state, project.closed_on = "closed", on
    audit.record(session, action="project.closed", object_kind="project", object_id=project.id, actor=actor)


def reopen_project(session: Session, project: Project, *, actor: str) -> None:
    """Reopen: no close date, so no expiry."""
    project.state, project.closed_on = "open", None
    audit.record(session, action="project.reopened", object_kind="project", object_id=project.id, actor=actor)


def link_thread(
    session: Session, project: Project, thread: Thread, *, source: LinkSource = LinkSource.MANUAL, actor: str
) -> bool:
    """Link `thread` to `project` (replacing any other link); False when nothing changed.

    A rule never replaces a manual link; a manual link replaces anything.
    """
    if source == LinkSource.RULE and thread.link_source == LinkSource.MANUAL:
        return False
    if thread.project_id == project.id and thread.link_source == source:
        return False
    thread.project_id, thread.link_source = project.id, source.value
    _audit_link(session, thread, "thread.linked", source, actor)
    return True


def _audit_link(session: Session, thread: Thread, action: str, source: LinkSource, actor: str) -> None:
    audit.record(
        session, action=action, object_kind="thread", object_id=thread.id, actor=actor, source=source.value
    )


def _codes(session: Session) -> list[str]:
    return list(session.scalars(select(Project.code)))


def link_by_rules(
    session: Session,
    thread: Thread,
    message: Message,
    rules: ProjectRules,
    *,
    actor: str,
    batch: BatchContext | None = None,
) -> Project | None:
    """Link a thread from a newly stored message's subject and participants (pipeline hook).

    A thread already linked (by hand or by an earlier message) keeps its project: the
    first message that names a project decides, later ones cannot move it. In a `batch`
    the project codes are read once.
    """
    if thread.project_id is not None:
        return None
    if batch is None:
        known = _codes(session)
    else:
        if batch.project_codes is None:
            batch.project_codes = _codes(session)
        known = batch.project_codes
    if not known:
        return None  # nothing to link to (rules only ever name projects that exist)
    participants = [p.email for p in message.participants]
    code = rules.match(subject=message.subject, participants=participants, known=known)
    project = get_project(session, code) if code else None
    if project is not None:
        link_thread(session, project, thread, source=LinkSource.RULE, actor=actor)
    return project


def apply_rules(session: Session, rules: ProjectRules, *, actor: str) -> int:
    """Re-apply the rules to every thread not linked by hand; returns how many links changed.

    A thread's facts are all its messages' subjects (oldest first, the first that names
    a project decides) and all participants.
    """
    known = _codes(session)
    by_code = {p.code: p for p in session.scalars(select(Project))}
    changed = 0
    threads = session.scalars(
        select(Thread).where((Thread.link_source.is_(None)) | (Thread.link_source != LinkSource.MANUAL))
    )
    for thread in threads:
        subjects = session.scalars(
            select(Message.subject)
            .where(Message.thread_id == thread.id)
            .order_by(Message.sent_at, Message.id)
        ).all()
        people = session.scalars(
            select(MessageParticipant.email).join(Message).where(Message.thread_id == thread.id).distinct()
        ).all()
        code = next(
            (c for s in subjects if (c := rules.match(subject=s, participants=[], known=known))), None
        )
        code = code or rules.match(subject=None, participants=people, known=known)
        if code is None:
            if thread.project_id is not None:
                thread.project_id, thread.link_source = None, None
                _audit_link(session, thread, "thread.unlinked", LinkSource.RULE, actor)
                changed += 1
            continue
        changed += link_thread(session, by_code[code], thread, source=LinkSource.RULE, actor=actor)
    return changed


def expires_on(project: Project, policy: Policy) -> date | None:
    """When the project's conversations are due: closed_on + the rule's period; None while open or held."""
    if project.state != "closed" or project.closed_on is None or project.legal_hold:
        return None
    selector = Selector.SUPPORT_THREADS if project.kind == "support" else Selector.PROJECT_THREADS
    rule = policy.for_selector(selector)
    if rule is None or rule.clock is not Clock.PROJECT_CLOSED:
        return None
    return rule.due_on(project.closed_on)


def project_view(project: Project, threads: int, policy: Policy) -> dict[str, Any]:
    """The contract's project object, plus kind and legal_hold."""
    expiry = expires_on(project, policy)
    return {
        "code": project.code,
        "name": project.name,
        "state": project.state,
        "closed_on": project.closed_on.isoformat() if project.closed_on else None,
        "expires_on": expiry.isoformat() if expiry else None,
        "threads": threads,
        "kind": project.kind,
        "legal_hold": project.legal_hold,
    }


def project_views(session: Session, policy: Policy) -> list[dict[str, Any]]:
    counts = dict(
        session.execute(
            select(Thread.project_id, func.count(Thread.id))
            .where(Thread.project_id.is_not(None))
            .group_by(Thread.project_id)
        ).all()
    )
    projects = session.scalars(select(Project).order_by(Project.code))
    return [project_view(p, counts.get(p.id, 0), policy) for p in projects]
