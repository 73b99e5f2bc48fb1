"""One report end to end through real RabbitMQ and FerretDB: accepted, assigned,
acknowledged, given a deadline, and visible in the tracking view."""

from __future__ import annotations

import httpx

from harness.helpers import report_body
from harness.stack import Stack, wait_until


async def test_report_is_assigned_acknowledged_and_given_a_deadline(stack: Stack, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(stack)
    async with httpx.AsyncClient(base_url=stack["intake"].url, timeout=10) as client:
        created = await client.post("/v1/reports", json=report_body())
        assert created.status_code == 201, created.text
        tid = created.json()["tracking_id"]
        assert created.json()["status"] == "received"

        async def assigned() -> dict | None:
            view = (await client.get(f"/v1/reports/{tid}")).json()
            return view if view["status"] == "assigned" else None

        view = await wait_until(assigned, message="report assigned")
    assert view["agency"]["id"] == "kab-banjar.pupr"
    assert [e["action"] for e in view["timeline"]] == ["submitted", "assigned"]
    assert view["reporter"] is None

    async with httpx.AsyncClient(base_url=stack["notifier"].url, timeout=10,
                                 headers={"Authorization": f"Bearer {stack.iso.operator_token}"}) as client:
        async def acknowledged() -> list | None:
            items = (await client.get("/v1/notifications", params={"tracking_id": tid})).json()["items"]
            acks = [n for n in items if n["kind"] == "ack" and n["status"] == "sent"]
            return acks or None

        acks = await wait_until(acknowledged, message="acknowledgement sent")
    assert len(acks) == 1
    assert acks[0]["channel"] == "sms" and tid in acks[0]["text"]

    async with httpx.AsyncClient(base_url=stack["sla"].url, timeout=10) as client:
        async def deadlines() -> dict | None:
            items = (await client.get(f"/v1/sla/reports/{tid}")).json()["items"]
            stages = {d["stage"]: d for d in items}
            return stages if "verification" in stages and "first_follow_up" in stages else None

        stages = await wait_until(deadlines, message="deadlines stored")
    assert stages["verification"]["status"] == "met" and stages["verification"]["on_time"] is True
    assert stages["first_follow_up"]["status"] == "open"
    assert stages["first_follow_up"]["timezone"] == "Asia/Makassar"  # Kalimantan Selatan is WITA

    # the stored contact data is encrypted, never in clear
    raw = await db.reports.find_one({"_id": tid})
    assert "+62812555" not in str(raw)

    async def outbox_cleared() -> bool:
        return (await db.reports.find_one({"_id": tid}))["outbox_pending"] == 0

    await wait_until(outbox_cleared, message="outbox cleared after the confirm")


async def test_reporter_token_opens_private_view_and_wrong_token_is_refused(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack["intake"].url, timeout=10) as client:
        body = report_body(confidential=True)
        created = (await client.post("/v1/reports", json=body)).json()
        tid, token = created["tracking_id"], created["reporter_token"]
        public = (await client.get(f"/v1/reports/{tid}")).json()
        assert public["title"] is None and public["body"] is None and public["reporter"] is None
        own = await client.get(f"/v1/reports/{tid}", headers={"X-Reporter-Token": token})
        assert own.status_code == 200
        assert own.json()["body"] == body["body"]
        assert own.json()["reporter"]["phone"] == body["reporter"]["phone"]
        wrong = await client.get(f"/v1/reports/{tid}", headers={"X-Reporter-Token": "not-the-token"})
        assert wrong.status_code == 403
        assert wrong.headers["content-type"].startswith("application/problem+json")


async def test_unknown_and_malformed_tracking_ids_are_404(stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack["intake"].url, timeout=10) as client:
        for tid in ("AAAA-AAAAA", "nope", "0000-00000"):
            r = await client.get(f"/v1/reports/{tid}")
            assert r.status_code == 404
            assert r.json()["field"] == "tracking_id"


async def test_every_service_is_live_and_ready(stack: Stack) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        for svc in stack.services.values():
            assert (await client.get(f"{svc.url}/health/live")).status_code == 200
            ready = await client.get(f"{svc.url}/health/ready")
            assert ready.status_code == 200
            expected = ({"intake": True, "routing": True, "sla": True} if svc.name == "web"   # the portal's are the APIs it calls
                        else {"database": True, "broker": True})
            assert ready.json()["checks"] == expected
