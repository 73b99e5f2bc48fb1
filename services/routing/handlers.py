"""Routing's consumers: open a case file for each new report and route it."""

from __future__ import annotations

from services.routing.directory import Directory
from services.routing.repository import CASES, CaseRepository
from services.routing.rules import route
from shared.events import Envelope, ReportAssigned, ReportReceived, make_event, utcnow
from shared.messaging.consumer import Handlers
from shared.observability.tracing import annotate
from shared.runtime import Runtime
from shared.statuses import Status
from shared.storage.outbox import outbox_insert_fields


def build_handlers(runtime: Runtime) -> Handlers:
    handlers = Handlers("routing")
    repo = CaseRepository(runtime.db)

    @handlers.on("report.received.v1", idempotent=True)  # the case insert is keyed by tracking ID
    async def on_received(env: Envelope) -> None:
        report = env.parse(ReportReceived)
        if await repo.exists(report.tracking_id):
            return
        directory: Directory = runtime.extras["directory"]
        decision = route(report, directory)
        now = utcnow()
        agency = directory.agencies.get(decision.agency_id) if decision.agency_id else None
        annotate(agency=agency.id if agency else None, rule=decision.rule, channel=report.channel)
        timeline = [{"at": report.received_at, "action": "submitted", "status": Status.received.value,
                     "from_status": None, "actor": "reporter", "actor_role": "reporter"}]
        events = []
        status, version = Status.received, 0
        if agency is not None:
            status, version = Status.assigned, 1
            step = ReportAssigned(
                tracking_id=report.tracking_id, action="assigned", from_status=Status.received.value,
                status=status.value, case_version=version, actor_role="system", agency_id=agency.id,
                agency_name=agency.name, region_code=report.region_code, category=report.category,
                at=now, rule=decision.rule, timezone=agency.timezone, confidence=decision.confidence,
            )
            events.append(make_event(step, correlation_id=report.tracking_id, producer=runtime.settings.service_name))
            timeline.append({"at": now, "action": "assigned", "status": status.value, "from_status": Status.received.value,
                             "actor": "routing:auto", "actor_role": "system", "rule": decision.rule, "agency_id": agency.id})
        doc = {
            "_id": report.tracking_id,
            "status": status.value,
            "version": version,
            "type": report.type,
            "title": report.title,
            "body": report.body,
            "category": report.category,
            "region_code": report.region_code,
            "channel": report.channel,
            "privacy": {"anonymous": report.anonymous, "confidential": report.confidential},
            "agency_id": agency.id if agency else None,
            "route": {"rule": decision.rule, "confidence": decision.confidence, "directory_version": directory.version},
            "received_at": report.received_at,
            "updated_at": now,
            "timeline": timeline,
            **outbox_insert_fields(events),
        }
        if await repo.create(doc) and events:
            runtime.relay.submit(CASES, report.tracking_id, events)

    return handlers
