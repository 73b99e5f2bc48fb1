"""Files on a report, intake's side: the reporter's and the integrator's uploads, and which
file each of intake's readers (the public, the reporter, the submitting integrator) may fetch.

Staff read files through routing's case API under the case's rules; an officer's files come
here as ``report.attachment_added`` events (``handlers``).
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import Request
from fastapi.responses import StreamingResponse

from services.intake.models import AttachmentView
from services.intake.repository import reports_of
from shared.attachments.service import AddedBy, Attachments, Which, is_public, ordered
from shared.attachments.upload import Upload
from shared.events import Attachment, AttachmentAdded, make_event
from shared.problems import Problem
from shared.runtime import Runtime

Reader = Literal["public", "reporter", "integrator"]
CLOSED = ("closed", "archived")


def may_fetch(meta: dict[str, Any], doc: dict[str, Any], reader: Reader) -> bool:
    """The public: a photo let public, of a report that is not confidential. The reporter (or
    the integrator that sent the report): every photo but an agency's that a coordinator kept
    from the public. Documents go to staff only, whoever sent them."""
    if reader == "public":
        return is_public(meta, doc["privacy"]["confidential"])
    return meta["kind"] == "image" and (meta["added_by"] != "officer" or meta.get("visibility") == "public")


def views(doc: dict[str, Any], reader: Reader, base: str) -> list[AttachmentView]:
    out = []
    for meta in ordered(doc.get("attachments")):
        fetch = may_fetch(meta, doc, reader)
        own_document = reader != "public" and meta["kind"] == "document" and meta["added_by"] != "officer"
        if not (fetch or own_document):
            continue
        url = f"{base}/{doc['_id']}/attachments/{meta['id']}" if fetch else None
        out.append(AttachmentView(
            id=meta["id"], kind=meta["kind"], content_type=meta["content_type"], size=meta["size"],
            width=meta.get("width"), height=meta.get("height"), by="agency" if meta["added_by"] == "officer" else "reporter",
            purpose=meta.get("purpose", "report"), public=is_public(meta, doc["privacy"]["confidential"]),
            added_at=meta["added_at"], url=url,
            thumbnail_url=f"{url}/thumbnail" if url and meta.get("thumbnail_size") else None))
    return out


def attachments_of(runtime: Runtime) -> Attachments:
    assert runtime.attachments is not None, "intake opens its attachment store at start"
    return runtime.attachments


async def store_new(runtime: Runtime, upload: Upload, added_by: AddedBy) -> list[Attachment]:
    """Files sent with a new report: checked and stored before the report is (a refused file
    refuses the report, so nothing half-sent is accepted)."""
    return await attachments_of(runtime).store_all(upload, added_by) if upload.files else []


async def attach(runtime: Runtime, request: Request, doc: dict[str, Any], added_by: AddedBy) -> list[Attachment]:
    """More files on an existing report. The metadata and the events are written only after every
    file is checked and stored: a crash in between leaves unlisted objects, never a half file."""
    if doc["status"] in CLOSED:
        raise Problem(409, "Report closed", "a closed report takes no more files", field="status")
    files = attachments_of(runtime)
    upload = await files.receive(request, files.upload_limits(doc.get("attachment_count", 0),
                                                              doc.get("attachment_bytes", 0)))
    try:
        if not upload.files:
            raise Problem(422, "No file", "choose at least one file", field="file")
        stored = await files.store_all(upload, added_by)
    finally:
        upload.close()
    events = [make_event(AttachmentAdded(tracking_id=doc["_id"], attachment=a, at=a.added_at),
                         correlation_id=doc["_id"], producer=runtime.settings.service_name) for a in stored]
    repo = reports_of(runtime)
    if not await repo.add_attachments(doc["_id"], stored, events, files.settings.attachment_max_files,
                                      files.settings.attachment_total_bytes):
        await files.discard(stored)
        raise Problem(409, "Not attached", "the report closed or reached its file limit meanwhile; nothing was kept",
                      field="file")
    return stored


async def fetch(runtime: Runtime, doc: dict[str, Any], attachment_id: str, which: Which,
                reader: Reader) -> StreamingResponse:
    """A file for this reader, or 404 exactly as for a file that does not exist."""
    meta = (doc.get("attachments") or {}).get(attachment_id)
    if meta is None or not may_fetch(meta, doc, reader):
        raise Problem(404, "Not found", "no such attachment on this report", field="attachment_id")
    return await attachments_of(runtime).serve(meta, which, public=reader == "public")


def view_of(doc: dict[str, Any], stored: list[Attachment], reader: Reader, base: str) -> list[AttachmentView]:
    """The views of just-stored files, as this reader will see them on the report."""
    merged = {**doc, "attachments": {a.id: a.model_dump() for a in stored}}
    return views(merged, reader, base)
