"""A validator for the `harvester inspect` contract (shared/contracts/inspect.md).

The fuzz and crash tests feed the product garbage; this is how they tell a good
answer from a bad one without knowing what the garbage "means": every object must
have every key, with the promised types, enums and formats, and obey the rules
(no contact for bulk or bounce, none for our own domains).
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

__all__ = ["ContractViolation", "check_inspect_object", "contract_problems"]

KINDS = {"personal", "autoreply", "bounce", "bulk", "unsubscribe"}
REASONS = {"vacation", "parental_leave", "left_organization", "address_change", "absence", "other"}
CHANNELS = {"email", "press_release", "newsletter", "phone", "sms", "post"}
PHONE_TYPES = {"mobile", "fixed", "switchboard", "fax", "unknown"}
CATEGORIES = {
    "health",
    "religion",
    "politics",
    "union",
    "sex_life",
    "ethnicity",
    "biometric",
    "genetic",
    "national_id",
}
WHERE = {"signature", "autoreply", "body"}
KEYS = {
    "path",
    "message_id",
    "kind",
    "autoreply",
    "bounce",
    "unsubscribe",
    "signature",
    "contact",
    "redactions",
}
CONTACT_KEYS = {"name", "title", "organization", "emails", "phones", "address", "urls", "coverage"}
ADDRESS_KEYS = {"street", "postal_code", "city", "country"}

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MSGID = re.compile(r"^<[^<>\s]+>$")
_SLUG = re.compile(r"^[a-z][a-z0-9_]*$")
#: A Swedish personal identity number in any of its written forms (the redactor's job to remove).
_PNR = re.compile(r"(?<!\d)(?:19|20)?\d{6}[-+–]\d{4}(?!\d)")


class ContractViolation(AssertionError):
    """An inspect object broke the contract; the message lists every problem found."""


def _is_email(value: Any) -> bool:
    if not isinstance(value, str) or value.count("@") < 1 or any(c.isspace() for c in value):
        return False
    local, _, domain = value.rpartition("@")
    return bool(local) and bool(domain) and domain == domain.lower()


def _opt_str(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _autoreply(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, dict):
        return ["autoreply: not an object"]
    problems = []
    if value.get("reason") not in REASONS:
        problems.append(f"autoreply.reason: {value.get('reason')!r} not in the enum")
    until = value.get("until")
    if until is not None:
        try:
            if not (isinstance(until, str) and _ISO_DATE.match(until)):
                raise ValueError(until)
            date.fromisoformat(until)
        except ValueError:
            problems.append(f"autoreply.until: {until!r} is not YYYY-MM-DD")
    if value.get("new_email") is not None and not _is_email(value["new_email"]):
        problems.append("autoreply.new_email: not an address")
    alternates = value.get("alternate_contacts")
    if not isinstance(alternates, list):
        problems.append("autoreply.alternate_contacts: not a list")
        alternates = []
    for i, alt in enumerate(alternates):
        if not isinstance(alt, dict) or set(alt) < {"name", "email", "phone"}:
            problems.append(f"autoreply.alternate_contacts[{i}]: missing keys")
            continue
        if not _opt_str(alt["name"]):
            problems.append(f"autoreply.alternate_contacts[{i}].name: not a string")
        if alt["email"] is not None and not _is_email(alt["email"]):
            problems.append(f"autoreply.alternate_contacts[{i}].email: not an address")
        if alt["phone"] is not None and not (isinstance(alt["phone"], str) and _E164.match(alt["phone"])):
            problems.append(f"autoreply.alternate_contacts[{i}].phone: {alt['phone']!r} is not E.164")
    return problems


def _bounce(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, dict) or not isinstance(value.get("permanent"), bool):
        return ["bounce: needs a boolean 'permanent'"]
    addresses = value.get("addresses")
    if not isinstance(addresses, list) or not all(_is_email(a) for a in addresses):
        return ["bounce.addresses: not a list of addresses"]
    return []


def _unsubscribe(value: Any) -> list[str]:
    if value is None:
        return []
    channels = value.get("channels") if isinstance(value, dict) else None
    if not isinstance(channels, list):
        return ["unsubscribe.channels: not a list"]
    if channels == ["all"] or (channels and set(channels) <= CHANNELS):
        return []
    return [f"unsubscribe.channels: {channels!r} is neither ['all'] nor a non-empty subset of the channels"]


def _contact(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, dict):
        return ["contact: not an object"]
    problems = [f"contact: missing {key}" for key in sorted(CONTACT_KEYS - set(value))]
    if problems:
        return problems
    for key in ("name", "title", "organization"):
        if not _opt_str(value[key]):
            problems.append(f"contact.{key}: not a string or null")
    if not isinstance(value["emails"], list) or not all(_is_email(e) for e in value["emails"]):
        problems.append(f"contact.emails: {value['emails']!r} is not a list of lower-case-domain addresses")
    phones = value["phones"]
    if not isinstance(phones, list):
        problems.append("contact.phones: not a list")
        phones = []
    for i, phone in enumerate(phones):
        if not isinstance(phone, dict) or not _E164.match(str(phone.get("e164", ""))):
            problems.append(f"contact.phones[{i}].e164: not E.164")
        elif phone.get("type") not in PHONE_TYPES:
            problems.append(f"contact.phones[{i}].type: {phone.get('type')!r} not in the enum")
    address = value["address"]
    if address is not None and (
        not isinstance(address, dict)
        or set(address) != ADDRESS_KEYS
        or not all(_opt_str(v) for v in address.values())
    ):
        problems.append("contact.address: not {street, postal_code, city, country} of strings or null")
    if not _str_list(value["urls"]):
        problems.append("contact.urls: not a list of strings")
    if not _str_list(value["coverage"]) or not all(_SLUG.match(c) for c in value["coverage"]):
        problems.append(f"contact.coverage: {value['coverage']!r} is not a list of slugs")
    return problems


def _redactions(value: Any) -> list[str]:
    if not isinstance(value, list):
        return ["redactions: not a list"]
    problems = []
    for i, item in enumerate(value):
        if (
            not isinstance(item, dict)
            or item.get("category") not in CATEGORIES
            or item.get("where") not in WHERE
        ):
            problems.append(f"redactions[{i}]: {item!r} is not {{category, where}} from the enums")
    return problems


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def contract_problems(obj: Any, *, own_domains: tuple[str, ...] = ()) -> list[str]:
    """Every way `obj` breaks the inspect contract (empty when it keeps it)."""
    if not isinstance(obj, dict):
        return [f"not a JSON object: {type(obj).__name__}"]
    missing = KEYS - set(obj)
    if missing:
        return [f"missing keys: {sorted(missing)}"]
    problems: list[str] = []
    try:
        text = json.dumps(obj, ensure_ascii=False)
        text.encode("utf-8")  # a lone surrogate would make `inspect` die writing stdout
    except (TypeError, ValueError, UnicodeError) as exc:
        problems.append(f"not serialisable as UTF-8 JSON: {type(exc).__name__}")
    if not _opt_str(obj["path"]):
        problems.append("path: not a string or null")
    message_id = obj["message_id"]
    if message_id is not None and not (isinstance(message_id, str) and _MSGID.match(message_id)):
        problems.append(f"message_id: {message_id!r} is not <...> or null")
    if obj["kind"] not in KINDS:
        problems.append(f"kind: {obj['kind']!r} not in the enum")
    if not _opt_str(obj["signature"]):
        problems.append("signature: not a string or null")
    problems += _autoreply(obj["autoreply"])
    problems += _bounce(obj["bounce"])
    problems += _unsubscribe(obj["unsubscribe"])
    problems += _contact(obj["contact"])
    problems += _redactions(obj["redactions"])
    contact = obj["contact"]
    if obj["kind"] in {"bulk", "bounce"} and contact is not None:
        problems.append(f"contact: must be null for kind {obj['kind']}")
    if isinstance(contact, dict) and isinstance(contact.get("emails"), list):
        own = {d.lower() for d in own_domains}
        if any(isinstance(e, str) and e.rpartition("@")[2] in own for e in contact["emails"][:1]):
            problems.append("contact: the sender is in the organisation's own domains")
    for place in ("signature", "contact", "autoreply"):
        for text_value in _strings(obj[place]):
            if _PNR.search(text_value):
                problems.append(f"{place}: holds an unredacted personal identity number")
                break
    return problems


def check_inspect_object(obj: Any, *, own_domains: tuple[str, ...] = ()) -> None:
    """Raise ContractViolation naming every problem; the object is shown with its problems."""
    problems = contract_problems(obj, own_domains=own_domains)
    if problems:
        shown = json.dumps(obj, ensure_ascii=True)[:2000] if isinstance(obj, dict) else repr(obj)[:2000]
        raise ContractViolation("; ".join(problems) + f"\n{shown}")
