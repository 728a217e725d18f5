"""`understand()` on broken, huge and hostile mail: never raises, memory stays bounded, the contract holds.

Memory bound per message: tracemalloc peak < 20 × message size + 50 MB. Why that figure:
compat32 keeps the raw bytes, a surrogate-escaped str copy and the split payload (≈3–4×
the size), base64/quoted-printable decoding of a part adds ≈1× more, and text extraction
(HTML → text, quote cutting) works on the decoded text parts, not the attachments; 20×
leaves room for that while still catching quadratic blow-ups (a 10 MB attachment may not
cost 1 GB). The 50 MB floor covers the fixed cost of lazily loaded rule tables and
libraries (phonenumbers metadata, dateparser locales) on the first message.
"""

from __future__ import annotations

import tracemalloc

import pytest
from hypothesis import given

from harvester.understand import understand
from harvester.understand.types import Kind, Understanding
from tests.robustness.contract import check_inspect_object
from tests.robustness.corpus import BUILDERS, OWN_DOMAINS, SEEDS, fuzz_settings, messages

MB = 1_000_000


def memory_bound(size: int) -> int:
    return 20 * size + 50 * MB


def understand_measured(data: bytes) -> tuple[Understanding, int]:
    """understand() with its tracemalloc peak (bytes); tracing is stopped whatever happens."""
    tracemalloc.start()
    try:
        result = understand(data, path="fuzz.eml", own_domains=OWN_DOMAINS)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def check_understanding(result: Understanding) -> None:
    """The inspect contract, plus the rules the JSON alone cannot show."""
    check_inspect_object(result.to_json(), own_domains=OWN_DOMAINS)
    sender = result.envelope.sender
    if sender is not None and sender.email.rpartition("@")[2].lower() in OWN_DOMAINS:
        assert result.contact is None, "a contact was made of our own colleague"
    if result.kind in (Kind.BULK, Kind.BOUNCE):
        assert result.contact is None
    assert all(isinstance(d, str) for d in result.defects)


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_every_example_message_keeps_the_contract(name: str) -> None:
    result, _ = understand_measured(SEEDS[name])
    check_understanding(result)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_pathological_message_is_understood_within_the_memory_bound(name: str) -> None:
    data = BUILDERS[name]()
    understand(b"From: warm@sr.example\r\n\r\nwarm-up\r\n")  # lazy tables load outside the measurement
    result, peak = understand_measured(data)
    check_understanding(result)
    assert peak < memory_bound(len(data)), f"{name}: peak {peak / MB:.1f} MB for {len(data) / MB:.1f} MB"


@fuzz_settings(300)
@given(data=messages())
def test_mutated_mail_never_raises_and_keeps_the_contract(data: bytes) -> None:
    result, peak = understand_measured(data)
    check_understanding(result)
    assert peak < memory_bound(len(data))


def test_nested_message_depth_far_beyond_30_does_not_overflow_the_stack() -> None:
    from tests.robustness.corpus import nested_rfc822

    check_understanding(understand(nested_rfc822(400), own_domains=OWN_DOMAINS))


def test_raw_utf8_sender_name_is_read_as_utf8() -> None:
    result = understand(BUILDERS["raw_utf8_headers"](), own_domains=OWN_DOMAINS)
    assert result.contact is not None
    assert result.contact.name == "Björn Ström"
    assert result.envelope.subject == "Hallå där, intervju?"


@pytest.mark.parametrize(
    "sender",
    [
        "@rik Lindqvist <erik@dagbladet.example>",  # -> '@riklindqvist'
        "erik lindqvist@dagbladet.example",  # -> 'erik lindqvist@dagbladet.example'
    ],
)
def test_a_from_header_that_is_no_address_gives_no_address_as_contact(sender: str) -> None:
    result = understand(f"From: {sender}\r\nSubject: x\r\n\r\nHej\r\n".encode(), own_domains=OWN_DOMAINS)
    check_understanding(result)


def test_encoded_word_with_a_non_ascii_charset_name_does_not_lose_the_envelope() -> None:
    data = (
        b"From: Erik <erik@dagbladet.example>\r\nTo: =?\xf5tf-8?B?U3Ryw7Zt?= <karin@pr-byran.example>\r\n"
        b"Message-ID: <charset-name@dagbladet.example>\r\n\r\nHej\r\n"
    )
    result = understand(data, own_domains=OWN_DOMAINS)
    assert result.envelope.message_id == "<charset-name@dagbladet.example>"
    check_understanding(result)
