"""Issue 14: two web nodes and two workers on four hosts (network namespaces), PostgreSQL,
Redis and the object store (moto's S3 server) over the bridge; a bounded load of portal, API and
mail while one web node and one worker are killed (SIGKILL, the whole host) and restarted, then
Redis cut off for a few seconds. Nothing may be lost: every request succeeded or got a clear
error, every accepted mail had exactly one effect (R2, R4: one ticket or one message per
Message-ID) and its raw message is in the bucket, every outgoing mail reached the smarthost, no
periodic job ran twice in its period, and the health endpoints told the failures while they
lasted.

Run by `make test-cluster` (as root; CI is). Not collected by `make test`."""

import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from . import facts, load, netns, services
from .cluster import PASSWORD, SMTP_PORT, WEB_PORT, Cluster

pytestmark = pytest.mark.cluster

PORTAL_USERS = [("tekninen@esimerkki.fi", 40), ("it@toinen.fi", 40), ("tekninen@esimerkki.fi", 40)]
API_USERS = 2
API_ROUNDS = 60
MAIL_SENDERS = [("tekninen@esimerkki.fi", "FOC2233X0AB"), ("it@toinen.fi", "FDO2544Y1QQ")]
MAILS_EACH = 30
LOAD_SECONDS = 180  # the load's hard bound; on an idle machine it takes about a minute
REDIS_CUT_SECONDS = 8
# Requests and mails the load makes: the faults fall at shares of it.
TOTAL = (
    sum(2 + rounds * 2 for _, rounds in PORTAL_USERS)
    + API_USERS * API_ROUNDS * 2
    + MAILS_EACH * len(MAIL_SENDERS)
)
PERIOD_SECONDS = 60  # every periodic job of the desk runs each minute


