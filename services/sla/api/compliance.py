"""Compliance figures and the agency ranking that oversight reads (JSON and CSV).

Aggregates only (the cases behind a figure are for staff): no report content and no identity ever reaches these figures, so they are
as public as LAPOR's own published rankings.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse

from services.sla import compliance
from services.sla.repository import REPORTS
from shared.auth import Principal, region_allowed, require_reader
from shared.directory import DirectoryDep
from shared.problems import Problem
from shared.runtime import Runtime, get_runtime

router = APIRouter(prefix="/v1/sla", tags=["compliance"])

Period = Annotated[str, Query(pattern=compliance.PERIOD.pattern, description="YYYY or YYYY-MM", examples=["2026-11"])]
By = Annotated[Literal["agency", "region", "category", "month"], Query(description="how rows are grouped")]
Region = Annotated[str | None, Query(pattern=r"^(ID|\d{2}(\.\d{2}(\.\d{2})?)?)$",
                                     description="only reports in this region and the regions inside it")]
MinReceived = Annotated[int, Query(ge=1, le=1_000_000, description="reports an agency needs to be ranked")]


@router.get("/compliance")
async def figures(runtime: Annotated[Runtime, Depends(get_runtime)], period: Period, by: By = "agency",
                  region: Region = None) -> dict[str, Any]:
    return {"period": period, "by": by, "region": region, "rows": await compliance.figures(runtime.db, period, by, region)}


@router.get("/compliance.csv", response_class=PlainTextResponse,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV, one row a group"}})
async def figures_csv(runtime: Annotated[Runtime, Depends(get_runtime)], period: Period,
                      by: By = "agency", region: Region = None) -> PlainTextResponse:
    rows = await compliance.figures(runtime.db, period, by, region)
    return PlainTextResponse(compliance.to_csv(rows), media_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="lapor-compliance-{by}-{period}.csv"'})


@router.get("/ranking")
async def ranking(runtime: Annotated[Runtime, Depends(get_runtime)], period: Period,
                  min_received: MinReceived = 1, region: Region = None) -> dict[str, Any]:
    rows = await compliance.figures(runtime.db, period, "agency", region)
    return {"period": period, "rows": compliance.ranking(rows, min_received)}


Behind = Annotated[Literal["received", "late", "on_time", "resolved", "rated"],
                   Query(description="which reports of the group: all received, first follow-up late or on time, resolved, rated")]
BEHIND = {"received": {}, "late": {"fu_due": 1, "fu_on_time": 0}, "on_time": {"fu_on_time": 1},
          "resolved": {"resolved": 1}, "rated": {"rated": 1}}
CASE_FIELDS = ("category", "region_code", "timezone", "agency_id", "agency_name", "status", "channel", "received_at",
               "first_response_hours", "fu_due", "fu_on_time", "resolved", "rating")


@router.get("/compliance/cases")
async def cases_behind(runtime: Annotated[Runtime, Depends(get_runtime)], principal: Annotated[Principal, Depends(require_reader)],
                       directory: DirectoryDep, period: Period, by: By, key: Annotated[str, Query(max_length=64)],
                       behind: Behind = "received", region: Region = None,
                       offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
                       limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    """The reports behind one figure (staff only): their facts, never their text or reporter."""
    agency = directory.agencies.get(principal.agency_id or "")
    if not region_allowed(principal, agency.region_code if agency else None, region or "ID"):
        raise Problem(403, "Forbidden", "this region is outside your agency's", field="region")
    query = {"month_key": {"$in": compliance.months_of(period)}, compliance.GROUPS[by]: key,
             **compliance.region_match(region), **BEHIND[behind]}
    docs = await runtime.db[REPORTS].find(query, {"outbox": 0}).sort([("received_at", 1), ("_id", 1)]) \
        .skip(offset).limit(limit).to_list(length=limit)
    total = await runtime.db[REPORTS].count_documents(query)
    return {"period": period, "by": by, "key": key, "behind": behind, "total": total, "offset": offset,
            "items": [{"tracking_id": d["_id"], **{k: d.get(k) for k in CASE_FIELDS}} for d in docs]}
