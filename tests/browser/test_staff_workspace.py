"""The staff workspace in real Chromium, signed in through the real Keycloak's own login page,
against a platform whose case API verifies Keycloak's tokens by JWKS. SLA clocks run in
seconds (tests/data/sla-fast) so that deadlines pass while the test watches."""

from __future__ import annotations

import re
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, BrowserContext, Page, expect
from pymongo import AsyncMongoClient

from tests.browser.conftest import FAST_SLA, KEYCLOAK, keycloak_stack
from harness.helpers import report_body
from harness.stack import Stack, wait_until

SMS_KEY = uuid.uuid4().hex
PASSWORD = "demo-password"
SHOTS = Path(tempfile.gettempdir()) / "lapor-screenshots"      # to look at, never committed
PUPR = "kota-banjarmasin.pupr"


@pytest.fixture(scope="module")
def kc() -> Iterator[Stack]:
    # longer than a token lives: every call refreshes first, so every test here covers it
    yield from keycloak_stack("staff", LAPOR_SMS_CALLBACK_TOKEN=SMS_KEY, LAPOR_STAFF_TOKEN_MARGIN_S="100000",
                              **FAST_SLA)


@pytest.fixture
async def db(kc: Stack) -> AsyncIterator[Any]:
    client: AsyncMongoClient = AsyncMongoClient(kc.iso.mongo_url, tz_aware=True)
    yield client[kc.iso.mongo_db]
    await client.close()


@pytest.fixture
async def contexts(browser: Browser, kc: Stack) -> AsyncIterator[Any]:
    made: list[BrowserContext] = []

    async def new(width: int = 1280) -> BrowserContext:
        ctx = await browser.new_context(base_url=kc["web"].url, viewport={"width": width, "height": 900})
        made.append(ctx)
        return ctx

    yield new
    for ctx in made:
        await ctx.close()


async def sign_in(ctx: BrowserContext, user: str, target: str = "/staff") -> Page:
    """Through Keycloak's own login page, exactly as a person does."""
    page = await ctx.new_page()
    await page.goto(target)
    assert page.url.startswith(KEYCLOAK), page.url            # sent to the provider
    await page.fill("#username", user)
    await page.fill("#password", PASSWORD)
    await page.click("#kc-login")
    await page.wait_for_url(lambda url: not url.startswith(KEYCLOAK))
    return page


async def _report(kc: Stack, **overrides: Any) -> str:
    async with httpx.AsyncClient(base_url=kc["intake"].url) as http:
        r = await http.post("/v1/reports", json=report_body(**overrides))
        assert r.status_code == 201, r.text
        return str(r.json()["tracking_id"])


async def _sms(kc: Stack, sender: str, gateway_id: str, text: str) -> str:
    """A message to 1708 as Kannel hands it to intake; the new report's tracking ID."""
    async with httpx.AsyncClient() as http:
        r = await http.get(f"{kc['intake'].url}/v1/sms/inbound", params={
            "key": SMS_KEY, "from": sender, "to": "1708", "smsc": "fake", "id": gateway_id, "text": text})
        assert r.status_code == 200, r.text
        return str(r.json()["tracking_id"])


async def _case(db: Any, tid: str, **where: Any) -> dict[str, Any]:
    return await wait_until(lambda: db.cases.find_one({"_id": tid, **where}), message=f"case {tid} {where}")


