"""What the cluster did, read afterwards from its database, its smarthost and its workers' logs."""

import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import psycopg

from .services import Smarthost

# A claim left by a killed worker lapses after 5 minutes; the next sweep (each minute) takes it.
DRAIN_SECONDS = 480
LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d):\d\d,\d+ \w+ huey")
ENQUEUED = re.compile(r"Enqueueing periodic task (\S+): ([0-9a-f-]{32,36})\.")
EXECUTED = re.compile(r"Executing (\S+): ([0-9a-f-]{32,36})")


def connect(database: str) -> psycopg.Connection:
    return psycopg.connect(f"postgres://postgres@127.0.0.1:5432/{database}", autocommit=True)


def backlog(database: str) -> tuple[int, int]:
    """(inbound mail not yet processed, outbound mail not yet sent)."""
    with connect(database) as conn:
        inbound = conn.execute(
            "SELECT count(*) FROM mailgate_inboundmail WHERE state <> 'processed'"
        ).fetchone()
        outbound = conn.execute(
            "SELECT count(*) FROM mailgate_outboundmail WHERE state = 'queued'"
        ).fetchone()
    return (inbound[0] if inbound else 0), (outbound[0] if outbound else 0)


def retried(database: str) -> tuple[int, int]:
    """(inbound mails processed more than once, outbound mails sent in more than one attempt):
    what a killed worker left for a retry or the sweep."""
    with connect(database) as conn:
        inbound = conn.execute(
            "SELECT count(*) FROM mailgate_inboundmail WHERE processing_attempts > 1"
        ).fetchone()
        outbound = conn.execute(
            "SELECT count(*) FROM mailgate_outboundmail WHERE attempts > 1"
        ).fetchone()
    return (inbound[0] if inbound else 0), (outbound[0] if outbound else 0)


def drain(database: str, timeout: float = DRAIN_SECONDS) -> float:
    """Seconds until every stored mail is processed and every queued one sent (bounded)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if backlog(database) == (0, 0):
            return time.monotonic() - started
        time.sleep(2)
    return -1.0


@dataclass
class MailEffects:
    accepted: int
    stored_once: int
    one_effect: int
    outcomes: Counter[str]
    problems: list[str]


def mail_effects(database: str, accepted: list[str]) -> MailEffects:
    """Each accepted Message-ID: one stored mail, processed, and one ticket message (a new
    ticket's first message or a reply's) carrying that Message-ID, never two."""
    bare = [mid.strip().strip("<>") for mid in accepted]
    with connect(database) as conn:
        stored = conn.execute(
            "SELECT message_id, state, outcome FROM mailgate_inboundmail "
            "WHERE trim(both '<>' from message_id) = ANY(%s)",
            [bare],
        ).fetchall()
        messages = conn.execute(
            "SELECT trim(both '<>' from email_message_id), count(*) FROM tickets_message "
            "WHERE trim(both '<>' from email_message_id) = ANY(%s) GROUP BY 1",
            [bare],
        ).fetchall()
    rows: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for message_id, state, outcome in stored:
        rows[message_id.strip("<>")].append((state, outcome))
    effects = dict(messages)
    problems, outcomes, stored_once, one_effect = [], Counter(), 0, 0
    for mid in bare:
        found = rows.get(mid, [])
        if len(found) == 1:
            stored_once += 1
            outcomes[found[0][1] or found[0][0]] += 1
        else:
            problems.append(f"{mid}: stored {len(found)} times")
        if effects.get(mid, 0) == 1:
            one_effect += 1
        else:
            problems.append(f"{mid}: {effects.get(mid, 0)} ticket messages, {found}")
    return MailEffects(len(bare), stored_once, one_effect, outcomes, problems)


@dataclass
class RawMail:
    in_store: int  # accepted mails whose raw bytes are an object in the bucket
    orphans: int  # objects no row names (a node killed between the upload and the row)
    problems: list[str]


def raw_mail_in_store(database: str, accepted: list[str], keys: set[str]) -> RawMail:
    """Each accepted mail's raw message is an object in the shared bucket, not bytes in the row:
    a web node's SMTP listener wrote it, a worker on another host read it to process it."""
    bare = [mid.strip().strip("<>") for mid in accepted]
    with connect(database) as conn:
        rows = conn.execute(
            "SELECT trim(both '<>' from message_id), raw_file, length(raw) "
            "FROM mailgate_inboundmail"
        ).fetchall()
    named = {raw_file for _mid, raw_file, _length in rows if raw_file}
    by_id = {mid: (raw_file, length) for mid, raw_file, length in rows}
    problems, in_store = [], 0
    for mid in bare:
        raw_file, length = by_id.get(mid, ("", 0))
        if raw_file and raw_file in keys and not length:
            in_store += 1
        else:
            problems.append(f"{mid}: raw_file {raw_file!r} in the bucket: {raw_file in keys}")
    orphans = sum(1 for key in keys if key.startswith("raw-mail/") and key not in named)
    return RawMail(in_store, orphans, problems)


