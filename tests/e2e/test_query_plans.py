"""Every query the platform sends is served by an index. The shared platform of the test session
records the shape of each distinct query its services send (shared/storage/shapes.py: fields,
operators, value types, never values); this test walks one report through intake, routing,
the notifier and SLA and reads every staff, board and compliance view, then asks the database,
through ``explain``, how it would run each shape recorded so far (by this test and by every
test before it in the session). A query that would scan a collection fails it, unless it is
one of the few whole-collection reads below, each of a small collection or off the hot path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
from pymongo.asynchronous.database import AsyncDatabase

from harness.helpers import report_body
from harness.stack import Stack, settled, wait_until
from shared.auth import mint_jwt
from shared.storage.shapes import example

# (collection, why a read of all of it is fine)
WHOLE_COLLECTION = {
    "agencies": "the directory, read at start and every refresh into memory (hundreds of units)",
    "categories": "the directory's topics, read with it",
    "integrator_keys": "the operator's list of integrator keys (tens)",
    "webhook_subscriptions": "the operator's list of webhook subscriptions (tens)",
    "sla_state": "one document, the due cursor",
    "routing_training": "the coordinators' corrections, read whole to fit the classifier at start",
}
# shapes that carry no condition an index could take: inserts' duplicate checks by _id, lists
# under a limit of one document (the directory's version probe)
ID_ONLY = {"_id"}


def recorded(stack: Stack) -> list[dict[str, Any]]:
    path = Path(stack["intake"].env["LAPOR_QUERY_SHAPES_FILE"])
    seen: dict[str, dict[str, Any]] = {}
    for line in path.read_text().splitlines() if path.exists() else []:
        seen.setdefault(line, json.loads(line))
    return list(seen.values())


async def plan(db: AsyncDatabase, shape: dict[str, Any]) -> dict[str, Any]:
    find: dict[str, Any] = {"find": shape["collection"], "filter": example(shape["filter"])}
    if shape.get("sort"):
        find["sort"] = dict(shape["sort"])
        find["limit"] = 50
    return await db.command("explain", find)


async def journey(stack: Stack) -> None:
    settings = stack.iso.settings()
    coordinator = {"Authorization": f"Bearer {mint_jwt(settings, 'k1', 'coordinator', 'kalsel')}"}
    oversight = {"Authorization": f"Bearer {mint_jwt(settings, 'o1', 'oversight', None)}"}
    officer = {"Authorization": f"Bearer {mint_jwt(settings, 'p1', 'officer', 'kab-banjar.pupr')}"}
    operator = {"Authorization": f"Bearer {stack.iso.operator_token}"}
    async with httpx.AsyncClient(base_url=stack["intake"].url, timeout=30) as intake:
        created = await intake.post("/v1/reports", json=report_body())
        assert created.status_code == 201, created.text
        tid = created.json()["tracking_id"]

        async def assigned() -> bool:
            return (await intake.get(f"/v1/reports/{tid}")).json()["status"] == "assigned"

        await wait_until(assigned, message="report assigned")
        await intake.get("/v1/integrator/reports", headers=operator)
    async with httpx.AsyncClient(base_url=stack["routing"].url, timeout=30) as routing:
        for params in ({}, {"status": "assigned"}, {"agency_id": "kab-banjar.pupr"}):
            assert (await routing.get("/v1/cases", params=params, headers=coordinator)).status_code == 200
        assert (await routing.get("/v1/cases", headers=officer)).status_code == 200
        # oversight's national list and the filters that narrow it
        for params in ({}, {"sort": "urgency"}, {"channel": "web"}, {"category": "infrastructure"},
                       {"overdue": "true"}, {"urgent": "true"}, {"to": "2030-01-01T00:00:00Z"}):
            for path in ("/v1/cases", "/v1/cases/counts"):
                assert (await routing.get(path, params=params, headers=oversight)).status_code == 200, (path, params)
        r = await routing.post(f"/v1/cases/{tid}/respond", json={"message": "sedang kami cek"}, headers=officer)
        assert r.status_code == 200, r.text
    async with httpx.AsyncClient(base_url=stack["sla"].url, timeout=30) as sla:
        for path in ("/v1/sla/board?scope=63", "/v1/sla/board?scope=ID", "/v1/sla/board?scope=63.03",
                     "/v1/sla/compliance?period=2026", f"/v1/sla/reports/{tid}"):
            assert (await sla.get(path, headers=oversight)).status_code == 200, path
    async with httpx.AsyncClient(base_url=stack["notifier"].url, timeout=30, headers=operator) as notifier:
        assert (await notifier.get("/v1/notifications", params={"tracking_id": tid})).status_code == 200


async def test_every_recorded_query_is_served_by_an_index(stack: Stack, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(stack)
    await journey(stack)
    # the journey's last events may still be in flight (a one-shot check raced them in CI)
    await wait_until(lambda: settled(stack, db), message="the journey's events handled")
    shapes = recorded(stack)
    collections = {s["collection"] for s in shapes}
    # the walk above reaches every service's hot collections
    assert {"reports", "cases", "notifications", "deadlines", "sla_reports", "sla_open"} <= collections, collections
    existing = set(await db.list_collection_names())
    scans = []
    for shape in shapes:
        fields = {k for k in shape["filter"] if not k.startswith("$")}
        if not shape["filter"] and shape["collection"] in WHOLE_COLLECTION:
            continue
        if shape["collection"] not in existing and fields <= ID_ONLY:
            continue     # e.g. a proof looked up by its key before any was stored
        explained = await plan(db, shape)
        detail = " ".join(explained["queryPlanner"].get("Plan") or [])
        # no filter has nothing to push down: an ordered walk of an index under a limit serves it
        pushed = explained.get("filterPushdown") or (not shape["filter"] and "TEMP B-TREE" not in detail)
        by_index = pushed and "USING INDEX" in detail or "USING PRIMARY KEY" in detail
        if fields == ID_ONLY and explained.get("filterPushdown"):
            continue
        if not by_index:
            scans.append((shape, detail))
    assert not scans, "\n".join(f"{json.dumps(s)}\n    -> {d}" for s, d in scans)
