"""Web and mobile app API: submit a report, read it back."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response

from services.intake import idempotency, limits
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


@router.post("", status_code=201, response_model=ReportCreated,
             responses={409: {"description": "Idempotency-Key reused with another body"},
                        413: {"description": "body too large"}, 422: {"description": "invalid field"},
                        429: {"description": "too many reports from this client or with this contact"}})
async def submit_report(
    report: ReportIn,
    request: Request,
    response: Response,
    runtime: Annotated[Runtime, Depends(get_runtime)],
    settings: IntakeSettingsDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=idempotency.MAX_KEY_LENGTH)] = None,
) -> ReportCreated:
    await limits.charge(runtime.db, runtime.vault, settings, "web", report,
                        limits.client_address(request, settings.trusted_proxies))
    tracking_id = token = None
    if idempotency_key is not None:
        claim = await idempotency.claim(
            ReportRepository(runtime.db), runtime.vault, "public", idempotency_key,
            idempotency.body_fingerprint(report.model_dump(mode="json")),
        )
        tracking_id, token = claim.tracking_id, claim.token
        if claim.replayed:
            response.headers["Idempotent-Replayed"] = "true"
    accepted = await accept_report(runtime, report, channel="web", tracking_id=tracking_id, token=token)
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
    canonical = normalize_tracking_id(tracking_id)
    doc = await ReportRepository(runtime.db).get(canonical) if canonical else None
    if doc is None:
        raise Problem(404, "Not found", "no report with this tracking ID", field="tracking_id")
    if reporter_token is not None:
        if token_hash(reporter_token) != doc["token_hash"]:
            raise Problem(403, "Forbidden", "the reporter token does not match this report", field="X-Reporter-Token")
        return reporter_view(doc, runtime.vault, timedelta(days=settings.reopen_window_days))
    return public_view(doc)
