"""The event envelope and the versioned event contracts.

Routing keys are ``<entity>.<event>.v<N>``. Schema changes are additive: payload models
ignore unknown fields, and a breaking change gets a new version next to the old one.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal, TypeVar

from opentelemetry import propagate
from pydantic import BaseModel, ConfigDict, Field


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # "long ago": a released lease


def utcnow() -> datetime:
    return datetime.now(UTC)


class Payload(BaseModel):
    """Base of every event payload; subclasses name their type and version."""

    model_config = ConfigDict(extra="ignore")
    TYPE: ClassVar[str]
    VERSION: ClassVar[int] = 1

    @classmethod
    def routing_key(cls) -> str:
        return f"{cls.TYPE}.v{cls.VERSION}"


P = TypeVar("P", bound=Payload)


class Envelope(BaseModel):
    model_config = ConfigDict(extra="ignore")

    event_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    type: str
    version: int = 1
    occurred_at: datetime = Field(default_factory=utcnow)
    correlation_id: str
    producer: str = ""
    # W3C trace context (traceparent/tracestate) of the code that raised the event, so the
    # trace continues even when the outbox sweeper publishes it later from another process.
    trace: dict[str, str] = Field(default_factory=dict)
    payload: dict[str, Any]

    @property
    def routing_key(self) -> str:
        return f"{self.type}.v{self.version}"

    def parse(self, model: type[P]) -> P:
        return model.model_validate(self.payload)

    def to_document(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def make_event(payload: Payload, correlation_id: str, producer: str) -> Envelope:
    """Wrap a payload in an envelope carrying the current trace context."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return Envelope(
        type=payload.TYPE,
        version=payload.VERSION,
        correlation_id=correlation_id,
        producer=producer,
        trace=carrier,
        payload=payload.model_dump(mode="json"),
    )


# --------------------------------------------------------------------------- contracts

ReportType = Literal["complaint", "aspiration", "information_request"]
Channel = Literal["web", "app", "sms", "integrator", "open311"]


class ReplyAddress(BaseModel):
    """Where the reporter wants answers; the address is encrypted with the platform data key."""

    channel: Literal["sms", "email"]
    address_enc: str
    address_hash: str
    # the reporter showed it is theirs: an SMS came from this number, or an integrator that
    # verifies its users' contacts sent it; otherwise the notifier holds repeated messages
    proven: bool = False


class Attachment(BaseModel):
    """A photo or document's metadata; the bytes stay in object storage, never in events.

    ``visibility``: ``pending`` (a reporter's photo until a coordinator lets the public see
    it), ``public`` (shown with the public view, unless the report is confidential) or
    ``staff`` (documents, and photos a coordinator keeps from the public).
    """

    id: str
    kind: Literal["image", "document"]
    format: str
    content_type: str
    size: int
    sha256: str
    width: int | None = None
    height: int | None = None
    thumbnail_size: int | None = None
    added_by: Literal["reporter", "integrator", "officer"]
    agency_id: str | None = None
    purpose: Literal["report", "response", "resolution"] = "report"
    visibility: Literal["pending", "public", "staff"]
    added_at: datetime


class ReportReceived(Payload):
    TYPE: ClassVar[str] = "report.received"

    tracking_id: str
    type: ReportType
    title: str
    body: str
    category: str | None = None
    region_code: str | None = None
    agency_id: str | None = None
    sms_keyword: str | None = None
    channel: Channel = "web"
    anonymous: bool = False
    confidential: bool = False
    urgent: bool = False
    language: Literal["id", "en"] = "id"
    received_at: datetime
    reply_to: list[ReplyAddress] = Field(default_factory=list)
    # set when a regional government's system submitted it: webhooks go back to that one only
    integrator_id: str | None = None
    integrator_reference: str | None = None
    attachments: list[Attachment] = Field(default_factory=list)


class Privacy(BaseModel):
    """A report's privacy as it stands: ``anonymous`` hides who reported, ``confidential`` what."""

    anonymous: bool = False
    confidential: bool = False


class CaseTransition(Payload):
    """Common shape of every case step routing records; intake projects it for tracking.

    ``privacy`` is the case's privacy after the step, on every step: each copy of the report
    (intake's tracking record, Open311, integrators' views and webhooks) takes it with the step,
    in case-version order, so a coordinator's change reaches every view once and in order.
    None only on events from before it was carried.
    """

    TYPE: ClassVar[str] = "report.transitioned"

    tracking_id: str
    action: str
    from_status: str | None
    status: str
    case_version: int
    actor_role: str
    agency_id: str | None = None
    agency_name: str | None = None
    region_code: str | None = None
    category: str | None = None
    public_note: str | None = None
    privacy: Privacy | None = None
    at: datetime