async def test_a_coordinator_verifies_an_sms_report_and_the_officer_resolves_it(kc: Stack, db, contexts) -> None:  # type: ignore[no-untyped-def]
    words = uuid.uuid4().hex[:6]
    tid = await _sms(kc, "081255577001", f"gw-{words}", f"Jembatan kayu di desa kami patah {words}, anak sekolah harus memutar jauh")
    await _case(db, tid, status="received")

    coordinator = await sign_in(await contexts(), "koordinator.nasional")
    await expect(coordinator.locator(f"[data-case-link]:has-text('{tid}')")).to_be_visible()
    await coordinator.click(f"[data-case-link]:has-text('{tid}')")
    await expect(coordinator.locator("h1")).to_contain_text(words)
    await coordinator.select_option("#f-verify-agency", PUPR)
    await coordinator.select_option("#f-verify-category", "infrastructure")
    await coordinator.click("#step-verify button[type=submit]")
    await expect(coordinator.locator("#done")).to_be_visible()
    await expect(coordinator.locator(".status")).to_have_class(re.compile("status-assigned"))

    officer = await sign_in(await contexts(360), "petugas.pupr")
    # on top of the officer's inbox (the only case of PUPR so far), with its deadline
    first = officer.locator("ol.cases > li").first
    await expect(first.locator("[data-case-link]")).to_contain_text(tid)
    await expect(first.locator(".cd")).to_have_text(re.compile(r"\d"))
    await first.locator("[data-case-link]").click()
    await officer.fill("#f-respond-message", "Tim PUPR akan memeriksa jembatan besok pagi.")
    await officer.fill("#f-respond-note", "cek anggaran pemeliharaan")
    await officer.click("#step-respond button[type=submit]")
    await expect(officer.locator("#done")).to_be_visible()
    await officer.click("#step-resolve summary")
    await officer.fill("#f-resolve-message", "Jembatan sudah diperbaiki dengan papan baru.")
    await officer.click("#step-resolve button[type=submit]")
    await expect(officer.locator(".status")).to_have_class(re.compile("status-resolved"))

    citizen = await (await contexts(360)).new_page()

    async def shows_every_step() -> bool:
        await citizen.goto(f"/lapor/{tid}")
        html = await citizen.content()
        return all(t in html for t in ("memeriksa jembatan besok", "diperbaiki dengan papan baru", PUPR_NAME))
    await wait_until(shows_every_step, interval=0.5, message="tracking page shows the officer's steps")
    assert "cek anggaran" not in await citizen.content()     # the internal note stays internal


PUPR_NAME = "Dinas Pekerjaan Umum dan Penataan Ruang Kota Banjarmasin"


async def test_urgent_reports_come_first_and_an_overdue_one_is_red(kc: Stack, db, contexts) -> None:  # type: ignore[no-untyped-def]
    older = await _report(kc, region_code="63.71", category="infrastructure", title="Trotoar ambles di Jl. Sudirman")
    await _case(db, older, status="assigned")
    urgent = await _report(kc, region_code="63.71", category="health", title="Puskesmas tutup saat jam layanan",
                           body="Puskesmas Pekauman tutup pada jam layanan, pasien demam tinggi ditolak.")
    await _case(db, urgent, status="assigned")
    await _case(db, older, overdue=True)     # the fast policy's follow-up clock passes in seconds
    page = await sign_in(await contexts(), "koordinator.kalsel")
    ids = [re.search(r"[2-9A-Z]{4}-[2-9A-Z]{5}", t).group(0)  # type: ignore[union-attr]
           for t in await page.locator("[data-case-link]").all_inner_texts()]
    assert ids.index(urgent) < ids.index(older), ids
    row = page.locator(f"ol.cases > li:has([data-case-link]:has-text('{older}'))")
    await expect(row).to_have_class(re.compile("state-late"))
    await expect(row.locator(".badge.late")).to_be_visible()          # said in words, not by colour alone
    await expect(row.locator(".cd-late")).to_be_visible()


async def test_an_officer_of_another_agency_gets_404(kc: Stack, db, contexts) -> None:  # type: ignore[no-untyped-def]
    tid = await _report(kc, region_code="63.71", category="infrastructure", title="Drainase tersumbat di Kelayan")
    await _case(db, tid, agency_id=PUPR)
    page = await sign_in(await contexts(), "petugas.dinkes")
    assert tid not in await page.content()
    response = await page.goto(f"/staff/cases/{tid}")
    assert response is not None and response.status == 404
    assert "Drainase tersumbat" not in await page.content()
    response = await page.goto(f"/staff/agencies/{PUPR}")
    assert response is not None and response.status == 404


