"""SLA's consumers: stage clocks and compliance facts follow the case as it moves."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from services.sla.board import BoardRepository
from services.sla.clocks import Clocks, current_clock, record_current_due
from services.sla.policy import PolicyBook, book_of
from services.sla.repository import DeadlineRepository
from shared.events import CaseTransition, Envelope, ReportAssigned, ReportRated, ReportReceived
from shared.messaging.consumer import Handlers
from shared.regions import timezone_for
from shared.runtime import Runtime


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


def build_handlers(runtime: Runtime) -> Handlers:
    handlers = Handlers("sla")
    repo = DeadlineRepository(runtime.db, runtime.settings.due_shards, runtime.relay)
    book: PolicyBook = book_of(runtime)
    clocks = Clocks(repo, book)
    board = BoardRepository(runtime.db)

    # every write below is an insert keyed by report and stage, or a guarded or repeatable update
    @handlers.on("report.received.v1", idempotent=True)
    async def on_received(env: Envelope) -> None:
        r = env.parse(ReportReceived)
        tz = timezone_for(r.region_code)
        policy = book.current
        facts = {"category": r.category, "region_code": r.region_code, "channel": r.channel, "urgent": r.urgent,
                 "report_class": "urgent" if r.urgent else policy.report_class(r.category), "received_at": r.received_at,
                 "timezone": tz, **period_keys(r.received_at, tz)}
        await repo.set_facts(r.tracking_id, facts, first={"policy_version": policy.version, "agency_id": r.agency_id})
        stored = await repo.facts(r.tracking_id) or facts    # a step handled earlier may have set the agency
        version = stored.get("policy_version") or policy.version
        await clocks.open("received", r.tracking_id, r.received_at, tz, version, stored)
        await tell_current_due(r.tracking_id, r.received_at)
        await board.count(r.tracking_id, "received", r.received_at, stored)
        await mirror(r.tracking_id)

    async def on_step(env: Envelope) -> None:
        step = env.parse(ReportAssigned) if env.type == "report.assigned" else env.parse(CaseTransition)
        tid = step.tracking_id
        version = await clocks.policy_version(tid)
        policy = book.get(version)
        tz = getattr(step, "timezone", None) or timezone_for(step.region_code)
        await record_facts(step)
        if step.from_status in policy.pauses and step.status not in policy.pauses:
            await clocks.resume(tid, step.at)
        met = await clocks.close(step.status, tid, step.at, version)
        if "first_follow_up" in met:
            await repo.set_facts(tid, {"fu_due": 1}, first={"fu_on_time": int(met["first_follow_up"])})
        if step.status in policy.pauses:
            await clocks.pause(tid, step.at)
        facts = await repo.facts(tid) or {}
        await clocks.open(step.status, tid, step.at, tz, version, facts)
        await tell_current_due(tid, step.at)
        for stat in board_steps(step):
            await board.count(tid, stat, step.at, facts)
        await mirror(tid)

    async def mirror(tid: str) -> None:
        await board.mirror(tid, await repo.facts(tid) or {}, current_clock(await repo.for_report(tid), book))

    async def tell_current_due(tid: str, at: datetime) -> None:
        await record_current_due(repo, book, tid, at, runtime.settings.service_name)

    async def record_facts(step: CaseTransition) -> None:
        tid, at = step.tracking_id, step.at
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
            facts = await repo.facts(tid) or {}
            first["first_response_at"] = at
            if facts.get("received_at"):
                first["first_response_hours"] = round((at - facts["received_at"]).total_seconds() / 3600, 2)
        if step.status == "resolved":
            fields["resolved"] = 1
            first["resolved_at"] = at
        if step.status in ("closed", "archived"):
            first[f"{step.status}_at"] = at
        await repo.set_facts(tid, fields, first=first)

    handlers.on("report.assigned.v1", idempotent=True)(on_step)
    handlers.on("report.transitioned.v1", idempotent=True)(on_step)

    @handlers.on("report.rated.v1", idempotent=True)
    async def on_rated(env: Envelope) -> None:
        rated = env.parse(ReportRated)
        await repo.set_facts(rated.tracking_id, {"rating": rated.rating, "rated": 1, "rated_at": rated.at})

    return handlers
