"""Routing's one writer of case steps: the case API and the event handlers both call it.

A step is planned first (``workflow.plan`` for staff, the handlers for the reporter's and
SLA's steps); here it is stored with its ``report.transitioned`` event in one guarded update
and handed to the relay. One home means one shape of event: every step carries the agency's
name and the case's privacy, whoever took it.
"""

from __future__ import annotations

from typing import Any

from services.routing import workflow
from services.routing.repository import CaseRepository
from services.routing.triage import urgency_event
from shared.directory import directory_of
from shared.events import CaseTransition, Privacy, make_event, utcnow
from shared.observability.logging import get_logger
from shared.runtime import Runtime
from shared.statuses import Status

log = get_logger(__name__)


async def write_step(runtime: Runtime, repo: CaseRepository, case: dict[str, Any], step: workflow.Plan,
                     actor: str, actor_role: str) -> bool:
    """Write one planned step with its event; False if the case moved meanwhile (the guard)."""
    directory = directory_of(runtime)
    now = utcnow()
    fields = {**step.fields, "status": step.to_status, "updated_at": now}
    events = []
    if fields.get("category") and fields["category"] != case.get("category"):
        category = directory.categories.get(fields["category"])
        if category is not None and category.urgent and not case.get("urgent"):
            # a category that always is urgent (a fire): the case and its clocks become urgent
            fields |= {"urgent": True, "triage": {**(case.get("triage") or {}), "urgent": True, "source": "category"}}
            events.append(urgency_event(case["_id"], True, "triage", runtime.settings.service_name))
    if step.to_status in ("in_progress", "resolved", "closed", "archived"):
        fields["overdue"] = False
    agency_id = fields.get("agency_id", case.get("agency_id"))
    agency = directory.agencies.get(agency_id or "")
    entry: dict[str, Any] = {"at": now, "action": step.action, "status": step.to_status, "from_status": step.from_status,
                             "actor": actor, "actor_role": actor_role, "public_note": step.public_note,
                             "internal_note": step.internal_note, "agency_id": agency_id}
    before, after = Privacy(**case.get("privacy", {})), Privacy(**fields.get("privacy", case.get("privacy", {})))
    changed = {f: {"from": getattr(before, f), "to": getattr(after, f)} for f in Privacy.model_fields
               if getattr(before, f) != getattr(after, f)}
    if changed:
        # audited: who changed which flag, when, in the case's own history (staff see it)
        entry["privacy_changed"] = changed
        lowered = [f for f, c in changed.items() if not c["to"]]
        if lowered:
            entry["privacy_lowered"] = lowered
            log.warning("privacy flag lowered", tracking_id=case["_id"], flags=lowered, actor=actor)
        else:
            log.info("privacy flag raised", tracking_id=case["_id"], flags=sorted(changed), actor=actor)
    transition = CaseTransition(
        tracking_id=case["_id"], action=step.action, from_status=step.from_status, status=step.to_status,
        case_version=case["version"] + 1, actor_role=actor_role, agency_id=agency_id,
        agency_name=agency.name if agency else None, region_code=case.get("region_code"),
        category=fields.get("category", case.get("category")), public_note=step.public_note, at=now,
        privacy=after,
    )
    event = make_event(transition, correlation_id=case["_id"], producer=runtime.settings.service_name)
    return await repo.step(case["_id"], step.from_status, case["version"], fields, entry, [event, *events])


async def follow_parent(runtime: Runtime, repo: CaseRepository, case: dict[str, Any], actor: str,
                        actor_role: str) -> None:
    """Merged reports take every status their parent takes."""
    for child_id in case.get("children") or []:
        child = await repo.get(child_id)
        if child is None or child["status"] == case["status"]:
            continue
        step = workflow.Plan("follows_parent", child["status"], case["status"],
                             public_note=f"Digabung dengan laporan {case['_id']}: {Status(case['status']).value}")
        await write_step(runtime, repo, child, step, actor, actor_role)
