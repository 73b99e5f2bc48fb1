"""Regional governments' API keys: created, listed and revoked by an operator command.

A key is ``lpk_<id>_<secret>``; only the id and a SHA-256 of the secret are stored (the
secret is 32 random bytes, so a plain hash is enough). Each key is scoped to region code
prefixes and/or agencies, and has its own request rate, counted per minute in the database
so that every intake replica enforces the same limit.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from shared.events import utcnow
from shared.problems import Problem
from shared.storage.mongo import count_in_window

KEYS = "integrator_keys"
USAGE = "integrator_usage"


@dataclass(frozen=True)
class Integrator:
    key_id: str
    integrator_id: str
    regions: list[str]
    agencies: list[str]
    rate_per_minute: int
    # the integrator proves its users' numbers and addresses (an app login with a one-time
    # code): the notifier need not ask them again before repeated messages
    contacts_verified: bool = False

    def within(self, region_code: str | None) -> bool:
        return bool(region_code) and any(region_code == r or region_code.startswith(r + ".") for r in self.regions)

    def may_submit(self, region_code: str | None, agency_id: str | None, agency_region: str | None = None) -> bool:
        """Inside the key's scope in every field that routes: a report aimed at an agency needs
        that agency to be one of the key's, or seated inside the key's regions (a national body
        has no seat: only a key naming it may aim at it); one without an agency needs its
        region to be one of the key's regions or inside one."""
        if agency_id:
            return agency_id in self.agencies or (self.within(region_code) and self.within(agency_region))
        return self.within(region_code)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


async def create_key(db: AsyncDatabase, integrator_id: str, regions: list[str], agencies: list[str],
                     rate_per_minute: int, note: str = "", contacts_verified: bool = False) -> tuple[dict[str, Any], str]:
    key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    doc = {"_id": key_id, "integrator_id": integrator_id, "regions": regions, "agencies": agencies,
           "rate_per_minute": rate_per_minute, "secret_hash": _hash(secret), "active": True, "note": note,
           "contacts_verified": contacts_verified, "created_at": utcnow()}
    await db[KEYS].insert_one(doc)
    return doc, f"lpk_{key_id}_{secret}"


async def list_keys(db: AsyncDatabase) -> list[dict[str, Any]]:
    return await db[KEYS].find({}, {"secret_hash": 0}).sort("created_at", 1).to_list(length=10_000)


async def revoke_key(db: AsyncDatabase, key_id: str) -> bool:
    r = await db[KEYS].update_one({"_id": key_id, "active": True}, {"$set": {"active": False, "revoked_at": utcnow()}})
    return bool(r.modified_count)


async def authenticate(db: AsyncDatabase, presented: str | None, field: str) -> Integrator:
    """The key's integrator; 401 for a missing, unknown, wrong or revoked key."""
    parts = (presented or "").split("_", 2)
    if len(parts) != 3 or parts[0] != "lpk" or not parts[1] or not parts[2]:
        raise Problem(401, "Unauthorized", "an integrator API key is required", field=field,
                      headers={"WWW-Authenticate": "ApiKey"})
    doc = await db[KEYS].find_one({"_id": parts[1][:32]})
    if doc is None or not hmac.compare_digest(doc["secret_hash"], _hash(parts[2])) or not doc.get("active"):
        raise Problem(401, "Unauthorized", "this API key is unknown or revoked", field=field,
                      headers={"WWW-Authenticate": "ApiKey"})
    return Integrator(doc["_id"], doc["integrator_id"], doc.get("regions", []), doc.get("agencies", []),
                      int(doc.get("rate_per_minute", 60)), bool(doc.get("contacts_verified")))


async def charge(db: AsyncDatabase, integrator: Integrator, now: datetime | None = None) -> None:
    """Count one request against the key's minute; 429 with Retry-After beyond its rate."""
    now = now or utcnow()
    if await count_in_window(db[USAGE], integrator.key_id, now.strftime("%Y%m%d%H%M")) > integrator.rate_per_minute:
        retry_after = 60 - now.second
        raise Problem(429, "Too many requests", f"this key allows {integrator.rate_per_minute} requests a minute",
                      headers={"Retry-After": str(retry_after)})
