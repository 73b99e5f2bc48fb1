"""What reaches the trace backend: spans as a real OTLP receiver gets them carry no callback
key, no delivery-report token, no sender's number and no message text."""

from __future__ import annotations

import json
import uuid

import httpx

from harness.infra import Isolation
from harness.otlp import OtlpReceiver
from harness.stack import Stack, wait_until

KEY = f"sms-key-{uuid.uuid4().hex[:10]}"
SENDER = "081255500077"
WORDS = f"jembatan{uuid.uuid4().hex[:6]}"
DLR_TOKEN = f"dlr{uuid.uuid4().hex[:20]}"


async def test_no_secret_or_personal_value_reaches_the_trace_backend(infra_ready: None, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with OtlpReceiver() as otlp:
        iso = Isolation.create()
        stack = Stack(iso, tmp_path, OTEL_EXPORTER_OTLP_ENDPOINT=otlp.endpoint, OTEL_BSP_SCHEDULE_DELAY="100",
                      LAPOR_SMS_CALLBACK_TOKEN=KEY).start()
        try:
            async with httpx.AsyncClient(timeout=30) as http:
                r = await http.get(f"{stack['intake'].url}/v1/sms/inbound", params={
                    "key": KEY, "from": SENDER, "to": "1708", "smsc": "fake", "id": "gw-trace-1",
                    "text": f"BANJAR lampu {WORDS} mati sejak seminggu di depan sekolah"})
                assert r.status_code == 200, r.text
                tid = r.json()["tracking_id"]
                dlr = await http.get(f"{stack['notifier'].url}/v1/sms/dlr", params={
                    "nid": "0" * 32, "token": DLR_TOKEN, "type": 1, "answer": f"delivered to {SENDER}"})
                assert dlr.status_code == 403
                await http.get(f"{stack['routing'].url}/v1/cases",
                               headers={"Authorization": "Bearer not-a-real-token-but-a-secret"})

            def callback_spans() -> list[object]:
                return [s for s in otlp.spans if s.service == "intake" and "sms/inbound" in s.name]

            async def exported() -> bool:   # the callback's server span and the report's trace arrived
                return bool(callback_spans()) and any(s.service == "notifier" and "dlr" in s.name for s in otlp.spans) \
                    and any(s.attributes.get("lapor.tracking_id") == tid for s in otlp.spans)
            await wait_until(exported, timeout=30, message="the callback's spans at the OTLP receiver")
            everything = json.dumps([{"name": s.name, "attributes": s.attributes} for s in otlp.spans], default=str)
            for secret in (KEY, SENDER, SENDER[1:], "62" + SENDER[1:], WORDS, DLR_TOKEN, "not-a-real-token"):
                assert secret not in everything, secret
            # what an SRE needs is still there: the route, the status, the names of the query's parts
            server = callback_spans()[0].attributes
            assert any("key=[redacted]" in str(v) for v in server.values()), server
        finally:
            stack.stop()
            iso.drop()
