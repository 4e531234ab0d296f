"""Fetch mail from an IMAP mailbox (imapclient): a message leaves the INBOX only after it is
committed, moved to the `Processed` folder; a database outage leaves it where it is."""

import logging
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from django.db import DatabaseError
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from .batch import BATCH_SIZE, process_mail_batch
from .models import InboundMail
from .store import store_inbound_batch

logger = logging.getLogger(__name__)

PROCESSED_FOLDER = "Processed"
FETCH_LIMIT = 500
# A chunk stored in one INSERT is at most BATCH_SIZE messages and about this many bytes.
CHUNK_BYTES = 20 * 1024 * 1024
IMAP_TIMEOUT_SECONDS = 60


@dataclass
class FetchResult:
    stored: int = 0
    duplicates: int = 0
    left_in_mailbox: int = 0
    outcomes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MailboxConfig:
    host: str
    port: int
    ssl: bool
    username: str
    password: str
    folder: str

    @classmethod
    def from_url(cls, url: str) -> "MailboxConfig":
        """imap://user:password@host:143/INBOX or imaps://… (TLS)."""
        parts = urlsplit(url)
        if parts.scheme not in ("imap", "imaps"):
            raise ValueError("IMAP_URL must start with imap:// or imaps://")
        ssl = parts.scheme == "imaps"
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or (993 if ssl else 143),
            ssl=ssl,
            username=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            folder=unquote(parts.path.lstrip("/")) or "INBOX",
        )


def connect(config: MailboxConfig) -> IMAPClient:
    client = IMAPClient(config.host, port=config.port, ssl=config.ssl, timeout=IMAP_TIMEOUT_SECONDS)
    client.login(config.username, config.password)
    if not client.folder_exists(PROCESSED_FOLDER):
        client.create_folder(PROCESSED_FOLDER)
    client.select_folder(config.folder)
    return client


def fetch_mailbox(url: str, *, client: IMAPClient | None = None) -> FetchResult:
    config = MailboxConfig.from_url(url)
    own_client = client is None
    client = client or connect(config)
    try:
        return _fetch(client, config)
    finally:
        if own_client:
            client.logout()


def _fetch(client: IMAPClient, config: MailboxConfig) -> FetchResult:
    result = FetchResult()
    uids = sorted(client.search(["NOT", "DELETED"]))[:FETCH_LIMIT]
    chunk: list[tuple[int, bytes]] = []
    for index, uid in enumerate(uids):
        fetched = client.fetch([uid], ["BODY.PEEK[]"]).get(uid)
        # Gone (another fetcher moved it) or expunged while we asked: BODY[] is missing or NIL.
        if fetched and fetched.get(b"BODY[]") is not None:
            chunk.append((uid, bytes(fetched[b"BODY[]"])))
        last = index == len(uids) - 1
        if chunk and (
            last or len(chunk) >= BATCH_SIZE or sum(len(r) for _u, r in chunk) > CHUNK_BYTES
        ):
            if not _store_chunk(client, config, chunk, result):
                result.left_in_mailbox = len(uids) - result.stored - result.duplicates
                return result
            chunk = []
    return result


def _store_chunk(
    client: IMAPClient, config: MailboxConfig, chunk: list[tuple[int, bytes]], result: FetchResult
) -> bool:
    """Store a chunk in one INSERT, move it out of the INBOX, process it; False when the
    database could not take it (then it stays in the INBOX, unflagged, for the next run)."""
    try:
        stored = store_inbound_batch(
            [raw for _uid, raw in chunk],
            source=InboundMail.Source.IMAP,
            envelope_recipients=[config.username],
        )
    except DatabaseError:
        logger.exception("Database unavailable; leaving mail in the mailbox")
        return False
    ours: list[int] = []
    unclaimed: list[int] = []
    for (uid, _raw), (mail, created) in zip(chunk, stored, strict=True):
        if created:
            result.stored += 1
        else:
            result.duplicates += 1
        if mail.state == InboundMail.State.RECEIVED:
            # Stored by us: ours to process. Stored before: another fetcher (another node)
            # may be processing it this moment; only an unclaimed one is ours to finish.
            (ours if created else unclaimed).append(mail.pk)
        # Committed: now it may leave the INBOX.
        _move_to_processed(client, uid)
    _process_fetched(result, ours=ours, unclaimed=unclaimed)
    return True


def _process_fetched(result: FetchResult, *, ours: list[int], unclaimed: list[int]) -> None:
    """The fetched mail processed many at a time, after every one is stored and moved: a
    crash here leaves it `received`, for the sweep."""
    try:
        for mail_ids, take_over in ((ours, True), (unclaimed, False)):
            processed = process_mail_batch(list(dict.fromkeys(mail_ids)), take_over=take_over)
            result.outcomes += [outcome.outcome for outcome in processed]
    except DatabaseError:
        logger.exception("Mail stored; processing left to the sweep")


def _move_to_processed(client: IMAPClient, uid: int) -> None:
    try:
        if client.has_capability("MOVE"):
            client.move([uid], PROCESSED_FOLDER)
            return
        client.copy([uid], PROCESSED_FOLDER)
        client.delete_messages([uid])
        client.expunge([uid]) if client.has_capability("UIDPLUS") else client.expunge()
    except IMAPClientError as error:
        # Another fetcher moved it first (EXPUNGEISSUED, NONEXISTENT): it is stored either way,
        # and the rest of this fetch must go on.
        if "EXPUNGEISSUED" not in str(error) and "NONEXISTENT" not in str(error):
            raise
        logger.info("Mail UID %s was moved by another fetcher", uid)


def idle_until_mail(client: IMAPClient, *, seconds: int) -> None:
    """IMAP IDLE: return when the server reports new mail or after `seconds`."""
    client.idle()
    try:
        client.idle_check(timeout=seconds)
    finally:
        client.idle_done()
