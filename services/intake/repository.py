"""Intake's database access: the reporter-facing ``reports`` and ``idempotency`` records."""

from __future__ import annotations

from datetime import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from shared.attachments.service import listing
from shared.events import Attachment, CaseTransition, Envelope
from shared.storage.batch import GroupInserter
from shared.storage.mongo import Index, count_in_window, insert_once, pruned_indexes
from shared.storage.outbox import OutboxRelay, OutboxWriter, merge_updates, outbox_insert_fields, outbox_update

if TYPE_CHECKING:
    from shared.runtime import Runtime

REPORTS = "reports"
IDEMPOTENCY = "idempotency"
SMS_INBOUND = "sms_inbound"
SMS_RATE = "sms_rate"
SENDING_LIMITS = "sending_limits"   # reports per client and per contact an hour (services.intake.limits)
# hourly and per-minute counters, cleared two days on (shared.storage.mongo.prune_loop)
COUNTERS_KEPT_S = {SMS_RATE: 2 * 86400, SENDING_LIMITS: 2 * 86400, "integrator_usage": 2 * 86400}

INDEXES = [
    Index(REPORTS, [("reporter.phone_hash", ASCENDING), ("received_at", DESCENDING)]),
    Index(REPORTS, [("day_key", ASCENDING), ("channel", ASCENDING)]),
    Index(REPORTS, [("status", ASCENDING), ("received_at", DESCENDING)]),
    Index(REPORTS, [("source.integrator_id", ASCENDING), ("source.reference", ASCENDING)]),
    # the public and integrators' lists: Open311's date range (and region), an integrator's newest
    Index(REPORTS, [("received_at", DESCENDING)]),
    Index(REPORTS, [("region_code", ASCENDING), ("received_at", DESCENDING)]),
    Index(REPORTS, [("source.integrator_id", ASCENDING), ("received_at", DESCENDING)]),
    *pruned_indexes(COUNTERS_KEPT_S),
]


@dataclass
class IntakeParts:
    """What intake's start-up makes (Runtime.parts): reports accepted at once share one insert."""

    inserter: GroupInserter


def reports_of(runtime: "Runtime") -> "ReportRepository":
    """The reports' repository of this process: its group inserter and its relay."""
    parts = runtime.parts
    return ReportRepository(runtime.db, parts.inserter if isinstance(parts, IntakeParts) else None, runtime.relay)


