"""A message whose contact data the database refuses is still archived, in its thread.

The refusal is real: a trigger in the test database rejects one contact key, the way a
constraint or a bug would, so the batch fails, is replayed one message at a time, and
the bad message is stored as far as it can be (message, location, thread), logged by
id, counted as an error — and its neighbours land whole.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from harvester.pipeline import Pipeline
from harvester.sources.raw import Origin, OriginKind, RawMessage
from store.contacts import ContactPolicy
from store.cursors import CursorUpdate, get_cursor
from store.models import Contact, Message, MessageLocation
from store.suppression import Suppressor

_SQLITE = """
CREATE TRIGGER refuse_poison BEFORE INSERT ON contact_keys WHEN NEW.value LIKE 'poison%'
BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END
"""
_PG = [
    """CREATE FUNCTION refuse_poison() RETURNS trigger AS $$
    BEGIN
      IF NEW.value LIKE 'poison%' THEN RAISE EXCEPTION 'refused by test trigger'; END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER refuse_poison BEFORE INSERT ON contact_keys"
    " FOR EACH ROW EXECUTE FUNCTION refuse_poison()",
]


def _mail(n: int, sender: str) -> RawMessage:
    data = (
        f"From: Person {n} <{sender}>\r\nTo: karin@pr-byran.example\r\nSubject: Fråga {n}\r\n"
        f"Message-ID: <p{n}@tidning.example>\r\nDate: Tue, 3 Mar 2026 10:{n:02d}:00 +0100\r\n\r\n"
        f"Hej Karin!\r\n\r\nMvh\r\nPerson {n}\r\nReporter, Tidningen\r\n"
    ).encode()
    origin = Origin(kind=OriginKind.IMAP, account="karin", folder="INBOX", uidvalidity=3, uid=n)
    return RawMessage(data=data, origin=origin)


def test_a_message_whose_contact_is_refused_is_archived_and_its_neighbours_land(
    sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture
) -> None:
    engine = sessions.kw["bind"]
    with engine.begin() as conn:
        for statement in [_SQLITE] if engine.dialect.name == "sqlite" else _PG:
            conn.execute(text(statement))
    raws = [
        _mail(1, "anna@tidning.example"),
        _mail(2, "poison@tidning.example"),
        _mail(3, "per@tidning.example"),
    ]
    policy = ContactPolicy(legal_basis="legitimate_interest", suppressor=Suppressor(b"k" * 32), actor="test")
    pipeline = Pipeline(sessions, own_domains=["pr-byran.example"], contact_policy=policy)
    cursor = CursorUpdate(account="karin", folder="INBOX", uidvalidity=3, last_uid=3, messages=3)

    report = pipeline.apply_batch(raws, cursor=cursor)

    assert (report.messages, report.stored, report.errors) == (3, 3, 1)
    with sessions() as session:
        stored = {m.message_id: m for m in session.scalars(select(Message))}
        assert set(stored) == {"<p1@tidning.example>", "<p2@tidning.example>", "<p3@tidning.example>"}
        poison = stored["<p2@tidning.example>"]
        assert poison.thread_id is not None  # archived in a thread, so retention reaches it
        assert "store:not_applied" in (poison.defects or "")
        assert session.scalar(select(func.count()).select_from(MessageLocation)) == 3
        assert session.scalar(select(func.count()).select_from(Contact)) == 2  # the neighbours' contacts
        moved = get_cursor(session, "karin", "INBOX")
        assert moved is not None and moved.last_uid == 3
    logged = [r.getMessage() for r in caplog.records]
    assert any("event=message.not_applied origin=imap:karin/INBOX/2" in line for line in logged)
    assert not any("poison@" in line for line in logged)  # by id, never by address
