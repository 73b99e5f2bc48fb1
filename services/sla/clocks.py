"""Stage clocks as the case moves: open, stop, pause while the reporter is asked, resume.

Every change is idempotent (an insert keyed by report and stage, or a guarded update), so a
redelivered event changes nothing twice. Opening a clock also puts its first ladder step in
the timer index, and does so again on a redelivery: the pointer is idempotent, and the
first attempt may have died between the two writes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.sla import ladder
from services.sla.policy import PolicyBook, due_at
from services.sla.repository import DeadlineRepository
from shared.events import Envelope, SlaDueChanged, make_event, utcnow
from shared.observability.metrics import SLA_DEADLINES_CLOSED


class Clocks:
    def __init__(self, repo: DeadlineRepository, book: PolicyBook) -> None:
        self.repo = repo
        self.book = book

    async def open(self, step_status: str, tracking_id: str, start: datetime, tz: str, version: str,
                   facts: dict[str, Any]) -> None:
        policy, calendar = self.book.get(version), self.book.calendar(version)
        report_class = "urgent" if facts.get("urgent") else policy.report_class(facts.get("category"))
        for stage in policy.opens.get(step_status, []):
            duration = policy.duration(stage, report_class, facts.get("agency_id"))
            due = due_at(start, duration, tz, calendar)
            first = ladder.next_step(ladder.steps(stage, start, due, tz, policy, calendar), [])
            deadline_id = f"{tracking_id}:{stage}"
            doc = {
                "_id": deadline_id, "tracking_id": tracking_id, "stage": stage, "status": "open",
                "started_at": start, "due_at": due, "timezone": tz, "working_days": duration.working_days is not None,
                "agency_id": facts.get("agency_id"), "category": facts.get("category"),
                "region_code": facts.get("region_code"), "report_class": report_class, "policy_version": policy.version,
                "month_key": facts.get("month_key"), "next_step": first.name if first else None,
                "next_at": first.at if first else None, "steps": [],
            }
            if not await self.repo.open(doc):
                doc = await self.repo.get(deadline_id) or {}
            if doc.get("status") == "open" and doc.get("next_at") is not None:
                await self.repo.schedule(deadline_id, doc["next_at"], utcnow())

    async def reclass(self, tracking_id: str, urgent: bool, facts: dict[str, Any]) -> int:
        """Re-time the report's running and paused clocks for its new class (an urgent report's
        stages are shorter; a lowered one's go back to what the policy gives its category).
        A clock keeps its start and the ladder steps already taken; its deadline and next step
        follow the class, so a deadline that the shorter stage puts in the past breaches now.
        Returns how many clocks changed; a redelivery changes none."""
        version = facts.get("policy_version") or self.book.current.version
        policy, calendar = self.book.get(version), self.book.calendar(version)
        report_class = "urgent" if urgent else policy.report_class(facts.get("category"))
        changed = 0
        for doc in await self.repo.for_report(tracking_id):
            if doc.get("status") not in ("open", "paused") or doc.get("report_class") == report_class:
                continue
            duration = policy.duration(doc["stage"], report_class, doc.get("agency_id"))
            due = due_at(doc["started_at"], duration, doc["timezone"], calendar)
            fields: dict[str, Any] = {"due_at": due, "report_class": report_class}
            if doc["status"] == "open":
                done = [s["step"] for s in doc.get("steps", [])]
                nxt = ladder.next_step(ladder.steps(doc["stage"], doc["started_at"], due, doc["timezone"], policy,
                                                    calendar), done)
                fields |= {"next_step": nxt.name if nxt else None, "next_at": nxt.at if nxt else None}
            if await self.repo.reclass(doc["_id"], doc["status"], doc.get("report_class"), fields):
                changed += 1
                if fields.get("next_at") is not None:
                    await self.repo.schedule(doc["_id"], fields["next_at"], utcnow())
        return changed

    async def close(self, step_status: str, tracking_id: str, at: datetime, version: str) -> dict[str, bool]:
        """Stop the stages this step closes; returns which of them were met in time."""
        met = {}
        for stage in self.book.get(version).closes.get(step_status, []):
            on_time = await self.repo.close(tracking_id, stage, at)
            if on_time is not None:
                met[stage] = on_time
                SLA_DEADLINES_CLOSED.labels(stage, str(on_time).lower()).inc()
        return met

    async def pause(self, tracking_id: str, at: datetime) -> None:
        await self.repo.pause(tracking_id, at)

    async def resume(self, tracking_id: str, at: datetime) -> None:
        """Give back the time the report waited for its reporter, then re-arm the ladder."""
        for doc in await self.repo.for_report(tracking_id):
            if doc["status"] == "open" and doc.get("resumed_at") == at and doc.get("next_at"):
                # a redelivery after a crash between the resume and its timer pointer
                await self.repo.schedule(doc["_id"], doc["next_at"], utcnow())
                continue
            if doc["status"] != "paused":
                continue
            policy, calendar = self.book.get(doc["policy_version"]), self.book.calendar(doc["policy_version"])
            due = ladder.resume_due(doc["due_at"], doc["paused_at"], at, doc["timezone"], doc["working_days"], calendar)
            started = doc["started_at"] + (due - doc["due_at"])
            all_steps = ladder.steps(doc["stage"], started, due, doc["timezone"], policy, calendar)
            nxt = ladder.next_step(all_steps, [s["step"] for s in doc.get("steps", [])])
            fields = {"due_at": due, "started_at": started, "next_step": nxt.name if nxt else None,
                      "next_at": nxt.at if nxt else None, "resumed_at": at,
                      "paused_total_s": doc.get("paused_total_s", 0) + (at - doc["paused_at"]).total_seconds()}
            if await self.repo.resume(doc["_id"], doc["paused_at"], fields) and nxt:
                await self.repo.schedule(doc["_id"], nxt.at, utcnow())


async def record_current_due(repo: DeadlineRepository, book: PolicyBook, tracking_id: str, at: datetime,
                             producer: str) -> list[Envelope]:
    """Note the report's current staff deadline (the earliest open clock; the reporter's
    auto-close clock is not one) with the event that tells routing, in one update. Returns the
    event for the relay, or nothing when the deadline did not change."""
    first = current_clock(await repo.for_report(tracking_id), book)
    current = {"stage": first["stage"] if first else None, "due_at": first["due_at"] if first else None,
               "report_class": first["report_class"] if first else "standard"}
    event = make_event(SlaDueChanged(tracking_id=tracking_id, at=at, **current), correlation_id=tracking_id,
                       producer=producer)
    return [event] if await repo.set_current_due(tracking_id, current, [event]) else []


def current_clock(deadlines: list[dict[str, Any]], book: PolicyBook) -> dict[str, Any] | None:
    """The staff clock that runs out first (the reporter's auto-close clock is not one)."""
    running = [d for d in deadlines if d["status"] == "open" and d["stage"] != book.current.auto_close_stage]
    return min(running, key=lambda d: d["due_at"], default=None)
