"""Regional governments' systems: API keys, the integrator API, Open311, and what they never see."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import Any

import httpx
import requests
from georeport import GeoReport

from harness.helpers import report_body
from harness.infra import ROOT
from harness.stack import Stack, settled, wait_until

NAME, PHONE, EMAIL, NIK = "Rina Marlina", "+6281255534567", "rina.marlina@example.id", "6371015507890001"
SECRET_BODY = "Petugas loket meminta uang pelicin Rp 200.000 untuk KTP elektronik saya"


def _cli(stack: Stack, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "services.intake.cli", *args], cwd=ROOT, env=stack.iso.env(),
                          capture_output=True, text=True, timeout=60)


def _key(stack: Stack, integrator: str, regions: str, rate: int = 600) -> dict[str, Any]:
    out = _cli(stack, "keys", "create", "--integrator", integrator, "--regions", regions, "--rate", str(rate))
    assert out.returncode == 0, out.stderr
    return dict(json.loads(out.stdout))


def _leaks(text: str) -> list[str]:
    return [s for s in (NAME, PHONE, EMAIL, NIK, "6281255534567", "Marlina", "pelicin") if s in text]


async def test_integrator_keys_scope_rate_reference_and_own_reports_only(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack()
    db = db_of(stack)
    bjm = _key(stack, "banjarmasin-app", "63.71", rate=600)
    plk = _key(stack, "palangkaraya-app", "62.71")
    slow = _key(stack, "banjarbaru-app", "63.72", rate=3)
    listed = _cli(stack, "keys", "list")
    assert bjm["key_id"] in listed.stdout and "secret_hash" not in listed.stdout and bjm["api_key"] not in listed.stdout
    stored = await db.integrator_keys.find_one({"_id": bjm["key_id"]})
    assert bjm["api_key"].split("_", 2)[2] not in json.dumps(stored, default=str)       # only the hash is kept
    url = stack["intake"].url
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        h = {"X-Api-Key": bjm["api_key"]}
        body = report_body(region_code="63.71", category="water", reference="SIPP-2026-00042")
        r = await client.post("/v1/integrator/reports", json=body, headers={**h, "Idempotency-Key": "bjm-42"})
        assert r.status_code == 201, r.text
        tid = r.json()["tracking_id"]
        again = await client.post("/v1/integrator/reports", json=body, headers={**h, "Idempotency-Key": "bjm-42"})
        assert again.json()["tracking_id"] == tid and again.headers["Idempotent-Replayed"] == "true"
        # outside its region: refused, nothing stored
        out = await client.post("/v1/integrator/reports", json=report_body(region_code="62.71"), headers=h)
        assert out.status_code == 403 and out.json()["field"] == "region_code"
        # inside its region but aimed at an agency elsewhere (another regency, a national body): refused
        for agency in ("kab-banjar.pupr", "kota-palangkaraya.dinkes", "kemenkes", "bpjs-kesehatan"):
            aimed = await client.post("/v1/integrator/reports", headers=h,
                                      json=report_body(region_code="63.71", agency_id=agency))
            assert aimed.status_code == 403 and aimed.json()["field"] == "agency_id", (agency, aimed.text)
        unknown = await client.post("/v1/integrator/reports", headers=h,
                                    json=report_body(region_code="63.71", agency_id="no-such-agency"))
        assert unknown.status_code == 422 and unknown.json()["field"] == "agency_id"
        own = await client.post("/v1/integrator/reports", headers=h,
                                json=report_body(region_code="63.71", agency_id="kota-banjarmasin.pupr"))
        assert own.status_code == 201, own.text
        # its own reference finds it; another integrator sees nothing of it
        found = (await client.get("/v1/integrator/reports", params={"reference": "SIPP-2026-00042"}, headers=h)).json()
        assert [x["tracking_id"] for x in found["items"]] == [tid] and found["items"][0]["reference"] == "SIPP-2026-00042"
        other = {"X-Api-Key": plk["api_key"]}
        assert (await client.get(f"/v1/integrator/reports/{tid}", headers=other)).status_code == 404
        assert (await client.get("/v1/integrator/reports", params={"reference": "SIPP-2026-00042"}, headers=other)).json()["items"] == []
        # no key, a wrong key, a revoked key
        assert (await client.get("/v1/integrator/reports")).status_code == 401
        assert (await client.get("/v1/integrator/reports", headers={"X-Api-Key": bjm["api_key"] + "x"})).status_code == 401
        assert _cli(stack, "keys", "revoke", plk["key_id"]).returncode == 0
        assert (await client.get("/v1/integrator/reports", headers=other)).status_code == 401
        # the per-key rate: the fourth request of the minute gets 429 with Retry-After
        codes = [(await client.get("/v1/integrator/reports", headers={"X-Api-Key": slow["api_key"]})) for _ in range(4)]
        assert [c.status_code for c in codes] == [200, 200, 200, 429]
        assert 0 < int(codes[-1].headers["Retry-After"]) <= 60
    doc = await db.reports.find_one({"_id": tid})
    assert doc["channel"] == "integrator" and doc["source"]["integrator_id"] == "banjarmasin-app"
    assert await db.reports.count_documents({"source.integrator_id": "banjarmasin-app"}) == 2   # and none refused


async def test_georeport_client_lists_services_submits_and_reads_back(make_stack) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack()
    key = _key(stack, "banjarmasin-app", "63.71")
    root = f"{stack['intake'].url}/open311/v2"
    client = GeoReport(root, jurisdiction="63.71", api_key=key["api_key"])
    services = await asyncio.to_thread(client.get_service_list)
    codes = {s["service_code"] for s in services}
    assert {"water", "infrastructure", "health"} <= codes and all(s["type"] == "realtime" for s in services)
    # georeport 0.3.1 reads but has no submit call: the standard form POST, as Open311 clients send it
    posted = await asyncio.to_thread(requests.post, f"{root}/requests.json", data={
        "api_key": key["api_key"], "jurisdiction_id": "63.71", "service_code": "water", "lat": "-3.3186",
        "long": "114.5944", "address_string": "Jl. Lambung Mangkurat, Banjarmasin",
        "description": "Air PDAM tidak mengalir di Kelurahan Kertak Baru Ilir sejak Senin 🚰",
        "email": EMAIL, "first_name": "Rina", "last_name": "Marlina", "device_id": "app-7781"}, timeout=30)
    assert posted.status_code == 201, posted.text
    rid = posted.json()[0]["service_request_id"]
    one = await asyncio.to_thread(client.get_service_request, rid)
    assert one["service_request_id"] == rid and one["status"] == "open" and one["service_code"] == "water"
    assert "🚰" in one["description"] and one["lat"] == -3.3186
    many = await asyncio.to_thread(client.get_service_requests, status="open", service_code="water")
    assert rid in {r["service_request_id"] for r in many}
    assert not _leaks(json.dumps(one)) and "Rina" not in json.dumps(many)
    # a date without a time zone names no instant here (three zones): 400 naming it, not 500
    for field in ("start_date", "end_date"):
        naive = await asyncio.to_thread(requests.get, f"{root}/requests.json", params={field: "2026-11-01T00:00:00"},
                                        timeout=30)
        assert naive.status_code == 400 and naive.json()["field"] == field, naive.text
    async with httpx.AsyncClient(base_url=root) as http:
        bad = await http.post("/requests.json", data={"api_key": key["api_key"], "service_code": "nope", "lat": "1", "long": "1",
                                                       "description": "sesuatu yang cukup panjang"})
        assert bad.status_code == 400 and bad.json()["field"] == "service_code"
        nokey = await http.post("/requests.json", data={"service_code": "water", "description": "tanpa kunci api sama sekali"})
        assert nokey.status_code == 401 and nokey.json()["field"] == "api_key"
        assert (await http.get("/requests.json", params={"status": "maybe"})).status_code == 400
        closed = (await http.get("/requests.json", params={"status": "closed"})).json()
        assert rid not in {r["service_request_id"] for r in closed}
        assert (await http.get("/discovery.json")).json()["endpoints"][0]["specification"].endswith("GeoReport_v2")


async def test_a_service_definition_asks_its_categorys_questions_and_a_request_answers_them(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack()
    key = _key(stack, "banjarmasin-app", "63.71")
    root = f"{stack['intake'].url}/open311/v2"
    client = GeoReport(root, jurisdiction="63.71", api_key=key["api_key"])
    services = {s["service_code"]: s for s in await asyncio.to_thread(client.get_service_list)}
    assert services["infrastructure"]["metadata"] is True and services["water"]["metadata"] is False
    definition = await asyncio.to_thread(client.get_service_definition, "infrastructure")
    size = next(a for a in definition["attributes"] if a["code"] == "damage_size")
    assert size["datatype"] == "singlevaluelist" and size["order"] == 1 and size["variable"] is True
    assert {v["key"] for v in size["values"]} == {"small", "medium", "large"}
    assert (await asyncio.to_thread(client.get_service_definition, "water"))["attributes"] == []
    async with httpx.AsyncClient(base_url=root, timeout=30) as http:
        # the directory version's publication time, not a date fixed in the code
        assert (await http.get("/discovery.json")).json()["changeset"] == "2026-11-22T00:00:00Z"
        form = {"api_key": key["api_key"], "jurisdiction_id": "63.71", "lat": "-3.3186", "long": "114.5944",
                "description": "Jalan berlubang besar di depan pasar, motor sering jatuh"}
        posted = await http.post("/requests.json", data={**form, "service_code": "infrastructure",
                                                          "attribute[damage_size]": "large",
                                                          "attribute[blocks_traffic]": "yes"})
        assert posted.status_code == 201, posted.text
        rid = posted.json()[0]["service_request_id"]
        read = (await http.get(f"/requests/{rid}.json")).json()[0]
        assert "Ukuran kerusakan: Besar (lebih dari 5 m)" in read["description"]
        assert "Menghalangi lalu lintas: Ya" in read["description"]
        as_json = await http.post("/requests.json", json={**form, "service_code": "infrastructure",
                                                           "attribute": {"damage_size": "small"}})
        assert as_json.status_code == 201, as_json.text
        for data, field in [
            ({**form, "service_code": "health"}, "attribute[facility_name]"),                # required, not given
            ({**form, "service_code": "infrastructure", "attribute[damage_size]": "huge"}, "attribute[damage_size]"),
            ({**form, "service_code": "infrastructure", "attribute[colour]": "red"}, "attribute[colour]"),
        ]:
            refused = await http.post("/requests.json", data=data)
            assert refused.status_code == 400 and refused.json()["field"] == field, refused.text
    assert await db_of(stack).reports.count_documents({"source.integrator_id": "banjarmasin-app"}) == 2   # none refused kept


async def test_no_public_or_integrator_response_shows_identity_or_confidential_content(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack()
    key = _key(stack, "banjarmasin-app", "63.71")
    reporter = {"name": NAME, "phone": PHONE, "email": EMAIL, "national_id": NIK}
    url = stack["intake"].url
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        h = {"X-Api-Key": key["api_key"]}
        made = []
        for anonymous, confidential in ((True, False), (False, True), (True, True)):
            body = report_body(region_code="63.71", category="population_admin", reporter=reporter, body=SECRET_BODY,
                               title="Pungutan liar di loket Dukcapil", anonymous=anonymous, confidential=confidential)
            web = await client.post("/v1/reports", json=body)
            integ = await client.post("/v1/integrator/reports", json={**body, "reference": f"R-{anonymous}-{confidential}"},
                                      headers=h)
            assert web.status_code == integ.status_code == 201
            made += [(web.json(), anonymous, confidential), (integ.json(), anonymous, confidential)]
        # routing has assigned them and intake projected it, so agency and timeline are in the views too
        await wait_until(lambda: settled(stack, db_of(stack)), message="the platform settled")
        responses: list[tuple[str, str, bool, bool]] = []
        for created, anonymous, confidential in made:
            tid = created["tracking_id"]
            # the creation answer itself carries only the tracking ID, status, URL and the reporter's own token
            responses.append((f"POST answer {tid}", json.dumps({k: v for k, v in created.items() if k != "reporter_token"}),
                              True, True))
            for path in (f"/v1/reports/{tid}", f"/open311/v2/requests/{tid}.json"):
                responses.append((path, (await client.get(path)).text, anonymous, confidential))
            got = await client.get(f"/v1/integrator/reports/{tid}", headers=h)
            if got.status_code == 200:
                responses.append((f"integrator {tid}", got.text, anonymous, confidential))
        secret_ids = {c["tracking_id"] for c, _, confidential in made if confidential}
        listed = (await client.get("/open311/v2/requests.json")).json()
        listed += (await client.get("/v1/integrator/reports", headers=h)).json()["items"]
        for item in listed:
            tid = item.get("service_request_id") or item["tracking_id"]
            responses.append((f"list entry {tid}", json.dumps(item), True, tid in secret_ids))
        assert len(listed) >= 9
        for where, text, anonymous, confidential in responses:
            assert not [s for s in (NAME, PHONE, EMAIL, NIK, "6281255534567") if s in text], where
            if confidential:
                assert "pelicin" not in text and "Pungutan liar" not in text, where
        # and the reporter, with the token, still sees everything
        mine = made[0][0]
        full = await client.get(f"/v1/reports/{mine['tracking_id']}", headers={"X-Reporter-Token": mine["reporter_token"]})
        assert NAME in full.text and "pelicin" in full.text


async def test_privacy_raised_at_verification_reaches_every_view_once_and_in_order(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    from collections import Counter

    from shared.auth import mint_jwt
    from shared.events import CaseTransition, Privacy, make_event, utcnow
    from shared.messaging.broker import Broker
    from harness.peers import HttpPeer

    receiver = HttpPeer(status=200, answer=b"ok").start()
    try:
        stack: Stack = make_stack()
        db = db_of(stack)
        key = _key(stack, "banjarmasin-app", "63.71")
        h = {"X-Api-Key": key["api_key"]}
        async with httpx.AsyncClient(base_url=stack["notifier"].url,
                                     headers={"Authorization": f"Bearer {stack.iso.operator_token}"}) as notifier:
            sub = await notifier.post("/v1/webhooks/subscriptions", json={
                "integrator_id": "banjarmasin-app", "url": f"{receiver.url}/hook",
                "events": ["report.received.v1", "report.assigned.v1", "report.transitioned.v1"]})
            assert sub.status_code == 201, sub.text
        settings = stack.iso.settings()
        coord = {"Authorization": f"Bearer {mint_jwt(settings, 'koord', 'coordinator', 'kalsel')}"}
        async with httpx.AsyncClient(base_url=stack["intake"].url, timeout=30) as intake, \
                httpx.AsyncClient(base_url=stack["routing"].url, timeout=30) as routing:
            # sent as an ordinary report: neither anonymous nor confidential
            body = report_body(region_code="63.71", category=None, title="Mohon perhatian di loket kantor",
                               body=SECRET_BODY, reporter={"name": NAME, "phone": PHONE})
            made = await intake.post("/v1/integrator/reports", json={**body, "reference": "R-PRIV"}, headers=h)
            assert made.status_code == 201, made.text
            tid = made.json()["tracking_id"]
            case = await wait_until(lambda: db.cases.find_one({"_id": tid}), message="the case at routing")
            if case["status"] == "assigned":   # the classifier was sure; hand it back to the coordinator
                officer = {"Authorization": f"Bearer {mint_jwt(settings, 'o', 'officer', case['agency_id'])}"}
                r = await routing.post(f"/v1/cases/{tid}/bounce", json={"reason": "bukan wewenang"}, headers=officer)
                assert r.status_code == 200, r.text
                await wait_until(lambda: db.cases.find_one({"_id": tid, "status": "received"}), message="bounced")
            before = (await intake.get(f"/v1/reports/{tid}")).json()
            assert "pelicin" in before["body"] and before["confidential"] is False     # the shape before the change

            r = await routing.post(f"/v1/cases/{tid}/verify", headers=coord, json={
                "agency_id": "kota-banjarmasin.dinkes", "category": "health", "confidential": True, "anonymous": True})
            assert r.status_code == 200, r.text
            officer = {"Authorization": f"Bearer {mint_jwt(settings, 'petugas', 'officer', 'kota-banjarmasin.dinkes')}"}
            r = await routing.post(f"/v1/cases/{tid}/respond", headers=officer,
                                   json={"message": "Kami periksa petugas loket pelicin itu"})
            assert r.status_code == 200, r.text

            async def every_view_private() -> bool:
                views = [(await intake.get(f"/v1/reports/{tid}")).text,
                         (await intake.get(f"/open311/v2/requests/{tid}.json")).text,
                         (await intake.get(f"/v1/integrator/reports/{tid}", headers=h)).text]
                return all("pelicin" not in v for v in views) and '"status":"in_progress"' in views[0]

            await wait_until(every_view_private, timeout=30, message="every view of the report takes the new privacy")
            listed = (await intake.get("/open311/v2/requests.json")).text + \
                (await intake.get("/v1/integrator/reports", headers=h)).text
            assert tid in listed and "pelicin" not in listed and NAME not in listed
            public = (await intake.get(f"/v1/reports/{tid}")).json()
            assert public["anonymous"] is True and public["title"] is None
            assert all(e["note"] is None for e in public["timeline"])

            async def webhooks_in() -> list[dict[str, Any]]:
                docs = [json.loads(r.body) for r in receiver.requests]
                return docs if {d["data"].get("action") for d in docs} >= {"verify", "respond"} else []

            docs = await wait_until(webhooks_in, timeout=30, message="the verification and the response at the webhook")
            assert set(Counter(d["event_id"] for d in docs).values()) == {1}        # each step once
            by_action = {d["data"].get("action", "received"): d["data"] for d in docs}
            assert by_action["received"]["privacy"] == {"anonymous": False, "confidential": False}
            assert by_action["verify"]["privacy"] == {"anonymous": True, "confidential": True}
            assert by_action["respond"]["privacy"] == {"anonymous": True, "confidential": True}
            assert by_action["respond"]["public_note"] is None
            assert not [r for r in receiver.requests if b"pelicin" in r.body or NAME.encode() in r.body]

            # audited where staff read the case's history: who raised which flag
            case = await db.cases.find_one({"_id": tid})
            verify = next(e for e in case["timeline"] if e["action"] == "verify")
            assert verify["actor"] == "koord" and verify["privacy_changed"] == {
                "anonymous": {"from": False, "to": True}, "confidential": {"from": False, "to": True}}

            # an older step arriving late (a redelivery from before the change) does not undo it
            late = CaseTransition(tracking_id=tid, action="bounce", from_status="assigned", status="received",
                                  case_version=1, actor_role="officer", public_note="lama",
                                  privacy=Privacy(anonymous=False, confidential=False), at=utcnow())
            env = make_event(late, correlation_id=tid, producer="test")
            broker = Broker(settings)
            await broker.connect()
            try:
                await broker.publish(env)
            finally:
                await broker.close()
            await wait_until(lambda: db.reports.find_one({"_id": tid, "applied_events": env.event_id}),
                             message="the late step projected")
            after = (await intake.get(f"/v1/reports/{tid}")).json()
            assert after["confidential"] is True and after["anonymous"] is True and after["body"] is None
    finally:
        receiver.stop()


async def test_public_and_integrator_lists_come_in_bounded_pages(make_stack) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack()
    key = _key(stack, "banjarmasin-app", "63.71")
    h = {"X-Api-Key": key["api_key"]}
    async with httpx.AsyncClient(base_url=stack["intake"].url, timeout=30) as http:
        made = []
        for i in range(5):
            r = await http.post("/v1/integrator/reports", headers=h,
                                json={**report_body(region_code="63.71", title=f"Laporan halaman {i}"), "reference": f"PG-{i}"})
            assert r.status_code == 201
            made.append(r.json()["tracking_id"])
        elsewhere = await http.post("/v1/reports", json=report_body(region_code="63.03"))   # another regency
        # an integrator's list: pages of `limit`, each page's next_before the next one's `before`
        seen: list[str] = []
        params: dict[str, Any] = {"limit": 2}
        for _ in range(5):
            page = (await http.get("/v1/integrator/reports", headers=h, params=params)).json()
            seen += [item["tracking_id"] for item in page["items"]]
            if page["next_before"] is None:
                break
            params = {"limit": 2, "before": page["next_before"]}
        assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
        naive = await http.get("/v1/integrator/reports", headers=h, params={"before": "2026-11-01T00:00:00"})
        assert naive.status_code == 422 and naive.json()["field"] == "before"
        assert (await http.get("/v1/integrator/reports", headers=h, params={"limit": 201})).status_code == 422

        # Open311's search: page_size and page, a Link to the next page while pages are full
        first = await http.get("/open311/v2/requests.json", params={"jurisdiction_id": "63.71", "page_size": 3})
        assert first.status_code == 200 and len(first.json()) == 3 and 'rel="next"' in first.headers["link"]
        nxt = first.headers["link"].split(">")[0].lstrip("<")
        second = await http.get(nxt)
        ids = [r["service_request_id"] for r in first.json() + second.json()]
        assert set(made) <= set(ids) and len(ids) == len(set(ids))      # no overlap, nothing skipped
        assert elsewhere.json()["tracking_id"] not in ids                 # the region is in the query
        assert "link" not in second.headers or len(second.json()) == 3
        for bad in ({"page_size": 0}, {"page_size": 1001}, {"page": 0}, {"page": 101}):
            r = await http.get("/open311/v2/requests.json", params=bad)
            assert r.status_code in (400, 422) and r.json()["field"] == next(iter(bad)), (bad, r.text)
