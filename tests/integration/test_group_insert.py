"""Group commit: every caller learns its own document's fate, only once it is stored."""

from __future__ import annotations

import asyncio

import pytest
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.storage.batch import GroupInserter


async def test_concurrent_inserts_share_batches_and_each_gets_its_outcome(db: AsyncDatabase) -> None:
    await db.grouped.insert_one({"_id": "taken-1"})
    calls: list[int] = []

    class Counting(GroupInserter):                            # counts round trips
        async def _write(self, batch):  # type: ignore[no-untyped-def]
            calls.append(len(batch))
            await super()._write(batch)

    inserter = Counting(db.grouped, max_batch=16)
    inserter.start()
    try:
        ids = [f"r{i}" for i in range(100)] + ["taken-1", "r5"]   # one already stored, one twice
        results = await asyncio.gather(*(inserter.insert({"_id": i, "n": k}) for k, i in enumerate(ids)),
                                       return_exceptions=True)
    finally:
        await inserter.stop()
    duplicates = [ids[k] for k, r in enumerate(results) if isinstance(r, DuplicateKeyError)]
    assert sorted(duplicates) == ["r5", "taken-1"]
    assert not [r for r in results if isinstance(r, Exception) and not isinstance(r, DuplicateKeyError)]
    stored = {d["_id"]: d.get("n") async for d in db.grouped.find({})}
    assert len(stored) == 101 and stored["r5"] == 5          # the first r5 won; nothing else lost
    assert sum(calls) == 102 and len(calls) < 102 / 2        # batched: far fewer round trips than documents


async def test_a_stopped_inserter_fails_its_waiters_loudly(db: AsyncDatabase) -> None:
    inserter = GroupInserter(db.grouped_stop)
    inserter.start()
    await inserter.insert({"_id": "a"})
    await inserter.stop()
    await inserter.insert({"_id": "b"})                      # stopped: falls back to a plain insert
    with pytest.raises(DuplicateKeyError):
        await inserter.insert({"_id": "b"})
    assert await db.grouped_stop.count_documents({}) == 2
