"""Outbox relay and sweeper, idempotent consumer, retries and parking, on real RabbitMQ."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import aio_pika
from pymongo.asynchronous.database import AsyncDatabase

from shared.events import Envelope, ReportReceived, make_event
from shared.messaging.broker import Broker
from shared.messaging.consumer import Delivery, EventConsumer, Handlers
from shared.messaging.topology import queue_names
from shared.settings import CommonSettings
from shared.storage.outbox import OutboxRelay, outbox_insert_fields
from harness.infra import Isolation, queue_depths
from harness.stack import wait_until


def _event(tid: str = "ABCD-EFGHK") -> Envelope:
    payload = ReportReceived(tracking_id=tid, type="complaint", title="t", body="b", received_at=datetime.now(UTC))
    return make_event(payload, correlation_id=tid, producer="test")


async def _depth(broker: Broker, queue: str) -> int:
    assert broker.connection is not None
    async with broker.connection.channel() as ch:
        q = await ch.declare_queue(queue, passive=True)
        return q.declaration_result.message_count or 0


async def test_sweeper_publishes_what_a_crashed_writer_left_in_the_outbox(
        db: AsyncDatabase, broker: Broker, settings: CommonSettings) -> None:
    events = [_event("AAAA-AAAAA"), _event("AAAA-AAAAA")]
    # the document was written but the process died before its relay ran
    await db.reports.insert_one({"_id": "AAAA-AAAAA", **outbox_insert_fields(events)})
    relay = OutboxRelay(db, broker, ["reports"], settings)
    assert await relay.sweep_once() == 2
    doc = await db.reports.find_one({"_id": "AAAA-AAAAA"})
    assert doc["outbox_pending"] == 0 and doc["outbox"] == {}
    # report.received.v1 is bound to routing, notifier and sla: each got both events
    for consumer in ("routing", "notifier", "sla"):
        assert await _depth(broker, queue_names(consumer).main) == 2
    assert relay.looking_soon                                # leftovers found: look again soon
    assert await relay.sweep_once() == 0                 # nothing left: nothing published twice
    assert not relay.looking_soon                            # clean: back to the idle interval (a scan on FerretDB)


async def test_events_stay_in_the_outbox_while_the_broker_is_unreachable(
        db: AsyncDatabase, settings: CommonSettings) -> None:
    await db.reports.insert_one({"_id": "BBBB-BBBBB", **outbox_insert_fields([_event("BBBB-BBBBB")])})
    unreachable = Broker(settings.model_copy(update={"amqp_url": "amqp://guest:guest@127.0.0.1:1/"}))
    relay = OutboxRelay(db, unreachable, ["reports"], settings)
    assert await relay.sweep_once() == 0
    assert (await db.reports.find_one({"_id": "BBBB-BBBBB"}))["outbox_pending"] == 1
    assert relay.looking_soon                                # the publish failed: keep looking at the short interval


async def test_a_redelivered_event_has_one_effect(db: AsyncDatabase, broker: Broker, settings: CommonSettings,
                                                  isolation: Isolation) -> None:
    calls: list[str] = []
    handlers = Handlers("routing")

    @handlers.on()
    async def handle(report: ReportReceived, at: Delivery) -> None:
        calls.append(at.envelope.event_id)

    consumer = EventConsumer(handlers, broker, db, settings)
    await consumer.start()
    try:
        env = _event()
        for _ in range(3):                               # the same event, three deliveries
            await broker.publish(env)

        async def settled() -> bool:
            # all three deliveries taken and answered (a busy claim sends one to a retry queue,
            # from where it comes back): nothing ready or unacked in any of routing's queues
            depths = await asyncio.to_thread(queue_depths, isolation.vhost)
            done = await db.inbox.find_one({"_id": f"routing:{env.event_id}", "state": "done"})
            return done is not None and not any(n for q, n in depths.items() if q.startswith("lapor.routing"))

        await wait_until(settled, timeout=15)
        assert calls == [env.event_id]
    finally:
        await consumer.stop()


async def test_a_failing_handler_is_retried_then_parked_with_its_error(
        db: AsyncDatabase, broker: Broker, settings: CommonSettings) -> None:
    attempts: list[int] = []
    handlers = Handlers("sla")

    @handlers.on()
    async def handle(report: ReportReceived, at: Delivery) -> None:
        attempts.append(1)
        raise RuntimeError("deadline store unavailable")

    consumer = EventConsumer(handlers, broker, db, settings)
    await consumer.start()
    try:
        env = _event()
        await broker.publish(env)

        async def parked() -> bool:
            return await _depth(broker, "lapor.sla.parked") == 1

        await wait_until(parked, timeout=15)
        assert len(attempts) == settings.max_attempts
        assert broker.connection is not None
        async with broker.connection.channel() as ch:
            queue = await ch.declare_queue("lapor.sla.parked", passive=True)
            message = await queue.get(no_ack=True)
            assert isinstance(message, aio_pika.abc.AbstractIncomingMessage)
            assert message.headers["x-error"] == "RuntimeError: deadline store unavailable"
            assert message.headers["x-attempt"] == settings.max_attempts
            assert json.loads(message.body)["event_id"] == env.event_id
    finally:
        await consumer.stop()


async def test_a_malformed_message_is_parked_at_once(db: AsyncDatabase, broker: Broker, settings: CommonSettings) -> None:
    handlers = Handlers("notifier")
    consumer = EventConsumer(handlers, broker, db, settings)
    await consumer.start()
    try:
        await broker.send_to_queue("lapor.notifier", b"{not json", {})

        async def parked() -> bool:
            return await _depth(broker, "lapor.notifier.parked") == 1

        await wait_until(parked, timeout=10)
    finally:
        await consumer.stop()


async def test_a_payload_that_is_not_its_model_is_parked_at_once_without_its_content(
        db: AsyncDatabase, broker: Broker, settings: CommonSettings) -> None:
    calls: list[str] = []
    handlers = Handlers("sla")

    @handlers.on(idempotent=True)
    async def handle(report: ReportReceived, at: Delivery) -> None:
        calls.append(report.tracking_id)

    consumer = EventConsumer(handlers, broker, db, settings)
    await consumer.start()
    try:
        env = _event()
        env.payload = {"tracking_id": "ABCD-EFGHK", "title": "Siti Aminah +6281255550000"}   # no body, no dates
        await broker.publish(env)

        async def parked() -> bool:
            return await _depth(broker, "lapor.sla.parked") == 1

        await wait_until(parked, timeout=10)
        assert calls == []
        assert broker.connection is not None
        async with broker.connection.channel() as ch:
            queue = await ch.declare_queue("lapor.sla.parked", passive=True)
            message = await queue.get(no_ack=True)
            assert isinstance(message, aio_pika.abc.AbstractIncomingMessage)
            assert message.headers["x-attempt"] == 1                       # parked at once, not retried
            assert message.headers["x-error"].startswith("payload is not a ReportReceived")
            assert "Siti" not in message.headers["x-error"]                # the error names no content
    finally:
        await consumer.stop()


async def test_an_idempotent_handler_skips_the_inbox(db: AsyncDatabase, broker: Broker, settings: CommonSettings) -> None:
    calls: list[str] = []
    handlers = Handlers("sla")

    @handlers.on(idempotent=True)
    async def handle(report: ReportReceived, at: Delivery) -> None:
        calls.append(at.envelope.event_id)

    consumer = EventConsumer(handlers, broker, db, settings)
    await consumer.start()
    try:
        env = _event()
        await broker.publish(env)

        async def handled() -> bool:
            return calls == [env.event_id]

        await wait_until(handled, timeout=10)
        assert await db.inbox.count_documents({}) == 0   # no inbox writes for guarded handlers
    finally:
        await consumer.stop()
