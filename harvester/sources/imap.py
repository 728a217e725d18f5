"""The IMAP poller: reads one account's folders incrementally, read-only, in batches.

How it is used (the pipeline does this)::

    source = ImapSource(account)                # account: harvester.config.AccountConfig
    for batch in source.poll(cursors):          # cursors: {folder: Cursor} from the store
        pipeline.apply_batch(                   # messages + cursor in ONE transaction
            batch.messages,
            cursor=CursorUpdate(account.name, batch.folder, batch.uidvalidity,
                                batch.last_uid, messages=len(batch.messages)),
        )

Why batches and not messages: the cursor `(UIDVALIDITY, last UID)` of a folder must be
written in the same transaction as the messages it covers, so a crash at any point
loses nothing and duplicates nothing. The poller never sees the store; it only yields
a `Batch` whose `cursor` is valid once that batch is committed. The consumer must
commit a batch before asking for the next one: when the connection drops, the poller
reconnects and continues after the last batch it handed out.

Why read-only by construction: the product never changes mail. The IMAP client is only
reachable through `ReadOnlyImap`, which has EXAMINE, UID SEARCH, FETCH (BODY.PEEK and
metadata only), LIST and the login commands; nothing that could STORE, COPY, MOVE,
EXPUNGE, APPEND or SELECT read-write exists on it.

Connection: implicit TLS by default, verified against the system CAs or the account's
`ca_file`; STARTTLS with `starttls`; plain only when both are off. `timeout` is the
socket timeout (both may be overridden per ImapSource). Dropped connections and
timeouts are retried with exponential backoff and jitter (`RetryPolicy`), then raise
`SourceError` naming account and host; a refused login or an untrusted certificate is
not retried.

Rescans: a folder whose UIDVALIDITY differs from the cursor's is read again from the
start (`Batch.rescan` is true); the store de-duplicates what it already has.
"""

from __future__ import annotations

import fnmatch
import imaplib
import logging
import ssl
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import imapclient
from imapclient.exceptions import IMAPClientError, LoginError
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from harvester.config import AccountConfig
from harvester.errors import ConfigError, SourceError
from harvester.sources.credentials import Credentials, SecretResolver, resolve_credentials
from harvester.sources.raw import Origin, OriginKind, RawMessage

__all__ = [
    "DEFAULT_MAX_BATCH_BYTES",
    "Batch",
    "Cursor",
    "FolderState",
    "ImapSource",
    "ReadOnlyImap",
    "RetryPolicy",
    "Skipped",
    "match_folders",
]

log = logging.getLogger(__name__)

_BODY = b"BODY[]"
_FETCH_ITEMS = ("BODY.PEEK[]", "FLAGS", "RFC822.SIZE")
#: A batch is cut earlier when its messages add up to more than this (bounded memory).
DEFAULT_MAX_BATCH_BYTES = 64 * 1024 * 1024
# \Recent belongs to a session, not to a message: keeping it would make flags differ per poll.
_SESSION_FLAGS = frozenset({"\\Recent"})
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Cursor:
    """How far a folder has been read: everything up to `last_uid` under `uidvalidity`."""

    uidvalidity: int
    last_uid: int


@dataclass(frozen=True, slots=True)
class FolderState:
    """What EXAMINE told about a folder."""

    folder: str
    uidvalidity: int
    uidnext: int | None
    exists: int


@dataclass(frozen=True, slots=True)
class Skipped:
    """A message the server listed but did not deliver (no body in the FETCH response)."""

    uid: int
    reason: str


@dataclass(frozen=True, slots=True)
class Batch:
    """Up to `batch_size` messages of one folder, and the cursor that is true once they are stored.

    `last_uid` covers the skipped messages too (they are recorded in `skipped`, not
    retried forever). `pending` counts the messages of this poll still to come in the
    folder, for progress bars. An empty batch is yielded when a folder's cursor must
    change without new mail (first poll of an empty folder, or a new UIDVALIDITY).
    """

    account: str
    state: FolderState
    last_uid: int
    messages: list[RawMessage]
    skipped: list[Skipped] = field(default_factory=list)
    rescan: bool = False
    pending: int = 0

    @property
    def folder(self) -> str:
        return self.state.folder

    @property
    def uidvalidity(self) -> int:
        return self.state.uidvalidity

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.state.uidvalidity, self.last_uid)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded exponential backoff with jitter for dropped connections and timeouts."""

    attempts: int = 5
    initial: float = 1.0
    maximum: float = 30.0
    jitter: float = 1.0


class _FolderChanged(Exception):
    """The folder's UIDVALIDITY changed between reconnects; the next poll rescans it."""


