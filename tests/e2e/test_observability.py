"""What an SRE reads: one trace per report across every queue hop, log lines carrying that
trace, no personal data in any log line, and the metrics of every service."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from harness.helpers import report_body
from harness.infra import Isolation
from harness.otlp import OtlpReceiver, Span
from harness.stack import Stack, wait_until

SERVER, PRODUCER, CONSUMER = 2, 4, 5  # OTLP span kinds


@pytest.fixture(scope="module")
def observed(infra_ready: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, OtlpReceiver]]:
    with OtlpReceiver() as otlp:
        iso = Isolation.create()
        stack = Stack(iso, tmp_path_factory.mktemp("observed"), OTEL_EXPORTER_OTLP_ENDPOINT=otlp.endpoint,
                      OTEL_BSP_SCHEDULE_DELAY="100", LAPOR_QUEUE_WATCH_INTERVAL_S="1",
                      # the per-message "event handled" lines are debug; the privacy test reads them too
                      LAPOR_LOG_LEVEL="DEBUG").start()
        yield stack, otlp
        stack.stop()
        iso.drop()


async def _submit_and_wait(stack: Stack, body: dict) -> str:
    async with httpx.AsyncClient(base_url=stack["intake"].url, timeout=10) as client:
        r = await client.post("/v1/reports", json=body)
        assert r.status_code == 201, r.text
        tid = r.json()["tracking_id"]
    headers = {"Authorization": f"Bearer {stack.iso.operator_token}"}
    async with httpx.AsyncClient(base_url=stack["notifier"].url, timeout=10, headers=headers) as client:
        async def sent() -> bool:
            items = (await client.get("/v1/notifications", params={"tracking_id": tid})).json()["items"]
            return {n["kind"] for n in items if n["status"] == "sent"} >= {"ack", "assigned"}

        await wait_until(sent, message="acknowledgement and assignment notice sent")
    return tid


def _log_lines(stack: Stack) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for name, svc in stack.services.items():
        lines = []
        for raw in Path(svc.log_path).read_text(errors="replace").splitlines():
            try:
                lines.append(json.loads(raw))
            except ValueError:
                lines.append({"unparsed": raw})
        out[name] = lines
    return out


async def test_one_report_is_one_trace_across_every_queue_hop(observed: tuple[Stack, OtlpReceiver]) -> None:
    stack, otlp = observed
    tid = await _submit_and_wait(stack, report_body())

    def root() -> Span | None:
        return next((s for s in otlp.spans if s.kind == SERVER and s.attributes.get("lapor.tracking_id") == tid), None)

    async def root_span() -> Span | None:
        return root()

    request = await wait_until(root_span, message="intake request span exported")

    async def whole_trace() -> list[Span] | None:
        spans = otlp.trace(request.trace_id)
        hops = {(s.service, s.attributes.get("lapor.event_type")) for s in spans if s.kind == CONSUMER}
        sends = [s for s in spans if s.name.startswith("notification send")]
        expected = {("routing", "report.received.v1"), ("notifier", "report.received.v1"), ("sla", "report.received.v1"),
                    ("intake", "report.assigned.v1"), ("notifier", "report.assigned.v1"), ("sla", "report.assigned.v1")}
        return spans if hops >= expected and len(sends) >= 2 else None

    spans = await wait_until(whole_trace, timeout=30, message="spans of all four services in one trace")
    by_id = {s.span_id: s for s in spans}
    roots = [s for s in spans if not s.parent_id]
    assert roots == [request], "the HTTP request is the one root of the report's trace"

    consumers = [s for s in spans if s.kind == CONSUMER]
    for c in consumers:                                   # every hop's parent is a producer span
        parent = by_id.get(c.parent_id)
        assert parent is not None and parent.kind == PRODUCER, c.name
        assert parent.attributes["lapor.event_type"] == c.attributes["lapor.event_type"]
    received_hops = {c.service for c in consumers if c.attributes["lapor.event_type"] == "report.received.v1"}
    assert received_hops == {"routing", "notifier", "sla"}
    assigned = [c for c in consumers if c.attributes["lapor.event_type"] == "report.assigned.v1"]
    assert {c.service for c in assigned} == {"intake", "notifier", "sla"}
    assert all(by_id[c.parent_id].service == "routing" for c in assigned)  # routing published it

    routed = [s for s in spans if s.service == "routing" and s.attributes.get("lapor.agency")]
    assert routed and routed[0].attributes["lapor.agency"] == "kab-banjar.pupr"
    sends = [s for s in spans if s.name.startswith("notification send")]
    assert {s.attributes["lapor.channel"] for s in sends} == {"sms"}
    assert any(s.attributes.get("db.system") == "mongodb" for s in spans if s.service == "routing")

    # the log lines of this report carry the same trace
    lines = [ln for svc in _log_lines(stack).values() for ln in svc if ln.get("tracking_id") == tid]
    assert {ln["service"] for ln in lines} >= {"intake", "routing", "notifier", "sla"}
    assert {ln.get("trace_id") for ln in lines} == {request.trace_id}
    assert all(ln.get("span_id") for ln in lines)


async def test_no_personal_data_or_report_text_in_any_log_line(observed: tuple[Stack, OtlpReceiver]) -> None:
    stack, _ = observed
    secrets: list[str] = []
    for i in range(3):
        phone = f"+6281377{i}4{i}91{i}"
        email = f"warga{i}.rahasia@example.com"
        nik = f"630301{i}20{i}850003"
        marker = f"Kesaksian{i}Unik"
        body = report_body(body=f"{marker}: pungutan liar di kantor kelurahan, nomor saya {phone}",
                           title=f"Pungli {marker}", anonymous=i % 2 == 0,
                           reporter={"name": f"Nama{i}Rahasia", "phone": phone, "email": email, "national_id": nik})
        await _submit_and_wait(stack, body)
        secrets += [phone, phone[1:], phone.replace("+62", "0"), email, nik, marker, f"Nama{i}Rahasia"]
    async with httpx.AsyncClient(base_url=stack["intake"].url, timeout=10) as client:  # refused input too
        bad = await client.post("/v1/reports", json=report_body(reporter={"phone": "+62 813 SECRET 99", "email": "x"}))
        assert bad.status_code == 422
    logs = {name: Path(svc.log_path).read_text(errors="replace") for name, svc in stack.services.items()}
    for name, text in logs.items():
        assert text.strip(), f"{name} logged nothing"
        for secret in [*secrets, "SECRET"]:
            assert secret not in text, f"{secret!r} leaked into the {name} log"


async def test_metrics_expose_the_series_an_sre_needs(observed: tuple[Stack, OtlpReceiver]) -> None:
    stack, _ = observed
    async with httpx.AsyncClient(timeout=5) as client:
        async def metrics(name: str) -> str:
            return (await client.get(f"{stack[name].url}/metrics")).text

        def count(text: str, sample: str) -> float:
            m = re.search(rf"^{re.escape(sample)} ([0-9.e+]+)$", text, re.M)
            return float(m.group(1)) if m else 0.0

        before = count(await metrics("notifier"), 'lapor_end_to_end_seconds_count{channel="sms"}')
        for _ in range(2):
            await _submit_and_wait(stack, report_body())
        notifier = await metrics("notifier")
        assert count(notifier, 'lapor_end_to_end_seconds_count{channel="sms"}') == before + 2
        assert 'lapor_notifications_total{channel="sms",kind="ack",status="sent"}' in notifier

        common = ("lapor_messages_handled_total", "lapor_handler_duration_seconds", "lapor_message_retries_total",
                  "lapor_messages_parked_total", "lapor_outbox_backlog", "lapor_queue_depth", "lapor_queue_consumers")
        for name in ("intake", "routing", "notifier", "sla"):
            text = await metrics(name)
            for series in common:
                assert f"# TYPE {series}" in text, (name, series)

        async def queue_gauges() -> bool:
            return 'lapor_queue_consumers{queue="lapor.routing"} 1.0' in await metrics("routing")

        await wait_until(queue_gauges, timeout=10, message="queue consumer gauge")
        intake = await metrics("intake")
        assert count(intake, 'lapor_intake_reports_total{channel="web",outcome="accepted"}') >= 2
        assert 'lapor_sla_overdue{stage="verification"}' in await metrics("sla")
