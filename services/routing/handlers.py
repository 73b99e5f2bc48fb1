"""Routing's consumers: open a case file for each new report and route it; follow the
reporter's replies and SLA's steps. Each handler takes its event's model; the decisions in
them are pure functions below, tested on their own."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from shared.directory import Directory, directory_of
from services.routing import steps, workflow
from services.routing.classifier import learned_of, normalise
from services.routing.repository import CaseRepository, cases_of, new_case
from services.routing.rules import coordinator_of, route
from services.routing.settings import RoutingSettings
from services.routing.triage import triage, urgency_event
from shared.events import (AttachmentAdded, Privacy, ReopenRequested, ReportAssigned, ReportReceived, ReportReplied,
                           SlaAutoCloseDue, SlaBreached, SlaDueChanged, make_event, utcnow)
from shared.messaging.consumer import Delivery, Handlers
from shared.observability.tracing import annotate
from shared.runtime import Runtime
from shared.statuses import OPEN, Status


handlers = Handlers("routing")
# a step is open while the agency still owes the reporter something
STILL_OWED = ("received", "assigned", "in_progress")


@handlers.on(idempotent=True)  # the case insert is keyed by tracking ID
async def on_received(report: ReportReceived, at: Delivery) -> None:
    runtime = at.runtime
    repo = cases_of(runtime)
    if await repo.exists(report.tracking_id):
        return
    settings = runtime.settings_as(RoutingSettings)
    directory: Directory = directory_of(runtime)
    classifier = learned_of(runtime).model
    # once: both the category and the duplicate check read it (stemming is the costly part)
    norm = normalise(f"{report.title} {report.body}")
    # scoring is a few hundred dictionary lookups (classifier.Model): cheaper than a thread hop
    decision = route(report, directory, classifier, settings.classifier_threshold, normalised=norm)
    category = decision.category or report.category
    now = utcnow()
    agency = directory.agencies.get(decision.agency_id) if decision.agency_id else None
    annotate(agency=agency.id if agency else None, rule=decision.rule, channel=report.channel)
    events = []
    if agency is not None:
        step = ReportAssigned(
            tracking_id=report.tracking_id, action="assigned", from_status=Status.received.value,
            status=Status.assigned.value, case_version=1, actor_role="system", agency_id=agency.id,
            agency_name=agency.name, region_code=report.region_code, category=category,
            at=now, rule=decision.rule, timezone=agency.timezone, confidence=decision.confidence,
            privacy=Privacy(anonymous=report.anonymous, confidential=report.confidential),
        )
        events.append(make_event(step, correlation_id=report.tracking_id, producer=settings.service_name))
    judged = triage(report, directory, category, learned_of(runtime).urgency, settings.urgency_threshold, norm)
    if judged.urgent and not report.urgent:
        # SLA opened the standard clocks from the report itself: the urgent ones replace them
        events.append(urgency_event(report.tracking_id, True, "triage", settings.service_name))
    duplicate = await duplicate_of(repo, report, norm, agency.id if agency else None, classifier,
                                   settings.duplicate_threshold)
    doc = new_case(report, category=category, agency_id=agency.id if agency else None,
                   coordinator_id=coordinator_of(report, directory, agency.id if agency else None),
                   route={"rule": decision.rule, "confidence": decision.confidence,
                          "directory_version": directory.version, "suggestion": decision.suggestion},
                   duplicate=duplicate, triage=judged.as_dict(), at=now)
    await repo.create(doc, events)


def flagged_duplicate(candidate: dict[str, Any] | None, score: float, threshold: float) -> dict[str, Any] | None:
    """The most similar recent case is flagged only if it is close enough and still open on its
    own (a case merged into another, or one already answered, is not a duplicate to wait on)."""
    if candidate is None or score < threshold or candidate.get("merged_into") or candidate["status"] not in OPEN:
        return None
    return {"tracking_id": candidate["_id"], "score": round(score, 3)}


async def duplicate_of(repo: CaseRepository, report: ReportReceived, norm: str, agency_id: str | None,
                       classifier: Any, threshold: float) -> dict[str, Any] | None:
    """The most similar open case of the same agency or region in the last 30 days, if close."""
    scope = agency_id or report.region_code
    if classifier is None or not scope:
        return None
    recent, seen_n = await repo.recent(scope, (report.received_at - timedelta(days=30)).strftime("%Y-%m-%d"))
    others = [o for o in recent if o["tid"] != report.tracking_id]
    # kept normalised, so a comparison is a few dictionary lookups
    index, score = classifier.most_similar_normalised(norm, [o["norm"] for o in others])
    await repo.remember_recent(scope, {"tid": report.tracking_id, "day": report.received_at.strftime("%Y-%m-%d"),
                                       "norm": norm[:600]}, seen_n)
    if index < 0 or score < threshold:
        return None
    return flagged_duplicate(await repo.get(others[index]["tid"]), score, threshold)


@handlers.on(idempotent=True)   # listed once, by its id
async def list_attachment(added: AttachmentAdded, at: Delivery) -> None:
    await cases_of(at.runtime).copy_attachment(added.tracking_id, added.attachment)


@handlers.on(idempotent=True)  # a repeatable $set
async def mark_overdue(step: SlaBreached, at: Delivery) -> None:
    await cases_of(at.runtime).set_fields(step.tracking_id, {"overdue": True, "overdue_stage": step.stage},
                                          guard={"status": {"$in": list(STILL_OWED)}})


@handlers.on(idempotent=True)  # guarded: the later step wins
async def keep_deadline(due: SlaDueChanged, at: Delivery) -> None:
    repo = cases_of(at.runtime)
    if not await repo.set_deadline(due.tracking_id, due.stage, due.due_at, due.at):
        if not await repo.exists(due.tracking_id):
            # SLA was quicker than this service's own report.received: try again shortly
            raise LookupError(f"case {due.tracking_id} not opened yet")


def back_from_postponed(case: dict[str, Any]) -> str | None:
    """Where a postponed case returns when the reporter has replied: the status it was
    postponed from; None when it is not postponed (the reply then waits on the report)."""
    if case["status"] != Status.postponed.value:
        return None
    return next((e.get("from_status") for e in reversed(case["timeline"]) if e["status"] == Status.postponed.value),
                None) or Status.assigned.value


@handlers.on(idempotent=True)  # guarded by the case's status and version
async def reporter_replied(replied: ReportReplied, at: Delivery) -> None:
    """The details a postponed case waited for: it goes back to where it was."""
    case = await cases_of(at.runtime).get(replied.tracking_id)
    back_to = back_from_postponed(case) if case else None
    if case is None or back_to is None:
        return  # the reply is on the report for the officer; the case does not move
    await take_step(at.runtime, case, "reporter_replied", back_to, "reporter", replied.channel,
                    "Pelapor telah melengkapi keterangan.")


@handlers.on(idempotent=True)  # guarded by the case's status and version
async def reopen(asked: ReopenRequested, at: Delivery) -> None:
    """The reporter contests the resolution: the case goes back to the agency."""
    case = await cases_of(at.runtime).get(asked.tracking_id)
    if case is None or case["status"] not in (Status.resolved.value, Status.closed.value):
        return
    await take_step(at.runtime, case, "reopened", Status.in_progress.value, "reporter", "reporter",
                    "Pelapor menyatakan laporan belum tuntas; dibuka kembali.")


@handlers.on(idempotent=True)  # guarded by the case's status and version
async def auto_close(due: SlaAutoCloseDue, at: Delivery) -> None:
    case = await cases_of(at.runtime).get(due.tracking_id)
    if case is None or case["status"] != Status.resolved.value:
        return  # the reporter replied or reopened meanwhile: nothing to close
    await take_step(at.runtime, case, "auto_closed", Status.closed.value, "system", "sla:auto-close",
                    "Ditutup otomatis: tidak ada tanggapan pelapor setelah laporan diselesaikan.")


async def take_step(runtime: Runtime, case: dict[str, Any], action: str, to_status: str, actor_role: str, actor: str,
                    public_note: str | None) -> None:
    plan = workflow.Plan(action, str(case["status"]), to_status, public_note=public_note)
    await steps.write_step(runtime, cases_of(runtime), case, plan, actor, actor_role)   # a moved case: its guard says no
