"""The case state machine: which role may take which step from which status, as one table.

Statuses are DESIGN.md's. A step that the table does not allow is refused with the reason
(a conflict: HTTP 409); a step that passes here is then written with a guard on the case's status and
version, so of two conflicting steps at once only one lands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.directory import Directory
from shared.errors import DomainError, Kind
from shared.statuses import Status

R, A, P, RES, C, PO, AR = (Status.received, Status.assigned, Status.in_progress, Status.resolved, Status.closed,
                           Status.postponed, Status.archived)

# action -> (roles, from statuses, to status); None as "to" means: decided by the step itself
TRANSITIONS: dict[str, tuple[frozenset[str], frozenset[Status], Status | None]] = {
    "verify":   (frozenset({"coordinator"}), frozenset({R}), A),                 # category, privacy, agency
    "postpone": (frozenset({"coordinator", "officer"}), frozenset({R, A, P}), PO),  # ask the reporter
    "archive":  (frozenset({"coordinator"}), frozenset({R, PO}), AR),            # not actionable, with a reason
    "respond":  (frozenset({"officer"}), frozenset({A, P}), P),                  # a follow-up to the reporter
    "resolve":  (frozenset({"officer"}), frozenset({A, P}), RES),
    "forward":  (frozenset({"officer"}), frozenset({A, P}), A),                  # to a unit below
    "bounce":   (frozenset({"officer"}), frozenset({A, P}), R),                  # not our authority
    "merge":    (frozenset({"coordinator"}), frozenset({R, A}), None),           # into a duplicate's parent
    "close":    (frozenset({"coordinator"}), frozenset({RES}), C),               # the reporter confirmed
}
REASON_REQUIRED = {"archive", "bounce", "postpone"}
MESSAGE_REQUIRED = {"respond", "resolve"}


class WorkflowError(DomainError):
    """A step the table or the case's history refuses (conflict), or one asked for wrongly (invalid)."""

    title = "Step refused"


@dataclass
class Plan:
    action: str
    from_status: str
    to_status: str
    fields: dict[str, Any] = field(default_factory=dict)
    public_note: str | None = None
    internal_note: str | None = None


def plan(case: dict[str, Any], action: str, role: str, actor_agency: str | None, body: dict[str, Any],
         directory: Directory) -> Plan:
    """The step ``action`` by ``role`` on ``case``, or WorkflowError saying why not."""
    if action not in TRANSITIONS:
        raise WorkflowError(Kind.conflict, f"unknown action {action!r}", "action")
    roles, sources, target = TRANSITIONS[action]
    status = Status(case["status"])
    if role not in roles:
        raise WorkflowError(Kind.conflict, f"a {role} cannot {action} a case", "action")
    if status not in sources:
        allowed = ", ".join(sorted(s.value for s in sources))
        raise WorkflowError(Kind.conflict, f"cannot {action} a case that is {status.value} (only from {allowed})",
                            "status")
    if action in REASON_REQUIRED and not body.get("reason"):
        raise WorkflowError(Kind.invalid, f"{action} needs a reason", "reason")
    if action in MESSAGE_REQUIRED and not body.get("message"):
        raise WorkflowError(Kind.invalid, f"{action} needs a message to the reporter", "message")
    step = Plan(action, status.value, target.value if target else status.value,
                public_note=body.get("message") or (body.get("reason") if action != "archive" else None),
                internal_note=body.get("internal_note"))

    if action == "verify":
        agency = body.get("agency_id") or case.get("agency_id") or case.get("suggested_agency_id")
        if not agency or agency not in directory.agencies:
            raise WorkflowError(Kind.invalid, "verify needs a known agency_id", "agency_id")
        category = body.get("category") or case.get("category")
        if category is not None and category not in directory.categories:
            raise WorkflowError(Kind.invalid, "unknown category", "category")
        privacy = dict(case.get("privacy", {}))
        for flag in ("anonymous", "confidential"):
            if body.get(flag) is not None:
                privacy[flag] = bool(body[flag])
        step.fields = {"agency_id": agency, "category": category, "privacy": privacy,
                       "forward_chain": [agency], "verified_category": category}
    elif action == "forward":
        to = body.get("agency_id")
        here = case.get("agency_id")
        if not to or to not in directory.agencies:
            raise WorkflowError(Kind.invalid, "forward needs a known agency_id", "agency_id")
        if here is None or to == here or to not in directory.subtree(here):
            raise WorkflowError(Kind.invalid, "a case is forwarded only to a unit below its agency", "agency_id")
        chain = list(case.get("forward_chain") or [here])
        if to in chain:
            raise WorkflowError(Kind.conflict, f"forwarding loop: {to} had this case already ({' -> '.join(chain)})",
                                "agency_id")
        step.fields = {"agency_id": to, "forward_chain": [*chain, to]}
    elif action == "bounce":
        chain = list(case.get("bounced_by") or [])
        step.fields = {"agency_id": None, "bounced_by": [*chain, case.get("agency_id")], "forward_chain": []}
    elif action == "merge":
        parent = body.get("parent")
        if not parent or parent == case["_id"]:
            raise WorkflowError(Kind.invalid, "merge needs the parent's tracking ID", "parent")
        step.fields = {"merged_into": parent}
    if actor_agency is not None and action in ("respond", "resolve", "forward", "bounce", "postpone") and role == "officer":
        step.fields.setdefault("last_officer_agency", actor_agency)
    return step


def allowed_actions(case: dict[str, Any], role: str) -> list[str]:
    status = Status(case["status"])
    return sorted(a for a, (roles, sources, _) in TRANSITIONS.items() if role in roles and status in sources)