@dataclass
class Outbound:
    rows: int
    sent: int
    delivered: int  # distinct Message-IDs the smarthost received
    sent_twice: int
    problems: list[str]


def outbound(database: str, smarthost: Smarthost) -> Outbound:
    with connect(database) as conn:
        rows = conn.execute("SELECT id, message_id, state FROM mailgate_outboundmail").fetchall()
    received = {mid.strip().strip("<>"): n for mid, n in smarthost.received.items()}
    problems, sent, delivered = [], 0, 0
    for pk, message_id, state in rows:
        sent += state == "sent"
        if state == "sent" and received.get(message_id.strip("<>"), 0) >= 1:
            delivered += 1
        elif state != "suppressed":
            problems.append(
                f"outbound {pk} {message_id}: {state}, at the smarthost "
                f"{received.get(message_id.strip('<>'), 0)} times"
            )
    twice = sum(1 for n in received.values() if n > 1)
    return Outbound(len(rows), sent, delivered, twice, problems)


def periodic_executions(logs: list[Path]) -> Counter[tuple[str, str]]:
    """(task, minute it was enqueued for) → how many consumers executed huey's task for it, from
    huey's own log lines ("Enqueueing periodic task …", "Executing …"). Every consumer schedules
    every periodic task, so with two workers this is two: the job's claim decides who runs it."""
    period_of: dict[str, tuple[str, str]] = {}
    executions: list[str] = []
    for log in logs:
        if not log.exists():
            continue
        for line in log.read_text(errors="replace").splitlines():
            stamp = LOG_LINE.match(line)
            if stamp and (match := ENQUEUED.search(line)):
                period_of[match[2]] = (match[1].rsplit(".", 1)[-1], stamp[1])
            elif match := EXECUTED.search(line):
                executions.append(match[2])
    return Counter(period_of[task_id] for task_id in executions if task_id in period_of)


@dataclass
class PeriodicJobs:
    runs: Counter[tuple[str, str]]  # (job, period start) → runs claimed
    closest: dict[str, float]  # job → fewest seconds between two of its runs' starts
    unfinished: list[str]  # runs whose worker was killed before it finished


def periodic_runs(database: str) -> PeriodicJobs:
    """The jobs' own record (core's PeriodicRun: one claimed row per job and period)."""
    with connect(database) as conn:
        rows = conn.execute(
            "SELECT job, period_start, started_at, finished_at, worker FROM core_periodicrun "
            "ORDER BY job, started_at"
        ).fetchall()
    runs: Counter[tuple[str, str]] = Counter()
    starts: dict[str, list[float]] = defaultdict(list)
    unfinished = []
    for job, period, started, finished, worker in rows:
        runs[(job, f"{period.astimezone(UTC):%H:%M}")] += 1
        starts[job].append(started.timestamp())
        if finished is None:
            unfinished.append(f"{job} {period:%H:%M} by {worker}")
    closest = {
        job: min((b - a for a, b in zip(times, times[1:], strict=False)), default=60.0)
        for job, times in starts.items()
    }
    return PeriodicJobs(runs, closest, unfinished)