class ReportRepository(OutboxWriter):
    def __init__(self, db: AsyncDatabase, inserter: GroupInserter | None = None,
                 relay: OutboxRelay | None = None) -> None:
        self.reports = db[REPORTS]
        self.inserter = inserter
        self.relay = relay
        self.idempotency = db[IDEMPOTENCY]
        self.sms_inbound = db[SMS_INBOUND]
        self.sms_rate = db[SMS_RATE]

    async def insert(self, doc: dict[str, Any], events: list[Envelope]) -> None:
        """Stored with its events when this returns; ``DuplicateKeyError`` if the tracking ID exists."""
        doc = {**doc, **outbox_insert_fields(events)}
        if self.inserter is not None:
            await self.inserter.insert(doc)
        else:
            await self.reports.insert_one(doc)
        self.handed_over(REPORTS, doc["_id"], events, True)

    async def get(self, tracking_id: str) -> dict[str, Any] | None:
        return await self.reports.find_one({"_id": tracking_id}, {"outbox": 0, "applied_events": 0})

    async def claim_idempotency_key(self, record: dict[str, Any]) -> dict[str, Any] | None:
        """Store the key's record; if the key was used already, return the earlier record."""
        if await insert_once(self.idempotency, record):
            return None
        return await self.idempotency.find_one({"_id": record["_id"]})

    async def apply_transition(self, step: CaseTransition, event_id: str) -> None:
        """Project one case step: the timeline gets it once; the status only moves forward.

        Guarded single-document updates: events may arrive twice (the timeline guard) or out
        of order (an older case version never overwrites a newer status). The usual case, a new
        step newer than what is shown, is one update; anything else takes the two guarded ones.
        """
        fields: dict[str, Any] = {"status": step.status, "case_version": step.case_version, "updated_at": step.at}
        if step.agency_id:
            fields["agency"] = {"id": step.agency_id, "name": step.agency_name}
        if step.privacy is not None:   # a coordinator's change of privacy, with the version that made it
            fields["privacy"] = step.privacy.model_dump()
        # the reporter-facing entry: the public note only (internal notes never travel to intake)
        entry = {"at": step.at, "action": step.action, "status": step.status, "from_status": step.from_status,
                 "actor_role": step.actor_role, "public_note": step.public_note, "event_id": event_id}
        timeline = {"$push": {"timeline": entry}, "$addToSet": {"applied_events": event_id}}
        both = await self.reports.update_one(
            {"_id": step.tracking_id, "applied_events": {"$ne": event_id}, "case_version": {"$lt": step.case_version}},
            {**timeline, "$set": fields},
        )
        if both.modified_count:
            return
        await self.reports.update_one({"_id": step.tracking_id, "applied_events": {"$ne": event_id}}, timeline)
        await self.reports.update_one(
            {"_id": step.tracking_id, "case_version": {"$lt": step.case_version}}, {"$set": fields}
        )

    async def record_sms(self, gateway_key: str, kind: str, sender_hash: str, at: datetime, tracking_id: str | None,
                         events: list[Envelope]) -> bool:
        """One document per gateway message (no text: only what it asked and of which report),
        with its answer's event: a gateway's retry of it finds it and stops."""
        doc = {"_id": gateway_key, "kind": kind, "sender_hash": sender_hash, "at": at, "tracking_id": tracking_id}
        stored = await insert_once(self.sms_inbound, {**doc, **outbox_insert_fields(events)})
        return self.handed_over(SMS_INBOUND, gateway_key, events, stored)

    async def sms_count(self, sender_hash: str, hour: str) -> int:
        """Count this message against its sender's hour; returns the count so far."""
        return await count_in_window(self.sms_rate, sender_hash, hour)

    async def add_reply(self, tracking_id: str, reply: dict[str, Any], events: list[Any]) -> bool:
        """The reporter's reply joins the report once, with its event, in one update."""
        update = merge_updates({"$push": {"replies": reply, "reply_keys": reply["key"]}, "$set": {"updated_at": reply["at"]}},
                               outbox_update(events))
        r = await self.reports.update_one({"_id": tracking_id, "reply_keys": {"$ne": reply["key"]}}, update)
        return self.handed_over(REPORTS, tracking_id, events, bool(r.modified_count))

    async def of_integrator(self, integrator_id: str, reference: str | None, status: str | None,
                            limit: int, before: datetime | None = None) -> list[dict[str, Any]]:
        """Newest first; ``before``: the ``received_at`` of the last one of the previous page."""
        query: dict[str, Any] = {"source.integrator_id": integrator_id}
        if reference is not None:
            query["source.reference"] = reference
        if status is not None:
            query["status"] = status
        if before is not None:
            query["received_at"] = {"$lt": before}
        cursor = self.reports.find(query, {"outbox": 0, "applied_events": 0}).sort("received_at", -1).limit(limit)
        return await cursor.to_list(length=limit)

    async def search(self, query: dict[str, Any], limit: int, skip: int = 0) -> list[dict[str, Any]]:
        cursor = (self.reports.find(query, {"outbox": 0, "applied_events": 0}).sort([("received_at", -1), ("_id", 1)])
                  .skip(skip).limit(limit))
        return await cursor.to_list(length=limit)

    async def guarded_update(self, tracking_id: str, guard: dict[str, Any], update: dict[str, Any],
                             events: list[Any]) -> bool:
        """One reporter action with its event, only if ``guard`` still holds (one update)."""
        r = await self.reports.update_one({"_id": tracking_id, **guard}, merge_updates(update, outbox_update(events)))
        return self.handed_over(REPORTS, tracking_id, events, bool(r.modified_count))

    async def add_attachments(self, tracking_id: str, added: list[Attachment], events: list[Envelope],
                              max_files: int, max_bytes: int) -> bool:
        """The reporter's side's new files join the report with their events, in one update, only
        while the report is open and within its limits (two uploads at once cannot both pass them)."""
        guard, listed = listing(added, max_files, max_bytes)
        update = merge_updates(listed, outbox_update(events))
        guard["status"] = {"$nin": ["closed", "archived"]}
        r = await self.reports.update_one({"_id": tracking_id, **guard}, update)
        return self.handed_over(REPORTS, tracking_id, events, bool(r.modified_count))

    async def copy_attachment(self, tracking_id: str, attachment: Attachment) -> None:
        """An officer's file (routing stored it): listed once, whatever arrives twice."""
        r = await self.reports.update_one({"_id": tracking_id, f"attachments.{attachment.id}": {"$exists": False}},
                                          {"$set": {f"attachments.{attachment.id}": attachment.model_dump()}})
        if not r.modified_count and not await self.reports.find_one({"_id": tracking_id}, {"_id": 1}):
            raise LookupError(f"report {tracking_id} is not here")

    async def set_attachment_visibility(self, tracking_id: str, attachment_id: str, visibility: str,
                                        at: datetime) -> None:
        """A coordinator's decision; of two, the later one stands, whatever order they arrive in."""
        key = f"attachments.{attachment_id}"
        await self.reports.update_one(
            {"_id": tracking_id, key: {"$exists": True},
             "$or": [{f"{key}.visibility_at": {"$exists": False}}, {f"{key}.visibility_at": {"$lt": at}}]},
            {"$set": {f"{key}.visibility": visibility, f"{key}.visibility_at": at}})
        doc = await self.reports.find_one({"_id": tracking_id, key: {"$exists": True}}, {"_id": 1})
        if doc is None:   # the file's own event is not here yet: try again later
            raise LookupError(f"attachment {attachment_id} of {tracking_id} is not here yet")
