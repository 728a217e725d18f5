"""JWZ threading over tricky header sets, in any arrival order, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from store import threads
from store.batch import BatchContext
from store.models import Message, Thread, ThreadContainer
from store.threads import assign_thread, reference_chain, subject_key

T0 = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)

# (message_id, in_reply_to, references, subject, hours after T0)
Spec = tuple[str | None, str | None, list[str] | None, str, int]


def _store(session: Session, spec: Spec, n: int) -> Message:
    mid, irt, refs, subject, hours = spec
    message = Message(
        message_id=mid,
        content_hash=hashlib.sha256(f"{mid}-{n}".encode()).hexdigest(),
        kind="personal",
        subject=subject,
        sent_at=T0 + timedelta(hours=hours),
        in_reply_to=irt,
        references=json.dumps(refs) if refs else None,
    )
    session.add(message)
    session.flush()
    assign_thread(session, message)
    return message


def _store_batch(session: Session, specs: list[Spec]) -> list[Message]:
    """All messages threaded as the pipeline's batch path does (store/batch.py)."""
    batch = BatchContext.for_session(session)
    with session.no_autoflush:
        messages = []
        for n, (mid, irt, refs, subject, hours) in enumerate(specs):
            message = Message(
                id=batch.new_id(session, Message),
                message_id=mid,
                content_hash=hashlib.sha256(f"{mid}-{n}".encode()).hexdigest(),
                kind="personal",
                subject=subject,
                sent_at=T0 + timedelta(hours=hours),
                in_reply_to=irt,
                references=json.dumps(refs) if refs else None,
            )
            session.add(message)
            messages.append(message)
        threads.prefetch(session, batch, messages)
        for message in messages:
            assign_thread(session, message, batch=batch)
        batch.finish(session)
    return messages


def _groups(sessions: sessionmaker[Session], specs: list[Spec], *, batch: bool = False) -> list[set[str]]:
    with sessions() as session:
        messages = (
            _store_batch(session, specs)
            if batch
            else [_store(session, spec, n) for n, spec in enumerate(specs)]
        )
        session.commit()
        by_thread: dict[int, set[str]] = {}
        for m in messages:
            session.refresh(m)
            by_thread.setdefault(m.thread_id or 0, set()).add(m.message_id or f"#{m.id}")
        return sorted(by_thread.values(), key=lambda g: sorted(g))


A, B, C, D = "<a@x.example>", "<b@x.example>", "<c@x.example>", "<d@x.example>"


@pytest.mark.parametrize(
    ("specs", "expected"),
    [
        pytest.param(
            [(A, None, None, "Recension", 0), (B, A, [A], "Re: Recension", 1)],
            [{A, B}],
            id="reply_joins_parent",
        ),
        pytest.param(
            [(B, A, [A], "Re: Recension", 1), (A, None, None, "Recension", 0)],
            [{A, B}],
            id="reply_before_parent",
        ),
        pytest.param(
            [(B, None, [A], "Re: Recension", 1), (C, None, [A], "Re: Recension", 2)],
            [{B, C}],
            id="phantom_parent_joins_siblings",
        ),
        pytest.param(
            [(C, B, [A, B], "Re: x", 2), (D, None, None, "x", 3), (B, None, [A], "Re: x", 1)],
            [{B, C}, {D}],
            id="references_only_chain",
        ),
        pytest.param(
            [(B, None, [A], "Re: x", 1), (D, None, [C], "Re: x", 3), (C, A, [A], "Re: x", 2)],
            [{B, C, D}],
            id="late_message_merges_two_threads",
        ),
        pytest.param(
            [(A, B, [B], "Re: loop", 0), (B, A, [A], "Re: loop", 1)],
            [{A, B}],
            id="cycle_is_refused_but_grouped",
        ),
        pytest.param(
            [(A, A, [A], "self", 0)],
            [{A}],
            id="self_reference_ignored",
        ),
        pytest.param(
            [(A, None, None, "Pressmeddelande", 0), (B, None, None, "SV: Pressmeddelande", 5)],
            [{A, B}],
            id="headerless_reply_joins_by_subject",
        ),
        pytest.param(
            [(A, None, None, "Pressmeddelande", 0), (B, None, None, "SV: Pressmeddelande", 24 * 60)],
            [{A}, {B}],
            id="headerless_reply_outside_window_stays_apart",
        ),
        pytest.param(
            [(A, None, None, "Pressmeddelande", 0), (B, None, None, "Pressmeddelande", 1)],
            [{A}, {B}],
            id="same_subject_without_reply_prefix_stays_apart",
        ),
        pytest.param(
            [(A, None, None, "Möte", 0), (C, None, None, "Möte", 1), (B, C, [C], "Re: Möte", 2)],
            [{A}, {B, C}],
            id="reply_headers_beat_subject",
        ),
        pytest.param(
            [(A, None, None, "Möte", 0), (B, D, [D], "Re: Möte", 2)],
            [{A}, {B}],
            id="reply_with_unknown_parent_is_not_merged_by_subject",
        ),
    ],
)
@pytest.mark.parametrize("batch", [False, True], ids=["one_by_one", "batch"])
def test_threads_are_built_from_reply_headers(
    sessions: sessionmaker[Session], specs: list[Spec], expected: list[set[str]], batch: bool
) -> None:
    assert _groups(sessions, specs, batch=batch) == sorted(expected, key=lambda g: sorted(g))


