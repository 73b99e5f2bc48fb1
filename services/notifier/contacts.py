"""Repeated messages only to contacts someone has proved to own (#17, finding 3).

A phone number or e-mail address typed on the web, or sent by an integrator that does not
verify its users' contacts, may be anyone's: posting reports with a stranger's number would
make the platform text that stranger again and again. So, to a contact nobody has proved:

- messages about one report a day go out (the first report that gives it that day): a citizen
  who reports once hears about it as usual, with a confirmation link in the acknowledgement;
- messages about any other report are recorded ``held``, never sent, until the link is
  opened and confirmed on the portal; confirming releases them (each still sent once).

Proved already: the number an SMS came from, contacts from integrators that verify them, and
every contact confirmed once. Held messages are counted (``lapor_notifications_total{status=
"held"}``) and a burst of them alerts (``deploy/prometheus/alerts.yml``).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from shared.events import utcnow
from shared.privacy import Vault

PROOFS = "contact_proofs"     # _id: the contact's keyed hash -> when and how it was proved
DAYS = "contact_days"         # _id: "<hash>:<day>" -> the report that may write to it that day
CODES = "contact_codes"       # _id: keyed hash of a confirmation code -> the contact it confirms
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"   # no 0/O, 1/I/L: read off a phone screen
CODE_LENGTH = 10                                    # 31^10, about 2^49
CODE_DAYS = 30

# cleared by shared.storage.mongo.prune_loop (no TTL indexes on FerretDB)
KEPT_S = {DAYS: 3 * 86400, CODES: CODE_DAYS * 86400}

# what goes to the reporter about their report; SMS answers go to the number that asked
REPORTER_KINDS = frozenset({"ack", "assigned", "status"})


class ContactGate:
    def __init__(self, db: AsyncDatabase, vault: Vault) -> None:
        self.proofs = db[PROOFS]
        self.days = db[DAYS]
        self.codes = db[CODES]
        self.vault = vault

    async def proven(self, address_hash: str) -> bool:
        return await self.proofs.find_one({"_id": address_hash}, {"_id": 1}) is not None

    async def allows(self, address_hash: str, tracking_id: str | None, now: datetime) -> bool:
        """May a message about this report go to this unproved contact now? The first report
        to ask on a day takes the day (one atomic upsert, the same answer on every replica
        and on every redelivery)."""
        day = now.strftime("%Y-%m-%d")
        doc = await self.days.find_one_and_update(
            {"_id": f"{address_hash}:{day}"}, {"$setOnInsert": {"tracking_id": tracking_id, "at": now}},
            upsert=True, return_document=ReturnDocument.AFTER)
        return bool(doc) and doc.get("tracking_id") == tracking_id

    async def code_for(self, address_hash: str, channel: str, now: datetime) -> str:
        """A fresh confirmation code for this contact (only its keyed hash is stored)."""
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        await self.codes.insert_one({"_id": self.vault.lookup_hash("contact-code|" + code), "address_hash": address_hash,
                                     "channel": channel, "at": now})
        return code

    async def confirm(self, code: str) -> dict[str, Any] | None:
        """The contact this code confirms, now proved; None for an unknown or expired code."""
        normal = "".join(ch for ch in code.upper() if ch in CODE_ALPHABET)
        if len(normal) != CODE_LENGTH:
            return None
        found = await self.codes.find_one({"_id": self.vault.lookup_hash("contact-code|" + normal)})
        if found is None or found["at"] < utcnow() - timedelta(days=CODE_DAYS):
            return None
        await self.proofs.update_one({"_id": found["address_hash"]},
                                     {"$setOnInsert": {"at": utcnow(), "via": "link", "channel": found["channel"]}},
                                     upsert=True)
        return found

    async def prove(self, address_hash: str, via: str) -> None:
        await self.proofs.update_one({"_id": address_hash}, {"$setOnInsert": {"at": utcnow(), "via": via}}, upsert=True)
