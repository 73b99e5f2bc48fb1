"""Files on a case, routing's side: the agency's answers with photos or documents, a
coordinator's decision on which photos the public sees, and the staff's view of every file.

Staff who may see the case see all its files (``api.cases.visible``); what the public sees is
intake's to serve, from the decisions taken here.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from services.routing.repository import cases_of
from shared.attachments.service import Attachments, is_public, ordered
from shared.auth import Principal
from shared.events import Attachment, AttachmentAdded, AttachmentVisibilityChanged, make_event, utcnow
from shared.problems import Problem
from shared.runtime import Runtime

# an answer is attached while the agency works on the case, or just marked it done
ANSWERING = ["assigned", "in_progress", "resolved"]
PURPOSES = ("response", "resolution")


def attachments_of(runtime: Runtime) -> Attachments:
    assert runtime.attachments is not None, "routing opens its attachment store at start"
    return runtime.attachments


def staff_views(case: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for meta in ordered(case.get("attachments")):
        url = f"/v1/cases/{case['_id']}/attachments/{meta['id']}"
        out.append({k: meta.get(k) for k in ("id", "kind", "content_type", "size", "width", "height", "added_by",
                                             "agency_id", "purpose", "visibility", "added_at")}
                   | {"public": is_public(meta, bool(case.get("privacy", {}).get("confidential"))), "url": url,
                      "thumbnail_url": f"{url}/thumbnail" if meta.get("thumbnail_size") else None})
    return out


async def attach(runtime: Runtime, request: Request, case: dict[str, Any], principal: Principal) -> list[Attachment]:
    """An officer's files for the answer or the resolution: public photos unless the report is
    confidential (a coordinator may still keep one from the public), staff-only documents."""
    if principal.role != "officer":
        raise Problem(403, "Forbidden", "only the agency's officers attach files to its answer", field="role")
    if case["status"] not in ANSWERING:
        raise Problem(409, "Case not open to answers", f"files are attached while the case is {', '.join(ANSWERING)}",
                      field="status")
    files = attachments_of(runtime)
    upload = await files.receive(request, files.upload_limits(case.get("attachment_count", 0),
                                                              case.get("attachment_bytes", 0), fields=("purpose",)))
    try:
        purpose = upload.fields.get("purpose", "response")
        if purpose not in PURPOSES:
            raise Problem(422, "Invalid purpose", "purpose is response or resolution", field="purpose")
        if not upload.files:
            raise Problem(422, "No file", "choose at least one file", field="file")
        stored = await files.store_all(upload, "officer", purpose, principal.agency_id)  # type: ignore[arg-type]
    finally:
        upload.close()
    events = [make_event(AttachmentAdded(tracking_id=case["_id"], attachment=a, at=a.added_at),
                         correlation_id=case["_id"], producer=runtime.settings.service_name) for a in stored]
    if not await cases_of(runtime).add_attachments(
            case["_id"], stored, events, ANSWERING, files.settings.attachment_max_files,
            files.settings.attachment_total_bytes):
        await files.discard(stored)
        raise Problem(409, "Not attached", "the case moved on or reached its file limit meanwhile; nothing was kept",
                      field="file")
    return stored


def check_publishable(case: dict[str, Any], attachment_ids: list[str]) -> None:
    known = case.get("attachments") or {}
    for attachment_id in attachment_ids:
        meta = known.get(attachment_id)
        if meta is None or meta["kind"] != "image":
            raise Problem(422, "Not a photo of this case", f"{attachment_id!r} is not a photo on this case",
                          field="public_attachments")


async def set_visibility(runtime: Runtime, case: dict[str, Any], attachment_id: str, public: bool,
                         principal: Principal) -> None:
    """A coordinator lets the public see a photo (faces, plates and house numbers are the
    reporter's risk: nobody's photo is public before this), or keeps it from them."""
    if principal.role != "coordinator":
        raise Problem(403, "Forbidden", "only coordinators decide what the public sees", field="role")
    check_publishable(case, [attachment_id])
    now, visibility = utcnow(), "public" if public else "staff"
    event = make_event(AttachmentVisibilityChanged(tracking_id=case["_id"], attachment_id=attachment_id,
                                                   visibility=visibility, actor_role=principal.role, at=now),
                       correlation_id=case["_id"], producer=runtime.settings.service_name)
    if not await cases_of(runtime).set_attachment_visibility(
            case["_id"], attachment_id, visibility, now, principal.subject, [event]):
        raise Problem(404, "Not found", "no such photo on this case", field="attachment_id")
