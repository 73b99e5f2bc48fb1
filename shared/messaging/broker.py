"""The RabbitMQ connection: robust reconnects, declared topology, confirmed publishing.

Publishing uses publisher confirms with many messages in flight: ``publish`` awaits only its
own confirm, so callers that gather many publishes pipeline them on one channel.
``mandatory`` makes an unroutable message an error instead of a silent drop.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aio_pika
from pamqp.commands import Basic
from aio_pika.abc import AbstractExchange, AbstractRobustChannel, AbstractRobustConnection

from shared.events import Envelope
from shared.messaging.topology import DEAD_LETTER_EXCHANGE, DELIVERY_LIMIT, SUBSCRIPTIONS, queue_names
from shared.observability.logging import get_logger
from shared.observability.tracing import producer_span
from shared.settings import CommonSettings

log = get_logger(__name__)


class PublishError(Exception):
    """The broker did not confirm a message (down, unroutable, nacked or timed out)."""


class Broker:
    def __init__(self, settings: CommonSettings) -> None:
        self.settings = settings
        self.connection: AbstractRobustConnection | None = None
        self.channel: AbstractRobustChannel | None = None
        self.exchange: AbstractExchange | None = None
        self.dlx: AbstractExchange | None = None

    async def connect(self, attempts: int = 60) -> None:
        """Connect, retrying while the broker is starting; then declare the topology."""
        for attempt in range(1, attempts + 1):
            try:
                self.connection = await aio_pika.connect_robust(
                    self.settings.amqp_url,
                    client_properties={"connection_name": self.settings.service_name},
                    timeout=5,
                )
                break
            except (ConnectionError, OSError, asyncio.TimeoutError, aio_pika.exceptions.AMQPError) as exc:
                if attempt == attempts:
                    raise
                log.warning("broker not reachable, retrying", attempt=attempt, error=str(exc))
                await asyncio.sleep(min(0.5 * attempt, 3))
        assert self.connection is not None
        self.channel = await self.connection.channel(publisher_confirms=True, on_return_raises=True)
        await self.declare_topology()

    async def declare_topology(self) -> None:
        assert self.channel is not None
        ch = self.channel
        self.exchange = await ch.declare_exchange(
            self.settings.events_exchange, aio_pika.ExchangeType.TOPIC, durable=True
        )
        self.dlx = await ch.declare_exchange(DEAD_LETTER_EXCHANGE, aio_pika.ExchangeType.DIRECT, durable=True)
        for consumer, keys in SUBSCRIPTIONS.items():
            names = queue_names(consumer)
            main = await ch.declare_queue(
                names.main,
                durable=True,
                arguments={
                    "x-queue-type": "quorum",
                    "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
                    "x-dead-letter-routing-key": names.main,
                    # a message that crashes its consumer again and again is parked by the broker
                    "x-delivery-limit": DELIVERY_LIMIT,
                },
            )
            for key in keys:
                await main.bind(self.exchange, routing_key=key)
            parked = await ch.declare_queue(names.parked, durable=True, arguments={"x-queue-type": "quorum"})
            await parked.bind(self.dlx, routing_key=names.main)
            for delay in self.settings.retry_delays_ms:
                # a delay queue: messages wait out their TTL, then dead-letter back to the main queue
                await ch.declare_queue(
                    names.retry(delay),
                    durable=True,
                    arguments={
                        "x-queue-type": "quorum",
                        "x-message-ttl": delay,
                        "x-dead-letter-exchange": "",
                        "x-dead-letter-routing-key": names.main,
                        "x-dead-letter-strategy": "at-least-once",
                        "x-overflow": "reject-publish",
                    },
                )

    @property
    def is_ready(self) -> bool:
        return bool(self.connection and not self.connection.is_closed and self.channel and not self.channel.is_closed)

    def _message(self, body: bytes, headers: dict[str, Any], env: Envelope | None = None) -> aio_pika.Message:
        return aio_pika.Message(
            body=body,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            headers=headers,
            message_id=env.event_id if env else None,
            correlation_id=env.correlation_id if env else None,
            type=env.routing_key if env else None,
            app_id=self.settings.service_name,
        )

    async def publish(self, env: Envelope) -> None:
        """Publish one event and wait for its confirm (other publishes may be in flight)."""
        if not self.is_ready or self.exchange is None:
            raise PublishError("broker not connected")
        with producer_span(env.routing_key, env.trace, {"lapor.tracking_id": env.correlation_id, "lapor.event_id": env.event_id,
                                                             "lapor.event_type": env.routing_key}) as headers:
            msg = self._message(env.model_dump_json().encode(), headers, env)
            await self._confirmed(self.exchange, msg, env.routing_key)

    async def send_to_queue(self, queue: str, body: bytes, headers: dict[str, Any]) -> None:
        """Publish straight to one queue through the default exchange (retries, replays)."""
        if not self.is_ready or self.channel is None:
            raise PublishError("broker not connected")
        await self._confirmed(self.channel.default_exchange, self._message(body, headers), queue)

    async def park(self, queue: str, body: bytes, headers: dict[str, Any]) -> None:
        if not self.is_ready or self.dlx is None:
            raise PublishError("broker not connected")
        await self._confirmed(self.dlx, self._message(body, headers), queue)

    async def _confirmed(self, exchange: AbstractExchange, msg: aio_pika.Message, routing_key: str) -> None:
        try:
            confirmation = await exchange.publish(
                msg, routing_key=routing_key, mandatory=True, timeout=self.settings.publish_timeout_s
            )
        except (aio_pika.exceptions.AMQPError, asyncio.TimeoutError, ConnectionError, RuntimeError) as exc:
            raise PublishError(f"{type(exc).__name__}: {exc}") from exc
        if not isinstance(confirmation, Basic.Ack):
            raise PublishError(f"not confirmed: {type(confirmation).__name__}")

    async def close(self) -> None:
        if self.connection is not None and not self.connection.is_closed:
            await self.connection.close()
