"""Intake's one home for what changes a report after its submission (``submission.py`` is the
submission itself): the reporter's reply, rating and reopen request. The reporter API and the
SMS callback both call these; each writes the report with its event in one guarded update and
refuses with a ``ReportRefused`` that ``shared.problems`` answers (409, naming the field)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from services.intake.repository import reports_of
from services.intake.views import resolved_at
from shared.errors import DomainError, Kind
from shared.events import ReopenRequested, ReportRated, ReportReplied, make_event, utcnow
from shared.runtime import Runtime

CLOSED = ("closed", "archived")
RESOLVED = ("resolved", "closed")


class ReportRefused(DomainError):
    def __init__(self, title: str, reason: str, field: str) -> None:
        super().__init__(Kind.conflict, reason, field)
        self.title = title


async def reply(runtime: Runtime, doc: dict[str, Any], channel: str, text: str, key: str) -> bool:
    """The reporter's further details; once per ``key`` (a retried request adds nothing).
    True if this call added it."""
    if doc["status"] in CLOSED:
        raise ReportRefused("Report closed", "a closed report takes no replies; reopen it if you may", "status")
    now = utcnow()
    event = make_event(ReportReplied(tracking_id=doc["_id"], channel=channel, at=now), correlation_id=doc["_id"],
                       producer=runtime.settings.service_name)
    entry = {"key": key, "at": now, "channel": channel, "text_enc": runtime.vault.encrypt(text)}
    return await reports_of(runtime).add_reply(doc["_id"], entry, [event])


async def rate(runtime: Runtime, doc: dict[str, Any], rating: int, comment: str | None) -> None:
    """The reporter's verdict on the outcome: once, and only once it is resolved."""
    if doc["status"] not in RESOLVED:
        raise ReportRefused("Not resolved yet", "a report is rated once it is resolved", "status")
    now = utcnow()
    event = make_event(ReportRated(tracking_id=doc["_id"], rating=rating, at=now), correlation_id=doc["_id"],
                       producer=runtime.settings.service_name)
    stored = {"value": rating, "at": now, "comment_enc": runtime.vault.encrypt(comment) if comment else None}
    if not await reports_of(runtime).guarded_update(doc["_id"], {"rating": None}, {"$set": {"rating": stored}},
                                                    [event]):
        raise ReportRefused("Already rated", "a report is rated once", "rating")


async def reopen(runtime: Runtime, doc: dict[str, Any], reason: str, window_days: int) -> None:
    """The reporter contests the resolution, within the window, once per resolution."""
    done_at = resolved_at(doc)
    window = timedelta(days=window_days)
    if doc["status"] not in RESOLVED or done_at is None or utcnow() - done_at > window:
        raise ReportRefused("Cannot reopen", f"a report can be reopened within {window.days} days of being resolved",
                            "status")
    now = utcnow()
    event = make_event(ReopenRequested(tracking_id=doc["_id"], at=now), correlation_id=doc["_id"],
                       producer=runtime.settings.service_name)
    version = doc["case_version"]
    request = {"at": now, "for_version": version, "reason_enc": runtime.vault.encrypt(reason)}
    if not await reports_of(runtime).guarded_update(
            doc["_id"], {"reopen_for_versions": {"$ne": version}},
            {"$push": {"reopen_requests": request, "reopen_for_versions": version}}, [event]):
        raise ReportRefused("Already asked", "this resolution was already contested", "status")
