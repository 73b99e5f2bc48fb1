"""The sending channels cannot be turned against people (#17, finding 3).

- Reports per client and per contact are limited per hour on the web, integrator and Open311
  channels: 429 with Retry-After and the field at fault, counted in the database, so two intake
  replicas together allow no more than one; nothing refused is stored.
- To a contact nobody has proved to own, messages about one report a day go out (the first
  carries a confirmation link); the rest are held until the link is confirmed, then sent once.
  The number an SMS came from is proved, and so are its later web reports.
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from shared.events import ReplyAddress, ReportReceived, make_event, utcnow
from shared.privacy import Vault
from harness.helpers import broker_of, report_body
from harness.peers import HttpPeer
from harness.stack import ServiceProcess, Stack, wait_until

VICTIM = "+6281255591234"


def _second_intake(stack: Stack) -> ServiceProcess:
    env = {k: v for k, v in stack["intake"].env.items() if k not in ("LAPOR_PORT", "LAPOR_PUBLIC_BASE_URL")}
    proc = ServiceProcess("intake", env, stack["intake"].log_path.parent / "second")
    proc.log_path.parent.mkdir(exist_ok=True)
    proc.start()
    proc.wait_ready()
    return proc


def _metric(text: str, name: str, **labels: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


async def test_reports_per_client_and_per_contact_are_limited_across_replicas(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack(LAPOR_REPORTS_PER_CLIENT_HOUR="6", LAPOR_REPORTS_PER_CONTACT_HOUR="3")
    second = _second_intake(stack)
    db = db_of(stack)
    vault = Vault(stack.iso.data_key, stack.iso.lookup_key)
    try:
        async with httpx.AsyncClient(timeout=30) as http:
            replicas = [stack["intake"].url, second.url]
            # one client (named by the trusted proxy in front, as the portal does) on both replicas
            answers = []
            for i in range(10):
                r = await http.post(f"{replicas[i % 2]}/v1/reports", headers={"X-Forwarded-For": "203.0.113.7"},
                                    json=report_body(reporter={"name": "Warga", "phone": f"+62812555920{i:02d}"}))
                answers.append(r)
            assert [r.status_code for r in answers] == [201] * 6 + [429] * 4
            refused = answers[-1]
            assert refused.headers["content-type"].startswith("application/problem+json")
            assert 0 < int(refused.headers["Retry-After"]) <= 3600
            assert "reports an hour" in refused.json()["detail"]
            # another client is not held up by the first
            other = await http.post(f"{replicas[1]}/v1/reports", headers={"X-Forwarded-For": "203.0.113.8"},
                                    json=report_body(reporter={"phone": "+6281255593000"}))
            assert other.status_code == 201

            # one contact, given by many clients: three an hour, then 429 naming the field
            codes = []
            for i in range(5):
                r = await http.post(f"{replicas[i % 2]}/v1/reports", headers={"X-Forwarded-For": f"198.51.100.{i + 1}"},
                                    json=report_body(reporter={"name": "Siapa saja", "phone": VICTIM}))
                codes.append(r.status_code)
                if r.status_code == 429:
                    assert r.json()["field"] == "reporter.phone" and "Retry-After" in r.headers
            assert codes == [201, 201, 201, 429, 429]
            stored = await db.reports.count_documents({"reporter.phone_hash": vault.lookup_hash(VICTIM)})
            assert stored == 3                                 # nothing refused was kept

            # the integrator channels count the same contact (an e-mail here), whoever's key
            key = _integrator_key(stack)
            email = "korban@example.id"
            statuses = []
            for i in range(4):
                r = await http.post(f"{replicas[i % 2]}/v1/integrator/reports", headers={"X-Api-Key": key},
                                    json={**report_body(region_code="63.71", reporter={"email": email}),
                                          "reference": f"ABUSE-{i}"})
                statuses.append((r.status_code, r.json().get("field")))
            assert statuses == [(201, None)] * 3 + [(429, "reporter.email")]
            r = await http.post(f"{replicas[0]}/open311/v2/requests.json", data={
                "api_key": key, "service_code": "infrastructure", "jurisdiction_id": "63.71", "email": email,
                "description": "Jalan rusak parah di depan sekolah dasar", "address_string": "Jl. A. Yani km 3"})
            assert r.status_code == 429 and r.json()["field"] == "email"

            metrics = (await http.get(f"{replicas[0]}/metrics")).text + (await http.get(f"{replicas[1]}/metrics")).text
            assert _metric(metrics, "lapor_sending_limited_total", channel="web", limit="client") == 4
            assert _metric(metrics, "lapor_sending_limited_total", channel="web", limit="contact") == 2
            assert _metric(metrics, "lapor_sending_limited_total", limit="contact") == 4
    finally:
        second.terminate()


def _integrator_key(stack: Stack) -> str:
    import json
    import subprocess
    import sys

    from harness.infra import ROOT

    out = subprocess.run([sys.executable, "-m", "services.intake.cli", "keys", "create", "--integrator", "banjarmasin-app",
                          "--regions", "63.71", "--rate", "600"], cwd=ROOT, env=stack.iso.env(), capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return str(json.loads(out.stdout)["api_key"])


async def test_unconfirmed_contacts_get_one_reports_messages_a_day_until_confirmed(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    gateway = HttpPeer().start()
    try:
        stack: Stack = make_stack(LAPOR_SMS_PROVIDER="kannel", LAPOR_KANNEL_SENDSMS_URL=f"{gateway.url}/cgi-bin/sendsms",
                                  LAPOR_KANNEL_PASSWORD="gateway-secret-for-tests", LAPOR_PORTAL_URL="https://lapor.test")
        db = db_of(stack)
        vault = Vault(stack.iso.data_key, stack.iso.lookup_key)

        def to(number: str) -> list[str]:
            return [r.query["text"] for r in gateway.requests if r.query.get("to") == number]

        async with httpx.AsyncClient(base_url=stack["intake"].url, timeout=30) as intake:
            tids = []
            for i in range(3):   # three reports in a day give a number nobody has proved
                r = await intake.post("/v1/reports", json=report_body(title=f"Lampu jalan padam {i}",
                                                                      reporter={"phone": VICTIM}))
                assert r.status_code == 201
                tids.append(r.json()["tracking_id"])

            async def acks_recorded() -> list[dict[str, Any]]:
                docs = await db.notifications.find({"kind": "ack", "tracking_id": {"$in": tids}}).to_list(None)
                return docs if len(docs) == 3 and all(d["status"] != "queued" for d in docs) else []

            docs = await wait_until(acks_recorded, timeout=30, message="the three acknowledgements decided")
            by_tid = {d["tracking_id"]: d["status"] for d in docs}
            first = next(t for t in tids if by_tid[t] == "sent")     # whichever was handled first takes the day
            assert sorted(by_tid.values()) == ["held", "held", "sent"]
            texts = to(VICTIM)
            assert texts and all(first in t for t in texts)          # nothing about the other two reports
            link = re.search(r"https://lapor\.test/k/([A-Z2-9]{10})", texts[0])
            assert link, texts[0]

            # the number an SMS came from is the sender's: all its reports are answered, and
            # so is a later web report giving it
            sender = "+6281255591999"
            async with broker_of(stack) as broker:
                for tid in ("SMSP1-ROVE", "SMSP2-ROVE"):
                    reply = [ReplyAddress(channel="sms", address_enc=vault.encrypt(sender),
                                          address_hash=vault.lookup_hash(sender), proven=True)]
                    await broker.publish(make_event(ReportReceived(
                        tracking_id=tid, type="complaint", title="Air mati", body="Air PDAM mati tiga hari", channel="sms",
                        region_code="63.71", received_at=utcnow(), reply_to=reply), correlation_id=tid, producer="test"))
                await wait_until(lambda: _has_all(to(sender), ["SMSP1-ROVE", "SMSP2-ROVE"]), message="both SMS answered")
                assert not [t for t in to(sender) if "/k/" in t]      # no confirmation asked of a proved number
                later = await intake.post("/v1/reports", json=report_body(reporter={"phone": sender}))
                later_tid = later.json()["tracking_id"]
                await wait_until(lambda: _has_all(to(sender), [later_tid]), message="the later web report answered")

        async with httpx.AsyncClient(base_url=stack["notifier"].url, timeout=30) as notifier:
            wrong = await notifier.post("/v1/contacts/confirm", json={"code": "ABCDEFGHJK"})
            assert wrong.status_code == 404 and wrong.json()["field"] == "code"
            confirmed = await notifier.post("/v1/contacts/confirm", json={"code": link.group(1).lower()})
            assert confirmed.status_code == 200 and confirmed.json()["released"] >= 2, confirmed.text
            metrics = (await notifier.get("/metrics")).text
            assert _metric(metrics, "lapor_notifications_total", channel="sms", kind="ack", status="held") == 2

        held = [t for t in tids if t != first]
        await wait_until(lambda: _has_all(to(VICTIM), held), message="the held acknowledgements sent after confirmation")
        for tid in tids:   # each acknowledgement once
            assert len([t for t in to(VICTIM) if tid in t and ("diterima" in t or "received" in t)]) == 1
        assert await db.notifications.count_documents({"recipient_hash": vault.lookup_hash(VICTIM), "status": "held"}) == 0
    finally:
        gateway.stop()


async def _has_all(texts: list[str], needles: list[str]) -> bool:
    return all(any(n in t for t in texts) for n in needles)
