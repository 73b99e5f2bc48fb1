"""The notification log, for operators (addresses never leave the database decrypted)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from services.notifier.repository import NotificationRepository
from shared.auth import require_operator
from shared.runtime import Runtime, get_runtime

router = APIRouter(prefix="/v1/notifications", tags=["notifications"], dependencies=[Depends(require_operator)])


@router.get("")
async def list_for_report(tracking_id: str, runtime: Annotated[Runtime, Depends(get_runtime)]) -> dict[str, Any]:
    items = await NotificationRepository(runtime.db).for_report(tracking_id)
    for item in items:
        item["id"] = item.pop("_id")
        item.pop("lease_until", None)
    return {"items": items}