@pytest.fixture
def cluster(request):
    if os.geteuid() != 0:
        pytest.fail("the cluster test creates network namespaces and veth pairs: run it as root")
    netns.remove_leftovers()
    services.drop_leftover_databases()
    workdir = Path(tempfile.mkdtemp(prefix="santacare-cluster-"))
    redis_db = int(os.environ.get("SANTACARE_CLUSTER_REDIS_DB", "14"))
    the_cluster = Cluster(workdir, redis_db=redis_db)
    # The test's report is counted before this fixture's tear-down: more failures, keep the logs.
    failed_before = request.session.testsfailed
    try:
        the_cluster.up()
        for host in the_cluster.web:
            the_cluster.start_web(host)
        for host in the_cluster.workers:
            the_cluster.start_worker(host)
        for host in the_cluster.web:
            the_cluster.wait_web(host)
        for host in the_cluster.workers:
            the_cluster.wait_worker(host)
        yield the_cluster
    finally:
        the_cluster.close()
        if request.session.testsfailed > failed_before or sys.exc_info()[0] is not None:
            print(f"\ncluster logs kept in {the_cluster.logs}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


class Faults:
    """The faults, injected when the load has reached a share of its requests (so each falls
    mid-load however fast the machine is), with the moments they began and ended."""

    def __init__(self, cluster: Cluster, outcomes: load.Outcomes, total: int) -> None:
        self.cluster, self.outcomes, self.total = cluster, outcomes, total
        self.moments: dict[str, float] = {}
        self.killed: dict[str, int] = {}
        # Clients that end early (a failed login) never reach a share: nobody waits past this.
        self.deadline = time.monotonic() + LOAD_SECONDS

    def wait_share(self, share: float, threads: list[threading.Thread]) -> None:
        while (
            self.outcomes.done < share * self.total
            and any(t.is_alive() for t in threads)
            and time.monotonic() < self.deadline
        ):
            time.sleep(0.1)

    def run(self, threads: list[threading.Thread]) -> None:
        web, worker = self.cluster.web[0], self.cluster.workers[0]
        self.wait_share(0.2, threads)
        self.moments["web1 killed"] = time.monotonic()
        self.killed["web1"] = self.cluster.network.kill(web)
        self.wait_share(0.4, threads)
        self.moments["web1 restarted"] = time.monotonic()
        self.cluster.start_web(web)
        self.cluster.wait_web(web)
        self.moments["web1 healthy"] = time.monotonic()
        self.wait_share(0.55, threads)
        self.moments["worker1 killed"] = time.monotonic()
        self.killed["worker1"] = self.cluster.network.kill(worker)
        self.wait_share(0.7, threads)
        self.moments["worker1 restarted"] = time.monotonic()
        self.cluster.start_worker(worker)
        self.cluster.wait_worker(worker)
        self.moments["worker1 consuming"] = time.monotonic()


def test_cluster_survives_a_killed_web_node_and_worker_under_load(cluster, capsys):
    nodes = load.Nodes([h.address for h in cluster.web], WEB_PORT, SMTP_PORT)
    outcomes, mail_log = load.Outcomes(), load.MailLog()
    readyz = _has_readyz(cluster)
    poller = load.HealthPoller(
        {h.name: h.address for h in cluster.web},
        WEB_PORT,
        ["/healthz", "/readyz"] if readyz else ["/healthz"],
    )
    threads: list[threading.Thread] = []
    faults = Faults(cluster, outcomes, TOTAL)
    threads += [
        threading.Thread(target=load.portal_user, args=(nodes, outcomes, email, PASSWORD, rounds))
        for email, rounds in PORTAL_USERS
    ]
    threads += [
        threading.Thread(target=load.api_user, args=(nodes, outcomes, cluster.api_key, API_ROUNDS))
        for _ in range(API_USERS)
    ]
    threads += [
        threading.Thread(
            target=load.mail_sender,
            args=(nodes, outcomes, mail_log),
            kwargs={
                "sender": sender,
                "serial": serial,
                "count": MAILS_EACH,
                "support": "support@santacare.example",
                "pace": lambda share: faults.wait_share(share * 0.95, threads),
            },
        )
        for sender, serial in MAIL_SENDERS
    ]
    poller.start()
    started = time.monotonic()
    for thread in threads:
        thread.daemon = True
        thread.start()
    faults.run(threads)
    for thread in threads:
        thread.join(timeout=max(1.0, LOAD_SECONDS - (time.monotonic() - started)))
    load_seconds = time.monotonic() - started
    unfinished = sum(thread.is_alive() for thread in threads)

    backlog_after_load = facts.backlog(cluster.database)
    redis_cut = _cut_redis(cluster, faults) if readyz else None
    # Every process of every host still running after the Redis cut (a blip kills no worker).
    dead = {
        host.name: [p.args[4:6] for p in host.processes if p.poll() is not None]
        for host in cluster.web + cluster.workers
    }
    drained = facts.drain(cluster.database)
    poller.stopped.set()
    poller.join(timeout=10)

    effects = facts.mail_effects(cluster.database, mail_log.accepted)
    raw_mail = facts.raw_mail_in_store(
        cluster.database, mail_log.accepted, cluster.object_store.keys()
    )
    sent = facts.outbound(cluster.database, cluster.smarthost)
    worker_logs = [
        cluster.logs / f"{h.name}-{c}.log"
        for h in cluster.workers
        for c in ("run_huey", "mail_worker")
    ]
    periodic = facts.periodic_runs(cluster.database)
    executions = facts.periodic_executions(worker_logs)
    health = _health_findings(poller.probes, faults.moments, redis_cut)
    metrics = _scrape_metrics(cluster)
    retried = facts.retried(cluster.database)

    with capsys.disabled():
        _print_summary(outcomes, mail_log, effects, sent, faults, health, load_seconds, drained)
        _print_periodic(periodic, executions)
        print(
            f"object store: {raw_mail.in_store} raw mails in the bucket, "
            f"{raw_mail.orphans} objects no row names"
        )
        print(
            f"backlog when the load ended: {backlog_after_load} (inbound unprocessed, outbound "
            f"unsent); processed or sent in more than one attempt: {retried}"
        )
        print(f"health: {health}")
        print(f"processes that ended by themselves: {dead}")
        print("metrics (web2's /metrics, whole-cluster figures):")
        for line in metrics:
            print(f"  {line}")

    assert unfinished == 0, f"{unfinished} load clients still running after {LOAD_SECONDS} s"
    assert outcomes.failures == [], "requests that neither succeeded nor got a clear error"
    assert outcomes.counts[("mail", "ok after fail-over")] > 0, "no mail met the killed node"
    assert (
        outcomes.counts[("portal", "ok after fail-over")]
        + outcomes.counts[("api", "ok after fail-over")]
        > 0
    ), "no request met the killed node: the fault fell outside the load"
    assert drained >= 0, f"mail still unprocessed or unsent after {facts.DRAIN_SECONDS} s"
    assert effects.problems == [], "accepted mail without exactly one effect"
    assert effects.accepted == len(MAIL_SENDERS) * MAILS_EACH
    assert raw_mail.problems == [], "accepted mail whose raw message is not in the object store"
    assert sent.problems == [], "outgoing mail that never reached the smarthost"
    assert sent.rows >= effects.outcomes["created"], "a new ticket without its acknowledgement"
    assert periodic.runs, "no periodic job ran at all"
    twice = {period: runs for period, runs in periodic.runs.items() if runs > 1}
    assert twice == {}, "periodic jobs that ran more than once in their period"
    # The claim's row is unique per period; two runs of a job half a period apart would still be
    # two runs in one minute of the clock.
    close = {job: gap for job, gap in periodic.closest.items() if gap < PERIOD_SECONDS / 2}
    assert close == {}, "periodic jobs that started twice within half a period"
    assert health["problems"] == [], "health endpoints that did not tell the failures"


def _has_readyz(cluster: Cluster) -> bool:
    probe = load.HealthPoller({}, WEB_PORT, [])._probe("web2", cluster.web[1].address, "/readyz")
    return probe.status != 404


def _cut_redis(cluster: Cluster, faults: Faults) -> tuple[float, float]:
    """Redis unreachable from every host for a while: readiness must say so, and recover."""
    faults.moments["redis cut"] = time.monotonic()
    cluster.redis_forwarder.cut()
    time.sleep(REDIS_CUT_SECONDS)
    cluster.redis_forwarder.restore()
    faults.moments["redis restored"] = time.monotonic()
    time.sleep(5)
    return faults.moments["redis cut"], faults.moments["redis restored"]


def _health_findings(
    probes: list[load.Probe], moments: dict[str, float], redis_cut: tuple[float, float] | None
) -> dict:
    """What each endpoint answered in each phase, and where that was not the truth."""
    problems = []
    killed, restarted, healthy = (
        moments["web1 killed"],
        moments["web1 restarted"],
        moments["web1 healthy"],
    )
    down = [p for p in probes if p.node == "web1" and killed + 0.3 < p.at < restarted]
    if not down or any(p.status == 200 for p in down):
        problems.append(f"web1 answered while killed: {[p.status for p in down]}")
    after = [p for p in probes if p.node == "web1" and p.path == "/healthz" and p.at > healthy + 1]
    if after and after[-1].status != 200:
        problems.append(f"web1 not healthy after its restart: {after[-1]}")
    survivor = [p for p in probes if p.node == "web2" and p.path == "/healthz"]
    if redis_cut is None:
        bad = [p for p in survivor if p.status != 200]
    else:
        bad = [p for p in survivor if p.status != 200 and not redis_cut[0] <= p.at <= redis_cut[1]]
    if bad:
        problems.append(f"the surviving node's /healthz failed: {bad[:3]}")
    ready_during_cut: dict[str, dict[str, int]] = {}
    if redis_cut is not None:
        for node in ("web1", "web2"):
            ready = [p for p in probes if p.node == node and p.path == "/readyz"]
            during = [p for p in ready if redis_cut[0] + 1 < p.at < redis_cut[1]]
            ready_during_cut[node] = dict(Counter(f"{p.status} {_failing(p)}" for p in during))
            if not any(p.status == 503 and "redis" in _failing(p) for p in during):
                problems.append(
                    f"{node}'s /readyz did not name Redis while it was cut: {during[:2]}"
                )
            if not ready or ready[-1].status not in (200, 503) or "redis" in _failing(ready[-1]):
                problems.append(
                    f"{node}'s /readyz still failing Redis after it came back: {ready[-1:]}"
                )
        # Readiness never errs: 200 or 503 with its reasons, on both nodes, whatever broke.
        unclear = [p for p in probes if p.path == "/readyz" and p.status not in (0, 200, 503)]
        if unclear:
            problems.append(f"/readyz answers that are neither ready nor a reason: {unclear[:3]}")

    def readiness_between(node: str, start: float, end: float) -> dict[str, int]:
        return dict(
            Counter(
                f"{p.status} {_failing(p)}"
                for p in probes
                if p.node == node and p.path == "/readyz" and start < p.at < end
            )
        )

    return {
        "web2 /readyz while web1 was down": readiness_between("web2", killed, healthy),
        "web2 /readyz while worker1 was down": readiness_between(
            "web2", moments["worker1 killed"], moments["worker1 consuming"]
        ),
        "web1 probes while killed": len(down),
        "web1 answering while killed": sum(p.status == 200 for p in down),
        "web2 /healthz probes": len(survivor),
        "web2 /healthz not 200": sum(p.status != 200 for p in survivor),
        "/readyz during Redis cut": ready_during_cut,
        "problems": problems,
    }


def _scrape_metrics(cluster: Cluster) -> list[str]:
    """The mail and periodic-job figures of /metrics, as Prometheus would scrape them."""
    probe = load.HealthPoller({}, WEB_PORT, [])._probe(
        "web2", cluster.web[1].address, "/metrics", limit=1_000_000
    )
    if probe.status == 404:
        return ["(no /metrics)"]
    wanted = ("santacare_inbound_mail", "santacare_outbound_mail", "santacare_periodic")
    return [line for line in probe.body.splitlines() if line.startswith(wanted)] or [
        f"{probe.status} {probe.body[:200]}"
    ]


def _failing(probe: load.Probe) -> list[str]:
    """The checks a /readyz answer names as failing ([] when it is not such an answer)."""
    try:
        return list(json.loads(probe.body).get("failing", []))
    except (ValueError, AttributeError):
        return []


def _print_summary(outcomes, mail_log, effects, sent, faults, health, seconds, drained):
    start = min(faults.moments.values())
    print("\n=== cluster test summary")
    print(f"load: {outcomes.done} requests and mails in {seconds:.1f} s")
    for (channel, outcome), count in sorted(outcomes.counts.items()):
        print(f"  {channel:7} {outcome:20} {count}")
    for failure in outcomes.failures[:10]:
        print(f"  FAILED {failure}")
    print(
        f"mail: {effects.accepted} accepted, {mail_log.retried} deliveries retried on the other MX"
    )
    print(
        f"  stored once {effects.stored_once}, exactly one effect {effects.one_effect}, "
        f"outcomes {dict(effects.outcomes)}"
    )
    for problem in effects.problems[:10]:
        print(f"  PROBLEM {problem}")
    print(
        f"outbound: {sent.rows} queued, {sent.sent} sent, {sent.delivered} at the smarthost, "
        f"{sent.sent_twice} delivered more than once; drained {drained:.0f} s after the load"
    )
    for problem in sent.problems[:10]:
        print(f"  PROBLEM {problem}")
    print("faults (seconds after the first):")
    for name, moment in faults.moments.items():
        print(f"  {moment - start:6.1f}  {name}")
    print(f"  processes SIGKILLed: {faults.killed}")


def _print_periodic(periodic: facts.PeriodicJobs, executions) -> None:
    print("periodic jobs: runs claimed per period (PeriodicRun); huey executions by minute")
    for (job, period), runs in sorted(periodic.runs.items(), key=lambda item: item[0][::-1]):
        print(f"  {period} UTC {job:22} {runs}")
    print(f"  closest two starts of a job, seconds: {periodic.closest}")
    print(f"  left unfinished by a killed worker: {periodic.unfinished}")
    per_minute = Counter()
    for (_task, minute), count in executions.items():
        per_minute[minute[-5:]] += count
    print(f"  huey's executions of them per minute (Helsinki), all consumers: {dict(per_minute)}")
