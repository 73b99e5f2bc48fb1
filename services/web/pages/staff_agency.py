"""An agency as its staff see it: its units, its contacts, its open and overdue cases."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from services.web.context import Ctx
from services.web.staff import StaffDep, token_for
from shared.statuses import OPEN

router = APIRouter()


@router.get("/staff/agency")
async def my_agency(staff: StaffDep) -> Response:
    return RedirectResponse(f"/staff/agencies/{staff.agency_id}" if staff.agency_id else "/staff", status_code=303)


@router.get("/staff/agencies/{agency_id}")
async def agency_page(request: Request, web: Ctx, staff: StaffDep, agency_id: str) -> Response:
    token = await token_for(web, staff, request)
    agency = await web.cases.agency(token, agency_id[:64])
    if agency is None:
        return web.render(request, "error.html", 404, kind="not_found")
    directory = await web.routing.directory()
    counts = (await web.cases.counts(token, {"agency_id": agency["id"]}))["by_status"]
    overdue = (await web.cases.counts(token, {"agency_id": agency["id"], "overdue": "true"}))["by_status"]
    units = [a for a in directory.agencies if a.id in set(agency["subtree"]) and a.id != agency["id"]]
    depth = {a.id: 0 for a in units}
    for a in units:   # indent units under their parents
        node, d = a, 0
        while node and node.parent and node.parent != agency["id"]:
            node, d = directory.agency(node.parent), d + 1
        depth[a.id] = d
    return web.render(request, "staff_agency.html", agency=agency, units=units, depth=depth, counts=counts,
                      open_count=sum(counts.get(s.value, 0) for s in OPEN),
                      overdue_count=sum(overdue.get(s.value, 0) for s in OPEN),
                      ancestors=[directory.agency(a) for a in agency.get("ancestors", [])])
