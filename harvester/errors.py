"""One error tree for everything a user may see.

Every message names what to fix (the file, the key, the account), so the CLI can
print it as one line and exit, never with a traceback.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "HarvesterError",
    "InputError",
    "LegalHold",
    "NotImplementedYet",
    "PolicyError",
    "SourceError",
    "StoreError",
    "UnknownContact",
]


class HarvesterError(Exception):
    """Base of every error harvester raises on purpose."""

    #: Exit status the CLI uses: 2 for bad input or config, 1 for run-time failures.
    exit_code: int = 1


class ConfigError(HarvesterError):
    """The configuration file is missing, unreadable or wrong; the message names file and key."""

    exit_code = 2


class InputError(HarvesterError):
    """A path given on the command line is missing, unreadable or not mail."""

    exit_code = 2


class PolicyError(HarvesterError):
    """A rules/ file (lexicon, retention, projects) is wrong; the message names file and rule."""

    exit_code = 2


class SourceError(HarvesterError):
    """A mailbox or a mail file could not be read."""


class StoreError(HarvesterError):
    """The database could not be opened, migrated or written."""


class UnknownContact(HarvesterError):
    """A command named a contact that is not in the store."""

    exit_code = 2


class LegalHold(HarvesterError):
    """Erasure was asked for something under legal hold: nothing was deleted; release the hold first."""

    exit_code = 2


class NotImplementedYet(HarvesterError):
    """A command of the contract that is planned but not built yet."""
