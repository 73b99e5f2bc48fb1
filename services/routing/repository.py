"""Routing's database access: the ``cases`` collection (one case file per report)."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from services.routing.classifier import Example
from shared.attachments.service import listing
from shared.events import EPOCH, Attachment, Envelope, ReportReceived
from shared.statuses import Status
from shared.storage.mongo import Index, count, insert_once
from shared.storage.outbox import OutboxRelay, OutboxWriter, merge_updates, outbox_insert_fields, outbox_update

if TYPE_CHECKING:
    from shared.runtime import Runtime

CASES = "cases"
TRAINING = "routing_training"
RECENT = "case_recent"   # duplicate candidates: one rolling document per agency (or region), read by _id
RECENT_KEEP = 100        # cases kept per scope (and compared with each new one); trimmed at twice that
# cases with no running deadline sort after every dated one
NO_DUE_SORT = datetime(9999, 12, 31, tzinfo=UTC)
NO_DEADLINE = {"due_at": None, "due_stage": None, "due_sort": NO_DUE_SORT, "due_seq": EPOCH}
URGENCY_ORDER = [("urgent", DESCENDING), ("due_sort", ASCENDING), ("_id", ASCENDING)]
# a list's and its indexes' one spelling of newest first, so the two cannot drift apart
NEWEST_ORDER = [("received_at", DESCENDING), ("_id", DESCENDING)]
INDEXES = [
    Index(CASES, [("agency_id", ASCENDING), *URGENCY_ORDER]),
    Index(CASES, [("coordinator_id", ASCENDING), *URGENCY_ORDER]),
    Index(CASES, [("coordinator_id", ASCENDING), ("status", ASCENDING), ("received_at", DESCENDING)]),
    Index(CASES, [("region_code", ASCENDING), ("status", ASCENDING), ("received_at", DESCENDING)]),
    Index(CASES, [("agency_id", ASCENDING), ("status", ASCENDING), ("received_at", DESCENDING)]),
    Index(CASES, [("status", ASCENDING), ("received_at", DESCENDING)]),
    # the newest first without a status: a unit's and a desk's list in arrival order
    Index(CASES, [("agency_id", ASCENDING), *NEWEST_ORDER]),
    Index(CASES, [("coordinator_id", ASCENDING), *NEWEST_ORDER]),
    # oversight sees every case: the national list in either order, and its narrowing filters
    # (each also what makes FerretDB push the field's conditions down, see scripts/ferretdb-v1-sqlite.patch)
    Index(CASES, NEWEST_ORDER),
    Index(CASES, URGENCY_ORDER),
    Index(CASES, [("category", ASCENDING), *NEWEST_ORDER]),
    Index(CASES, [("channel", ASCENDING), *NEWEST_ORDER]),
    Index(CASES, [("overdue", ASCENDING), *NEWEST_ORDER]),
]


def text_filter(q: str) -> dict[str, Any]:
    """Free text in the title or body (any case), or the tracking ID itself."""
    pattern = {"$regex": re.escape(q), "$options": "i"}
    return {"$or": [{"title": pattern}, {"body": pattern}, {"_id": q.strip().upper()}]}


def new_case(report: ReportReceived, *, category: str | None, agency_id: str | None, coordinator_id: str | None,
             route: dict[str, Any], duplicate: dict[str, Any] | None, triage: dict[str, Any], at: datetime) -> dict[str, Any]:
    """A new case file: the one shape of it. Routed to an agency (``agency_id``) it starts
    assigned at version 1, with the routing rule in its timeline; otherwise it waits, received,
    for its coordinator."""
    timeline: list[dict[str, Any]] = [{"at": report.received_at, "action": "submitted", "status": "received",
                                       "from_status": None, "actor": "reporter", "actor_role": "reporter"}]
    if agency_id is not None:
        timeline.append({"at": at, "action": "assigned", "status": "assigned", "from_status": "received",
                         "actor": "routing:auto", "actor_role": "system", "rule": route["rule"], "agency_id": agency_id})
    return {
        "_id": report.tracking_id,
        "status": "assigned" if agency_id else "received",
        "version": 1 if agency_id else 0,
        "type": report.type,
        "title": report.title,
        "body": report.body,
        "category": category,
        "region_code": report.region_code,
        "channel": report.channel,
        "privacy": {"anonymous": report.anonymous, "confidential": report.confidential},
        "agency_id": agency_id,
        "coordinator_id": coordinator_id,
        "forward_chain": [agency_id] if agency_id else [],
        "route": route,
        "duplicate_candidate": duplicate,
        "merged_into": None,
        "overdue": False,
        # the inbox order: urgent first, then the least time left (SLA tells the deadline)
        "urgent": bool(triage["urgent"]),
        "triage": triage,           # why it is (or is not) urgent: services.routing.triage
        **NO_DEADLINE,
        "received_at": report.received_at,
        "updated_at": at,
        "timeline": timeline,
        # metadata of the files sent with the report (intake stored the bytes)
        "attachments": {a.id: a.model_dump() for a in report.attachments},
    }


def cases_of(runtime: "Runtime") -> "CaseRepository":
    """The cases' repository of this process, with its relay."""
    return CaseRepository(runtime.db, runtime.relay)


