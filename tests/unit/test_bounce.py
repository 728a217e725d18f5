"""bounce_details: failed addresses and permanence from DSNs, Exim/Exchange reports, text NDRs."""

from __future__ import annotations

import pytest

from harvester.understand.bounce import bounce_details
from harvester.understand.parse import parse_bytes
from tests.unit.mail_samples import DSN_DELAYED, DSN_FAILED, EXCHANGE_SV_NDR, EXIM_NDR, mail

NO_NDR = """From: postmaster@tidningen.example
To: karin.lund@pr-byran.example
Subject: Levering mislyktes: Pressinbjudan
Content-Type: text/plain; charset=utf-8

Levering til disse mottakerne eller gruppene mislyktes:

ola.nordmann@avisa.example
Remote Server returned '550 5.1.1 User unknown'

Opprinnelige meldingshoder:
From: Karin Lund <karin.lund@pr-byran.example>
Cc: kari@avisa.example
"""

FI_DELAY = """From: postmaster@lehti.example
To: karin.lund@pr-byran.example
Subject: Toimitus viivästynyt: Lehdistötiedote
Content-Type: text/plain; charset=utf-8

Viestiä ei ole vielä toimitettu seuraaville vastaanottajille:

matti.virtanen@lehti.example
Palvelin yrittää uudelleen. 451 4.4.0 Primary target IP address responded with: 421 try again later
"""


@pytest.mark.parametrize(
    ("raw", "permanent", "addresses"),
    [
        (DSN_FAILED, True, ["erik.ek@dagbladet.example"]),
        (DSN_DELAYED, False, ["erik.ek@dagbladet.example"]),
        (EXCHANGE_SV_NDR, True, ["erik.ek@dagbladet.example"]),
        (EXIM_NDR, True, ["lisa.holm@tidningen.example"]),
        (NO_NDR, True, ["ola.nordmann@avisa.example"]),
        (FI_DELAY, False, ["matti.virtanen@lehti.example"]),
    ],
    ids=["dsn_failed", "dsn_delayed", "exchange_sv", "exim", "norwegian_text", "finnish_delay"],
)
def test_failed_addresses_and_permanence(raw: str, permanent: bool, addresses: list[str]) -> None:
    result = bounce_details(parse_bytes(raw.encode()))
    assert result.permanent is permanent
    assert result.addresses == addresses


@pytest.mark.parametrize("raw", [DSN_FAILED, EXCHANGE_SV_NDR, EXIM_NDR, NO_NDR])
def test_addresses_of_the_quoted_original_never_count(raw: str) -> None:
    addresses = bounce_details(parse_bytes(raw.encode())).addresses
    assert not {"karin.lund@pr-byran.example", "anna.berg@sr.example"} & set(addresses)
    assert "per.strand@radio.example" not in addresses and "kari@avisa.example" not in addresses


def test_dsn_failed_with_4xx_status_is_not_permanent() -> None:
    raw = DSN_FAILED.replace("Status: 5.1.1", "Status: 4.2.2").replace("550 5.1.1", "452 4.2.2")
    assert bounce_details(parse_bytes(raw.encode())).permanent is False


def test_x_failed_recipients_alone_is_read() -> None:
    msg = mail("From: Mailer-Daemon@mail.example.net\nX-Failed-Recipients: A.B@Example.com, c@example.org")
    result = bounce_details(msg)
    assert result.addresses == ["a.b@example.com", "c@example.org"]
    assert result.permanent is True


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=x\n\n--x\n",
        b"Content-Type: message/delivery-status\n\nFinal-Recipient: rfc822\nAction: ???\n",
        b"\xff\xfe\x00garbage",
    ],
)
def test_garbage_never_raises(raw: bytes) -> None:
    result = bounce_details(parse_bytes(raw))
    assert isinstance(result.addresses, list)
