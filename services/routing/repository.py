"""Routing's database access: the ``cases`` collection (one case file per report)."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from shared.storage.mongo import Index, insert_once
from shared.storage.outbox import merge_updates, outbox_update

CASES = "cases"
TRAINING = "routing_training"
RECENT = "case_recent"   # duplicate candidates: one rolling document per agency (or region), read by _id
RECENT_KEEP = 100        # cases kept per scope (and compared with each new one); trimmed at twice that
INDEXES = [
    Index(CASES, [("coordinator_id", ASCENDING), ("status", ASCENDING), ("received_at", DESCENDING)]),
    Index(CASES, [("region_code", ASCENDING), ("status", ASCENDING), ("received_at", DESCENDING)]),
    Index(CASES, [("agency_id", ASCENDING), ("status", ASCENDING), ("received_at", DESCENDING)]),
    Index(CASES, [("status", ASCENDING), ("received_at", DESCENDING)]),
]


class CaseRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.cases = db[CASES]
        self.training = db[TRAINING]
        self.recent_cases = db[RECENT]

    async def exists(self, tracking_id: str) -> bool:
        return await self.cases.find_one({"_id": tracking_id}, {"_id": 1}) is not None

    async def create(self, doc: dict[str, Any]) -> bool:
        """Open a case file once; False when it was opened already (a redelivered event)."""
        return await insert_once(self.cases, doc)

    async def get(self, tracking_id: str) -> dict[str, Any] | None:
        return await self.cases.find_one({"_id": tracking_id}, {"outbox": 0})

    async def step(self, tracking_id: str, from_status: str, version: int, fields: dict[str, Any],
                   timeline_entry: dict[str, Any], events: list[Any]) -> bool:
        """One case step, guarded by status and version: of two conflicting steps one wins.

        The timeline entry and the step's events are written in the same single-document update.
        """
        update = merge_updates(
            {"$set": {**fields, "version": version + 1}, "$push": {"timeline": timeline_entry}},
            outbox_update(events),
        )
        result = await self.cases.update_one({"_id": tracking_id, "status": from_status, "version": version}, update)
        return bool(result.modified_count)

    async def inbox(self, scope: dict[str, Any], filters: dict[str, Any], after: tuple[Any, str] | None,
                    limit: int) -> list[dict[str, Any]]:
        """Newest first, ``limit`` at a time; ``after`` is the last (received_at, id) seen."""
        query: dict[str, Any] = {**scope, **filters}
        if after is not None:
            at, tid = after
            query["$or"] = [{"received_at": {"$lt": at}}, {"received_at": at, "_id": {"$lt": tid}}]
        cursor = self.cases.find(query, {"outbox": 0}).sort([("received_at", -1), ("_id", -1)]).limit(limit)
        return await cursor.to_list(length=limit)

    async def recent(self, scope: str, since_day: str) -> tuple[list[dict[str, Any]], int]:
        """The latest cases noted under ``scope`` since ``since_day`` (newest first), and the
        document's counter: one read by ``_id``, on any database."""
        doc = await self.recent_cases.find_one({"_id": scope}) or {}
        items = [i for i in doc.get("items", []) if i.get("day", "") >= since_day]
        return list(reversed(items))[:RECENT_KEEP], int(doc.get("n", 0))

    async def remember_recent(self, scope: str, item: dict[str, Any], seen_n: int) -> None:
        """Note a new case under its scope. ``$slice`` is not in the portable subset (FerretDB v1
        ignores it), so the list is cut back to the newest ``RECENT_KEEP`` by a guarded ``$set``
        once it holds twice that; the guard (the counter read before) loses no concurrent add."""
        await self.recent_cases.update_one({"_id": scope}, {"$addToSet": {"items": item}, "$inc": {"n": 1}}, upsert=True)
        if seen_n + 1 >= 2 * RECENT_KEEP:
            doc = await self.recent_cases.find_one({"_id": scope}) or {}
            items = doc.get("items", [])[-RECENT_KEEP:]
            await self.recent_cases.update_one({"_id": scope, "n": doc.get("n")}, {"$set": {"items": items, "n": len(items)}})

    async def set_fields(self, tracking_id: str, fields: dict[str, Any], guard: dict[str, Any] | None = None) -> bool:
        r = await self.cases.update_one({"_id": tracking_id, **(guard or {})}, {"$set": fields})
        return bool(r.modified_count)

    async def add_child(self, parent: str, child: str) -> None:
        await self.cases.update_one({"_id": parent}, {"$addToSet": {"children": child}})

    async def learn(self, tracking_id: str, text: str, category: str) -> None:
        """A coordinator's decision, kept as a training example (the last decision per report)."""
        await self.training.replace_one({"_id": tracking_id}, {"_id": tracking_id, "text": text, "category": category},
                                        upsert=True)

    async def decisions(self) -> list[tuple[str, str]]:
        return [(d["text"], d["category"]) async for d in self.training.find({})]
