"""Routing's consumers: open a case file for each new report and route it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from shared.directory import Directory, directory_of
from services.routing import steps, workflow
from services.routing.classifier import learned_of, normalise
from services.routing.repository import NO_DEADLINE, cases_of
from services.routing.rules import coordinator_of, route
from services.routing.settings import RoutingSettings
from shared.events import (AttachmentAdded, Privacy, Envelope, ReopenRequested, ReportAssigned, ReportReceived, ReportReplied,
                           SlaAutoCloseDue, SlaDueChanged, SlaStep,
                           make_event, utcnow)
from shared.messaging.consumer import Handlers
from shared.observability.tracing import annotate
from shared.runtime import Runtime
from shared.statuses import OPEN, Status


def build_handlers(runtime: Runtime) -> Handlers:
    handlers = Handlers("routing")
    repo = cases_of(runtime)
    settings = runtime.settings
    assert isinstance(settings, RoutingSettings), "routing's handlers run in routing"

    @handlers.on("report.received.v1", idempotent=True)  # the case insert is keyed by tracking ID
    async def on_received(env: Envelope) -> None:
        report = env.parse(ReportReceived)
        if await repo.exists(report.tracking_id):
            return
        directory: Directory = directory_of(runtime)
        classifier = learned_of(runtime).model
        # once: both the category and the duplicate check read it (stemming is the costly part)
        norm = normalise(f"{report.title} {report.body}")
        # scoring is a few hundred dictionary lookups (classifier.Model): cheaper than a thread hop
        decision = route(report, directory, classifier, settings.classifier_threshold,
                         normalised=norm)
        category = decision.category or report.category
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
                agency_name=agency.name, region_code=report.region_code, category=category,
                at=now, rule=decision.rule, timezone=agency.timezone, confidence=decision.confidence,
                privacy=Privacy(anonymous=report.anonymous, confidential=report.confidential),
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
            "category": category,
            "region_code": report.region_code,
            "channel": report.channel,
            "privacy": {"anonymous": report.anonymous, "confidential": report.confidential},
            "agency_id": agency.id if agency else None,
            "coordinator_id": coordinator_of(report, directory, agency.id if agency else None),
            "forward_chain": [agency.id] if agency else [],
            "route": {"rule": decision.rule, "confidence": decision.confidence, "directory_version": directory.version,
                      "suggestion": decision.suggestion},
            "duplicate_candidate": await duplicate_of(report, norm, agency.id if agency else None, classifier),
            "merged_into": None,
            "overdue": False,
            # the inbox order: urgent first, then the least time left (SLA tells the deadline)
            "urgent": bool(report.urgent or (directory.categories.get(category or "") and
                                             directory.categories[category or ""].urgent)),
            **NO_DEADLINE,
            "received_at": report.received_at,
            "updated_at": now,
            "timeline": timeline,
            # metadata of the files sent with the report (intake stored the bytes)
            "attachments": {a.id: a.model_dump() for a in report.attachments},
        }
        await repo.create(doc, events)

    async def duplicate_of(report: ReportReceived, norm: str, agency_id: str | None,
                           classifier: Any) -> dict[str, Any] | None:
        """The most similar open case of the same agency or region in the last 30 days, if close."""
        scope = agency_id or report.region_code
        if classifier is None or not scope:
            return None
        threshold = settings.duplicate_threshold
        recent, seen_n = await repo.recent(scope, (report.received_at - timedelta(days=30)).strftime("%Y-%m-%d"))
        others = [o for o in recent if o["tid"] != report.tracking_id]
        # kept normalised, so a comparison is a few dictionary lookups
        index, score = classifier.most_similar_normalised(norm, [o["norm"] for o in others])
        await repo.remember_recent(scope, {"tid": report.tracking_id, "day": report.received_at.strftime("%Y-%m-%d"),
                                           "norm": norm[:600]}, seen_n)
        if index < 0 or score < threshold:
            return None
        candidate = await repo.get(others[index]["tid"])
        if candidate is None or candidate.get("merged_into") or candidate["status"] not in OPEN:
            return None
        return {"tracking_id": candidate["_id"], "score": round(score, 3)}

    @handlers.on("report.attachment_added.v1", idempotent=True)   # listed once, by its id
    async def list_attachment(env: Envelope) -> None:
        added = env.parse(AttachmentAdded)
        await repo.copy_attachment(added.tracking_id, added.attachment)

    @handlers.on("sla.breached.v1", idempotent=True)  # a repeatable $set
    async def mark_overdue(env: Envelope) -> None:
        step = env.parse(SlaStep)
        await repo.set_fields(step.tracking_id, {"overdue": True, "overdue_stage": step.stage},
                              guard={"status": {"$in": ["received", "assigned", "in_progress"]}})

    @handlers.on("sla.due_changed.v1", idempotent=True)  # guarded: the later step wins
    async def keep_deadline(env: Envelope) -> None:
        due = env.parse(SlaDueChanged)
        if not await repo.set_deadline(due.tracking_id, due.stage, due.due_at, due.at):
            if not await repo.exists(due.tracking_id):
                # SLA was quicker than this service's own report.received: try again shortly
                raise LookupError(f"case {due.tracking_id} not opened yet")

    @handlers.on("report.replied.v1", idempotent=True)  # guarded by the case's status and version
    async def reporter_replied(env: Envelope) -> None:
        """The details a postponed case waited for: it goes back to where it was."""
        replied = env.parse(ReportReplied)
        case = await repo.get(replied.tracking_id)
        if case is None or case["status"] != Status.postponed.value:
            return  # the reply is on the report for the officer; the case does not move
        back_to = next((e.get("from_status") for e in reversed(case["timeline"]) if e["status"] == Status.postponed.value),
                       None) or Status.assigned.value
        await take_step(case, "reporter_replied", back_to, "reporter", replied.channel,
                        "Pelapor telah melengkapi keterangan.")

    @handlers.on("report.reopen_requested.v1", idempotent=True)  # guarded by the case's status and version
    async def reopen(env: Envelope) -> None:
        """The reporter contests the resolution: the case goes back to the agency."""
        asked = env.parse(ReopenRequested)
        case = await repo.get(asked.tracking_id)
        if case is None or case["status"] not in (Status.resolved.value, Status.closed.value):
            return
        await take_step(case, "reopened", Status.in_progress.value, "reporter", "reporter",
                        "Pelapor menyatakan laporan belum tuntas; dibuka kembali.")

    async def take_step(case: dict[str, Any], action: str, to_status: str, actor_role: str, actor: str,
                        public_note: str | None) -> None:
        plan = workflow.Plan(action, str(case["status"]), to_status, public_note=public_note)
        await steps.write_step(runtime, repo, case, plan, actor, actor_role)   # a moved case: its guard says no

    @handlers.on("sla.auto_close_due.v1", idempotent=True)  # guarded by the case's status and version
    async def auto_close(env: Envelope) -> None:
        due = env.parse(SlaAutoCloseDue)
        case = await repo.get(due.tracking_id)
        if case is None or case["status"] != Status.resolved.value:
            return  # the reporter replied or reopened meanwhile: nothing to close
        await take_step(case, "auto_closed", Status.closed.value, "system", "sla:auto-close",
                        "Ditutup otomatis: tidak ada tanggapan pelapor setelah laporan diselesaikan.")

    return handlers
