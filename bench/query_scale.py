"""The pages the web front end serves, at 100 k and 1 M reports: a staff inbox page, a room's
wallboard and a month of compliance figures, on the database as the services would have left it.

Fills a scratch database per size (routing's case files, SLA's facts, the day counters with
their markers and the open cases' mirror: 8 % still open, a year of reports) with the services'
own indexes, then times the services' own read functions. Floors in the same run: a find by
``_id``, and an indexed find returning 10 of 100 k small documents (the database alone).

    python -m bench.query_scale                    # 100 k and 1 M (about 15 minutes)
    python -m bench.query_scale --sizes 20000
    python -m bench.query_scale --keep             # keep the filled databases for the next run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pymongo import AsyncMongoClient

from services.routing import repository as routing
from services.sla import board, compliance, repository
from services.sla.board import AMBER_SHARE, DAILY, NO_DUE, OPEN_CASES, child_in, scopes_of
from services.sla.settings import SlaSettings
from shared.calendar import WorkingCalendar
from shared.storage.mongo import ensure_indexes
from harness.infra import ROOT, Isolation

RESULTS = ROOT / "bench" / "results"
FILL_VERSION = 2    # a filled database of another version is filled again
REPEATS = 5
REGIONS = ["63.71.01.1001", "63.71.02.1002", "63.03.01.2001", "63.03.05.2005", "63.72.01.1001", "62.71.01.1001",
           "62.71.02.1003", "31.71.01.1001", "32.73.01.1001", "35.78.01.1001"]
AGENCIES = {"63.71": "kota-banjarmasin", "63.03": "kab-banjar", "63.72": "kota-banjarbaru", "62.71": "kota-palangkaraya"}
UNITS = ["pupr", "dinkes", "disdukcapil", "disdik", "dinsos", "dlh"]
CATEGORIES = ["infrastructure", "health", "population_admin", "education", "social_welfare", "environment"]
CHANNELS = ["web", "sms", "app", "integrator"]


def _facts(n: int, now: datetime, rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        region = rng.choice(REGIONS)
        tz = "Asia/Makassar" if region.startswith(("63", "62")) else "Asia/Jakarta"
        received = now - timedelta(seconds=rng.uniform(0, 365 * 86400))
        local = received.astimezone(ZoneInfo(tz))
        agency = f"{AGENCIES.get(region[:5], 'kemendagri')}.{rng.choice(UNITS)}"
        doc: dict[str, Any] = {
            "_id": f"B{i:07d}", "tracking_id": f"B{i:07d}", "region_code": region, "timezone": tz,
            "category": rng.choice(CATEGORIES), "channel": rng.choice(CHANNELS), "received_at": received,
            "month_key": local.strftime("%Y-%m"), "day_key": local.strftime("%Y-%m-%d"), "agency_id": agency,
            "agency_name": agency, "status": "closed", "assigned_at": received + timedelta(hours=1),
        }
        if rng.random() < 0.9:
            hours = round(rng.uniform(1, 200), 2)
            doc |= {"first_response_at": received + timedelta(hours=hours), "first_response_hours": hours,
                    "fu_due": 1, "fu_on_time": int(hours < 72), "verified_at": received + timedelta(minutes=30)}
            if rng.random() < 0.85:
                doc |= {"resolved": 1, "resolved_at": received + timedelta(hours=hours * 2)}
                if rng.random() < 0.4:
                    doc |= {"rated": 1, "rating": rng.randint(1, 5)}
        out.append(doc)
    return out


def _days(facts: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
    """The day counters SLA's handlers would have written: markers on the days not yet sealed."""
    docs: dict[str, dict[str, Any]] = {}
    steps = (("received_at", "received"), ("verified_at", "verified"), ("assigned_at", "assigned"),
             ("first_response_at", "in_progress"), ("resolved_at", "resolved"))
    for f in facts:
        for field, stat in steps:
            if not f.get(field):
                continue
            day = f[field].astimezone(ZoneInfo(f["timezone"])).date().isoformat()
            for scope in scopes_of(f["region_code"]):
                d = docs.setdefault(f"{day}:{scope}", {"_id": f"{day}:{scope}", "day": day, "scope": scope, "n": {},
                                                       "ch": {}, "cat": {}, "reg": {}, "seen": [], "sealed": False})
                d["n"][stat] = d["n"].get(stat, 0) + 1
                d["seen"].append(f"{f['_id']}:{stat}")
                if stat == "received":
                    d["ch"][f["channel"]] = d["ch"].get(f["channel"], 0) + 1
                    d["cat"][f["category"]] = d["cat"].get(f["category"], 0) + 1
                    child = child_in(scope, f["region_code"])
                    if child:
                        d["reg"][child.replace(".", "-")] = d["reg"].get(child.replace(".", "-"), 0) + 1
    sealed_before = (now - timedelta(days=SlaSettings.model_fields["board_marker_days"].default)).date().isoformat()
    for d in docs.values():
        if d["day"] < sealed_before:
            d["sealed"] = True
            del d["seen"]
    return list(docs.values())


