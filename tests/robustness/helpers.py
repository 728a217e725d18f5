"""Shared pieces of the robustness suite: configs, mboxes, counting what the store holds."""

from __future__ import annotations

import hashlib
import mailbox
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from harvester.pipeline import Pipeline
from store.contacts import ContactPolicy
from store.db import make_engine, make_sessionmaker
from store.models import AuditEvent, Contact, ContactEvidence, ContactKey, Message, MessageLocation
from store.suppression import Suppressor

__all__ = [
    "KEY",
    "StoreCounts",
    "account_toml",
    "backend_of",
    "count_store",
    "harvester_cmd",
    "make_pipeline",
    "run_harvester",
    "write_config",
    "write_mbox",
]

KEY = b"robustness-suppression-key-0123456789"


def backend_of(url: str) -> str:
    return "postgresql" if url.startswith("postgresql") else "sqlite"


def make_pipeline(url: str) -> Pipeline:
    sessions = make_sessionmaker(make_engine(url))
    policy = ContactPolicy(legal_basis="legitimate_interest", suppressor=Suppressor(KEY), actor="test")
    return Pipeline(sessions, own_domains=["pr-byran.example"], contact_policy=policy)


def write_config(path: Path, db_url: str, *, extra: str = "") -> Path:
    path.write_text(
        f"""
[organization]
name = "PR-byrån AB"
domains = ["pr-byran.example"]

[database]
url = "{db_url}"

[storage]
data_dir = "{path.parent / "data"}"
{extra}
""",
        encoding="utf-8",
    )
    return path


def account_toml(
    *, host: str, port: int, user: str, secret: str, folders: tuple[str, ...] = ("INBOX",), extra: str = ""
) -> str:
    """One plain-IMAP `[[accounts]]` table named "karin"; `secret` is its password_env/oauth2 line."""
    names = ", ".join(f'"{f}"' for f in folders)
    return (
        f'\n[[accounts]]\nname = "karin"\nhost = "{host}"\nport = {port}\ntls = false\n'
        f'user = "{user}"\n{secret}\nfolders = [{names}]\n{extra}\n'
    )


def write_mbox(path: Path, messages: list[bytes]) -> Path:
    box = mailbox.mbox(str(path), create=True)
    try:
        box.lock()
        for data in messages:
            box.add(data)
        box.flush()
        box.unlock()
    finally:
        box.close()
    return path


def harvester_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "harvester", *args]


def run_harvester(
    *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "HARVESTER_SUPPRESSION_KEY": KEY.decode(), **(env or {})}
    return subprocess.run(
        harvester_cmd(*args), capture_output=True, text=True, timeout=timeout, env=full_env, check=False
    )


@dataclass(frozen=True)
class StoreCounts:
    messages: int
    distinct_message_ids: int
    distinct_hashes: int
    duplicated_message_ids: int
    contacts: int
    contacts_without_email_key: int
    contacts_without_evidence: int
    orphan_evidence: int
    orphan_keys: int
    messages_without_location: int
    audit_contact_created: int
    audit_evidence_added: int
    evidence_rows: int


def count_store(session: Session) -> StoreCounts:
    """What the store holds, in the numbers the crash tests compare."""

    def scalar(query: object) -> int:
        return int(session.scalar(query) or 0)  # type: ignore[arg-type]

    ids = Counter(session.scalars(select(Message.message_id).where(Message.message_id.is_not(None))))
    contact_ids = set(session.scalars(select(Contact.id)))
    with_email = set(session.scalars(select(ContactKey.contact_id).where(ContactKey.kind == "email")))
    with_evidence = set(session.scalars(select(ContactEvidence.contact_id)))
    key_owners = set(session.scalars(select(ContactKey.contact_id)))
    located = set(session.scalars(select(MessageLocation.message_pk)))
    message_pks = set(session.scalars(select(Message.id)))
    return StoreCounts(
        messages=len(message_pks),
        distinct_message_ids=len(ids),
        distinct_hashes=scalar(select(func.count(func.distinct(Message.content_hash)))),
        duplicated_message_ids=sum(1 for n in ids.values() if n > 1),
        contacts=len(contact_ids),
        contacts_without_email_key=len(contact_ids - with_email),
        contacts_without_evidence=len(contact_ids - with_evidence),
        orphan_evidence=len(with_evidence - contact_ids),
        orphan_keys=len(key_owners - contact_ids),
        messages_without_location=len(message_pks - located),
        audit_contact_created=scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "contact.created")
        ),
        audit_evidence_added=scalar(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "evidence.added")
        ),
        evidence_rows=scalar(select(func.count(ContactEvidence.id))),
    )


def content_hashes(messages: list[bytes]) -> set[str]:
    return {hashlib.sha256(m).hexdigest() for m in messages}
