"""The citizen's pages in real Chromium at 360x640, against the real portal and four services:
submit with a kelurahan (with and without JavaScript), receipt, tracking, errors next to their
fields, one report per double click, the reporter's reply, rating and reopen, privacy of
confidential and anonymous reports, a 503 that keeps the form, and offline drafts."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from playwright.async_api import BrowserContext, Page, expect

from shared.auth import mint_jwt
from shared.tracking import new_tracking_id
from harness.helpers import report_body
from harness.stack import ServiceProcess, Stack, wait_until

PUPR = "kota-banjarmasin.pupr"
PUPR_NAME = "Dinas Pekerjaan Umum dan Penataan Ruang Kota Banjarmasin"
VILLAGE = ("63", "63.71", "63.71.01", "63.71.01.1001")   # Kalimantan Selatan > Banjarmasin > Banjarmasin Selatan > Mantuil
ID_PATTERN = re.compile(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{5}")


async def _report(stack: Stack, tid: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=stack["intake"].url) as http:
        return dict((await http.get(f"/v1/reports/{tid}")).json())


async def _count(db: Any, title: str) -> int:
    return int(await db.reports.count_documents({"title": title}))


async def _fill_report(page: Page, title: str, *, js: bool) -> None:
    await page.check("#f-type-complaint")
    await page.fill("#f-title", title)
    await page.fill("#f-body", "Jalan berlubang besar di depan pasar, sudah tiga bulan tidak diperbaiki.")
    for level, code in zip(("province", "regency", "district", "village"), VILLAGE):
        await page.select_option(f"#f-{level}", code)
        if level == "village":
            break
        if js:   # htmx swaps the region fieldset; the next list fills in
            lower = {"province": "regency", "regency": "district", "district": "village"}[level]
            await expect(page.locator(f"#f-{lower} option[value='{VILLAGE[VILLAGE.index(code) + 1]}']")).to_have_count(1)
            await expect(page.locator(".htmx-request, .htmx-settling, .htmx-added")).to_have_count(0)
        else:    # without JavaScript a button posts the form back with the next list
            await page.click("button[value=region]")
            await expect(page.locator(f"#f-{level}")).to_have_value(code)
    await page.fill("#f-address", "Jl. Pasar Baru, depan toko emas")
    await page.select_option("#f-category", "infrastructure")
    await page.fill("#f-name", "Rina Wulandari")
    await page.fill("#f-phone", "0812 5550 1234")
    await page.fill("#f-email", "rina.w@example.id")


async def _submit_and_track(ctx: BrowserContext, stack: Stack, db: Any, *, js: bool) -> None:
    page = await ctx.new_page()
    await page.goto("/lapor")
    title = f"Jalan rusak {uuid.uuid4().hex[:8]}"
    await _fill_report(page, title, js=js)
    await page.click("#report-form button.button[value=submit]")
    await expect(page.locator("h1")).to_contain_text(re.compile("received|diterima", re.I))
    tid = (await page.locator("#tracking-id").inner_text()).strip()
    assert ID_PATTERN.fullmatch(tid), tid
    private = await page.locator("#private-url").get_attribute("href")
    assert private and f"/lapor/{tid}?k=" in private

    stored = await wait_until(lambda: _report(stack, tid), message="report stored")
    assert stored["region_code"] == VILLAGE[-1]

    async def assigned() -> bool:
        await page.goto(f"/lapor/{tid}")
        return PUPR_NAME in await page.content()
    await wait_until(assigned, timeout=30, interval=0.5, message="tracking page shows the agency")
    await expect(page.locator(".status")).to_have_class(re.compile("status-assigned"))
    assert "Mantuil" in await page.content()              # the kelurahan, by name
    assert "Rina Wulandari" not in await page.content()   # the public page never shows the reporter
    assert await _count(db, title) == 1


async def test_submit_with_a_kelurahan_and_track_it(phone: BrowserContext, stack: Stack, db_of) -> None:  # type: ignore[no-untyped-def]
    await _submit_and_track(phone, stack, db_of(stack), js=True)


async def test_submit_and_track_without_javascript(phone_nojs: BrowserContext, stack: Stack, db_of) -> None:  # type: ignore[no-untyped-def]
    await _submit_and_track(phone_nojs, stack, db_of(stack), js=False)


async def test_three_faults_three_messages_and_a_double_click_makes_one_report(
        phone: BrowserContext, stack: Stack, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(stack)
    page = await phone.new_page()
    await page.goto("/lapor")
    body = "Pelayanan KTP lambat sekali 🙏 — sudah 3 bulan menunggu di Kecamatan <b>Banjarmasin</b>"
    await page.fill("#f-title", "x")
    await page.fill("#f-body", body)
    await page.fill("#f-occurred_on", "2999-01-01")
    await page.fill("#f-email", "not-an-email")
    await page.fill("#f-name", "Budi")
    response_status = []
    page.on("response", lambda r: response_status.append(r.status) if r.request.method == "POST" else None)
    await page.click("#report-form button.button[value=submit]")
    summary = page.locator("#error-summary li")
    await expect(summary).to_have_count(3)
    assert response_status == [422]
    for field in ("title", "occurred_on", "email"):
        error = page.locator(f"#f-{field}-error")
        await expect(error).to_be_visible()
        described = await page.locator(f"#f-{field}").get_attribute("aria-describedby")
        assert f"f-{field}-error" in (described or "")
        assert await page.locator(f"#f-{field}").get_attribute("aria-invalid") == "true"
        # the message sits in the field's own block, right above its input
        assert await page.locator(f".field:has(#f-{field}) #f-{field}-error").count() == 1
    # everything typed is kept, unicode and markup-looking text included
    await expect(page.locator("#f-body")).to_have_value(body)
    await expect(page.locator("#f-title")).to_have_value("x")
    await expect(page.locator("#f-email")).to_have_value("not-an-email")
    await expect(page.locator("#f-name")).to_have_value("Budi")
    # the summary links to the fields
    await summary.first.locator("a").click()
    await expect(page.locator("#f-title")).to_be_focused()

    title = f"KTP belum jadi {uuid.uuid4().hex[:8]}"
    await page.fill("#f-title", title)
    await page.fill("#f-occurred_on", "2026-11-02")
    await page.fill("#f-email", "budi@example.id")
    await page.dblclick("#report-form button.button[value=submit]")
    await expect(page.locator("#tracking-id")).to_have_text(ID_PATTERN)
    await page.reload()                      # the browser would post again: the same report
    await expect(page.locator("#tracking-id")).to_have_text(ID_PATTERN)
    assert await _count(db, title) == 1


async def test_reply_rate_and_reopen_through_the_private_link(phone: BrowserContext, stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack["intake"].url) as http:
        r = await http.post("/v1/reports", json=report_body(region_code="63.71"))
        assert r.status_code == 201, r.text
        tid, token = r.json()["tracking_id"], r.json()["reporter_token"]
    await wait_until(lambda: _assigned(stack, tid), message="report assigned")
    page = await phone.new_page()
    await page.goto(f"/lapor/{tid}?k={token}")
    await expect(page.locator("h1")).to_have_text("Jalan rusak di depan pasar")

    await page.fill("#f-message", "Lubangnya sekarang makin besar setelah hujan.")
    await page.click("form[action$='/reply'] button")
    await expect(page.locator("#done")).to_be_visible()
    await expect(page.locator(".replies")).to_contain_text("makin besar setelah hujan")
    await expect(page.locator("form[action$='/rate']")).to_have_count(0)    # not resolved yet: nothing to rate

    officer = {"Authorization": f"Bearer {mint_jwt(stack.iso.settings(), 'budi', 'officer', PUPR)}"}
    async with httpx.AsyncClient(base_url=stack["routing"].url) as http:
        r = await http.post(f"/v1/cases/{tid}/resolve", json={"message": "Sudah ditambal kemarin."}, headers=officer)
        assert r.status_code == 200, r.text

    async def resolved() -> bool:
        await page.goto(f"/lapor/{tid}?k={token}")
        return await page.locator(".status-resolved").count() == 1
    await wait_until(resolved, interval=0.5, message="private page shows resolved")
    await expect(page.locator(".timeline")).to_contain_text("Sudah ditambal kemarin.")

    await page.check("#f-rating-4")
    await page.fill("#f-comment", "Cepat, terima kasih")
    await page.click("form[action$='/rate'] button")
    await expect(page.locator("#done")).to_be_visible()
    await expect(page.get_by_text("4 / 5")).to_be_visible()
    await expect(page.locator("form[action$='/rate']")).to_have_count(0)     # rated once

    # the window intake allows (10 days by default), in the reporter's zone
    await expect(page.locator("#f-reason-hint")).to_contain_text(re.compile(r"\d{1,2} \w+ 20\d\d"))
    await page.fill("#f-reason", "Tambalannya sudah lepas lagi hari ini.")
    await page.click("form[action$='/reopen'] button")
    await expect(page.locator("#done")).to_be_visible()

    async def reopened() -> bool:
        await page.goto(f"/lapor/{tid}?k={token}")
        return await page.locator(".status-in_progress").count() == 1
    await wait_until(reopened, interval=0.5, message="private page shows the report reopened")
    # a refused step is said in words on the page, not as an error page
    await page.fill("#f-message", "x")
    await page.click("form[action$='/reply'] button")
    await expect(page.locator("#f-message-error")).to_be_visible()
    await expect(page.locator("#f-message")).to_have_value("x")


async def _assigned(stack: Stack, tid: str) -> bool:
    return (await _report(stack, tid)).get("status") == "assigned"


async def test_confidential_content_and_anonymous_identity_stay_hidden(phone: BrowserContext, stack: Stack) -> None:
    name, phone_no, email = "Agus Prasetyo Rahasia", "+6281255599876", "agus.rahasia@example.id"
    secret_title, secret_body = "Pungutan liar di loket kecamatan", "Petugas loket meminta uang lima puluh ribu rupiah."
    page = await phone.new_page()
    await page.goto("/lapor")
    await page.fill("#f-title", secret_title)
    await page.fill("#f-body", secret_body)
    await page.check("#f-anonymous")
    await page.check("#f-confidential")
    await page.fill("#f-name", name)
    await page.fill("#f-phone", phone_no)
    await page.fill("#f-email", email)
    await page.click("#report-form button.button[value=submit]")
    await expect(page.locator("#tracking-id")).to_have_text(ID_PATTERN)
    tid = (await page.locator("#tracking-id").inner_text()).strip()
    private = await page.locator("#private-url").get_attribute("href")
    pages = {"receipt": await page.content()}
    await page.goto(f"/lapor/{tid}")
    pages["public"] = await page.content()
    await page.goto(private or "")
    pages["private"] = await page.content()
    for where, html in pages.items():
        for secret in (name, phone_no, email, "0812-5559-9876", "812555"):
            assert secret not in html, f"{secret!r} on the {where} page"
    for secret in (secret_title, secret_body):
        assert secret not in pages["public"], "confidential content on the public page"
    assert secret_body in pages["private"]        # the reporter still reads their own report


async def test_intake_down_gives_a_503_page_that_keeps_the_form(browser, make_stack) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack()
    web: ServiceProcess = stack.start_web()
    ctx = await browser.new_context(base_url=web.url, viewport={"width": 360, "height": 640})
    try:
        page = await ctx.new_page()
        await page.goto("/lapor")
        stack["intake"].kill()
        await page.fill("#f-title", "Lampu jalan mati")
        await page.fill("#f-body", "Lampu jalan di gang 5 mati sejak seminggu, gelap dan rawan.")
        await page.fill("#f-phone", "081255512345")
        await page.check("#f-confidential")
        async with page.expect_navigation() as nav:
            await page.click("#report-form button.button[value=submit]")
        response = await nav.value
        assert response is not None and response.status == 503
        assert response.headers.get("retry-after")
        await expect(page.locator("#banner")).to_be_visible()
        await expect(page.locator("#f-title")).to_have_value("Lampu jalan mati")
        await expect(page.locator("#f-body")).to_have_value("Lampu jalan di gang 5 mati sejak seminggu, gelap dan rawan.")
        await expect(page.locator("#f-phone")).to_have_value("081255512345")
        await expect(page.locator("#f-confidential")).to_be_checked()
        html = await page.content()
        assert "Traceback" not in html and "httpx" not in html
        # and a page that needs intake says so too
        r = await page.goto(f"/lapor/{new_tracking_id()}")
        assert r is not None and r.status == 503
        await expect(page.locator("h1")).to_have_text(re.compile("unavailable|tidak tersedia", re.I))
    finally:
        await ctx.close()


async def test_offline_draft_waits_and_is_sent_exactly_once(phone: BrowserContext, stack: Stack, db_of) -> None:  # type: ignore[no-untyped-def]
    db = db_of(stack)
    page = await phone.new_page()
    await page.goto("/lapor")
    await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    title = f"Sekolah bocor {uuid.uuid4().hex[:8]}"
    await phone.set_offline(True)
    await page.fill("#f-title", title)
    await page.fill("#f-body", "Atap kelas 3 SD bocor setiap hujan, murid dipindah ke koridor.")
    await page.select_option("#f-category", "education")
    await page.click("#report-form button.button[value=submit]")
    drafts = page.locator("#draft-list li")
    await expect(drafts).to_have_count(1)
    await expect(drafts.first).to_have_attribute("data-state", "waiting")
    await expect(page.locator("#drafts")).to_be_visible()
    assert await _count(db, title) == 0
    await page.reload()                                   # offline: the service worker serves the page
    await expect(page.locator("#draft-list li")).to_have_count(1)

    await phone.set_offline(False)
    await expect(page.locator("#draft-list li").first).to_have_attribute("data-state", "sent", timeout=20_000)
    await expect(page.locator("#draft-list li a")).to_have_text(ID_PATTERN)
    assert await _count(db, title) == 1
    await page.reload()                                   # a new page load sends nothing again
    await expect(page.locator("#draft-list li").first).to_have_attribute("data-state", "sent")
    assert await page.evaluate("JSON.parse(localStorage.getItem('lapor.drafts.v1')).filter(d => d.state !== 'sent').length") == 0
    assert await _count(db, title) == 1
