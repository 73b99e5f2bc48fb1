"""What a running service holds: database, broker, outbox relay, consumers, vault.

``create_service_app`` gives all four services the same lifespan:
start  -> logging, tracing, database + indexes, broker + topology, relay, consumers;
stop   -> stop consuming and drain, drain the relay, close the broker, close the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Request
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from shared.attachments.service import Attachments
from shared.attachments.settings import AttachmentSettings
from shared.attachments.store import open_store
from shared.attachments.upload import OVERHEAD as UPLOAD_OVERHEAD
from shared.directory import Directory
from shared.health import health_router
from shared.http import BodyLimitMiddleware, LogContextMiddleware
from shared.messaging.broker import Broker
from shared.messaging.consumer import EventConsumer, Handlers
from shared.messaging.topology import queue_names
from shared.observability.logging import configure_logging, get_logger
from shared.observability.metrics import QUEUE_CONSUMERS, QUEUE_DEPTH
from shared.observability.tracing import configure_tracing, shutdown_tracing
from shared.privacy import Vault
from shared.problems import install_problem_handlers, install_problem_openapi
from shared.settings import CommonSettings
from shared.storage.mongo import Index, connect, ensure_indexes, outbox_index
from shared.storage.outbox import OutboxRelay

log = get_logger(__name__)
S = TypeVar("S", bound=CommonSettings)
T = TypeVar("T")


@dataclass
class Runtime:
    settings: CommonSettings
    client: AsyncMongoClient
    db: AsyncDatabase
    broker: Broker
    relay: OutboxRelay
    vault: Vault
    consumer: EventConsumer | None = None
    attachments: Attachments | None = None     # services that take files (ServiceSpec.attachments)
    directory: Directory | None = None         # services that keep the agency directory (directory.keep_fresh)
    # the service's own parts (intake's inserter, routing's classifier, the notifier's
    # dispatcher, SLA's policy book), each reached through its service's typed accessor
    parts: object = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def spawn(self, coro: Awaitable[None], name: str) -> None:
        """A background loop that lives as long as the service; cancelled at shutdown."""
        self._tasks.append(asyncio.create_task(coro, name=name))  # type: ignore[arg-type]

    def settings_as(self, cls: type[S]) -> S:
        """The service's own settings class, typed (held here as ``CommonSettings``)."""
        if not isinstance(self.settings, cls):
            raise TypeError(f"{cls.__name__} is read in its own service only")
        return self.settings


@dataclass
class ServiceSpec:
    settings: CommonSettings
    routers: Sequence[APIRouter] = ()
    handlers: Handlers | None = None
    indexes: Sequence[Index] = ()
    outbox_collections: Sequence[str] = ()
    on_start: Callable[[Runtime], Awaitable[None]] | None = None
    on_stop: Callable[[Runtime], Awaitable[None]] | None = None
    max_body_bytes: int = 1_048_576
    # the service takes files: its object store is opened at start; paths matching
    # ``upload_paths`` may carry bodies up to the attachments' total (the upload reader
    # enforces the real limits per file as the body streams in)
    attachments: bool = False
    upload_paths: str | None = None
    title: str = "lapor"
    description: str = ""
    version: str = "1.0.0"


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime


def get_attachments(request: Request) -> Attachments:
    attachments = get_runtime(request).attachments
    if attachments is None:
        raise TypeError("this service takes no attachments (ServiceSpec.attachments)")
    return attachments


AttachmentsDep = Annotated[Attachments, Depends(get_attachments)]


def part_of(runtime: Runtime, cls: type[T]) -> T:
    """The service's own part (``Runtime.parts``: the notifier's dispatcher, SLA's policy book),
    typed; its start-up makes it before a handler or a router reads it."""
    part = runtime.parts
    if not isinstance(part, cls):
        raise RuntimeError(f"{cls.__name__} is made at start-up, before anything reads it")
    return part


def part_dependency(cls: type[T]) -> Callable[[Request], T]:
    """A dependency giving the service's own part: ``Annotated[PolicyBook, Depends(part_dependency(PolicyBook))]``."""
    def get(request: Request) -> T:
        return part_of(get_runtime(request), cls)
    return get


