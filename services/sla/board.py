"""The command centre's figures, kept as the case moves so a wallboard's refresh reads a few
documents by key and the open cases, never the whole of the reports.

- ``sla_daily``: one document per local day and scope (``ID`` for the nation, a province
  ``63``, a regency ``63.71``) with counters of what happened that day: received (by channel,
  category and the region one level down), verified, assigned, first response, resolved.
  Each report's step counts once: the ``$inc`` is guarded by a marker (report and step) kept
  in the same document, so a redelivered event, or the rebuild command, adds nothing.
  A day's document holds one marker per counted step, bounded by that day's volume.
- ``sla_open``: one small document per report still with the government (status, current
  deadline, where, which agency), removed when it leaves; the case tiles, the colours and the
  overdue list read it. It is derived from the report's facts after every step, so replaying
  a step writes the same document again.

SLA never holds a report's text or its reporter, so nothing here can leak either.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.sla import compliance
from shared.calendar import WorkingCalendar
from shared.observability.logging import get_logger
from shared.regions import timezone_for
from shared.statuses import OPEN
from shared.storage.mongo import Index
from shared.storage.mongo import count as count_matching

log = get_logger(__name__)

DAILY = "sla_daily"
OPEN_CASES = "sla_open"
NATIONAL = "ID"
AMBER_SHARE = 0.2          # amber when under a fifth of the stage's time is left
TREND_DAYS = 30
NO_DUE = datetime(9999, 1, 1, tzinfo=UTC)
STATS = ("received", "verified", "assigned", "in_progress", "resolved")
OPEN_STATUSES = tuple(sorted(str(s.value) for s in OPEN))
LEVELS = 3                 # nation, province, regency: a case's scope at each is a field of its own


def scopes_of(region_code: str | None) -> list[str]:
    """The rooms a report shows in: the nation's, its province's, its regency's."""
    code = region_code or ""
    scopes = [NATIONAL]
    if len(code) >= 2:
        scopes.append(code[:2])
    if len(code) >= 5:
        scopes.append(code[:5])
    return scopes


def scope_field(scope: str) -> str:
    """The field of an open case that holds its scope at ``scope``'s level (a scalar, unlike a
    list of scopes, so that an index serves it on FerretDB's SQLite backend too)."""
    return f"scope_{0 if scope == NATIONAL else 1 if len(scope) == 2 else 2}"


SEAL_EVERY_S = 3600


async def seal_loop(db: AsyncDatabase, keep_days: int, every_s: float = SEAL_EVERY_S) -> None:
    """Every hour, seal the day counters older than ``keep_days`` (see ``seal_days_before``)."""
    repo = BoardRepository(db)
    while True:
        try:
            sealed = await repo.seal_days_before((datetime.now(UTC) - timedelta(days=keep_days)).date().isoformat())
            if sealed:
                log.info("command-centre days sealed", days=sealed)
        except Exception as exc:   # the database may be restarting: next round
            log.warning("sealing day counters failed", error=repr(exc))
        await asyncio.sleep(every_s)


# one index per level for each read of the board: the tiles and the overdue list (least time
# left first), amber counts, counts by status, the oldest open cases (recap)
INDEXES = [Index(DAILY, [("sealed", ASCENDING), ("day", ASCENDING)])] + [
           Index(OPEN_CASES, [(f"scope_{level}", ASCENDING), *rest])
           for level in range(LEVELS)
           for rest in ([("due_sort", ASCENDING), ("tid", ASCENDING)], [("amber_at", ASCENDING)],
                        [("status", ASCENDING)], [("received_at", ASCENDING), ("tid", ASCENDING)])]
BY_TIME_LEFT = [("due_sort", ASCENDING), ("tid", ASCENDING)]


def child_in(scope: str, region_code: str | None) -> str | None:
    """The region one level below ``scope`` that holds the report (for "top regions")."""
    code = region_code or ""
    size = 2 if scope == NATIONAL else {2: 5, 5: 8}.get(len(scope))
    return code[:size] if size and len(code) >= size else None


def zone_of(scope: str) -> str:
    return timezone_for(None if scope == NATIONAL else scope)


def _key(code: str) -> str:
    return code.replace(".", "-")   # a dot in a field name would nest


class BoardRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.daily = db[DAILY]
        self.open = db[OPEN_CASES]

    # ------------------------------------------------------------------ write side

    async def count(self, tracking_id: str, stats: list[str], at: datetime, facts: dict[str, Any]) -> None:
        """Count steps of one report on their local day, once, in every scope it shows in (each
        update guarded by its marker). One command each, sent together: not a bulk, because
        FerretDB v1 stops an update command at its first error, and an upsert that meets a
        counted marker ends in one (a duplicate key), so the bulk's later updates would be lost."""
        region = facts.get("region_code")
        day = at.astimezone(ZoneInfo(facts.get("timezone") or timezone_for(region))).date().isoformat()

        async def one(stat: str, scope: str) -> None:
            marker = f"{tracking_id}:{stat}"
            inc = {f"n.{stat}": 1}
            if stat == "received":
                inc[f"ch.{facts.get('channel') or 'web'}"] = 1
                inc[f"cat.{facts.get('category') or 'other'}"] = 1
                child = child_in(scope, region)
                if child:
                    inc[f"reg.{_key(child)}"] = 1
            try:
                await self.daily.update_one(
                    {"_id": f"{day}:{scope}", "seen": {"$ne": marker}, "sealed": {"$ne": True}},
                    {"$inc": inc, "$push": {"seen": marker}, "$setOnInsert": {"day": day, "scope": scope, "sealed": False}},
                    upsert=True)
            except DuplicateKeyError:
                pass   # the day's document exists and holds the marker: counted already

        await asyncio.gather(*(one(stat, scope) for stat in stats for scope in scopes_of(region)))

    async def seal_days_before(self, day: str) -> int:
        """Drop the markers of days before ``day`` (no step of theirs is still being delivered):
        a board reads 31 day documents, and a busy day's markers outweigh its counters a
        thousandfold. A sealed day counts nothing more (a step redelivered later is not
        counted twice); ``rebuild-board`` recounts from the facts."""
        result = await self.daily.update_many({"sealed": False, "day": {"$lt": day}},
                                              {"$set": {"sealed": True}, "$unset": {"seen": ""}})
        return result.modified_count

    async def mirror(self, tracking_id: str, facts: dict[str, Any], clock: dict[str, Any] | None) -> None:
        """The report's tile as its facts now say: written while it is open, removed after."""
        status = facts.get("status") or "received"
        if status not in OPEN:
            await self.open.delete_one({"_id": tracking_id})
            return
        due = clock["due_at"] if clock else None
        start = clock["started_at"] if clock else None
        amber = due - (due - start) * AMBER_SHARE if due and start else None
        doc = {
            **{f"scope_{level}": scope for level, scope in enumerate(scopes_of(facts.get("region_code")))},
            "tid": tracking_id, "status": status,
            "category": facts.get("category"), "agency_id": facts.get("agency_id"),
            "agency_name": facts.get("agency_name"), "region_code": facts.get("region_code"),
            "channel": facts.get("channel"), "urgent": bool(facts.get("urgent")),
            "received_at": facts.get("received_at"), "timezone": facts.get("timezone"),
            "due_at": due, "due_stage": clock["stage"] if clock else None, "amber_at": amber,
            "due_sort": due or NO_DUE, "policy_version": facts.get("policy_version"),
        }
        await self.open.update_one({"_id": tracking_id}, {"$set": doc}, upsert=True)

    # ------------------------------------------------------------------ read side

    async def days(self, scope: str, days: list[str]) -> dict[str, dict[str, Any]]:
        """The day documents of a scope, read by their keys in one query (markers left out)."""
        ids = [f"{day}:{scope}" for day in days]
        found = {d["_id"]: d async for d in self.daily.find({"_id": {"$in": ids}}, {"seen": 0})}
        return {day: found[i] for day, i in zip(days, ids) if i in found}

    async def open_now(self, scope: str, now: datetime, statuses: tuple[str, ...]) -> dict[str, Any]:
        """Counts of the scope's open cases by status and by colour, each counted on an index
        (at a million reports a room's open cases are too many to read for a count)."""
        field = scope_field(scope)
        def count(query: dict[str, Any]) -> Any:
            return count_matching(self.open, query)
        by_status = {s: n for s in statuses if (n := await count({field: scope, "status": s}))}
        red = await count({field: scope, "due_sort": {"$lt": now}})
        # every red case is past its amber time too (amber_at comes before due_at)
        amber = await count({field: scope, "amber_at": {"$lte": now}}) - red
        paused = await count({field: scope, "due_sort": NO_DUE})
        total = sum(by_status.values())
        return {"total": total, "by_status": by_status, "red": red, "amber": amber, "paused": paused,
                "green": total - red - amber - paused}

    async def least_time_left(self, scope: str, limit: int, before: datetime | None = None) -> list[dict[str, Any]]:
        """The scope's open cases with the least time left (past ``before``, if given: the overdue)."""
        query: dict[str, Any] = {scope_field(scope): scope}
        if before is not None:
            query["due_sort"] = {"$lt": before}
        return await self.open.find(query, PROJECTION).sort(BY_TIME_LEFT).limit(limit).to_list(length=limit)

    async def oldest_open(self, scope: str, before: datetime, limit: int) -> tuple[list[dict[str, Any]], int]:
        """Open cases received before ``before``, oldest first, and how many there are."""
        query = {scope_field(scope): scope, "received_at": {"$lt": before}}
        docs = await self.open.find(query, PROJECTION).sort([("received_at", ASCENDING), ("tid", ASCENDING)]) \
            .limit(limit).to_list(length=limit)
        return docs, await count_matching(self.open, query)


PROJECTION = {f"scope_{level}": 0 for level in range(LEVELS)}


def state_of(doc: dict[str, Any], now: datetime) -> str:
    """red: past its deadline; amber: under a fifth of its time left; green; paused: no clock."""
    if doc.get("due_at") is None:
        return "paused"
    if aware(doc["due_at"]) < now:
        return "red"
    if doc.get("amber_at") is not None and aware(doc["amber_at"]) <= now:
        return "amber"
    return "green"


