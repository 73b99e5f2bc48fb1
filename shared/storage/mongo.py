"""MongoDB through PyMongo's native async API, and index creation at start-up.

Only the portable core is used (see DESIGN.md): no transactions, change streams, $lookup,
$facet or TTL indexes, so FerretDB serves development and tests and MongoDB production.
"""

from __future__ import annotations

import asyncio
import random
from datetime import datetime, timedelta, timezone
from dataclasses import dataclass, field
from typing import Any

from pymongo import ASCENDING, AsyncMongoClient, IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.asynchronous.topology import Topology
from pymongo.errors import AutoReconnect, DuplicateKeyError, OperationFailure
from pymongo.monitoring import CommandFailedEvent, CommandListener, CommandStartedEvent, CommandSucceededEvent

from shared.observability.logging import get_logger
from shared.observability.metrics import DB_COMMANDS
from shared.settings import CommonSettings
from shared.storage import shapes

log = get_logger(__name__)


def _keep_paused_pool_refusals_out_of_sdam() -> None:
    """Stop PyMongo (4.15 - 4.20, async) from clearing a pool that has just come back.

    After the database restarts, the pool is paused until the monitor sees the server again.
    Operations that try a connection meanwhile are refused with AutoReconnect("connection
    pool paused"), and that refusal goes through SDAM error handling like a network error,
    with the current generation. When one of those is handled just after the monitor marked
    the pool ready, it clears the pool again: with tens of concurrent operations (a consumer
    retrying its backlog) this repeats every heartbeat and the service never recovers
    (found by tests/e2e/test_faults.py at 500 reports; reproduced alone by
    tests/integration/test_database_restart.py). The refusal says nothing new about the
    server, so it is not fed to SDAM; every real network error still is.
    """
    original = Topology._handle_error
    if getattr(original, "__lapor_fix__", False):
        return

    async def handle_error(self: Topology, address: Any, err_ctx: Any) -> None:
        if isinstance(err_ctx.error, AutoReconnect) and "connection pool paused" in str(err_ctx.error):
            return
        await original(self, address, err_ctx)

    setattr(handle_error, "__lapor_fix__", True)   # marks the patch as applied
    Topology._handle_error = handle_error  # type: ignore[method-assign]


class CommandCounter(CommandListener):
    """Counts commands by name and collection for /metrics: what each step of a report costs
    the database (the benchmark reads it per report). A counter increment, nothing more,
    unless ``shapes_file`` is given (tests): then each distinct query shape is appended to it."""

    def __init__(self, shapes_file: str | None = None) -> None:
        self.shapes_file = shapes_file
        self._seen: set[str] = set()

    def started(self, event: CommandStartedEvent) -> None:
        target = event.command.get(event.command_name)
        DB_COMMANDS.labels(event.command_name, target if isinstance(target, str) else "").inc()
        if self.shapes_file:
            self._record(event.command_name, event.command)

    def _record(self, command_name: str, command: Any) -> None:
        for shape in shapes.shapes(command_name, command):
            k = shapes.key(shape)
            if k not in self._seen:
                self._seen.add(k)
                with open(self.shapes_file, "a", encoding="utf-8") as out:   # type: ignore[arg-type]
                    out.write(k + "\n")     # one short line per write: appends of processes do not mix

    def succeeded(self, event: CommandSucceededEvent) -> None:
        pass

    def failed(self, event: CommandFailedEvent) -> None:
        pass


def connect(settings: CommonSettings) -> tuple[AsyncMongoClient, AsyncDatabase]:
    _keep_paused_pool_refusals_out_of_sdam()
    client: AsyncMongoClient = AsyncMongoClient(
        settings.mongo_url,
        serverSelectionTimeoutMS=settings.mongo_timeout_ms,
        connectTimeoutMS=settings.mongo_timeout_ms,
        tz_aware=True,
        maxPoolSize=settings.mongo_max_pool_size,
        appname=settings.service_name,
        event_listeners=[CommandCounter(settings.query_shapes_file)],
    )
    return client, client[settings.mongo_db]


