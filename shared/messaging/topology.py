"""Who listens to what: the one table of queues and bindings on the events exchange.

Every service declares the whole table at start-up, not only its own queue. A publisher
removes an event from its outbox once the broker confirms it; had a consumer's queue not been
declared yet (that service never started on a fresh broker), the event would be confirmed and
silently miss that consumer. Declaring everything everywhere closes that gap.
"""

from __future__ import annotations

from dataclasses import dataclass

SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    # intake keeps the reporter-facing projection of every case step, and of officers' files
    "intake": ("report.assigned.v1", "report.transitioned.v1", "report.attachment_added.v1",
               "report.attachment_visibility_changed.v1"),
    # routing closes a resolved case whose reporter stayed silent, and keeps each case's deadline
    "routing": ("report.received.v1", "report.replied.v1", "report.reopen_requested.v1", "sla.auto_close_due.v1",
                "sla.breached.v1", "sla.due_changed.v1", "report.attachment_added.v1"),
    "notifier": ("report.received.v1", "report.assigned.v1", "report.transitioned.v1", "sms.answer.v1",
                 "report.attachment_added.v1",
                 "sla.reminder.v1", "sla.breached.v1", "sla.escalated.v1"),
    "sla": ("report.received.v1", "report.assigned.v1", "report.transitioned.v1", "report.rated.v1",
            "report.urgency_changed.v1"),
}

DEAD_LETTER_EXCHANGE = "lapor.dlx"
# Redeliveries (consumer crashes) before the broker parks a message. A queue argument: to
# change it on a running cluster use a RabbitMQ policy, not this constant.
DELIVERY_LIMIT = 20


@dataclass(frozen=True)
class QueueNames:
    main: str
    parked: str

    def retry(self, delay_ms: int) -> str:
        # The delay is in the name: queue arguments cannot change once declared, so a new
        # delay setting declares a new queue instead of failing against the old one.
        return f"{self.main}.retry.{delay_ms}ms"


def queue_names(consumer: str) -> QueueNames:
    return QueueNames(main=f"lapor.{consumer}", parked=f"lapor.{consumer}.parked")
