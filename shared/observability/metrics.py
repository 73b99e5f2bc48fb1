"""Prometheus metrics every service exposes on ``/metrics``.

Defined once here so that series names and labels are the same in all four services.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

MESSAGES_HANDLED = Counter(
    "lapor_messages_handled_total", "Messages handled by a consumer", ["consumer", "event", "outcome"]
)
HANDLER_SECONDS = Histogram(
    "lapor_handler_duration_seconds", "Time spent in a message handler", ["consumer", "event"]
)
RETRIES = Counter("lapor_message_retries_total", "Messages sent to a retry queue", ["consumer", "event"])
PARKED = Counter("lapor_messages_parked_total", "Messages moved to a parking queue", ["consumer", "event"])
OUTBOX_PUBLISHED = Counter("lapor_outbox_published_total", "Outbox events confirmed by the broker")
OUTBOX_BACKLOG = Gauge("lapor_outbox_backlog", "Outbox events waiting at the last sweep")
QUEUE_DEPTH = Gauge("lapor_queue_depth", "Messages ready in a queue", ["queue"])
QUEUE_CONSUMERS = Gauge("lapor_queue_consumers", "Consumers attached to a queue", ["queue"])
NOTIFICATIONS = Counter("lapor_notifications_total", "Notifications by channel and outcome", ["channel", "kind", "status"])
END_TO_END_SECONDS = Histogram(
    "lapor_end_to_end_seconds", "From report accepted to its acknowledgement sent", ["channel"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
INTAKE_REPORTS = Counter(
    "lapor_intake_reports_total", "Report submissions by channel and outcome (accepted, replayed)", ["channel", "outcome"])
SENDING_LIMITED = Counter("lapor_sending_limited_total",
                          "Reports refused (429) because a client or a contact reached its hourly limit",
                          ["channel", "limit"])
REQUESTS_REJECTED = Counter("lapor_requests_rejected_total", "Requests answered with a problem", ["status"])
SLA_OVERDUE = Gauge("lapor_sla_overdue", "Open deadlines already past due", ["stage"])
SLA_DEADLINES_CLOSED = Counter("lapor_sla_deadlines_closed_total", "Stage clocks stopped", ["stage", "on_time"])
SLA_STEPS = Counter("lapor_sla_steps_total", "Escalation ladder steps taken (reminder, breach, persistent, auto_close)",
                    ["stage", "step"])
SLA_DUE_LAG = Histogram("lapor_sla_step_lag_seconds", "How late after its due time a ladder step was taken",
                        buckets=(0.5, 1, 2, 5, 10, 30, 60, 300, 3600))
DB_COMMANDS = Counter("lapor_db_commands_total", "Database commands sent, by command and collection",
                      ["command", "collection"])
