"""The one path of a file, for both services that take them (intake: reporters and
integrators; routing: officers): receive under limits, check, store, describe; and serve.

Who may see which attachment is each service's own rule (the report's readers); what an
attachment is and how its bytes are served is decided here once.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from typing import Any, Literal

from fastapi import Request
from fastapi.responses import StreamingResponse

from shared.attachments import content
from shared.attachments.settings import AttachmentSettings
from shared.attachments.store import Missing, ObjectStore
from shared.attachments.upload import Upload, UploadLimits, receive
from shared.events import Attachment, utcnow
from shared.observability.logging import get_logger
from shared.problems import Problem

log = get_logger(__name__)
Which = Literal["original", "thumbnail"]
AddedBy = Literal["reporter", "integrator", "officer"]
Purpose = Literal["report", "response", "resolution"]


def object_key(attachment_id: str, which: Which = "original") -> str:
    return f"attachments/{attachment_id}/{which}"


def is_public(meta: dict[str, Any], confidential: bool) -> bool:
    """What the public may see: a photo let public, of a report that is not confidential."""
    return not confidential and meta["kind"] == "image" and meta.get("visibility") == "public"


def ordered(attachments: dict[str, Any] | None) -> list[dict[str, Any]]:
    return sorted((attachments or {}).values(), key=lambda a: (a["added_at"], a["id"]))


def listing(added: list[Attachment], max_files: int, max_bytes: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The guard and update that list new files on a document (a report, a case) with one
    side's counters: two uploads at once cannot both pass the limits. Events are merged in by
    the repository that owns the document."""
    count, size = len(added), sum(a.size for a in added)
    guard = {"$and": [{"$or": [{"attachment_count": {"$exists": False}}, {"attachment_count": {"$lte": max_files - count}}]},
                      {"$or": [{"attachment_bytes": {"$exists": False}}, {"attachment_bytes": {"$lte": max_bytes - size}}]}]}
    update = {"$set": {f"attachments.{a.id}": a.model_dump() for a in added},
              "$inc": {"attachment_count": count, "attachment_bytes": size}}
    return guard, update


class Attachments:
    """The attachment store of a service, with its limits; one per process."""

    def __init__(self, store: ObjectStore, settings: AttachmentSettings) -> None:
        self.store = store
        self.settings = settings
        self.limits = content.ImageLimits(settings.image_max_pixels, settings.image_max_side, settings.thumbnail_side)
        self._decoding = asyncio.Semaphore(settings.image_workers)

    def upload_limits(self, count: int = 0, size: int = 0, fields: tuple[str, ...] = ()) -> UploadLimits:
        """What one more upload may carry, given the ``count`` files of ``size`` bytes already on the report."""
        s = self.settings
        if count >= s.attachment_max_files:
            raise Problem(422, "Too many files", f"a report takes at most {s.attachment_max_files} files", field="file")
        if size >= s.attachment_total_bytes:
            raise Problem(413, "Files too large", "this report holds all the bytes it may", field="file")
        return UploadLimits(file_bytes=s.attachment_max_bytes, files=s.attachment_max_files - count,
                            total_bytes=s.attachment_total_bytes - size, fields=fields)

    async def receive(self, request: Request, limits: UploadLimits) -> Upload:
        return await receive(request, limits)

    async def store_all(self, upload: Upload, added_by: AddedBy, purpose: Purpose = "report",
                        agency_id: str | None = None) -> list[Attachment]:
        """Check every file first (one refused file stores none), then store them; the metadata
        of each, for the caller to put on its document with its events."""
        checked: list[tuple[content.Checked, bytes]] = []
        for index, f in enumerate(upload.files):
            async with self._decoding:   # each decode holds its pixels: a few at a time
                try:
                    result = await asyncio.to_thread(content.check, f.path, self.limits)
                except content.Refused as exc:
                    where = "file" if len(upload.files) == 1 else f"file[{index}]"
                    raise Problem(exc.status, "File refused", exc.detail, field=where) from exc
            data = result.data if result.data is not None else await asyncio.to_thread(f.path.read_bytes)
            checked.append((result, data))
        now = utcnow()
        stored = []
        for result, data in checked:
            attachment_id = secrets.token_urlsafe(12)   # unguessable, and never a public address by itself
            await self.store.put(object_key(attachment_id), data, result.content_type)
            if result.thumbnail is not None:
                await self.store.put(object_key(attachment_id, "thumbnail"), result.thumbnail, result.content_type)
            visibility: Any = ("staff" if result.kind == "document" else
                               "public" if added_by == "officer" else "pending")
            stored.append(Attachment(
                id=attachment_id, kind=result.kind, format=result.format, content_type=result.content_type,  # type: ignore[arg-type]
                size=len(data), sha256=hashlib.sha256(data).hexdigest(), width=result.width, height=result.height,
                thumbnail_size=len(result.thumbnail) if result.thumbnail is not None else None, added_by=added_by,
                agency_id=agency_id, purpose=purpose, visibility=visibility, added_at=now))
        log.info("attachments stored", count=len(stored), kinds=sorted({a.format for a in stored}))
        return stored

    async def discard(self, stored: list[Attachment]) -> None:
        """Objects stored for files the report then did not take (best effort: an orphan object is
        never listed anywhere, so it is unreachable, only wasted space)."""
        for a in stored:
            for which in ("original", "thumbnail"):
                try:
                    await self.store.delete(object_key(a.id, which))   # type: ignore[arg-type]
                except Exception as exc:
                    log.warning("orphan attachment object left", attachment_id=a.id, error=repr(exc))

    async def serve(self, meta: dict[str, Any], which: Which = "original", public: bool = False) -> StreamingResponse:
        """The bytes, with headers that keep a browser from doing anything but show (an image) or
        save (a document) them; 404 when there is no such object."""
        if which == "thumbnail" and not meta.get("thumbnail_size"):
            raise Problem(404, "Not found", "this attachment has no thumbnail", field="attachment_id")
        try:
            chunks = await self.store.open(object_key(meta["id"], which))
        except Missing as exc:
            raise Problem(404, "Not found", "no such attachment", field="attachment_id") from exc
        size = meta["thumbnail_size"] if which == "thumbnail" else meta["size"]
        extension = {"jpeg": "jpg"}.get(meta["format"], meta["format"])
        disposition = "attachment" if meta["kind"] == "document" else "inline"
        headers = {
            "Content-Length": str(size),
            "Content-Disposition": f'{disposition}; filename="lampiran-{meta["id"]}.{extension}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "public, max-age=60" if public else "private, no-store",
            "ETag": f'"{meta["sha256"][:32]}{"-t" if which == "thumbnail" else ""}"',
        }
        return StreamingResponse(chunks, media_type=meta["content_type"], headers=headers)

    async def close(self) -> None:
        await self.store.close()
