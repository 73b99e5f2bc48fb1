"""Notifier's database access: ``notifications`` (one per event x recipient x channel) and
``contacts`` (how to reach a report's reporter, encrypted, kept from report.received)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from shared.events import EPOCH, utcnow
from shared.storage.mongo import Index, insert_once

NOTIFICATIONS = "notifications"
CONTACTS = "contacts"
INDEXES = [
    Index(NOTIFICATIONS, [("tracking_id", ASCENDING), ("created_at", ASCENDING)]),
    Index(NOTIFICATIONS, [("status", ASCENDING), ("created_at", ASCENDING)]),
]


class NotificationRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.notifications = db[NOTIFICATIONS]
        self.contacts = db[CONTACTS]

    async def remember_contacts(self, tracking_id: str, language: str, reply_to: list[dict[str, Any]]) -> None:
        # known already after a redelivered report.received: the first copy stays
        await insert_once(self.contacts, {"_id": tracking_id, "language": language, "reply_to": reply_to, "at": utcnow()})

    async def contacts_for(self, tracking_id: str) -> dict[str, Any] | None:
        return await self.contacts.find_one({"_id": tracking_id})

    async def record(self, doc: dict[str, Any]) -> dict[str, Any]:
        """Insert a queued notification; if its identity exists already, return that one."""
        if await insert_once(self.notifications, doc):
            return doc
        existing = await self.notifications.find_one({"_id": doc["_id"]})
        assert existing is not None
        return existing

    async def claim(self, notification_id: str, lease_s: float) -> dict[str, Any] | None:
        """Take the right to send: only a queued notification whose lease is free or expired."""
        now = utcnow()
        return await self.notifications.find_one_and_update(
            {"_id": notification_id, "status": "queued", "lease_until": {"$lt": now}},
            {"$set": {"lease_until": now + timedelta(seconds=lease_s)}, "$inc": {"attempts": 1}},
            return_document=ReturnDocument.AFTER,
        )

    async def mark(self, notification_id: str, status: str, answer: str, at: datetime) -> None:
        fields: dict[str, Any] = {"status": status, "provider_answer": answer, "updated_at": at}
        if status == "sent":
            fields["sent_at"] = at
        await self.notifications.update_one({"_id": notification_id}, {"$set": fields})

    async def release(self, notification_id: str, error: str) -> None:
        """A failed attempt: free the lease so the retry can claim it again."""
        await self.notifications.update_one(
            {"_id": notification_id, "status": "queued"},
            {"$set": {"lease_until": EPOCH, "last_error": error}},
        )

    async def for_report(self, tracking_id: str) -> list[dict[str, Any]]:
        cursor = self.notifications.find({"tracking_id": tracking_id}, {"recipient_enc": 0}).sort("created_at", 1)
        return await cursor.to_list(length=500)
