"""Kannel's delivery reports (the ``dlr-url`` given with each sendsms)."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from services.notifier.channels.sms import dlr_token
from services.notifier.repository import NotificationRepository
from shared.events import utcnow
from shared.problems import Problem
from shared.runtime import Runtime, get_runtime

router = APIRouter(prefix="/v1/sms", tags=["sms"])
DELIVERED, FAILED = 1, 2   # Kannel's %d: 1 delivered to phone, 2 non-delivered (4 buffered, 8 smsc, 16 rejected)


@router.get("/dlr")
async def delivery_report(runtime: Annotated[Runtime, Depends(get_runtime)],
                          nid: Annotated[str, Query(pattern=r"^[0-9a-f]{32}$")],
                          token: Annotated[str, Query(max_length=64)],
                          type: Annotated[int, Query(ge=0, le=64)],
                          answer: Annotated[str, Query(max_length=500)] = "") -> dict[str, Any]:
    if not hmac.compare_digest(token.encode(), dlr_token(runtime.settings, nid).encode()):  # type: ignore[arg-type]
        raise Problem(403, "Forbidden", "this delivery report is not signed for this notification", field="token")
    if type not in (DELIVERED, FAILED, 16):
        return {"recorded": False, "reason": "intermediate report"}
    changed = await NotificationRepository(runtime.db).delivery_report(nid, type == DELIVERED, answer[:200], utcnow())
    return {"recorded": changed}
