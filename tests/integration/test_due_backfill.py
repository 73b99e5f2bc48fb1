"""Deadlines on cases after an upgrade, on the real database: the operator's backfill notes
each running clock once with its event, and routing takes a deadline onto a case that never
had one, but never lets an older change overwrite a newer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pymongo.asynchronous.database import AsyncDatabase

from services.routing.repository import CaseRepository
from services.sla.cli import tell_deadlines
from services.sla.repository import DeadlineRepository
from services.sla.settings import SlaSettings
from harness.infra import Isolation


async def test_backfill_queues_one_event_per_report_with_a_running_clock(db: AsyncDatabase, isolation: Isolation) -> None:
    due = datetime(2026, 12, 9, 15, 59, tzinfo=UTC)
    await db.deadlines.insert_many([
        {"_id": "AAAA-AAAAA:first_follow_up", "tracking_id": "AAAA-AAAAA", "stage": "first_follow_up",
         "status": "open", "due_at": due, "report_class": "standard"},
        {"_id": "AAAA-AAAAA:answer", "tracking_id": "AAAA-AAAAA", "stage": "answer", "status": "open",
         "due_at": due + timedelta(days=5), "report_class": "standard"},
        {"_id": "BBBB-BBBBB:verification", "tracking_id": "BBBB-BBBBB", "stage": "verification", "status": "met",
         "due_at": due, "report_class": "standard"},
    ])
    await db.sla_reports.insert_many([{"_id": "AAAA-AAAAA"}, {"_id": "BBBB-BBBBB"}])
    values = {k: v for k, v in isolation.settings().model_dump().items() if k != "service_name"}
    settings = SlaSettings(**values)
    repo = DeadlineRepository(db, leave_to_sweeper=True)    # as the command line runs it
    assert await tell_deadlines(repo, settings) == (1, 1)
    facts = await db.sla_reports.find_one({"_id": "AAAA-AAAAA"})
    assert facts["current_due"]["stage"] == "first_follow_up"        # the earliest running clock
    assert facts["current_due"]["due_at"].replace(tzinfo=UTC) == due
    [event] = facts["outbox"].values()
    assert event["type"] == "sla.due_changed" and event["payload"]["tracking_id"] == "AAAA-AAAAA"
    assert await tell_deadlines(repo, settings) == (1, 0)              # nothing changed: nothing sent again
    assert "outbox" not in (await db.sla_reports.find_one({"_id": "BBBB-BBBBB"}) or {})


async def test_a_case_without_a_deadline_takes_one_and_keeps_the_later_change(db: AsyncDatabase) -> None:
    cases = CaseRepository(db)
    await db.cases.insert_one({"_id": "CCCC-CCCCC", "status": "assigned"})     # opened before deadlines were kept
    t1, t2 = datetime(2026, 12, 1, 1, tzinfo=UTC), datetime(2026, 12, 1, 2, tzinfo=UTC)
    due = datetime(2026, 12, 8, tzinfo=UTC)
    assert await cases.set_deadline("CCCC-CCCCC", "first_follow_up", due, t2)
    assert not await cases.set_deadline("CCCC-CCCCC", "verification", due - timedelta(days=3), t1)   # older: ignored
    case = await db.cases.find_one({"_id": "CCCC-CCCCC"})
    assert case["due_stage"] == "first_follow_up" and case["due_sort"].replace(tzinfo=UTC) == due
    assert await cases.set_deadline("CCCC-CCCCC", None, None, t2 + timedelta(minutes=1))     # no clock runs now
    assert (await db.cases.find_one({"_id": "CCCC-CCCCC"}))["due_sort"].year == 9999          # sorts last
