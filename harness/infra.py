"""Real RabbitMQ and FerretDB for tests: each test stack gets its own vhost and database."""

from __future__ import annotations

import os
import shutil
import signal
import time
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING
from pathlib import Path

from cryptography.fernet import Fernet

if TYPE_CHECKING:
    from shared.settings import CommonSettings

ROOT = Path(__file__).resolve().parents[1]
CLASSIFIER_CACHE = Path(__file__).resolve().parents[1] / ".local" / "cache" / "classifier"
MONGO_PORT = int(os.environ.get("LAPOR_MONGO_PORT", "27017"))
AMQP_PORT = 5672


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rabbitmqctl(*args: str, timeout: float = 60) -> str:
    exe = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    out = subprocess.run([exe, "-q", *args], capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {' '.join(args)}: {out.stderr.strip() or out.stdout.strip()}")
    return out.stdout


def queue_depths(vhost: str) -> dict[str, int]:
    """Messages waiting in each queue of ``vhost``."""
    out = rabbitmqctl("list_queues", "-p", vhost, "name", "messages", "--no-table-headers")
    return {name: int(n) for name, n in (line.split() for line in out.splitlines() if line.strip())}


def restart_ferretdb(down_s: float) -> None:
    """Stop the FerretDB process and start it again with the very same command line."""
    pid = _ferretdb_pid()
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[:-1]
    cwd = os.readlink(f"/proc/{pid}/cwd")
    log = Path(cwd) / ".local" / "logs" / "ferretdb.log" if (Path(cwd) / ".local").exists() else Path("/dev/null")
    os.kill(pid, signal.SIGTERM)
    for _ in range(100):
        if not Path(f"/proc/{pid}").exists():
            break
        time.sleep(0.1)
    time.sleep(down_s)
    with open(log, "ab") as out:
        subprocess.Popen([c.decode() for c in cmdline], cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    for _ in range(100):
        if port_open(MONGO_PORT):
            return
        time.sleep(0.1)
    raise RuntimeError("FerretDB did not come back")


def _ferretdb_pid() -> int:
    return int(subprocess.run(["pgrep", "-f", "ferretdb-v1.24.2-lapor"], capture_output=True, text=True).stdout.split()[0])


@contextmanager
def ferretdb_beside(*flags: str) -> Iterator[str]:
    """A second FerretDB, the same build as the running one, on its own port and files, started
    with ``flags`` (e.g. ``--test-disable-pushdown``); yields its URL and stops it after."""
    binary = Path(f"/proc/{_ferretdb_pid()}/exe").resolve()
    port, debug = free_port(), free_port()
    with tempfile.TemporaryDirectory() as data:
        proc = subprocess.Popen([str(binary), "--handler=sqlite", f"--sqlite-url=file:{data}/",
                                 f"--listen-addr=127.0.0.1:{port}", f"--debug-addr=127.0.0.1:{debug}",
                                 "--telemetry=disable", "--log-level=warn", *flags],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                if port_open(port):
                    break
                time.sleep(0.1)
            else:
                raise RuntimeError("the second FerretDB did not start")
            yield f"mongodb://127.0.0.1:{port}"
        finally:
            proc.terminate()
            proc.wait(timeout=10)


@dataclass
class Isolation:
    """One vhost and one database, with fresh secrets, for one stack of services."""

    vhost: str
    mongo_db: str
    data_key: str
    lookup_key: str
    operator_token: str
    jwt_key: str = ""

    @classmethod
    def create(cls) -> "Isolation":
        iso = cls.fresh()
        rabbitmqctl("add_vhost", iso.vhost)
        rabbitmqctl("set_permissions", "-p", iso.vhost, "guest", ".*", ".*", ".*")
        return iso

    @classmethod
    def fresh(cls) -> "Isolation":
        """Names and secrets only: the caller makes the vhost on its own broker (a cluster's)."""
        suffix = uuid.uuid4().hex[:10]
        return cls(f"lapor-test-{suffix}", f"lapor_test_{suffix}", Fernet.generate_key().decode(), uuid.uuid4().hex,
                   uuid.uuid4().hex, uuid.uuid4().hex + uuid.uuid4().hex)

    @property
    def attachments_dir(self) -> Path:
        return Path(tempfile.gettempdir()) / f"lapor-attachments-{self.vhost}"

    @property
    def amqp_url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{AMQP_PORT}/{self.vhost}"

    @property
    def mongo_url(self) -> str:
        return f"mongodb://127.0.0.1:{MONGO_PORT}/"

    def env(self, **overrides: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LAPOR_", "OTEL_"))}
        env.update({
            "LAPOR_ENVIRONMENT": "test",
            "LAPOR_MONGO_URL": self.mongo_url,
            "LAPOR_MONGO_DB": self.mongo_db,
            "LAPOR_AMQP_URL": self.amqp_url,
            "LAPOR_DATA_KEY": self.data_key,
            "LAPOR_LOOKUP_KEY": self.lookup_key,
            "LAPOR_OPERATOR_TOKEN": self.operator_token,
            "LAPOR_JWT_KEY": self.jwt_key,
            # outside development no development secret is accepted (shared.settings' policy)
            "LAPOR_SMS_CALLBACK_TOKEN": "sms-" + self.lookup_key[:24],
            "LAPOR_LOG_FORMAT": "json",
            "LAPOR_OUTBOX_SWEEP_INTERVAL_S": "1",
            "LAPOR_OUTBOX_GRACE_S": "2",
            "LAPOR_RETRY_DELAYS_MS": "[300,600,1200]",
            # many reports from one test client, some with one contact; test_sending_abuse.py sets its own
            "LAPOR_REPORTS_PER_CLIENT_HOUR": "100000",
            "LAPOR_REPORTS_PER_CONTACT_HOUR": "100000",
            # the tests' webhook receivers live on loopback; test_outbound.py runs without this
            "LAPOR_WEBHOOK_ALLOW_NETWORKS": '["127.0.0.0/8"]',
            # each stack's files apart (the local backend; test_attachments.py also runs on S3)
            "LAPOR_ATTACHMENTS_DIR": str(self.attachments_dir),
            # every stack trains the same models from the same data: fitted once, then read back
            "LAPOR_CLASSIFIER_CACHE_DIR": str(CLASSIFIER_CACHE),
            "PYTHONUNBUFFERED": "1",
        })
        env.update(overrides)
        return env

    def settings(self, **overrides: object) -> "CommonSettings":
        """Settings for code the test runs in-process (a publisher, a repository)."""
        from shared.settings import CommonSettings

        values: dict[str, object] = {
            "environment": "test", "mongo_url": self.mongo_url, "mongo_db": self.mongo_db,
            "amqp_url": self.amqp_url, "data_key": self.data_key, "lookup_key": self.lookup_key,
            "operator_token": self.operator_token, "jwt_key": self.jwt_key, "service_name": "test",
        }
        values.update(overrides)
        return CommonSettings(**values)  # type: ignore[arg-type]

    def drop(self) -> None:
        shutil.rmtree(self.attachments_dir, ignore_errors=True)
        try:
            rabbitmqctl("delete_vhost", self.vhost)
        except Exception:
            pass
        try:
            from pymongo import MongoClient

            with MongoClient(self.mongo_url, serverSelectionTimeoutMS=3000) as client:
                client.drop_database(self.mongo_db)
        except Exception:
            pass
