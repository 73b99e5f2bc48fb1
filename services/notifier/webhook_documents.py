"""What an integrator's webhook carries: the public shape of an event, never more.

No reporter identity, no report content and no internal note: only the tracking ID, the
status, the agency, the public note and times. The integrator sent the report; it already
has what it sent, under its own reference.
"""

from __future__ import annotations

from typing import Any

import orjson

from shared.events import AttachmentAdded, CaseTransition, Envelope


def public_step(step: CaseTransition) -> dict[str, Any]:
    """A confidential report's notes stay out, as in the integrator's API view; the privacy the
    step leaves the report in travels with it, so the integrator's own copy can follow."""
    confidential = bool(step.privacy and step.privacy.confidential)
    return {"tracking_id": step.tracking_id, "action": step.action, "status": step.status,
            "from_status": step.from_status, "agency_id": step.agency_id, "agency_name": step.agency_name,
            "public_note": None if confidential else step.public_note,
            "privacy": step.privacy.model_dump() if step.privacy else None, "at": step.at.isoformat()}


def public_attachment(added: AttachmentAdded) -> dict[str, Any]:
    """That a file joined the report, and what kind: never its bytes, its hash or who took it.
    The integrator fetches the photos it may see through its own API."""
    a = added.attachment
    return {"tracking_id": added.tracking_id, "attachment_id": a.id, "kind": a.kind, "content_type": a.content_type,
            "by": "agency" if a.added_by == "officer" else "reporter", "purpose": a.purpose,
            "width": a.width, "height": a.height, "at": added.at.isoformat()}


def webhook_document(env: Envelope, data: dict[str, Any]) -> str:
    return orjson.dumps({"event_id": env.event_id, "type": env.routing_key, "occurred_at": env.occurred_at.isoformat(),
                         "data": data}).decode()
