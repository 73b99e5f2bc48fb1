"""Every endpoint x every role: what is allowed is allowed, and nothing else is."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import httpx

from shared.auth import mint_jwt
from harness.helpers import report_body
from harness import files
from harness.infra import ROOT
from harness.stack import Stack, settled, wait_until

PHOTO = files.multipart([("p.png", files.png((40, 30)))])
ROLES = ["public", "reporter", "reporter_wrong_token", "integrator_own", "integrator_other", "integrator_revoked",
         "officer_own", "officer_other", "coordinator", "oversight", "operator"]
STAFF = {"officer_own", "coordinator", "oversight"}
# endpoint -> (service, method, path, body, the roles allowed)
MATRIX: dict[str, tuple[str, str, str, Any, set[str]]] = {
    "public report view":      ("intake", "GET", "/v1/reports/{tid}", None, set(ROLES) - {"reporter_wrong_token"}),
    "reporter reply":          ("intake", "POST", "/v1/reports/{tid}/replies", {"message": "tambahan info"}, {"reporter"}),
    "integrator own report":   ("intake", "GET", "/v1/integrator/reports/{tid}", None, {"integrator_own"}),
    "integrator search":       ("intake", "GET", "/v1/integrator/reports", None, {"integrator_own", "integrator_other"}),
    "open311 request":         ("intake", "GET", "/open311/v2/requests/{tid}.json", None, set(ROLES)),
    "case inbox":              ("routing", "GET", "/v1/cases", None, STAFF | {"officer_other"}),
    "case read":               ("routing", "GET", "/v1/cases/{tid}", None, STAFF),
    "case respond":            ("routing", "POST", "/v1/cases/{tid}/respond", {"message": "sedang kami cek"}, {"officer_own"}),
    "notification log":        ("notifier", "GET", "/v1/notifications?tracking_id={tid}", None, {"operator"}),
    "webhook subscriptions":   ("notifier", "GET", "/v1/webhooks/subscriptions", None, {"operator"}),
    "compliance figures":      ("sla", "GET", "/v1/sla/compliance?period=2026", None, set(ROLES)),
    "report deadlines":        ("sla", "GET", "/v1/sla/reports/{tid}", None,
                                set(ROLES)),   # the public shape without credentials
    "overdue list":            ("sla", "GET", "/v1/sla/overdue", None, STAFF | {"officer_other", "operator"}),
    # staff of the region (and oversight, the operator) read its board and its recap
    "board, own region":       ("sla", "GET", "/v1/sla/board?scope=63.71", None, STAFF | {"officer_other", "operator"}),
    "board, another province": ("sla", "GET", "/v1/sla/board?scope=62", None, {"oversight", "operator"}),
    "monthly recap":           ("sla", "GET", "/v1/sla/recap?region=63.71&month=2026-11", None,
                                STAFF | {"officer_other", "operator"}),
    "cases behind a figure":   ("sla", "GET", "/v1/sla/compliance/cases?period=2026&by=agency&key=kota-banjarmasin.pupr",
                                None, {"oversight", "operator"}),
    # files: the body is a multipart form (harness.files); {aid} a reporter's photo not yet
    # public, {pid} the agency's PDF (staff only)
    "reporter adds a photo":   ("intake", "POST", "/v1/reports/{tid}/attachments", PHOTO, {"reporter"}),
    "integrator adds a photo": ("intake", "POST", "/v1/integrator/reports/{tid}/attachments", PHOTO, {"integrator_own"}),
    "officer adds a photo":    ("routing", "POST", "/v1/cases/{tid}/attachments", PHOTO, {"officer_own"}),
    "photo, before it is public": ("intake", "GET", "/v1/reports/{tid}/attachments/{aid}", None, {"reporter"}),
    "photo, integrator's copy": ("intake", "GET", "/v1/integrator/reports/{tid}/attachments/{aid}", None,
                                 {"integrator_own"}),
    "photo, staff's copy":     ("routing", "GET", "/v1/cases/{tid}/attachments/{aid}", None, STAFF),
    "agency's PDF, by intake": ("intake", "GET", "/v1/reports/{tid}/attachments/{pid}", None, set()),
    "agency's PDF, by staff":  ("routing", "GET", "/v1/cases/{tid}/attachments/{pid}", None, STAFF),
    "who sees a photo":        ("routing", "POST", "/v1/cases/{tid}/attachments/{aid}/visibility", {"public": False},
                                {"coordinator"}),
    "direct e-mail":           ("notifier", "POST", "/v1/notifications/email",
                                {"key": "access-test", "to": "kepala@example.go.id", "subject": "Rekap", "text": "Isi"},
                                {"operator"}),
}


def _key(stack: Stack, integrator: str, region: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "services.intake.cli", "keys", "create", "--integrator", integrator,
                          "--regions", region], cwd=ROOT, env=stack.iso.env(), capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return dict(json.loads(out.stdout))


async def test_access_matrix_has_no_unexpected_allow_or_deny(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack()
    db = db_of(stack)
    own, other, revoked = _key(stack, "banjarmasin-app", "63.71"), _key(stack, "banjarbaru-app", "63.72"), \
        _key(stack, "old-app", "63.71")
    subprocess.run([sys.executable, "-m", "services.intake.cli", "keys", "revoke", revoked["key_id"]], cwd=ROOT,
                   env=stack.iso.env(), check=True, capture_output=True, timeout=60)
    settings = stack.iso.settings()
    async with httpx.AsyncClient(timeout=30) as client:
        r = await client.post(f"{stack['intake'].url}/v1/integrator/reports",
                              json={**report_body(region_code="63.71", category="infrastructure", anonymous=True),
                                    "reference": "M-1"}, headers={"X-Api-Key": own["api_key"]})
        assert r.status_code == 201, r.text
        tid, token = r.json()["tracking_id"], r.json()["reporter_token"]
        await wait_until(lambda: db.cases.find_one({"_id": tid, "status": "assigned", "agency_id": "kota-banjarmasin.pupr"}),
                         message="case assigned")
        headers = {
            "public": {}, "reporter": {"X-Reporter-Token": token}, "reporter_wrong_token": {"X-Reporter-Token": "nope"},
            "integrator_own": {"X-Api-Key": own["api_key"]}, "integrator_other": {"X-Api-Key": other["api_key"]},
            "integrator_revoked": {"X-Api-Key": revoked["api_key"]},
            "officer_own": {"Authorization": f"Bearer {mint_jwt(settings, 'o1', 'officer', 'kota-banjarmasin.pupr')}"},
            "officer_other": {"Authorization": f"Bearer {mint_jwt(settings, 'o2', 'officer', 'kota-banjarmasin.dinkes')}"},
            "coordinator": {"Authorization": f"Bearer {mint_jwt(settings, 'c1', 'coordinator', 'kalsel')}"},
            "oversight": {"Authorization": f"Bearer {mint_jwt(settings, 'v1', 'oversight', None)}"},
            "operator": {"Authorization": f"Bearer {stack.iso.operator_token}"},
        }
        photo, pdf = files.multipart([("p.png", files.png())]), files.multipart([("s.pdf", files.pdf())])
        aid = (await client.post(f"{stack['intake'].url}/v1/reports/{tid}/attachments", content=photo[0],
                                 headers={**photo[1], **headers["reporter"]})).json()["attachments"][0]["id"]
        pid = (await client.post(f"{stack['routing'].url}/v1/cases/{tid}/attachments", content=pdf[0],
                                 headers={**pdf[1], **headers["officer_own"]})).json()["attachments"][0]["id"]
        unexpected = []
        for name, (service, method, path, body, allowed) in MATRIX.items():
            for role in ROLES:
                url = stack[service].url + path.format(tid=tid, aid=aid, pid=pid)
                if isinstance(body, tuple):
                    resp = await client.request(method, url, content=body[0], headers={**body[1], **headers[role]})
                else:
                    resp = await client.request(method, url, json=body, headers=headers[role])
                granted = resp.status_code < 300
                assert resp.status_code < 500, (name, role, resp.text)
                if granted != (role in allowed):
                    unexpected.append((name, role, resp.status_code))
                if not granted:
                    assert resp.headers["content-type"] == "application/problem+json", (name, role)
        assert unexpected == [], unexpected
        # a report's clocks: the whole record for the agency holding it, the public shape for anyone else
        sla = stack["sla"].url
        own = (await client.get(f"{sla}/v1/sla/reports/{tid}", headers=headers["officer_own"])).json()
        assert "escalations" in own and any(d.get("agency_id") == "kota-banjarmasin.pupr" for d in own["items"])
        for role in ("officer_other", "public", "integrator_own"):
            seen = (await client.get(f"{sla}/v1/sla/reports/{tid}", headers=headers[role])).json()
            assert "escalations" not in seen and all("agency_id" not in d for d in seen["items"]), role
        # a report reply and an officer's response really landed, once each
        await wait_until(lambda: settled(stack, db), message="the platform settled")
        case = await db.cases.find_one({"_id": tid})
        assert [e["action"] for e in case["timeline"]].count("respond") == 1
