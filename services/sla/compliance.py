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
import statistics
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from services.sla.repository import REPORTS

GROUPS = {"agency": "agency_id", "region": "region_code", "category": "category"}
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


async def figures(db: AsyncDatabase, period: str, by: str) -> list[dict[str, Any]]:
    field = GROUPS[by]
    pipeline = [
        {"$match": {"month_key": {"$in": months_of(period)}}},
        {"$group": {
            "_id": f"${field}",
            "received": {"$sum": 1},
            "fu_due": {"$sum": "$fu_due"},
            "fu_on_time": {"$sum": "$fu_on_time"},
            "resolved": {"$sum": "$resolved"},
            "rated": {"$sum": "$rated"},
            "rating_sum": {"$sum": "$rating"},
            "hours": {"$push": "$first_response_hours"},
            "names": {"$addToSet": "$agency_name"},
        }},
    ]
    rows = []
    async for g in await db[REPORTS].aggregate(pipeline):
        hours = [h for h in g["hours"] if isinstance(h, (int, float))]
        names = [n for n in g.get("names", []) if n]
        rows.append({
            "key": g["_id"],
            "name": names[0] if by == "agency" and names else g["_id"],
            "received": g["received"],
            "followed_up_due": g["fu_due"],
            "followed_up_on_time": g["fu_on_time"],
            "on_time_pct": round(100 * g["fu_on_time"] / g["fu_due"], 1) if g["fu_due"] else None,
            "median_first_response_hours": round(statistics.median(hours), 2) if hours else None,
            "resolved": g["resolved"],
            "rated": g["rated"],
            "average_rating": round(g["rating_sum"] / g["rated"], 2) if g["rated"] else None,
        })
    rows.sort(key=lambda r: (str(r["key"] or "")))
    return rows


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
