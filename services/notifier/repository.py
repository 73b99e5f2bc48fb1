"""Notifier's database access.

- ``notifications``: one per event x kind x channel x recipient; the delivery log.
  A notification not yet in a final state carries its own retry pointer: ``retry_at`` (when
  its next attempt is due) and ``retry_key`` (whose sends it counts against), written with
  it and removed with the write that makes it final; the retry worker's query is a range on
  the ``retry_at`` index. (``notification_retry``, a pointer collection kept apart while
  FerretDB could not use that index, is read once at start and emptied: ``adopt_pointers``.)
- ``contacts``: how to reach a report's reporter (encrypted) and which integrator sent it.
- ``webhook_subscriptions``: per integrator, the events, URL and (encrypted) secret.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from shared.events import EPOCH, utcnow
from shared.storage.mongo import Index, insert_once

NOTIFICATIONS = "notifications"
RETRY = "notification_retry"
CONTACTS = "contacts"
SUBSCRIPTIONS = "webhook_subscriptions"
NO_POINTER = {"retry_at": "", "retry_key": ""}
INDEXES = [
    Index(NOTIFICATIONS, [("tracking_id", ASCENDING), ("created_at", ASCENDING)]),
    Index(NOTIFICATIONS, [("status", ASCENDING), ("created_at", ASCENDING)]),
    Index(NOTIFICATIONS, [("recipient_hash", ASCENDING), ("created_at", ASCENDING)]),
    Index(NOTIFICATIONS, [("retry_at", ASCENDING)]),
    Index(SUBSCRIPTIONS, [("integrator_id", ASCENDING)]),
]


class NotificationRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.notifications = db[NOTIFICATIONS]
        self.contacts = db[CONTACTS]
        self.subscriptions = db[SUBSCRIPTIONS]

    async def remember_contacts(self, tracking_id: str, language: str, reply_to: list[dict[str, Any]],
                                integrator_id: str | None = None) -> None:
        # known already after a redelivered report.received: the first copy stays
        await insert_once(self.contacts, {"_id": tracking_id, "language": language, "reply_to": reply_to,
                                          "integrator_id": integrator_id, "at": utcnow()})

    async def contacts_for(self, tracking_id: str) -> dict[str, Any] | None:
        return await self.contacts.find_one({"_id": tracking_id})

    async def record(self, doc: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Insert a queued notification; if its identity exists already, return that one.
        The flag says whether this call created it (and so holds whatever lease it carries)."""
        if await insert_once(self.notifications, doc):
            return doc, True
        existing = await self.notifications.find_one({"_id": doc["_id"]})
        assert existing is not None
        return existing, False

    async def claim(self, notification_id: str, lease_s: float) -> dict[str, Any] | None:
        """Take the right to send: only a queued notification whose lease is free or expired."""
        now = utcnow()
        return await self.notifications.find_one_and_update(
            {"_id": notification_id, "status": "queued", "lease_until": {"$lt": now}},
            {"$set": {"lease_until": now + timedelta(seconds=lease_s)}, "$inc": {"attempts": 1}},
            return_document=ReturnDocument.AFTER,
        )

    async def get(self, notification_id: str) -> dict[str, Any] | None:
        return await self.notifications.find_one({"_id": notification_id})

    async def mark(self, notification_id: str, status: str, answer: str, at: datetime) -> None:
        """A final answer of the far side (``sent``): the retry pointer leaves in the same write."""
        fields: dict[str, Any] = {"status": status, "provider_answer": answer, "updated_at": at}
        if status == "sent":
            fields["sent_at"] = at
        await self.notifications.update_one({"_id": notification_id}, {"$set": fields, "$unset": NO_POINTER})

    async def release(self, notification_id: str, error: str, next_at: datetime, first_failure_at: datetime,
                      key: str) -> None:
        """A failed attempt: free the lease and point at the next one, in one write."""
        await self.notifications.update_one(
            {"_id": notification_id, "status": "queued"},
            {"$set": {"lease_until": EPOCH, "last_error": error, "next_attempt_at": next_at,
                      "first_failure_at": first_failure_at, "retry_at": next_at, "retry_key": key}},
        )

    async def fail(self, notification_id: str, error: str, at: datetime) -> None:
        await self.notifications.update_one(
            {"_id": notification_id, "status": "queued"},
            {"$set": {"status": "failed", "lease_until": EPOCH, "last_error": error, "failed_at": at},
             "$unset": NO_POINTER},
        )

    async def held_for(self, recipient_hash: str) -> list[dict[str, Any]]:
        cursor = self.notifications.find({"recipient_hash": recipient_hash, "status": "held"}, {"_id": 1, "channel": 1})
        return await cursor.to_list(length=1000)

    async def unhold(self, notification_id: str) -> bool:
        r = await self.notifications.update_one({"_id": notification_id, "status": "held"},
                                                {"$set": {"status": "queued", "released_at": utcnow()}})
        return bool(r.modified_count)

    async def delivery_report(self, notification_id: str, delivered: bool, answer: str, at: datetime) -> bool:
        """The gateway's delivery report: sent -> delivered or failed, once."""
        status = "delivered" if delivered else "failed"
        r = await self.notifications.update_one(
            {"_id": notification_id, "status": "sent"},
            {"$set": {"status": status, "dlr_answer": answer, f"{status}_at": at}},
        )
        return bool(r.modified_count)

    # ------------------------------------------------------------------ retry pointers

    async def point(self, notification_id: str, next_at: datetime, key: str) -> None:
        """``key``: whose sends these are (a webhook subscription, else the channel), so the
        retry lane can bound each one's sends at once."""
        await self.notifications.update_one({"_id": notification_id},
                                            {"$set": {"retry_at": next_at, "retry_key": key}})

    async def postpone(self, notification_id: str, at: datetime) -> None:
        """Not before ``at``; a later time set meanwhile stays."""
        await self.notifications.update_one({"_id": notification_id, "retry_at": {"$ne": None}},
                                            {"$max": {"retry_at": at}})

    async def unpoint(self, notification_id: str) -> None:
        await self.notifications.update_one({"_id": notification_id}, {"$unset": NO_POINTER})

    async def due_pointers(self, channels: Sequence[str], now: datetime, limit: int, busy: Sequence[str] = (),
                           full_keys: Sequence[str] = ()) -> list[dict[str, Any]]:
        """Due pointers of these channels, leaving out the sends running here and the keys
        that have all the sends at once they may."""
        query: dict[str, Any] = {"retry_at": {"$lte": now}, "channel": {"$in": list(channels)}}
        if busy:
            query["_id"] = {"$nin": list(busy)}
        if full_keys:
            query["retry_key"] = {"$nin": list(full_keys)}
        cursor = self.notifications.find(query, {"channel": 1, "retry_key": 1, "retry_at": 1})
        return [{"_id": d["_id"], "channel": d["channel"], "key": d.get("retry_key"), "next_at": d["retry_at"]}
                for d in await cursor.sort("retry_at", 1).limit(limit).to_list(length=limit)]

    async def pending_count(self) -> dict[str, int]:
        pipeline = [{"$match": {"retry_at": {"$gte": EPOCH}}}, {"$group": {"_id": "$channel", "n": {"$sum": 1}}}]
        return {row["_id"]: row["n"] async for row in await self.notifications.aggregate(pipeline)}

    async def adopt_pointers(self, old: AsyncCollection) -> int:
        """Pointers of the collection an older version kept apart, moved onto their notifications."""
        moved = 0
        async for p in old.find({}):
            await self.notifications.update_one({"_id": p["_id"], "status": {"$in": ["queued", "held"]}},
                                                {"$set": {"retry_at": p["next_at"], "retry_key": p.get("key")}})
            await old.delete_one({"_id": p["_id"]})
            moved += 1
        return moved

    # ------------------------------------------------------------------ webhooks

    async def add_subscription(self, doc: dict[str, Any]) -> None:
        await self.subscriptions.insert_one(doc)

    async def subscription(self, subscription_id: str) -> dict[str, Any] | None:
        return await self.subscriptions.find_one({"_id": subscription_id})

    async def subscriptions_of(self, integrator_id: str | None = None) -> list[dict[str, Any]]:
        query = {"integrator_id": integrator_id} if integrator_id else {}
        return await self.subscriptions.find(query).sort("created_at", 1).to_list(length=1000)

    async def remove_subscription(self, subscription_id: str) -> bool:
        r = await self.subscriptions.update_one({"_id": subscription_id, "active": True},
                                                {"$set": {"active": False, "removed_at": utcnow()}})
        return bool(r.modified_count)

    async def deliveries(self, subscription_id: str, since: datetime | None, until: datetime | None,
                         limit: int) -> list[dict[str, Any]]:
        query: dict[str, Any] = {"channel": "webhook", "recipient_hash": subscription_id}
        window = {k: v for k, v in (("$gte", since), ("$lt", until)) if v is not None}
        if window:
            query["created_at"] = window
        cursor = self.notifications.find(query, {"recipient_enc": 0}).sort("created_at", 1).limit(limit)
        return await cursor.to_list(length=limit)

    async def for_report(self, tracking_id: str) -> list[dict[str, Any]]:
        cursor = self.notifications.find({"tracking_id": tracking_id}, {"recipient_enc": 0}).sort("created_at", 1)
        return await cursor.to_list(length=500)
