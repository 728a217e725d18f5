"""Opt-outs per channel, by hand (`contacts opt-out`) or from an unsubscribe message.

Channels: phone, sms, email, press_release, newsletter, post — and `all`.

Decision on `all`: it is an objection to every contact, i.e. to direct marketing
as a whole (GDPR Art. 21(2)-(3)); Art. 17(1)(c) then gives the right to erasure, and
the only thing the organisation needs in order to honour the objection is to
recognise the person again. So `all` is an erasure (store/rights.py: rows deleted,
archived mail scrubbed) plus suppression hashes of every e-mail address and mobile
number, and nothing else is kept. The person is never harvested again; sending
tools check the suppression list, not a contact row. Single channels keep the
contact and add an opt-out row with its evidence (the unsubscribe message's
Message-ID, or "manual"). A contact that refuses e-mail gets the status
`unsubscribed`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from harvester.understand.types import Understanding, UnsubscribeChannel
from store import audit
from store.contacts import (
    ContactPolicy,
    ContactStatus,
    contact_by_email,
    is_mobile,
    normalise_email,
    set_status,
)
from store.models import Contact, OptOut, utcnow
from store.purposes import held_only_for_newsletter, withdraw_newsletter
from store.rights import ErasureReport, erase_contact, person_of
from store.suppression import Suppressor

__all__ = [
    "CHANNELS",
    "OptOutSource",
    "add_opt_outs",
    "apply_unsubscribe",
    "object_to_everything",
]

CHANNELS = tuple(c.value for c in UnsubscribeChannel)


class OptOutSource(StrEnum):
    UNSUBSCRIBE = "unsubscribe"  # an unsubscribe message; message_id is the evidence
    MANUAL = "manual"  # `harvester contacts opt-out`


def add_opt_outs(
    session: Session,
    contact: Contact,
    channels: Iterable[str],
    *,
    source: OptOutSource,
    message_id: str | None,
    at: datetime,
    actor: str,
) -> list[str]:
    """Record single-channel opt-outs; returns the channels that were new."""
    held = {o.channel for o in session.scalars(select(OptOut).where(OptOut.contact_id == contact.id))}
    added: list[str] = []
    for channel in dict.fromkeys(UnsubscribeChannel(c).value for c in channels):
        if channel == UnsubscribeChannel.ALL or channel in held:
            continue
        opt_out = OptOut(
            contact_id=contact.id, channel=channel, source=source.value, message_id=message_id, set_at=at
        )
        session.add(opt_out)
        contact.opt_outs.append(opt_out)
        added.append(channel)
        audit.contact_event(
            session,
            contact.id,
            "opt_out.added",
            actor=actor,
            field=channel,
            reason=f"{source.value}",
            source=source.value,
        )
    if added:
        contact.updated_at = utcnow()
        session.flush()
    if UnsubscribeChannel.EMAIL.value in added:
        set_status(
            session,
            contact,
            ContactStatus.UNSUBSCRIBED,
            at=at,
            actor=actor,
            reason=f"opt-out from e-mail ({source.value})",
        )
    if {UnsubscribeChannel.NEWSLETTER.value, UnsubscribeChannel.EMAIL.value} & set(added):
        # Issue 9: the newsletter rests on consent; refusing it withdraws the consent (store/purposes.py).
        withdraw_newsletter(session, contact, actor=actor, reason=f"opt-out ({source.value})")
    return added


def object_to_everything(
    session: Session,
    *,
    contact: Contact | None,
    emails: Iterable[str],
    mobiles: Iterable[str] = (),
    suppressor: Suppressor,
    own_domains: Iterable[str],
    actor: str,
    reason: str,
    message_id: str | None = None,
) -> ErasureReport:
    """An `all` opt-out: suppress the addresses and mobiles given and every key of the contact; erase it.

    A contact under legal hold is not erased: suppressed and opted out of every channel instead
    (`message_id`: the unsubscribe message, the opt-outs' evidence).
    """
    report = ErasureReport()
    for email in emails:
        report.suppressed += suppressor.add(session, "email", normalise_email(email))
    for number in mobiles:
        report.suppressed += suppressor.add(session, "phone", number)
    if contact is not None and contact.legal_hold:
        # Held: nothing may be deleted, but the objection is honoured. The person is suppressed
        # (no new harvesting) and opted out of every channel; erasure waits for the release.
        person = person_of(session, contact)
        for kind, values in (("email", person.emails), ("phone", person.mobiles)):
            for value in sorted(values):
                report.suppressed += suppressor.add(session, kind, value)
        add_opt_outs(
            session,
            contact,
            [c for c in CHANNELS if c != UnsubscribeChannel.ALL.value],
            source=OptOutSource.MANUAL if message_id is None else OptOutSource.UNSUBSCRIBE,
            message_id=message_id,
            at=utcnow(),
            actor=actor,
        )
        audit.contact_event(session, contact.id, "erasure.deferred", actor=actor, reason="legal hold")
        report.contact_id = contact.id
        return report
    if contact is not None:
        erased = erase_contact(
            session,
            contact,
            suppressor=suppressor,
            own_domains=tuple(own_domains),
            actor=actor,
            reason=reason,
        )
        erased.suppressed += report.suppressed
        return erased
    audit.record(
        session,
        action="suppression.added",
        object_kind="suppression",
        object_id=None,
        actor=actor,
        reason=reason,
    )
    return report


def apply_unsubscribe(
    session: Session, understanding: Understanding, *, seen_at: datetime, policy: ContactPolicy
) -> ErasureReport | None:
    """What an unsubscribe message asks for, for its sender; an ErasureReport when it erased them.

    Erasure: an `all` unsubscribe, or a newsletter (or e-mail) unsubscribe from a person held
    only for the newsletter and known only from the register (store/purposes.py).
    """
    wish = understanding.unsubscribe
    seen = understanding.contact
    if wish is None or seen is None or not wish.channels:
        return None
    emails = [normalise_email(e) for e in seen.emails if "@" in e]
    emails = [e for e in emails if not policy.is_own(e)]
    if not emails:
        return None
    contact = next((c for c in (contact_by_email(session, e) for e in emails) if c is not None), None)
    channels = {c.value for c in wish.channels}
    if UnsubscribeChannel.ALL.value in channels:
        if policy.suppressor is None:
            return None
        return object_to_everything(
            session,
            contact=contact,
            emails=emails,
            mobiles=[p.e164 for p in seen.phones if is_mobile(p.e164)],
            suppressor=policy.suppressor,
            own_domains=policy.own_domains,
            actor=policy.actor,
            reason="unsubscribe message: all channels",
            message_id=understanding.message_id,
        )
    if contact is None:
        return None
    withdraws = {UnsubscribeChannel.NEWSLETTER.value, UnsubscribeChannel.EMAIL.value} & channels
    if (
        withdraws
        and policy.suppressor is not None
        and held_only_for_newsletter(session, contact, besides_message=understanding.message_id)
    ):
        # Issue 9: held only for the newsletter, known only from the register: nothing is left to
        # keep. Erased whole (the reply's own traces too) and suppressed, so the reply that was
        # just read, or the next one, cannot harvest them back as a contact from mail.
        return erase_contact(
            session,
            contact,
            suppressor=policy.suppressor,
            own_domains=policy.own_domains,
            actor=policy.actor,
            reason="unsubscribe message: held only for the newsletter",
        )
    add_opt_outs(
        session,
        contact,
        channels,
        source=OptOutSource.UNSUBSCRIBE,
        message_id=understanding.message_id,
        at=seen_at,
        actor=policy.actor,
    )
    return None
