"""A service's database client comes back by itself after the database restarts under load.

PyMongo 4.20's async pool, paused after the restart, was cleared again by its own "connection
pool paused" refusals racing the monitor, for as long as operations kept coming: the SLA
service never recovered in the 500-report fault run. shared.storage.mongo.connect() installs
the fix. Without it this test fails about one run in three here (the writers stay refused, or
flap for tens of seconds); the 500-report fault run failed every time.
"""

from __future__ import annotations

import asyncio
import time

from pymongo.errors import ConnectionFailure

from shared.settings import CommonSettings
from shared.storage.mongo import connect
from harness.infra import restart_ferretdb

WRITERS = 40
WANTED = 500          # writes after the restart; a healthy client does this in about a second
WINDOW_S = 20.0       # liveness bound, not a performance figure


async def test_writers_recover_after_a_database_restart(settings: CommonSettings) -> None:
    client, db = connect(settings)
    after = 0
    refused = 0
    back: float | None = None

    async def writer(i: int) -> None:
        nonlocal after, refused
        n = 0
        # bounded: stops once enough writes went through or the window after the restart ends
        while after < WANTED and (back is None or time.monotonic() < back + WINDOW_S):
            n += 1
            try:
                await db.restart_probe.update_one({"_id": f"w{i}-{n % 20}"}, {"$inc": {"n": 1}}, upsert=True)
                if back is not None:
                    after += 1
            except ConnectionFailure:
                refused += 1
                await asyncio.sleep(0.005)    # a consumer retrying its backlog, as in the fault run

    try:
        tasks = [asyncio.create_task(writer(i)) for i in range(WRITERS)]
        await asyncio.sleep(3)
        await asyncio.to_thread(restart_ferretdb, 3.0)
        back = time.monotonic()
        await asyncio.gather(*tasks)
        assert refused > 0, "the restart was not seen by the writers"
        assert after >= WANTED, f"{after} writes in {WINDOW_S} s after the database was back ({refused} refused)"
        assert sum([d["n"] async for d in db.restart_probe.find({}, {"n": 1})]) >= WANTED
    finally:
        await client.close()
