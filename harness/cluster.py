"""A three-node RabbitMQ cluster from Debian's package, for the scale-out tests.

Each node has its own node name, AMQP and distribution ports, data and log folders under one
temporary folder, and the cluster's own Erlang cookie (a ``HOME`` of its own), so it shares
nothing with the suite's single broker but epmd. The nodes are started by the package's own
scripts, killed with SIGKILL (no shutdown hook runs) and started again with the same data.

On loopback by default. ``isolated=True`` puts each node in a network namespace of its own,
joined to this machine by a veth pair on a private bridge that the cluster makes and removes
(nothing outside the machine is reachable or reached): one node can then be cut off from the
others and from its clients, a network partition, and joined again.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import secrets
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.infra import free_port, port_open

BIN = Path("/usr/lib/rabbitmq/bin")
SUBNET = "10.213.7"          # the private bridge of an isolated cluster: .254 is this machine


def ip(*args: str) -> None:
    out = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=30)
    if out.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {out.stderr.strip()}")


def can_isolate() -> str | None:
    """Why network namespaces cannot be made here, or None when they can."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    probe = f"lapor-probe-{secrets.token_hex(2)}"
    try:
        ip("netns", "add", probe)
        ip("netns", "del", probe)
    except (RuntimeError, OSError) as exc:
        return str(exc)
    return None


LOCK = Path(tempfile.gettempdir()) / "lapor-cluster-network.lock"


@dataclass
class Network:
    """A bridge on this machine and one namespace per node, each with a veth pair into it.

    One at a time: the network holds a lock for its lifetime (every network uses the same
    subnet), and only the holder sweeps what a killed run left behind."""

    suffix: str
    size: int
    _lock: Any = None

    @property
    def bridge(self) -> str:
        return f"lpr{self.suffix}"

    def netns(self, i: int) -> str:
        return f"lapor-{self.suffix}-{i}"

    def host_link(self, i: int) -> str:
        return f"lpr{self.suffix}h{i}"

    @staticmethod
    def sweep_stale() -> None:
        """What an earlier run left behind when it was killed (its bridge holds the subnet)."""
        out = subprocess.run(["ip", "-o", "link", "show", "type", "bridge"], capture_output=True, text=True, timeout=30)
        for line in out.stdout.splitlines():
            name = line.split(":")[1].strip().split("@")[0]
            if re.fullmatch(r"lpr[0-9a-f]{4}", name):
                ip("link", "del", name)
        out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, timeout=30)
        for line in out.stdout.splitlines():
            name = line.split()[0] if line.strip() else ""
            if re.fullmatch(r"lapor-[0-9a-f]{4}-\d+", name):
                _empty(name)
                ip("netns", "del", name)

    def create(self) -> None:
        self._lock = open(LOCK, "w")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            self._lock = None
            raise RuntimeError("another isolated cluster runs on this machine") from None
        self.sweep_stale()
        try:
            # bridged frames skip the host's firewall (a FORWARD policy of DROP would keep the
            # nodes apart); older iproute2 has no such option
            ip("link", "add", self.bridge, "type", "bridge", "nf_call_iptables", "0")
        except RuntimeError:
            ip("link", "add", self.bridge, "type", "bridge")
        ip("addr", "add", f"{SUBNET}.254/24", "dev", self.bridge)
        ip("link", "set", self.bridge, "up")
        for i in range(1, self.size + 1):
            ns, host, inner = self.netns(i), self.host_link(i), f"lpr{self.suffix}n{i}"
            ip("netns", "add", ns)
            ip("link", "add", host, "type", "veth", "peer", "name", inner)
            ip("link", "set", inner, "netns", ns)
            ip("link", "set", host, "master", self.bridge)
            ip("link", "set", host, "up")
            ip("-n", ns, "addr", "add", f"{SUBNET}.{i}/24", "dev", inner)
            ip("-n", ns, "link", "set", inner, "up")
            ip("-n", ns, "link", "set", "lo", "up")

    def cut(self, i: int) -> None:
        """Node i loses every link: to the other nodes and to its clients alike."""
        ip("link", "set", self.host_link(i), "down")

    def join(self, i: int) -> None:
        ip("link", "set", self.host_link(i), "up")

    def remove(self) -> None:
        for i in range(1, self.size + 1):
            _empty(self.netns(i))
            for args in (("netns", "del", self.netns(i)), ("link", "del", self.host_link(i))):
                try:
                    ip(*args)
                except RuntimeError:
                    pass
        try:
            ip("link", "del", self.bridge)
        except RuntimeError:
            pass
        if self._lock is not None:
            self._lock.close()     # closing releases the lock
            self._lock = None


