"""Submit a report: the form (region lists down to the kelurahan), the post that hands it to
intake with the form's idempotency key, and the receipt.

Without JavaScript the region lists are refreshed by a button that posts the form back
(everything typed is kept); with htmx only the region fieldset is swapped. A double submit
(double tap, reload, back and resubmit) carries the same idempotency key: one report.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.responses import Response

from services.web.clients import ApiError, ServiceDown
from services.web.context import Ctx, WebContext
from services.web.forms import ReportForm
from services.web.security import CSRF_FIELD, check_csrf
from shared.tracking import normalize_tracking_id

router = APIRouter()


async def _form_page(request: Request, web: WebContext, form: ReportForm, status: int = 200,
                     banner: str | None = None, headers: dict[str, str] | None = None,
                     block: str | None = None) -> Response:
    try:
        directory = await web.routing.directory()
        categories, agencies = directory.categories, directory.agencies
    except (ServiceDown, ApiError):  # the form still works: routing decides later
        categories, agencies = [], []
    return web.render(request, "submit.html", status, block=block, headers=headers, form=form,
                      choices=form.choices(), categories=categories, agencies=agencies, banner=banner)


@router.get("/lapor")
async def submit_page(request: Request, web: Ctx) -> Response:
    return await _form_page(request, web, ReportForm.blank())


@router.get("/lapor/wilayah")
async def region_fieldset(request: Request, web: Ctx) -> Response:
    """htmx: the region fieldset for what is picked so far (the rest of the form stays as it is)."""
    form = ReportForm.from_form(request.query_params)  # type: ignore[arg-type]
    return await _form_page(request, web, form, block="region")


@router.post("/lapor")
async def submit(request: Request, web: Ctx) -> Response:
    data = await request.form()
    check_csrf(request, web.key, data.get(CSRF_FIELD))
    form = ReportForm.from_form(data)
    wants_json = "application/json" in request.headers.get("accept", "")  # a draft sent by the app
    if data.get("action") == "region":
        return await _form_page(request, web, form)
    lang = web.lang(request)
    try:
        created = await web.intake.submit(form.payload(lang), form.values["idem"],
                                          client=request.client.host if request.client else None)
    except ServiceDown as exc:
        if wants_json:
            return JSONResponse({"status": "unavailable"}, status_code=503, headers={"Retry-After": str(exc.retry_after)})
        return await _form_page(request, web, form, 503, banner="down", headers={"Retry-After": str(exc.retry_after)})
    except ApiError as exc:
        if exc.status == 422:
            form.take_errors(exc.errors, lang)
            if wants_json:
                return JSONResponse({"status": "invalid", "errors": dict(form.ordered_errors())}, status_code=422)
            return await _form_page(request, web, form, 422)
        if exc.status == 429 and form.take_contact_limit(exc.errors, lang):
            if wants_json:
                return JSONResponse({"status": "invalid", "errors": dict(form.ordered_errors())}, status_code=429)
            return await _form_page(request, web, form, 429)
        banner = {409: "already_sent", 429: "busy"}.get(exc.status, "refused")
        if wants_json:
            return JSONResponse({"status": banner}, status_code=exc.status)
        return await _form_page(request, web, form, exc.status if exc.status in (409, 429) else 400, banner=banner)
    receipt = f"/lapor/{created.tracking_id}/receipt?k={created.reporter_token}"
    if wants_json:
        return JSONResponse({"status": "accepted", "tracking_id": created.tracking_id, "receipt": receipt},
                            status_code=201)
    return RedirectResponse(receipt, status_code=303)


@router.get("/lapor/{tracking_id}/receipt")
async def receipt(request: Request, web: Ctx, tracking_id: str,
                  k: Annotated[str, Query(max_length=128)] = "") -> Response:
    canonical = normalize_tracking_id(tracking_id)
    report = await web.intake.report(canonical, k) if canonical and k else None
    if report is None:
        return web.render(request, "error.html", 404, kind="not_found")
    policy = None
    try:
        policy = await web.sla.policy(report.category, report.agency.id if report.agency else None)
    except (ServiceDown, ApiError):
        pass  # the receipt is still the receipt without the deadlines
    private_url = f"{str(request.base_url).rstrip('/')}/lapor/{report.tracking_id}?k={k}"
    return web.render(request, "receipt.html", report=report, policy=policy, private_url=private_url)
