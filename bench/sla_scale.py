"""SLA scale: finding the due deadlines among 10 k, 100 k and 1 M open ones.

Fills a scratch database with open deadlines (next steps spread over the coming 30 days, in
the SLA's own timer buckets) plus a fixed number that are due now, then times the worker's
own selection code (``DueWatcher.due_buckets``) and the reading of the due documents. For
contrast it times the plain query an indexed MongoDB would serve (``next_at <= now``), which
FerretDB's SQLite backend answers by scanning every open deadline.

    python -m bench.sla_scale            # 10 k, 100 k, 1 M open (a few minutes)
    python -m bench.sla_scale --max 100000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
from collections import defaultdict
from datetime import timedelta
from typing import Any

from pymongo import AsyncMongoClient

from services.sla.policy import load_book
from services.sla.repository import DEADLINES, DUE, DeadlineRepository, bucket_id, minute_key
from services.sla.settings import SlaSettings
from services.sla.watch import DueWatcher
from shared.events import EPOCH, utcnow
from harness.infra import ROOT, Isolation

RESULTS = ROOT / "bench" / "results"
SHARDS = 4
REPEATS = 7


def _deadline(i: int, next_at: Any, now: Any) -> dict[str, Any]:
    return {"_id": f"B{i:07d}-X:first_follow_up", "tracking_id": f"B{i:07d}-X", "stage": "first_follow_up",
            "status": "open", "started_at": now - timedelta(days=1), "due_at": next_at + timedelta(days=1),
            "timezone": "Asia/Makassar", "working_days": True, "agency_id": "kab-banjar.pupr", "category": "infrastructure",
            "region_code": "63.03", "report_class": "standard", "policy_version": "2026.1", "month_key": "2026-11",
            "next_step": "reminder", "next_at": next_at, "steps": []}


async def _fill(db: Any, start: int, stop: int, now: Any, due_ids: set[int]) -> None:
    """Deadlines ``start..stop``: those in ``due_ids`` due a few seconds ago, the rest later."""
    rng = random.Random(start)
    buckets: dict[str, list[str]] = defaultdict(list)
    batch = []
    for i in range(start, stop):
        at = now - timedelta(seconds=5) if i in due_ids else now + timedelta(minutes=5 + rng.random() * 30 * 24 * 60)
        doc = _deadline(i, at, now)
        batch.append(doc)
        buckets[bucket_id(minute_key(at), doc["_id"], SHARDS)].append(doc["_id"])
        if len(batch) == 2000:
            await db[DEADLINES].insert_many(batch, ordered=False)
            batch = []
    if batch:
        await db[DEADLINES].insert_many(batch, ordered=False)
    # new buckets are inserted whole; a bucket that exists already takes the items one update each
    existing = {d["_id"] async for d in db[DUE].find({"_id": {"$in": list(buckets)}}, {"_id": 1})} if start else set()
    fresh = [{"_id": b, "items": items, "v": len(items), "minute": b.split(":")[0], "lease_until": EPOCH, "lease_owner": None}
             for b, items in buckets.items() if b not in existing]
    for k in range(0, len(fresh), 2000):
        await db[DUE].insert_many(fresh[k:k + 2000], ordered=False)
    for b in existing:
        await db[DUE].update_one({"_id": b}, {"$addToSet": {"items": {"$each": buckets[b]}}, "$inc": {"v": len(buckets[b])}})


async def _time(fn: Any, repeats: int = REPEATS) -> dict[str, float]:
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return {"median_ms": round(statistics.median(samples), 2), "max_ms": round(max(samples), 2)}


async def run(max_open: int = 1_000_000, due: int = 1000) -> dict[str, Any]:
    iso = Isolation.create()
    client: AsyncMongoClient = AsyncMongoClient(iso.mongo_url, tz_aware=True)
    db = client[iso.mongo_db]
    settings = SlaSettings(due_shards=SHARDS, mongo_url=iso.mongo_url, mongo_db=iso.mongo_db)
    repo = DeadlineRepository(db, SHARDS, leave_to_sweeper=True)   # no relay here: nothing is published
    watcher = DueWatcher(repo, load_book(settings.policy_dir), settings=settings)
    now = utcnow()
    await repo.cursor(now - timedelta(seconds=settings.watch_margin_s))
    sizes = [n for n in (10_000, 100_000, 1_000_000) if n <= max_open]
    rng = random.Random(7)
    due_ids = set(rng.sample(range(sizes[0]), due))        # the same due set at every size
    rows, filled = [], 0
    try:
        for size in sizes:
            # a fresh fill per size: whole buckets by insert_many (topping up would mean an
            # update per existing bucket, which is the slow part of filling, not of selecting)
            await db[DEADLINES].drop()
            await db[DUE].drop()
            t0 = time.perf_counter()
            await _fill(db, 0, size, now, due_ids)
            fill_s = time.perf_counter() - t0
            filled = size

            async def select() -> list[str]:
                return await _due_ids(watcher, now)

            found = await select()
            assert len(found) == due, (len(found), due)     # exactly the due ones, nothing else

            async def select_and_read() -> None:
                ids = await select()
                docs = await asyncio.gather(*(repo.get(i) for i in ids))
                assert all(d and d["next_at"] <= now for d in docs)

            async def plain_query() -> None:
                n = await db[DEADLINES].count_documents({"status": "open", "next_at": {"$lte": now}})
                assert n == due

            row = {"open": size, "due": due, "fill_s": round(fill_s, 1),
                   "select_due_ids": await _time(select),
                   "select_and_read_due_docs": await _time(select_and_read, 3),
                   # a scan on FerretDB: about 145 ms per 1,000 open here, so it is not run at 1 M
                   "plain_next_at_query": await _time(plain_query, 3) if size <= 100_000 else None}
            rows.append(row)
            print(json.dumps(row), flush=True)
        # growth with the number due, at the largest size: more deadlines due in this minute
        by_due, total_due = [], due
        for target in (due, 5 * due, 10 * due):
            if target > total_due:
                await _fill(db, 10_000_000 + total_due, 10_000_000 + target, now, set(range(10_000_000, 10_000_000 + target)))
                total_due = target
            assert len(await _due_ids(watcher, now)) == target
            by_due.append({"open": filled + target - due, "due": target,
                           "select_due_ids": await _time(lambda: _due_ids(watcher, now))})
            print(json.dumps(by_due[-1]), flush=True)
    finally:
        await client.close()
        iso.drop()
    return {"by_open": rows, "by_due": by_due, "shards": SHARDS, "repeats": REPEATS}


async def _due_ids(watcher: DueWatcher, now: Any) -> list[str]:
    _, minutes = await watcher.due_buckets(now)
    return [i for _, buckets in minutes for b in buckets for i in b["items"]]


def markdown(r: dict[str, Any]) -> str:
    lines = ["## SLA scale: selecting due deadlines", "",
             f"{r['by_open'][0]['due']} deadlines due now among N open; the worker reads its timer buckets by `_id` "
             f"({r['shards']} shards a minute). Median of {r['repeats']} runs.", "",
             "| open | due | select due IDs | select + read due docs | plain `next_at <= now` query (FerretDB scans) | fill |",
             "|---|---|---|---|---|---|"]
    for x in r["by_open"]:
        lines.append(f"| {x['open']:,} | {x['due']:,} | {x['select_due_ids']['median_ms']} ms | "
                     f"{x['select_and_read_due_docs']['median_ms']} ms | "
                     f"{(str(x['plain_next_at_query']['median_ms']) + ' ms') if x['plain_next_at_query'] else 'not run'} | {x['fill_s']} s |")
    lines += ["", "| open | due | select due IDs |", "|---|---|---|"]
    for x in r["by_due"]:
        lines.append(f"| {x['open']:,} | {x['due']:,} | {x['select_due_ids']['median_ms']} ms |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--max", type=int, default=1_000_000, help="largest number of open deadlines")
    args = parser.parse_args()
    result = asyncio.run(run(args.max))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "sla_scale.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / "sla_scale.md").write_text(markdown(result))
    print(markdown(result))
