"""A reporter confirms a contact with the code their acknowledgement carried (the portal's
``/k/{code}`` page posts it here). The code is the credential: about 2^49 of them, kept 30
days, only their keyed hashes stored; so no other authentication."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from services.notifier.delivery import DispatcherDep
from shared.observability.logging import get_logger
from shared.problems import Problem

router = APIRouter(prefix="/v1/contacts", tags=["contacts"])
log = get_logger(__name__)


class ConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=4, max_length=32)


@router.post("/confirm", responses={404: {"description": "unknown or expired code"}})
async def confirm(body: ConfirmIn, dispatcher: DispatcherDep) -> dict[str, Any]:
    found = await dispatcher.gate.confirm(body.code)
    if found is None:
        raise Problem(404, "Unknown code", "this confirmation code is unknown or has expired", field="code")
    released = await dispatcher.release_held(found["address_hash"])
    log.info("contact confirmed", channel=found["channel"], released=released)
    return {"confirmed": True, "channel": found["channel"], "released": released}