class ReportAssigned(CaseTransition):
    TYPE: ClassVar[str] = "report.assigned"

    rule: str
    timezone: str = "Asia/Jakarta"
    confidence: float | None = None


class SlaStep(Payload):
    """A step of the escalation ladder; the notifier turns it into messages.

    Never carries the reporter's identity or the report's content: its readers are officers,
    agency heads, coordinators and oversight.
    """

    TYPE: ClassVar[str] = "sla.step"

    tracking_id: str
    stage: str
    step: str
    due_at: datetime
    started_at: datetime
    agency_id: str | None = None
    region_code: str | None = None
    category: str | None = None
    report_class: str = "standard"
    policy_version: str
    overdue_hours: float = 0.0
    at: datetime


class SlaReminder(SlaStep):
    TYPE: ClassVar[str] = "sla.reminder"


class SlaBreached(SlaStep):
    TYPE: ClassVar[str] = "sla.breached"


class SlaEscalated(SlaStep):
    TYPE: ClassVar[str] = "sla.escalated"


class SlaAutoCloseDue(SlaStep):
    """The reporter stayed silent after ``resolved``: routing closes the case."""

    TYPE: ClassVar[str] = "sla.auto_close_due"


class SlaDueChanged(Payload):
    """The deadline a report's handlers now work against changed (a clock opened, stopped,
    paused or resumed). Routing keeps it on the case so that inboxes sort by time left.

    ``due_at`` is None when no staff clock runs (waiting for the reporter, or done); ``at`` is
    the step that caused it: of two changes the later step wins, whatever order they arrive in.
    """

    TYPE: ClassVar[str] = "sla.due_changed"

    tracking_id: str
    stage: str | None = None
    due_at: datetime | None = None
    report_class: str = "standard"
    at: datetime


class UrgencyChanged(Payload):
    """Whether a report is urgent changed: routing's triage flagged it from its content or its
    category, or a coordinator raised or lowered it. SLA re-times the report's running clocks by
    it. No reason travels: the reason quotes the content, which stays on the case."""

    TYPE: ClassVar[str] = "report.urgency_changed"

    tracking_id: str
    urgent: bool
    source: Literal["triage", "coordinator"]
    at: datetime


class ReportRated(Payload):
    """The reporter rated the outcome (1-5) of a resolved report."""

    TYPE: ClassVar[str] = "report.rated"

    tracking_id: str
    rating: int = Field(ge=1, le=5)
    at: datetime


class ReportReplied(Payload):
    """The reporter answered (more details, or disagreement after ``resolved``).

    Carries no text: the reply stays in intake's report; routing only learns that it came.
    """

    TYPE: ClassVar[str] = "report.replied"

    tracking_id: str
    channel: Channel = "web"
    at: datetime


class SmsAnswer(Payload):
    """An SMS back to someone who texted 1708 (status, help, reply receipt); the notifier sends it."""

    TYPE: ClassVar[str] = "sms.answer"

    kind: Literal["info", "help", "reply_received", "unknown_report"]
    to_enc: str
    to_hash: str
    tracking_id: str | None = None
    language: Literal["id", "en"] = "id"
    values: dict[str, str] = Field(default_factory=dict)
    at: datetime


class ReopenRequested(Payload):
    """The reporter disagrees that the report is resolved, within the reopen window."""

    TYPE: ClassVar[str] = "report.reopen_requested"

    tracking_id: str
    at: datetime


class AttachmentAdded(Payload):
    """A file joined a report after it was received (the reporter's, an integrator's or an
    officer's); metadata only. Whoever stored the bytes raises it; the other copies follow."""

    TYPE: ClassVar[str] = "report.attachment_added"

    tracking_id: str
    attachment: Attachment
    at: datetime


class AttachmentVisibilityChanged(Payload):
    """A coordinator let the public see a photo, or kept it from them."""

    TYPE: ClassVar[str] = "report.attachment_visibility_changed"

    tracking_id: str
    attachment_id: str
    visibility: Literal["pending", "public", "staff"]
    actor_role: str
    at: datetime
