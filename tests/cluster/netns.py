"""Hosts on one machine: a bridge on the host, one network namespace per host, a veth pair each.

Every name carries the prefix `scc` and the pid of the run that made it (`scc-<pid>-web1`,
interfaces `scc<pid>…`), so a run first removes what a dead run left behind (its pid no longer
alive) and never touches a parallel run's hosts. Addresses: 10.213.<n>.0/24, <n> the first /24
no interface on the machine already uses; the host side of the bridge is .1.
"""

import contextlib
import os
import re
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

PREFIX = "scc"
NETNS_NAME = re.compile(rf"^{PREFIX}-(\d+)-\S+")
LINK_NAME = re.compile(rf"^{PREFIX}(\d+)[a-z]+")


def ip(*args: str, check: bool = True) -> str:
    result = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if check and result.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def namespace_pids(namespace: str) -> list[int]:
    output = ip("netns", "pids", namespace, check=False)
    return [int(line) for line in output.split() if line.isdigit()]


def kill_namespace(namespace: str, timeout: float = 10) -> int:
    """SIGKILL every process in the namespace, as a host losing power would; how many there were."""
    pids = namespace_pids(namespace)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    while namespace_pids(namespace) and time.monotonic() < deadline:
        time.sleep(0.05)
    return len(pids)


def remove_leftovers() -> list[str]:
    """Namespaces and links of runs whose process is gone (a crash, a kill -9 of pytest)."""
    removed = []
    for line in ip("netns", "list").splitlines():
        name = line.split()[0] if line.split() else ""
        match = NETNS_NAME.match(name)
        if match and not pid_alive(int(match[1])):
            kill_namespace(name)
            ip("netns", "delete", name, check=False)
            removed.append(name)
    for line in ip("-o", "link", "show").splitlines():
        name = line.split(":")[1].strip().split("@")[0]
        match = LINK_NAME.match(name)
        if match and not pid_alive(int(match[1])):
            ip("link", "delete", name, check=False)
            removed.append(name)
    return removed


def free_subnet() -> str:
    used = set(re.findall(r"inet 10\.213\.(\d+)\.", ip("-4", "-o", "addr", "show")))
    for third in range(256):
        if str(third) not in used:
            return f"10.213.{third}"
    raise RuntimeError("no free /24 in 10.213.0.0/16 for the cluster test")


@dataclass
class Host:
    name: str  # short: web1, worker2
    namespace: str
    address: str
    processes: list[subprocess.Popen] = field(default_factory=list)


class Network:
    """The bridge and the hosts on it; `close()` removes all of it, whatever state it is in."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.subnet = free_subnet()
        self.gateway = f"{self.subnet}.1"
        self.bridge = f"{PREFIX}{self.pid}br"
        self.hosts: dict[str, Host] = {}
        self._links: list[str] = []

    def up(self) -> None:
        ip("link", "add", self.bridge, "type", "bridge")
        self._links.append(self.bridge)
        ip("addr", "add", f"{self.gateway}/24", "dev", self.bridge)
        ip("link", "set", self.bridge, "up")

    def add_host(self, name: str, number: int) -> Host:
        namespace = f"{PREFIX}-{self.pid}-{name}"
        outside, inside = f"{PREFIX}{self.pid}h{number}", f"{PREFIX}{self.pid}n{number}"
        ip("netns", "add", namespace)
        host = Host(name, namespace, f"{self.subnet}.{number}")
        self.hosts[name] = host
        ip("link", "add", outside, "type", "veth", "peer", "name", inside)
        self._links.append(outside)
        ip("link", "set", outside, "master", self.bridge)
        ip("link", "set", outside, "up")
        ip("link", "set", inside, "netns", namespace)
        self.run_in(host, "ip", "link", "set", "lo", "up")
        self.run_in(host, "ip", "addr", "add", f"{host.address}/24", "dev", inside)
        self.run_in(host, "ip", "link", "set", inside, "up")
        return host

    def run_in(self, host: Host, *command: str) -> None:
        subprocess.run(["ip", "netns", "exec", host.namespace, *command], check=True)

    def start(
        self, host: Host, command: list[str], *, env: dict[str, str], log: Path
    ) -> subprocess.Popen:
        """`ip netns exec` execs the command: the Popen is the process itself, in the host."""
        with log.open("ab") as out:
            process = subprocess.Popen(  # noqa: S603
                ["ip", "netns", "exec", host.namespace, *command],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        host.processes.append(process)
        return process

    def kill(self, host: Host) -> int:
        """SIGKILL the whole host: every process in its namespace, gunicorn's workers included."""
        count = kill_namespace(host.namespace)
        for process in host.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=5)
        host.processes = [p for p in host.processes if p.poll() is None]
        return count

    def close(self) -> None:
        for host in self.hosts.values():
            with contextlib.suppress(Exception):
                self.kill(host)
            ip("netns", "delete", host.namespace, check=False)
        for link in self._links:
            ip("link", "delete", link, check=False)
