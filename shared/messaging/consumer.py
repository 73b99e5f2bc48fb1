"""The idempotent consumer: dispatch by event type, inbox, bounded retries, parking.

For each message:
1. an envelope that cannot be parsed, or whose payload is not its handler's model, is parked
   at once (retrying cannot fix it);
2. the inbox ``(consumer, event_id)`` is claimed with a lease: an event already completed is
   acked, one another delivery is handling right now comes back after a short delay, and a
   claim whose holder died is taken over when its lease runs out;
3. the handler runs inside a CONSUMER span whose parent is the producer's;
4. on failure the message goes to the next retry delay queue, and after ``max_attempts``
   to the consumer's parking queue with the error recorded in its headers;
5. on success the inbox marks the event done, then the message is acked.

Handlers must still be safe to run twice (guarded updates): a crash after the handler's
effects and before "done" is written lets another delivery run it again after the lease.
A handler registered ``idempotent=True`` relies on its guards alone and skips the inbox.
"""

from __future__ import annotations

import asyncio
import inspect
import time
import types
import typing
from datetime import timedelta
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import structlog
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue
from pymongo.asynchronous.database import AsyncDatabase
from pydantic import ValidationError
from pymongo.errors import ConnectionFailure

from shared.events import EPOCH, Envelope, Payload, utcnow
from shared.messaging.broker import Broker
from shared.messaging.topology import SUBSCRIPTIONS, queue_names
from shared.observability.logging import get_logger
from shared.observability.metrics import HANDLER_SECONDS, MESSAGES_HANDLED, PARKED, RETRIES
from shared.observability.tracing import consumer_span
from shared.settings import CommonSettings
from shared.storage.mongo import insert_once

if TYPE_CHECKING:   # the runtime starts consumers: only its type is needed here
    from shared.runtime import Runtime

log = get_logger(__name__)
# infrastructure failures (server selection, network, reconnecting): not the message's fault
TRANSIENT = (ConnectionFailure,)

INBOX = "inbox"


@dataclass(frozen=True)
class Delivery:
    """What a handler is given beside its event: the envelope (its id keys what the handler
    writes) and the service's runtime."""

    envelope: Envelope
    context: Runtime | None = None

    @property
    def runtime(self) -> Runtime:
        assert self.context is not None, "this consumer was started without a runtime"
        return self.context


# a handler's first parameter is its event's payload model; the model names the routing key
Handler = Callable[[Any, Delivery], Awaitable[None]]


@dataclass(frozen=True)
class Route:
    model: type[Payload]
    handler: Handler


@dataclass
class Handlers:
    """A service's message handlers, keyed by the routing key their payload model declares."""

    consumer: str
    by_key: dict[str, Route] = field(default_factory=dict)
    without_inbox: set[str] = field(default_factory=set)

    def on(self, *, idempotent: bool = False) -> Callable[[Handler], Handler]:
        """Register a module-level handler ``async def f(event: Model, at: Delivery)``; a union
        of models (``ReportAssigned | CaseTransition``) registers one route per model.
        ``idempotent=True`` declares that the handler's own effects are guarded (an insert keyed
        by the event's identity, a guarded update): it then skips the inbox, which costs two
        writes per message."""

        def register(fn: Handler) -> Handler:
            for model in payload_models(fn):
                key = model.routing_key()
                if key in self.by_key:
                    raise RuntimeError(f"{self.consumer}: {key} is handled twice")
                self.by_key[key] = Route(model, fn)
                if idempotent:
                    self.without_inbox.add(key)
            return fn

        return register

    def check_subscriptions(self) -> None:
        """Every handler must be bound in the topology, and every binding handled."""
        declared = set(SUBSCRIPTIONS.get(self.consumer, ()))
        if declared != set(self.by_key):
            raise RuntimeError(f"{self.consumer}: handlers {sorted(self.by_key)} != topology {sorted(declared)}")


