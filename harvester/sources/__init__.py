"""Where mail comes from: IMAP mailboxes and files. Only this package talks to a mailbox."""

from harvester.sources.raw import Origin, RawMessage

__all__ = ["Origin", "RawMessage"]
