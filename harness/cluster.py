"""A three-node RabbitMQ cluster on loopback, from Debian's package, for the scale-out test.

Each node has its own node name, AMQP and distribution ports, data and log folders under one
temporary folder, and the cluster's own Erlang cookie (a ``HOME`` of its own), so it shares
nothing with the suite's single broker but epmd. The nodes are started by the package's own
scripts, killed with SIGKILL (no shutdown hook runs) and started again with the same data.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from harness.infra import free_port, port_open

BIN = Path("/usr/lib/rabbitmq/bin")


@dataclass
class BrokerNode:
    name: str                # the Erlang node name, e.g. lapor-c1@localhost
    base: Path               # this node's own folder (data, logs, pid file)
    home: Path               # the cluster's HOME, holding its Erlang cookie
    amqp_port: int = field(default_factory=free_port)
    dist_port: int = field(default_factory=free_port)

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("RABBITMQ_", "LAPOR_"))}
        env.update({
            "HOME": str(self.home),
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.amqp_port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.base / "log"),
            "RABBITMQ_PID_FILE": str(self.base / "beam.pid"),
            # no plugins: the management listener's fixed port would collide between nodes
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.home / "enabled_plugins"),
            "RABBITMQ_CONFIG_FILE": str(self.home / "rabbitmq.conf"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        })
        return env

    def amqp_url(self, vhost: str) -> str:
        return f"amqp://lapor:lapor-cluster@127.0.0.1:{self.amqp_port}/{vhost}"

    def ctl(self, *args: str, tool: str = "rabbitmqctl", timeout: float = 90) -> str:
        out = subprocess.run([str(BIN / tool), "-q", "-n", self.name, *args], env=self.env,
                             capture_output=True, text=True, timeout=timeout)
        if out.returncode != 0:
            raise RuntimeError(f"{tool} -n {self.name} {' '.join(args)}: {out.stderr.strip() or out.stdout.strip()}")
        return out.stdout

    def start(self) -> None:
        (self.base / "log").mkdir(parents=True, exist_ok=True)
        with open(self.base / "log" / "start.log", "ab") as log:
            subprocess.run([str(BIN / "rabbitmq-server"), "-detached"], env=self.env, stdout=log,
                           stderr=subprocess.STDOUT, check=True, timeout=60)

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                self.ctl("await_startup", "--timeout", "30", timeout=40)
                if port_open(self.amqp_port):
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

    def __init__(self, root: Path, size: int = 3, vhost: str = "lapor") -> None:
        self.root = root
        self.vhost = vhost
        home = root / "home"
        home.mkdir(parents=True, exist_ok=True)
        cookie = home / ".erlang.cookie"
        if not cookie.exists():
            cookie.write_text(secrets.token_hex(20))
            cookie.chmod(0o400)
        (home / "enabled_plugins").write_text("[].\n")
        # the default of 40 % of RAM per node, three times over, would be most of the machine's memory
        (home / "rabbitmq.conf").write_text("vm_memory_high_watermark.relative = 0.1\nloopback_users = none\n")
        suffix = secrets.token_hex(3)
        self.nodes = [BrokerNode(f"lapor-{suffix}-{i}@localhost", root / f"node{i}", home) for i in range(1, size + 1)]

    def start(self) -> "BrokerCluster":
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

    def running(self) -> list[str]:
        """The cluster's running members, as one live node sees them."""
        for node in self.nodes:
            try:
                status = json.loads(node.ctl("cluster_status", "--formatter", "json", timeout=30))
                return sorted(status.get("running_nodes", []))
            except (RuntimeError, subprocess.TimeoutExpired, json.JSONDecodeError):
                continue
        return []

    def any_live(self) -> BrokerNode:
        for node in self.nodes:
            if node.pid is not None and port_open(node.amqp_port):
                return node
        raise RuntimeError("no cluster node is up")

    def queues(self) -> dict[str, dict[str, object]]:
        """Each queue of the vhost: its type, messages waiting and (quorum) member nodes."""
        out = self.any_live().ctl("list_queues", "-p", self.vhost, "name", "type", "messages", "members",
                                  "--formatter", "json")
        return {q["name"]: q for q in json.loads(out)}

    def depths(self) -> dict[str, int]:
        return {name: int(q.get("messages") or 0) for name, q in self.queues().items()}

    def stop(self) -> None:
        for node in reversed(self.nodes):
            node.stop()
