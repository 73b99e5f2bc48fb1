"""SLA's database access.

- ``deadlines``: one document per report and stage, the truth about a clock: due time, the
  next ladder step and when it is due (``next_step``/``next_at``), steps done.
- ``sla_due``: the timer index. A bucket per minute and shard (``_id`` = ``YYYYMMDDHHMM:s``)
  lists the deadlines with a step due in that minute. Workers read buckets by ``_id``, so
  finding what is due costs the minutes elapsed plus the items due, never a scan of the open
  deadlines (MongoDB would serve an index on ``next_at``; FerretDB's SQLite backend only
  pushes ``_id`` equality down, and a bucket lookup is the portable equivalent). A bucket
  entry is a hint: the deadline document decides whether a step is really due.
- ``sla_state``: the due cursor, the oldest minute whose buckets may still hold work.
- ``sla_steps``: one document per escalation step (``_id`` = deadline and step) carrying its
  event in the outbox; its unique ``_id`` is what makes each escalation happen once.
- ``sla_reports``: per-report facts for the compliance figures, precomputed at write time.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.events import Envelope, EPOCH
from shared.storage.mongo import Index, insert_once
from shared.storage.outbox import OutboxRelay, OutboxWriter, merge_updates, outbox_insert_fields, outbox_update

DEADLINES = "deadlines"
DUE = "sla_due"
STATE = "sla_state"
STEPS = "sla_steps"
REPORTS = "sla_reports"
CURSOR_ID = "due-cursor"
INDEXES = [
    Index(DEADLINES, [("tracking_id", ASCENDING)]),
    Index(DEADLINES, [("status", ASCENDING), ("due_at", ASCENDING)]),
    Index(STEPS, [("tracking_id", ASCENDING)]),
    Index(REPORTS, [("month_key", ASCENDING), ("agency_id", ASCENDING)]),
    Index(REPORTS, [("month_key", ASCENDING), ("region_code", ASCENDING)]),
]


def minute_key(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%d%H%M")


def minute_of(key: str) -> datetime:
    return datetime.strptime(key, "%Y%m%d%H%M").replace(tzinfo=UTC)


def bucket_id(minute: str, deadline_id: str, shards: int) -> str:
    return f"{minute}:{zlib.crc32(deadline_id.encode()) % shards}"


class DeadlineRepository(OutboxWriter):
    def __init__(self, db: AsyncDatabase, shards: int = 4, relay: OutboxRelay | None = None,
                 leave_to_sweeper: bool = False) -> None:
        self.relay, self.leave_to_sweeper = relay, leave_to_sweeper
        self.deadlines = db[DEADLINES]
        self.due = db[DUE]
        self.state = db[STATE]
        self.steps = db[STEPS]
        self.reports = db[REPORTS]
        self.shards = shards

    # ------------------------------------------------------------------ clocks

    async def open(self, doc: dict[str, Any]) -> bool:
        """Open a stage's clock once; a redelivered event leaves the first one untouched.

        A tombstone (a close that overtook its open) gives way to a clock started after it.
        """
        if await insert_once(self.deadlines, doc):
            return True
        r = await self.deadlines.replace_one(
            {"_id": doc["_id"], "tombstone": True, "met_at": {"$lt": doc["started_at"]}}, doc)
        return bool(r.modified_count)

    async def get(self, deadline_id: str) -> dict[str, Any] | None:
        return await self.deadlines.find_one({"_id": deadline_id})

    async def close(self, tracking_id: str, stage: str, at: datetime) -> bool | None:
        """Stop a running or paused clock; returns whether the stage was met in time.

        None: nothing was running. A close that arrives before its open (events of one report
        can overtake each other on retry) leaves a closed record, so the late open is a no-op.
        """
        deadline_id = f"{tracking_id}:{stage}"
        for _ in range(3):
            doc = await self.deadlines.find_one({"_id": deadline_id})
            if doc is None:
                if await insert_once(self.deadlines, {"_id": deadline_id, "tracking_id": tracking_id, "stage": stage,
                                                      "status": "met", "met_at": at, "on_time": None, "next_at": None,
                                                      "tombstone": True}):
                    return None
                continue  # the open won the race after all: close what it opened
            if doc["status"] not in ("open", "paused") or doc["started_at"] > at:
                return None  # stopped already, or a step from before this clock started (events overtook)
            on_time = at <= doc["due_at"]
            result = await self.deadlines.update_one(
                {"_id": deadline_id, "status": doc["status"]},
                {"$set": {"status": "met", "met_at": at, "on_time": on_time, "next_step": None, "next_at": None}},
            )
            if result.modified_count:
                return on_time
        return None

    async def pause(self, tracking_id: str, at: datetime) -> list[str]:
        paused = []
        for doc in await self.for_report(tracking_id):
            if doc["status"] == "open" and doc["started_at"] <= at:
                r = await self.deadlines.update_one({"_id": doc["_id"], "status": "open"},
                                                    {"$set": {"status": "paused", "paused_at": at, "next_at": None}})
                if r.modified_count:
                    paused.append(doc["_id"])
        return paused

    async def resume(self, deadline_id: str, paused_at: datetime, fields: dict[str, Any]) -> bool:
        r = await self.deadlines.update_one({"_id": deadline_id, "status": "paused", "paused_at": paused_at},
                                            {"$set": {"status": "open", **fields}, "$unset": {"paused_at": ""}})
        return bool(r.modified_count)

    async def reclass(self, deadline_id: str, status: str, report_class: str | None, fields: dict[str, Any]) -> bool:
        """A clock re-timed for a new report class; guarded by the status and class it was read in."""
        r = await self.deadlines.update_one({"_id": deadline_id, "status": status, "report_class": report_class},
                                            {"$set": fields})
        return bool(r.modified_count)

    async def advance(self, deadline_id: str, done: str, next_step: str | None, next_at: datetime | None,
                      record: dict[str, Any]) -> bool:
        """Mark a step done and point at the next one; guarded, so it happens once."""
        r = await self.deadlines.update_one(
            {"_id": deadline_id, "status": "open", "next_step": done},
            {"$set": {"next_step": next_step, "next_at": next_at}, "$push": {"steps": record}},
        )
        return bool(r.modified_count)

    async def for_report(self, tracking_id: str) -> list[dict[str, Any]]:
        return await self.deadlines.find({"tracking_id": tracking_id}).sort("due_at", 1).to_list(length=50)

    async def count_overdue(self, now: datetime) -> dict[str, int]:
        pipeline = [{"$match": {"status": "open", "due_at": {"$lt": now}}}, {"$group": {"_id": "$stage", "n": {"$sum": 1}}}]
        return {row["_id"]: row["n"] async for row in await self.deadlines.aggregate(pipeline)}

    async def overdue(self, now: datetime, limit: int, agencies: list[str] | None = None) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"status": "open", "due_at": {"$lt": now}}
        if agencies is not None:
            query["agency_id"] = {"$in": agencies}
        cursor = self.deadlines.find(query).sort("due_at", 1).limit(limit)
        return await cursor.to_list(length=limit)

    # ------------------------------------------------------------------ timer index

    async def schedule(self, deadline_id: str, at: datetime, now: datetime) -> None:
        """Put a pointer in the bucket of ``at``'s minute (or this minute, if ``at`` is past).

        Never behind now: the cursor only passes minutes older than now minus a margin, so a
        pointer written now is always ahead of it.
        """
        minute = minute_key(max(at, now))
        bid = bucket_id(minute, deadline_id, self.shards)
        for _ in range(3):  # two first writers of one bucket: one upsert loses the insert race
            try:
                await self.due.update_one(
                    {"_id": bid},
                    {"$addToSet": {"items": deadline_id}, "$inc": {"v": 1},
                     "$setOnInsert": {"minute": minute, "lease_until": EPOCH, "lease_owner": None}},
                    upsert=True,
                )
                return
            except DuplicateKeyError:
                continue
        raise RuntimeError(f"could not schedule {deadline_id} in {bid}")

    async def cursor(self, start: datetime) -> str:
        doc = await self.state.find_one({"_id": CURSOR_ID})
        if doc is None:
            await insert_once(self.state, {"_id": CURSOR_ID, "minute": minute_key(start)})
            doc = await self.state.find_one({"_id": CURSOR_ID})
        assert doc is not None
        return str(doc["minute"])

    async def move_cursor(self, seen: str, to: str) -> bool:
        r = await self.state.update_one({"_id": CURSOR_ID, "minute": seen}, {"$set": {"minute": to}})
        return bool(r.modified_count)

    def bucket_ids(self, minute: str) -> list[str]:
        return [f"{minute}:{s}" for s in range(self.shards)]

    async def bucket(self, bid: str) -> dict[str, Any] | None:
        return await self.due.find_one({"_id": bid})

    async def lease_bucket(self, bid: str, owner: str, now: datetime, lease_s: float) -> dict[str, Any] | None:
        """Claim a bucket for ``lease_s``; None when it is gone or another worker holds it."""
        return await self.due.find_one_and_update(
            {"_id": bid, "lease_until": {"$lte": now}},
            {"$set": {"lease_until": now + timedelta(seconds=lease_s), "lease_owner": owner}},
            return_document=True,
        )

    async def lease_bucket_renew(self, bid: str, owner: str, now: datetime, lease_s: float) -> bool:
        r = await self.due.update_one({"_id": bid, "lease_owner": owner},
                                      {"$set": {"lease_until": now + timedelta(seconds=lease_s)}})
        return bool(r.modified_count)

    async def finish_bucket(self, bucket: dict[str, Any], owner: str, drained: bool) -> bool:
        """Delete a drained bucket unless a pointer was added meanwhile; else release it."""
        if drained:
            r = await self.due.delete_one({"_id": bucket["_id"], "v": bucket["v"], "lease_owner": owner})
            if r.deleted_count:
                return True
        await self.due.update_one({"_id": bucket["_id"], "lease_owner": owner}, {"$set": {"lease_until": EPOCH}})
        return False

    # ------------------------------------------------------------------ escalation steps

    async def record_step(self, doc: dict[str, Any], events: list[Envelope]) -> bool:
        """The step's document with its event; False when this step was taken already."""
        stored = await insert_once(self.steps, {**doc, **outbox_insert_fields(events)})
        return self.handed_over(STEPS, doc["_id"], events, stored)

    async def steps_of(self, tracking_id: str) -> list[dict[str, Any]]:
        return await self.steps.find({"tracking_id": tracking_id}, {"outbox": 0}).to_list(length=100)

    # ------------------------------------------------------------------ compliance facts

    async def set_facts(self, tracking_id: str, fields: dict[str, Any], first: dict[str, Any] | None = None) -> None:
        """Idempotent: ``$set`` of the same values, plus fields only their first writer sets.

        When this call creates the document the first-writer fields go with it (one write);
        otherwise each is set by an update guarded on its still being empty."""
        first = {k: v for k, v in (first or {}).items() if k not in fields}
        update: dict[str, Any] = {"$set": {"tracking_id": tracking_id, **fields}}
        if first:
            update["$setOnInsert"] = first
        result = await self.reports.update_one({"_id": tracking_id}, update, upsert=True)
        if result.upserted_id is not None:
            return
        for key, value in first.items():
            await self.reports.update_one({"_id": tracking_id, key: None}, {"$set": {key: value}})

    async def set_urgency(self, tracking_id: str, urgent: bool, report_class: str, at: datetime) -> bool | None:
        """The report's urgency as of ``at``: an older change never overwrites a newer one.
        True for this change and for its redelivery (which then finishes re-timing the clocks).
        None when the report's facts are not there yet (its report.received comes first)."""
        r = await self.reports.update_one(
            {"_id": tracking_id, "received_at": {"$ne": None},
             "$or": [{"urgent_at": {"$lte": at}}, {"urgent_at": {"$exists": False}}]},
            {"$set": {"urgent": urgent, "report_class": report_class, "urgent_at": at}})
        if r.matched_count:         # this change, or its redelivery (which then finishes its clocks)
            return True
        return False if await self.reports.find_one({"_id": tracking_id, "received_at": {"$ne": None}}, {"_id": 1}) \
            else None

    async def facts(self, tracking_id: str) -> dict[str, Any] | None:
        return await self.reports.find_one({"_id": tracking_id}, {"outbox": 0})

    async def reports_with_running_clocks(self) -> list[str]:
        """Reports with an open or paused clock (the operator's backfill walks them)."""
        pipeline = [{"$match": {"status": {"$in": ["open", "paused"]}}}, {"$group": {"_id": "$tracking_id"}}]
        return sorted([row["_id"] async for row in await self.deadlines.aggregate(pipeline)])

    async def set_current_due(self, tracking_id: str, current: dict[str, Any], events: list[Envelope]) -> bool:
        """The report's current staff deadline on its facts, with the event that tells routing,
        in one update; nothing is written (and nothing sent) when it did not change."""
        update = merge_updates({"$set": {"current_due": current}}, outbox_update(events))
        result = await self.reports.update_one({"_id": tracking_id, "current_due": {"$ne": current}}, update)
        return self.handed_over(REPORTS, tracking_id, events, bool(result.modified_count))