def _open(facts: list[dict[str, Any]], now: datetime, rng: random.Random, share: float) -> list[dict[str, Any]]:
    out = []
    for f in facts:
        if rng.random() >= share:
            continue
        f["status"] = rng.choice(["received", "assigned", "in_progress", "postponed"])
        start = now - timedelta(days=rng.uniform(0, 10))
        due = None if f["status"] == "postponed" else start + timedelta(days=rng.uniform(1, 14))
        out.append({"_id": f["_id"], "tid": f["_id"], "status": f["status"],
                    **{f"scope_{level}": scope for level, scope in enumerate(scopes_of(f["region_code"]))},
                    "category": f["category"], "agency_id": f["agency_id"], "agency_name": f["agency_name"],
                    "region_code": f["region_code"], "channel": f["channel"], "urgent": False,
                    "received_at": f["received_at"], "timezone": f["timezone"], "due_at": due,
                    "due_stage": "first_follow_up" if due else None,
                    "amber_at": due - (due - start) * AMBER_SHARE if due else None, "due_sort": due or NO_DUE})
    return out


async def _time(fn: Any, repeats: int = REPEATS) -> float:
    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        await fn()
        runs.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(runs), 2)


def _cases(facts: list[dict[str, Any]], open_ids: set[str], rng: random.Random) -> list[dict[str, Any]]:
    """Routing's case files of the same reports (text, timeline and all: the inbox reads them)."""
    out = []
    for f in facts:
        status = f["status"] if f["_id"] in open_ids else rng.choice(["resolved", "closed", "closed"])
        due = f["received_at"] + timedelta(days=rng.uniform(1, 14))
        urgent = rng.random() < 0.05
        out.append({
            "_id": f["_id"], "status": status, "agency_id": f["agency_id"], "agency_name": f["agency_name"],
            "coordinator_id": "kalsel" if f["region_code"].startswith("63") else "kemenpanrb",
            "region_code": f["region_code"], "category": f["category"], "channel": f["channel"],
            "urgent": urgent, "due_at": due, "due_stage": "first_follow_up", "due_sort": due, "due_seq": due,
            "received_at": f["received_at"], "version": 3, "title": "Jalan rusak di depan sekolah",
            "body": "Lubang besar di jalan depan SD Negeri, sudah dua bulan belum diperbaiki. " * 3,
            "timeline": [{"action": "submitted", "at": f["received_at"]},
                         {"action": "assigned", "at": f["received_at"] + timedelta(hours=1),
                          "agency_id": f["agency_id"]}],
            "outbox": {}, "outbox_pending": 0,
        })
    return out


