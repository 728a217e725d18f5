"""The boundary type of the understanding stage: what one message says, after redaction.

`Understanding.to_json()` is the object `harvester inspect --json` prints
(shared/contracts/inspect.md); the envelope (`Envelope`) carries what the store
needs for threads and participants and is not part of that contract's required fields.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

__all__ = [
    "Address",
    "AlternateContact",
    "AutoReply",
    "AutoReplyReason",
    "Bounce",
    "Contact",
    "Envelope",
    "Kind",
    "Mailbox",
    "Phone",
    "PhoneType",
    "Redaction",
    "RedactionCategory",
    "Understanding",
    "Unsubscribe",
    "UnsubscribeChannel",
]


class Kind(StrEnum):
    PERSONAL = "personal"
    AUTOREPLY = "autoreply"
    BOUNCE = "bounce"
    BULK = "bulk"
    UNSUBSCRIBE = "unsubscribe"


class AutoReplyReason(StrEnum):
    VACATION = "vacation"
    PARENTAL_LEAVE = "parental_leave"
    LEFT_ORGANIZATION = "left_organization"
    ADDRESS_CHANGE = "address_change"
    ABSENCE = "absence"
    OTHER = "other"


class PhoneType(StrEnum):
    MOBILE = "mobile"
    FIXED = "fixed"
    SWITCHBOARD = "switchboard"
    FAX = "fax"
    UNKNOWN = "unknown"


class UnsubscribeChannel(StrEnum):
    EMAIL = "email"
    PRESS_RELEASE = "press_release"
    NEWSLETTER = "newsletter"
    PHONE = "phone"
    SMS = "sms"
    POST = "post"
    ALL = "all"


class RedactionCategory(StrEnum):
    HEALTH = "health"
    RELIGION = "religion"
    POLITICS = "politics"
    UNION = "union"
    SEX_LIFE = "sex_life"
    ETHNICITY = "ethnicity"
    BIOMETRIC = "biometric"
    GENETIC = "genetic"
    NATIONAL_ID = "national_id"


@dataclass(slots=True)
class Phone:
    e164: str
    type: PhoneType = PhoneType.UNKNOWN


@dataclass(slots=True)
class Address:
    street: str | None = None
    postal_code: str | None = None
    city: str | None = None
    country: str | None = None


@dataclass(slots=True)
class Contact:
    """The sender's own contact data; never a quoted third party's."""

    name: str | None = None
    title: str | None = None
    organization: str | None = None
    emails: list[str] = field(default_factory=list)
    phones: list[Phone] = field(default_factory=list)
    address: Address | None = None
    urls: list[str] = field(default_factory=list)
    coverage: list[str] = field(default_factory=list)


@dataclass(slots=True)
class AlternateContact:
    """Someone an auto-reply points to instead of the sender (a third party)."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(slots=True)
class AutoReply:
    reason: AutoReplyReason = AutoReplyReason.OTHER
    until: date | None = None
    new_email: str | None = None
    alternate_contacts: list[AlternateContact] = field(default_factory=list)


@dataclass(slots=True)
class Bounce:
    permanent: bool
    addresses: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Unsubscribe:
    channels: list[UnsubscribeChannel] = field(default_factory=list)


@dataclass(slots=True)
class Redaction:
    category: RedactionCategory
    where: str  # "signature" | "autoreply" | "body"


@dataclass(slots=True)
class Mailbox:
    """One address of the envelope (From, To, Cc), display name included."""

    email: str
    name: str | None = None


@dataclass(slots=True)
class Envelope:
    """Header facts the store needs: threading, participants, time. Redacted like everything else."""

    message_id: str | None = None
    in_reply_to: str | None = None
    references: list[str] = field(default_factory=list)
    subject: str | None = None
    date: datetime | None = None
    sender: Mailbox | None = None
    to: list[Mailbox] = field(default_factory=list)
    cc: list[Mailbox] = field(default_factory=list)


@dataclass(slots=True)
class Understanding:
    """Everything harvester takes from one message. Every string in it has passed redaction."""

    kind: Kind
    envelope: Envelope
    path: str | None = None
    autoreply: AutoReply | None = None
    bounce: Bounce | None = None
    unsubscribe: Unsubscribe | None = None
    signature: str | None = None
    contact: Contact | None = None
    redactions: list[Redaction] = field(default_factory=list)
    #: The sender's own text (quotes cut), redacted; what the archive keeps of the body.
    body: str | None = None
    #: Problems met while reading (bad charset, broken MIME): kinds only, never content.
    defects: list[str] = field(default_factory=list)

    @property
    def message_id(self) -> str | None:
        return self.envelope.message_id

    def to_json(self) -> dict[str, Any]:
        """The object of shared/contracts/inspect.md (fields may be added, never renamed)."""
        return {
            "path": self.path,
            "message_id": self.envelope.message_id,
            "kind": self.kind.value,
            "autoreply": _autoreply_json(self.autoreply),
            "bounce": asdict(self.bounce) if self.bounce else None,
            "unsubscribe": (
                {"channels": [c.value for c in self.unsubscribe.channels]} if self.unsubscribe else None
            ),
            "signature": self.signature,
            "contact": _contact_json(self.contact),
            "redactions": [{"category": r.category.value, "where": r.where} for r in self.redactions],
        }


def _autoreply_json(reply: AutoReply | None) -> dict[str, Any] | None:
    if reply is None:
        return None
    return {
        "reason": reply.reason.value,
        "until": reply.until.isoformat() if reply.until else None,
        "new_email": reply.new_email,
        "alternate_contacts": [asdict(a) for a in reply.alternate_contacts],
    }


def _contact_json(contact: Contact | None) -> dict[str, Any] | None:
    if contact is None:
        return None
    return {
        "name": contact.name,
        "title": contact.title,
        "organization": contact.organization,
        "emails": list(contact.emails),
        "phones": [{"e164": p.e164, "type": p.type.value} for p in contact.phones],
        "address": asdict(contact.address) if contact.address else None,
        "urls": list(contact.urls),
        "coverage": list(contact.coverage),
    }
