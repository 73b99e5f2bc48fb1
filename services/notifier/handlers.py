"""Notifier's consumers: turn domain events into notifications. Each handler takes its event's
model; who is told of an SLA step is the pure ``alert_recipients``, tested on its own."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.notifier import templates
from services.notifier.delivery import Request, dispatcher_of
from services.notifier.webhook_documents import public_attachment, public_step, webhook_document
from services.notifier.repository import NotificationRepository
from shared.directory import Contact, Directory, directory_of
from shared.events import (AttachmentAdded, CaseTransition, Envelope, ReportAssigned, ReportReceived, SlaBreached,
                           SlaEscalated, SlaReminder, SlaStep, SmsAnswer)
from shared.messaging.consumer import Delivery, Handlers
from shared.observability.logging import get_logger

log = get_logger(__name__)
handlers = Handlers("notifier")


@dataclass(frozen=True)
class Known:
    """What the notifier remembered of a report when it was received: where replies go, in
    which language, and the integrator that sent it (if one did)."""

    reply_to: list[dict[str, Any]]
    language: str
    integrator_id: str | None


# notifications are keyed by (event, kind, channel, recipient) and sent under a lease;
# a send that fails stays queued with a retry pointer, so no handler waits on a provider
async def to_reporter(at: Delivery, kind: str, tracking_id: str, reply_to: list[dict[str, Any]], language: str,
                      values: dict[str, str], source_occurred_at: datetime | None = None) -> None:
    dispatcher = dispatcher_of(at.runtime)
    await asyncio.gather(*(
        dispatcher.deliver(Request(
            event_id=at.envelope.event_id, kind=kind, tracking_id=tracking_id, channel=r["channel"],
            address_enc=r["address_enc"], address_hash=r["address_hash"], language=language,
            values=values, source_occurred_at=source_occurred_at, proven=bool(r.get("proven")),
        ))
        for r in reply_to
    ))


async def to_integrator(at: Delivery, integrator_id: str | None, document: dict[str, object]) -> None:
    """The submitting integrator's subscriptions to this event; never anyone else's.
    Only recorded here: the webhook lane sends them, so a slow receiver never holds up
    this handler (and the next reports' SMS behind it)."""
    if not integrator_id:
        return
    env: Envelope = at.envelope
    dispatcher = dispatcher_of(at.runtime)
    subs = [s for s in await NotificationRepository(at.runtime.db).subscriptions_of(integrator_id)
            if s.get("active") and env.routing_key in s.get("events", [])]
    body = webhook_document(env, document)
    await asyncio.gather(*(
        dispatcher.deliver(Request(
            event_id=env.event_id, kind="webhook", tracking_id=str(document.get("tracking_id")), channel="webhook",
            address_enc="", address_hash=sub["_id"], language="id", values={}, body=body,
            extra={"event_type": env.routing_key, "integrator_id": integrator_id},
        ), attempt_now=False)
        for sub in subs
    ))


async def known_of(at: Delivery, tracking_id: str) -> Known:
    doc = await NotificationRepository(at.runtime.db).contacts_for(tracking_id)
    if doc is None:
        # report.received is not handled yet: retry later rather than lose this message
        raise LookupError(f"contacts of {tracking_id} not known yet")
    return Known(reply_to=doc.get("reply_to") or [], language=doc.get("language") or "id",
                 integrator_id=doc.get("integrator_id"))


@handlers.on(idempotent=True)
async def acknowledge(report: ReportReceived, at: Delivery) -> None:
    replies = [r.model_dump() for r in report.reply_to]
    await NotificationRepository(at.runtime.db).remember_contacts(report.tracking_id, report.language, replies,
                                                                  report.integrator_id)
    await to_reporter(at, "ack", report.tracking_id, replies, report.language,
                      {"tracking_id": report.tracking_id}, report.received_at)
    await to_integrator(at, report.integrator_id, {
        "tracking_id": report.tracking_id, "status": "received", "channel": report.channel,
        "integrator_reference": report.integrator_reference, "at": report.received_at.isoformat(),
        "privacy": {"anonymous": report.anonymous, "confidential": report.confidential}})


@handlers.on(idempotent=True)
async def tell_assigned(step: ReportAssigned, at: Delivery) -> None:
    known = await known_of(at, step.tracking_id)
    await to_reporter(at, "assigned", step.tracking_id, known.reply_to, known.language,
                      {"tracking_id": step.tracking_id, "agency_name": step.agency_name or step.agency_id or "-"})
    await to_integrator(at, known.integrator_id, public_step(step))


@handlers.on(idempotent=True)
async def tell_step(step: CaseTransition, at: Delivery) -> None:
    known = await known_of(at, step.tracking_id)
    if step.status in templates.STATUS_KINDS:
        # only the public note: officers' internal notes never travel in events to here
        await to_reporter(at, "status", step.tracking_id, known.reply_to, known.language,
                          {"tracking_id": step.tracking_id,
                           "status_text": templates.status_text(step.status, known.language),
                           "note": templates.short_note(step.public_note)})
    await to_integrator(at, known.integrator_id, public_step(step))


@handlers.on(idempotent=True)
async def tell_attachment(added: AttachmentAdded, at: Delivery) -> None:
    known = await known_of(at, added.tracking_id)
    await to_integrator(at, known.integrator_id, public_attachment(added))


@handlers.on(idempotent=True)
async def answer_sms(ans: SmsAnswer, at: Delivery) -> None:
    await dispatcher_of(at.runtime).deliver(Request(
        event_id=at.envelope.event_id, kind=f"sms_{ans.kind}", tracking_id=ans.tracking_id, channel="sms",
        address_enc=ans.to_enc, address_hash=ans.to_hash, language=ans.language,
        values={"tracking_id": "", **ans.values},
    ))


def alert_recipients(step: SlaStep, directory: Directory) -> list[Contact]:
    """Up the ladder: the officer; then the head and the coordinator; then oversight."""
    if step.step == "reminder":
        return directory.contacts(step.agency_id, "officer")
    if step.step == "breach":
        coordinator = directory.coordinator_for(step.agency_id) if step.agency_id else directory.national_coordinator
        return [*directory.contacts(step.agency_id, "head"),
                *(directory.contacts(coordinator.id, "coordinator") if coordinator else [])]
    return directory.oversight_contacts()


@handlers.on(idempotent=True)
async def alert(step: SlaReminder | SlaBreached | SlaEscalated, at: Delivery) -> None:
    # SLA steps carry no identity and no content; neither do the alerts built from them
    runtime = at.runtime
    directory: Directory = directory_of(runtime)
    agency = directory.agencies.get(step.agency_id or "")
    values = {"tracking_id": step.tracking_id, "stage": templates.stage_name(step.stage, "id"),
              "agency_name": agency.name if agency else (step.agency_id or "koordinator"),
              "due_at": templates.local_time(step.due_at, agency.timezone if agency else "Asia/Jakarta"),
              "overdue_hours": f"{step.overdue_hours:g}"}
    contacts = alert_recipients(step, directory)
    targets = sorted({("email", c.email) for c in contacts if c.email} | {("chat", c.chat_webhook) for c in contacts
                                                                       if c.chat_webhook})
    if not targets:
        log.warning("no recipient for sla alert", tracking_id=step.tracking_id, step=step.step, agency=step.agency_id)
    dispatcher = dispatcher_of(runtime)
    await asyncio.gather(*(
        dispatcher.deliver(Request(
            event_id=at.envelope.event_id, kind=f"sla_{step.step}", tracking_id=step.tracking_id, channel=channel,
            address_enc=runtime.vault.encrypt(address), address_hash=runtime.vault.lookup_hash(address),
            language="id", values=values,
        ))
        for channel, address in targets
    ))
