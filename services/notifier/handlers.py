"""Notifier's consumers: turn domain events into notifications."""

from __future__ import annotations

import asyncio

from services.notifier import templates
from services.notifier.delivery import Dispatcher, Request
from services.notifier.repository import NotificationRepository
from shared.directory import Contact, Directory
from shared.events import Envelope, ReportAssigned, ReportReceived, SlaStep
from shared.messaging.consumer import Handlers
from shared.observability.logging import get_logger
from shared.runtime import Runtime

log = get_logger(__name__)


def build_handlers(runtime: Runtime) -> Handlers:
    handlers = Handlers("notifier")
    repo = NotificationRepository(runtime.db)
    dispatcher: Dispatcher = runtime.extras["dispatcher"]

    # notifications are keyed by (event, kind, channel, recipient) and sent under a lease
    @handlers.on("report.received.v1", idempotent=True)
    async def acknowledge(env: Envelope) -> None:
        report = env.parse(ReportReceived)
        replies = [r.model_dump() for r in report.reply_to]
        await repo.remember_contacts(report.tracking_id, report.language, replies)
        await asyncio.gather(*(
            dispatcher.deliver(Request(
                event_id=env.event_id, kind="ack", tracking_id=report.tracking_id, channel=r.channel,
                address_enc=r.address_enc, address_hash=r.address_hash, language=report.language,
                values={"tracking_id": report.tracking_id}, source_occurred_at=report.received_at,
            ))
            for r in report.reply_to
        ))

    @handlers.on("report.assigned.v1", idempotent=True)
    async def tell_reporter_assigned(env: Envelope) -> None:
        step = env.parse(ReportAssigned)
        contacts = await repo.contacts_for(step.tracking_id)
        if contacts is None:
            # report.received is not handled yet: retry later rather than lose this message
            raise LookupError(f"contacts of {step.tracking_id} not known yet")
        await asyncio.gather(*(
            dispatcher.deliver(Request(
                event_id=env.event_id, kind="assigned", tracking_id=step.tracking_id, channel=r["channel"],
                address_enc=r["address_enc"], address_hash=r["address_hash"], language=contacts["language"],
                values={"tracking_id": step.tracking_id, "agency_name": step.agency_name or step.agency_id or "-"},
            ))
            for r in contacts["reply_to"]
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

    async def alert(env: Envelope) -> None:
        # SLA steps carry no identity and no content; neither do the alerts built from them
        step = env.parse(SlaStep)
        directory: Directory = runtime.extras["directory"]
        agency = directory.agencies.get(step.agency_id or "")
        values = {"tracking_id": step.tracking_id, "stage": templates.stage_name(step.stage, "id"),
                  "agency_name": agency.name if agency else (step.agency_id or "koordinator"),
                  "due_at": templates.local_time(step.due_at, agency.timezone if agency else "Asia/Jakarta"),
                  "overdue_hours": f"{step.overdue_hours:g}"}
        emails = sorted({c.email for c in alert_recipients(step, directory) if c.email})
        if not emails:
            log.warning("no recipient for sla alert", tracking_id=step.tracking_id, step=step.step, agency=step.agency_id)
        await asyncio.gather(*(
            dispatcher.deliver(Request(
                event_id=env.event_id, kind=f"sla_{step.step}", tracking_id=step.tracking_id, channel="email",
                address_enc=runtime.vault.encrypt(email), address_hash=runtime.vault.lookup_hash(email),
                language="id", values=values,
            ))
            for email in emails
        ))

    for key in ("sla.reminder.v1", "sla.breached.v1", "sla.escalated.v1"):
        handlers.on(key, idempotent=True)(alert)
    return handlers
