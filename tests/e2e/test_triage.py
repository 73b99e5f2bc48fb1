"""Routing's intelligence end to end: an urgent SMS is flagged from its content, first in the
coordinator's inbox, on the urgent clocks, with the region its keyword names; a coordinator
lowers it (audited, the clocks go back); an unknown category is refused with the valid ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from harness.helpers import report_body
from harness.stack import Stack, wait_until
from shared.auth import mint_jwt
from shared.directory import load_file

ROOT = Path(__file__).resolve().parents[2]
URGENT_SMS = "BANJAR jembatan gantung putus ada warga hanyut"
CATEGORIES = sorted(load_file(ROOT / "data" / "directory" / "demo.yaml").categories)


def _coordinator(stack: Stack) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_jwt(stack.iso.settings(), 'koordinator.kalsel', 'coordinator', 'kalsel')}"}


async def _sms(stack: Stack, client: httpx.AsyncClient, gateway_id: str, text: str) -> str:
    r = await client.get(f"{stack['intake'].url}/v1/sms/inbound", params={
        "key": stack.iso.env()["LAPOR_SMS_CALLBACK_TOKEN"], "from": "081255512345", "to": "1708", "smsc": "fake",
        "id": gateway_id, "text": text})
    assert r.status_code == 200 and r.json()["accepted"], r.text
    return str(r.json()["tracking_id"])


async def test_an_urgent_sms_is_flagged_first_in_the_inbox_on_urgent_clocks_and_a_coordinator_lowers_it(
        make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack()
    db = db_of(stack)
    coordinator = _coordinator(stack)
    async with httpx.AsyncClient(timeout=30) as client:
        # calm reports of the same coordinator first: by deadline alone they would come first
        calm = []
        for n in range(3):
            r = await client.post(f"{stack['intake'].url}/v1/reports", json=report_body(
                category=None, title=f"KTP belum jadi {n}", body="KTP elektronik saya belum jadi sudah tiga bulan"))
            assert r.status_code == 201, r.text
            calm.append(r.json()["tracking_id"])
        for tid in calm:
            await wait_until(lambda tid=tid: db.cases.find_one({"_id": tid, "due_at": {"$ne": None}}), message="calm case")
        tid = await _sms(stack, client, "gw-urgent-1", URGENT_SMS)

        # the region comes from the keyword's agency, on the report and on its public page
        report = await db.reports.find_one({"_id": tid})
        assert report["region_code"] == "63.03" and report["channel"] == "sms"
        public = (await client.get(f"{stack['intake'].url}/v1/reports/{tid}")).json()
        assert public["region_code"] == "63.03"

        case = await wait_until(lambda: db.cases.find_one({"_id": tid, "urgent": True}), message="case flagged urgent")
        triage = case["triage"]
        assert triage["source"] == "content" and triage["confidence"] >= triage["threshold"], triage
        assert {"hanyut", "putus"} & set(triage["terms"]), triage
        assert case["agency_id"].startswith("kab-banjar") and case["region_code"] == "63.03"
        assert len(case["route"]["suggestion"]["top"]) == 3

        # SLA runs the urgent clocks: the answer within 3 days, not 14
        answer = await wait_until(lambda: db.deadlines.find_one(
            {"tracking_id": tid, "stage": "answer", "status": "open", "report_class": "urgent"}), message="urgent clocks")
        assert (answer["due_at"] - answer["started_at"]).total_seconds() <= 3 * 24 * 3600 + 1
        assert (await db.sla_reports.find_one({"_id": tid}))["urgent"] is True

        inbox = (await client.get(f"{stack['routing'].url}/v1/cases", params={"sort": "urgency"},
                                  headers=coordinator)).json()["items"]
        assert inbox[0]["tracking_id"] == tid, [(c["tracking_id"], c["urgent"]) for c in inbox]
        assert inbox[0]["triage"]["source"] == "content"
        assert {c["tracking_id"] for c in inbox[1:]} >= set(calm)

        # a coordinator lowers it, with a reason: audited, the clocks go back to the standard ones
        missing = await client.post(f"{stack['routing'].url}/v1/cases/{tid}/urgency", json={"urgent": False},
                                    headers=coordinator)
        assert missing.status_code == 422 and missing.json()["field"] == "reason"
        officer = {"Authorization": f"Bearer {mint_jwt(stack.iso.settings(), 'petugas', 'officer', case['agency_id'])}"}
        by_officer = await client.post(f"{stack['routing'].url}/v1/cases/{tid}/urgency", headers=officer,
                                       json={"urgent": False, "reason": "bukan urusan saya"})
        assert by_officer.status_code == 409 and by_officer.json()["field"] == "urgent"
        lowered = await client.post(f"{stack['routing'].url}/v1/cases/{tid}/urgency", headers=coordinator,
                                    json={"urgent": False, "reason": "Sudah ditangani BPBD, tinggal perbaikan jembatan",
                                          "version": case["version"]})
        assert lowered.status_code == 200, lowered.text
        body = lowered.json()
        assert body["urgent"] is False and body["triage"]["source"] == "coordinator"
        entry = body["timeline"][-1]
        assert entry["action"] == "urgency_lowered" and entry["actor"] == "koordinator.kalsel"
        assert entry["internal_note"].startswith("Sudah ditangani") and entry["urgency_changed"] == {"from": True, "to": False}
        again = await client.post(f"{stack['routing'].url}/v1/cases/{tid}/urgency", headers=coordinator,
                                  json={"urgent": False, "reason": "sekali lagi"})
        assert again.status_code == 409
        standard = await wait_until(lambda: db.deadlines.find_one(
            {"tracking_id": tid, "stage": "answer", "report_class": "standard"}), message="standard clocks back")
        assert standard["due_at"] > answer["due_at"] and standard["started_at"] == answer["started_at"]
        assert (await db.routing_training.find_one({"_id": tid}))["urgent"] is False   # it teaches the model
        inbox = (await client.get(f"{stack['routing'].url}/v1/cases", params={"sort": "urgency", "urgent": "true"},
                                  headers=coordinator)).json()["items"]
        assert tid not in [c["tracking_id"] for c in inbox]
        # the reporter's public page shows nothing of the staff's urgency decision
        public = (await client.get(f"{stack['intake'].url}/v1/reports/{tid}")).text
        assert "ditangani BPBD" not in public and "urgency" not in public


async def test_an_unknown_category_is_refused_with_the_valid_ones_and_nothing_is_stored(stack: Stack, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(stack)
    before = await db.reports.count_documents({})
    async with httpx.AsyncClient(base_url=stack["intake"].url, timeout=30) as client:
        r = await client.post("/v1/reports", json=report_body(category="roads"))
        assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
        problem: dict[str, Any] = r.json()
        assert problem["field"] == "category" and problem["choices"] == CATEGORIES
        assert "roads" in problem["detail"] and "infrastructure" in problem["detail"]
        ok = await client.post("/v1/reports", json=report_body(category="street_lighting"))
        assert ok.status_code == 201, ok.text
    assert await db.reports.count_documents({}) == before + 1
