"""Fault injection: every accepted report reaches its end state across crashes and outages.

During a run of reports through all four services one fault is injected mid-run: a SIGKILL
of one service (then a restart), RabbitMQ stopped and started, or FerretDB stopped and
started. Afterwards every accepted report is assigned, acknowledged exactly once and has its
deadlines; every outbox is empty, every queue drained, nothing parked.

`make test` runs 30 reports a fault; the long mode (README):
LAPOR_FAULT_REPORTS=2000 LAPOR_FAULT_RESULTS=bench/results/faults.json scripts/test.sh tests/e2e/test_faults.py
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from harness.helpers import submit_reports
from harness.infra import queue_depths, rabbitmqctl, restart_ferretdb
from harness.stack import Stack, wait_until

REPORTS = int(os.environ.get("LAPOR_FAULT_REPORTS", "30"))
RESULTS: list[dict[str, Any]] = []


@pytest.fixture(scope="module", autouse=True)
def _write_results() -> Any:
    """With LAPOR_FAULT_RESULTS=FILE (the long mode), the figures of every fault go to FILE."""
    yield
    target = os.environ.get("LAPOR_FAULT_RESULTS")
    if target and RESULTS:
        Path(target).write_text(json.dumps(RESULTS, indent=2) + "\n")


async def _inject(stack: Stack, fault: str) -> None:
    if fault.startswith("kill-"):
        service = stack[fault.removeprefix("kill-")]
        service.kill()
        await asyncio.sleep(1.5)
        service.start()
        await asyncio.to_thread(service.wait_ready, 90)
    elif fault == "broker-restart":
        rabbitmqctl("stop_app")
        await asyncio.sleep(3)
        rabbitmqctl("start_app")
    elif fault == "database-restart":
        await asyncio.to_thread(restart_ferretdb, 3.0)


# the long mode needs more than the suite's per-test limit: about half a second a report
@pytest.mark.timeout(max(300, int(REPORTS * 0.6) + 240))
@pytest.mark.parametrize("fault", ["kill-intake", "kill-routing", "kill-notifier", "kill-sla",
                                   "broker-restart", "database-restart"])
async def test_faults(fault: str, make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack()
    db = db_of(stack)
    accepted: list[str] = []
    refused: Counter[str] = Counter()
    started = time.monotonic()
    load = asyncio.create_task(submit_reports([stack["intake"].url], REPORTS, accepted, refused, key="fault"))
    await wait_until(lambda: _ready(accepted, REPORTS // 3), timeout=max(120, REPORTS * 0.3), message="a third accepted")
    await _inject(stack, fault)
    await load
    tids = set(accepted)
    assert len(tids) == REPORTS, dict(refused)        # every report was accepted in the end (with retries)
    # an outage is answered 503 with Retry-After (or the connection fails), never 500
    assert not [k for k in refused if k[:1] == "5" and not k.startswith("503")], dict(refused)

    async def settled() -> str | None:
        assigned = await db.cases.count_documents({"_id": {"$in": list(tids)}, "status": "assigned"})
        acks = await db.notifications.count_documents({"tracking_id": {"$in": list(tids)}, "kind": "ack", "status": "sent"})
        clocks = await db.deadlines.count_documents({"tracking_id": {"$in": list(tids)}, "stage": "first_follow_up"})
        shown = await db.reports.count_documents({"_id": {"$in": list(tids)}, "status": "assigned"})
        return "ok" if (assigned, acks, clocks, shown) == (len(tids),) * 4 else None

    await wait_until(settled, timeout=max(240, REPORTS * 0.3), interval=1,
                     message=f"{len(tids)} reports at their end state after {fault}")
    # exactly one acknowledgement each, no case twice, nothing left behind
    acks = Counter(d["tracking_id"] for d in await db.notifications.find(
        {"tracking_id": {"$in": list(tids)}, "kind": "ack"}, {"tracking_id": 1}).to_list(None))
    assert set(acks.values()) == {1}

    async def drained() -> str | None:
        pending = sum([await db[c].count_documents({"outbox_pending": {"$gt": 0}})
                       for c in ("reports", "cases", "sla_steps", "sms_inbound")])
        depths = queue_depths(stack.iso.vhost)
        busy = {q: n for q, n in depths.items() if n and not q.endswith(".parked")}
        return "ok" if pending == 0 and not busy else None

    await wait_until(drained, timeout=120, interval=1, message="outboxes empty and queues drained")
    parked = {q: n for q, n in queue_depths(stack.iso.vhost).items() if q.endswith(".parked") and n}
    assert parked == {}
    RESULTS.append({"fault": fault, "reports": REPORTS, "accepted": len(tids), "lost": 0,
                    "client_retries": dict(refused), "seconds": round(time.monotonic() - started, 1)})


async def _ready(accepted: list[str], n: int) -> bool:
    return len(accepted) >= n