async def test_two_staff_on_one_case_the_second_is_told_it_changed(kc: Stack, db, contexts) -> None:  # type: ignore[no-untyped-def]
    tid = await _report(kc, region_code="63.71", category="infrastructure", title="Lampu jalan padam di Jl. A. Yani")
    await _case(db, tid, agency_id=PUPR, status="assigned")
    one = await sign_in(await contexts(), "petugas.pupr", f"/staff/cases/{tid}")
    two = await sign_in(await contexts(), "kepala.pupr", f"/staff/cases/{tid}")
    await one.fill("#f-respond-message", "Petugas kami menuju lokasi hari ini.")
    await two.fill("#f-respond-message", "Kami jadwalkan perbaikan minggu depan.")
    await one.click("#step-respond button[type=submit]")
    await expect(one.locator("#done")).to_be_visible()
    async with two.expect_navigation() as nav:
        await two.click("#step-respond button[type=submit]")
    response = await nav.value
    assert response is not None and response.status == 409
    await expect(two.locator("#banner")).to_be_visible()
    await expect(two.locator(".timeline")).to_contain_text("menuju lokasi hari ini")   # the new state
    await expect(two.locator("#f-respond-message")).to_have_value("Kami jadwalkan perbaikan minggu depan.")
    case = await db.cases.find_one({"_id": tid})
    assert [e.get("public_note") for e in case["timeline"]].count("Kami jadwalkan perbaikan minggu depan.") == 0


async def test_an_anonymous_reporter_appears_in_no_page_export_or_fragment(kc: Stack, db, contexts) -> None:  # type: ignore[no-untyped-def]
    name, phone, email = "Yusuf Rahasia Sekali", "+6281255588811", "yusuf.rahasia@example.id"
    tid = await _report(kc, region_code="63.71", category="infrastructure", anonymous=True,
                        title="=HYPERLINK(\"http://x.example\",\"klik\") jalan rusak",
                        reporter={"name": name, "phone": phone, "email": email})
    await _case(db, tid, agency_id=PUPR)
    page = await sign_in(await contexts(), "koordinator.kalsel")
    pages = {"inbox": await page.content()}
    await page.goto(f"/staff/cases/{tid}")
    pages["case"] = await page.content()
    await page.goto(f"/staff?q={tid}")
    pages["search"] = await page.content()
    async with page.expect_download() as download:
        await page.evaluate("(url) => { const a = document.createElement('a'); a.href = url; a.click(); }",
                            "/staff/cases.csv")
    csv_text = Path(await (await download.value).path()).read_text()
    pages["csv"] = csv_text
    region = await page.request.get("/lapor/wilayah?province=63&regency=63.71")
    pages["fragment"] = await region.text()
    for where, text in pages.items():
        for secret in (name, phone, email, "81255588811"):
            assert secret not in text, f"{secret!r} in the {where}"
    assert tid in csv_text
    line = next(row for row in csv_text.splitlines() if row.startswith(tid))
    assert ",'=HYPERLINK" in line or ",\"'=HYPERLINK" in line      # a spreadsheet will not run it


async def test_signing_out_ends_the_session_at_the_provider_too(kc: Stack, contexts) -> None:  # type: ignore[no-untyped-def]
    ctx = await contexts()
    page = await sign_in(ctx, "pengawas.ombudsman")
    async with page.expect_navigation(url=lambda u: "signed-out" in u):
        await page.click("form.signout button")
    await expect(page.locator("h1")).to_have_text(re.compile("signed out|sudah keluar", re.I))
    await page.goto("/staff")
    assert page.url.startswith(KEYCLOAK)                              # no silent sign-in: the provider asks again
    await expect(page.locator("#username")).to_be_visible()


