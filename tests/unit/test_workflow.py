"""The case state machine as a table: examples and generated sequences (hypothesis)."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.routing import workflow
from shared.directory import load_file
from shared.errors import Kind
from shared.problems import STATUS_OF_KIND
from shared.statuses import Status

DIRECTORY = load_file(Path(__file__).resolve().parents[2] / "data" / "directory" / "demo.yaml")
AGENCIES = sorted(DIRECTORY.agencies)
ROLES = ["coordinator", "officer", "oversight", "reporter"]


def _case(status: str = "received", agency: str | None = None) -> dict:
    return {"_id": "ABCD-EFGH2", "status": status, "version": 0, "agency_id": agency, "privacy": {"anonymous": True,
            "confidential": False}, "forward_chain": [agency] if agency else [], "category": None}


def test_the_table_names_only_design_statuses_and_final_states_take_no_staff_step() -> None:
    for action, (roles, sources, target) in workflow.TRANSITIONS.items():
        assert roles <= {"coordinator", "officer"} and sources <= set(Status)
        assert target is None or target in Status
    for status in ("closed", "archived"):
        for role in ROLES:
            assert workflow.allowed_actions(_case(status, "kota-banjarmasin.pupr"), role) == []


def test_refusals_say_why() -> None:
    with pytest.raises(workflow.WorkflowError, match="officer cannot verify"):
        workflow.plan(_case(), "verify", "officer", "kota-banjarmasin.pupr", {"agency_id": "kota-banjarmasin.pupr"}, DIRECTORY)
    with pytest.raises(workflow.WorkflowError, match="cannot resolve a case that is received"):
        workflow.plan(_case(), "resolve", "officer", "x", {"message": "ok"}, DIRECTORY)
    with pytest.raises(workflow.WorkflowError, match="needs a reason"):
        workflow.plan(_case(), "archive", "coordinator", "kalsel", {}, DIRECTORY)
    assigned = _case("assigned", "kota-banjarmasin")
    step = workflow.plan(assigned, "forward", "officer", "kota-banjarmasin", {"agency_id": "kota-banjarmasin.pupr"}, DIRECTORY)
    assert step.fields["forward_chain"] == ["kota-banjarmasin", "kota-banjarmasin.pupr"]
    looped = {**assigned, "agency_id": "kota-banjarmasin.pupr", "forward_chain": ["kota-banjarmasin.pupr", "kota-banjarmasin"]}
    with pytest.raises(workflow.WorkflowError, match="below"):
        workflow.plan(looped, "forward", "officer", "kota-banjarmasin.pupr", {"agency_id": "kota-banjarmasin"}, DIRECTORY)


@pytest.mark.parametrize(("case", "action", "role", "body", "kind", "status"), [
    (_case(), "resolve", "officer", {"message": "ok"}, Kind.conflict, 409),            # the case is not there yet
    (_case(), "verify", "officer", {}, Kind.conflict, 409),                             # not this role's step
    (_case(), "archive", "coordinator", {}, Kind.invalid, 422),                         # asked for without a reason
    (_case(), "verify", "coordinator", {"agency_id": "nowhere"}, Kind.invalid, 422),
    ({**_case("assigned", "kota-banjarmasin"), "forward_chain": ["kota-banjarmasin.pupr", "kota-banjarmasin"]},
     "forward", "officer", {"agency_id": "kota-banjarmasin.pupr"}, Kind.conflict, 409),     # the unit had it before
])
def test_a_refusal_has_a_kind_and_one_status_for_it(case: dict, action: str, role: str, body: dict, kind: Kind,
                                                    status: int) -> None:
    with pytest.raises(workflow.WorkflowError) as refused:
        workflow.plan(case, action, role, None, body, DIRECTORY)
    assert refused.value.kind is kind and STATUS_OF_KIND[refused.value.kind] == status


def test_a_verification_that_lowers_a_flag_is_visible_in_the_plan() -> None:
    step = workflow.plan(_case(), "verify", "coordinator", "kalsel",
                         {"agency_id": "kota-banjarmasin.pupr", "anonymous": False}, DIRECTORY)
    assert step.fields["privacy"] == {"anonymous": False, "confidential": False}


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(sorted(workflow.TRANSITIONS)), st.sampled_from(ROLES),
                          st.sampled_from(AGENCIES), st.booleans()), max_size=25))
def test_any_sequence_of_steps_keeps_the_case_consistent(steps: list[tuple[str, str, str, bool]]) -> None:
    case = _case()
    for action, role, agency, with_text in steps:
        body = {"agency_id": agency, "reason": "alasan" if with_text else None, "message": "pesan" if with_text else None,
                "parent": "WXYZ-23452", "category": "infrastructure"}
        before = dict(case)
        try:
            step = workflow.plan(case, action, role, agency, {k: v for k, v in body.items() if v is not None}, DIRECTORY)
        except workflow.WorkflowError as exc:
            assert exc.reason and case == before          # a refusal changes nothing
            continue
        roles, sources, target = workflow.TRANSITIONS[action]
        assert role in roles and Status(case["status"]) in sources
        assert step.to_status == (target.value if target else case["status"])
        case = {**case, **step.fields, "status": step.to_status, "version": case["version"] + 1}
        chain = case.get("forward_chain") or []
        assert len(chain) == len(set(chain))             # no agency twice: no forwarding loop
        if case["status"] == "assigned":
            assert case["agency_id"] in DIRECTORY.agencies
        if action == "forward":
            assert case["agency_id"] in DIRECTORY.subtree(before["agency_id"]) and case["agency_id"] != before["agency_id"]
