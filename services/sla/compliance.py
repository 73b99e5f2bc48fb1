"""Compliance figures for oversight, from per-report facts precomputed at write time.

``sla_reports`` holds one small document per report whose fields are set as its case moves
(month key in the report's zone, agency, region, category, ``fu_due``/``fu_on_time`` for the
first follow-up, ``first_response_hours``, ``resolved``, ``rating``). A figure is one
``$match`` on the period keys and one ``$group``: nothing re-reads timelines or deadlines.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.sla.repository import REPORTS

GROUPS = {"agency": "agency_id", "region": "region_code", "category": "category", "month": "month_key",
          "all": "no_such_field"}   # "all": one row for everything matched (a missing field groups as null)
PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2]))?$")
COLUMNS = ["key", "name", "received", "followed_up_due", "followed_up_on_time", "on_time_pct",
           "median_first_response_hours", "resolved", "rated", "average_rating"]


def months_of(period: str) -> list[str]:
    """``2026-11`` is one month; ``2026`` is its twelve."""
    m = PERIOD.match(period)
    if not m:
        raise ValueError("period is YYYY or YYYY-MM")
    year, month = m.groups()
    return [f"{year}-{month}"] if month else [f"{year}-{i:02d}" for i in range(1, 13)]


def region_match(region: str | None) -> dict[str, Any]:
    """This region and every region inside it (an anchored prefix, which an index serves)."""
    if not region or region == "ID":
        return {}
    return {"region_code": {"$regex": "^" + re.escape(region) + r"(\.|$)"}}


async def figures(db: AsyncDatabase, period: str, by: str, region: str | None = None) -> list[dict[str, Any]]:
    # Only $sum accumulators (FerretDB has no $push, $addToSet or $avg): the median comes from
    # a second grouping by value, which hours rounded at write time keep small.
    field = GROUPS[by]
    match = {"$match": {"month_key": {"$in": months_of(period)}, **region_match(region)}}
    totals: dict[Any, dict[str, Any]] = {}
    sums = ("received", "fu_due", "fu_on_time", "resolved", "rated", "rating")
    group = {"_id": {"k": f"${field}", "n": "$agency_name"}, "received": {"$sum": 1},
             **{f: {"$sum": f"${f}"} for f in sums if f != "received"}}
    async for g in await db[REPORTS].aggregate([match, {"$group": group}]):
        key = g["_id"].get("k")
        row = totals.setdefault(key, {f: 0 for f in sums} | {"name": None})
        for f in sums:
            row[f] += g.get(f) or 0
        row["name"] = row["name"] or g["_id"].get("n")
    hours: dict[Any, list[tuple[float, int]]] = {}
    by_value = {"_id": {"k": f"${field}", "h": "$first_response_hours"}, "n": {"$sum": 1}}
    async for g in await db[REPORTS].aggregate([match, {"$group": by_value}]):
        if isinstance(g["_id"].get("h"), (int, float)):
            hours.setdefault(g["_id"].get("k"), []).append((float(g["_id"]["h"]), g["n"]))
    rows = []
    for key, t in totals.items():
        rows.append({
            "key": key,
            "name": t["name"] if by == "agency" and t["name"] else key,
            "received": t["received"],
            "followed_up_due": t["fu_due"],
            "followed_up_on_time": t["fu_on_time"],
            "on_time_pct": round(100 * t["fu_on_time"] / t["fu_due"], 1) if t["fu_due"] else None,
            "median_first_response_hours": weighted_median(hours.get(key, [])),
            "resolved": t["resolved"],
            "rated": t["rated"],
            "average_rating": round(t["rating"] / t["rated"], 2) if t["rated"] else None,
        })
    rows.sort(key=lambda r: str(r["key"] or ""))
    return rows


def weighted_median(values: list[tuple[float, int]]) -> float | None:
    """Median of values given with their counts (the lower middle one for an even count)."""
    total = sum(n for _, n in values)
    if not total:
        return None
    seen = 0
    for value, n in sorted(values):
        seen += n
        if seen * 2 >= total:
            return round(value, 2)
    return None


def ranking(rows: list[dict[str, Any]], min_received: int) -> list[dict[str, Any]]:
    """Best first: on-time share, then faster first response, then rating; unrated last."""
    ranked = [r for r in rows if r["key"] and r["received"] >= min_received]
    ranked.sort(key=lambda r: (
        r["on_time_pct"] is None, -(r["on_time_pct"] or 0),
        r["median_first_response_hours"] is None, r["median_first_response_hours"] or 0,
        -(r["average_rating"] or 0),
    ))
    return [{"rank": i + 1, **r} for i, r in enumerate(ranked)]


def to_csv(rows: list[dict[str, Any]], columns: list[str] = COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
    return out.getvalue()


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    # a spreadsheet would run a cell starting with these as a formula
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
