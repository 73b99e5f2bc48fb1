"""The coordinator and agency case API (bearer JWTs with a role).

Coordinators verify, postpone, archive and merge; officers respond, resolve, forward to a
unit below them and bounce ("not our authority"); oversight reads everything. An officer
sees only cases of their agency's subtree, a coordinator those they coordinate: anything
else answers 404, exactly like a case that does not exist. Cases never hold the reporter's
identity, so no staff response can carry it.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from services.routing import attachments, steps, triage, workflow
from services.routing.settings import RoutingSettingsDep
from services.routing.repository import NO_DUE_SORT, CaseRepository, cases_of, text_filter
from shared.auth import Principal, require_staff
from shared.directory import Directory, DirectoryDep
from shared.problems import Problem
from shared.runtime import Runtime, get_runtime
from shared.statuses import Status

router = APIRouter(prefix="/v1/cases", tags=["cases"])
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
StaffDep = Annotated[Principal, Depends(require_staff)]
Action = Annotated[str, Path(pattern="^(verify|postpone|archive|respond|resolve|forward|bounce|merge|close)$")]


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    version: int | None = Field(None, ge=0, description="the case version the actor saw; a newer one gives 409")
    agency_id: str | None = Field(None, max_length=64)
    category: str | None = Field(None, max_length=48)
    anonymous: bool | None = None
    confidential: bool | None = None
    reason: str | None = Field(None, min_length=3, max_length=1000)
    message: str | None = Field(None, min_length=3, max_length=2000, description="shown to the reporter")
    internal_note: str | None = Field(None, max_length=2000, description="staff only; never reaches the reporter")
    parent: str | None = Field(None, max_length=16, description="merge: the tracking ID of the case to follow")
    public_attachments: list[Annotated[str, Field(max_length=32)]] | None = Field(
        None, max_length=50, description="verify: the reporter's photos the public may see (none is, before this)")


def scope_of(principal: Principal, directory: Directory) -> dict[str, Any]:
    if principal.role == "oversight":
        return {}
    subtree = directory.subtree(principal.agency_id or "")
    return {"agency_id" if principal.role == "officer" else "coordinator_id": {"$in": subtree}}


def visible(case: dict[str, Any], principal: Principal, directory: Directory) -> bool:
    if principal.role == "oversight":
        return True
    key = "agency_id" if principal.role == "officer" else "coordinator_id"
    return case.get(key) in set(directory.subtree(principal.agency_id or ""))


def view(case: dict[str, Any], principal: Principal, directory: Directory) -> dict[str, Any]:
    agency = directory.agencies.get(case.get("agency_id") or "")
    keys = ("status", "version", "type", "title", "body", "category", "region_code", "channel", "privacy",
            "agency_id", "coordinator_id", "route", "duplicate_candidate", "merged_into", "children", "overdue",
            "urgent", "triage", "due_at", "due_stage", "received_at", "updated_at")
    out = {"tracking_id": case["_id"], **{k: case.get(k) for k in keys}}
    out["agency_name"] = agency.name if agency else None
    out["timeline"] = [{k: e.get(k) for k in ("at", "action", "status", "from_status", "actor", "actor_role",
                                              "public_note", "internal_note", "agency_id", "privacy_changed",
                                              "urgency_changed")}
                       for e in case.get("timeline", [])]
    out["attachments"] = attachments.staff_views(case)
    out["allowed_actions"] = workflow.allowed_actions(case, principal.role)
    out["may_set_urgency"] = principal.role == "coordinator"
    return out


Order = Literal["received", "urgency"]


def _cursor(value: str | None, order: Order) -> tuple[Any, ...] | None:
    if not value:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(value.encode()))
        if order == "urgency":
            urgent, due, tid = key
            return bool(urgent), datetime.fromisoformat(due), str(tid)
        at, tid = key
        return datetime.fromisoformat(at), str(tid)
    except (ValueError, binascii.Error, TypeError) as exc:
        raise Problem(400, "Invalid cursor", "use the next_cursor of a previous page", field="cursor") from exc


def _next_cursor(last: dict[str, Any], order: Order) -> str:
    if order == "urgency":
        key: list[Any] = [bool(last.get("urgent")), (last.get("due_sort") or NO_DUE_SORT).isoformat(), last["_id"]]
    else:
        key = [last["received_at"].isoformat(), last["_id"]]
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


class InboxFilters(BaseModel):
    """What an inbox may be narrowed to; the same filters give the counts per status."""

    status: Status | None = None
    category: str | None = Field(None, max_length=48)
    overdue: bool | None = None
    urgent: bool | None = None
    channel: str | None = Field(None, max_length=24)
    region_code: str | None = Field(None, max_length=13, pattern=r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$",
                                    description="this region and every region inside it")
    agency_id: str | None = Field(None, max_length=64, description="this agency and its units")
    q: str | None = Field(None, min_length=2, max_length=100, description="words of the title or text, or a tracking ID")
    received_from: datetime | None = Field(None, alias="from")
    received_to: datetime | None = Field(None, alias="to")

    def query(self, directory: Directory, with_status: bool = True) -> dict[str, Any]:
        parts: list[dict[str, Any]] = []
        for name in ("category", "overdue", "urgent", "channel"):
            value = getattr(self, name)
            if value is not None:
                parts.append({name: value})
        if with_status and self.status is not None:
            parts.append({"status": self.status.value})
        if self.region_code:
            parts.append({"region_code": {"$regex": "^" + re.escape(self.region_code) + r"(\.|$)"}})
        if self.agency_id:
            parts.append({"agency_id": {"$in": directory.subtree(self.agency_id)}})
        if self.q:
            parts.append(text_filter(self.q))
        window = {k: v for k, v in (("$gte", self.received_from), ("$lt", self.received_to)) if v is not None}
        if window:
            parts.append({"received_at": window})
        return {"$and": parts} if parts else {}


FiltersDep = Annotated[InboxFilters, Query()]


@router.get("")
async def inbox(runtime: RuntimeDep, principal: StaffDep, directory: DirectoryDep, filters: FiltersDep,
                settings: RoutingSettingsDep, sort: Order = "received",
                cursor: Annotated[str | None, Query(max_length=300)] = None,
                limit: Annotated[int, Query(ge=1, le=1000)] = 25) -> dict[str, Any]:
    """The cases the caller may see, newest first, or (``sort=urgency``) urgent first, then the
    least time left on the current deadline; pages of at most ``LAPOR_INBOX_PAGE_MAX``."""
    if limit > settings.inbox_page_max:
        raise Problem(422, "Page too large", f"at most {settings.inbox_page_max} cases a page", field="limit")
    cases = await CaseRepository(runtime.db).inbox(scope_of(principal, directory), filters.query(directory),
                                                   _cursor(cursor, sort), limit, sort)
    next_cursor = _next_cursor(cases[-1], sort) if len(cases) == limit else None
    return {"items": [view(c, principal, directory) for c in cases], "next_cursor": next_cursor}


@router.get("/counts")
async def counts(runtime: RuntimeDep, principal: StaffDep, directory: DirectoryDep,
                 filters: FiltersDep) -> dict[str, Any]:
    """Cases per status under the same filters (the status filter itself aside)."""
    by_status = await CaseRepository(runtime.db).counts(scope_of(principal, directory),
                                                        filters.query(directory, with_status=False))
    return {"by_status": {s.value: by_status.get(s.value, 0) for s in Status}, "total": sum(by_status.values())}


async def visible_case(runtime: Runtime, tracking_id: str, principal: Principal,
                        directory: Directory) -> dict[str, Any]:
    case = await CaseRepository(runtime.db).get(tracking_id.upper())
    if case is None or not visible(case, principal, directory):
        raise Problem(404, "Not found", "no case with this tracking ID", field="tracking_id")
    return case


def as_seen(case: dict[str, Any], version: int | None) -> None:
    """409 when the actor saw an older version of the case than the one stored."""
    if version is not None and version != case["version"]:
        raise Problem(409, "Stale case", f"the case is at version {case['version']}, not {version}", field="version")


@router.get("/{tracking_id}")
async def read(tracking_id: Annotated[str, Path(max_length=16)], runtime: RuntimeDep, principal: StaffDep,
               directory: DirectoryDep) -> dict[str, Any]:
    return view(await visible_case(runtime, tracking_id, principal, directory), principal, directory)


class UrgencyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    urgent: bool = Field(description="true raises the case to urgent (first in inboxes, the urgent clocks); false lowers it")
    reason: str = Field(min_length=3, max_length=1000, description="why; kept in the case's history, staff only")
    version: int | None = Field(None, ge=0, description="the case version the coordinator saw; a newer one gives 409")


@router.post("/{tracking_id}/urgency")   # before /{tracking_id}/{action}, which would take the path
async def set_urgency(tracking_id: Annotated[str, Path(max_length=16)], body: UrgencyIn, runtime: RuntimeDep,
                      principal: StaffDep, directory: DirectoryDep) -> dict[str, Any]:
    """A coordinator raises or lowers the triage's urgency, with a reason (audited)."""
    repo = cases_of(runtime)
    case = await visible_case(runtime, tracking_id, principal, directory)
    as_seen(case, body.version)
    if not await triage.set_urgency(runtime, repo, case, body.urgent, body.reason, principal.subject, principal.role):
        raise Problem(409, "Conflict", "the case changed meanwhile; read it again", field="version")
    return view(await repo.get(case["_id"]) or case, principal, directory)


