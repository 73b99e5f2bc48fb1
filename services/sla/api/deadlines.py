"""Deadlines of one report, and what is overdue now."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from services.sla.policy import PoliciesDep
from services.sla.repository import DeadlineRepository
from shared.events import utcnow
from shared.runtime import Runtime, get_runtime

router = APIRouter(prefix="/v1/sla", tags=["sla"])

_FIELDS = ("tracking_id", "stage", "status", "started_at", "due_at", "met_at", "on_time", "timezone",
           "agency_id", "report_class", "policy_version", "next_step", "next_at", "steps", "paused_at")


def _out(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: doc.get(k) for k in _FIELDS}


@router.get("/reports/{tracking_id}")
async def report_deadlines(tracking_id: str, runtime: Annotated[Runtime, Depends(get_runtime)]) -> dict[str, Any]:
    repo = DeadlineRepository(runtime.db)
    steps = [{k: s.get(k) for k in ("stage", "step", "at", "due_at")} for s in await repo.steps_of(tracking_id)]
    return {"items": [_out(d) for d in await repo.for_report(tracking_id)], "escalations": steps}


@router.get("/overdue")
async def overdue(runtime: Annotated[Runtime, Depends(get_runtime)],
                  limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    return {"items": [_out(d) for d in await DeadlineRepository(runtime.db).overdue(utcnow(), limit)]}


@router.get("/policy")
async def policy_summary(book: PoliciesDep,
                         category: Annotated[str | None, Query(max_length=48)] = None,
                         agency_id: Annotated[str | None, Query(max_length=64)] = None) -> dict[str, Any]:
    """The deadlines a new report of this category (and agency) runs on: what a receipt tells."""
    policy = book.current
    report_class = policy.report_class(category)
    return {"version": policy.version, "report_class": report_class,
            "stages": {stage: policy.duration(stage, report_class, agency_id).model_dump(exclude_none=True)
                       for stage in policy.stages}}
