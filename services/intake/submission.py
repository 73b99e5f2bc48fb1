"""Accepting a report: one document with its ``report.received.v1`` event in the outbox.

Used by every channel (web/app API, SMS, integrators, Open311); the channel decides only
what it knows about the report and how the reporter can be answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from services.intake.models import ReportIn
from services.intake.repository import reports_of
from shared.directory import Directory, directory_of
from shared.errors import DomainError, Kind
from shared.tracking import new_tracking_id
from shared.events import Attachment, Channel, ReplyAddress, ReportReceived, make_event, utcnow
from shared.observability.tracing import annotate
from shared.privacy import Vault, new_secret_token, token_hash
from shared.runtime import Runtime
from shared.statuses import Status

@dataclass
class Accepted:
    tracking_id: str
    token: str
    received_at: datetime
    status: str = Status.received


def _reporter_fields(report: ReportIn, vault: Vault, proven: bool) -> tuple[dict[str, Any], list[ReplyAddress]]:
    """Contact data encrypted at rest; keyed hashes for look-ups; reply addresses for the notifier."""
    fields: dict[str, Any] = {}
    replies: list[ReplyAddress] = []
    r = report.reporter
    if r is None:
        return fields, replies
    for name in ("name", "phone", "email", "national_id"):
        value = getattr(r, name)
        if value:
            fields[f"{name}_enc"] = vault.encrypt(value)
            if name != "name":
                fields[f"{name}_hash"] = vault.lookup_hash(value)
    if r.phone:
        replies.append(ReplyAddress(channel="sms", address_enc=fields["phone_enc"], address_hash=fields["phone_hash"],
                                    proven=proven))
    if r.email:
        replies.append(ReplyAddress(channel="email", address_enc=fields["email_enc"], address_hash=fields["email_hash"],
                                    proven=proven))
    return fields, replies


def with_known_category(report: ReportIn, directory: Directory, channel: Channel) -> ReportIn:
    """A category the directory does not know is never stored: an SMS reporter cannot be asked
    again, so the report goes on as "not sure" (the classifier and the coordinator decide);
    any other channel is refused with the valid ids, so its form or integration can be fixed."""
    if report.category is None or report.category in directory.categories:
        return report
    if channel == "sms":
        return report.model_copy(update={"category": None})
    valid = sorted(directory.categories)
    raise DomainError(Kind.invalid, f"unknown category {report.category!r}: choose one of {', '.join(valid)}, "
                      "or leave it out", field="category", choices=valid)


async def accept_report(
    runtime: Runtime,
    report: ReportIn,
    *,
    channel: Channel,
    tracking_id: str | None = None,
    token: str | None = None,
    sms_keyword: str | None = None,
    source: dict[str, Any] | None = None,
    integrator_id: str | None = None,
    reference: str | None = None,
    contacts_proven: bool = False,
    attachments: list[Attachment] | None = None,
) -> Accepted:
    """Store the report durably with its event; the event is published right after.

    With a given ``tracking_id`` (idempotent retries) a duplicate means the report exists
    already and is returned as accepted; without one, a (very rare) ID collision draws again.
    """
    report = with_known_category(report, directory_of(runtime), channel)
    repo = reports_of(runtime)
    token = token or new_secret_token()
    # a number an SMS came from is the sender's own
    reporter, reply_to = _reporter_fields(report, runtime.vault, contacts_proven or channel == "sms")
    for _ in range(5):
        tid = tracking_id or new_tracking_id()
        now = utcnow()
        payload = ReportReceived(
            tracking_id=tid, type=report.type, title=report.title, body=report.body,
            category=report.category, region_code=report.region_code, agency_id=report.agency_id,
            sms_keyword=sms_keyword, channel=channel, anonymous=report.anonymous,
            confidential=report.confidential, language=report.language, received_at=now, reply_to=reply_to,
            integrator_id=integrator_id, integrator_reference=reference, attachments=attachments or [],
        )
        event = make_event(payload, correlation_id=tid, producer=runtime.settings.service_name)
        doc = {
            "_id": tid,
            "type": report.type,
            "title": report.title,
            "body": report.body,
            "category": report.category,
            "region_code": report.region_code,
            "requested_agency_id": report.agency_id,
            "location": report.location.model_dump() if report.location else None,
            "occurred_on": report.occurred_on.isoformat() if report.occurred_on else None,
            "language": report.language,
            "channel": channel,
            "source": {**(source or {}), **({"integrator_id": integrator_id, "reference": reference}
                                             if integrator_id else {})},
            "privacy": {"anonymous": report.anonymous, "confidential": report.confidential},
            "reporter": reporter,
            "token_hash": token_hash(token),
            "status": Status.received.value,
            "case_version": 0,
            "agency": None,
            "received_at": now,
            "updated_at": now,
            "day_key": now.strftime("%Y-%m-%d"),
            "month_key": now.strftime("%Y-%m"),
            "timeline": [{"at": now, "action": "submitted", "status": Status.received.value,
                          "from_status": None, "actor_role": "reporter", "public_note": None}],
            "applied_events": [],
            # metadata only; the bytes are in object storage already (services.intake.attachments)
            "attachments": {a.id: a.model_dump() for a in attachments or []},
            "attachment_count": len(attachments or []),
            "attachment_bytes": sum(a.size for a in attachments or []),
        }
        try:
            await repo.insert(doc, [event])
        except DuplicateKeyError:
            if tracking_id is not None:
                existing = await repo.get(tracking_id)
                assert existing is not None
                return Accepted(tracking_id, token, existing["received_at"], existing["status"])
            continue
        annotate(tracking_id=tid, channel=channel)
        return Accepted(tid, token, now)
    raise RuntimeError("could not draw a free tracking ID")
