"""The notifier against real peers: SMTP, a Kannel-style gateway, integrators' webhooks."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections import Counter
from typing import Any

import httpx
import yaml

from shared import webhooks
from shared.events import CaseTransition, Envelope, ReplyAddress, ReportReceived, SlaEscalated, make_event, utcnow
from shared.messaging.broker import Broker
from shared.privacy import Vault
from harness.helpers import FAST_RETRY, report_body
from harness.infra import ROOT
from harness.peers import HttpPeer, SmtpSink
from harness.stack import ServiceProcess, Stack, settled, wait_until



def _received(vault: Vault, tid: str, phone: str | None = None, email: str | None = None,
              integrator: str | None = None) -> Envelope:
    reply = [ReplyAddress(channel=ch, address_enc=vault.encrypt(a), address_hash=vault.lookup_hash(a))
             for ch, a in (("sms", phone), ("email", email)) if a]
    r = ReportReceived(tracking_id=tid, type="complaint", title="Air PDAM mati", body="Sudah tiga hari air tidak mengalir",
                       region_code="63.71", category="water", received_at=utcnow(), reply_to=reply,
                       integrator_id=integrator, integrator_reference=f"REF-{tid}" if integrator else None)
    return make_event(r, correlation_id=tid, producer="test")


async def _subscribe(stack: Stack, url: str, events: list[str], integrator: str = "banjarmasin-app") -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=stack["notifier"].url,
                                 headers={"Authorization": f"Bearer {stack.iso.operator_token}"}) as client:
        r = await client.post("/v1/webhooks/subscriptions", json={"integrator_id": integrator, "url": url, "events": events})
        assert r.status_code == 201, r.text
        return dict(r.json())


async def test_acknowledgement_email_reaches_a_real_smtp_server(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    with SmtpSink() as smtp:
        stack: Stack = make_stack(LAPOR_EMAIL_PROVIDER="smtp", LAPOR_SMTP_PORT=str(smtp.port))
        email = "warga.banjar@example.id"
        async with httpx.AsyncClient(base_url=stack["intake"].url) as client:
            r = await client.post("/v1/reports", json=report_body(reporter={"name": "Warga", "email": email}))
            assert r.status_code == 201, r.text
            tid = r.json()["tracking_id"]

        async def acknowledged() -> Any:
            return next((m for m in smtp.messages if tid in str(m["Subject"]) and "diterima" in str(m["Subject"])), None)

        msg = await wait_until(acknowledged, timeout=30, message="acknowledgement e-mail at the SMTP server")
        assert msg["To"] == email and msg["X-Envelope-To"] == email
        assert tid in msg.get_payload(decode=True).decode()
        db = db_of(stack)

        async def marked() -> Any:  # the SMTP server has it first; the notification is marked just after
            doc = await db.notifications.find_one({"tracking_id": tid, "kind": "ack", "channel": "email"})
            return doc if doc and doc["status"] != "queued" else None

        sent = await wait_until(marked, timeout=10, message="notification marked after the SMTP answer")
        assert sent["status"] == "sent" and "accepted" in sent["provider_answer"]


async def test_webhooks_are_signed_retried_while_the_receiver_is_down_and_arrive_once(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    receiver = HttpPeer(status=200, answer=b"ok")          # not started: connection refused
    stack: Stack = make_stack(**FAST_RETRY)
    db = db_of(stack)
    sub = await _subscribe(stack, f"{receiver.url}/lapor", ["report.received.v1", "report.assigned.v1"])
    other = await _subscribe(stack, f"{receiver.url}/other", ["report.received.v1"], integrator="palangkaraya-app")
    vault = Vault(stack.iso.data_key, stack.iso.lookup_key)
    broker = Broker(stack.iso.settings())
    await broker.connect()
    try:
        tids = [f"WH{i:03d}-AB" for i in range(5)]
        for tid in tids:
            await broker.publish(_received(vault, tid, phone="+6281255500123", integrator="banjarmasin-app"))

        async def retried() -> bool:
            docs = await db.notifications.find({"channel": "webhook"}).to_list(None)
            return len(docs) == 10 and all(d["attempts"] >= 2 and d["status"] == "queued" for d in docs)

        await wait_until(retried, timeout=60, message="webhook deliveries retried while the receiver is down")
        receiver.start()
        try:
            async def all_arrived() -> bool:
                return len({r.headers["X-Lapor-Event-Id"] for r in receiver.requests}) == 10

            await wait_until(all_arrived, timeout=60, message="10 webhook events delivered")
            await wait_until(lambda: settled(stack, db), message="the platform settled")   # a duplicate is in by now
            per_event = Counter(r.headers["X-Lapor-Event-Id"] for r in receiver.requests)
            assert set(per_event.values()) == {1}, per_event
            assert all(r.path == "/lapor" for r in receiver.requests)   # never the other integrator's URL
            types = Counter()
            for r in receiver.requests:
                assert webhooks.verify(sub["secret"], r.body, r.headers[webhooks.HEADER])
                assert not webhooks.verify(other["secret"], r.body, r.headers[webhooks.HEADER])
                doc = json.loads(r.body)
                types[doc["type"]] += 1
                assert doc["data"]["tracking_id"] in tids
                assert "+62812555" not in r.body.decode() and "address" not in r.body.decode()  # no identity
            assert types == {"report.received.v1": 5, "report.assigned.v1": 5}
            received = next(json.loads(r.body) for r in receiver.requests if json.loads(r.body)["type"] == "report.received.v1")
            assert received["data"]["integrator_reference"] == f"REF-{received['data']['tracking_id']}"
            # a tampered body or a stale timestamp does not verify
            r0 = receiver.requests[0]
            assert not webhooks.verify(sub["secret"], r0.body + b" ", r0.headers[webhooks.HEADER])
            assert not webhooks.verify(sub["secret"], r0.body, r0.headers[webhooks.HEADER], now=utcnow().timestamp() + 3600)

            async with httpx.AsyncClient(base_url=stack["notifier"].url,
                                         headers={"Authorization": f"Bearer {stack.iso.operator_token}"}) as client:
                log = (await client.get("/v1/webhooks/deliveries", params={"subscription_id": sub["id"]})).json()["items"]
                assert len(log) == 10 and {d["status"] for d in log} == {"sent"}
                assert all(d["attempts"] >= 3 for d in log)      # the failed tries are on record
                replay = await client.post(f"/v1/webhooks/deliveries/{log[0]['id']}/replay")
                assert replay.status_code == 202
                await wait_until(lambda: _async_len(receiver.requests, 11), message="replayed delivery")
                again = receiver.requests[-1]
                assert again.headers["X-Lapor-Event-Id"] == log[0]["event_id"]   # receivers dedupe by event
                assert again.headers["X-Lapor-Replay-Of"] == log[0]["id"]
                denied = await client.get("/v1/webhooks/subscriptions", headers={"Authorization": "Bearer wrong"})
                assert denied.status_code == 401
        finally:
            receiver.stop()
    finally:
        await broker.close()


async def _async_len(items: list[Any], n: int) -> bool:
    return len(items) >= n


async def test_one_event_delivered_five_times_to_two_notifiers_sends_one_sms(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    gateway = HttpPeer().start()
    try:
        stack: Stack = make_stack(LAPOR_SMS_PROVIDER="kannel", LAPOR_KANNEL_SENDSMS_URL=f"{gateway.url}/cgi-bin/sendsms",
                                  LAPOR_KANNEL_PASSWORD="gateway-secret-for-tests")
        second = ServiceProcess("notifier", {k: v for k, v in stack["notifier"].env.items() if k != "LAPOR_PORT"},
                                stack["notifier"].log_path.parent / "second")
        second.log_path.parent.mkdir(exist_ok=True)
        second.start()
        second.wait_ready()
        vault = Vault(stack.iso.data_key, stack.iso.lookup_key)
        broker = Broker(stack.iso.settings())
        await broker.connect()
        try:
            env = _received(vault, "FIVE0-TIME", phone="+6281255598765")
            await asyncio.gather(*(broker.publish(env) for _ in range(5)))
            await wait_until(lambda: _async_len(gateway.requests, 1), message="the SMS at the gateway")
            db = db_of(stack)
            await wait_until(lambda: settled(stack, db), message="all five copies handled")
            # the acknowledgement; routing's assignment brings a second, different SMS
            sms = [r for r in gateway.requests if r.query.get("to") == "+6281255598765" and "diterima" in r.query["text"]]
            assert len(sms) == 1
            assert "FIVE0-TIME" in sms[0].query["text"] and sms[0].query["coding"] == "0"
            # Kannel reports delivery to the URL it was given
            dlr = sms[0].query["dlr-url"].replace("%d", "1").replace("%A", "ACK")
            async with httpx.AsyncClient() as client:
                assert (await client.get(dlr)).json() == {"recorded": True}
                forged = dlr.replace("token=", "token=0")
                assert (await client.get(forged)).status_code == 403
            db = db_of(stack)
            doc = await db.notifications.find_one({"tracking_id": "FIVE0-TIME", "channel": "sms", "kind": "ack"})
            assert doc["status"] == "delivered" and doc["sms"] == {"encoding": "gsm7", "units": len(sms[0].query["text"]), "parts": 1}
            assert await db.notifications.count_documents({"tracking_id": "FIVE0-TIME", "kind": "ack"}) == 1
        finally:
            await broker.close()
            second.terminate()
    finally:
        gateway.stop()


async def test_sms_outage_leaves_email_and_webhooks_flowing_and_its_backlog_drains(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    gateway = HttpPeer(status=503, answer=b"Service unavailable").start()
    receiver = HttpPeer(status=204, answer=b"").start()
    try:
        with SmtpSink() as smtp:
            stack: Stack = make_stack(LAPOR_SMS_PROVIDER="kannel", LAPOR_KANNEL_SENDSMS_URL=f"{gateway.url}/cgi-bin/sendsms",
                                  LAPOR_KANNEL_PASSWORD="gateway-secret-for-tests",
                                      LAPOR_EMAIL_PROVIDER="smtp", LAPOR_SMTP_PORT=str(smtp.port), **FAST_RETRY)
            db = db_of(stack)
            await _subscribe(stack, f"{receiver.url}/hook", ["report.received.v1"])
            vault = Vault(stack.iso.data_key, stack.iso.lookup_key)
            broker = Broker(stack.iso.settings())
            await broker.connect()
            try:
                tids = [f"OUT{i:02d}-SMS" for i in range(8)]
                for i, tid in enumerate(tids):
                    await broker.publish(_received(vault, tid, phone=f"+62812555400{i:02d}", email=f"w{i}@example.id",
                                                   integrator="banjarmasin-app"))

                async def others_delivered() -> bool:
                    mails = {t for t in tids for m in smtp.messages if t in str(m["Subject"])}
                    hooks = {json.loads(r.body)["data"]["tracking_id"] for r in receiver.requests}
                    return mails == set(tids) and hooks == set(tids)

                await wait_until(others_delivered, timeout=60, message="e-mails and webhooks during the SMS outage")
                queued = await db.notifications.count_documents({"channel": "sms", "kind": "ack", "status": "queued"})
                assert queued == len(tids)
                tries_while_down = len(gateway.requests)
                await asyncio.sleep(3)
                # the open circuit keeps the gateway from being hammered: trials, not a flood
                assert len(gateway.requests) - tries_while_down <= 3 * 3
                switch = len(gateway.requests)
                gateway.status, gateway.answer = 202, b"0: Accepted for delivery"

                async def drained() -> bool:
                    left = await db.notifications.count_documents({"channel": "sms", "status": {"$ne": "sent"}})
                    return left == 0

                await wait_until(drained, timeout=60, message="SMS backlog drained after recovery")
                sms_ids = {d["_id"] for d in await db.notifications.find({"channel": "sms"}, {"_id": 1}).to_list(None)}
                assert len(sms_ids) >= len(tids)
                after = Counter(r.query["dlr-url"].split("nid=")[1].split("&")[0] for r in gateway.requests[switch:])
                assert set(after) <= sms_ids and max(after.values()) == 1     # each SMS handed over once
                assert await db.notifications.count_documents({"retry_at": {"$ne": None}}) == 0   # nothing left pending
                acks = Counter(t for t in tids for m in smtp.messages if t in str(m["Subject"]) and "diterima" in str(m["Subject"]))
                assert set(acks.values()) == {1} and len(acks) == len(tids)
            finally:
                await broker.close()
    finally:
        gateway.stop()
        receiver.stop()


async def test_oversight_alerts_reach_the_chat_webhook_and_reporters_get_only_public_notes(make_stack, db_of, tmp_path) -> None:  # type: ignore[no-untyped-def]
    chat = HttpPeer(status=200, answer=b"ok").start()
    try:
        stack: Stack = make_stack(LAPOR_DIRECTORY_REFRESH_S="1")
        db = db_of(stack)
        # the Ombudsman's desk gets alerts in its team chat as well as by e-mail
        data = yaml.safe_load((ROOT / "data" / "directory" / "demo.yaml").read_text())
        for agency in data["agencies"]:
            if agency["id"] == "ombudsman":
                agency["contacts"][0]["chat_webhook"] = f"{chat.url}/hooks/ombudsman"
        (tmp_path / "directory.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
        loaded = subprocess.run([sys.executable, "-m", "services.routing.cli", "load-directory", str(tmp_path / "directory.yaml")],
                                cwd=ROOT, env=stack.iso.env(), capture_output=True, text=True, timeout=60)
        assert loaded.returncode == 0, loaded.stderr
        await asyncio.sleep(2)                                # the notifier re-reads the directory every second
        vault = Vault(stack.iso.data_key, stack.iso.lookup_key)
        broker = Broker(stack.iso.settings())
        await broker.connect()
        try:
            now = utcnow()
            step = SlaEscalated(tracking_id="CHAT1-TEST", stage="first_follow_up", step="persistent", due_at=now,
                                started_at=now, agency_id="kab-banjar.pupr", policy_version="2026.1", overdue_hours=130, at=now)
            await broker.publish(make_event(step, correlation_id="CHAT1-TEST", producer="test"))
            await wait_until(lambda: _async_len(chat.requests, 1), message="chat alert")
            await asyncio.sleep(1)
            assert len(chat.requests) == 1 and chat.requests[0].path == "/hooks/ombudsman"
            text = json.loads(chat.requests[0].body)["text"]
            assert "CHAT1-TEST" in text and "Eskalasi" in text and "Data pelapor tidak disertakan" in text

            # an officer's internal note never reaches the reporter, even if an event carried one
            await broker.publish(_received(vault, "NOTE1-TEST", phone="+6281255511111"))
            await wait_until(lambda: db.contacts.find_one({"_id": "NOTE1-TEST"}), message="contacts known")
            raw = CaseTransition(tracking_id="NOTE1-TEST", action="responded", from_status="assigned", status="in_progress",
                                 case_version=2, actor_role="officer", public_note="Jalan sudah ditambal.", at=utcnow())
            env = make_event(raw, correlation_id="NOTE1-TEST", producer="test")
            env.payload["internal_note"] = "RAHASIA-INTERNAL: pelapor ini sering mengadu"
            await broker.publish(env)
            sms = await wait_until(lambda: db.notifications.find_one({"tracking_id": "NOTE1-TEST", "kind": "status"}),
                                   message="status SMS")
            assert "Jalan sudah ditambal." in sms["text"] and "RAHASIA" not in sms["text"]
        finally:
            await broker.close()
    finally:
        chat.stop()


async def test_a_refusal_quoting_the_recipient_leaves_no_address_in_store_or_log(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    with SmtpSink(refuse_recipients=True) as smtp:
        stack: Stack = make_stack(LAPOR_EMAIL_PROVIDER="smtp", LAPOR_SMTP_PORT=str(smtp.port))
        email, phone = "warga.tertolak@example.id", "+6281255500123"
        async with httpx.AsyncClient(base_url=stack["intake"].url) as client:
            r = await client.post("/v1/reports", json=report_body(reporter={"name": "Warga", "email": email,
                                                                           "phone": phone}))
            assert r.status_code == 201, r.text
            tid = r.json()["tracking_id"]
        db = db_of(stack)

        async def refused() -> Any:
            return await db.notifications.find_one({"tracking_id": tid, "channel": "email", "last_error": {"$ne": None}})

        doc = await wait_until(refused, timeout=30, message="the refused e-mail's failed attempt recorded")
        assert "550" in doc["last_error"] and "smtp" in doc["last_error"]    # still says what happened
        assert email not in doc["last_error"] and "warga.tertolak" not in doc["last_error"]
        log = stack["notifier"].log_path.read_text(errors="replace")
        assert "550" in log and email not in log and phone not in log