def _empty(netns: str) -> None:
    """Kill what still runs in a namespace (the node's epmd outlives the node and would keep
    the namespace alive after its name is deleted)."""
    out = subprocess.run(["ip", "netns", "pids", netns], capture_output=True, text=True, timeout=30)
    for pid in out.stdout.split():
        try:
            os.kill(int(pid), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass


@dataclass
class BrokerNode:
    name: str                # the Erlang node name, e.g. lapor-c1@localhost
    base: Path               # this node's own folder (data, logs, pid file)
    home: Path               # the cluster's HOME, holding its Erlang cookie
    host: str = "127.0.0.1"  # where it listens (its namespace's address when isolated)
    netns: str | None = None
    amqp_port: int = field(default_factory=free_port)
    dist_port: int = field(default_factory=free_port)

    def _cmd(self, *args: str) -> list[str]:
        return ["ip", "netns", "exec", self.netns, *args] if self.netns else list(args)

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RABBITMQ_", "ERL_", "LAPOR_"))}
        env.update({
            "HOME": str(self.home),
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_NODE_IP_ADDRESS": self.host,
            "RABBITMQ_NODE_PORT": str(self.amqp_port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.base / "log"),
            "RABBITMQ_PID_FILE": str(self.base / "beam.pid"),
            # no plugins: the management listener's fixed port would collide between nodes
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.home / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(self.home / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(self.home / "advanced.config"),
        })
        if self.netns:
            env["RABBITMQ_USE_LONGNAME"] = "true"     # node names with an address: name@10.213.7.1
        else:
            env["ERL_EPMD_ADDRESS"] = "127.0.0.1"
        return env

    def amqp_url(self, vhost: str) -> str:
        return f"amqp://lapor:lapor-cluster@{self.host}:{self.amqp_port}/{vhost}"

    def ctl(self, *args: str, tool: str = "rabbitmqctl", timeout: float = 90) -> str:
        out = subprocess.run(self._cmd(str(BIN / tool), "-q", "-n", self.name, *args), env=self.env,
                             capture_output=True, text=True, timeout=timeout)
        if out.returncode != 0:
            raise RuntimeError(f"{tool} -n {self.name} {' '.join(args)}: {out.stderr.strip() or out.stdout.strip()}")
        return out.stdout

    def start(self) -> None:
        (self.base / "log").mkdir(parents=True, exist_ok=True)
        with open(self.base / "log" / "start.log", "ab") as log:
            subprocess.run(self._cmd(str(BIN / "rabbitmq-server"), "-detached"), env=self.env, stdout=log,
                           stderr=subprocess.STDOUT, check=True, timeout=60)

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.ctl("await_startup", "--timeout", "30", timeout=40)
                if port_open(self.amqp_port, self.host):
                    return
            except (RuntimeError, subprocess.TimeoutExpired):
                pass
            time.sleep(0.5)
        raise TimeoutError(f"{self.name} not up after {timeout}s; logs in {self.base / 'log'}")

    @property
    def pid(self) -> int | None:
        try:
            return int((self.base / "beam.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def kill(self) -> None:
        """SIGKILL of the node's Erlang VM: nothing is flushed, no peer is told."""
        pid = self.pid
        if pid is None:
            raise RuntimeError(f"{self.name} has no pid file")
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        (self.base / "beam.pid").unlink(missing_ok=True)

    def stop(self) -> None:
        try:
            self.ctl("stop", timeout=60)
        except (RuntimeError, subprocess.TimeoutExpired):
            if self.pid is not None and Path(f"/proc/{self.pid}").exists():
                self.kill()


class BrokerCluster:
    """Three nodes joined into one cluster, with a user and a vhost for the platform."""

    def __init__(self, root: Path, size: int = 3, vhost: str = "lapor", isolated: bool = False) -> None:
        self.root = root
        self.vhost = vhost
        home = root / "home"
        home.mkdir(parents=True, exist_ok=True)
        cookie = home / ".erlang.cookie"
        if not cookie.exists():
            cookie.write_text(secrets.token_hex(20))
            cookie.chmod(0o400)
        (home / "enabled_plugins").write_text("[].\n")
        # the default of 40 % of RAM per node, three times over, would be most of the machine's
        # memory; pause_minority is what the RabbitMQ cluster operator configures (and the chart):
        # a node that finds itself in the minority stops serving until the partition heals
        # and balanced leaders: by default a quorum queue's leader is the node of the client that
        # declared it, so the first service to connect would lead every queue
        (home / "rabbitmq.conf").write_text("vm_memory_high_watermark.relative = 0.1\nloopback_users = none\n"
                                            "cluster_partition_handling = pause_minority\n"
                                            "queue_leader_locator = balanced\n")
        # a silent peer is declared down after about 10 s instead of the default 60
        (home / "advanced.config").write_text("[{kernel, [{net_ticktime, 10}]}].\n")
        suffix = secrets.token_hex(2)
        self.network = Network(suffix, size) if isolated else None
        self.nodes = [
            BrokerNode(f"lapor-{suffix}-{i}@{SUBNET}.{i}" if isolated else f"lapor-{suffix}-{i}@localhost",
                       root / f"node{i}", home, host=f"{SUBNET}.{i}" if isolated else "127.0.0.1",
                       netns=self.network.netns(i) if self.network else None)
            for i in range(1, size + 1)
        ]

    def start(self) -> "BrokerCluster":
        if self.network:
            self.network.create()
        for node in self.nodes:
            node.start()
        for node in self.nodes:
            node.wait_ready()
        first = self.nodes[0]
        for node in self.nodes[1:]:
            node.ctl("stop_app")
            node.ctl("join_cluster", first.name)
            node.ctl("start_app")
            node.wait_ready()
        first.ctl("add_user", "lapor", "lapor-cluster")
        first.ctl("add_vhost", self.vhost)
        first.ctl("set_permissions", "-p", self.vhost, "lapor", ".*", ".*", ".*")
        return self

    def running(self, seen_by: list[BrokerNode] | None = None) -> list[str]:
        """The cluster's running members, as the first live node (of ``seen_by``) sees them."""
        for node in seen_by or self.nodes:
            try:
                status = json.loads(node.ctl("cluster_status", "--formatter", "json", timeout=30))
                return sorted(status.get("running_nodes", []))
            except (RuntimeError, subprocess.TimeoutExpired, json.JSONDecodeError):
                continue
        return []

    def any_live(self, among: list[BrokerNode] | None = None) -> BrokerNode:
        for node in among or self.nodes:
            if node.pid is not None and port_open(node.amqp_port, node.host):
                return node
        raise RuntimeError("no cluster node is up")

    def queues(self, among: list[BrokerNode] | None = None) -> dict[str, dict[str, object]]:
        """Each queue of the vhost: its type, messages waiting, leader, (quorum) members and which
        of them are online."""
        out = self.any_live(among).ctl("list_queues", "-p", self.vhost, "name", "type", "messages", "leader", "members",
                                       "online", "--formatter", "json")
        return {q["name"]: q for q in json.loads(out)}

    def depths(self) -> dict[str, int]:
        return {name: int(q.get("messages") or 0) for name, q in self.queues().items()}

    def stop(self) -> None:
        try:
            for node in reversed(self.nodes):
                node.stop()
        finally:
            if self.network:
                self.network.remove()
