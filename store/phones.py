"""Phone numbers as the store keeps them: one parser for every way a number comes in by hand.

Why a module of its own: the CSV import (store/importer.py) and `contacts edit --set phones=`
(harvester/cli/contacts.py) must accept and normalise exactly the same numbers; both import
this, and it imports nothing of either.
"""

from __future__ import annotations

import phonenumbers

__all__ = ["DEFAULT_REGION", "phone_value"]

#: Numbers written without a country code are Swedish.
DEFAULT_REGION = "SE"

_KINDS = {
    phonenumbers.PhoneNumberType.MOBILE: "mobile",
    phonenumbers.PhoneNumberType.FIXED_LINE: "fixed",
}


def phone_value(text: str) -> dict[str, str]:
    """A phone as the store keeps it, `{"e164", "type"}`; ValueError (saying why) when not valid.

    >>> phone_value("070-123 45 67")
    {'e164': '+46701234567', 'type': 'mobile'}
    """
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValueError("not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    kind = _KINDS.get(phonenumbers.number_type(number), "unknown")
    return {"e164": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), "type": kind}
