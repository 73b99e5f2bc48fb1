"""A regional head's month, assembled from the compliance figures (one source of truth: the
recap's numbers are the rows ``/v1/sla/compliance`` gives for the same month and region)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.sla import compliance
from services.sla.board import BoardRepository, aware, child_in

TREND_MONTHS = 6
OLD_AFTER_DAYS = 30
OLD_SHOWN = 10


def months_before(month: str, n: int) -> list[str]:
    """``n`` months ending with ``month``, oldest first."""
    year, mon = (int(x) for x in month.split("-"))
    out = []
    for _ in range(n):
        out.append(f"{year}-{mon:02d}")
        year, mon = (year - 1, 12) if mon == 1 else (year, mon - 1)
    return out[::-1]


def _one(rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    return rows[0] if rows else None


async def recap(db: AsyncDatabase, region: str, month: str, now: datetime) -> dict[str, Any]:
    agencies = await compliance.figures(db, month, "agency", region)
    categories = await compliance.figures(db, month, "category", region)
    places: dict[str, int] = {}
    for row in await compliance.figures(db, month, "region", region):
        child = child_in(region, row["key"]) or row["key"] or "?"
        places[child] = places.get(child, 0) + row["received"]
    trend = []
    for m in months_before(month, TREND_MONTHS):
        total = _one(await compliance.figures(db, m, "all", region))
        trend.append({"month": m, "received": total["received"] if total else 0})
    cutoff = now - timedelta(days=OLD_AFTER_DAYS)
    old, old_total = await BoardRepository(db).oldest_open(region, cutoff, OLD_SHOWN)
    slowest = sorted((r for r in agencies if r["key"] and r["median_first_response_hours"] is not None),
                     key=lambda r: (-r["median_first_response_hours"], str(r["key"])))[:5]
    return {
        "region": region, "month": month, "as_of": now,
        "totals": _one(await compliance.figures(db, month, "all", region)),
        "national": _one(await compliance.figures(db, month, "all")),
        "trend": trend,
        "top_categories": sorted(({"key": r["key"], "received": r["received"]} for r in categories),
                                 key=lambda r: (-r["received"], str(r["key"])))[:5],
        "top_places": [{"key": k, "received": n} for k, n in sorted(places.items(), key=lambda kv: (-kv[1], kv[0]))[:5]],
        "agencies": compliance.ranking(agencies, 1),
        "slowest": slowest,
        "old_cases": [{"tracking_id": d["_id"], "age_days": (now - aware(d["received_at"])).days,
                       **{k: d.get(k) for k in ("status", "category", "agency_id", "agency_name", "region_code",
                                                "received_at", "due_at")}} for d in old],
        "old_cases_total": old_total,
        "old_after_days": OLD_AFTER_DAYS,
    }
