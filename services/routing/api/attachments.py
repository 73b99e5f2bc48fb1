"""Files on a case through the case API: officers attach to their answer, staff who may see
the case fetch its files, coordinators decide which photos the public sees.

Registered before the case actions, whose ``/{tracking_id}/{action}`` would take the path.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict

from services.routing import attachments
from services.routing.api.cases import RuntimeDep, StaffDep, visible_case
from shared.attachments.service import Which
from shared.directory import DirectoryDep
from shared.problems import Problem

router = APIRouter(prefix="/v1/cases", tags=["attachments"])
TrackingId = Annotated[str, Path(max_length=16)]
AttachmentId = Annotated[str, Path(max_length=32)]
UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "array", "items": {"type": "string", "format": "binary"},
                            "description": "JPEG, PNG, WebP or HEIC photos, or PDF documents"},
                   "purpose": {"type": "string", "enum": ["response", "resolution"]}}}}}}}
FILE = {200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}, "application/pdf": {}}},
        404: {"description": "no such case or file for this caller"}}


class VisibilityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    public: bool


@router.post("/{tracking_id}/attachments", status_code=201, openapi_extra=UPLOAD_BODY,
             responses={403: {"description": "not an officer"}, 409: {"description": "case not open to answers"},
                        413: {"description": "file(s) too large"}, 415: {"description": "a type not taken"},
                        422: {"description": "file refused, or too many"}})
async def attach(tracking_id: TrackingId, request: Request, runtime: RuntimeDep, principal: StaffDep,
                 directory: DirectoryDep) -> dict[str, Any]:
    case = await visible_case(runtime, tracking_id, principal, directory)
    stored = await attachments.attach(runtime, request, case, principal)
    merged = {**case, "attachments": {a.id: a.model_dump() for a in stored}}
    return {"tracking_id": case["_id"], "attachments": attachments.staff_views(merged)}


async def _serve(tracking_id: str, attachment_id: str, which: Which, runtime: RuntimeDep, principal: StaffDep,
                 directory: DirectoryDep) -> StreamingResponse:
    case = await visible_case(runtime, tracking_id, principal, directory)
    meta = (case.get("attachments") or {}).get(attachment_id)
    if meta is None:
        raise Problem(404, "Not found", "no such file on this case", field="attachment_id")
    return await attachments.attachments_of(runtime).serve(meta, which)


@router.get("/{tracking_id}/attachments/{attachment_id}", response_class=StreamingResponse, responses=FILE)
async def fetch(tracking_id: TrackingId, attachment_id: AttachmentId, runtime: RuntimeDep, principal: StaffDep,
                directory: DirectoryDep) -> StreamingResponse:
    """The file; a document comes as a download (``Content-Disposition: attachment``)."""
    return await _serve(tracking_id, attachment_id, "original", runtime, principal, directory)


@router.get("/{tracking_id}/attachments/{attachment_id}/thumbnail", response_class=StreamingResponse, responses=FILE)
async def fetch_thumbnail(tracking_id: TrackingId, attachment_id: AttachmentId, runtime: RuntimeDep,
                          principal: StaffDep, directory: DirectoryDep) -> StreamingResponse:
    return await _serve(tracking_id, attachment_id, "thumbnail", runtime, principal, directory)


@router.post("/{tracking_id}/attachments/{attachment_id}/visibility",
             responses={403: {"description": "not a coordinator"}, 404: {"description": "no such photo"},
                        422: {"description": "not a photo"}})
async def set_visibility(tracking_id: TrackingId, attachment_id: AttachmentId, body: VisibilityIn,
                         runtime: RuntimeDep, principal: StaffDep, directory: DirectoryDep) -> dict[str, Any]:
    """Let the public see a photo, or keep it from them (never shown for a confidential report)."""
    case = await visible_case(runtime, tracking_id, principal, directory)
    await attachments.set_visibility(runtime, case, attachment_id, body.public, principal)
    return {"tracking_id": case["_id"], "attachment_id": attachment_id,
            "visibility": "public" if body.public else "staff"}
