"""Kannel from Debian's packages on loopback: bearerbox, smsbox and the ``fakesmsc`` test SMSC.

The configuration is the production shape (deploy/kannel/kannel.conf) with local ports: the
``sms-service`` get-url calls intake's callback, ``sendsms`` takes the notifier's SMS, and
the fake SMSC plays the phone network: it sends the MO message and prints every MT message
it receives.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

from harness.infra import free_port, port_open

BEARERBOX = shutil.which("bearerbox") or "/usr/sbin/bearerbox"
SMSBOX = shutil.which("smsbox") or "/usr/sbin/smsbox"
FAKESMSC = "/usr/lib/kannel/test/fakesmsc"
SENDSMS_USER, SENDSMS_PASSWORD = "lapor", "kannel-test-secret"


def available() -> bool:
    return all(Path(p).exists() for p in (BEARERBOX, SMSBOX, FAKESMSC))


class Kannel:
    def __init__(self, workdir: Path, intake_url: str, callback_token: str, sendsms_port: int | None = None) -> None:
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.admin_port, self.smsbox_port, self.smsc_port = free_port(), free_port(), free_port()
        self.sendsms_port = sendsms_port or free_port()
        self.intake_url = intake_url
        self.callback_token = callback_token
        self.procs: list[subprocess.Popen[bytes]] = []

    @property
    def sendsms_url(self) -> str:
        return f"http://127.0.0.1:{self.sendsms_port}/cgi-bin/sendsms"

    def config(self) -> str:
        get_url = (f"{self.intake_url}/v1/sms/inbound?key={self.callback_token}"
                   "&from=%p&to=%P&text=%a&id=%I&smsc=%i")
        return f"""
group = core
admin-port = {self.admin_port}
admin-password = admin-test
admin-interface = 127.0.0.1
admin-allow-ip = 127.0.0.1
smsbox-port = {self.smsbox_port}
smsbox-interface = 127.0.0.1
box-allow-ip = 127.0.0.1
log-file = "{self.dir}/bearerbox.log"
log-level = 1
dlr-storage = internal
sms-combine-concatenated-mo = true

group = smsc
smsc = fake
smsc-id = fake
host = 127.0.0.1
port = {self.smsc_port}
connect-allow-ip = 127.0.0.1

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = {self.smsbox_port}
sendsms-port = {self.sendsms_port}
sendsms-interface = 127.0.0.1
log-file = "{self.dir}/smsbox.log"
log-level = 1
mo-recode = true

group = sendsms-user
username = {SENDSMS_USER}
password = {SENDSMS_PASSWORD}
max-messages = 6
concatenation = true

group = sms-service
keyword = default
get-url = "{get_url}"
max-messages = 0
catch-all = true
"""

    def start(self) -> "Kannel":
        conf = self.dir / "kannel.conf"
        conf.write_text(self.config())
        # each box once the ports it needs are open: smsbox panics if the bearerbox is not
        # listening yet, and the fake SMSC needs the bearerbox's SMSC port
        for binary, name, ready in ((BEARERBOX, "bearerbox", (self.smsbox_port, self.smsc_port)),
                                    (SMSBOX, "smsbox", (self.sendsms_port,))):
            out = open(self.dir / f"{name}.out", "ab")
            proc = subprocess.Popen([binary, str(conf)], stdout=out, stderr=subprocess.STDOUT)
            out.close()
            self.procs.append(proc)
            deadline = time.monotonic() + 30
            while not all(port_open(port) for port in ready):
                try:   # returns at once if the box dies; else look at its ports again
                    proc.wait(timeout=0.1)
                    raise RuntimeError(f"{name} exited; see {self.dir / (name + '.log')}")
                except subprocess.TimeoutExpired:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not come up; see {self.dir / (name + '.log')}")
        return self

    def phone(self, sender: str, text: str) -> subprocess.Popen[bytes]:
        """The fake SMSC: sends one MO message, then stays connected and prints MT messages.

        The fake SMSC link takes one connection: an earlier phone hangs up first.
        """
        for proc in self.procs:
            if proc.args[0] == FAKESMSC and proc.poll() is None:  # type: ignore[index]
                proc.terminate()
                proc.wait(timeout=10)
        out = open(self.dir / "fakesmsc.out", "ab")
        proc = subprocess.Popen([FAKESMSC, "-H", "127.0.0.1", "-r", str(self.smsc_port), "-i", "1", "-m", "1",
                                 f"{sender} 1708 text {text}"], stdout=out, stderr=subprocess.STDOUT)
        out.close()
        self.procs.append(proc)
        return proc

    def received(self) -> str:
        path = self.dir / "fakesmsc.out"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
