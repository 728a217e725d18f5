"""Invented messages shared by the classify/bounce/autoreply tests (all data fictitious)."""

from __future__ import annotations

from email.message import Message

from harvester.understand.parse import parse_bytes

__all__ = ["DSN_DELAYED", "DSN_FAILED", "EXCHANGE_SV_NDR", "EXIM_NDR", "POSTFIX_DSN", "mail", "message_bytes"]


def mail(headers: str, body: str = "Hej!\n") -> Message:
    """A message from header lines and a plain body (UTF-8)."""
    head = headers.strip("\n")
    if "content-type:" not in head.lower():
        head += "\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit"
    return parse_bytes(f"{head}\n\n{body}".encode())


def message_bytes(
    sender: str,
    body: str,
    *,
    to: str,
    subject: str,
    date: str,
    message_id: str,
    headers: str = "",
    ctype: str = "text/plain; charset=utf-8",
) -> bytes:
    """A whole message as it arrives (CRLF lines), for tests that run `understand()` on bytes.

    `headers` are extra "Name: value\r\n" lines, placed after the Subject.
    """
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n{headers}"
        f"Message-ID: {message_id}\r\nDate: {date}\r\nContent-Type: {ctype}\r\n\r\n{body}\r\n"
    ).encode()


def _dsn(action: str, status: str, diagnostic: str) -> str:
    return f"""From: Mail Delivery System <MAILER-DAEMON@mx.pr-byran.example>
To: karin.lund@pr-byran.example
Subject: Undelivered Mail Returned to Sender
Date: Fri, 20 Mar 2026 10:00:00 +0100
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.pr-byran.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<erik.ek@dagbladet.example>: host mx.dagbladet.example[192.0.2.7] said: {diagnostic}

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.pr-byran.example
Arrival-Date: Fri, 20 Mar 2026 09:59:00 +0100

Final-Recipient: rfc822; Erik.Ek@dagbladet.example
Original-Recipient: rfc822;Erik.Ek@dagbladet.example
Action: {action}
Status: {status}
Diagnostic-Code: smtp; {diagnostic}

--B1
Content-Type: message/rfc822

From: Karin Lund <karin.lund@pr-byran.example>
To: Erik.Ek@dagbladet.example
Cc: anna.berg@sr.example
Subject: Pressinbjudan

Hej Erik!

--B1--
"""


DSN_FAILED = _dsn("failed", "5.1.1", "550 5.1.1 <erik.ek@dagbladet.example>: User unknown")
DSN_DELAYED = _dsn("delayed", "4.4.1", "451 4.4.1 connection timed out, will retry")
POSTFIX_DSN = DSN_FAILED

EXCHANGE_SV_NDR = """From: postmaster@pr-byran.example
To: Karin Lund <karin.lund@pr-byran.example>
Subject: Ej levererat: Pressinbjudan till releasen
Date: Fri, 20 Mar 2026 10:00:00 +0100
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Leveransen till följande mottagare eller grupper misslyckades:

Erik.Ek@Dagbladet.example
Det gick inte att hitta e-postadressen du angav. Kontrollera mottagarens adress.

Diagnostikinformation för administratörer:

Genererande server: EX01.pr-byran.example

Erik.Ek@Dagbladet.example
Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found'

Ursprungliga meddelandehuvuden:

Received: from EX01.pr-byran.example by EX02.pr-byran.example
From: Karin Lund <karin.lund@pr-byran.example>
To: Erik.Ek@Dagbladet.example
Cc: anna.berg@sr.example
Subject: Pressinbjudan till releasen
"""

EXIM_NDR = """From: Mail Delivery System <Mailer-Daemon@mail.example.net>
To: karin.lund@pr-byran.example
Subject: Mail delivery failed: returning message to sender
X-Failed-Recipients: lisa.holm@tidningen.example
Auto-Submitted: auto-replied
Content-Type: text/plain; charset=utf-8

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  lisa.holm@tidningen.example
    SMTP error from remote mail server after RCPT TO:<lisa.holm@tidningen.example>:
    550 5.1.1 User unknown

------ This is a copy of the message, including all the headers. ------

From: Karin Lund <karin.lund@pr-byran.example>
To: lisa.holm@tidningen.example
Cc: per.strand@radio.example
"""
