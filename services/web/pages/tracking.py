"""The tracking page: the public view by tracking ID, and the reporter's own view through the
private link (``?k=`` the reporter token) with the actions the API allows now."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from services.web.clients import ApiError, Report, ServiceDown
from services.web.context import Ctx, WebContext
from services.web.deadlines import open_deadlines
from shared.events import utcnow
from shared.regions import region_name, timezone_for
from shared.tracking import normalize_tracking_id

router = APIRouter()


def place_name(code: str | None) -> str | None:
    """'Mantuil, Banjarmasin Selatan, Kota Banjarmasin, Kalimantan Selatan': the village up to its province."""
    if not code:
        return None
    parts = code.split(".")
    names = [region_name(".".join(parts[:n])) for n in range(len(parts), 0, -1)]
    return ", ".join(n for n in names if n) or None


async def load_report(web: WebContext, tracking_id: str, token: str | None) -> Report | str:
    """The report, or why not: 'invalid' (mistyped: the check character fails), 'unknown', 'bad_link'."""
    canonical = normalize_tracking_id(tracking_id)
    if canonical is None:
        return "invalid"
    try:
        report = await web.intake.report(canonical, token or None)
    except ApiError as exc:
        if exc.status == 403:
            return "bad_link"
        raise
    return report if report is not None else "unknown"


async def tracking_page(request: Request, web: WebContext, tracking_id: str, token: str | None, *,
                        status: int = 200, done: str | None = None, action_error: dict[str, str] | None = None,
                        typed: dict[str, str] | None = None) -> Response:
    report = await load_report(web, tracking_id, token)
    if isinstance(report, str):
        return web.render(request, "error.html", 404 if report != "bad_link" else 403, kind=report,
                          typed_id=tracking_id)
    deadlines: list[Any] = []
    try:
        deadlines = open_deadlines(await web.sla.deadlines(report.tracking_id), utcnow())
    except (ServiceDown, ApiError):
        deadlines = []  # shown as "not available now"; the rest of the page stands
    names = {"agency": report.agency.name if report.agency else None, "category": None,
             "region": place_name(report.region_code)}
    try:
        directory = await web.routing.directory()
        category = directory.category(report.category)
        names["category"] = category.name if category else None
        agency = directory.agency(report.agency.id) if report.agency else None
        names["agency"] = agency.name if agency else names["agency"]
    except (ServiceDown, ApiError):
        pass
    private = token is not None and report.reporter is not None
    return web.render(request, "track.html", status, report=report, private=private, token=token if private else None,
                      deadlines=deadlines, names=names, tz=timezone_for(report.region_code), done=done,
                      may_reopen=bool(report.reopen_until and report.reopen_until > utcnow()),
                      action_error=action_error or {}, typed=typed or {})


@router.get("/lapor/{tracking_id}")
async def track(request: Request, web: Ctx, tracking_id: str,
                k: Annotated[str | None, Query(max_length=128)] = None,
                done: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    return await tracking_page(request, web, tracking_id, k, done=done)
