"""The command centre's data at 100 k reports: how long one room's board takes to assemble.

Fills a scratch database as SLA would have left it after 100 k reports over the past year
(their facts, the day counters with their markers, the open cases' mirror: 10 % still open),
then times ``services.sla.board.board`` for the national room, a province and a regency,
with the month's league computed (cold) and from its cache (warm), and the parts apart.

Floors in the same run: 31 reads by ``_id`` (what the day counters cost at best) and one
scan of every report (what computing the board from the reports would cost at least, per
query). FerretDB's SQLite backend pushes only ``_id`` equality down, so the open-case read and
the league scan here; on MongoDB the same queries are index ranges (``scopes``, and
``month_key`` + ``region_code``).

    python -m bench.board                 # 100 k reports (about two minutes)
    python -m bench.board --reports 20000
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

from services.sla import board, compliance, repository
from services.sla.board import DAILY, NO_DUE, OPEN_CASES, AMBER_SHARE, child_in, scopes_of
from shared.calendar import WorkingCalendar
from shared.storage.mongo import ensure_indexes
from harness.infra import ROOT, Isolation

RESULTS = ROOT / "bench" / "results"
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


def _days(facts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The day counters SLA's handlers would have written, markers included."""
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
                                                       "ch": {}, "cat": {}, "reg": {}, "seen": []})
                d["n"][stat] = d["n"].get(stat, 0) + 1
                d["seen"].append(f"{f['_id']}:{stat}")
                if stat == "received":
                    d["ch"][f["channel"]] = d["ch"].get(f["channel"], 0) + 1
                    d["cat"][f["category"]] = d["cat"].get(f["category"], 0) + 1
                    child = child_in(scope, f["region_code"])
                    if child:
                        d["reg"][child.replace(".", "-")] = d["reg"].get(child.replace(".", "-"), 0) + 1
    return list(docs.values())


def _open(facts: list[dict[str, Any]], now: datetime, rng: random.Random, share: float) -> list[dict[str, Any]]:
    out = []
    for f in facts:
        if rng.random() >= share:
            continue
        f["status"] = rng.choice(["received", "assigned", "in_progress", "postponed"])
        start = now - timedelta(days=rng.uniform(0, 10))
        due = None if f["status"] == "postponed" else start + timedelta(days=rng.uniform(1, 14))
        out.append({"_id": f["_id"], "scopes": scopes_of(f["region_code"]), "status": f["status"],
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


async def run(reports: int) -> dict[str, Any]:
    iso = Isolation.create()
    client: AsyncMongoClient = AsyncMongoClient(iso.mongo_url, tz_aware=True)
    db = client[iso.mongo_db]
    rng = random.Random(1708)
    now = datetime.now(UTC)
    try:
        t = time.perf_counter()
        facts = _facts(reports, now, rng)
        open_docs = _open(facts, now, rng, 0.10)
        days = _days(facts)
        for docs, name in ((facts, repository.REPORTS), (days, DAILY), (open_docs, OPEN_CASES)):
            for i in range(0, len(docs), 5000):
                await db[name].insert_many(docs[i:i + 5000], ordered=False)
        await ensure_indexes(db, [*repository.INDEXES, *board.INDEXES])
        fill_s = round(time.perf_counter() - t, 1)
        calendar = WorkingCalendar()
        rows = []
        for scope in ("ID", "63", "63.71"):
            repo = board.BoardRepository(db)
            tz = board.zone_of(scope)
            _, day_keys = board.local_days(now, tz)
            month = now.astimezone(ZoneInfo(tz)).strftime("%Y-%m")
            cold = await _time(lambda s=scope: board.board(db, s, now, calendar, board.LeagueCache(0, wait_s=600)), 3)
            warm_cache = board.LeagueCache(3600, wait_s=600)
            await board.board(db, scope, now, calendar, warm_cache)
            warm = await _time(lambda s=scope: board.board(db, s, now, calendar, warm_cache))
            rows.append({
                "scope": scope, "open_cases": len(await repo.open_in(scope)),
                "board_warm_ms": warm, "board_cold_ms": cold,
                "day_counters_ms": await _time(lambda s=scope, d=day_keys: repo.days(s, d)),
                "open_cases_ms": await _time(lambda s=scope: repo.open_in(s)),
                "league_ms": await _time(lambda s=scope, m=month: compliance.figures(db, m, "agency", s), 3),
            })
        some = f"{days[0]['_id']}"
        floor_keyed = await _time(lambda: asyncio.gather(*(db[DAILY].find_one({"_id": some}, {"seen": 0})
                                                         for _ in range(31))))
        floor_scan = await _time(lambda: db[repository.REPORTS].count_documents({"status": "no-such-status"}), 3)
        for r in rows:
            r["ratio_warm_to_one_report_scan"] = round(r["board_warm_ms"] / floor_scan, 3)
            r["ratio_counters_to_31_keyed_reads"] = round(r["day_counters_ms"] / floor_keyed, 2)
        return {"reports": reports, "open": len(open_docs), "day_documents": len(days), "fill_s": fill_s,
                "floor_31_keyed_reads_ms": floor_keyed, "floor_scan_all_reports_ms": floor_scan, "rooms": rows,
                "database": "FerretDB v1.24 (SQLite)", "measured_at": now.isoformat(timespec="seconds")}
    finally:
        await client.drop_database(iso.mongo_db)
        await client.close()


def write(result: dict[str, Any]) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "board.json").write_text(json.dumps(result, indent=2) + "\n")
    lines = [
        "## Command centre: one room's board at {:,} reports".format(result["reports"]), "",
        f"{result['open']:,} open, {result['day_documents']:,} day documents; {result['database']}; median of "
        f"{REPEATS} runs (cold: 3). Floors in the same run: 31 reads by `_id` {result['floor_31_keyed_reads_ms']} ms; "
        f"one scan of all reports {result['floor_scan_all_reports_ms']} ms.", "",
        "| room | open cases | board (league cached) | board (league computed) | day counters | open cases read | league | warm ÷ one scan | counters ÷ 31 keyed reads |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result["rooms"]:
        lines.append(f"| {r['scope']} | {r['open_cases']:,} | {r['board_warm_ms']} ms | {r['board_cold_ms']} ms | "
                     f"{r['day_counters_ms']} ms | {r['open_cases_ms']} ms | {r['league_ms']} ms | "
                     f"{r['ratio_warm_to_one_report_scan']} | {r['ratio_counters_to_31_keyed_reads']} |")
    lines += ["", "The board's counts and trend are the day counters (read by key); its tiles, colours and "
              "overdue list are one read of the room's open cases; the league is recomputed in the background "
              "at most every 60 s, so a board request does not wait for it."]
    (RESULTS / "board.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=100_000)
    result = asyncio.run(run(parser.parse_args().reports))
    write(result)
    print((RESULTS / "board.md").read_text())


if __name__ == "__main__":
    main()
