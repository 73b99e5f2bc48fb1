"""Routing's database access: the ``cases`` collection (one case file per report)."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from shared.storage.mongo import Index, insert_once
from shared.storage.outbox import merge_updates, outbox_update

CASES = "cases"
INDEXES = [
    Index(CASES, [("agency_id", ASCENDING), ("status", ASCENDING), ("received_at", DESCENDING)]),
    Index(CASES, [("status", ASCENDING), ("received_at", DESCENDING)]),
]


class CaseRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.cases = db[CASES]

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
