"""The single-document outbox, its relay and its crash sweeper.

A write that must emit events stores them in the same document update, under
``outbox.<event_id>`` with ``outbox_pending`` counting them (a map, not an array: FerretDB
ignores ``$pull`` with a condition, and ``$unset`` of one key is portable and exact).

After the write, the service hands the events to the relay, which publishes them with
confirms, many in flight, and removes each confirmed one. If the process dies in between, or
the broker is down, the sweeper finds documents with ``outbox_pending > 0`` and publishes
what has waited longer than a grace period. A duplicate publish is harmless: consumers are
idempotent.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from shared.events import Envelope, utcnow
from shared.messaging.broker import Broker, PublishError
from shared.observability.logging import get_logger
from shared.observability.metrics import OUTBOX_BACKLOG, OUTBOX_PUBLISHED
from shared.settings import CommonSettings

log = get_logger(__name__)
# updates a clearing bulk carries: FerretDB v1 holds a SQLite connection per update of a
# multi-update command until the command ends, so a bulk stays small (its pool is 100)
CLEAR_BULK = 16


def outbox_insert_fields(events: list[Envelope]) -> dict[str, Any]:
    """Fields to put in a new document that carries these events."""
    return {"outbox": {e.event_id: e.to_document() for e in events}, "outbox_pending": len(events)}


def outbox_update(events: list[Envelope]) -> dict[str, dict[str, Any]]:
    """Update operators that add these events to an existing document (merge with yours)."""
    return {
        "$set": {f"outbox.{e.event_id}": e.to_document() for e in events},
        "$inc": {"outbox_pending": len(events)},
    }


def merge_updates(*updates: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for update in updates:
        for op, fields in update.items():
            merged.setdefault(op, {}).update(fields)
    return merged


class OutboxWriter:
    """Base of a repository whose writes carry events: once a document is stored with its
    events, the repository itself hands them to the relay (no caller names a collection, and
    none can forget the hand-over; the sweeper would only find them seconds later)."""

    relay: "OutboxRelay | None" = None
    # a command-line tool has no relay: a running service's sweeper publishes what it stored
    leave_to_sweeper: bool = False

    def handed_over(self, collection: str, doc_id: Any, events: list[Envelope], stored: bool) -> bool:
        if stored and events and not (self.relay is None and self.leave_to_sweeper):
            assert self.relay is not None, f"{type(self).__name__} was made without the relay; it writes events"
            self.relay.submit(collection, doc_id, events)
        return stored


class OutboxRelay:
    def __init__(self, db: AsyncDatabase, broker: Broker, collections: list[str], settings: CommonSettings) -> None:
        self.db = db
        self.broker = broker
        self.collections = collections
        self.settings = settings
        self._queue: asyncio.Queue[tuple[str, Any, Envelope]] = asyncio.Queue(maxsize=10_000)
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = asyncio.Event()
        # Finding leftovers is a query on outbox_pending: an index read on MongoDB, a scan of
        # the whole collection on FerretDB's SQLite backend (it pushes down _id filters only).
        # So the sweeper looks often only while there is reason to: at start-up (what a
        # crashed predecessor left), after this relay failed to publish or clear, and while the
        # last sweep still found something; otherwise at the idle interval.
        self._suspect = True

    def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._relay_loop(), name="outbox-relay"),
            asyncio.create_task(self._sweep_loop(), name="outbox-sweeper"),
        ]

    def submit(self, collection: str, doc_id: Any, events: list[Envelope]) -> None:
        """Fast path after a successful write; a full queue just leaves it to the sweeper."""
        for env in events:
            try:
                self._queue.put_nowait((collection, doc_id, env))
            except asyncio.QueueFull:
                self._suspect = True
                return

    async def _relay_loop(self) -> None:
        while not self._stopping.is_set():
            first = await self._queue.get()
            batch = [first]
            while len(batch) < self.settings.outbox_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self.publish_batch(batch)
            except Exception as exc:  # e.g. the database is down: the events stay in the outbox
                self._suspect = True
                log.warning("outbox relay batch failed", error=repr(exc))

    async def publish_batch(self, batch: list[tuple[str, Any, Envelope]]) -> int:
        """Publish concurrently (confirms pipelined), then clear what the broker confirmed."""
        results = await asyncio.gather(*(self.broker.publish(env) for _, _, env in batch), return_exceptions=True)
        confirmed = [(c, d, e) for (c, d, e), r in zip(batch, results) if not isinstance(r, BaseException)]
        for (_, _, env), result in zip(batch, results):
            if isinstance(result, BaseException) and not isinstance(result, PublishError):
                log.error("outbox publish crashed", event_id=env.event_id, error=repr(result))
        await self._clear_all(confirmed)
        OUTBOX_PUBLISHED.inc(len(confirmed))
        failed = len(batch) - len(confirmed)
        if failed:
            self._suspect = True
            log.warning("outbox events left for the sweeper", count=failed)
        return len(confirmed)

    async def _clear_all(self, confirmed: list[tuple[str, Any, Envelope]]) -> None:
        """Remove confirmed events from their documents: one update per document (all its
        events at once), sent in bulks of CLEAR_BULK, so a busy relay clears a batch in a few
        commands. Each update requires every key it removes, so the count stays exact; a bulk
        that did not match in full (the sweeper cleared one meanwhile) is redone key by key."""
        by_doc: dict[tuple[str, Any], list[str]] = {}
        for collection, doc_id, env in confirmed:
            by_doc.setdefault((collection, doc_id), []).append(f"outbox.{env.event_id}")
        by_collection: dict[str, list[tuple[Any, list[str]]]] = {}
        for (collection, doc_id), keys in by_doc.items():
            by_collection.setdefault(collection, []).append((doc_id, keys))
        for collection, docs in by_collection.items():
            for i in range(0, len(docs), CLEAR_BULK):
                chunk = docs[i:i + CLEAR_BULK]
                ops = [UpdateOne({"_id": doc_id, **{k: {"$exists": True} for k in keys}},
                                 {"$unset": {k: "" for k in keys}, "$inc": {"outbox_pending": -len(keys)}})
                       for doc_id, keys in chunk]
                result = await self.db[collection].bulk_write(ops, ordered=False)
                if result.matched_count < len(ops):
                    await asyncio.gather(*(self._clear(collection, doc_id, k) for doc_id, keys in chunk for k in keys))

    async def _clear(self, collection: str, doc_id: Any, key: str) -> None:
        await self.db[collection].update_one(
            {"_id": doc_id, key: {"$exists": True}}, {"$unset": {key: ""}, "$inc": {"outbox_pending": -1}}
        )

    @property
    def looking_soon(self) -> bool:
        """The sweeper will look again at the short interval (leftovers were seen, or a publish
        failed), not at the idle one (a collection scan on FerretDB)."""
        return self._suspect

    async def sweep_once(self) -> int:
        """Publish every event older than the grace period; returns how many were published."""
        self._suspect = False   # set again below (or by the relay) if this round leaves reason to look
        cutoff = utcnow() - timedelta(seconds=self.settings.outbox_grace_s)
        published = 0
        backlog = 0
        found_full_batch = False
        for collection in self.collections:
            cursor = self.db[collection].find(
                {"outbox_pending": {"$gt": 0}}, {"outbox": 1}, limit=self.settings.outbox_batch
            )
            batch: list[tuple[str, Any, Envelope]] = []
            docs = 0
            async for doc in cursor:
                docs += 1
                for raw in (doc.get("outbox") or {}).values():
                    backlog += 1
                    env = Envelope.model_validate(raw)
                    if env.occurred_at <= cutoff:
                        batch.append((collection, doc["_id"], env))
            found_full_batch |= docs >= self.settings.outbox_batch
            if batch:
                published += await self.publish_batch(batch)
        OUTBOX_BACKLOG.set(backlog - published)
        if published or found_full_batch:
            self._suspect = True    # leftovers were there: there may be more, look again soon
        return published

    async def _sweep_loop(self) -> None:
        idle_since = 0.0
        loop = asyncio.get_running_loop()
        while not self._stopping.is_set():
            try:
                await asyncio.wait_for(self._stopping.wait(), timeout=self.settings.outbox_sweep_interval_s)
            except TimeoutError:
                pass
            if self._stopping.is_set():
                return
            if not self._suspect and loop.time() - idle_since < self.settings.outbox_idle_sweep_interval_s:
                continue
            idle_since = loop.time()
            try:
                count = await self.sweep_once()
                if count:
                    log.info("outbox sweeper republished events", count=count)
            except Exception as exc:  # the database may be restarting; try again next round
                self._suspect = True
                log.warning("outbox sweep failed", error=repr(exc))

    async def stop(self, drain_timeout: float = 5.0) -> None:
        """Publish what the fast path still holds (bounded), then stop both loops."""
        pending: list[tuple[str, Any, Envelope]] = []
        while not self._queue.empty():
            pending.append(self._queue.get_nowait())
        if pending:
            try:
                await asyncio.wait_for(self.publish_batch(pending), timeout=drain_timeout)
            except Exception as exc:  # left in the outbox: the sweeper of any replica takes it
                log.warning("outbox drain incomplete", error=repr(exc))
        self._stopping.set()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