def aware(at: datetime) -> datetime:
    """FerretDB and PyMongo hand back naive UTC unless told otherwise."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def local_days(now: datetime, tz: str) -> tuple[date, list[str]]:
    """Today in the room's zone and the days the board reads: the trend's 30 and this month's."""
    today = now.astimezone(ZoneInfo(tz)).date()
    span = max(TREND_DAYS, today.day)
    return today, [(today - timedelta(days=i)).isoformat() for i in range(span - 1, -1, -1)]


def totals(docs: list[dict[str, Any]]) -> dict[str, Any]:
    """Sum of day documents: counts per step, per channel, category and region one level down."""
    out: dict[str, Any] = {stat: 0 for stat in STATS} | {"by_channel": {}, "by_category": {}, "by_region": {}}
    for doc in docs:
        for stat, n in (doc.get("n") or {}).items():
            out[stat] = out.get(stat, 0) + n
        for field, target in (("ch", "by_channel"), ("cat", "by_category"), ("reg", "by_region")):
            for key, n in (doc.get(field) or {}).items():
                name = key.replace("-", ".") if field == "reg" else key
                out[target][name] = out[target].get(name, 0) + n
    return out


def top(counts: dict[str, int], n: int = 5) -> list[dict[str, Any]]:
    return [{"key": k, "received": v} for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


class LeagueCache:
    """The month's agency league per room, recomputed in the background at most every
    ``ttl_s``: it is a grouping of the month's reports, which the boards of a wall of screens
    refreshing every few seconds need not repeat, and which must not hold up the counts. A
    room's first request waits ``wait_s`` for it, then goes on without it."""

    def __init__(self, ttl_s: float, wait_s: float = 2.0) -> None:
        self.ttl_s, self.wait_s = ttl_s, wait_s
        self._rows: dict[tuple[str, str], tuple[float, list[dict[str, Any]]]] = {}
        self._tasks: dict[tuple[str, str], asyncio.Task[None]] = {}

    async def get(self, db: AsyncDatabase, scope: str, month: str) -> list[dict[str, Any]] | None:
        key = (scope, month)
        hit = self._rows.get(key)
        if hit is None or time.monotonic() - hit[0] >= self.ttl_s:
            task = self._tasks.get(key)
            if task is None or task.done():
                task = self._tasks[key] = asyncio.create_task(self._refresh(db, key))
            if hit is None:
                try:
                    await asyncio.wait_for(asyncio.shield(task), self.wait_s)
                except TimeoutError:
                    return None
                hit = self._rows.get(key)
        return hit[1] if hit else None

    async def _refresh(self, db: AsyncDatabase, key: tuple[str, str]) -> None:
        try:
            rows = compliance.ranking(await compliance.figures(db, key[1], "agency", key[0]), 1)
        except Exception as exc:   # the database may be restarting: keep what we had
            log.warning("league refresh failed", scope=key[0], error=repr(exc))
            return
        if len(self._rows) > 1000:   # rooms are few; bound it all the same
            self._rows.clear()
        self._rows[key] = (time.monotonic(), rows)


async def board(db: AsyncDatabase, scope: str, now: datetime, calendar: WorkingCalendar, league: LeagueCache,
                cases: int = 48, overdue: int = 20) -> dict[str, Any]:
    """Everything a room's wallboard shows, as of ``now``."""
    repo = BoardRepository(db)
    tz = zone_of(scope)
    today, days = local_days(now, tz)
    docs = await repo.days(scope, days)
    month_prefix = today.isoformat()[:7]
    month = totals([d for k, d in docs.items() if k.startswith(month_prefix)])
    open_now = await repo.open_now(scope, now, OPEN_STATUSES)

    def tile(doc: dict[str, Any]) -> dict[str, Any]:
        return {"tracking_id": doc["_id"], "state": state_of(doc, now),
                **{k: doc.get(k) for k in ("status", "category", "agency_id", "agency_name", "region_code",
                                           "channel", "urgent", "due_at", "due_stage", "received_at")}}

    late = []
    for doc in await repo.least_time_left(scope, overdue, before=now):
        row = tile(doc)
        row["working_days_late"] = calendar.working_days_between(aware(doc["due_at"]), now,
                                                                 doc.get("timezone") or tz)
        late.append(row)
    return {
        "scope": scope, "timezone": tz, "as_of": now, "day": today.isoformat(), "month": month_prefix,
        "today": {**totals([docs[today.isoformat()]] if today.isoformat() in docs else []),
                  "overdue": open_now["red"]},
        "this_month": {**month, "overdue": open_now["red"]},
        "open": open_now,
        "cases": [tile(d) for d in await repo.least_time_left(scope, cases)],
        "overdue": late,
        "league": await league.get(db, scope, month_prefix),
        "top_categories": top(month["by_category"]),
        "top_regions": top(month["by_region"]),
        "trend": [{"day": d, **{s: (docs.get(d, {}).get("n") or {}).get(s, 0) for s in ("received", "resolved")}}
                  for d in days[-TREND_DAYS:]],
    }
