"""Intake's consumers: project every case step, and officers' files and coordinators' decisions
on them, onto the reporter-facing record."""

from __future__ import annotations

from services.intake.repository import ReportRepository
from shared.events import AttachmentAdded, AttachmentVisibilityChanged, CaseTransition, Envelope
from shared.messaging.consumer import Handlers
from shared.runtime import Runtime


def build_handlers(runtime: Runtime) -> Handlers:
    handlers = Handlers("intake")
    repo = ReportRepository(runtime.db)

    async def project(env: Envelope) -> None:
        step = env.parse(CaseTransition)
        entry = {"at": step.at, "action": step.action, "status": step.status, "from_status": step.from_status,
                 "actor_role": step.actor_role, "public_note": step.public_note, "event_id": env.event_id}
        await repo.apply_transition(step, env.event_id, entry)

    # guarded by applied_events and case_version
    handlers.on("report.assigned.v1", idempotent=True)(project)
    handlers.on("report.transitioned.v1", idempotent=True)(project)

    @handlers.on("report.attachment_added.v1", idempotent=True)   # listed once, by its id
    async def list_attachment(env: Envelope) -> None:
        added = env.parse(AttachmentAdded)
        await repo.copy_attachment(added.tracking_id, added.attachment)

    @handlers.on("report.attachment_visibility_changed.v1", idempotent=True)   # the later decision stands
    async def attachment_visibility(env: Envelope) -> None:
        change = env.parse(AttachmentVisibilityChanged)
        await repo.set_attachment_visibility(change.tracking_id, change.attachment_id, change.visibility, change.at)

    return handlers
