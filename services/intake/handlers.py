"""Intake's consumers: project every case step, and officers' files and coordinators' decisions
on them, onto the reporter-facing record. Each handler takes its event's model."""

from __future__ import annotations

from services.intake.repository import reports_of
from shared.events import AttachmentAdded, AttachmentVisibilityChanged, CaseTransition, ReportAssigned
from shared.messaging.consumer import Delivery, Handlers

handlers = Handlers("intake")


@handlers.on(idempotent=True)   # guarded by applied_events and case_version
async def project(step: ReportAssigned | CaseTransition, at: Delivery) -> None:
    await reports_of(at.runtime).apply_transition(step, at.envelope.event_id)


@handlers.on(idempotent=True)   # listed once, by its id
async def list_attachment(added: AttachmentAdded, at: Delivery) -> None:
    await reports_of(at.runtime).copy_attachment(added.tracking_id, added.attachment)


@handlers.on(idempotent=True)   # the later decision stands
async def attachment_visibility(change: AttachmentVisibilityChanged, at: Delivery) -> None:
    await reports_of(at.runtime).set_attachment_visibility(change.tracking_id, change.attachment_id, change.visibility,
                                                           change.at)
