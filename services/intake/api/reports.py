"""Web and mobile app API: submit a report, read it back."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from services.intake import attachments, idempotency, limits
from services.intake.attachments import Reader
from shared.attachments.upload import Upload
from services.intake.models import ReportCreated, ReportIn, ReportView
from services.intake.repository import ReportRepository
from services.intake.settings import IntakeSettingsDep
from services.intake.submission import accept_report
from shared.tracking import normalize_tracking_id
from services.intake.views import public_view, reporter_view
from shared.observability.metrics import INTAKE_REPORTS
from shared.privacy import token_hash
from shared.problems import Problem
from shared.runtime import Runtime, get_runtime

router = APIRouter(prefix="/v1/reports", tags=["reports"])


REPORT_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": ReportIn.model_json_schema()},
    "multipart/form-data": {"schema": {
        "type": "object", "required": ["report"],
        "properties": {"report": {"type": "string", "description": "the report's JSON fields (ReportIn)"},
                       "file": {"type": "array", "items": {"type": "string", "format": "binary"},
                                "description": "JPEG, PNG, WebP or HEIC photos, or PDF documents"}}}}}}}


async def _report_of(request: Request, runtime: Runtime) -> tuple[ReportIn, Upload | None]:
    """The report from a JSON body, or from the ``report`` part of a multipart one with its files
    (streamed to disk under the attachment limits)."""
    if request.headers.get("content-type", "").startswith("multipart/"):
        files = attachments.attachments_of(runtime)
        upload = await files.receive(request, files.upload_limits(fields=("report",)))
        try:
            if "report" not in upload.fields:
                raise Problem(422, "Missing report", "the form needs a 'report' part with the report's JSON",
                              field="report")
            return _validated(upload.fields["report"]), upload
        except BaseException:
            upload.close()
            raise
    return _validated(await request.body()), None


def _validated(raw: str | bytes) -> ReportIn:
    try:
        return ReportIn.model_validate_json(raw)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from exc


@router.post("", status_code=201, response_model=ReportCreated, openapi_extra=REPORT_BODY,
             responses={409: {"description": "Idempotency-Key reused with another body"},
                        413: {"description": "body or file too large"}, 415: {"description": "a file of a type not taken"},
                        422: {"description": "invalid field, or a file refused"},
                        429: {"description": "too many reports from this client or with this contact"}})
async def submit_report(
    request: Request,
    response: Response,
    runtime: Annotated[Runtime, Depends(get_runtime)],
    settings: IntakeSettingsDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=idempotency.MAX_KEY_LENGTH)] = None,
) -> ReportCreated:
    """A new report, as JSON, or as multipart with its photos and documents beside it."""
    report, upload = await _report_of(request, runtime)
    try:
        await limits.charge(runtime.db, runtime.vault, settings, "web", report,
                            limits.client_address(request, settings.trusted_proxies))
        tracking_id = token = None
        repo = ReportRepository(runtime.db)
        if idempotency_key is not None:
            body = report.model_dump(mode="json")
            if upload is not None:
                body["files"] = [f.sha256 for f in upload.files]
            claim = await idempotency.claim(repo, runtime.vault, "public", idempotency_key,
                                            idempotency.body_fingerprint(body))
            tracking_id, token = claim.tracking_id, claim.token
            if claim.replayed:
                response.headers["Idempotent-Replayed"] = "true"
        stored = []
        # a replay of a report already stored keeps the files it has
        if upload is not None and not (tracking_id and await repo.get(tracking_id)):
            stored = await attachments.store_new(runtime, upload, "reporter")
    finally:
        if upload is not None:
            upload.close()
    accepted = await accept_report(runtime, report, channel="web", tracking_id=tracking_id, token=token,
                                   attachments=stored)
    INTAKE_REPORTS.labels("web", "replayed" if response.headers.get("Idempotent-Replayed") else "accepted").inc()
    url = f"{settings.public_base_url}/v1/reports/{accepted.tracking_id}"
    response.headers["Location"] = url
    return ReportCreated(tracking_id=accepted.tracking_id, status=accepted.status,
                         received_at=accepted.received_at, reporter_token=accepted.token, url=url)


@router.get("/{tracking_id}", response_model=ReportView, responses={404: {"description": "no such report"}})
async def read_report(
    tracking_id: str,
    runtime: Annotated[Runtime, Depends(get_runtime)],
    settings: IntakeSettingsDep,
    reporter_token: Annotated[str | None, Header(alias="X-Reporter-Token", max_length=128)] = None,
) -> ReportView:
    """Public view, or the reporter's own view with the token given at submission."""
    doc, reader = await _readable(runtime, tracking_id, reporter_token)
    if reader == "reporter":
        return reporter_view(doc, runtime.vault, timedelta(days=settings.reopen_window_days))
    return public_view(doc)


async def _readable(runtime: Runtime, tracking_id: str, reporter_token: str | None) -> tuple[dict[str, Any], Reader]:
    canonical = normalize_tracking_id(tracking_id)
    doc = await ReportRepository(runtime.db).get(canonical) if canonical else None
    if doc is None:
        raise Problem(404, "Not found", "no report with this tracking ID", field="tracking_id")
    if reporter_token is None:
        return doc, "public"
    if token_hash(reporter_token) != doc["token_hash"]:
        raise Problem(403, "Forbidden", "the reporter token does not match this report", field="X-Reporter-Token")
    return doc, "reporter"


FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}},
    404: {"description": "no such file, or not one this reader may see"}}


@router.get("/{tracking_id}/attachments/{attachment_id}", response_class=StreamingResponse, responses=FILE_RESPONSES)
async def attachment(tracking_id: Annotated[str, Path(max_length=32)], attachment_id: Annotated[str, Path(max_length=32)],
                     runtime: Annotated[Runtime, Depends(get_runtime)],
                     reporter_token: Annotated[str | None, Header(alias="X-Reporter-Token", max_length=128)] = None,
                     ) -> StreamingResponse:
    """A photo: the public's once a coordinator let it be public (never of a confidential
    report); with the reporter token, the reporter's own photos too."""
    doc, reader = await _readable(runtime, tracking_id, reporter_token)
    return await attachments.fetch(runtime, doc, attachment_id, "original", reader)


@router.get("/{tracking_id}/attachments/{attachment_id}/thumbnail", response_class=StreamingResponse,
            responses=FILE_RESPONSES)
async def thumbnail(tracking_id: Annotated[str, Path(max_length=32)], attachment_id: Annotated[str, Path(max_length=32)],
                    runtime: Annotated[Runtime, Depends(get_runtime)],
                    reporter_token: Annotated[str | None, Header(alias="X-Reporter-Token", max_length=128)] = None,
                    ) -> StreamingResponse:
    doc, reader = await _readable(runtime, tracking_id, reporter_token)
    return await attachments.fetch(runtime, doc, attachment_id, "thumbnail", reader)
