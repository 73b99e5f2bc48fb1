"""Intake's database access: the reporter-facing ``reports`` and ``idempotency`` records."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from shared.events import CaseTransition
from shared.storage.mongo import Index, insert_once

REPORTS = "reports"
IDEMPOTENCY = "idempotency"

INDEXES = [
    Index(REPORTS, [("reporter.phone_hash", ASCENDING), ("received_at", DESCENDING)]),
    Index(REPORTS, [("day_key", ASCENDING), ("channel", ASCENDING)]),
    Index(REPORTS, [("status", ASCENDING), ("received_at", DESCENDING)]),
]


class ReportRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.reports = db[REPORTS]
        self.idempotency = db[IDEMPOTENCY]

    async def insert(self, doc: dict[str, Any]) -> None:
        await self.reports.insert_one(doc)

    async def get(self, tracking_id: str) -> dict[str, Any] | None:
        return await self.reports.find_one({"_id": tracking_id}, {"outbox": 0, "applied_events": 0})

    async def claim_idempotency_key(self, record: dict[str, Any]) -> dict[str, Any] | None:
        """Store the key's record; if the key was used already, return the earlier record."""
        if await insert_once(self.idempotency, record):
            return None
        return await self.idempotency.find_one({"_id": record["_id"]})

    async def apply_transition(self, step: CaseTransition, event_id: str, entry: dict[str, Any]) -> None:
        """Project one case step: the timeline gets it once; the status only moves forward.

        Two guarded single-document updates: events may arrive twice (the first guard) or out
        of order (the second: an older case version never overwrites a newer status).
        """
        await self.reports.update_one(
            {"_id": step.tracking_id, "applied_events": {"$ne": event_id}},
            {"$push": {"timeline": entry}, "$addToSet": {"applied_events": event_id}},
        )
        fields: dict[str, Any] = {"status": step.status, "case_version": step.case_version, "updated_at": step.at}
        if step.agency_id:
            fields["agency"] = {"id": step.agency_id, "name": step.agency_name}
        await self.reports.update_one(
            {"_id": step.tracking_id, "case_version": {"$lt": step.case_version}}, {"$set": fields}
        )
