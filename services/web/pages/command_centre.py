"""The command centre's wallboard: one room's live figures on a wall screen.

The page is drawn whole on the server (and reloads itself without JavaScript). With it, the
browser holds one Server-Sent Events connection; the portal asks SLA for the room's figures
every few seconds with the signed-in user's token and sends the board's HTML down it. When SLA
does not answer, the last figures stay up, marked with the time they are from, until it does.
The stream ends after a while and the browser opens a new one, so neither side grows.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, StreamingResponse
from jinja2_fragments import render_block
from starlette.responses import Response

from services.web import charts, i18n
from services.web.clients import ApiError, BoardFigures, Directory, ServiceDown
from services.web.context import Ctx, WebContext
from services.web.sessions import COOKIE, StaffSession
from services.web.staff import StaffDep, token_for
from shared.auth import Principal, region_allowed
from shared.regions import region_name

router = APIRouter()
SCOPE = re.compile(r"^(ID|\d{2}(\.\d{2})?)$")
TEMPLATE = "command_centre.html"


async def home_region(web: WebContext, staff: StaffSession) -> str | None:
    """The region of the user's agency; None for a national body or oversight (the nation)."""
    if staff.role in ("oversight",) or not staff.agency_id:
        return None
    agency = (await web.routing.directory()).agency(staff.agency_id)
    return agency.region_code if agency else None


def room_name(scope: str) -> str:
    return "Indonesia" if scope == "ID" else (region_name(scope) or scope)


async def _room(web: WebContext, staff: StaffSession, scope: str) -> str | None:
    """The kind of error page to show, or None when this user may watch this room."""
    if not SCOPE.match(scope) or (scope != "ID" and region_name(scope) is None):
        return "not_found"
    principal = Principal(staff.subject, staff.role, staff.agency_id)
    if not region_allowed(principal, await home_region(web, staff), scope):
        return "not_your_region"
    return None


@router.get("/command-centre")
async def my_room(web: Ctx, staff: StaffDep) -> Response:
    region = await home_region(web, staff)
    return RedirectResponse(f"/command-centre/{region[:5] if region else 'ID'}", status_code=303)


def category_namer(directory: Directory | None) -> Callable[[str | None], str]:
    def name(category_id: str | None) -> str:
        category = directory.category(category_id) if directory and category_id else None
        return category.name if category else (category_id or "–")
    return name


def board_values(figures: BoardFigures | None, scope: str, stale: bool, lang: str,
                 directory: Directory | None) -> dict[str, Any]:
    """What the board block is drawn from: the figures and the charts made of them."""
    values: dict[str, Any] = {"figures": figures, "scope": scope, "room": room_name(scope), "stale": stale,
                              "lang": lang, "category_name": category_namer(directory)}
    if figures is not None:
        i18n.use(lang)
        values["trend_svg"] = charts.series(
            [(row["day"][8:] + "/" + row["day"][5:7], [row["received"], row["resolved"]]) for row in figures.trend],
            title=i18n.t(lang, "Reports received and resolved, last 30 days"),
            names=[i18n.t(lang, "Received"), i18n.t(lang, "Resolved")], palette=charts.DARK, width=1100, height=220)
    return values


@router.get("/command-centre/{scope}")
async def wallboard(request: Request, web: Ctx, staff: StaffDep, scope: str) -> Response:
    refused = await _room(web, staff, scope)
    if refused:
        return web.render(request, "error.html", 404 if refused == "not_found" else 403, kind=refused)
    token = await token_for(web, staff, request)
    lang = web.lang(request)
    try:
        figures: BoardFigures | None = await web.sla.board(token, scope)
    except ServiceDown:
        figures = None
    return web.render(request, TEMPLATE, **board_values(figures, scope, figures is None, lang,
                                                        await directory_or_none(web)))


async def directory_or_none(web: WebContext) -> Directory | None:
    """Topic names come from the directory; without routing the board still shows, with IDs."""
    try:
        return await web.routing.directory()
    except (ServiceDown, ApiError):
        return None


def sse(event: str, html: str) -> str:
    return f"event: {event}\n" + "".join(f"data: {line}\n" for line in html.splitlines()) + "\n"


@router.get("/command-centre/{scope}/events")
async def board_events(request: Request, web: Ctx, scope: str) -> Response:
    # no redirect to sign-in here: an event stream cannot follow one. A 401 ends the browser's
    # stream, and the page then reloads itself, which signs in again through the provider.
    staff = web.store.get(request.cookies.get(COOKIE))
    if staff is None:
        return Response(status_code=401)
    refused = await _room(web, staff, scope)
    if refused:
        return Response(status_code=404 if refused == "not_found" else 403)
    lang, session_id = web.lang(request), request.cookies.get(COOKIE)
    env = web.templates.env

    async def draw(figures: BoardFigures | None, stale: bool) -> str:
        directory = await directory_or_none(web)
        i18n.use(lang)
        return render_block(env, TEMPLATE, "board", **board_values(figures, scope, stale, lang, directory))

    async def stream() -> AsyncIterator[str]:
        yield f"retry: {int(web.settings.board_retry_s * 1000)}\n\n"
        last: BoardFigures | None = None
        ends = time.monotonic() + web.settings.board_stream_s
        while time.monotonic() < ends:
            session = web.store.get(session_id)        # also keeps a watched session from idling out
            token = await web.oidc.fresh_token(session) if session else None
            if token is None:
                i18n.use(lang)
                yield sse("signin", render_block(env, TEMPLATE, "signin", lang=lang, scope=scope))
                return
            try:
                last = await web.sla.board(token, scope)
                yield sse("board", await draw(last, stale=False))
            except ServiceDown:
                yield sse("board", await draw(last, stale=True))
            except ApiError:
                return
            await asyncio.sleep(web.settings.board_refresh_s)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
