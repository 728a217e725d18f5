"""The pipeline stores messages, threads and contacts once, however often it is fed."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from harvester.pipeline import Pipeline
from harvester.sources.raw import Origin, OriginKind, RawMessage
from store.contacts import ContactPolicy, list_contacts
from store.cursors import CursorUpdate, get_cursor
from store.models import AuditEvent, Contact, Message, MessageLocation, Thread
from store.suppression import Suppressor

KEY = b"0123456789abcdef0123456789abcdef"


def _raw(body: str, *, path: str = "a.eml", uid: int | None = None, folder: str = "INBOX") -> RawMessage:
    origin = (
        Origin(kind=OriginKind.IMAP, account="karin", folder=folder, uidvalidity=7, uid=uid)
        if uid is not None
        else Origin(kind=OriginKind.FILE, path=path)
    )
    return RawMessage(data=body.encode(), origin=origin)


FIRST = (
    "From: Erik Lindqvist <erik@dagbladet.example>\r\nTo: karin@pr-byran.example\r\n"
    "Subject: Recension\r\nMessage-ID: <m1@dagbladet.example>\r\n"
    "Date: Tue, 3 Mar 2026 10:12:00 +0100\r\n\r\nHej Karin!\r\n"
)
REPLY = (
    "From: Karin Berg <karin@pr-byran.example>\r\nTo: erik@dagbladet.example\r\n"
    "Subject: Re: Recension\r\nMessage-ID: <m2@pr-byran.example>\r\n"
    "In-Reply-To: <m1@dagbladet.example>\r\nReferences: <m1@dagbladet.example>\r\n"
    "Date: Tue, 3 Mar 2026 11:00:00 +0100\r\n\r\nTack!\r\n"
)


def _pipeline(sessions: sessionmaker[Session]) -> Pipeline:
    policy = ContactPolicy(legal_basis="legitimate_interest", suppressor=Suppressor(KEY), actor="test")
    return Pipeline(sessions, own_domains=["pr-byran.example"], contact_policy=policy)


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_ingesting_the_same_messages_twice_stores_nothing_new(
    sessions: sessionmaker[Session],
) -> None:
    pipeline = _pipeline(sessions)
    first = pipeline.apply_batch([_raw(FIRST), _raw(REPLY, path="b.eml")])
    second = pipeline.apply_batch([_raw(FIRST), _raw(REPLY, path="b.eml")])
    assert (first.stored, first.duplicates) == (2, 0)
    assert (second.stored, second.duplicates) == (0, 2)
    with sessions() as session:
        counts = {
            m.__name__: _count(session, m) for m in (Message, Thread, Contact, MessageLocation, AuditEvent)
        }
    assert counts == {
        "Message": 2,
        "Thread": 1,
        "Contact": 1,
        "MessageLocation": 2,
        "AuditEvent": counts["AuditEvent"],
    }
    with sessions() as session:
        audit_before = _count(session, AuditEvent)
    _pipeline(sessions).apply_batch([_raw(FIRST)])
    with sessions() as session:
        assert _count(session, AuditEvent) == audit_before


def test_own_domain_sender_is_not_a_contact(sessions: sessionmaker[Session]) -> None:
    _pipeline(sessions).apply_batch([_raw(REPLY)])
    with sessions() as session:
        assert list_contacts(session) == []


def test_same_message_in_two_folders_is_stored_once_with_two_locations(
    sessions: sessionmaker[Session],
) -> None:
    pipeline = _pipeline(sessions)
    pipeline.apply_batch([_raw(FIRST, uid=1)], cursor=CursorUpdate("karin", "INBOX", 7, 1, 1))
    pipeline.apply_batch([_raw(FIRST, uid=9, folder="Sent")], cursor=CursorUpdate("karin", "Sent", 7, 9, 1))
    with sessions() as session:
        assert _count(session, Message) == 1
        assert _count(session, MessageLocation) == 2
        cursor = get_cursor(session, "karin", "Sent")
        assert cursor is not None and cursor.last_uid == 9


def test_suppressed_sender_is_archived_but_not_harvested(sessions: sessionmaker[Session]) -> None:
    suppressor = Suppressor(KEY)
    with sessions.begin() as session:
        suppressor.add(session, "email", "erik@dagbladet.example")
    _pipeline(sessions).apply_batch([_raw(FIRST)])
    with sessions() as session:
        assert _count(session, Message) == 1
        assert _count(session, Contact) == 0


def test_reply_joins_the_thread_of_its_parent_even_when_it_arrives_first(
    sessions: sessionmaker[Session],
) -> None:
    pipeline = _pipeline(sessions)
    pipeline.apply_batch([_raw(REPLY, path="b.eml")])
    pipeline.apply_batch([_raw(FIRST)])
    with sessions() as session:
        assert _count(session, Thread) == 1


def test_worker_processes_understand_exactly_as_inline(sessions: sessionmaker[Session]) -> None:
    raws = [
        _raw(FIRST.replace("<m1@", f"<w{n}@").replace("erik@", f"erik{n}@"), path=f"{n}.eml")
        for n in range(20)
    ]
    policy = ContactPolicy(legal_basis="legitimate_interest", suppressor=Suppressor(KEY), actor="test")
    with Pipeline(sessions, own_domains=["pr-byran.example"], contact_policy=policy, workers=2) as pooled:
        in_pool = [u.to_json() for u in pooled._understand_all(raws)]
        report = pooled.apply_batch(raws)
    inline = [_pipeline(sessions).understand(r).to_json() for r in raws]
    assert in_pool == inline
    assert report.stored == 20


def test_nul_characters_and_overlong_headers_are_stored_on_every_database(
    sessions: sessionmaker[Session],
) -> None:
    long_id = "<" + "x" * 2000 + "@dagbladet.example>"
    hostile = (
        f"From: Erik\x00 Lindqvist <erik@dagbladet.example>\r\nTo: karin@pr-byran.example\r\n"
        f"Subject: Hej\x00 d\u00e4r {'å' * 5000}\r\nMessage-ID: {long_id}\r\n"
        "Date: Tue, 3 Mar 2026 10:12:00 +0100\r\n\r\nText med \x00 i.\r\n"
    )
    report = _pipeline(sessions).apply_batch([_raw(hostile)])
    assert (report.stored, report.errors) == (1, 0)
    with sessions() as session:
        message = session.scalars(select(Message)).one()
        assert "\x00" not in (message.subject or "") and "\x00" not in (message.body or "")
        assert message.message_id is not None and len(message.message_id) <= 998


def _numbered(n: int) -> str:
    return (
        f"From: Erik Lindqvist <erik@dagbladet.example>\r\nTo: karin@pr-byran.example\r\n"
        f"Subject: Fråga {n}\r\nMessage-ID: <s{n}@dagbladet.example>\r\n"
        f"Date: Tue, 3 Mar 2026 10:{n % 60:02d}:00 +0100\r\n\r\nHej Karin, fråga {n}.\r\n"
    )


def _imap_batches(count: int, size: int) -> list[tuple[list[RawMessage], CursorUpdate, int]]:
    out = []
    for start in range(1, count + 1, size):
        uids = range(start, min(start + size, count + 1))
        raws = [_raw(_numbered(uid), uid=uid) for uid in uids]
        cursor = CursorUpdate(
            account="karin", folder="INBOX", uidvalidity=7, last_uid=uids[-1], messages=len(raws)
        )
        out.append((raws, cursor, uids[-1]))
    return out


def test_streamed_batches_are_stored_in_order_each_with_its_own_cursor(
    sessions: sessionmaker[Session],
) -> None:
    """The batch read ahead is never stored before its predecessor, nor its cursor moved early."""
    batches = _imap_batches(40, 10)
    with Pipeline(
        sessions,
        own_domains=["pr-byran.example"],
        contact_policy=ContactPolicy(
            legal_basis="legitimate_interest", suppressor=Suppressor(KEY), actor="test"
        ),
        workers=2,
    ) as pipeline:
        seen = []
        for last_uid, report in pipeline.stream(iter(batches)):
            with sessions() as session:
                cursor = get_cursor(session, "karin", "INBOX")
                assert cursor is not None and cursor.last_uid == last_uid
                assert _count(session, Message) == last_uid  # nothing of the batch read ahead
            seen.append((last_uid, report.stored))
    assert seen == [(10, 10), (20, 10), (30, 10), (40, 10)]


def test_a_stream_left_early_stores_nothing_it_did_not_yield(sessions: sessionmaker[Session]) -> None:
    """Stopping between batches (SIGTERM, `stop`) leaves the read-ahead batch for the next poll."""
    batches = _imap_batches(30, 10)
    pipeline = _pipeline(sessions)
    stream = pipeline.stream(iter(batches))
    last_uid, _report = next(stream)
    stream.close()
    assert last_uid == 10
    with sessions() as session:
        assert _count(session, Message) == 10
        cursor = get_cursor(session, "karin", "INBOX")
        assert cursor is not None and cursor.last_uid == 10
    # The next poll starts after the cursor and stores the rest exactly once.
    reports = [report for _, report in pipeline.stream(iter(batches[1:]))]
    assert [r.stored for r in reports] == [10, 10]
    with sessions() as session:
        assert _count(session, Message) == 30
