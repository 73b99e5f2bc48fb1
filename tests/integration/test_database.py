"""The database guarantees the design relies on, checked on the database the tests run on.

FerretDB 1.24.2 is built with scripts/ferretdb-v1-sqlite.patch; these tests fail on a build
without it (lost concurrent updates, _id lookups not pushed down)."""

from __future__ import annotations

import asyncio

from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase

from shared.storage.mongo import Index, ensure_indexes


async def test_concurrent_updates_of_one_document_are_all_applied(db: AsyncDatabase) -> None:
    await db.counters.insert_one({"_id": "c", "n": 0, "seen": []})
    await asyncio.gather(*(db.counters.update_one({"_id": "c"}, {"$inc": {"n": 1}, "$push": {"seen": i}})
                           for i in range(60)))
    doc = await db.counters.find_one({"_id": "c"})
    assert doc["n"] == 60 and sorted(doc["seen"]) == list(range(60))


async def test_a_guarded_claim_has_exactly_one_winner(db: AsyncDatabase) -> None:
    await db.claims.insert_one({"_id": "job", "owner": None})
    results = await asyncio.gather(*(
        db.claims.find_one_and_update({"_id": "job", "owner": None}, {"$set": {"owner": f"w{i}"}},
                                      return_document=ReturnDocument.AFTER)
        for i in range(20)))
    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    assert (await db.claims.find_one({"_id": "job"}))["owner"] == winners[0]["owner"]


async def test_id_lookups_are_served_by_the_id_index(db: AsyncDatabase) -> None:
    await db.lookups.insert_many([{"_id": f"k{i}", "status": "open"} for i in range(50)])
    plan = await db.lookups.find({"_id": "k7", "status": "open"}).explain()
    # FerretDB reports its pushdown; MongoDB names the index stage
    assert plan.get("filterPushdown") is True or "IDHACK" in str(plan) or "_id_" in str(plan)


async def test_index_creation_is_idempotent(db: AsyncDatabase) -> None:
    indexes = [Index("things", [("a", 1), ("b", -1)]), Index("things", [("c", 1)], unique=True)]
    await ensure_indexes(db, indexes)
    await ensure_indexes(db, indexes)                    # a restart: must not fail or duplicate
    await ensure_indexes(db, [*indexes, Index("things", [("d", 1)])])
    names = {ix["name"] async for ix in await db.things.list_indexes()}
    assert {"a_1_b_-1", "c_1", "d_1"} <= names
