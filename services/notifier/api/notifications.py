"""The notification log, for operators (addresses never leave the database decrypted), and the
operator's direct e-mail (the monthly recap to a regional head)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.notifier.delivery import DispatcherDep, Request, notification_id
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


class Attachment(BaseModel):
    model_config = ConfigDict(extra="forbid")
    filename: str = Field(pattern=r"^[\w.\-]{1,100}\.pdf$")
    content_type: Literal["application/pdf"] = "application/pdf"
    data_base64: str = Field(max_length=700_000, description="the file, base64 (at most about 500 KB)")

    @field_validator("data_base64")
    @classmethod
    def _is_pdf(cls, v: str) -> str:
        try:
            head = base64.b64decode(v[:16], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("not base64") from exc
        if not head.startswith(b"%PDF-"):
            raise ValueError("not a PDF")
        return v


class DirectEmail(BaseModel):
    """An operator's e-mail to a named person (a regional head's monthly recap): sent once per key."""

    model_config = ConfigDict(extra="forbid")
    key: str = Field(pattern=r"^[\w.:\-]{3,128}$", description="idempotency key: the same key sends once")
    to: str = Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    subject: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=20_000)
    attachment: Attachment | None = None


@router.post("/email", status_code=202)
async def send_email(mail: DirectEmail, runtime: Annotated[Runtime, Depends(get_runtime)],
                     dispatcher: DispatcherDep) -> dict[str, str]:
    address = mail.to.strip()
    request = Request(event_id=f"direct:{mail.key}", kind="direct", tracking_id=None, channel="email",
                      address_enc=runtime.vault.encrypt(address), address_hash=runtime.vault.lookup_hash(address),
                      language="id", values={}, body=mail.text, subject=mail.subject,
                      extra={"attachments": [mail.attachment.model_dump()] if mail.attachment else []})
    status = await dispatcher.deliver(request)
    nid = notification_id(request.event_id, request.kind, request.channel, request.address_hash)
    return {"id": nid, "status": status}
