"""The web portal over plain HTTP (no browser): security headers, CSRF, hostile and oversized
input, open redirects, mistyped tracking IDs, and that nothing it serves points outside."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from shared.tracking import ALPHABET, new_tracking_id
from harness.stack import ServiceProcess

PAGES = ["/", "/lapor", "/offline", "/track?id=", "/no-such-page", "/lang/en?next=/"]


def _form(html: str) -> dict[str, str]:
    return {name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1) for name in ("csrf", "idem")}  # type: ignore[union-attr]


async def _client(web: ServiceProcess) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=web.url, timeout=30)


@pytest.mark.parametrize("path", PAGES)
async def test_every_page_carries_the_security_headers(web: ServiceProcess, path: str) -> None:
    async with await _client(web) as http:
        r = await http.get(path)
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["cache-control"] == "no-store"
    if r.status_code == 200 and r.headers["content-type"].startswith("text/html"):
        # no inline script, nothing loaded from another host
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", r.text)
        assert not re.search(r'(src|href)="(https?:)?//', r.text)
        cookie = r.headers.get("set-cookie", "")
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


async def test_a_form_without_its_csrf_token_is_refused_and_nothing_is_stored(web: ServiceProcess, stack, db_of) -> None:  # type: ignore[no-untyped-def]
    title = f"Tanpa token {uuid.uuid4().hex[:6]}"
    async with await _client(web) as http:
        page = await http.get("/lapor")
        fields = {"title": title, "body": "Laporan yang dikirim oleh situs lain tanpa token.", "idem": _form(page.text)["idem"]}
        r = await http.post("/lapor", data=fields)
        assert r.status_code == 403 and "form" in r.text.lower()
        r = await http.post("/lapor", data={**fields, "csrf": "0" * 64})
        assert r.status_code == 403
    async with await _client(web) as other:   # another visitor's token does not fit this cookie
        r = await other.post("/lapor", data={**fields, "csrf": _form(page.text)["csrf"]})
        assert r.status_code == 403
    assert await db_of(stack).reports.count_documents({"title": title}) == 0


async def test_hostile_and_unicode_heavy_input_is_kept_and_escaped(web: ServiceProcess) -> None:
    title = "Ḱẽçämätän 🛣️ طريق <script>alert(1)</script>"
    body = "Jalan \u202erusak\u202c di gang 3 \u200b\u200b — " + "🙏" * 800 + " <img src=x onerror=alert(2)> ' OR 1=1 --"
    async with await _client(web) as http:
        page = await http.get("/lapor")
        r = await http.post("/lapor", data={**_form(page.text), "title": title, "body": body, "name": "Ñoño 👩🏽‍🔧",
                                            "category": "infrastructure", "province": "99", "regency": "63.71"})
        assert r.status_code == 303, r.text[:500]
        receipt = await http.get(r.headers["location"])
        assert receipt.status_code == 200
        tid = re.search(r'id="tracking-id"[^>]*>([^<]+)<', receipt.text).group(1)  # type: ignore[union-attr]
        public = await http.get(f"/lapor/{tid}")
    for html in (receipt.text, public.text):
        assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "🙏" * 800 in public.text                     # kept whole, as typed
    assert "Ñoño" not in public.text                      # the reporter's name never on the public page


async def test_oversized_form_gets_413_and_a_form_too_long_for_a_field_its_message(web: ServiceProcess) -> None:
    async with await _client(web) as http:
        page = await http.get("/lapor")
        r = await http.post("/lapor", data={**_form(page.text), "title": "Besar", "body": "x" * 400_000})
        assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")
        assert "terlalu besar" in r.text
        r = await http.post("/lapor", data={**_form(page.text), "title": "Panjang", "body": "kata " * 1200})
        assert r.status_code == 422
        assert 'id="f-body-error"' in r.text and "5.000" in r.text    # Indonesian: 10 sampai 5.000 karakter
        assert "kata kata kata" in r.text                               # what was typed is still there


async def test_language_switch_never_redirects_off_the_site(web: ServiceProcess) -> None:
    async with await _client(web) as http:
        for target in ("//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
            r = await http.get("/lang/en", params={"next": target})
            assert r.status_code == 303 and r.headers["location"] == "/"
        r = await http.get("/lang/en", params={"next": "/lapor?x=1"})
        assert r.headers["location"] == "/lapor?x=1" and "lapor_lang=en" in r.headers["set-cookie"]


async def test_a_mistyped_tracking_id_is_refused_never_someone_elses_report(web: ServiceProcess) -> None:
    tid = new_tracking_id()
    compact = tid.replace("-", "")
    wrong = compact[:3] + next(c for c in ALPHABET if c != compact[3]) + compact[4:]   # one character off
    async with await _client(web) as http:
        r = await http.get("/track", params={"id": wrong})
        assert r.status_code == 422 and 'id="f-id-error"' in r.text
        r = await http.get(f"/lapor/{wrong}")
        assert r.status_code == 404 and "karakter pemeriksa" in r.text
        r = await http.get("/track", params={"id": tid.lower().replace("-", " ")})   # case and spaces do not matter
        assert r.status_code == 303 and r.headers["location"] == f"/lapor/{tid}"


async def test_a_contact_is_confirmed_by_pressing_the_button_never_by_opening_the_link(web: ServiceProcess, stack, db_of) -> None:  # type: ignore[no-untyped-def]
    from shared.events import utcnow
    from shared.privacy import Vault

    vault = Vault(stack.iso.data_key, stack.iso.lookup_key)
    db = db_of(stack)
    code, contact = "QRSTUVWXYZ", vault.lookup_hash(f"+62812555{uuid.uuid4().int % 10000:04d}")
    await db.contact_codes.insert_one({"_id": vault.lookup_hash("contact-code|" + code), "address_hash": contact,
                                       "channel": "sms", "at": utcnow()})
    async with await _client(web) as http:
        page = await http.get(f"/k/{code.lower()}")      # a link preview or a mail scanner opens it
        assert page.status_code == 200 and f'action="/k/{code}"' in page.text
        assert await db.contact_proofs.find_one({"_id": contact}) is None
        assert (await http.post(f"/k/{code}", data={})).status_code == 403          # no CSRF token, no confirmation
        assert await db.contact_proofs.find_one({"_id": contact}) is None
        csrf = re.search(r'name="csrf" value="([^"]*)"', page.text).group(1)  # type: ignore[union-attr]
        done = await http.post(f"/k/{code}", data={"csrf": csrf})
        assert done.status_code == 200 and 'id="done"' in done.text
        assert (await db.contact_proofs.find_one({"_id": contact}))["via"] == "link"
        unknown = await http.post("/k/ABCDEFGHJK", data={"csrf": csrf})
        assert unknown.status_code == 404 and 'id="done"' not in unknown.text
