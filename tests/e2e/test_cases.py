"""The case workflow end to end: every path, roles and scopes, JWT checks, classifier, duplicates."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import jwt

from shared.auth import mint_jwt
from harness.helpers import report_body
from harness.stack import Stack, wait_until

NAME, PHONE, EMAIL = "Hendra Saputra", "+6281255577123", "hendra.saputra@example.id"
VAGUE = "Mohon perhatian bapak dan ibu sekalian atas keadaan di lingkungan kami, terima kasih"


class Staff:
    def __init__(self, stack: Stack) -> None:
        self.stack, self.settings = stack, stack.iso.settings()
        self.http = httpx.AsyncClient(base_url=stack["routing"].url, timeout=30)
        self.intake = httpx.AsyncClient(base_url=stack["intake"].url, timeout=30)

    def token(self, role: str, agency: str | None, sub: str = "user") -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_jwt(self.settings, sub, role, agency)}"}

    async def act(self, who: dict[str, str], tid: str, action: str, expect: int = 200, **body: Any) -> dict[str, Any]:
        r = await self.http.post(f"/v1/cases/{tid}/{action}", json=body, headers=who)
        assert r.status_code == expect, (action, r.status_code, r.text)
        return dict(r.json())

    async def report(self, **overrides: Any) -> tuple[str, str]:
        r = await self.intake.post("/v1/reports", json=report_body(**overrides))
        assert r.status_code == 201, r.text
        return r.json()["tracking_id"], r.json()["reporter_token"]

    async def close(self) -> None:
        await self.http.aclose()
        await self.intake.aclose()


async def _case(db: Any, tid: str, **where: Any) -> dict[str, Any]:
    return await wait_until(lambda: db.cases.find_one({"_id": tid, **where}), message=f"case {tid} {where}")


async def test_every_path_of_the_case_workflow(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack()
    db = db_of(stack)
    s = Staff(stack)
    coord = s.token("coordinator", "kalsel", "koord")
    pupr = s.token("officer", "kota-banjarmasin.pupr", "budi")
    pemkot = s.token("officer", "kota-banjarmasin", "sari")
    try:
        # verify -> respond -> resolve -> close
        tid, _ = await s.report(region_code="63.71", category=None, title="Perlu perhatian", body=VAGUE)
        case = await _case(db, tid)
        if case["status"] == "assigned":              # the classifier may be sure of the vague text; start over
            await s.act(pupr if case["agency_id"] == "kota-banjarmasin.pupr" else s.token("officer", case["agency_id"]),
                        tid, "bounce", reason="bukan wewenang kami")
        await _case(db, tid, status="received")
        refused = await s.act(coord, tid, "resolve", expect=409, message="selesai")   # not a coordinator's step
        assert "coordinator cannot resolve" in refused["detail"]
        assert (await s.http.get(f"/v1/cases/{tid}", headers=pupr)).status_code == 404  # not theirs yet
        v = await s.act(coord, tid, "verify", agency_id="kota-banjarmasin.pupr", category="infrastructure")
        assert v["status"] == "assigned" and v["agency_name"].startswith("Dinas")
        early = await s.act(pupr, tid, "close", expect=409)
        assert "officer cannot close" in early["detail"]
        await s.act(pupr, tid, "respond", message="Tim akan survei lokasi besok", internal_note="cek anggaran dulu")
        again = await s.act(pupr, tid, "verify", expect=409, agency_id="kota-banjarmasin.pupr")
        assert again["field"] == "action"
        await s.act(pupr, tid, "resolve", message="Sudah diperbaiki")
        done = await s.act(coord, tid, "close")
        assert done["status"] == "closed"
        assert [e["action"] for e in done["timeline"]][-4:] == ["verify", "respond", "resolve", "close"]
        public = await wait_until(lambda: _public_if(s, tid, "closed"), message="intake shows closed")
        assert "cek anggaran" not in public                                          # internal notes stay inside
        assert "Tim akan survei lokasi besok" in public

        # postpone -> reporter reply -> resume
        tid2, token2 = await s.report(region_code="63.71", category="infrastructure")
        await _case(db, tid2, status="assigned")
        await s.act(pupr, tid2, "postpone", reason="Mohon kirim lokasi persisnya")
        await wait_until(lambda: _public_if(s, tid2, "postponed"), message="postponed shown")
        r = await s.intake.post(f"/v1/reports/{tid2}/replies", json={"message": "Di depan SDN 3"},
                                headers={"X-Reporter-Token": token2})
        assert r.status_code == 202
        resumed = await _case(db, tid2, status="assigned", version={"$gte": 3})
        assert resumed["timeline"][-1]["action"] == "reporter_replied"

        # bounce -> re-route, with a forward in between and a loop refused
        tid3, token3 = await s.report(region_code="63.71", category=None, agency_id="kota-banjarmasin", body=VAGUE)
        case3 = await _case(db, tid3, status="assigned")
        if case3["agency_id"] == "kota-banjarmasin":
            await s.act(pemkot, tid3, "forward", agency_id="kota-banjarmasin.pupr")
        refused = await s.act(pupr, tid3, "forward", expect=422, agency_id="kota-banjarmasin")
        assert "below" in refused["detail"]
        await s.act(pupr, tid3, "bounce", reason="Bukan wewenang Dinas PUPR")
        await _case(db, tid3, status="received", agency_id=None)
        await s.act(coord, tid3, "verify", agency_id="kota-banjarmasin.dlh", category="environment")
        await _case(db, tid3, status="assigned", agency_id="kota-banjarmasin.dlh")

        # reopen after resolve
        dlh = s.token("officer", "kota-banjarmasin.dlh", "dewi")
        await s.act(dlh, tid3, "resolve", message="Sampah sudah diangkut")
        await wait_until(lambda: _public_if(s, tid3, "resolved"), message="resolved shown")
        r = await s.intake.post(f"/v1/reports/{tid3}/reopen", json={"reason": "Masih menumpuk"},
                                headers={"X-Reporter-Token": token3})
        assert r.status_code == 202
        await _case(db, tid3, status="in_progress")

        # archive
        tid4, _ = await s.report(region_code="63.71", category=None, title="Iklan", body=VAGUE)
        case4 = await _case(db, tid4)
        if case4["status"] == "assigned":
            await s.act(s.token("officer", case4["agency_id"]), tid4, "bounce", reason="bukan wewenang kami")
            await _case(db, tid4, status="received")
        await s.act(coord, tid4, "archive", expect=422)                               # a reason is needed
        archived = await s.act(coord, tid4, "archive", reason="Bukan pengaduan pelayanan publik")
        assert archived["status"] == "archived" and archived["allowed_actions"] == []

        # two conflicting steps at once: one lands, the other is told
        tid5, _ = await s.report(region_code="63.71", category="infrastructure")
        c5 = await _case(db, tid5, status="assigned")
        results = await asyncio.gather(
            s.http.post(f"/v1/cases/{tid5}/resolve", json={"message": "beres", "version": c5["version"]}, headers=pupr),
            s.http.post(f"/v1/cases/{tid5}/bounce", json={"reason": "bukan kami", "version": c5["version"]}, headers=pupr))
        assert sorted(r.status_code for r in results) == [200, 409]
        final = await db.cases.find_one({"_id": tid5})
        assert final["version"] == c5["version"] + 1
    finally:
        await s.close()


async def _public_if(s: Staff, tid: str, status: str) -> str | None:
    r = await s.intake.get(f"/v1/reports/{tid}")
    return r.text if r.status_code == 200 and r.json()["status"] == status else None


async def test_scopes_tokens_and_no_identity_in_any_staff_response(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack()
    db = db_of(stack)
    s = Staff(stack)
    try:
        tid, _ = await s.report(region_code="63.71", category="infrastructure", anonymous=True, confidential=True,
                                reporter={"name": NAME, "phone": PHONE, "email": EMAIL})
        await _case(db, tid, status="assigned", agency_id="kota-banjarmasin.pupr")
        own, other = s.token("officer", "kota-banjarmasin.pupr"), s.token("officer", "kota-banjarmasin.dinkes")
        assert (await s.http.get(f"/v1/cases/{tid}", headers=other)).status_code == 404
        assert (await s.http.post(f"/v1/cases/{tid}/respond", json={"message": "halo"}, headers=other)).status_code == 404
        assert tid not in (await s.http.get("/v1/cases", headers=other)).text
        texts = []
        for who in (own, s.token("coordinator", "kalsel"), s.token("coordinator", "kemenpanrb"),
                    s.token("oversight", None), s.token("officer", "kota-banjarmasin")):   # the parent sees its units
            for path in (f"/v1/cases/{tid}", "/v1/cases", "/v1/cases?status=assigned&category=infrastructure"):
                r = await s.http.get(path, headers=who)
                assert r.status_code == 200, (path, r.text)
                texts.append(r.text)
        assert all(tid in t for t in texts)
        for t in texts:
            assert not [x for x in (NAME, PHONE, EMAIL, "6281255577123", "Saputra") if x in t]
        assert "Jalan berlubang" in texts[0]          # a confidential report's content is for its agency
        # a coordinator of another province sees nothing of it
        assert (await s.http.get(f"/v1/cases/{tid}", headers=s.token("coordinator", "kalteng"))).status_code == 404

        settings = s.settings
        now = int(time.time())
        base = {"sub": "x", "role": "oversight", "iss": settings.jwt_issuer, "aud": settings.jwt_audience,
                "iat": now, "exp": now + 600}
        key = settings.jwt_key.get_secret_value()
        bad = {
            "alg none": jwt.encode(base, None, algorithm="none"),
            "expired": jwt.encode({**base, "exp": now - 10}, key, algorithm="HS256"),
            "wrong issuer": jwt.encode({**base, "iss": "someone-else"}, key, algorithm="HS256"),
            "wrong audience": jwt.encode({**base, "aud": "other-app"}, key, algorithm="HS256"),
            "wrong key": jwt.encode(base, "not-the-key-" + "x" * 40, algorithm="HS256"),
            "garbage": "abc.def.ghi",
        }
        for name, token in bad.items():
            r = await s.http.get("/v1/cases", headers={"Authorization": f"Bearer {token}"})
            assert r.status_code == 401, name
        assert (await s.http.get("/v1/cases")).status_code == 401
        no_role = jwt.encode({**base, "role": "reporter"}, key, algorithm="HS256")
        assert (await s.http.get("/v1/cases", headers={"Authorization": f"Bearer {no_role}"})).status_code == 403
    finally:
        await s.close()


async def test_classifier_routes_confident_text_and_duplicates_are_flagged_merged_and_followed(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack()
    db = db_of(stack)
    s = Staff(stack)
    try:
        first, _ = await s.report(region_code="63.71", category=None, title="Air mati",
                                  body="Air PDAM di rumah kami di Kelayan mati sudah tiga hari")
        c1 = await _case(db, first, status="assigned")
        assert c1["agency_id"] == "kota-banjarmasin.pdam" and c1["route"]["rule"] == "classifier"
        suggestion = c1["route"]["suggestion"]
        assert suggestion["category"] == "water" and suggestion["confidence"] >= 0.6
        assert "pdam" in suggestion["terms"] and suggestion["model_version"].startswith("tfidf-chars-logreg")
        second, _ = await s.report(region_code="63.71", category=None, title="PDAM",
                                   body="air pdam di kelayan mati sudah 3 hari, tolong")
        c2 = await _case(db, second, status="assigned")
        assert c2["duplicate_candidate"]["tracking_id"] == first and c2["duplicate_candidate"]["score"] >= 0.5
        coord = s.token("coordinator", "kalsel")
        merged = await s.act(coord, second, "merge", parent=first)
        assert merged["merged_into"] == first
        pdam = s.token("officer", "kota-banjarmasin.pdam")
        await s.act(pdam, first, "respond", message="Pipa utama sedang diperbaiki")
        followed = await _case(db, second, status="in_progress")
        assert followed["timeline"][-1]["action"] == "follows_parent"
        # a coordinator's decision becomes a training example
        vague, _ = await s.report(region_code="63.71", category=None, body=VAGUE)
        cv = await _case(db, vague)
        if cv["status"] == "received":
            await s.act(coord, vague, "verify", agency_id="kota-banjarmasin.dlh", category="environment")
            assert (await db.routing_training.find_one({"_id": vague}))["category"] == "environment"
    finally:
        await s.close()


async def test_the_inbox_page_is_bounded_by_its_setting(stack: Stack) -> None:
    s = Staff(stack)
    try:
        officer = s.token("officer", "kota-banjarmasin.pupr")
        assert (await s.http.get("/v1/cases", params={"limit": 100}, headers=officer)).status_code == 200
        too_many = await s.http.get("/v1/cases", params={"limit": 101}, headers=officer)   # LAPOR_INBOX_PAGE_MAX
        assert too_many.status_code == 422 and too_many.json()["field"] == "limit"
    finally:
        await s.close()
