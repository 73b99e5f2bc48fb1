"""Compliance figures and the agency ranking that oversight reads (JSON and CSV).

Aggregates only: no report content and no identity ever reaches these figures, so they are
as public as LAPOR's own published rankings.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse

from services.sla import compliance
from shared.runtime import Runtime, get_runtime

router = APIRouter(prefix="/v1/sla", tags=["compliance"])

Period = Annotated[str, Query(pattern=compliance.PERIOD.pattern, description="YYYY or YYYY-MM", examples=["2026-11"])]
By = Annotated[Literal["agency", "region", "category"], Query(description="how rows are grouped")]
MinReceived = Annotated[int, Query(ge=1, le=1_000_000, description="reports an agency needs to be ranked")]


@router.get("/compliance")
async def figures(runtime: Annotated[Runtime, Depends(get_runtime)], period: Period, by: By = "agency") -> dict[str, Any]:
    return {"period": period, "by": by, "rows": await compliance.figures(runtime.db, period, by)}


@router.get("/compliance.csv", response_class=PlainTextResponse,
            responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV, one row a group"}})
async def figures_csv(runtime: Annotated[Runtime, Depends(get_runtime)], period: Period,
                      by: By = "agency") -> PlainTextResponse:
    rows = await compliance.figures(runtime.db, period, by)
    return PlainTextResponse(compliance.to_csv(rows), media_type="text/csv", headers={
        "Content-Disposition": f'attachment; filename="lapor-compliance-{by}-{period}.csv"'})


@router.get("/ranking")
async def ranking(runtime: Annotated[Runtime, Depends(get_runtime)], period: Period,
                  min_received: MinReceived = 1) -> dict[str, Any]:
    rows = await compliance.figures(runtime.db, period, "agency")
    return {"period": period, "rows": compliance.ranking(rows, min_received)}
