"""Duplicate candidates: one rolling document per scope, bounded without $slice."""

from __future__ import annotations

import asyncio

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from services.routing import repository
from services.routing.repository import CaseRepository

RECENT_KEEP = 10


@pytest.fixture(autouse=True)
def _small_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(repository, "RECENT_KEEP", RECENT_KEEP)


async def test_the_rolling_list_stays_bounded_and_keeps_the_newest(db: AsyncDatabase) -> None:
    repo = CaseRepository(db)
    for i in range(3 * RECENT_KEEP):
        _, n = await repo.recent("agency-a", "2026-01-01")
        await repo.remember_recent("agency-a", {"tid": f"T{i:04d}", "day": "2026-11-20", "norm": f"teks {i}"}, n)
    items, _ = await repo.recent("agency-a", "2026-01-01")
    doc = await db.case_recent.find_one({"_id": "agency-a"})
    assert len(doc["items"]) < 2 * RECENT_KEEP
    assert [i["tid"] for i in items[:3]] == [f"T{3 * RECENT_KEEP - k:04d}" for k in (1, 2, 3)]
    assert len(items) == RECENT_KEEP
    # older than the window: not a candidate
    assert (await repo.recent("agency-a", "2026-11-21"))[0] == []


async def test_concurrent_adds_around_a_trim_are_not_lost(db: AsyncDatabase) -> None:
    repo = CaseRepository(db)
    for i in range(2 * RECENT_KEEP - 5):
        await repo.remember_recent("agency-b", {"tid": f"old{i}", "day": "2026-11-20", "norm": "x"}, 0)
    _, n = await repo.recent("agency-b", "2026-01-01")

    async def add(i: int) -> None:
        await repo.remember_recent("agency-b", {"tid": f"new{i}", "day": "2026-11-21", "norm": "y"}, n + i)

    await asyncio.gather(*(add(i) for i in range(8)))
    items, _ = await repo.recent("agency-b", "2026-11-21")
    assert sorted(i["tid"] for i in items) == sorted(f"new{i}" for i in range(8))