@router.post("/{tracking_id}/{action}")
async def act(tracking_id: Annotated[str, Path(max_length=16)], action: Action, body: ActionIn, runtime: RuntimeDep,
              principal: StaffDep, directory: DirectoryDep) -> dict[str, Any]:
    repo = cases_of(runtime)
    case = await visible_case(runtime, tracking_id, principal, directory)
    as_seen(case, body.version)
    # a refused step raises workflow.WorkflowError: shared.problems answers it (409 or 422 by its kind)
    step = workflow.plan(case, action, principal.role, principal.agency_id, body.model_dump(exclude_none=True), directory)
    publish = body.public_attachments or []
    if publish:
        if action != "verify":
            raise Problem(422, "Step refused", "photos are made public at verification", field="public_attachments")
        attachments.check_publishable(case, publish)
    parent = None
    if action == "merge":
        parent = await repo.get((body.parent or "").upper())
        if parent is None or not visible(parent, principal, directory) or parent.get("merged_into"):
            raise Problem(422, "Step refused", "the parent is not a case you coordinate", field="parent")
        step.to_status = parent["status"]           # a merged report follows its parent's status
        step.fields["merged_into"] = parent["_id"]
    if not await steps.write_step(runtime, repo, case, step, principal.subject, principal.role):
        raise Problem(409, "Conflict", "the case changed meanwhile; read it again", field="version")
    if parent is not None:
        await repo.add_child(parent["_id"], case["_id"])
    if action == "verify" and step.fields.get("category"):
        # the coordinator's decision teaches the classifier
        await repo.learn(case["_id"], f"{case['title']} {case['body']}", step.fields["category"])
    for attachment_id in publish:
        await attachments.set_visibility(runtime, case, attachment_id, True, principal)
    updated = await repo.get(case["_id"])
    await steps.follow_parent(runtime, repo, updated or case, principal.subject, principal.role)
    return view(updated or case, principal, directory)
