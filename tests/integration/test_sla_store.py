"""The SLA's storage rules on the real database: timer buckets, overtaking events, figures."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from pymongo.asynchronous.database import AsyncDatabase

from services.sla import compliance
from services.sla.repository import DeadlineRepository, minute_key


async def test_bucket_pointers_are_idempotent_and_never_behind_now(db: AsyncDatabase) -> None:
    repo = DeadlineRepository(db, shards=1)
    now = datetime(2026, 11, 23, 1, 0, 30, tzinfo=UTC)
    await asyncio.gather(*(repo.schedule(f"T{i % 5}:verification", now + timedelta(minutes=3), now) for i in range(20)))
    bucket = await repo.bucket(f"{minute_key(now + timedelta(minutes=3))}:0")
    assert bucket is not None and sorted(bucket["items"]) == [f"T{i}:verification" for i in range(5)]
    assert bucket["v"] == 20                      # every pointer write is counted: a delete can tell
    await repo.schedule("LATE:answer", now - timedelta(days=3), now)   # already past: lands on this minute
    assert (await repo.bucket(f"{minute_key(now)}:0"))["items"] == ["LATE:answer"]  # type: ignore[index]


async def test_a_drained_bucket_survives_a_pointer_added_while_it_was_leased(db: AsyncDatabase) -> None:
    repo = DeadlineRepository(db, shards=1)
    now = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    await repo.schedule("A:verification", now, now)
    bid = f"{minute_key(now)}:0"
    leased = await repo.lease_bucket(bid, "w1", now, 30)
    assert leased is not None
    assert await repo.lease_bucket(bid, "w2", now, 30) is None      # held
    await repo.schedule("B:verification", now, now)                 # arrives mid-drain
    assert not await repo.finish_bucket(leased, "w1", drained=True)  # kept, and released
    again = await repo.lease_bucket(bid, "w2", now, 30)
    assert again is not None and sorted(again["items"]) == ["A:verification", "B:verification"]
    assert await repo.finish_bucket(again, "w2", drained=True)
    assert await repo.bucket(bid) is None


async def test_a_close_that_overtakes_its_open_wins_and_a_later_clock_replaces_it(db: AsyncDatabase) -> None:
    repo = DeadlineRepository(db)
    t0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    doc = {"_id": "R1:verification", "tracking_id": "R1", "stage": "verification", "status": "open",
           "started_at": t0, "due_at": t0 + timedelta(days=3), "next_at": t0, "next_step": "reminder", "steps": []}
    assert await repo.close("R1", "verification", t0 + timedelta(hours=1)) is None   # nothing open yet
    assert not await repo.open(doc)                                                  # the late open changes nothing
    assert (await repo.get("R1:verification"))["status"] == "met"  # type: ignore[index]
    # auto-close opened at 'resolved'; an older 'in_progress' step arriving late must not stop it
    ac = {**doc, "_id": "R1:auto_close", "stage": "auto_close", "started_at": t0 + timedelta(hours=5)}
    assert await repo.close("R1", "auto_close", t0 + timedelta(hours=2)) is None
    assert await repo.open(ac)                                                       # newer clock replaces the tombstone
    assert await repo.close("R1", "auto_close", t0 + timedelta(hours=3)) is None     # from before it started
    assert await repo.close("R1", "auto_close", t0 + timedelta(hours=6)) is True     # a real reply stops it


async def test_compliance_figures_group_precomputed_facts(db: AsyncDatabase) -> None:
    repo = DeadlineRepository(db)
    facts = [
        # agency, month, fu_due, fu_on_time, hours, resolved, rating
        ("kab-banjar.pupr", "2026-11", 1, 1, 2.0, 1, 5),
        ("kab-banjar.pupr", "2026-11", 1, 0, 30.0, 1, 3),
        ("kab-banjar.pupr", "2026-11", 1, 1, 4.0, 0, None),
        ("kab-banjar.pupr", "2026-10", 1, 0, 99.0, 1, 1),       # another month
        ("kota-banjarmasin.pupr", "2026-11", 1, 1, 1.0, 1, 4),
        ("kota-banjarmasin.pupr", "2026-11", 0, None, None, 0, None),   # not due yet
    ]
    for i, (agency, month, due, on_time, hours, resolved, rating) in enumerate(facts):
        fields = {"agency_id": agency, "agency_name": agency.upper(), "month_key": month, "region_code": "63.03",
                  "category": "infrastructure", "fu_due": due, "resolved": resolved}
        if on_time is not None:
            fields["fu_on_time"] = on_time
        if hours is not None:
            fields["first_response_hours"] = hours
        if rating is not None:
            fields |= {"rating": rating, "rated": 1}
        await repo.set_facts(f"R{i}", fields)
    await repo.set_facts("R0", {"agency_id": "kab-banjar.pupr"}, first={"first_response_hours": 999.0})  # kept: first wins
    rows = {r["key"]: r for r in await compliance.figures(db, "2026-11", "agency")}
    pupr = rows["kab-banjar.pupr"]
    assert (pupr["received"], pupr["followed_up_due"], pupr["followed_up_on_time"]) == (3, 3, 2)
    assert pupr["on_time_pct"] == 66.7 and pupr["median_first_response_hours"] == 4.0
    assert (pupr["resolved"], pupr["rated"], pupr["average_rating"]) == (2, 2, 4.0)
    assert pupr["name"] == "KAB-BANJAR.PUPR"
    kota = rows["kota-banjarmasin.pupr"]
    assert (kota["received"], kota["on_time_pct"], kota["average_rating"]) == (2, 100.0, 4.0)
    year = {r["key"]: r for r in await compliance.figures(db, "2026", "region")}
    assert year["63.03"]["received"] == 6