def settings_of(cls: type[S]) -> Callable[[Request], S]:
    """A dependency giving a service's own settings class, typed (the runtime holds them as
    ``CommonSettings``): ``Annotated[IntakeSettings, Depends(settings_of(IntakeSettings))]``."""
    def get(request: Request) -> S:
        return get_runtime(request).settings_as(cls)
    return get


async def _wait_for_database(db: AsyncDatabase, attempts: int = 60) -> None:
    for attempt in range(1, attempts + 1):
        try:
            await db.command("ping")
            return
        except Exception as exc:
            if attempt == attempts:
                raise
            log.warning("database not reachable, retrying", attempt=attempt, error=type(exc).__name__)
            await asyncio.sleep(min(0.5 * attempt, 3))


async def _watch_queues(runtime: Runtime, consumer: str) -> None:
    """Queue depth and consumer count for /metrics, read with passive declares."""
    names = queue_names(consumer)
    while True:
        await asyncio.sleep(runtime.settings.queue_watch_interval_s)
        try:
            assert runtime.broker.connection is not None
            async with runtime.broker.connection.channel() as ch:
                for name in (names.main, names.parked):
                    q = await ch.declare_queue(name, passive=True)
                    QUEUE_DEPTH.labels(name).set(q.declaration_result.message_count or 0)
                    QUEUE_CONSUMERS.labels(name).set(q.declaration_result.consumer_count or 0)
        except Exception as exc:
            log.debug("queue watch failed", error=repr(exc))


def create_service_app(spec: ServiceSpec) -> FastAPI:
    settings = spec.settings
    configure_logging(settings.service_name, settings.log_format, settings.log_level)
    configure_tracing(settings.service_name, settings.otel_exporter_otlp_endpoint, settings.otel_sampling_ratio)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client, db = connect(settings)
        await _wait_for_database(db)
        await ensure_indexes(db, [*spec.indexes, *(outbox_index(c) for c in spec.outbox_collections)])
        broker = Broker(settings)
        await broker.connect()
        relay = OutboxRelay(db, broker, list(spec.outbox_collections), settings)
        runtime = Runtime(settings, client, db, broker, relay,
                          Vault(settings.data_key.get_secret_value(), settings.lookup_key.get_secret_value()))
        if spec.attachments:
            assert isinstance(settings, AttachmentSettings)
            runtime.attachments = Attachments(await open_store(settings), settings)
        app.state.runtime = runtime
        if spec.on_start is not None:
            await spec.on_start(runtime)
        relay.start()
        if spec.handlers is not None:
            handlers = spec.handlers
            handlers.check_subscriptions()
            runtime.consumer = EventConsumer(handlers, broker, db, settings, runtime)
            await runtime.consumer.start()
            runtime.spawn(_watch_queues(runtime, handlers.consumer), "queue-watch")
        log.info("service started", port=settings.port)
        try:
            yield
        finally:
            log.info("service stopping")
            if runtime.consumer is not None:
                await runtime.consumer.stop()
            for task in runtime._tasks:
                task.cancel()
            await asyncio.gather(*runtime._tasks, return_exceptions=True)
            await relay.stop()
            if spec.on_stop is not None:
                await spec.on_stop(runtime)
            if runtime.attachments is not None:
                await runtime.attachments.close()
            await broker.close()
            await client.close()
            shutdown_tracing()
            log.info("service stopped")

    app = FastAPI(title=spec.title, description=spec.description, version=spec.version, lifespan=lifespan)
    install_problem_handlers(app)
    install_problem_openapi(app)
    uploads = None
    if spec.attachments and spec.upload_paths:
        assert isinstance(settings, AttachmentSettings)
        # a backstop above the reader's own limits, which answer first and name the field
        uploads = (spec.upload_paths, settings.attachment_total_bytes + 2 * UPLOAD_OVERHEAD)
    app.add_middleware(BodyLimitMiddleware, max_bytes=spec.max_body_bytes, uploads=uploads)
    app.add_middleware(LogContextMiddleware)
    app.include_router(health_router)
    for router in spec.routers:
        app.include_router(router)
    # one server span a request: the ASGI send/receive child spans say nothing an SRE needs
    FastAPIInstrumentor.instrument_app(app, excluded_urls="health/.*,metrics", exclude_spans=["receive", "send"])
    return app