@pytest.mark.parametrize("lang", ["id", "en"])
async def test_no_serious_violation_on_inbox_and_case_page(kc: Stack, db, contexts, lang: str) -> None:  # type: ignore[no-untyped-def]
    tid = await _report(kc, region_code="63.71", category="infrastructure")
    await _case(db, tid, agency_id=PUPR)
    ctx = await contexts(360)
    await ctx.add_cookies([{"name": "lapor_lang", "value": lang, "url": kc["web"].url}])
    page = await sign_in(ctx, "koordinator.kalsel")
    found = {}
    for name, url in (("inbox", "/staff"), ("case", f"/staff/cases/{tid}"), ("agency", "/staff/agencies/kalsel")):
        await page.goto(url)
        assert await page.get_attribute("html", "lang") == lang
        results = await Axe().run(page)
        found[name] = [f"{v['id']}: {v['nodes'][0]['html'][:100]}" for v in results.response["violations"]
                       if v.get("impact") in ("serious", "critical")]
    assert not any(found.values()), found


async def test_bulk_archive_gives_the_result_per_case(kc: Stack, db, contexts) -> None:  # type: ignore[no-untyped-def]
    tids = []
    async with httpx.AsyncClient() as http:
        for n in range(2):
            r = await http.get(f"{kc['intake'].url}/v1/sms/inbound", params={
                "key": SMS_KEY, "from": f"08125557710{n}", "to": "1708", "smsc": "fake", "id": f"bulk-{uuid.uuid4().hex}",
                "text": f"Tes tes iklan pinjaman online murah nomor {n} hubungi kami sekarang juga"})
            tids.append(r.json()["tracking_id"])
    for tid in tids:
        await _case(db, tid, status="received")
    assigned = await _report(kc, region_code="63.71", category="infrastructure", title="Got mampet di pasar")
    await _case(db, assigned, status="assigned")
    page = await sign_in(await contexts(), "koordinator.nasional")
    await page.goto(f"/staff?q={tids[0][:4]}")          # search narrows; then the full list
    await page.goto("/staff")
    for tid in (*tids, assigned):
        await page.check(f"#pick-{tid}")
    await page.select_option("#f-bulk-action", "archive")
    await page.fill("#f-bulk-reason", "Iklan, bukan pengaduan")
    await page.click("#bulk button[type=submit]")
    rows = page.locator("table.results tbody tr")
    await expect(rows).to_have_count(3)
    for tid in tids:
        await expect(page.locator(f"tr:has-text('{tid}')")).to_have_attribute("data-ok", "yes")
    await expect(page.locator(f"tr:has-text('{assigned}')")).to_have_attribute("data-ok", "no")
    for tid in tids:
        assert (await db.cases.find_one({"_id": tid}))["status"] == "archived"
    assert (await db.cases.find_one({"_id": assigned}))["status"] == "assigned"


async def test_keyboard_moves_through_the_inbox(kc: Stack, db, contexts) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        await _case(db, await _report(kc, region_code="63.71", category="infrastructure"), agency_id=PUPR)
    page = await sign_in(await contexts(), "petugas.pupr")
    await page.keyboard.press("j")
    first = page.locator("[data-case-link]").first
    await expect(first).to_be_focused()
    await page.keyboard.press("j")
    await expect(page.locator("[data-case-link]").nth(1)).to_be_focused()
    await page.keyboard.press("k")
    await expect(first).to_be_focused()
    await page.keyboard.press("/")
    await expect(page.locator("#f-q")).to_be_focused()


