"""Home (what LAPOR! is, the channels, the tracking box), the tracking-ID look-up and the
language switch."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from services.web import i18n
from services.web.context import Ctx
from services.web.security import cookie
from shared import regions
from shared.tracking import normalize_tracking_id

router = APIRouter()


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/")
async def home(request: Request, web: Ctx, region: Annotated[str | None, Query(max_length=13)] = None) -> Response:
    keyword = None
    try:
        directory = await web.routing.directory()
        keyword = directory.keyword_for(region) if region else None
        keyword_regions = sorted({(a.region_code, regions.region_name(a.region_code) or a.name)
                                  for a in directory.agencies if a.region_code and a.keywords}, key=lambda r: r[1])
    except Exception:  # the home page still explains and tracks without the directory
        keyword_regions = []
    return web.render(request, "home.html", region=region, keyword=keyword, keyword_regions=keyword_regions)


@router.get("/track")
async def track(request: Request, web: Ctx, id: Annotated[str, Query(max_length=40)] = "") -> Response:
    canonical = normalize_tracking_id(id)
    if canonical is None:
        return web.render(request, "home.html", 422 if id else 200, track_error=bool(id), typed_id=id,
                          keyword_regions=[])
    return RedirectResponse(f"/lapor/{canonical}", status_code=303)


@router.get("/lang/{code}")
async def switch_language(code: str, web: Ctx, next: Annotated[str | None, Query(max_length=2000)] = None) -> Response:
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in i18n.LANGUAGES:
        response.headers.append("set-cookie", cookie(i18n.COOKIE, code, secure=web.settings.secure_cookies, max_age=365 * 86400))
    return response
