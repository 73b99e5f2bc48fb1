"""The integrator API for regional governments' systems (``X-Api-Key``).

An integrator submits within its key's scope and reads back only what it submitted, with
the public view's privacy: no reporter identity, no confidential content.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AwareDatetime
from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from services.intake import attachments, idempotency, integrators, limits
from services.intake.integrators import Integrator
from services.intake.models import (UPLOAD_BODY, AttachmentsAdded, IntegratorReportIn, IntegratorReportList, IntegratorReportView, ReportCreated,
                                    ReportIn)
from services.intake.repository import ReportRepository
from services.intake.settings import IntakeSettingsDep
from services.intake.submission import accept_report
from shared.directory import DirectoryDep
from shared.tracking import normalize_tracking_id
from services.intake.views import INTEGRATOR_BASE, public_view
from shared.observability.metrics import INTAKE_REPORTS
from shared.problems import Problem
from shared.runtime import Runtime, get_runtime
from shared.statuses import Status

router = APIRouter(prefix="/v1/integrator", tags=["integrator"])
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def integrator_of(runtime: RuntimeDep,
                        x_api_key: Annotated[str | None, Header(alias="X-Api-Key", max_length=128)] = None) -> Integrator:
    integrator = await integrators.authenticate(runtime.db, x_api_key, "X-Api-Key")
    await integrators.charge(runtime.db, integrator)
    return integrator


IntegratorDep = Annotated[Integrator, Depends(integrator_of)]


def integrator_view(doc: dict[str, object]) -> IntegratorReportView:
    view = IntegratorReportView(**public_view(doc).model_dump(), reference=(doc.get("source") or {}).get("reference"))  # type: ignore[union-attr]
    view.attachments = attachments.views(doc, "integrator", INTEGRATOR_BASE)  # type: ignore[arg-type]
    return view


@router.post("/reports", status_code=201, response_model=ReportCreated,
             responses={401: {"description": "no valid key"}, 403: {"description": "outside the key's scope"},
                        409: {"description": "Idempotency-Key reused"}, 429: {"description": "rate limit of the key, or of a contact"}})
async def submit(report: IntegratorReportIn, response: Response, runtime: RuntimeDep, integrator: IntegratorDep,
                 directory: DirectoryDep, settings: IntakeSettingsDep,
                 idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key",
                                                               max_length=idempotency.MAX_KEY_LENGTH)] = None) -> ReportCreated:
    agency = directory.agencies.get(report.agency_id) if report.agency_id else None
    if report.agency_id and agency is None:
        raise Problem(422, "Unknown agency", "no agency in the directory has this id", field="agency_id")
    if not integrator.may_submit(report.region_code, report.agency_id, agency.region_code if agency else None):
        field = "agency_id" if report.agency_id and integrator.within(report.region_code) else "region_code"
        raise Problem(403, "Outside scope", "this key may submit only for its own regions or agencies", field=field)
    base = ReportIn.model_validate(report.model_dump(exclude={"reference"}))
    await limits.charge(runtime.db, runtime.vault, settings, "integrator", base, None)   # the key is counted already
    tracking_id = token = None
    if idempotency_key is not None:
        claim = await idempotency.claim(ReportRepository(runtime.db), runtime.vault, f"int:{integrator.integrator_id}",
                                        idempotency_key, idempotency.body_fingerprint(report.model_dump(mode="json")))
        tracking_id, token = claim.tracking_id, claim.token
        if claim.replayed:
            response.headers["Idempotent-Replayed"] = "true"
    accepted = await accept_report(runtime, base, channel="integrator",
                                   tracking_id=tracking_id, token=token, integrator_id=integrator.integrator_id,
                                   reference=report.reference, source={"key_id": integrator.key_id},
                                   contacts_proven=integrator.contacts_verified)
    INTAKE_REPORTS.labels("integrator", "replayed" if response.headers.get("Idempotent-Replayed") else "accepted").inc()
    url = f"{settings.public_base_url}/v1/integrator/reports/{accepted.tracking_id}"
    response.headers["Location"] = url
    return ReportCreated(tracking_id=accepted.tracking_id, status=accepted.status, received_at=accepted.received_at,
                         reporter_token=accepted.token, url=url)


@router.get("/reports", response_model=IntegratorReportList)
async def search(runtime: RuntimeDep, integrator: IntegratorDep,
                 reference: Annotated[str | None, Query(max_length=64)] = None,
                 status: Annotated[Status | None, Query()] = None,
                 limit: Annotated[int, Query(ge=1, le=200)] = 50,
                 before: Annotated[AwareDatetime | None, Query(description="the previous page's next_before")] = None,
                 ) -> IntegratorReportList:
    """The key's integrator's reports, newest first, in pages of ``limit``; ``next_before``
    (when there may be more) is the ``before`` of the next page."""
    docs = await ReportRepository(runtime.db).of_integrator(integrator.integrator_id, reference,
                                                            status.value if status else None, limit, before)
    return IntegratorReportList(items=[integrator_view(d) for d in docs],
                                next_before=docs[-1]["received_at"] if len(docs) == limit else None)


async def _own(runtime: Runtime, tracking_id: str, integrator: Integrator) -> dict[str, Any]:
    canonical = normalize_tracking_id(tracking_id)
    doc = await ReportRepository(runtime.db).get(canonical) if canonical else None
    # another integrator's report looks exactly like a missing one
    if doc is None or (doc.get("source") or {}).get("integrator_id") != integrator.integrator_id:
        raise Problem(404, "Not found", "no report with this tracking ID for this key", field="tracking_id")
    return doc


@router.get("/reports/{tracking_id}", response_model=IntegratorReportView, responses={404: {"description": "not yours"}})
async def read(tracking_id: str, runtime: RuntimeDep, integrator: IntegratorDep) -> IntegratorReportView:
    return integrator_view(await _own(runtime, tracking_id, integrator))


@router.post("/reports/{tracking_id}/attachments", status_code=201, response_model=AttachmentsAdded,
             openapi_extra=UPLOAD_BODY,
             responses={404: {"description": "not yours"}, 409: {"description": "report closed"},
                        413: {"description": "file(s) too large"}, 415: {"description": "not multipart, or a file "
                                                                                           "of a type not taken"},
                        422: {"description": "file refused, or too many"}})
async def attach(tracking_id: Annotated[str, Path(max_length=32)], request: Request, runtime: RuntimeDep,
                 integrator: IntegratorDep) -> AttachmentsAdded:
    """Photos (JPEG, PNG, WebP, HEIC) or PDFs for one of the key's reports, in ``file`` parts."""
    doc = await _own(runtime, tracking_id, integrator)
    stored = await attachments.attach(runtime, request, doc, "integrator")
    return AttachmentsAdded(tracking_id=doc["_id"], attachments=attachments.view_of(doc, stored, "integrator",
                                                                                    INTEGRATOR_BASE))


@router.get("/reports/{tracking_id}/attachments/{attachment_id}", response_class=StreamingResponse,
            responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}},
                       404: {"description": "no such file, or not one this key may fetch"}})
async def fetch(tracking_id: Annotated[str, Path(max_length=32)], attachment_id: Annotated[str, Path(max_length=32)],
                runtime: RuntimeDep, integrator: IntegratorDep) -> StreamingResponse:
    return await attachments.fetch(runtime, await _own(runtime, tracking_id, integrator), attachment_id,
                                   "original", "integrator")


@router.get("/reports/{tracking_id}/attachments/{attachment_id}/thumbnail", response_class=StreamingResponse,
            responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}},
                       404: {"description": "no such file, or not one this key may fetch"}})
async def fetch_thumbnail(tracking_id: Annotated[str, Path(max_length=32)],
                          attachment_id: Annotated[str, Path(max_length=32)], runtime: RuntimeDep,
                          integrator: IntegratorDep) -> StreamingResponse:
    return await attachments.fetch(runtime, await _own(runtime, tracking_id, integrator), attachment_id,
                                   "thumbnail", "integrator")
