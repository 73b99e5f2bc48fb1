"""What the command centre's wallboard and the regional head's monthly recap read.

Staff read the regions their agency covers (oversight and national bodies every one); the
operator token reads too, for the command that mails the recap. No report text and no
reporter ever reach SLA, so nothing here can carry either.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from services.sla import board, recap
from services.sla.policy import PoliciesDep
from shared.auth import Principal, region_allowed, require_reader
from shared.directory import DirectoryDep
from shared.events import utcnow
from shared.problems import Problem
from shared.runtime import Runtime, get_runtime

router = APIRouter(prefix="/v1/sla", tags=["command centre"])

SCOPE = r"^(ID|\d{2}(\.\d{2})?)$"
Scope = Annotated[str, Query(pattern=SCOPE, description="ID (the nation), a province (63) or a regency (63.71)",
                             examples=["63.71"])]
Month = Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", examples=["2026-11"])]
AsOf = Annotated[datetime | None, Query(description="what counts as old is judged at this instant (default: now)")]
LEAGUE = board.LeagueCache(ttl_s=60.0)
# the screens of one room ask within moments of each other: one assembly serves them all
BOARD_TTL_S = 2.0
BOARDS: dict[tuple[str, int], tuple[float, dict[str, Any]]] = {}


def _check(principal: Principal, directory: Any, scope: str) -> None:
    agency = directory.agencies.get(principal.agency_id or "")
    if not region_allowed(principal, agency.region_code if agency else None, scope):
        raise Problem(403, "Forbidden", "this region is outside your agency's", field="scope")


@router.get("/board")
async def wallboard(runtime: Annotated[Runtime, Depends(get_runtime)],
                    principal: Annotated[Principal, Depends(require_reader)], directory: DirectoryDep, book: PoliciesDep, scope: Scope = "ID",
                    cases: Annotated[int, Query(ge=0, le=200)] = 48) -> dict[str, Any]:
    """Counts today and this month, open cases by colour, the overdue list, the month's agency
    league, top categories and regions, and the 30-day trend of one room."""
    _check(principal, directory, scope)
    key = (scope, cases)
    hit = BOARDS.get(key)
    if hit and time.monotonic() - hit[0] < BOARD_TTL_S:
        return hit[1]
    figures = await board.board(runtime.db, scope, utcnow(), book.calendar(book.current.version), LEAGUE, cases=cases)
    if len(BOARDS) > 500:   # rooms are few; bound it all the same
        BOARDS.clear()
    BOARDS[key] = (time.monotonic(), figures)
    return figures


@router.get("/recap")
async def monthly_recap(runtime: Annotated[Runtime, Depends(get_runtime)],
                        principal: Annotated[Principal, Depends(require_reader)], directory: DirectoryDep,
                        region: Scope, month: Month,
                        as_of: AsOf = None) -> dict[str, Any]:
    """A regional head's month: volume and trend, top categories and places, on-time rates per
    agency against the national norm, the slowest agencies, old unresolved cases, ratings."""
    _check(principal, directory, region)
    return await recap.recap(runtime.db, region, month, as_of or utcnow())
