"""Where the notifier connects, and what a receiver can do to it (#17, findings 6 and 7).

- A webhook URL that is, or resolves to, a loopback, private, link-local (metadata), shared or
  reserved address is refused when subscribed, and again at every send, on the address the
  connection is made to.
- A receiver that drips its answer, floods it, or never answers costs its own deliveries a
  bounded time and a bounded read; citizens' SMS and other integrators' webhooks keep moving.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx

from shared.events import ReplyAddress, ReportReceived, make_event, utcnow
from shared.privacy import Vault
from harness.helpers import FAST_RETRY, broker_of
from harness.peers import HostileReceiver, HttpPeer
from harness.stack import Stack, wait_until


INSIDE = [
    "http://127.0.0.1:9/hook", "http://localhost:9/hook", "http://2130706433/hook",      # loopback, by name, as a number
    "http://[::1]:9/hook", "http://[::ffff:127.0.0.1]/hook", "http://0.0.0.0/hook",
    "http://10.1.2.3/hook", "http://192.168.0.10/hook", "http://172.16.5.4/hook",       # private
    "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/hook",                  # link-local, metadata
    "http://100.64.0.1/hook", "http://[fc00::1]/hook", "http://240.0.0.1/hook",           # shared, unique-local, reserved
    "http://[2002:7f00:1::]/hook",                                                        # 6to4 wrapping 127.0.0.1
]


def _received(vault: Vault, tid: str, phone: str, integrator: str) -> Any:
    reply = [ReplyAddress(channel="sms", address_enc=vault.encrypt(phone), address_hash=vault.lookup_hash(phone))]
    report = ReportReceived(tracking_id=tid, type="complaint", title="Lampu jalan padam", body="Sudah seminggu gelap",
                            region_code="63.71", category="roads", received_at=utcnow(), reply_to=reply,
                            integrator_id=integrator, integrator_reference=f"REF-{tid}")
    return make_event(report, correlation_id=tid, producer="test")


async def _operator(stack: Stack) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=stack["notifier"].url,
                             headers={"Authorization": f"Bearer {stack.iso.operator_token}"})


async def test_webhooks_never_reach_inside_the_network_at_subscription_or_at_send(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    receiver = HttpPeer(status=200, answer=b"ok").start()
    try:
        stack: Stack = make_stack(LAPOR_WEBHOOK_ALLOW_NETWORKS="[]", **FAST_RETRY)
        async with await _operator(stack) as client:
            for url in [*INSIDE, f"{receiver.url}/hook"]:
                r = await client.post("/v1/webhooks/subscriptions",
                                      json={"integrator_id": "banjarmasin-app", "url": url, "events": ["report.received.v1"]})
                assert r.status_code == 422, (url, r.status_code, r.text)
                problem = r.json()
                assert problem["field"] == "url" and "not a public address" in problem["detail"], (url, problem)
            unresolved = await client.post("/v1/webhooks/subscriptions", json={
                "integrator_id": "banjarmasin-app", "url": "http://receiver.invalid/hook", "events": ["report.received.v1"]})
            assert unresolved.status_code == 422 and "does not resolve" in unresolved.json()["detail"]
            assert (await client.get("/v1/webhooks/subscriptions")).json()["items"] == []

        # a subscription whose host pointed outside when it was made and points inside now
        # (DNS changed, or rebinding): the send resolves again, refuses, and never connects
        vault = Vault(stack.iso.data_key, stack.iso.lookup_key)
        db = db_of(stack)
        await db.webhook_subscriptions.insert_one({
            "_id": "sub_rebound" + uuid.uuid4().hex[:5], "integrator_id": "banjarmasin-app",
            "url": f"http://localhost:{receiver.port}/hook", "events": ["report.received.v1"],
            "secret_enc": vault.encrypt("whsec_test"), "active": True, "created_at": utcnow()})
        async with broker_of(stack) as broker:
            await broker.publish(_received(vault, "SSRF1-SEND", "+6281255577001", "banjarmasin-app"))

            async def failed() -> Any:
                doc = await db.notifications.find_one({"tracking_id": "SSRF1-SEND", "channel": "webhook"})
                return doc if doc and doc["status"] == "failed" else None

            doc = await wait_until(failed, timeout=30, message="the webhook to a loopback address failed for good")
            assert "destination refused" in doc["last_error"] and "loopback" in doc["last_error"]
            assert doc["attempts"] == 1                        # no retry may go there either
            assert receiver.requests == []
    finally:
        receiver.stop()


async def test_hostile_receivers_cost_only_their_own_deliveries(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    gateway = HttpPeer().start()
    deadline_s = 2.0
    try:
        async with HostileReceiver() as hostile:
            # few messages held at once: on the code before, handlers waiting on a dripping
            # receiver held every one of them, and the next reports' SMS waited behind
            stack: Stack = make_stack(
                LAPOR_SMS_PROVIDER="kannel", LAPOR_KANNEL_SENDSMS_URL=f"{gateway.url}/cgi-bin/sendsms",
                LAPOR_KANNEL_PASSWORD="gateway-secret-for-tests", LAPOR_PREFETCH="2",
                LAPOR_DELIVERY_DEADLINE_S=str(deadline_s), LAPOR_PROVIDER_TIMEOUT_S="1", **FAST_RETRY)
            async with await _operator(stack) as client:
                for path in ("/drip", "/flood", "/silent", "/ok"):
                    r = await client.post("/v1/webhooks/subscriptions", json={
                        "integrator_id": "banjarmasin-app", "url": f"{hostile.url}{path}", "events": ["report.received.v1"]})
                    assert r.status_code == 201, r.text
            vault = Vault(stack.iso.data_key, stack.iso.lookup_key)
            async with broker_of(stack) as broker:
                tids = [f"HOST{i:02d}-ILE" for i in range(12)]
                for i, tid in enumerate(tids):
                    await broker.publish(_received(vault, tid, f"+628125556{i:04d}", "banjarmasin-app"))

                async def citizens_and_good_receiver_served() -> bool:
                    acked = {t for t in tids for r in gateway.requests if t in r.query.get("text", "")}
                    hooked = {json.loads(b)["data"]["tracking_id"] for b in hostile.ok_bodies}
                    return acked == set(tids) and hooked == set(tids)

                await wait_until(citizens_and_good_receiver_served, timeout=45,
                                 message="every SMS and every well-behaved webhook while three receivers misbehave")
                db = db_of(stack)

                async def each_hostile_tried() -> bool:
                    ended = [c for c in hostile.connections if c.path != "/ok" and c.closed is not None]
                    return {c.path for c in ended} == {"/drip", "/flood", "/silent"}

                await wait_until(each_hostile_tried, timeout=30, message="attempts to each hostile receiver ended")
                for conn in hostile.connections:
                    if conn.closed is not None and conn.path != "/ok":
                        # no attempt outlives its deadline, however the receiver drips
                        assert conn.closed - conn.opened < deadline_s + 1.5, conn
                flooded = [c.bytes_sent for c in hostile.of("/flood") if c.closed is not None]
                # what the notifier took before it hung up: socket buffers, not the 256 MiB offered
                assert flooded and max(flooded) < 16 * 1024 * 1024, flooded
                drip = await db.notifications.find({"channel": "webhook", "attempts": {"$gte": 1},
                                                    "last_error": {"$regex": "no answer within"}}).to_list(None)
                assert drip, "the dripping receiver's deliveries carry the deadline as their error"
                flood_sent = await db.notifications.find({"channel": "webhook", "status": "sent",
                                                          "provider_answer": {"$regex": "^200 x"}}).to_list(None)
                assert flood_sent and all(len(d["provider_answer"]) <= 104 for d in flood_sent)
    finally:
        gateway.stop()
