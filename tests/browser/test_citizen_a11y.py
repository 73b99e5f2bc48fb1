"""axe-core on every citizen page, in Indonesian and in English: no serious or critical
violation. And the language switch keeps the page."""

from __future__ import annotations

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import BrowserContext, Page, expect

from shared.auth import mint_jwt
from shared.tracking import new_tracking_id
from harness.helpers import report_body
from harness.stack import ServiceProcess, Stack, wait_until

axe = Axe()


async def _serious(page: Page) -> list[str]:
    results = await axe.run(page)
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['html'][:120]})"
            for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]


async def _resolved_report(stack: Stack) -> tuple[str, str]:
    async with httpx.AsyncClient(base_url=stack["intake"].url) as http:
        r = await http.post("/v1/reports", json=report_body(region_code="63.71"))
        tid, token = r.json()["tracking_id"], r.json()["reporter_token"]

        async def assigned() -> bool:
            return (await http.get(f"/v1/reports/{tid}")).json()["status"] == "assigned"
        await wait_until(assigned, message="assigned")
    officer = {"Authorization": f"Bearer {mint_jwt(stack.iso.settings(), 'budi', 'officer', 'kota-banjarmasin.pupr')}"}
    async with httpx.AsyncClient(base_url=stack["routing"].url) as http:
        assert (await http.post(f"/v1/cases/{tid}/resolve", json={"message": "Selesai diperbaiki."},
                                headers=officer)).status_code == 200
    async with httpx.AsyncClient(base_url=stack["intake"].url) as http:
        async def resolved() -> bool:
            return (await http.get(f"/v1/reports/{tid}")).json()["status"] == "resolved"
        await wait_until(resolved, message="resolved")
    return tid, token


@pytest.mark.parametrize("lang", ["id", "en"])
async def test_no_serious_violation_on_any_citizen_page(phone: BrowserContext, web: ServiceProcess, stack: Stack,
                                                        lang: str) -> None:
    await phone.add_cookies([{"name": "lapor_lang", "value": lang, "url": web.url}])
    tid, token = await _resolved_report(stack)
    page = await phone.new_page()
    found: dict[str, list[str]] = {}

    async def check(name: str) -> None:
        assert await page.get_attribute("html", "lang") == lang
        found[name] = await _serious(page)

    for name, url in [("home", "/"), ("submit", "/lapor"), ("tracking", f"/lapor/{tid}"),
                      ("private", f"/lapor/{tid}?k={token}"), ("not found", "/no-such-page"),
                      ("mistyped id", "/track?id=ABCD-EFGH2"), ("unknown id", f"/lapor/{new_tracking_id()}"),
                      ("bad link", f"/lapor/{tid}?k=wrong"), ("offline", "/offline"), ("sms keyword", "/?region=63.71"),
                      ("confirm contact", "/k/ABCDEFGHJK")]:
        await page.goto(url)
        await check(name)
    await page.goto("/k/ABCDEFGHJK")
    await page.click("form.action-form button")
    await expect(page.locator("h1")).to_have_count(1)
    await check("confirm contact, unknown code")
    await page.goto("/lapor")
    await page.fill("#f-title", "x")
    await page.fill("#f-email", "nope")
    await page.click("#report-form button.button[value=submit]")
    await expect(page.locator("#error-summary")).to_be_visible()
    await check("submit with errors")
    await page.goto("/lapor")
    await page.fill("#f-title", "Antrean puskesmas")
    await page.fill("#f-body", "Antrean di puskesmas sangat panjang sejak pagi, pasien lansia menunggu di luar.")
    await page.click("#report-form button.button[value=submit]")
    await expect(page.locator("#tracking-id")).to_be_visible()
    await check("receipt")
    bad = {name: v for name, v in found.items() if v}
    assert not bad, bad


async def test_indonesian_by_default_and_the_switch_keeps_the_page(phone: BrowserContext, stack: Stack) -> None:
    async with httpx.AsyncClient(base_url=stack["intake"].url) as http:
        tid = (await http.post("/v1/reports", json=report_body())).json()["tracking_id"]
    page = await phone.new_page()
    await page.goto(f"/lapor/{tid}")
    assert await page.get_attribute("html", "lang") == "id"
    await expect(page.locator("#timeline-h")).to_have_text("Linimasa")
    await page.click("a[hreflang=en]")
    await expect(page).to_have_url(f"{page.url.split('/lapor')[0]}/lapor/{tid}")
    assert await page.get_attribute("html", "lang") == "en"
    await expect(page.locator("#timeline-h")).to_have_text("Timeline")
    await page.goto("/")                                   # the choice stays
    assert await page.get_attribute("html", "lang") == "en"
    await page.click("a[hreflang=id]")
    assert await page.get_attribute("html", "lang") == "id"
