"""What a reporter can do after submitting, with the token from the submission: reply,
rate the outcome once it is resolved, reopen within the window (the rules: ``changes.py``)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request

from services.intake import attachments, changes
from services.intake.models import UPLOAD_BODY, Accepted, AttachmentsAdded, RatingIn, ReopenIn, ReplyIn
from services.intake.repository import ReportRepository
from services.intake.settings import IntakeSettingsDep
from services.intake.views import REPORTS_BASE
from shared.tracking import normalize_tracking_id
from shared.privacy import token_hash
from shared.problems import Problem
from shared.runtime import Runtime, get_runtime

router = APIRouter(prefix="/v1/reports", tags=["reporter"])
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
Token = Annotated[str, Header(alias="X-Reporter-Token", max_length=128)]


async def own_report(runtime: Runtime, tracking_id: str, token: str) -> dict[str, Any]:
    canonical = normalize_tracking_id(tracking_id)
    doc = await ReportRepository(runtime.db).get(canonical) if canonical else None
    if doc is None:
        raise Problem(404, "Not found", "no report with this tracking ID", field="tracking_id")
    if token_hash(token) != doc["token_hash"]:
        raise Problem(403, "Forbidden", "the reporter token does not match this report", field="X-Reporter-Token")
    return doc


@router.post("/{tracking_id}/replies", status_code=202, response_model=Accepted)
async def reply(tracking_id: str, body: ReplyIn, runtime: RuntimeDep, token: Token,
                idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)] = None) -> Accepted:
    doc = await own_report(runtime, tracking_id, token)
    await changes.reply(runtime, doc, "web", body.message, f"web:{idempotency_key or uuid.uuid4().hex}")
    return Accepted(tracking_id=doc["_id"], action="replied")


@router.post("/{tracking_id}/rating", status_code=202, response_model=Accepted)
async def rate(tracking_id: str, body: RatingIn, runtime: RuntimeDep, token: Token) -> Accepted:
    doc = await own_report(runtime, tracking_id, token)
    await changes.rate(runtime, doc, body.rating, body.comment)
    return Accepted(tracking_id=doc["_id"], action="rated")


@router.post("/{tracking_id}/reopen", status_code=202, response_model=Accepted)
async def reopen(tracking_id: str, body: ReopenIn, runtime: RuntimeDep, token: Token,
                 settings: IntakeSettingsDep) -> Accepted:
    doc = await own_report(runtime, tracking_id, token)
    await changes.reopen(runtime, doc, body.reason, settings.reopen_window_days)
    return Accepted(tracking_id=doc["_id"], action="reopen_requested")


@router.post("/{tracking_id}/attachments", status_code=201, response_model=AttachmentsAdded, openapi_extra=UPLOAD_BODY,
             responses={403: {"description": "token does not match"}, 409: {"description": "report closed"},
                        413: {"description": "file(s) too large"},
                        415: {"description": "not multipart, or a file of a type not taken"},
                        422: {"description": "file refused, or too many"}})
async def attach(tracking_id: Annotated[str, Path(max_length=32)], request: Request, runtime: RuntimeDep,
                 token: Token) -> AttachmentsAdded:
    """More photos (JPEG, PNG, WebP, HEIC) or PDFs for the reporter's own report, in ``file`` parts.
    The public sees a photo only once a coordinator lets it."""
    doc = await own_report(runtime, tracking_id, token)
    stored = await attachments.attach(runtime, request, doc, "reporter")
    return AttachmentsAdded(tracking_id=doc["_id"], attachments=attachments.view_of(doc, stored, "reporter",
                                                                                    REPORTS_BASE))
