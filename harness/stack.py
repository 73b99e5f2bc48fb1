"""The four services as real processes, on free loopback ports, for end-to-end and fault tests."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from harness.infra import ROOT, Isolation, free_port, queue_depths

SERVICES = ("intake", "routing", "notifier", "sla")


class ServiceProcess:
    def __init__(self, name: str, env: dict[str, str], log_dir: Path, instance: str | None = None) -> None:
        self.name = name
        self.instance = instance or name      # two processes of one service have their own logs
        self.port = free_port()
        self.env = {**env, "LAPOR_PORT": str(self.port)}
        if name == "intake":
            self.env["LAPOR_PUBLIC_BASE_URL"] = f"http://127.0.0.1:{self.port}"
        if name == "notifier":
            self.env["LAPOR_DLR_BASE_URL"] = f"http://127.0.0.1:{self.port}"
        self.log_path = log_dir / f"{self.instance}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", f"services.{self.name}"], cwd=ROOT, env=self.env,
                                     stdout=log, stderr=subprocess.STDOUT)
        log.close()

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.instance} exited with {self.proc.returncode}; log: {self.log_path}\n{self.tail()}")
            try:
                if httpx.get(f"{self.url}/health/ready", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"{self.instance} not ready after {timeout}s\n{self.tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, nothing is drained."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def terminate(self, timeout: float = 30) -> int | None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def restart(self) -> None:
        self.kill()
        self.start()
        self.wait_ready()

    def tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class Stack:
    def __init__(self, iso: Isolation, log_dir: Path, **env: str) -> None:
        self.iso = iso
        log_dir.mkdir(parents=True, exist_ok=True)
        base = iso.env(**env)
        self.base_env = base
        self.services = {name: ServiceProcess(name, base, log_dir) for name in SERVICES}

    def __getitem__(self, name: str) -> ServiceProcess:
        return self.services[name]

    def start(self) -> "Stack":
        load_directory(self.iso)
        for svc in self.services.values():
            svc.start()
        for svc in self.services.values():
            svc.wait_ready()
        return self

    def start_web(self, **overrides: str) -> ServiceProcess:
        """The web portal, a client of this stack's four services (it gets no database or broker)."""
        env = {k: v for k, v in self.base_env.items() if not k.startswith(("LAPOR_MONGO", "LAPOR_AMQP"))}
        env.update({"LAPOR_INTAKE_URL": self["intake"].url, "LAPOR_ROUTING_URL": self["routing"].url,
                    "LAPOR_NOTIFIER_URL": self["notifier"].url,
                    "LAPOR_SLA_URL": self["sla"].url, "LAPOR_WEB_SESSION_KEY": self.iso.lookup_key,
                    "LAPOR_API_TIMEOUT_S": "5", "LAPOR_DIRECTORY_CACHE_S": "2", **overrides})
        web = ServiceProcess("web", env, self["intake"].log_path.parent)
        self.services["web"] = web
        web.start()
        web.wait_ready()
        return web

    def stop(self) -> None:
        for svc in self.services.values():
            svc.terminate()


def load_directory(iso: Isolation) -> None:
    env = iso.env()
    out = subprocess.run([sys.executable, "-m", "services.routing.cli", "load-directory", "data/directory/demo.yaml"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)


OUTBOXES = ("reports", "sms_inbound", "cases", "sla_reports", "sla_steps")


async def settled(stack: "Stack", db: Any, stopped: tuple[str, ...] = ()) -> bool:
    """Nothing is left to happen: every queue of the stack's vhost drained (parking aside, and
    the queues of the ``stopped`` consumers a test killed on purpose), no outbox holds an event,
    no notification waits to be sent. "Exactly once" is counted after this, so a late duplicate
    is counted too (a fixed sleep lets one through)."""
    depths = await asyncio.to_thread(queue_depths, stack.iso.vhost)
    ignored = tuple(f"lapor.{name}" for name in stopped)
    if any(n for name, n in depths.items() if not name.endswith(".parked") and not name.startswith(ignored or ("\0",))):
        return False
    for collection in OUTBOXES:
        if await db[collection].find_one({"outbox_pending": {"$gt": 0}}, {"_id": 1}):
            return False
    return "notifier" in stopped or await db.notifications.find_one({"status": "queued"}, {"_id": 1}) is None


async def wait_until(predicate, timeout: float = 30, interval: float = 0.2, message: str = "condition"):  # type: ignore[no-untyped-def]
    """Poll an async predicate until it returns a truthy value; fail with the last value."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = await predicate()
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}; last value: {last!r}")


os.environ.setdefault("LAPOR_ENVIRONMENT", "test")
