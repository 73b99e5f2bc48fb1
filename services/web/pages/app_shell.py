"""The installable web app (LAPOR!'s app channel): manifest, service worker, offline page; and
the portal's health endpoints."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.responses import Response

from services.web import i18n
from services.web.clients import ApiError, ServiceDown, _Api
from services.web.context import Ctx

router = APIRouter()
STATIC = Path(__file__).resolve().parents[1] / "static"


@router.get("/manifest.webmanifest")
async def manifest(request: Request, web: Ctx) -> Response:
    lang = web.lang(request)
    return JSONResponse({
        "name": "LAPOR! — " + i18n.t(lang, "Public service complaints"),
        "short_name": "LAPOR!",
        "lang": lang,
        "start_url": "/lapor",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#8a1c1c",
        "icons": [{"src": f"/static/icons/icon-{size}.png", "sizes": f"{size}x{size}", "type": "image/png",
                   "purpose": "any maskable"} for size in (192, 512)],
    }, media_type="application/manifest+json")


@router.get("/sw.js")
async def service_worker() -> Response:
    # served from the root so that its scope is the whole portal
    return FileResponse(STATIC / "js" / "sw.js", media_type="text/javascript",
                        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"})


@router.get("/offline")
async def offline(request: Request, web: Ctx) -> Response:
    return web.render(request, "error.html", 200, kind="offline")


@router.get("/health/live")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/health/ready")
async def ready(web: Ctx) -> dict[str, object]:
    """Ready whatever the services' state: the portal still serves pages and says what is
    unavailable. The checks tell an operator which of the services it calls answer."""
    async def answers(client: _Api) -> bool:
        try:
            await client._call("GET", "/health/live")
            return True
        except (ServiceDown, ApiError):
            return False
    clients = {"intake": web.intake, "routing": web.routing, "sla": web.sla}
    results = await asyncio.gather(*(answers(c) for c in clients.values()))
    return {"status": "ready", "checks": dict(zip(clients, results))}


@router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
