"""The command centre's figures on the real database: counted once, scoped, coloured."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from pymongo.asynchronous.database import AsyncDatabase

from services.sla import board
from services.sla.board import OPEN_STATUSES, BoardRepository, LeagueCache, state_of
from shared.calendar import WorkingCalendar
from shared.storage.mongo import ensure_indexes

NOW = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)   # 11:00 in Banjarmasin (WITA)


def facts(region: str, **more: object) -> dict[str, object]:
    return {"region_code": region, "timezone": "Asia/Makassar", "channel": "web", "category": "infrastructure",
            "received_at": NOW - timedelta(hours=2), "status": "received", **more}


async def test_a_step_counts_once_however_often_it_is_delivered(db: AsyncDatabase) -> None:
    repo = BoardRepository(db)
    f = facts("63.71.01.1001", channel="sms")
    # redeliveries, in parallel and again later: one count in each of the three rooms
    await asyncio.gather(*(repo.count("AAAA-AAAA1", ["received"], NOW, f) for _ in range(6)))
    await repo.count("AAAA-AAAA1", ["received"], NOW, f)
    await repo.count("BBBB-BBBB2", ["received"], NOW, facts("63.03.01.2001"))
    await repo.count("AAAA-AAAA1", ["verified", "received"], NOW, f)    # one new, one counted already
    day = "2026-11-24"
    city = (await repo.days("63.71", [day]))[day]
    assert city["n"] == {"received": 1, "verified": 1}
    assert city["ch"] == {"sms": 1} and city["reg"] == {"63-71-01": 1}
    assert "seen" not in city                                   # markers never leave the store
    province = (await repo.days("63", [day]))[day]
    assert province["n"]["received"] == 2 and province["reg"] == {"63-71": 1, "63-03": 1}
    nation = (await repo.days("ID", [day]))[day]
    assert nation["n"]["received"] == 2 and nation["reg"] == {"63": 2}


async def test_open_cases_are_scoped_coloured_and_leave_when_resolved(db: AsyncDatabase) -> None:
    await ensure_indexes(db, board.INDEXES)     # counted and sorted on the indexes, as in the service
    repo = BoardRepository(db)
    clock = {"stage": "verification", "started_at": NOW - timedelta(days=3), "due_at": NOW - timedelta(hours=1)}
    await repo.mirror("LATE-CITY1", facts("63.71.01.1001"), clock)                       # past due: red
    amber = {"stage": "verification", "started_at": NOW - timedelta(days=9), "due_at": NOW + timedelta(days=1)}
    await repo.mirror("AMBR-CITY2", facts("63.71.02.1001"), amber)                       # 10 % left: amber
    green = {"stage": "verification", "started_at": NOW, "due_at": NOW + timedelta(days=3)}
    await repo.mirror("GREN-BNJR3", facts("63.03.01.2001"), green)                       # another regency
    await repo.mirror("WAIT-CITY4", facts("63.71.01.1001", status="postponed"), None)    # paused
    await repo.mirror("LATE-CITY1", facts("63.71.01.1001"), clock)                       # replayed: same doc
    assert await repo.open_now("63.71", NOW, OPEN_STATUSES) == {
        "total": 3, "by_status": {"received": 2, "postponed": 1}, "red": 1, "amber": 1, "green": 0, "paused": 1}
    city = await repo.least_time_left("63.71", 10)
    assert [d["_id"] for d in city] == ["LATE-CITY1", "AMBR-CITY2", "WAIT-CITY4"]      # least time left first
    assert [state_of(d, NOW) for d in city] == ["red", "amber", "paused"]
    assert [d["_id"] for d in await repo.least_time_left("63.71", 10, before=NOW)] == ["LATE-CITY1"]
    assert len(await repo.least_time_left("63", 10)) == 4 and await repo.least_time_left("62", 10) == []
    assert (await repo.open_now("63", NOW, OPEN_STATUSES))["green"] == 1
    await repo.mirror("LATE-CITY1", facts("63.71.01.1001", status="resolved"), None)
    assert [d["_id"] for d in await repo.least_time_left("ID", 10)] == ["AMBR-CITY2", "GREN-BNJR3", "WAIT-CITY4"]
    assert (await repo.open_now("ID", NOW, OPEN_STATUSES))["red"] == 0


async def test_the_board_of_a_room_holds_only_its_own(db: AsyncDatabase) -> None:
    repo = BoardRepository(db)
    await repo.count("CITY-0000A", ["received"], NOW, facts("63.71.01.1001"))
    await repo.mirror("CITY-0000A", facts("63.71.01.1001"), None)
    await repo.count("KABB-0000B", ["received"], NOW, facts("63.03.01.2001"))
    await repo.mirror("KABB-0000B", facts("63.03.01.2001"), None)
    figures = await board.board(db, "63.71", NOW, WorkingCalendar(), LeagueCache(0))
    assert figures["today"]["received"] == 1 and figures["this_month"]["received"] == 1
    assert [c["tracking_id"] for c in figures["cases"]] == ["CITY-0000A"]
    assert figures["top_regions"] == [{"key": "63.71.01", "received": 1}]
    assert len(figures["trend"]) == 30 and figures["trend"][-1] == {"day": "2026-11-24", "received": 1, "resolved": 0}


async def test_sealed_days_drop_their_markers_and_count_nothing_twice(db: AsyncDatabase) -> None:
    await ensure_indexes(db, board.INDEXES)
    repo = BoardRepository(db)
    old, f = NOW - timedelta(days=10), facts("63.71.01.1001")
    await repo.count("OLDD-0000A", ["received"], old, f)
    await repo.count("TODY-0000B", ["received"], NOW, f)
    assert await repo.seal_days_before((NOW - timedelta(days=7)).date().isoformat()) == 3     # the old day, 3 rooms
    assert await repo.seal_days_before((NOW - timedelta(days=7)).date().isoformat()) == 0     # once
    day = old.astimezone(UTC).date().isoformat()
    raw = await db[board.DAILY].find_one({"_id": f"{day}:63.71"})
    assert raw is not None and "seen" not in raw and raw["sealed"] is True
    await repo.count("OLDD-0000A", ["received"], old, f)          # redelivered after sealing: not again
    assert (await repo.days("63.71", [day]))[day]["n"] == {"received": 1}
    today = (await db[board.DAILY].find_one({"_id": f"{NOW.date().isoformat()}:63.71"})) or {}
    assert today.get("seen") == ["TODY-0000B:received"] and today.get("sealed") is False