async def test_a_sign_in_that_runs_out_mid_work_keeps_what_was_typed(kc: Stack, db, contexts) -> None:  # type: ignore[no-untyped-def]
    """The web in this stack refreshes the access token on every call (LAPOR_STAFF_TOKEN_MARGIN_S
    is longer than the token's life), so every page here goes through the refresh; ending the
    user's session at Keycloak makes the next refresh fail mid-work."""
    tid = await _report(kc, region_code="63.71", category="infrastructure", title="Jalan amblas di Jl. Veteran")
    await _case(db, tid, agency_id=PUPR, status="assigned")
    ctx = await contexts()
    page = await sign_in(ctx, "petugas.pupr", f"/staff/cases/{tid}")
    await page.reload()                                        # a refreshed token works
    await expect(page.locator("h1")).to_contain_text("Jalan amblas")
    async with httpx.AsyncClient(base_url="http://127.0.0.1:8180") as http:
        admin = (await http.post("/realms/master/protocol/openid-connect/token", data={
            "grant_type": "password", "client_id": "admin-cli", "username": "admin",
            "password": "admin-dev-only"})).json()["access_token"]
        auth = {"Authorization": f"Bearer {admin}"}
        user = (await http.get("/admin/realms/lapor/users", params={"username": "petugas.pupr", "exact": "true"},
                               headers=auth)).json()[0]
        assert (await http.post(f"/admin/realms/lapor/users/{user['id']}/logout", headers=auth)).status_code == 204
    typed = "Sudah kami cek, perbaikan dijadwalkan Kamis."
    await page.fill("#f-respond-message", typed)
    await page.click("#step-respond button[type=submit]")
    await page.wait_for_url(lambda url: url.startswith(KEYCLOAK))   # asked to sign in again
    await page.fill("#username", "petugas.pupr")
    await page.fill("#password", PASSWORD)
    await page.click("#kc-login")
    await page.wait_for_url(lambda url: f"/staff/cases/{tid}" in url)
    await expect(page.locator("#f-respond-message")).to_have_value(typed)   # nothing typed is lost
    assert typed not in str((await db.cases.find_one({"_id": tid}))["timeline"])   # and nothing was sent unseen
    await page.click("#step-respond button[type=submit]")
    await expect(page.locator("#done")).to_be_visible()


async def test_a_coordinator_sees_why_a_report_is_urgent_and_lowers_it(kc: Stack, db, contexts) -> None:  # type: ignore[no-untyped-def]
    words = uuid.uuid4().hex[:6]
    tid = await _sms(kc, "081255577009", f"gw-{words}", f"BANJAR jembatan gantung putus ada warga hanyut {words}")
    await _case(db, tid, urgent=True)
    SHOTS.mkdir(exist_ok=True)
    page = await sign_in(await contexts(360), "koordinator.kalsel", f"/staff/cases/{tid}")
    section = page.locator("section[aria-labelledby=urgency-h]")
    await expect(section.locator(".badge.urgent")).to_have_text("Mendesak")
    await expect(section).to_contain_text("ditandai dari isinya")
    await expect(section.locator(".terms li", has_text=re.compile("^hanyut$"))).to_be_visible()
    await expect(page.locator("ol.top-topics > li")).to_have_count(3)
    await page.screenshot(path=str(SHOTS / "staff-case-urgent-360.png"), full_page=True)
    await page.click("#step-urgency button[type=submit]")               # no reason: said at the field
    await expect(page.locator("#err-urgency")).to_be_visible()
    await page.fill("#f-urgency-reason", "BPBD sudah di lokasi, tinggal perbaikan jembatan")
    await page.click("#step-urgency button[type=submit]")
    await expect(page.locator("#done")).to_be_visible()
    await expect(section).to_contain_text("diputuskan oleh koordinator")
    await expect(page.locator(".timeline")).to_contain_text("Urgensi diturunkan oleh koordinator")
    await expect(page.locator(".timeline")).to_contain_text("BPBD sudah di lokasi")
    await _case(db, tid, urgent=False)
    wide = await sign_in(await contexts(1280), "koordinator.kalsel", f"/staff/cases/{tid}")
    await wide.screenshot(path=str(SHOTS / "staff-case-lowered-1280.png"), full_page=True)
