"""The agency directory, read-only over HTTP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from shared.auth import Principal, require_staff
from shared.directory import Agency, DirectoryDep
from shared.problems import Problem

router = APIRouter(prefix="/v1/agencies", tags=["directory"])


def _public(agency: Agency) -> dict[str, object]:
    # contacts are for the notifier, not for the public directory
    return agency.model_dump(exclude={"contacts"})


@router.get("")
async def list_agencies(
    directory: DirectoryDep,
    region_code: Annotated[str | None, Query(max_length=13)] = None,
    category: Annotated[str | None, Query(max_length=48)] = None,
) -> dict[str, object]:
    items = [
        _public(a) for a in directory.agencies.values()
        if (region_code is None or a.region_code == region_code) and (category is None or category in a.categories)
    ]
    return {"version": directory.version, "items": items,
            "categories": [c.model_dump() for c in directory.categories.values()]}


@router.get("/{agency_id}")
async def get_agency(agency_id: str, directory: DirectoryDep) -> dict[str, object]:
    agency = directory.agencies.get(agency_id)
    if agency is None:
        raise Problem(404, "Not found", "no agency with this id", field="agency_id")
    return {**_public(agency), "children": directory.children.get(agency_id, []),
            "ancestors": directory.ancestors(agency_id)}


@router.get("/{agency_id}/staff")
async def agency_for_staff(agency_id: str, directory: DirectoryDep,
                           principal: Annotated[Principal, Depends(require_staff)]) -> dict[str, object]:
    """An agency with its notification contacts and its units, for staff of the agency, of an
    agency above it, or oversight (anyone else: 404, like an agency that does not exist)."""
    agency = directory.agencies.get(agency_id)
    mine = principal.role == "oversight" or agency_id in directory.subtree(principal.agency_id or "")
    if agency is None or not mine:
        raise Problem(404, "Not found", "no agency with this id", field="agency_id")
    return {**agency.model_dump(), "children": directory.children.get(agency_id, []),
            "subtree": directory.subtree(agency_id), "ancestors": directory.ancestors(agency_id)}
