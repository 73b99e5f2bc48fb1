"""Oversight's pages: compliance by agency, region, topic or month with sorting, the ranking,
persistent breaches, and the cases behind any figure.

Every figure is SLA's (``/v1/sla/compliance``), drawn as a server-side SVG chart beside an
HTML table of the same numbers. The cases behind a figure come with the signed-in user's
token and carry only SLA's facts about them (never text or reporter); the case page they link
to applies routing's privacy rules.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from services.web import charts, i18n
from services.web.context import Ctx, WebContext
from services.web.pages.command_centre import category_namer, directory_or_none
from services.web.sessions import StaffSession
from services.web.staff import StaffDep, token_for
from shared.regions import region_name

router = APIRouter()

PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")
REGION = re.compile(r"^\d{2}(\.\d{2}(\.\d{2})?)?$")
By = Literal["agency", "region", "category", "month"]
SORTABLE = ("key", "received", "followed_up_due", "followed_up_on_time", "on_time_pct",
            "median_first_response_hours", "resolved", "average_rating")
PAGE = 50


def this_month() -> str:
    return datetime.now(ZoneInfo("Asia/Jakarta")).strftime("%Y-%m")


def _period(value: str | None, by: str) -> str:
    period = value if value and PERIOD.match(value) else this_month()
    return period[:4] if by == "month" else period


def _refuse(web: WebContext, request: Request, staff: StaffSession) -> Response | None:
    if staff.role != "oversight":
        return web.render(request, "error.html", 403, kind="forbidden")
    return None


def sort_rows(rows: list[dict[str, Any]], column: str, descending: bool) -> list[dict[str, Any]]:
    """By one column; rows without a figure go last either way."""
    present = [r for r in rows if r.get(column) is not None]
    missing = [r for r in rows if r.get(column) is None]
    present.sort(key=lambda r: (r[column] if column != "key" else str(r[column])), reverse=descending)
    return present + missing


def norm_of(rows: list[dict[str, Any]]) -> float | None:
    """The on-time share of all the rows together: the norm each row is held against."""
    due = sum(r["followed_up_due"] for r in rows)
    return round(100 * sum(r["followed_up_on_time"] for r in rows) / due, 1) if due else None


def labeller(by: str, directory: Any) -> Any:
    names = category_namer(directory)

    def label(row: dict[str, Any]) -> str:
        key = row.get("key")
        if key is None:
            return i18n.gettext_("Not yet forwarded") if by == "agency" else "–"
        if by == "agency":
            return str(row.get("name") or key or "–")
        if by == "category":
            return names(key)
        if by == "region":
            return region_name(key) or str(key or "–")
        return str(key or "–")
    return label


@router.get("/oversight")
async def compliance_page(request: Request, web: Ctx, staff: StaffDep, by: By = "agency",
                          period: Annotated[str | None, Query(max_length=7)] = None,
                          region: Annotated[str | None, Query(max_length=8)] = None,
                          sort: Annotated[str, Query(max_length=40)] = "on_time_pct",
                          dir: Literal["asc", "desc"] = "asc") -> Response:
    if refused := _refuse(web, request, staff):
        return refused
    period_ = _period(period, by)
    region_ = region if region and REGION.match(region) else None
    column = sort if sort in SORTABLE else "on_time_pct"
    rows = await web.sla.compliance(period_, by, region_)
    lang = web.lang(request)
    label = labeller(by, await directory_or_none(web))
    i18n.use(lang)
    rows = sort_rows([{**r, "label": label(r)} for r in rows], column, dir == "desc")
    norm = norm_of(rows)
    chart = charts.hbars([(r["label"], r["on_time_pct"]) for r in rows[:40]], unit=" %", max_value=100, norm=norm, width=760,
                         norm_label=i18n.t(lang, "all"),
                         title=i18n.t(lang, "First follow-up on time, by row of the table beside"))
    base = {"by": by, "period": period_, **({"region": region_} if region_ else {})}
    return web.render(request, "oversight.html", view="compliance", rows=rows, chart=chart, norm=norm, by=by,
                      period=period_, region=region_, sort=column, dir=dir, base=base, urlencode=urlencode)


@router.get("/oversight/compliance.csv")
async def compliance_csv(request: Request, web: Ctx, staff: StaffDep, by: By = "agency",
                         period: Annotated[str | None, Query(max_length=7)] = None,
                         region: Annotated[str | None, Query(max_length=8)] = None) -> Response:
    if refused := _refuse(web, request, staff):
        return refused
    period_, region_ = _period(period, by), (region if region and REGION.match(region) else None)
    rows = await web.sla.compliance(period_, by, region_)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["key", "name", *SORTABLE[1:]])
    for r in rows:
        writer.writerow([_cell(r.get("key")), _cell(r.get("name")), *(_cell(r.get(c)) for c in SORTABLE[1:])])
    return Response(out.getvalue(), media_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="lapor-compliance-{by}-{period_}.csv"'})


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value   # a spreadsheet would run it as a formula
    return value


@router.get("/oversight/ranking")
async def ranking_page(request: Request, web: Ctx, staff: StaffDep,
                       period: Annotated[str | None, Query(max_length=7)] = None,
                       region: Annotated[str | None, Query(max_length=8)] = None) -> Response:
    if refused := _refuse(web, request, staff):
        return refused
    period_, region_ = _period(period, "agency"), (region if region and REGION.match(region) else None)
    rows = await web.sla.compliance(period_, "agency", region_)
    norm = norm_of(rows)
    ranked = sorted((r for r in rows if r["key"]), key=lambda r: (
        r["on_time_pct"] is None, -(r["on_time_pct"] or 0),
        r["median_first_response_hours"] is None, r["median_first_response_hours"] or 0, -(r["average_rating"] or 0)))
    lang = web.lang(request)
    i18n.use(lang)
    chart = charts.hbars([(r["name"] or r["key"], r["on_time_pct"]) for r in ranked[:40]], unit=" %", max_value=100, width=760,
                         norm=norm, norm_label=i18n.t(lang, "all"),
                         title=i18n.t(lang, "Agencies ranked by first follow-up on time"))
    return web.render(request, "oversight.html", view="ranking", rows=ranked, chart=chart, norm=norm,
                      period=period_, region=region_, by="agency",
                      base={"by": "agency", "period": period_, **({"region": region_} if region_ else {})},
                      urlencode=urlencode)


def months_back(month: str, n: int) -> list[str]:
    year, mon = int(month[:4]), int(month[5:7])
    out = []
    for _ in range(n):
        out.append(f"{year}-{mon:02d}")
        year, mon = (year - 1, 12) if mon == 1 else (year, mon - 1)
    return out[::-1]


@router.get("/oversight/breaches")
async def breaches_page(request: Request, web: Ctx, staff: StaffDep,
                        months: Annotated[int, Query(ge=2, le=12)] = 6,
                        at_least: Annotated[int, Query(ge=1, le=12)] = 3,
                        target: Annotated[float, Query(ge=1, le=100)] = 80.0,
                        until: Annotated[str | None, Query(max_length=7)] = None) -> Response:
    """Agencies whose first follow-up was on time less often than ``target`` in at least
    ``at_least`` of the last ``months`` months."""
    if refused := _refuse(web, request, staff):
        return refused
    last = until if until and PERIOD.match(until) and len(until) == 7 else this_month()
    span = months_back(last, months)
    grid: dict[str, dict[str, Any]] = {}
    for month in span:
        for r in await web.sla.compliance(month, "agency"):
            if not r["key"]:
                continue
            row = grid.setdefault(r["key"], {"key": r["key"], "name": r["name"] or r["key"], "months": {}, "breaches": 0})
            row["months"][month] = r["on_time_pct"]
            if r["on_time_pct"] is not None and r["on_time_pct"] < target:
                row["breaches"] += 1
    persistent = sorted((r for r in grid.values() if r["breaches"] >= min(at_least, months)),
                        key=lambda r: (-r["breaches"], r["name"]))
    return web.render(request, "oversight.html", view="breaches", rows=persistent, span=span, months=months,
                      at_least=min(at_least, months), target=target, until=last, by="agency",
                      base={"by": "agency", "period": last}, urlencode=urlencode)


Behind = Literal["received", "late", "on_time", "resolved", "rated"]


@router.get("/oversight/cases")
async def cases_behind(request: Request, web: Ctx, staff: StaffDep, by: By,
                       key: Annotated[str, Query(max_length=64)], behind: Behind = "received",
                       period: Annotated[str | None, Query(max_length=7)] = None,
                       region: Annotated[str | None, Query(max_length=8)] = None,
                       offset: Annotated[int, Query(ge=0, le=100_000)] = 0) -> Response:
    if refused := _refuse(web, request, staff):
        return refused
    period_, region_ = _period(period, by), (region if region and REGION.match(region) else None)
    token = await token_for(web, staff, request)
    params = {"period": period_, "by": by, "key": key, "behind": behind, "offset": str(offset), "limit": str(PAGE),
              **({"region": region_} if region_ else {})}
    found = await web.sla.cases_behind(token, params)
    directory = await directory_or_none(web)
    label = labeller(by, directory)({"key": key, "name": next((i.get("agency_name") for i in found["items"]), None)})
    return web.render(request, "oversight.html", view="cases", found=found, by=by, key=key, behind=behind,
                      period=period_, region=region_, label=label, offset=offset, page=PAGE,
                      category_name=category_namer(directory), base={"by": by, "period": period_},
                      urlencode=urlencode, params=params)
