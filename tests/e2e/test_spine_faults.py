"""The spine keeps every report: a killed consumer, an unreachable broker, a poison message."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections import Counter

import httpx
import pytest

from shared.events import ReplyAddress, ReportAssigned, ReportReceived, make_event, utcnow
from shared.messaging.broker import Broker
from shared.privacy import Vault
from harness.helpers import report_body
from harness.infra import ROOT, rabbitmqctl
from harness.stack import Stack, wait_until


async def _post_many(client: httpx.AsyncClient, count: int, concurrency: int = 10) -> list[str]:
    sem = asyncio.Semaphore(concurrency)

    async def one() -> str:
        async with sem:
            r = await client.post("/v1/reports", json=report_body())
            assert r.status_code == 201, r.text
            return r.json()["tracking_id"]

    return await asyncio.gather(*(one() for _ in range(count)))


async def test_routing_killed_mid_run_every_report_assigned_once_and_acknowledged_once(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack()
    db = db_of(stack)
    async with httpx.AsyncClient(base_url=stack["intake"].url, timeout=30) as client:
        tids = await _post_many(client, 60)
        stack["routing"].kill()                      # SIGKILL mid-run, messages in hand
        tids += await _post_many(client, 80)         # accepted while routing is down
        stack["routing"].start()
        tids += await _post_many(client, 60)
        stack["routing"].wait_ready()
    assert len(set(tids)) == 200

    async def all_assigned() -> int | None:
        n = await db.cases.count_documents({"status": "assigned"})
        return n if n == 200 else None

    await wait_until(all_assigned, timeout=90, message="200 cases assigned")
    cases = await db.cases.find({}, {"timeline": 1}).to_list(None)
    assert {c["_id"] for c in cases} == set(tids)
    for case in cases:
        assert [e["action"] for e in case["timeline"]].count("assigned") == 1

    async def projected() -> int | None:
        n = await db.reports.count_documents({"status": "assigned"})
        return n if n == 200 else None

    await wait_until(projected, timeout=60, message="intake shows 200 assigned")
    for report in await db.reports.find({}, {"timeline": 1}).to_list(None):
        assert [e["action"] for e in report["timeline"]].count("assigned") == 1

    async def acks_sent() -> int | None:
        n = await db.notifications.count_documents({"kind": "ack", "status": "sent"})
        return n if n >= 200 else None

    await wait_until(acks_sent, timeout=60, message="200 acknowledgements")
    acks = Counter(n["tracking_id"] for n in await db.notifications.find({"kind": "ack"}).to_list(None))
    assert set(acks) == set(tids) and set(acks.values()) == {1}

    async def outboxes_empty() -> bool:
        return (await db.reports.count_documents({"outbox_pending": {"$gt": 0}}) == 0
                and await db.cases.count_documents({"outbox_pending": {"$gt": 0}}) == 0)

    await wait_until(outboxes_empty, timeout=30, message="outboxes drained")


async def test_report_accepted_while_broker_is_down_is_delivered_when_it_returns(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack()
    db = db_of(stack)
    rabbitmqctl("stop_app")
    try:
        async with httpx.AsyncClient(base_url=stack["intake"].url, timeout=30) as client:
            r = await client.post("/v1/reports", json=report_body())
            assert r.status_code == 201, r.text
            tid = r.json()["tracking_id"]
            stored = await db.reports.find_one({"_id": tid})
            assert stored["outbox_pending"] == 1                     # the event waits in the outbox
            assert (await client.get("/health/ready")).status_code == 503
    finally:
        rabbitmqctl("start_app")
        rabbitmqctl("await_startup", "--timeout", "60")

    async def assigned() -> bool:
        case = await db.cases.find_one({"_id": tid})
        return bool(case and case["status"] == "assigned")

    await wait_until(assigned, timeout=90, message="report assigned after broker returned")

    async def projected() -> bool:
        doc = await db.reports.find_one({"_id": tid})
        return doc["status"] == "assigned" and doc["outbox_pending"] == 0

    await wait_until(projected, timeout=60, message="intake projection and empty outbox")


def _cli(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "shared.cli", *args], cwd=ROOT, env=stack.iso.env(),
                          capture_output=True, text=True, timeout=60)


async def test_failing_message_is_parked_with_its_error_and_replayed_by_operator(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack(LAPOR_MAX_ATTEMPTS="3")
    db = db_of(stack)
    broker = Broker(stack.iso.settings())
    await broker.connect()
    try:
        # An assignment whose report the notifier has never seen: it cannot find the
        # reporter's contacts, fails on every try, and is parked after three.
        tid = "TEST-PARK1"
        step = ReportAssigned(tracking_id=tid, action="assigned", from_status="received", status="assigned",
                              case_version=1, actor_role="system", agency_id="kab-banjar.pupr",
                              agency_name="Dinas PUPR Kabupaten Banjar", at=utcnow(), rule="test")
        assigned = make_event(step, correlation_id=tid, producer="test")
        await broker.publish(assigned)

        async def parked_count() -> int | None:
            listed = _cli(stack, "parked", "list", "notifier")
            assert listed.returncode == 0, listed.stderr
            lines = [json.loads(x) for x in listed.stdout.splitlines() if x.strip()]
            return lines or None

        parked = await wait_until(parked_count, timeout=30, interval=1, message="message parked")
        assert len(parked) == 1
        assert parked[0]["event_id"] == assigned.event_id
        assert parked[0]["attempts"] == 3
        assert "contacts of TEST-PARK1 not known" in parked[0]["error"]
        assert await db.notifications.count_documents({"event_id": assigned.event_id}) == 0

        # The report arrives after all; the operator replays the parked message.
        vault = Vault(stack.iso.data_key, stack.iso.lookup_key)
        phone = "+6281255512345"
        received = ReportReceived(
            tracking_id=tid, type="complaint", title="Jalan rusak", body="Jalan berlubang di depan pasar",
            region_code="63.03", category="infrastructure", received_at=utcnow(),
            reply_to=[ReplyAddress(channel="sms", address_enc=vault.encrypt(phone), address_hash=vault.lookup_hash(phone))],
        )
        await broker.publish(make_event(received, correlation_id=tid, producer="test"))

        async def contacts_known() -> bool:
            return await db.contacts.find_one({"_id": tid}) is not None

        await wait_until(contacts_known, message="contacts stored")
        replay = _cli(stack, "parked", "replay", "notifier", "--event-id", assigned.event_id)
        assert replay.returncode == 0, replay.stderr
        assert assigned.event_id in replay.stdout

        async def sent() -> bool:
            n = await db.notifications.find_one({"event_id": assigned.event_id})
            return bool(n and n["status"] == "sent")

        await wait_until(sent, timeout=30, message="replayed notification sent")
        again = _cli(stack, "parked", "list", "notifier")
        assert again.stdout.strip() == ""
    finally:
        await broker.close()


@pytest.mark.parametrize("service", ["intake", "routing", "notifier", "sla"])
async def test_sigterm_stops_each_service_cleanly(make_stack, service: str) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack()
    code = stack[service].terminate(timeout=30)
    # uvicorn re-raises SIGTERM after its graceful shutdown, so the exit says "by SIGTERM"
    assert code in (0, -15)
    log = stack[service].log_path.read_text()
    assert "service stopping" in log and "service stopped" in log
    assert "Application shutdown complete" in log
