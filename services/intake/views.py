"""What each reader may see of a report. The public never sees an identity; nobody but the
reporter (and those the report was assigned to, elsewhere) sees a confidential report's content."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from services.intake import attachments
from services.intake.models import AgencyRef, ReportView, TimelineEntry
from shared.privacy import Vault
from shared.statuses import LABELS_ID, Status

REPORTS_BASE = "/v1/reports"
INTEGRATOR_BASE = "/v1/integrator/reports"


def _timeline(doc: dict[str, Any], with_notes: bool) -> list[TimelineEntry]:
    return [
        TimelineEntry(at=e["at"], action=e["action"], status=e["status"],
                      note=e.get("public_note") if with_notes else None)
        for e in sorted(doc.get("timeline", []), key=lambda e: e["at"])
    ]


def public_view(doc: dict[str, Any]) -> ReportView:
    confidential = doc["privacy"]["confidential"]
    agency = doc.get("agency")
    return ReportView(
        tracking_id=doc["_id"],
        type=doc["type"],
        status=doc["status"],
        status_label=LABELS_ID[Status(doc["status"])],
        title=None if confidential else doc["title"],
        body=None if confidential else doc["body"],
        category=doc.get("category"),
        region_code=doc.get("region_code"),
        agency=AgencyRef(**agency) if agency else None,
        anonymous=doc["privacy"]["anonymous"],
        confidential=confidential,
        received_at=doc["received_at"],
        updated_at=doc.get("updated_at", doc["received_at"]),
        timeline=_timeline(doc, with_notes=not confidential),
        reporter=None,
        attachments=attachments.views(doc, "public", REPORTS_BASE),
    )


def resolved_at(doc: dict[str, Any]) -> Any:
    """When the report was last marked done (the reopen window runs from there)."""
    return max((e["at"] for e in doc.get("timeline", []) if e["status"] == "resolved"), default=None)


def reporter_view(doc: dict[str, Any], vault: Vault, reopen_window: timedelta | None = None) -> ReportView:
    view = public_view(doc)
    view.title, view.body = doc["title"], doc["body"]
    view.timeline = _timeline(doc, with_notes=True)
    view.attachments = attachments.views(doc, "reporter", REPORTS_BASE)
    contact = doc.get("reporter") or {}
    view.reporter = {
        name: vault.decrypt(contact[f"{name}_enc"]) if contact.get(f"{name}_enc") else None
        for name in ("name", "phone", "email")
    }
    view.replies = [{"at": r["at"].isoformat(), "channel": r["channel"], "message": vault.decrypt(r["text_enc"])}
                    for r in doc.get("replies", [])]
    view.rating = (doc.get("rating") or {}).get("value")
    done_at = resolved_at(doc)
    if reopen_window is not None and done_at is not None and doc["status"] in ("resolved", "closed"):
        view.reopen_until = done_at + reopen_window
    return view


def status_label(status: str) -> str:
    """LAPOR!'s own words for a status, as the public and SMS answers show it."""
    try:
        return LABELS_ID[Status(status)]
    except ValueError:
        return status
