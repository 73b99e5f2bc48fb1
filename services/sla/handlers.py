"""SLA's consumers: stage clocks and compliance facts follow the case as it moves. Each handler
takes its event's model; what a step means for the clocks and the facts is decided by the pure
functions below, tested on their own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from services.sla.board import BoardRepository
from services.sla.clocks import Clocks, current_clock, record_current_due
from services.sla.policy import Policy, book_of
from services.sla.repository import DeadlineRepository
from services.sla.settings import SlaSettings
from shared.events import CaseTransition, ReportAssigned, ReportRated, ReportReceived, UrgencyChanged
from shared.messaging.consumer import Delivery, Handlers
from shared.regions import timezone_for
from shared.runtime import Runtime

handlers = Handlers("sla")


def period_keys(at: datetime, tz: str) -> dict[str, str]:
    """Day and month in the report's own zone, so figures match the agency's calendar."""
    local = at.astimezone(ZoneInfo(tz))
    return {"month_key": local.strftime("%Y-%m"), "day_key": local.strftime("%Y-%m-%d")}


def board_steps(step: CaseTransition) -> list[str]:
    """What a step adds to the command centre's counts of its day."""
    stats = ["verified"] if step.action == "verify" else []
    if step.status in ("assigned", "in_progress", "resolved"):
        stats.append(step.status)
    return stats


@dataclass(frozen=True)
class ClockMoves:
    """What a step does to the report's clocks besides closing the stage it ends and opening
    the stage it starts: a step out of a pausing status resumes them, one into it pauses them."""

    resume: bool
    pause: bool


def clock_moves(step: CaseTransition, policy: Policy) -> ClockMoves:
    leaving = step.from_status in policy.pauses and step.status not in policy.pauses
    return ClockMoves(resume=leaving, pause=step.status in policy.pauses)


def step_facts(step: CaseTransition, facts: dict[str, Any]) -> tuple[dict[str, object], dict[str, object]]:
    """The compliance facts a step sets: (always set, set only the first time)."""
    at = step.at
    fields: dict[str, object] = {"status": step.status, "updated_at": at}
    if step.agency_id:
        fields |= {"agency_id": step.agency_id, "agency_name": step.agency_name or step.agency_id}
    if step.category:
        fields["category"] = step.category
    first: dict[str, object] = {}
    if step.status == "assigned":
        first["assigned_at"] = at
    if step.action == "verify":
        first["verified_at"] = at
    if step.status == "in_progress":
        first["first_response_at"] = at
        if facts.get("received_at"):
            first["first_response_hours"] = round((at - facts["received_at"]).total_seconds() / 3600, 2)
    if step.status == "resolved":
        fields["resolved"] = 1
        first["resolved_at"] = at
    if step.status in ("closed", "archived"):
        first[f"{step.status}_at"] = at
    return fields, first


@dataclass
class Sla:
    """The stores a handler works on, built from the runtime per message (cheap: no I/O)."""

    runtime: Runtime

    def __post_init__(self) -> None:
        shards = self.runtime.settings_as(SlaSettings).due_shards
        self.repo = DeadlineRepository(self.runtime.db, shards, self.runtime.relay)
        self.book = book_of(self.runtime)
        self.clocks = Clocks(self.repo, self.book)
        self.board = BoardRepository(self.runtime.db)

    async def mirror(self, tid: str) -> None:
        """The command centre's copy of the report's facts and current clock."""
        await self.board.mirror(tid, await self.repo.facts(tid) or {}, current_clock(await self.repo.for_report(tid),
                                                                                     self.book))

    async def open_clocks(self, step_status: str, tid: str, at: datetime, tz: str, version: str,
                          facts: dict[str, Any]) -> dict[str, Any]:
        """Open the step's clocks in the class ``facts`` give, then read the facts again: an
        urgency changed meanwhile (report.urgency_changed handled between the two) re-times
        what was just opened, so neither handler misses the other's write. Returns the facts."""
        await self.clocks.open(step_status, tid, at, tz, version, facts)
        now = await self.repo.facts(tid) or facts
        if bool(now.get("urgent")) != bool(facts.get("urgent")):
            await self.clocks.reclass(tid, bool(now.get("urgent")), now)
        return now

    async def tell_current_due(self, tid: str, at: datetime) -> None:
        await record_current_due(self.repo, self.book, tid, at, self.runtime.settings.service_name)