class ReadOnlyImap:
    """The only door to the IMAP connection: commands that cannot change a mailbox.

    Why a wrapper and not discipline: one stray `select_folder(f)` (read-write) or a
    FETCH of `BODY[]` (sets \\Seen) would change a consultant's mailbox. Here such
    calls do not exist, and FETCH refuses items that set flags.
    """

    _ALLOWED_ITEMS = frozenset(
        {"FLAGS", "RFC822.SIZE", "UID", "INTERNALDATE", "ENVELOPE", "BODYSTRUCTURE", "MODSEQ"}
    )

    __slots__ = ("_client", "selected")

    def __init__(self, client: imapclient.IMAPClient) -> None:
        self._client = client
        self.selected: FolderState | None = None

    def login(self, credentials: Credentials) -> None:
        if credentials.oauth2_token is not None:
            self._client.oauth2_login(credentials.user, credentials.oauth2_token)
            return
        password = credentials.password or ""
        if (password + credentials.user).isascii():
            self._client.login(credentials.user, password)
        else:
            # LOGIN is ASCII only (imaplib raises UnicodeEncodeError); AUTHENTICATE PLAIN sends UTF-8.
            self._client.plain_login(credentials.user, password)

    def capabilities(self) -> tuple[bytes, ...]:
        return tuple(self._client.capabilities())

    def list_folders(self) -> list[tuple[tuple[bytes, ...], str]]:
        """(flags, name) of every folder."""
        return [(tuple(flags), str(name)) for flags, _sep, name in self._client.list_folders()]

    def examine(self, folder: str) -> FolderState | None:
        """EXAMINE: a read-only SELECT, so \\Recent and \\Seen stay as they are.

        None when the server says NO (the folder was deleted or renamed since LIST).
        """
        try:
            response = self._client.select_folder(folder, readonly=True)
        except imaplib.IMAP4.abort:
            raise
        except IMAPClientError:
            self.selected = None
            return None
        uidnext = response.get(b"UIDNEXT")
        self.selected = FolderState(
            folder=folder,
            uidvalidity=int(response[b"UIDVALIDITY"]),
            uidnext=int(uidnext) if uidnext is not None else None,
            exists=int(response.get(b"EXISTS", 0)),
        )
        return self.selected

    def uids_after(self, last_uid: int) -> list[int]:
        """UIDs greater than `last_uid`, ascending.

        `UID SEARCH UID n:*` always matches the highest UID, even when it is below n
        (RFC 3501: `*` is the largest UID in use), hence the filter.
        """
        found = self._client.search(["UID", f"{last_uid + 1}:*"])
        return sorted(uid for uid in found if uid > last_uid)

    def fetch(self, uids: Sequence[int], items: Sequence[str]) -> dict[int, dict[bytes, Any]]:
        """UID FETCH of items that never set a flag (BODY.PEEK, not BODY or RFC822)."""
        for item in items:
            name = item.upper()
            if not (name.startswith("BODY.PEEK[") or name in self._ALLOWED_ITEMS):
                raise ValueError(f"FETCH {item} could change the mailbox; use BODY.PEEK")
        return dict(self._client.fetch(list(uids), list(items)))

    def logout(self) -> None:
        """LOGOUT, or just drop the socket when the connection is already broken."""
        try:
            self._client.logout()
        except (IMAPClientError, OSError):
            self.shutdown()

    def shutdown(self) -> None:
        try:
            self._client.shutdown()
        except OSError:
            pass


def match_folders(available: Sequence[str], wanted: Sequence[str]) -> list[str]:
    """The folders to poll, in the config's order: exact names and fnmatch patterns.

    `INBOX` matches case-insensitively (RFC 3501); other names are case-sensitive.

    >>> match_folders(["INBOX", "Sent", "Projekt/Alfa", "Projekt/Beta"], ["inbox", "Projekt/*"])
    ['INBOX', 'Projekt/Alfa', 'Projekt/Beta']
    >>> match_folders(["INBOX"], ["Sent"])
    []
    """
    chosen: list[str] = []
    for pattern in wanted:
        if any(char in pattern for char in "*?["):
            hits = [name for name in available if fnmatch.fnmatchcase(name, pattern)]
        elif pattern.upper() == "INBOX":
            hits = [name for name in available if name.upper() == "INBOX"]
        else:
            hits = [name for name in available if name == pattern]
        chosen.extend(name for name in hits if name not in chosen)
    return chosen


def _is_transient(exc: BaseException) -> bool:
    """Dropped connections, refused connects and timeouts are worth another try.

    Not: a refused login, a certificate the CA file does not vouch for, a server NO/BAD.
    """
    if isinstance(exc, ssl.SSLCertVerificationError):
        return False
    return isinstance(exc, (OSError, imaplib.IMAP4.abort))