async def _fill(db: Any, reports: int, now: datetime) -> dict[str, Any]:
    rng = random.Random(1708)
    t = time.perf_counter()
    facts = _facts(reports, now, rng)
    open_docs = _open(facts, now, rng, 0.08)
    cases = _cases(facts, {d["_id"] for d in open_docs}, rng)
    days = _days(facts, now)
    await ensure_indexes(db, [*repository.INDEXES, *board.INDEXES, *routing.INDEXES])
    for docs, name in ((facts, repository.REPORTS), (days, DAILY), (open_docs, OPEN_CASES), (cases, routing.CASES)):
        for i in range(0, len(docs), 2000):
            await db[name].insert_many(docs[i:i + 2000], ordered=False)
    await db.meta.insert_one({"_id": "filled", "version": FILL_VERSION, "reports": reports, "open": len(open_docs), "days": len(days),
                              "at": now, "fill_s": round(time.perf_counter() - t, 1)})
    return await db.meta.find_one({"_id": "filled"})


async def _floors(db: Any) -> dict[str, float]:
    """The database alone: a find by _id, and 10 of 100 k documents found on an index."""
    floor = db.bench_floor
    if await floor.estimated_document_count() != 100_000:
        await floor.drop()
        await floor.create_index("k")
        for i in range(0, 100_000, 5000):
            await floor.insert_many([{"_id": f"f{j}", "k": f"k{j % 10_000}", "n": j} for j in range(i, i + 5000)])
    found = await floor.find({"k": "k77"}).to_list(None)
    assert len(found) == 10
    return {"find_by_id_ms": await _time(lambda: floor.find_one({"_id": "f4242"}), 20),
            "indexed_find_10_of_100k_ms": await _time(lambda: floor.find({"k": "k77"}).to_list(None), 20)}


async def run(reports: int, keep: bool) -> dict[str, Any]:
    client: AsyncMongoClient = AsyncMongoClient(Isolation.fresh().mongo_url, tz_aware=True)
    db = client[f"lapor_bench_scale_{reports}"]
    try:
        filled = await db.meta.find_one({"_id": "filled"})
        if not filled or filled.get("reports") != reports or filled.get("version") != FILL_VERSION:
            await client.drop_database(db.name)
            filled = await _fill(db, reports, datetime.now(UTC))
        now = filled["at"]
        # what SLA's seal loop leaves: markers only on the last days
        marker_days = SlaSettings.model_fields["board_marker_days"].default
        await board.BoardRepository(db).seal_days_before((now - timedelta(days=marker_days)).date().isoformat())
        calendar = WorkingCalendar()
        cases = routing.CaseRepository(db)
        open_statuses = {"status": {"$in": ["received", "assigned", "in_progress", "postponed"]}}
        unit = "kota-banjarmasin.pupr"
        inbox = {
            "agency_unit_by_urgency": await _time(lambda: cases.inbox({"agency_id": {"$in": [unit]}}, open_statuses,
                                                                      None, 25, "urgency")),
            "agency_unit_newest": await _time(lambda: cases.inbox({"agency_id": {"$in": [unit]}}, open_statuses,
                                                                  None, 25, "received")),
            "region_desk_newest": await _time(lambda: cases.inbox({"coordinator_id": {"$in": ["kalsel"]}}, {}, None,
                                                                  25, "received")),
            "agency_unit_tab_counts": await _time(lambda: cases.counts({"agency_id": {"$in": [unit]}}, {}), 3),
        }
        rooms = []
        for scope in ("ID", "63", "63.71"):
            repo = board.BoardRepository(db)
            tz = board.zone_of(scope)
            _, day_keys = board.local_days(now, tz)
            month = now.astimezone(ZoneInfo(tz)).strftime("%Y-%m")
            warm_cache = board.LeagueCache(3600, wait_s=600)
            await board.board(db, scope, now, calendar, warm_cache)
            rooms.append({
                "scope": scope, "open_cases": (await repo.open_now(scope, now, board.OPEN_STATUSES))["total"],
                "board_ms": await _time(lambda s=scope: board.board(db, s, now, calendar, warm_cache)),
                "day_counters_ms": await _time(lambda s=scope, d=day_keys: repo.days(s, d)),
                "open_counts_ms": await _time(lambda s=scope: repo.open_now(s, now, board.OPEN_STATUSES)),
                "month_compliance_ms": await _time(lambda s=scope, m=month: compliance.figures(db, m, "agency", s), 3),
            })
        return {"reports": reports, "open": filled["open"], "day_documents": filled["days"], "fill_s": filled["fill_s"],
                "inbox_ms": inbox, "rooms": rooms, "floors": await _floors(db)}
    finally:
        if not keep:
            await client.drop_database(db.name)
        await client.close()


