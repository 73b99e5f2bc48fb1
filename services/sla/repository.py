"""SLA's database access: ``deadlines``, one document per report and stage."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

from shared.storage.mongo import Index, insert_once

DEADLINES = "deadlines"
INDEXES = [
    Index(DEADLINES, [("status", ASCENDING), ("due_at", ASCENDING)]),
    Index(DEADLINES, [("tracking_id", ASCENDING)]),
]


class DeadlineRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.deadlines = db[DEADLINES]

    async def open(self, doc: dict[str, Any]) -> None:
        """Open a stage's clock once; a redelivered event leaves the first one untouched."""
        await insert_once(self.deadlines, doc)

    async def close(self, tracking_id: str, stage: str, at: datetime) -> bool | None:
        """Stop an open clock; returns whether the stage was met in time (None: nothing open)."""
        doc = await self.deadlines.find_one({"_id": f"{tracking_id}:{stage}", "status": "open"})
        if doc is None:
            return None
        on_time = at <= doc["due_at"]
        result = await self.deadlines.update_one(
            {"_id": doc["_id"], "status": "open"},
            {"$set": {"status": "met", "met_at": at, "on_time": on_time}},
        )
        return on_time if result.modified_count else None

    async def count_overdue(self, now: datetime) -> dict[str, int]:
        pipeline = [{"$match": {"status": "open", "due_at": {"$lt": now}}}, {"$group": {"_id": "$stage", "n": {"$sum": 1}}}]
        return {row["_id"]: row["n"] async for row in await self.deadlines.aggregate(pipeline)}

    async def for_report(self, tracking_id: str) -> list[dict[str, Any]]:
        return await self.deadlines.find({"tracking_id": tracking_id}).sort("due_at", 1).to_list(length=50)

    async def overdue(self, now: datetime, limit: int) -> list[dict[str, Any]]:
        cursor = self.deadlines.find({"status": "open", "due_at": {"$lt": now}}).sort("due_at", 1).limit(limit)
        return await cursor.to_list(length=limit)
