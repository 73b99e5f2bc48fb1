"""SLA's consumers: open and stop stage clocks as the case moves."""

from __future__ import annotations

from datetime import datetime

from services.sla.policy import Policy, due_at
from services.sla.repository import DeadlineRepository
from shared.calendar import WorkingCalendar
from shared.events import CaseTransition, Envelope, ReportAssigned, ReportReceived
from shared.messaging.consumer import Handlers
from shared.observability.metrics import SLA_DEADLINES_CLOSED
from shared.regions import timezone_for
from shared.runtime import Runtime


def build_handlers(runtime: Runtime) -> Handlers:
    handlers = Handlers("sla")
    repo = DeadlineRepository(runtime.db)
    policy: Policy = runtime.extras["policy"]
    calendar: WorkingCalendar = runtime.extras["calendar"]

    async def open_stages(step_status: str, tracking_id: str, start: datetime, tz: str, category: str | None,
                          region_code: str | None, agency_id: str | None) -> None:
        report_class = policy.report_class(category)
        for stage in policy.opens.get(step_status, []):
            duration = policy.duration(stage, report_class, agency_id)
            await repo.open({
                "_id": f"{tracking_id}:{stage}", "tracking_id": tracking_id, "stage": stage, "status": "open",
                "started_at": start, "due_at": due_at(start, duration, tz, calendar), "timezone": tz,
                "agency_id": agency_id, "category": category, "region_code": region_code,
                "report_class": report_class, "policy_version": policy.version,
                "month_key": start.strftime("%Y-%m"),
            })

    async def close_stages(step_status: str, tracking_id: str, at: datetime) -> None:
        for stage in policy.closes.get(step_status, []):
            on_time = await repo.close(tracking_id, stage, at)
            if on_time is not None:
                SLA_DEADLINES_CLOSED.labels(stage, str(on_time).lower()).inc()

    @handlers.on("report.received.v1", idempotent=True)  # clocks are inserts keyed by report and stage
    async def on_received(env: Envelope) -> None:
        r = env.parse(ReportReceived)
        await open_stages("received", r.tracking_id, r.received_at, timezone_for(r.region_code), r.category,
                          r.region_code, r.agency_id)

    async def on_step(env: Envelope) -> None:
        step = env.parse(ReportAssigned) if env.type == "report.assigned" else env.parse(CaseTransition)
        tz = getattr(step, "timezone", None) or timezone_for(step.region_code)
        await close_stages(step.status, step.tracking_id, step.at)
        await open_stages(step.status, step.tracking_id, step.at, tz, step.category, step.region_code, step.agency_id)

    handlers.on("report.assigned.v1", idempotent=True)(on_step)
    handlers.on("report.transitioned.v1", idempotent=True)(on_step)
    return handlers
