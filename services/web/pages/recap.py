"""``/recap/{region}/{YYYY-MM}``: a regional head's month, as a printable page and as its PDF.

Staff of the region (and oversight) open it; the operator's ``send-recaps`` command mails the
PDF to each region's head through the notifier.
"""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from starlette.responses import Response

from services.web import recap as sheet
from services.web.clients import ApiError, Recap
from services.web.context import Ctx, WebContext
from services.web.pages.command_centre import _room, directory_or_none
from services.web.sessions import StaffSession
from services.web.staff import StaffDep, token_for

router = APIRouter()
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


async def _recap(request: Request, web: WebContext, staff: StaffSession, region: str,
                 month: str) -> Recap | Response:
    """The region's month, or the page that says why not (an unknown region or month, one
    outside the user's region)."""
    refused = await _room(web, staff, region) if MONTH.match(month) and region != "ID" else "not_found"
    if refused:
        return web.render(request, "error.html", 404 if refused == "not_found" else 403, kind=refused)
    token = await token_for(web, staff, request)
    try:
        return await web.sla.recap(token, region, month)
    except ApiError as exc:
        if exc.status in (400, 422):
            return web.render(request, "error.html", 404, kind="not_found")
        raise


@router.get("/recap/{region}/{month}.pdf")
async def recap_pdf(request: Request, web: Ctx, staff: StaffDep, region: str, month: str) -> Response:
    recap = await _recap(request, web, staff, region, month)
    if isinstance(recap, Response):
        return recap
    pdf = await sheet.render_pdf(web.templates.env, recap, web.lang(request), await directory_or_none(web))
    return Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="lapor-rekap-{region}-{month}.pdf"', "Cache-Control": "private"})


@router.get("/recap/{region}/{month}")
async def recap_page(request: Request, web: Ctx, staff: StaffDep, region: str, month: str) -> Response:
    recap = await _recap(request, web, staff, region, month)
    if isinstance(recap, Response):
        return recap
    html = sheet.render_html(web.templates.env, recap, web.lang(request), await directory_or_none(web), pdf=False)
    return Response(html, media_type="text/html; charset=utf-8")