@dataclass(frozen=True)
class Index:
    collection: str
    keys: list[tuple[str, int]]
    unique: bool = False
    options: dict[str, Any] = field(default_factory=dict)

    def model(self) -> IndexModel:
        name = "_".join(f"{k}_{d}" for k, d in self.keys)
        return IndexModel(self.keys, name=name, unique=self.unique, **self.options)


def outbox_index(collection: str) -> Index:
    """Every collection with an outbox needs its backlog found quickly by the sweeper."""
    return Index(collection, [("outbox_pending", ASCENDING)])


def pruned_indexes(keep_s: dict[str, float]) -> list[Index]:
    """The ``at`` index that ``prune_loop``'s delete of old documents runs on, per collection."""
    return [Index(name, [("at", ASCENDING)]) for name in keep_s]


async def ensure_indexes(db: AsyncDatabase, indexes: list[Index]) -> None:
    by_collection: dict[str, list[IndexModel]] = {}
    for index in indexes:
        by_collection.setdefault(index.collection, []).append(index.model())
    for name, models in by_collection.items():
        # Create only what is missing: FerretDB v1.24 drops the connection (a server-side
        # panic) when createIndexes names an index that already exists. Two replicas that
        # start together can both find it missing; the one that loses looks again.
        for attempt in range(1, 6):
            existing = {ix["name"] async for ix in await db[name].list_indexes()}
            missing = [m for m in models if m.document["name"] not in existing]
            if not missing:
                break
            try:
                await db[name].create_indexes(missing)
                break
            except (AutoReconnect, OperationFailure):
                if attempt == 5:
                    raise
                await asyncio.sleep(0.2 * attempt + random.random() * 0.3)


async def insert_once(collection: AsyncCollection, doc: dict[str, Any]) -> bool:
    """Insert a document whose ``_id`` is its identity; False when it exists already.

    The portable "do this once" of the design: the unique ``_id`` index decides, whatever
    number of deliveries or replicas race for it.
    """
    try:
        await collection.insert_one(doc)
        return True
    except DuplicateKeyError:
        return False


_FERRETDB: dict[int, bool] = {}


async def is_ferretdb(db: AsyncDatabase) -> bool:
    """Whether the server is FerretDB (its buildInfo says so); asked once per client."""
    key = id(db.client)
    if key not in _FERRETDB:
        _FERRETDB[key] = "ferretdbVersion" in await db.command("buildInfo")
    return _FERRETDB[key]


async def count(collection: AsyncCollection, query: dict[str, Any]) -> int:
    """How many documents match. On FerretDB the ``count`` command, which the project's build
    counts on an index (``count_documents`` is an aggregation that FerretDB answers by decoding
    every match); on MongoDB ``count_documents``, exact on a sharded cluster too (the count
    command can count a migrating chunk's documents twice)."""
    if await is_ferretdb(collection.database):
        reply = await collection.database.command("count", collection.name, query=query)
        return int(reply["n"])
    return await collection.count_documents(query)


async def count_in_window(collection: AsyncCollection, key: str, window: str) -> int:
    """Add one to ``key``'s counter for ``window`` (e.g. an hour or minute stamp) and return it.

    One atomic upsert per call, so every replica of a service counts against the same limit.
    ``at`` (set once) lets ``prune_loop`` clear old windows.
    """
    doc = await collection.find_one_and_update({"_id": f"{key}:{window}"},
                                               {"$inc": {"n": 1}, "$setOnInsert": {"at": datetime.now(timezone.utc)}},
                                               upsert=True, return_document=True)
    return int(doc["n"]) if doc else 1


async def prune_loop(db: AsyncDatabase, keep_s: dict[str, float], every_s: float = 3600.0) -> None:
    """Delete documents whose ``at`` is older than their collection's keep time, every hour.
    What a TTL index does on MongoDB; FerretDB 1.x has no TTL indexes, and one loop serves both."""
    while True:
        try:
            now = datetime.now(timezone.utc)
            for name, seconds in keep_s.items():
                await db[name].delete_many({"at": {"$lt": now - timedelta(seconds=seconds)}})
        except asyncio.CancelledError:
            raise
        except Exception as exc:   # the database restarting: next round
            log.warning("prune round failed", error=repr(exc))
        await asyncio.sleep(every_s)
