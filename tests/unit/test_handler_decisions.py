"""The pure decisions inside the message handlers, and handler registration by payload model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from services.notifier.handlers import alert_recipients
from services.notifier.handlers import handlers as notifier_handlers
from services.routing.handlers import back_from_postponed, flagged_duplicate
from services.routing.triage import triage
from services.sla.handlers import clock_moves, step_facts
from services.sla.policy import load_policy
from shared.directory import load_file
from shared.events import CaseTransition, ReportAssigned, ReportReceived, SlaStep
from shared.messaging.consumer import Delivery, Handlers

ROOT = Path(__file__).resolve().parents[2]
directory = load_file(ROOT / "data" / "directory" / "demo.yaml")
policy = load_policy(ROOT / "data" / "sla" / "policies" / "2026.1.yaml")
NOW = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)


def step(**kw: Any) -> CaseTransition:
    base: dict[str, Any] = {"tracking_id": "T", "action": "start", "from_status": "assigned", "status": "in_progress",
                            "case_version": 2, "actor_role": "officer", "at": NOW}
    return CaseTransition(**(base | kw))


def sla_step(kind: str, agency_id: str | None) -> SlaStep:
    return SlaStep(tracking_id="T", stage="answer", step=kind, due_at=NOW, started_at=NOW, agency_id=agency_id,
                   policy_version="2026.1", at=NOW)


# --- routing -----------------------------------------------------------------------------

def case(status: str, **kw: Any) -> dict[str, Any]:
    return {"_id": "C", "status": status, "merged_into": None, **kw}


def test_a_close_open_case_is_flagged_with_its_score() -> None:
    assert flagged_duplicate(case("assigned"), 0.73456, 0.5) == {"tracking_id": "C", "score": 0.735}


@pytest.mark.parametrize(("candidate", "score"), [
    (None, 0.9),                                   # nothing similar
    (case("assigned"), 0.49),                      # not close enough
    (case("resolved"), 0.9),                       # answered already: nothing to wait on
    (case("assigned", merged_into="B"), 0.9),      # merged: its own target is the one to flag
])
def test_no_duplicate_is_flagged(candidate: dict[str, Any] | None, score: float) -> None:
    assert flagged_duplicate(candidate, score, 0.5) is None


def test_a_reply_returns_a_postponed_case_to_where_it_was() -> None:
    timeline = [{"status": "assigned"}, {"status": "in_progress", "from_status": "assigned"},
                {"status": "postponed", "from_status": "in_progress"}]
    assert back_from_postponed(case("postponed", timeline=timeline)) == "in_progress"
    # a postponement with no recorded origin goes back to the agency's desk
    assert back_from_postponed(case("postponed", timeline=[{"status": "postponed"}])) == "assigned"
    assert back_from_postponed(case("in_progress", timeline=timeline)) is None


def test_urgency_comes_from_the_reporter_the_category_or_the_content() -> None:
    from services.routing.classifier import examples_for, normalise
    from services.routing.settings import RoutingSettings
    from services.routing.train import fit

    urgency = fit(examples_for(directory)).urgency          # as the service trains it
    line = RoutingSettings.model_fields["urgency_threshold"].default
    urgent_category = next(c for c, cat in directory.categories.items() if cat.urgent)
    calm_category = next(c for c, cat in directory.categories.items() if not cat.urgent)
    calm = ReportReceived(tracking_id="T", type="complaint", title="KTP", body="ktp belum jadi", received_at=NOW)
    danger = calm.model_copy(update={"body": "jembatan putus, warga hanyut"})

    def judged(report: ReportReceived, category: str | None) -> tuple[bool, str]:
        t = triage(report, directory, category, urgency, line, normalise(f"{report.title} {report.body}"))
        return t.urgent, t.source

    assert judged(calm, calm_category) == (False, "none")
    assert judged(calm, urgent_category) == (True, "category")
    assert judged(calm.model_copy(update={"urgent": True}), calm_category) == (True, "reporter")
    assert judged(danger, calm_category) == (True, "content")
    flagged = triage(danger, directory, None, urgency, line, normalise(danger.body))
    assert flagged.confidence is not None and flagged.confidence >= line and {"putus", "hanyut"} & set(flagged.terms)
    # loud words are not danger: what happened is
    loud = calm.model_copy(update={"body": "DARURAT!! tolong segera, KTP saya belum jadi, parah banget"})
    assert judged(loud, calm_category) == (False, "none")
    # without a model only the reporter and the category can say so
    assert triage(danger, directory, None, None, line, normalise(danger.body)).urgent is False


# --- sla ---------------------------------------------------------------------------------

def test_clocks_pause_on_postponement_and_resume_after_it() -> None:
    assert clock_moves(step(from_status="in_progress", status="postponed"), policy).pause
    back = clock_moves(step(from_status="postponed", status="in_progress"), policy)
    assert back.resume and not back.pause
    plain = clock_moves(step(), policy)
    assert not plain.resume and not plain.pause


def test_a_first_response_records_its_hours_once() -> None:
    fields, first = step_facts(step(agency_id="kab-banjar.pupr", agency_name="Dinas PUPR"),
                               {"received_at": NOW - timedelta(hours=5, minutes=30)})
    assert fields == {"status": "in_progress", "updated_at": NOW, "agency_id": "kab-banjar.pupr",
                      "agency_name": "Dinas PUPR"}
    assert first == {"first_response_at": NOW, "first_response_hours": 5.5}


def test_resolution_and_verification_facts() -> None:
    fields, first = step_facts(step(action="resolve", status="resolved"), {})
    assert fields["resolved"] == 1 and first == {"resolved_at": NOW}
    fields, first = step_facts(step(action="verify", status="assigned", from_status="received",
                                    agency_id="kab-banjar"), {})
    assert first == {"assigned_at": NOW, "verified_at": NOW}
    assert fields["agency_name"] == "kab-banjar"        # a step without the name keeps at least the id
    _, first = step_facts(step(action="close", status="closed"), {})
    assert first == {"closed_at": NOW}


# --- notifier ----------------------------------------------------------------------------

def emails(contacts: list[Any]) -> set[str]:
    return {c.email for c in contacts if c.email}


def test_alerts_climb_the_ladder() -> None:
    reminder = emails(alert_recipients(sla_step("reminder", "kab-banjar.pupr"), directory))
    assert reminder == {"pupr@kab-banjar.example.go.id"}
    breach = emails(alert_recipients(sla_step("breach", "kab-banjar.pupr"), directory))
    assert "kepala.pupr@kab-banjar.example.go.id" in breach
    coordinator = directory.coordinator_for("kab-banjar.pupr")
    assert coordinator is not None
    assert emails(directory.contacts(coordinator.id, "coordinator")) <= breach
    assert "pupr@kab-banjar.example.go.id" not in breach
    escalation = emails(alert_recipients(sla_step("escalation", "kab-banjar.pupr"), directory))
    assert escalation == emails(directory.oversight_contacts()) and escalation


# --- registration ------------------------------------------------------------------------

def test_a_handler_is_registered_under_its_models_routing_keys() -> None:
    assert notifier_handlers.by_key["sla.breached.v1"].handler is notifier_handlers.by_key["sla.reminder.v1"].handler
    table = Handlers("test")

    @table.on(idempotent=True)
    async def project(event: ReportAssigned | CaseTransition, at: Delivery) -> None:
        return None

    assert {k: r.model for k, r in table.by_key.items()} == {"report.assigned.v1": ReportAssigned,
                                                             "report.transitioned.v1": CaseTransition}
    assert table.without_inbox == {"report.assigned.v1", "report.transitioned.v1"}


def test_a_handler_without_a_payload_model_or_handled_twice_is_refused() -> None:
    table = Handlers("test")
    with pytest.raises(TypeError, match="payload models"):
        @table.on()
        async def untyped(event: dict, at: Delivery) -> None:   # type: ignore[type-arg]
            return None

    @table.on()
    async def first(event: ReportReceived, at: Delivery) -> None:
        return None

    with pytest.raises(RuntimeError, match="handled twice"):
        @table.on()
        async def second(event: ReportReceived, at: Delivery) -> None:
            return None


def test_a_new_case_has_one_shape_routed_or_waiting() -> None:
    from services.routing.repository import NO_DEADLINE, new_case

    report = ReportReceived(tracking_id="T", type="complaint", title="t", body="b", received_at=NOW - timedelta(minutes=1),
                            anonymous=True)
    route = {"rule": "region_category", "confidence": 0.9, "directory_version": "v", "suggestion": None}
    routed = new_case(report, category="infrastructure", agency_id="kab-banjar.pupr", coordinator_id="kalsel",
                      route=route, duplicate=None, triage={"urgent": False, "source": "none"}, at=NOW)
    waiting = new_case(report, category=None, agency_id=None, coordinator_id="kalsel", route=route, duplicate=None,
                       triage={"urgent": True, "source": "content"}, at=NOW)
    assert set(routed) == set(waiting)                                   # the same fields either way
    assert (routed["status"], routed["version"], routed["forward_chain"]) == ("assigned", 1, ["kab-banjar.pupr"])
    assert [e["action"] for e in routed["timeline"]] == ["submitted", "assigned"]
    assert routed["timeline"][1]["rule"] == "region_category"
    assert (waiting["status"], waiting["version"], waiting["forward_chain"]) == ("received", 0, [])
    assert [e["action"] for e in waiting["timeline"]] == ["submitted"]
    assert waiting["privacy"] == {"anonymous": True, "confidential": False}
    assert all(waiting[k] == v for k, v in NO_DEADLINE.items())


# --- intake ------------------------------------------------------------------------------

def test_an_unknown_category_is_refused_with_the_valid_ones_except_by_sms() -> None:
    from services.intake.models import ReportIn
    from services.intake.submission import with_known_category
    from shared.errors import DomainError

    report = ReportIn(title="Lampu jalan mati", body="Lampu jalan di depan rumah mati seminggu", category="lighting")
    with pytest.raises(DomainError) as refused:
        with_known_category(report, directory, "web")
    assert refused.value.field == "category" and refused.value.choices == sorted(directory.categories)
    with pytest.raises(DomainError):
        with_known_category(report, directory, "integrator")
    # an SMS reporter cannot be asked again: "not sure", for the classifier and the coordinator
    assert with_known_category(report, directory, "sms").category is None
    known = report.model_copy(update={"category": "street_lighting"})
    assert with_known_category(known, directory, "web") is known


def test_an_sms_keyword_names_the_region_of_its_agency() -> None:
    from services.intake.sms import region_of_keyword

    assert region_of_keyword(directory, "BANJAR") == "63.03"
    assert region_of_keyword(directory, "KALSEL") == "63"
    assert region_of_keyword(directory, "LAPOR") is None          # the national coordinator has no region
    assert region_of_keyword(directory, None) is None
