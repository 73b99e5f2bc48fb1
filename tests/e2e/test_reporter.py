"""The reporter after submitting: reply (resumes a postponed case), rate once, reopen in the window."""

from __future__ import annotations

import httpx

from shared.events import CaseTransition, make_event, utcnow
from shared.messaging.broker import Broker
from harness.helpers import report_body
from harness.stack import Stack, wait_until


async def _officer_step(broker: Broker, db, tid: str, to_status: str, action: str) -> None:  # type: ignore[no-untyped-def]
    """An officer's step as routing records it (the officer API is issue #4's)."""
    case = await db.cases.find_one({"_id": tid})
    version = case["version"] + 1
    entry = {"at": utcnow(), "action": action, "status": to_status, "from_status": case["status"], "actor_role": "officer"}
    await db.cases.update_one({"_id": tid}, {"$set": {"status": to_status, "version": version}, "$push": {"timeline": entry}})
    step = CaseTransition(tracking_id=tid, action=action, from_status=case["status"], status=to_status, case_version=version,
                          actor_role="officer", agency_id=case["agency_id"], at=utcnow(), public_note=f"{action} oleh petugas")
    await broker.publish(make_event(step, correlation_id=tid, producer="test"))


async def test_reply_rate_and_reopen(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack()
    db = db_of(stack)
    broker = Broker(stack.iso.settings())
    await broker.connect()
    try:
        async with httpx.AsyncClient(base_url=stack["intake"].url, timeout=30) as client:
            created = (await client.post("/v1/reports", json=report_body())).json()
            tid, token = created["tracking_id"], created["reporter_token"]
            mine = {"X-Reporter-Token": token}
            await wait_until(lambda: db.cases.find_one({"_id": tid, "status": "assigned"}), message="assigned")
            assert (await client.post(f"/v1/reports/{tid}/rating", json={"rating": 5}, headers=mine)).status_code == 409
            assert (await client.post(f"/v1/reports/{tid}/replies", json={"message": "x y"},
                                      headers={"X-Reporter-Token": "wrong"})).status_code == 403

            await _officer_step(broker, db, tid, "postponed", "postponed")
            await wait_until(lambda: db.reports.find_one({"_id": tid, "status": "postponed"}), message="postponed shown")
            r = await client.post(f"/v1/reports/{tid}/replies", json={"message": "Lokasinya di depan Masjid Al-Karomah 🕌"},
                                  headers={**mine, "Idempotency-Key": "reply-1"})
            again = await client.post(f"/v1/reports/{tid}/replies", json={"message": "Lokasinya di depan Masjid Al-Karomah 🕌"},
                                      headers={**mine, "Idempotency-Key": "reply-1"})
            assert r.status_code == again.status_code == 202
            # routing takes the case back to where it was, and intake shows it
            case = await wait_until(lambda: db.cases.find_one({"_id": tid, "status": "assigned", "version": {"$gte": 3}}),
                                    message="case resumed after the reply")
            assert [e["action"] for e in case["timeline"]].count("reporter_replied") == 1
            view = (await client.get(f"/v1/reports/{tid}", headers=mine)).json()
            assert [x["message"] for x in view["replies"]] == ["Lokasinya di depan Masjid Al-Karomah 🕌"]
            public = (await client.get(f"/v1/reports/{tid}")).json()
            assert public["replies"] is None and "Al-Karomah" not in str(public)

            await _officer_step(broker, db, tid, "resolved", "resolved")
            await wait_until(lambda: db.reports.find_one({"_id": tid, "status": "resolved"}), message="resolved shown")
            assert (await client.post(f"/v1/reports/{tid}/rating", json={"rating": 6}, headers=mine)).status_code == 422
            assert (await client.post(f"/v1/reports/{tid}/rating", json={"rating": 2, "comment": "lambat"},
                                      headers=mine)).status_code == 202
            assert (await client.post(f"/v1/reports/{tid}/rating", json={"rating": 5}, headers=mine)).status_code == 409
            await wait_until(lambda: db.sla_reports.find_one({"_id": tid, "rating": 2}), message="rating in the figures")

            r = await client.post(f"/v1/reports/{tid}/reopen", json={"reason": "Lubangnya masih ada"}, headers=mine)
            assert r.status_code == 202
            assert (await client.post(f"/v1/reports/{tid}/reopen", json={"reason": "Lubangnya masih ada"},
                                      headers=mine)).status_code == 409
            case = await wait_until(lambda: db.cases.find_one({"_id": tid, "status": "in_progress"}), message="reopened")
            assert case["timeline"][-1]["action"] == "reopened"
            await wait_until(lambda: db.reports.find_one({"_id": tid, "status": "in_progress"}), message="reopen shown")
    finally:
        await broker.close()


async def test_the_reporters_steps_keep_the_agencys_name_in_every_view(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    """A reply to a postponed case and a reopening are steps routing's handlers take, not staff:
    they once left the agency's name out of their event, and every copy took the null."""
    from shared.auth import mint_jwt

    stack: Stack = make_stack()
    db = db_of(stack)
    officer = {"Authorization": f"Bearer {mint_jwt(stack.iso.settings(), 'budi', 'officer', 'kota-banjarmasin.pupr')}"}
    name = "Dinas Pekerjaan Umum dan Penataan Ruang Kota Banjarmasin"
    async with httpx.AsyncClient(base_url=stack["intake"].url, timeout=30) as intake, \
            httpx.AsyncClient(base_url=stack["routing"].url, timeout=30) as routing:
        created = (await intake.post("/v1/reports", json=report_body(region_code="63.71"))).json()
        tid, mine = created["tracking_id"], {"X-Reporter-Token": created["reporter_token"]}
        await wait_until(lambda: db.cases.find_one({"_id": tid, "status": "assigned", "agency_id": "kota-banjarmasin.pupr"}),
                         message="assigned to the city's public works")

        async def shown(status: str) -> bool:
            view = (await intake.get(f"/v1/reports/{tid}")).json()
            return view["status"] == status and view["agency"] == {"id": "kota-banjarmasin.pupr", "name": name}

        r = await routing.post(f"/v1/cases/{tid}/postpone", json={"reason": "Di sebelah mana tepatnya?"}, headers=officer)
        assert r.status_code == 200, r.text
        await wait_until(lambda: shown("postponed"), message="postponed, with the agency's name")
        r = await intake.post(f"/v1/reports/{tid}/replies", json={"message": "Depan Masjid Al-Karomah"},
                              headers={**mine, "Idempotency-Key": "reply-name"})
        assert r.status_code == 202
        await wait_until(lambda: shown("assigned"), message="the reply's step, with the agency's name")
        r = await routing.post(f"/v1/cases/{tid}/resolve", json={"message": "Sudah ditambal"}, headers=officer)
        assert r.status_code == 200, r.text
        await wait_until(lambda: shown("resolved"), message="resolved")
        assert (await intake.post(f"/v1/reports/{tid}/reopen", json={"reason": "Masih berlubang"}, headers=mine)).status_code == 202
        await wait_until(lambda: shown("in_progress"), message="the reopening's step, with the agency's name")
        facts = await wait_until(lambda: db.sla_reports.find_one({"_id": tid, "status": "in_progress"}),
                                 message="SLA's facts of the reopened case")
        assert facts["agency_name"] == name
