"""``Idempotency-Key`` on writes: the same key and body give the original answer, the same
key with another body is refused with 409.

The key's record is claimed *before* the report is written and carries the tracking ID and
the (encrypted) reporter token the answer will hold. A retry - even one racing the first
request, or following a crash between the two writes - completes the same report with the
same ID instead of creating a second one.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from services.intake.repository import ReportRepository
from shared.tracking import new_tracking_id
from shared.events import utcnow
from shared.privacy import Vault, new_secret_token
from shared.problems import Problem

MAX_KEY_LENGTH = 128


@dataclass
class Claim:
    tracking_id: str
    token: str
    replayed: bool


def body_fingerprint(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


async def claim(repo: ReportRepository, vault: Vault, scope: str, key: str, fingerprint: str) -> Claim:
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise Problem(400, "Invalid Idempotency-Key", f"1 to {MAX_KEY_LENGTH} printable characters",
                      field="Idempotency-Key")
    tracking_id, token = new_tracking_id(), new_secret_token()
    existing = await repo.claim_idempotency_key({
        "_id": f"{scope}:{key}", "fingerprint": fingerprint, "tracking_id": tracking_id,
        "token_enc": vault.encrypt(token), "at": utcnow(),
    })
    if existing is None:
        return Claim(tracking_id, token, replayed=False)
    if existing["fingerprint"] != fingerprint:
        raise Problem(409, "Idempotency-Key reused", "this key was already used with a different request body",
                      field="Idempotency-Key")
    return Claim(existing["tracking_id"], vault.decrypt(existing["token_enc"]), replayed=True)
