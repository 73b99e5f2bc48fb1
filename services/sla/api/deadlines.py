"""Deadlines of one report (where they stand for anyone, the whole record for staff who may see
the case), and what is overdue now (staff, within their scope)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query

from services.sla.policy import PoliciesDep
from services.sla.repository import DeadlineRepository
from shared.auth import Principal, require_reader
from shared.directory import Directory, DirectoryDep
from shared.events import utcnow
from shared.runtime import Runtime, get_runtime

router = APIRouter(prefix="/v1/sla", tags=["sla"])

_FIELDS = ("tracking_id", "stage", "status", "started_at", "due_at", "met_at", "on_time", "timezone",
           "agency_id", "report_class", "policy_version", "next_step", "next_at", "steps", "paused_at")
# what anyone with the tracking ID may know: where the clocks stand, not who holds the case
_PUBLIC = ("stage", "status", "started_at", "due_at", "met_at", "on_time", "timezone", "paused_at")


def _out(doc: dict[str, Any], fields: tuple[str, ...] = _FIELDS) -> dict[str, Any]:
    return {k: doc.get(k) for k in fields}


def agencies_seen(principal: Principal, directory: Directory) -> set[str] | None:
    """The agencies whose cases this reader sees, as routing's case API scopes them (None: all).
    An officer: their agency's subtree; a coordinator: the agencies they coordinate."""
    if principal.role in ("oversight", "operator"):
        return None
    subtree = set(directory.subtree(principal.agency_id or ""))
    if principal.role == "officer":
        return subtree
    return {a for a in directory.agencies if (c := directory.coordinator_for(a)) is not None and c.id in subtree}


async def optional_reader(runtime: Annotated[Runtime, Depends(get_runtime)],
                          authorization: Annotated[str | None, Header(max_length=4096)] = None) -> Principal | None:
    """No credentials: the public; credentials: they must be valid."""
    return None if not authorization else await require_reader(runtime, authorization)


@router.get("/reports/{tracking_id}")
async def report_deadlines(tracking_id: str, runtime: Annotated[Runtime, Depends(get_runtime)],
                           directory: DirectoryDep,
                           principal: Annotated[Principal | None, Depends(optional_reader)] = None) -> dict[str, Any]:
    """The clocks of one report. The public (the citizen's tracking page) gets where they stand;
    staff who may see the case get the whole record, escalations included."""
    repo = DeadlineRepository(runtime.db)
    docs = await repo.for_report(tracking_id)
    seen = agencies_seen(principal, directory) if principal else set()
    agency = next((d.get("agency_id") for d in docs if d.get("agency_id")), None)
    if principal is None or (seen is not None and agency not in seen):
        return {"items": [_out(d, _PUBLIC) for d in docs if not d.get("tombstone")]}
    steps = [{k: s.get(k) for k in ("stage", "step", "at", "due_at")} for s in await repo.steps_of(tracking_id)]
    return {"items": [_out(d) for d in docs], "escalations": steps}


@router.get("/overdue")
async def overdue(runtime: Annotated[Runtime, Depends(get_runtime)],
                  principal: Annotated[Principal, Depends(require_reader)], directory: DirectoryDep,
                  limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    """Overdue clocks, oldest deadline first, of the cases the reader may see (staff only)."""
    seen = agencies_seen(principal, directory)
    docs = await DeadlineRepository(runtime.db).overdue(utcnow(), limit, None if seen is None else sorted(seen))
    return {"items": [_out(d) for d in docs]}


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