class ImapSource:
    """Polls one account. Holds at most one connection, opened lazily, closed after a poll."""

    def __init__(
        self,
        account: AccountConfig,
        secrets: SecretResolver = resolve_credentials,
        *,
        timeout: float | None = None,
        ca_file: str | Path | None = None,
        retry: RetryPolicy | None = None,
        max_batch_bytes: int = DEFAULT_MAX_BATCH_BYTES,
    ) -> None:
        if account.tls and account.starttls:
            raise ConfigError(f"account {account.name}: tls (implicit TLS) and starttls are exclusive")
        self.account = account
        self._secrets = secrets
        self._timeout = account.timeout if timeout is None else timeout
        ca = account.ca_file if ca_file is None else ca_file
        self._ca_file = str(ca) if ca is not None else None
        self._retry = retry or RetryPolicy()
        self._max_batch_bytes = max_batch_bytes
        self._imap: ReadOnlyImap | None = None

    # ------------------------------------------------------------------ public

    def poll(self, cursors: Mapping[str, Cursor]) -> Iterator[Batch]:
        """Yield the batches of new mail in every configured folder, folder by folder.

        `cursors` maps folder names to what the store has committed. Folders without
        a cursor, or with another UIDVALIDITY, are read from the start.
        """
        try:
            names = self._call(lambda imap: [n for f, n in imap.list_folders() if not _noselect(f)])
            folders = match_folders(names, list(self.account.folders))
            for missing in set(self.account.folders) - set(folders):
                if not any(c in missing for c in "*?[") and missing.upper() != "INBOX":
                    log.warning("account=%s folder=%s: no such folder", self.account.name, missing)
            for folder in folders:
                try:
                    yield from self._poll_folder(folder, cursors.get(folder))
                except _FolderChanged:
                    log.warning(
                        "account=%s folder=%s: UIDVALIDITY changed during the poll; the next poll rescans it",
                        self.account.name,
                        folder,
                    )
        finally:
            self.close()

    def close(self) -> None:
        imap, self._imap = self._imap, None
        if imap is not None:
            imap.logout()

    # ----------------------------------------------------------------- private

    def _poll_folder(self, folder: str, cursor: Cursor | None) -> Iterator[Batch]:
        state = self._call(lambda imap: imap.examine(folder))
        if state is None:
            log.warning("account=%s folder=%s: cannot EXAMINE; skipped", self.account.name, folder)
            return
        rescan = cursor is not None and cursor.uidvalidity != state.uidvalidity
        last_uid = cursor.last_uid if cursor is not None and not rescan else 0
        if rescan:
            log.info(
                "account=%s folder=%s: UIDVALIDITY %s -> %s, rescanning",
                self.account.name,
                folder,
                cursor.uidvalidity if cursor else None,
                state.uidvalidity,
            )
        if state.uidnext is not None and state.uidnext <= last_uid + 1:
            uids: list[int] = []  # nothing new: spare the SEARCH
        else:
            uids = self._call(lambda imap: imap.uids_after(last_uid), state)
        if not uids:
            if cursor is None or rescan:
                yield Batch(self.account.name, state, last_uid, [], rescan=rescan)
            return
        size = max(1, self.account.batch_size)
        done = 0
        for start in range(0, len(uids), size):
            for group in self._by_bytes(uids[start : start + size], state):
                fetch = partial(ReadOnlyImap.fetch, uids=group, items=_FETCH_ITEMS)
                response = self._call(fetch, state)
                messages, skipped = self._read(state, group, response)
                done += len(group)
                yield Batch(
                    self.account.name,
                    state,
                    group[-1],
                    messages,
                    skipped,
                    rescan=rescan,
                    pending=len(uids) - done,
                )

    def _by_bytes(self, uids: list[int], state: FolderState) -> Iterator[list[int]]:
        """Split a batch so that no FETCH brings more than `max_batch_bytes` (one message at least).

        Why: `batch_size` counts messages, but a consultant's folder of press kits can hold
        500 messages of 20 MB each; memory must stay bounded whatever the mail holds.
        One RFC822.SIZE FETCH per batch costs little next to the bodies.
        """
        fetch = partial(ReadOnlyImap.fetch, uids=uids, items=("RFC822.SIZE",))
        sizes = self._call(fetch, state)
        group: list[int] = []
        total = 0
        for uid in uids:
            size = int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0))
            if group and total + size > self._max_batch_bytes:
                yield group
                group, total = [], 0
            group.append(uid)
            total += size
        if group:
            yield group

    def _read(
        self, state: FolderState, uids: Sequence[int], response: Mapping[int, Mapping[bytes, Any]]
    ) -> tuple[list[RawMessage], list[Skipped]]:
        messages: list[RawMessage] = []
        skipped: list[Skipped] = []
        for uid in uids:
            item = response.get(uid)
            if item is None:
                continue  # expunged by another client since the SEARCH: nothing to read
            data = item.get(_BODY)
            if not isinstance(data, bytes):
                log.warning(
                    "account=%s folder=%s uid=%d: FETCH returned no body; skipped",
                    self.account.name,
                    state.folder,
                    uid,
                )
                skipped.append(Skipped(uid, "no BODY[] in the FETCH response"))
                continue
            origin = Origin(
                kind=OriginKind.IMAP,
                account=self.account.name,
                folder=state.folder,
                uidvalidity=state.uidvalidity,
                uid=uid,
            )
            messages.append(RawMessage(data, origin, _flags(item.get(b"FLAGS", ()))))
        return messages, skipped

    def _call(self, operation: Callable[[ReadOnlyImap], _T], state: FolderState | None = None) -> _T:
        """Run one command with reconnects: backoff + jitter on transient faults, bounded.

        With `state`, the folder is (re-)examined after a reconnect and must still have
        the same UIDVALIDITY, or the UIDs in hand would mean other messages.
        """
        policy = self._retry
        retrying = Retrying(
            stop=stop_after_attempt(policy.attempts),
            # exponential + random: spelt out, `wait_exponential_jitter` renamed its args in 9.x
            wait=wait_exponential(multiplier=policy.initial, max=policy.maximum)
            + wait_random(0, policy.jitter),
            retry=retry_if_exception(_is_transient),
            before_sleep=self._drop_connection,
            reraise=True,
        )
        try:
            for attempt in retrying:
                with attempt:
                    imap = self._connection()
                    if state is not None and imap.selected != state:
                        now = imap.examine(state.folder)
                        if now is None or now.uidvalidity != state.uidvalidity:
                            raise _FolderChanged(state.folder)
                    return operation(imap)
        except LoginError as exc:
            self._drop_connection()
            raise SourceError(
                f"account {self.account.name}: login to {self._where()} refused: {_server_text(exc)}"
            ) from exc
        except ssl.SSLCertVerificationError as exc:
            self._drop_connection()
            raise SourceError(
                f"account {self.account.name}: TLS certificate of {self._where()} "
                f"not trusted: {exc.verify_message}"
            ) from exc
        except (OSError, imaplib.IMAP4.abort) as exc:
            self._drop_connection()
            raise SourceError(
                f"account {self.account.name}: cannot read {self._where()} after "
                f"{policy.attempts} attempts: {type(exc).__name__}: {_server_text(exc)}"
            ) from exc
        except IMAPClientError as exc:
            self._drop_connection()
            raise SourceError(
                f"account {self.account.name}: {self._where()} answered: {_server_text(exc)}"
            ) from exc
        raise AssertionError("unreachable: tenacity either returns or raises")

    def _connection(self) -> ReadOnlyImap:
        if self._imap is None:
            self._imap = self._connect()
        return self._imap

    def _connect(self) -> ReadOnlyImap:
        account = self.account
        context = ssl.create_default_context(cafile=self._ca_file)
        client = imapclient.IMAPClient(
            account.host,
            account.port,
            ssl=account.tls,
            ssl_context=context if account.tls else None,
            timeout=self._timeout,
        )
        imap = ReadOnlyImap(client)
        try:
            if account.starttls:
                client.starttls(context)
            imap.login(self._secrets(account))
        except BaseException:
            imap.shutdown()
            raise
        log.debug("account=%s: connected to %s", account.name, self._where())
        return imap

    def _drop_connection(self, retry_state: RetryCallState | None = None) -> None:
        imap, self._imap = self._imap, None
        if imap is not None:
            imap.shutdown()
        if retry_state is not None and retry_state.outcome is not None:
            exc = retry_state.outcome.exception()
            log.warning(
                "account=%s: %s on %s; retry %d in %.1fs",
                self.account.name,
                type(exc).__name__,
                self._where(),
                retry_state.attempt_number,
                retry_state.upcoming_sleep,
            )

    def _where(self) -> str:
        return f"{self.account.host}:{self.account.port}"


def _noselect(flags: Sequence[bytes]) -> bool:
    return any(flag.lower() in (b"\\noselect", b"\\nonexistent") for flag in flags)


def _flags(raw: Sequence[bytes | str]) -> tuple[str, ...]:
    names = (f.decode("utf-8", "replace") if isinstance(f, bytes) else str(f) for f in raw)
    return tuple(name for name in names if name not in _SESSION_FLAGS)


def _server_text(exc: BaseException) -> str:
    """The server's words from an imaplib error (`b'[AUTHENTICATIONFAILED] ...'` -> text)."""
    text = str(exc)
    if text.startswith(("b'", 'b"')) and text.endswith(text[1]):
        text = text[2:-1]
    return text or type(exc).__name__