class CaseRepository(OutboxWriter):
    def __init__(self, db: AsyncDatabase, relay: OutboxRelay | None = None) -> None:
        self.relay = relay
        self.cases = db[CASES]
        self.training = db[TRAINING]
        self.recent_cases = db[RECENT]

    async def exists(self, tracking_id: str) -> bool:
        return await self.cases.find_one({"_id": tracking_id}, {"_id": 1}) is not None

    async def create(self, doc: dict[str, Any], events: list[Envelope]) -> bool:
        """Open a case file once, with its events; False when it was opened already (a
        redelivered event)."""
        stored = await insert_once(self.cases, {**doc, **outbox_insert_fields(events)})
        return self.handed_over(CASES, doc["_id"], events, stored)

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
        return self.handed_over(CASES, tracking_id, events, bool(result.modified_count))

    async def inbox(self, scope: dict[str, Any], filters: dict[str, Any], after: tuple[Any, ...] | None,
                    limit: int, order: str = "received") -> list[dict[str, Any]]:
        """``limit`` at a time, newest first (``received``) or urgent first then least time left
        (``urgency``); ``after`` is the sort key of the last case seen."""
        parts: list[dict[str, Any]] = [scope, filters]
        if order == "urgency":
            sort = URGENCY_ORDER
            if after is not None:
                urgent, due, tid = after
                parts.append({"$or": [{"urgent": {"$lt": urgent}}, {"urgent": urgent, "due_sort": {"$gt": due}},
                                      {"urgent": urgent, "due_sort": due, "_id": {"$gt": tid}}]})
        else:
            sort = NEWEST_ORDER
            if after is not None:
                at, tid = after
                parts.append({"$or": [{"received_at": {"$lt": at}}, {"received_at": at, "_id": {"$lt": tid}}]})
        query = {"$and": [p for p in parts if p]} if any(parts) else {}
        cursor = self.cases.find(query, {"outbox": 0}).sort(sort).limit(limit)
        return await cursor.to_list(length=limit)

    async def counts(self, scope: dict[str, Any], filters: dict[str, Any]) -> dict[str, int]:
        """Cases per status under the same scope and filters (the inbox's tabs)."""
        # one count per status, each on an index (scope, status), rather than a grouping of them all
        parts = [p for p in (scope, filters) if p]
        found = await asyncio.gather(*(count(self.cases, {"$and": [*parts, {"status": str(status)}]}) for status in Status))
        return {str(status): n for status, n in zip(Status, found) if n}

    async def set_deadline(self, tracking_id: str, stage: str | None, due_at: datetime | None, seq: datetime) -> bool:
        """The case's current deadline as SLA last told it; an older change never overwrites a newer."""
        # cases opened before deadlines were kept have no due_seq: any change is newer
        r = await self.cases.update_one({"_id": tracking_id, "$or": [{"due_seq": {"$lt": seq}},
                                                                      {"due_seq": {"$exists": False}}]},
                                        {"$set": {"due_at": due_at, "due_stage": stage, "due_seq": seq,
                                                  "due_sort": due_at or NO_DUE_SORT}})
        return bool(r.modified_count)

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

    async def learn(self, tracking_id: str, text: str, category: str | None = None, urgent: bool | None = None) -> None:
        """A coordinator's decision (a category, an urgency), kept as a training example: the
        last decision of each kind per report."""
        decided = {k: v for k, v in (("category", category), ("urgent", urgent)) if v is not None}
        await self.training.update_one({"_id": tracking_id}, {"$set": {"text": text, **decided}}, upsert=True)

    async def decisions(self) -> list[Example]:
        return [Example(d["text"], d.get("category"), d.get("urgent")) async for d in self.training.find({}).sort("_id", 1)]

    async def add_attachments(self, tracking_id: str, added: list[Attachment], events: list[Envelope],
                              statuses: list[str], max_files: int, max_bytes: int) -> bool:
        """The agency's files join the case with their events in one update, while the case is in
        one of ``statuses`` and the agency's side within its limits."""
        guard, listed = listing(added, max_files, max_bytes)
        update = merge_updates(listed, outbox_update(events))
        guard["status"] = {"$in": statuses}
        r = await self.cases.update_one({"_id": tracking_id, **guard}, update)
        return self.handed_over(CASES, tracking_id, events, bool(r.modified_count))

    async def copy_attachment(self, tracking_id: str, attachment: Attachment) -> None:
        """A reporter's or integrator's later file (intake stored it): listed once."""
        r = await self.cases.update_one({"_id": tracking_id, f"attachments.{attachment.id}": {"$exists": False}},
                                        {"$set": {f"attachments.{attachment.id}": attachment.model_dump()}})
        if not r.modified_count and not await self.exists(tracking_id):
            raise LookupError(f"case {tracking_id} not opened yet")   # its report.received comes first: retry

    async def set_attachment_visibility(self, tracking_id: str, attachment_id: str, visibility: str, at: datetime,
                                        by: str, events: list[Envelope]) -> bool:
        key = f"attachments.{attachment_id}"
        update = merge_updates({"$set": {f"{key}.visibility": visibility, f"{key}.visibility_at": at,
                                         f"{key}.visibility_by": by}}, outbox_update(events))
        r = await self.cases.update_one({"_id": tracking_id, f"{key}.kind": "image"}, update)
        return self.handed_over(CASES, tracking_id, events, bool(r.modified_count))
