"""Intake's projection of case steps: each step once in the timeline, the status only forward,
whatever the order and number of deliveries."""

from __future__ import annotations

import itertools

from pymongo.asynchronous.database import AsyncDatabase

from services.intake.repository import ReportRepository
from shared.events import CaseTransition, utcnow


def step(version: int, status: str) -> CaseTransition:
    return CaseTransition(tracking_id="T-1", action=status, from_status=None, status=status, case_version=version,
                          actor_role="officer", agency_id="a" if version == 1 else None, agency_name="A", at=utcnow())


async def test_any_order_and_repeats_give_the_same_report(db: AsyncDatabase) -> None:
    steps = [(f"e{v}", step(v, s)) for v, s in ((1, "assigned"), (2, "in_progress"), (3, "resolved"))]
    for n, order in enumerate(itertools.permutations(steps + steps[:1])):   # every order, one step twice
        tid = f"T-{n}"
        await db.reports.insert_one({"_id": tid, "status": "received", "case_version": 0, "timeline": [], "applied_events": []})
        repo = ReportRepository(db)
        for event_id, s in order:
            await repo.apply_transition(s.model_copy(update={"tracking_id": tid}), event_id)
        doc = await db.reports.find_one({"_id": tid})
        assert doc["status"] == "resolved" and doc["case_version"] == 3
        assert sorted(e["status"] for e in doc["timeline"]) == ["assigned", "in_progress", "resolved"]
        assert sorted(doc["applied_events"]) == ["e1", "e2", "e3"]