def payload_models(fn: Handler) -> tuple[type[Payload], ...]:
    """The payload models a handler's first parameter is annotated with."""
    first = next(iter(inspect.signature(fn).parameters))
    hint = typing.get_type_hints(fn)[first]
    models = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    if not models or not all(isinstance(m, type) and issubclass(m, Payload) for m in models):
        raise TypeError(f"{fn.__qualname__}: the first parameter must be annotated with payload models, not {hint!r}")
    return models


class EventConsumer:
    def __init__(self, handlers: Handlers, broker: Broker, db: AsyncDatabase, settings: CommonSettings,
                 runtime: Runtime | None = None) -> None:
        self.handlers = handlers
        self.runtime = runtime
        self.broker = broker
        self.db = db
        self.settings = settings
        self.names = queue_names(handlers.consumer)
        self._queue: AbstractQueue | None = None
        self._tag: str | None = None
        self._in_flight: set[asyncio.Task[None]] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    async def start(self) -> None:
        assert self.broker.connection is not None
        # A channel of its own, so prefetch applies to this consumer only.
        channel = await self.broker.connection.channel(publisher_confirms=False)
        await channel.set_qos(prefetch_count=self.settings.prefetch)
        self._queue = await channel.get_queue(self.names.main, ensure=True)
        self._tag = await self._queue.consume(self._on_message)

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
            self._idle.clear()
        try:
            await self._process(message)
        finally:
            if task is not None:
                self._in_flight.discard(task)
                if not self._in_flight:
                    self._idle.set()

    async def _process(self, message: AbstractIncomingMessage) -> None:
        try:
            env = Envelope.model_validate_json(message.body)
        except ValueError as exc:
            await self._park(message, "?", f"malformed envelope: {exc}")
            return
        key = env.routing_key
        route = self.handlers.by_key.get(key)
        structlog.contextvars.bind_contextvars(event_id=env.event_id, tracking_id=env.correlation_id, event_type=key)
        try:
            if route is None:
                await self._park(message, key, f"no handler for {key}")
                return
            try:
                event = env.parse(route.model)
            except ValidationError as exc:
                # the payload is not the model its type names: no retry can fix that
                await self._park(message, key, f"payload is not a {route.model.__name__}: {exc.error_count()} error(s)")
                return
            inbox_id = f"{self.handlers.consumer}:{env.event_id}"
            use_inbox = key not in self.handlers.without_inbox
            claim = await self._claim(inbox_id) if use_inbox else "new"
            if claim == "done":
                MESSAGES_HANDLED.labels(self.handlers.consumer, key, "duplicate").inc()
                await message.ack()
                return
            if claim == "busy":
                # the same event is in another delivery's hands right now: look again later
                await self.broker.send_to_queue(self.names.retry(self.settings.retry_delays_ms[0]), message.body,
                                                message.headers or {})
                await message.ack()
                return
            attempt = int((message.headers or {}).get("x-attempt", 1))
            attrs = {"lapor.tracking_id": env.correlation_id, "lapor.event_id": env.event_id, "lapor.event_type": key,
                     "lapor.attempt": attempt, "messaging.destination.name": self.names.main}
            with consumer_span(key, message.headers or {}, attrs) as span:
                started = time.perf_counter()
                try:
                    await route.handler(event, Delivery(env, self.runtime))
                except Exception as exc:
                    span.record_exception(exc)
                    HANDLER_SECONDS.labels(self.handlers.consumer, key).observe(time.perf_counter() - started)
                    if isinstance(exc, TRANSIENT):
                        # the database is away, not the message at fault: try again, without
                        # using up an attempt (the inbox lease simply runs out)
                        await self._retry_later(message, attempt, exc)
                        return
                    if use_inbox:
                        await self.db[INBOX].update_one({"_id": inbox_id}, {"$set": {"lease_until": EPOCH}})
                    await self._retry_or_park(message, env, attempt, exc)
                    return
                elapsed = time.perf_counter() - started
                HANDLER_SECONDS.labels(self.handlers.consumer, key).observe(elapsed)
                log.debug("event handled", attempt=attempt, handler_ms=round(elapsed * 1000, 1))
            if use_inbox:
                await self.db[INBOX].update_one({"_id": inbox_id}, {"$set": {"state": "done", "at": utcnow()}})
            MESSAGES_HANDLED.labels(self.handlers.consumer, key, "ok").inc()
            await message.ack()
        except Exception as exc:
            # Could not even retry or park (broker or database gone): let the broker redeliver.
            log.warning("message requeued", error=repr(exc))
            if not message.processed:
                await message.nack(requeue=True)
        finally:
            structlog.contextvars.unbind_contextvars("event_id", "tracking_id", "event_type")

    async def _claim(self, inbox_id: str) -> str:
        """``new`` (ours to handle), ``done`` (handled before) or ``busy`` (being handled)."""
        now = utcnow()
        lease = now + timedelta(seconds=self.settings.handler_lease_s)
        if await insert_once(self.db[INBOX], {"_id": inbox_id, "state": "processing", "lease_until": lease, "at": now}):
            return "new"
        # a claim whose holder died (or failed) is taken over once its lease has run out
        taken = await self.db[INBOX].find_one_and_update(
            {"_id": inbox_id, "state": "processing", "lease_until": {"$lt": now}}, {"$set": {"lease_until": lease}})
        if taken is not None:
            return "new"
        current = await self.db[INBOX].find_one({"_id": inbox_id}, {"state": 1})
        return "done" if current is not None and current["state"] == "done" else "busy"

    async def _retry_later(self, message: AbstractIncomingMessage, attempt: int, exc: Exception) -> None:
        delay = self.settings.retry_delays_ms[-1]
        headers = {**(message.headers or {}), "x-attempt": attempt, "x-last-error": f"{type(exc).__name__}: {exc}"[:500]}
        await self.broker.send_to_queue(self.names.retry(delay), message.body, headers)
        await message.ack()
        log.warning("database unavailable, retry scheduled", attempt=attempt, delay_ms=delay, error=type(exc).__name__)

    async def _retry_or_park(self, message: AbstractIncomingMessage, env: Envelope, attempt: int, exc: Exception) -> None:
        error = f"{type(exc).__name__}: {exc}"[:2000]
        key = env.routing_key
        if attempt >= self.settings.max_attempts:
            await self._park(message, key, error, attempt)
            return
        delay = self.settings.retry_delays_ms[min(attempt - 1, len(self.settings.retry_delays_ms) - 1)]
        headers = {**(message.headers or {}), "x-attempt": attempt + 1, "x-last-error": error}
        await self.broker.send_to_queue(self.names.retry(delay), message.body, headers)
        RETRIES.labels(self.handlers.consumer, key).inc()
        MESSAGES_HANDLED.labels(self.handlers.consumer, key, "retry").inc()
        log.warning("handler failed, retry scheduled", attempt=attempt, delay_ms=delay, error=error)
        await message.ack()

    async def _park(self, message: AbstractIncomingMessage, key: str, error: str, attempt: int = 1) -> None:
        headers = {
            **(message.headers or {}),
            "x-attempt": attempt,
            "x-error": error[:2000],
            "x-parked-at": utcnow().isoformat(),
            "x-parked-by": self.settings.service_name,
            "x-routing-key": key,
        }
        await self.broker.park(self.names.main, message.body, headers)
        PARKED.labels(self.handlers.consumer, key).inc()
        MESSAGES_HANDLED.labels(self.handlers.consumer, key, "parked").inc()
        log.error("message parked", attempts=attempt, error=error)
        await message.ack()

    async def stop(self, drain_timeout: float = 10.0) -> None:
        """Stop taking messages, then wait (bounded) for the ones in hand to finish."""
        if self._queue is not None and self._tag is not None:
            try:
                await self._queue.cancel(self._tag)
            except Exception as exc:  # the channel may already be gone
                log.warning("consumer cancel failed", error=repr(exc))
        try:
            await asyncio.wait_for(self._idle.wait(), timeout=drain_timeout)
        except TimeoutError:
            log.warning("consumer drain timed out", in_flight=len(self._in_flight))
