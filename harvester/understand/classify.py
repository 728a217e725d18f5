"""Which kind a message is, decided in a fixed order: bounce → auto-reply → unsubscribe → bulk → personal.

Foundation version: header cues only. The order matters (a vacation reply often
carries `Precedence: bulk`), so each test only runs when the earlier ones said no.
"""

from __future__ import annotations

from email.message import Message

from harvester.understand.parse import header_text
from harvester.understand.types import Kind

__all__ = ["classify"]

_BOUNCE_SENDERS = ("mailer-daemon@", "postmaster@")


def _is_bounce(msg: Message, sender: str) -> bool:
    ctype = msg.get_content_type()
    report_type = (msg.get_param("report-type") or "") if ctype == "multipart/report" else ""
    if ctype == "multipart/report" and str(report_type).lower() == "delivery-status":
        return True
    if msg.get("X-Failed-Recipients"):
        return True
    return sender.lower().startswith(_BOUNCE_SENDERS)


def _is_autoreply(msg: Message) -> bool:
    auto = (header_text(msg, "Auto-Submitted") or "no").lower()
    if auto.startswith("auto-replied"):
        return True
    return bool(msg.get("X-Autoreply") or msg.get("X-Autorespond"))


def _is_bulk(msg: Message, sender: str) -> bool:
    if msg.get("List-Id") or msg.get("List-Unsubscribe"):
        return True
    if (header_text(msg, "Precedence") or "").lower() in {"bulk", "list", "junk"}:
        return True
    local = sender.partition("@")[0].lower().replace("-", "").replace("_", "")
    return local in {"noreply", "donotreply", "nosvar"}


def classify(msg: Message, *, sender: str) -> Kind:
    if _is_bounce(msg, sender):
        return Kind.BOUNCE
    if _is_autoreply(msg):
        return Kind.AUTOREPLY
    if _is_bulk(msg, sender):
        return Kind.BULK
    return Kind.PERSONAL