# every write below is an insert keyed by report and stage, or a guarded or repeatable update
@handlers.on(idempotent=True)
async def on_received(r: ReportReceived, at: Delivery) -> None:
    sla = Sla(at.runtime)
    tz = timezone_for(r.region_code)
    policy = sla.book.current
    facts = {"category": r.category, "region_code": r.region_code, "channel": r.channel, "received_at": r.received_at,
             "timezone": tz, **period_keys(r.received_at, tz)}
    # the urgency only its first writer sets: a redelivered report must not undo a triage or a coordinator
    await sla.repo.set_facts(r.tracking_id, facts, first={
        "policy_version": policy.version, "agency_id": r.agency_id, "urgent": r.urgent,
        "report_class": "urgent" if r.urgent else policy.report_class(r.category)})
    stored = await sla.repo.facts(r.tracking_id) or facts    # a step handled earlier may have set the agency
    version = stored.get("policy_version") or policy.version
    stored = await sla.open_clocks("received", r.tracking_id, r.received_at, tz, version, stored)
    await sla.tell_current_due(r.tracking_id, r.received_at)
    await sla.board.count(r.tracking_id, ["received"], r.received_at, stored)
    await sla.mirror(r.tracking_id)


@handlers.on(idempotent=True)
async def on_step(step: ReportAssigned | CaseTransition, at: Delivery) -> None:
    sla = Sla(at.runtime)
    tid = step.tracking_id
    known = await sla.repo.facts(tid) or {}        # read once: the policy version, the hours to a first response
    version = known.get("policy_version") or sla.book.current.version
    policy = sla.book.get(version)
    tz = getattr(step, "timezone", None) or timezone_for(step.region_code)
    fields, first = step_facts(step, known)
    await sla.repo.set_facts(tid, fields, first=first)
    moves = clock_moves(step, policy)
    if moves.resume:
        await sla.clocks.resume(tid, step.at)
    met = await sla.clocks.close(step.status, tid, step.at, version)
    if "first_follow_up" in met:
        await sla.repo.set_facts(tid, {"fu_due": 1}, first={"fu_on_time": int(met["first_follow_up"])})
    if moves.pause:
        await sla.clocks.pause(tid, step.at)
    # the facts as the writes above left them (open_clocks reads them again after opening)
    facts = known | fields | {k: v for k, v in first.items() if known.get(k) is None}
    facts = await sla.open_clocks(step.status, tid, step.at, tz, version, facts)
    await sla.tell_current_due(tid, step.at)
    await sla.board.count(tid, board_steps(step), step.at, facts)
    await sla.mirror(tid)


@handlers.on(idempotent=True)   # the later change wins; re-timing a clock already re-timed is a no-op
async def on_urgency(changed: UrgencyChanged, at: Delivery) -> None:
    sla = Sla(at.runtime)
    tid = changed.tracking_id
    facts = await sla.repo.facts(tid) or {}
    policy = sla.book.get(facts.get("policy_version") or sla.book.current.version)
    report_class = "urgent" if changed.urgent else policy.report_class(facts.get("category"))
    newer = await sla.repo.set_urgency(tid, changed.urgent, report_class, changed.at)
    if newer is None:
        raise LookupError(f"report {tid} not received by SLA yet")     # retried: report.received comes first
    if not newer:
        return
    # the facts as set_urgency left them, without reading them again
    facts |= {"urgent": changed.urgent, "report_class": report_class, "urgent_at": changed.at}
    await sla.clocks.reclass(tid, changed.urgent, facts)
    await sla.tell_current_due(tid, changed.at)
    await sla.mirror(tid)


@handlers.on(idempotent=True)
async def on_rated(rated: ReportRated, at: Delivery) -> None:
    await Sla(at.runtime).repo.set_facts(rated.tracking_id, {"rating": rated.rating, "rated": 1, "rated_at": rated.at})