TARGETS = {"inbox page at 1 M": 20.0, "wallboard data at 1 M": 100.0, "indexed find, 10 of 100 k": 5.0}


def targets(sizes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    largest = max(sizes, key=lambda r: r["reports"])
    inbox = max(largest["inbox_ms"][k] for k in ("agency_unit_by_urgency", "agency_unit_newest", "region_desk_newest"))
    wall = max(r["board_ms"] for r in largest["rooms"])
    find = largest["floors"]["indexed_find_10_of_100k_ms"]
    rows = []
    for (name, wanted), value in zip(TARGETS.items(), (inbox, wall, find)):
        rows.append({"target": name, "wanted_ms": wanted, "measured_ms": value, "at_reports": largest["reports"],
                     "met": value <= wanted})
    return rows


def write(result: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "query_scale.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    lines = ["## Pages at scale: staff inbox, wallboard, compliance", "",
             f"{result['database']}; median of {REPEATS} runs (tab counts and compliance: 3). Each size is its own "
             "database, filled with the services' indexes.", "",
             "| reports | open | inbox: unit, urgent first | inbox: unit, newest | inbox: region desk | tab counts "
             "| find by `_id` | indexed find, 10 of 100 k |", "|---|---|---|---|---|---|---|---|"]
    for r in result["sizes"]:
        i, f = r["inbox_ms"], r["floors"]
        lines.append(f"| {r['reports']:,} | {r['open']:,} | {i['agency_unit_by_urgency']} ms | {i['agency_unit_newest']} ms | "
                     f"{i['region_desk_newest']} ms | {i['agency_unit_tab_counts']} ms | {f['find_by_id_ms']} ms | "
                     f"{f['indexed_find_10_of_100k_ms']} ms |")
    lines += ["", "| reports | room | open cases | wallboard data (league cached) | day counters | open counts "
              "| a month of compliance (agencies) | board ÷ find by `_id` |", "|---|---|---|---|---|---|---|---|"]
    for r in result["sizes"]:
        for room in r["rooms"]:
            lines.append(f"| {r['reports']:,} | {room['scope']} | {room['open_cases']:,} | {room['board_ms']} ms | "
                         f"{room['day_counters_ms']} ms | {room['open_counts_ms']} ms | {room['month_compliance_ms']} ms | "
                         f"{round(room['board_ms'] / r['floors']['find_by_id_ms'], 1)} |")
    lines += ["", "| target | wanted | measured | met |", "|---|---|---|---|"]
    for t in result["targets"]:
        lines.append(f"| {t['target']} | ≤ {t['wanted_ms']} ms | {t['measured_ms']} ms ({t['at_reports']:,} reports) | {t['met']} |")
    lines += ["", "The inbox page is one index range with its sort and limit in SQLite; the wallboard's counts are "
              "counts on the open cases' indexes, its tiles and overdue list index ranges, its trend the day counters "
              "read by key. A month of compliance groups the month's facts in FerretDB's memory (no aggregation "
              "pushdown); the wallboard takes its league from a cache refreshed in the background."]
    (RESULTS / "query_scale.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--keep", action="store_true", help="keep the filled databases for the next run")
    args = parser.parse_args()
    sizes = []
    for n in args.sizes:
        sizes.append(asyncio.run(run(n, args.keep)))
        print(json.dumps(sizes[-1], default=str))
    result = {"database": "FerretDB v1.24 (SQLite, the project's patch)", "sizes": sizes, "targets": targets(sizes),
              "measured_at": datetime.now(UTC).isoformat(timespec="seconds")}
    write(result)
    print((RESULTS / "query_scale.md").read_text())


if __name__ == "__main__":
    main()
