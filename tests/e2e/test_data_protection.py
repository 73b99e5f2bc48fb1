"""Data protection: contact data encrypted at rest, key rotation of old records, audited flag lowering."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import httpx
from cryptography.fernet import Fernet

from shared.auth import mint_jwt
from shared.privacy import Vault
from harness.helpers import report_body
from harness.infra import ROOT
from harness.stack import Stack, wait_until

NAME, PHONE, EMAIL, NIK = "Siti Rahmah", "+6281255588899", "siti.rahmah@example.id", "6371015507890002"


def _encrypted(value: Any, path: str = "") -> list[tuple[str, str]]:
    """Every non-empty ``*_enc`` string in a document, with where it is."""
    if isinstance(value, dict):
        return [found for k, v in value.items() for found in _encrypted(v, f"{path}.{k}" if path else k)]
    if isinstance(value, list):
        return [found for i, v in enumerate(value) for found in _encrypted(v, f"{path}[{i}]")]
    return [(path, value)] if path.rsplit(".", 1)[-1].endswith("_enc") and isinstance(value, str) and value else []


async def test_contacts_encrypted_at_rest_rotated_to_a_new_key_and_privacy_lowering_audited(make_stack, db_of) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack()
    db = db_of(stack)
    async with httpx.AsyncClient(base_url=stack["intake"].url, timeout=30) as client:
        r = await client.post("/v1/reports", json=report_body(
            region_code="63.71", category=None, anonymous=True, body="Mohon perhatian bapak dan ibu atas keadaan kami",
            reporter={"name": NAME, "phone": PHONE, "email": EMAIL, "national_id": NIK}),
            headers={"Idempotency-Key": "rotation-test-1"})   # its record keeps the reporter token, encrypted
        assert r.status_code == 201
        tid = r.json()["tracking_id"]
    await wait_until(lambda: db.contacts.find_one({"_id": tid}), message="notifier knows the contacts")
    await wait_until(lambda: db.notifications.find_one({"tracking_id": tid, "channel": "email"}), message="ack recorded")
    raw = json.dumps([await db[c].find({"$or": [{"_id": tid}, {"tracking_id": tid}]}).to_list(None)
                      for c in ("reports", "contacts", "notifications", "cases")], default=str)
    for secret in (NAME, PHONE, EMAIL, NIK, "6281255588899", "siti.rahmah"):
        assert secret not in raw, secret                       # nowhere in plain text
    report = await db.reports.find_one({"_id": tid})
    old = Vault(stack.iso.data_key, stack.iso.lookup_key)
    assert old.decrypt(report["reporter"]["national_id_enc"]) == NIK
    assert report["reporter"]["phone_hash"] == old.lookup_hash(PHONE)   # look-ups by keyed hash

    # rotation: a new key first, the old one after it; afterwards the new key alone reads everything
    new_key = Fernet.generate_key().decode()
    env = stack.iso.env(LAPOR_DATA_KEY=f"{new_key},{stack.iso.data_key}")
    out = subprocess.run([sys.executable, "-m", "shared.cli", "rotate-data-key"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    counts = {json.loads(x)["collection"]: json.loads(x)["values"] for x in out.stdout.splitlines()}
    assert counts["reports"] >= 4 and counts["contacts"] >= 1 and counts["notifications"] >= 1
    only_new = Vault(new_key, stack.iso.lookup_key)
    report = await db.reports.find_one({"_id": tid})
    assert only_new.decrypt(report["reporter"]["phone_enc"]) == PHONE
    contacts = await db.contacts.find_one({"_id": tid})
    assert {only_new.decrypt(r["address_enc"]) for r in contacts["reply_to"]} == {PHONE, EMAIL}
    for n in await db.notifications.find({"tracking_id": tid}).to_list(None):
        assert only_new.decrypt(n["recipient_enc"]) in (PHONE, EMAIL)
    # and nothing anywhere is left under the old key: every collection, outboxes included
    left, seen = [], 0
    for name in await db.list_collection_names():
        async for doc in db[name].find({}):
            for path, value in _encrypted(doc):
                seen += 1
                try:
                    only_new.decrypt(value)
                except Exception:
                    left.append(f"{name}.{path}")
    assert seen >= 6 and left == [], left
    assert counts.get("idempotency", 0) >= 1

    # a coordinator lowering the anonymity flag is written into the timeline with who and when
    await wait_until(lambda: db.cases.find_one({"_id": tid}), message="case")
    case = await db.cases.find_one({"_id": tid})
    headers = {"Authorization": f"Bearer {mint_jwt(stack.iso.settings(), 'koord-7', 'coordinator', 'kalsel')}"}
    async with httpx.AsyncClient(base_url=stack["routing"].url, timeout=30) as client:
        if case["status"] == "assigned":
            officer = {"Authorization": f"Bearer {mint_jwt(stack.iso.settings(), 'o', 'officer', case['agency_id'])}"}
            assert (await client.post(f"/v1/cases/{tid}/bounce", json={"reason": "bukan wewenang"},
                                      headers=officer)).status_code == 200
            await wait_until(lambda: db.cases.find_one({"_id": tid, "status": "received"}), message="back to coordinator")
        r = await client.post(f"/v1/cases/{tid}/verify", headers=headers,
                              json={"agency_id": "kota-banjarmasin.pupr", "category": "infrastructure", "anonymous": False})
        assert r.status_code == 200, r.text
    audited = [e for e in (await db.cases.find_one({"_id": tid}))["timeline"] if e.get("privacy_lowered")]
    assert len(audited) == 1 and audited[0]["privacy_lowered"] == ["anonymous"] and audited[0]["actor"] == "koord-7"
