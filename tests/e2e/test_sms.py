"""SMS 1708 through a real Kannel (bearerbox, smsbox, fakesmsc from Debian's packages)."""

from __future__ import annotations

import httpx

from harness.infra import free_port
from harness.kannel import SENDSMS_PASSWORD, SENDSMS_USER, Kannel
from harness.stack import Stack, wait_until

TOKEN = "sms-callback-test-token"


def _stack(make_stack) -> tuple[Stack, int]:  # type: ignore[no-untyped-def]
    sendsms_port = free_port()
    stack = make_stack(LAPOR_SMS_PROVIDER="kannel", LAPOR_KANNEL_SENDSMS_URL=f"http://127.0.0.1:{sendsms_port}/cgi-bin/sendsms",
                       LAPOR_KANNEL_USERNAME=SENDSMS_USER, LAPOR_KANNEL_PASSWORD=SENDSMS_PASSWORD,
                       LAPOR_SMS_CALLBACK_TOKEN=TOKEN)
    return stack, sendsms_port


async def test_banjar_sms_becomes_a_report_for_kabupaten_banjar_and_the_answer_comes_back_through_kannel(
        make_stack, db_of, tmp_path) -> None:  # type: ignore[no-untyped-def]
    stack, sendsms_port = _stack(make_stack)
    db = db_of(stack)
    kannel = Kannel(tmp_path / "kannel", stack["intake"].url, TOKEN, sendsms_port).start()
    try:
        kannel.phone("081255566677", "BANJAR jalan rusak di depan pasar")
        report = await wait_until(lambda: db.reports.find_one({"channel": "sms"}), timeout=40, message="report from SMS")
        tid = report["_id"]
        assert report["body"] == "jalan rusak di depan pasar" and report["source"]["smsc"] == "fake"
        case = await wait_until(lambda: db.cases.find_one({"_id": tid, "status": "assigned"}), message="case routed")
        assert case["route"]["rule"] == "sms_keyword" and case["agency_id"].startswith("kab-banjar")
        # the acknowledgement left through sendsms and reached the phone network
        await wait_until(lambda: _async(tid in kannel.received()), timeout=40, message="answer SMS at the fake SMSC")
        line = next(x for x in kannel.received().splitlines() if tid in x)
        assert "+6281255566677" in line or "6281255566677" in line
        # the SMSC may have it a moment before the notifier has written the gateway's answer
        ack = await wait_until(lambda: db.notifications.find_one({"tracking_id": tid, "kind": "ack", "channel": "sms",
                                                                  "status": {"$ne": "queued"}}),
                               timeout=10, message="the acknowledgement marked after the gateway's answer")
        assert ack["status"] in ("sent", "delivered")

        # INFO <tracking id> from the same phone: the status comes back by SMS too
        kannel.phone("081255566677", f"info {tid.lower()}")
        await wait_until(lambda: _async(f"LAPOR! {tid}: Terdisposisi" in kannel.received()), timeout=40,
                         message="status answer at the fake SMSC")
    finally:
        kannel.stop()


async def _async(value: object) -> object:
    return value


async def test_sms_callback_parses_dedupes_limits_and_refuses_strangers(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    stack, _ = _stack(make_stack)
    db = db_of(stack)
    url = f"{stack['intake'].url}/v1/sms/inbound"
    async with httpx.AsyncClient(timeout=30) as client:
        base = {"key": TOKEN, "from": "081255500001", "to": "1708", "smsc": "fake"}
        # spacing, case and a keyword alias land on the same report shape; a gateway retry is one report
        r1 = await client.get(url, params={**base, "id": "gw-1", "text": "  banjar   Lampu jalan mati sejak seminggu  "})
        r2 = await client.get(url, params={**base, "id": "gw-1", "text": "  banjar   Lampu jalan mati sejak seminggu  "})
        assert r1.status_code == r2.status_code == 200
        tid = r1.json()["tracking_id"]
        assert r2.json()["tracking_id"] == tid
        assert await db.reports.count_documents({"source.gateway_id": "gw-1"}) == 1
        doc = await db.reports.find_one({"_id": tid})
        assert doc["body"] == "Lampu jalan mati sejak seminggu"
        # an unknown keyword is part of the complaint and goes to the national coordinator
        r3 = await client.get(url, params={**base, "id": "gw-2", "text": "SAMARINDA air PDAM keruh 😡 sudah 3 hari"})
        doc3 = await db.reports.find_one({"_id": r3.json()["tracking_id"]})
        assert doc3["body"] == "SAMARINDA air PDAM keruh 😡 sudah 3 hari"
        case3 = await wait_until(lambda: db.cases.find_one({"_id": doc3["_id"]}), message="case of the unknown keyword")
        assert case3["agency_id"] is None and case3["status"] == "received"
        # too short: a format hint goes back instead of a report
        r4 = await client.get(url, params={**base, "id": "gw-3", "text": "BANJAR rusak"})
        assert r4.json()["answer"] == "help"
        # a reply from another number does not reach the report
        r5 = await client.get(url, params={**base, "from": "081255500002", "id": "gw-4", "text": f"BALAS {tid} saya juga"})
        assert r5.json()["answer"] == "unknown_report"
        r6 = await client.get(url, params={**base, "id": "gw-5", "text": f"balas {tid} lokasinya di depan masjid"})
        assert r6.json()["answer"] == "reply_received"
        replied = await db.reports.find_one({"_id": tid})
        assert len(replied["replies"]) == 1 and "lokasinya" not in str(replied["replies"])   # stored encrypted
        helps = await wait_until(lambda: db.notifications.find_one({"kind": "sms_help"}), message="help SMS queued")
        assert "Format" in helps["text"]
        # wrong key: refused; a flood from one number: dropped after the hourly limit
        bad = await client.get(url, params={**base, "key": "nope", "id": "gw-6", "text": "BANJAR coba coba coba"})
        assert bad.status_code == 403 and bad.headers["content-type"] == "application/problem+json"
        results = [(await client.get(url, params={**base, "from": "081255500009", "id": f"flood-{i}",
                                                 "text": f"BANJAR pesan banjir nomor {i} sekali"})).json() for i in range(25)]
        assert sum(1 for x in results if x.get("accepted")) == 20
        assert results[-1] == {"accepted": False, "reason": "rate limited"}
