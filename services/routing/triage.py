"""Urgency triage: which reports must be handled at once (a life or someone's health at stake:
a patient turned away, a bridge down with people in the river, a fire, violence).

A report is urgent when its reporter says so, when its category always is (the directory's
``urgent``), or when the urgency model reads danger in its content. The decision, its source,
the model's confidence and the terms that drove it are kept on the case (``triage``); the
case's ``urgent`` flag puts it first in inboxes, and ``report.urgency_changed`` tells SLA to
run the urgent clocks. A coordinator can raise or lower it, with a reason, in the case's
audited history; that decision also teaches the model.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from services.routing.classifier import Model
from services.routing.repository import CaseRepository
from shared.directory import Directory
from shared.errors import DomainError, Kind
from shared.events import ReportReceived, UrgencyChanged, make_event, utcnow
from shared.observability.logging import get_logger
from shared.runtime import Runtime

log = get_logger(__name__)
Source = Literal["reporter", "category", "content", "coordinator", "none"]


@dataclass(frozen=True)
class Triage:
    urgent: bool
    source: Source
    confidence: float | None = None        # the urgency model's score (calibrated on generated phrasings)
    threshold: float | None = None         # from which the score flags the report
    terms: list[str] = field(default_factory=list)
    model_version: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def triage(report: ReportReceived, directory: Directory, category: str | None, model: Model | None,
           threshold: float, normalised: str) -> Triage:
    """The reporter's word first, then the category, then the content."""
    scored = model.suggest_normalised(normalised) if model is not None else None
    confidence = next((p for c, p in scored.top if c == "urgent"), 0.0) if scored else None
    terms = scored.terms if scored is not None and scored.category == "urgent" else []
    version = scored.model_version if scored else None
    if report.urgent:
        return Triage(True, "reporter", confidence, threshold, terms, version)
    known = directory.categories.get(category or "")
    if known is not None and known.urgent:
        return Triage(True, "category", confidence, threshold, terms, version)
    if confidence is not None and confidence >= threshold:
        return Triage(True, "content", confidence, threshold, terms, version)
    return Triage(False, "none", confidence, threshold, [], version)


def urgency_event(tracking_id: str, urgent: bool, source: Literal["triage", "coordinator"], producer: str) -> Any:
    return make_event(UrgencyChanged(tracking_id=tracking_id, urgent=urgent, source=source, at=utcnow()),
                      correlation_id=tracking_id, producer=producer)


async def set_urgency(runtime: Runtime, repo: CaseRepository, case: dict[str, Any], urgent: bool, reason: str,
                      actor: str, actor_role: str) -> bool:
    """A coordinator raises or lowers a case's urgency: one guarded update of the case with its
    audited history entry and the event SLA re-times the clocks by. False when the case moved
    meanwhile (its version guard)."""
    if actor_role != "coordinator":
        raise DomainError(Kind.conflict, "only a coordinator raises or lowers a case's urgency", "urgent")
    if bool(case.get("urgent")) == urgent:
        raise DomainError(Kind.conflict, f"the case is {'already' if urgent else 'not'} urgent", "urgent")
    now = utcnow()
    before = case.get("triage") or {}
    decided = {**Triage(urgent, "coordinator").as_dict(), "reason": reason, "by": actor, "at": now,
               "was": {k: before.get(k) for k in ("urgent", "source", "confidence", "terms")}}
    entry = {"at": now, "action": "urgency_raised" if urgent else "urgency_lowered", "status": case["status"],
             "from_status": case["status"], "actor": actor, "actor_role": actor_role, "public_note": None,
             "internal_note": reason, "urgency_changed": {"from": bool(case.get("urgent")), "to": urgent}}
    event = urgency_event(case["_id"], urgent, "coordinator", runtime.settings.service_name)
    done = await repo.step(case["_id"], case["status"], case["version"], {"urgent": urgent, "triage": decided,
                                                                          "updated_at": now}, entry, [event])
    if done:
        log.info("urgency changed by coordinator", tracking_id=case["_id"], urgent=urgent, actor=actor)
        await repo.learn(case["_id"], f"{case['title']} {case['body']}", urgent=urgent)
    return done
