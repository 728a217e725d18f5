"""The robustness suite uses the real Dovecot of tests/imap (its fixtures, imported here)."""

from __future__ import annotations

from tests.imap.conftest import dovecot, mailbox

__all__ = ["dovecot", "mailbox"]