def test_a_message_id_another_writer_threaded_first_is_joined_not_a_failure(
    sessions: sessionmaker[Session],
) -> None:
    """`harvester sync` and `harvester ingest` at once: both see <a> as new; the later insert joins."""
    with sessions() as first:
        winner = _store(first, (A, None, None, "Recension", 0), 0)
        first.commit()
        winner_thread = winner.thread_id
    with sessions() as second:
        # The second writer looked before the first committed: it threads a reply to <a> on its own.
        reply = Message(
            message_id=B, content_hash="b" * 64, kind="personal", subject="Re: Recension", sent_at=T0
        )
        thread = Thread(subject="Re: Recension")
        second.add_all([reply, thread])
        second.flush()
        reply.thread_id = thread.id
        mine = [
            ThreadContainer(message_id=A, thread_id=thread.id),
            ThreadContainer(message_id=B, thread_id=thread.id, parent_message_id=A, message_pk=reply.id),
        ]
        merged: dict[Thread, Thread] = {}
        held = threads.insert_containers(second, mine, merged=merged)
        second.commit()
        assert held[A].message_pk == winner.id  # the winner's container, not a duplicate
        assert merged == {thread: second.get(Thread, winner_thread)}
    with sessions() as session:
        assert session.scalars(
            select(ThreadContainer.message_id).order_by(ThreadContainer.message_id)
        ).all() == [
            A,
            B,
        ]
        assert {m.thread_id for m in session.scalars(select(Message))} == {winner_thread}
        assert session.scalars(select(Thread.id)).all() == [winner_thread]


def _parents(session: Session) -> dict[str, str | None]:
    return {c.message_id: c.parent_message_id for c in session.scalars(select(ThreadContainer))}


def test_cycle_leaves_a_tree_with_one_root(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        _store(session, (A, B, [B], "Re: loop", 0), 0)
        _store(session, (B, A, [A], "Re: loop", 1), 1)
        parents = _parents(session)
        roots = [mid for mid, parent in parents.items() if parent is None]
        assert len(roots) == 1
        thread = session.scalars(select(Thread)).one()
        assert thread.root_message_id == roots[0]


def test_parent_arriving_later_becomes_root_and_names_the_thread(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        _store(session, (B, A, [A], "Re: Recension", 1), 0)
        _store(session, (A, None, None, "Recension", 0), 1)
        thread = session.scalars(select(Thread)).one()
        assert (thread.root_message_id, thread.subject) == (A, "Recension")
        assert _parents(session) == {A: None, B: A}


def test_last_reference_is_the_parent_even_when_references_disagree(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        _store(session, (C, None, [A, B], "Re: x", 2), 0)
        _store(session, (D, C, [B, C], "Re: x", 3), 1)
        parents = _parents(session)
        assert (parents[B], parents[C], parents[D]) == (A, B, C)


@pytest.mark.parametrize(
    ("subject", "key"),
    [
        ("Re: Recension", "recension"),
        ("SV: SV: Recension", "recension"),
        ("VS: Fwd: Re[2]: Recension", "recension"),
        ("AW:Recension", "recension"),
        ("VB: Pressbilder  HÖST", "pressbilder höst"),
        ("Resultat", "resultat"),
        ("", None),
    ],
)
def test_subject_key_strips_swedish_and_english_prefixes(subject: str, key: str | None) -> None:
    assert subject_key(subject) == key


def test_reference_chain_appends_in_reply_to_once() -> None:
    message = Message(message_id=C, in_reply_to=B, references=json.dumps([A, B, A]))
    assert reference_chain(message) == [A, B]
