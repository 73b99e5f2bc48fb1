"""The command centre's wallboard in real Chromium, signed in through the real Keycloak, with
SLA clocks in seconds (tests/data/sla-fast) so a case goes past its deadline while we watch."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.browser.conftest import FAST_SLA, keycloak_stack
from tests.browser.test_staff_workspace import sign_in
from harness.helpers import report_body
from harness.stack import Stack, wait_until

SECRET = f"rahasia-{uuid.uuid4().hex[:8]}"
NAME = f"Pelapor Anonim {uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="module")
def cc() -> Iterator[Stack]:
    yield from keycloak_stack("cc", LAPOR_BOARD_REFRESH_S="1", LAPOR_BOARD_RETRY_S="1", **FAST_SLA)


@pytest.fixture
async def ctx(browser: Browser, cc: Stack) -> AsyncIterator[BrowserContext]:
    context = await browser.new_context(base_url=cc["web"].url, viewport={"width": 1600, "height": 1000})
    yield context
    await context.close()


async def _report(cc: Stack, **overrides: Any) -> str:
    async with httpx.AsyncClient(base_url=cc["intake"].url) as http:
        r = await http.post("/v1/reports", json=report_body(**overrides))
        assert r.status_code == 201, r.text
        return str(r.json()["tracking_id"])


async def _count(page: Page, panel: str, label: str) -> int:
    text = await page.locator(f"section[aria-labelledby={panel}] .kpis li", has_text=label).locator(".kpi-n").inner_text()
    return int(re.sub(r"\D", "", text))


async def test_a_new_report_appears_live_and_turns_red_when_its_deadline_passes(ctx: BrowserContext, cc: Stack) -> None:
    page = await sign_in(ctx, "koordinator.kalsel", "/command-centre/63.71")
    assert page.url.endswith("/command-centre/63.71")
    await expect(page.locator(".note-live")).to_be_visible()
    before = await _count(page, "h-today", "Diterima")
    stream_opened = page.url
    # anonymous and confidential, in Banjarmasin; one in Kabupaten Banjar and one in Kalimantan Tengah
    mine = await _report(cc, region_code="63.71.01", anonymous=True, confidential=True,
                         title=f"Pungutan liar {SECRET}", body=f"Petugas meminta uang, {SECRET}, mohon ditindak.",
                         reporter={"name": NAME, "phone": "+6281299887766", "email": "anon@example.org"})
    other = await _report(cc, region_code="63.03")
    far = await _report(cc, region_code="62.71")
    tile = page.locator(f"[data-case='{mine}']")
    await expect(tile).to_be_visible(timeout=10_000)             # no reload: the stream brought it
    assert page.url == stream_opened
    await expect(page.locator("section[aria-labelledby=h-today] .kpis li", has_text="Diterima").locator(".kpi-n")) \
        .to_have_text(str(before + 1), timeout=10_000)
    # the fast policy's first clock runs out in seconds: red, and said in words as well
    await expect(tile).to_have_attribute("data-state", "red", timeout=40_000)
    await expect(tile.locator(".tile-state")).to_contain_text("Melewati batas waktu")
    await expect(page.locator(f"[data-late='{mine}']")).to_be_visible(timeout=10_000)
    html = await page.content()
    # a regency's room: nothing of another regency or province
    assert other not in html and far not in html
    # no identity of the anonymous reporter, no confidential content, anywhere on the board
    for leak in (NAME, "+6281299887766", "anon@example.org", SECRET, "Pungutan liar"):
        assert leak not in html, leak
    # the province's room has both of Kalimantan Selatan's, and still not Kalimantan Tengah's
    await page.goto("/command-centre/63")
    await expect(page.locator(f"[data-case='{other}']")).to_be_visible(timeout=10_000)
    assert far not in await page.content()


async def test_a_room_outside_the_users_region_is_refused(ctx: BrowserContext, cc: Stack) -> None:
    page = await sign_in(ctx, "koordinator.kalsel", "/command-centre/62")
    await expect(page.locator("h1")).to_contain_text("di luar wilayah")
    async with httpx.AsyncClient(base_url=cc["web"].url) as http:   # and the stream without a session
        assert (await http.get("/command-centre/63/events")).status_code == 401


async def test_the_board_says_its_data_is_stale_while_sla_is_down_and_recovers(ctx: BrowserContext, cc: Stack) -> None:
    page = await sign_in(ctx, "pengawas.ombudsman", "/command-centre")
    assert page.url.endswith("/command-centre/ID")
    await expect(page.locator(".note-live")).to_be_visible()
    cc["sla"].terminate()
    try:
        stale = page.locator("#board .note-stale")
        await expect(stale).to_be_visible(timeout=10_000)
        await expect(stale).to_contain_text("Data dari")         # with the time the figures are from
        await expect(page.locator(".kpis").first).to_be_visible()  # the last figures stay up
        await page.wait_for_timeout(20_000)                        # the outage the issue asks for: 20 s down
        await expect(stale).to_be_visible()
    finally:
        cc["sla"].start()
        cc["sla"].wait_ready()
    await expect(page.locator(".note-live")).to_be_visible(timeout=30_000)
    await expect(page.locator("#board .note-stale")).to_have_count(0)


async def test_a_day_of_updates_does_not_grow_the_page(ctx: BrowserContext, cc: Stack) -> None:
    """Sixty updates (a minute at this stack's 1 s refresh; a day is 17,280 at the default
    5 s): after a garbage collection the heap and the DOM are the size they were."""
    page = await sign_in(ctx, "pengawas.ombudsman", "/command-centre/ID")
    cdp = await ctx.new_cdp_session(page)

    async def after(updates: int) -> tuple[int, int]:
        async def shown() -> bool:   # polled from outside: the page's CSP forbids evaluated predicates
            return bool(await page.evaluate(f"Number(document.getElementById('board').dataset.updates) >= {updates}"))
        await wait_until(shown, timeout=120, interval=0.5, message=f"{updates} board updates")
        await cdp.send("HeapProfiler.collectGarbage")
        heap = (await cdp.send("Runtime.getHeapUsage"))["usedSize"]
        return heap, await page.evaluate("document.getElementsByTagName('*').length")
    heap_before, nodes_before = await after(10)
    heap_after, nodes_after = await after(70)
    assert heap_after < heap_before * 1.25 + 256 * 1024, (heap_before, heap_after)
    assert nodes_after < nodes_before + 200, (nodes_before, nodes_after)   # one board is ~500 nodes
