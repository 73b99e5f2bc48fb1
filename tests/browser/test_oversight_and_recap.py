"""Oversight's pages and the monthly recap in real Chromium, signed in through the real
Keycloak; the recap's PDF read back with poppler, and mailed through the notifier to a real
SMTP server."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, BrowserContext, expect
from pymongo import AsyncMongoClient

from tests.browser.conftest import keycloak_stack
from tests.browser.test_staff_workspace import sign_in
from harness.helpers import report_body
from harness.infra import ROOT
from harness.peers import SmtpSink
from harness.stack import Stack, wait_until

SECRET = f"rahasia-{uuid.uuid4().hex[:8]}"
NAME = f"Pelapor Rahasia {uuid.uuid4().hex[:6]}"
PUPR = "kota-banjarmasin.pupr"
LEAKS = (SECRET, NAME, "+6281277665544", "rahasia@example.org", "Pungli jembatan")


@pytest.fixture(scope="module")
def smtp() -> Iterator[SmtpSink]:
    with SmtpSink() as sink:
        yield sink


@pytest.fixture(scope="module")
def ov(smtp: SmtpSink) -> Iterator[Stack]:
    yield from keycloak_stack("ov", LAPOR_EMAIL_PROVIDER="smtp", LAPOR_SMTP_PORT=str(smtp.port))


@pytest.fixture(scope="module")
async def month_and_cases(ov: Stack, browser: Browser) -> dict[str, Any]:
    """Three reports in Banjarmasin (one anonymous and confidential), one in Kabupaten Banjar;
    PUPR Banjarmasin answers one, so the month has an on-time follow-up."""
    async with httpx.AsyncClient(base_url=ov["intake"].url) as http:
        async def report(**overrides: Any) -> str:
            r = await http.post("/v1/reports", json=report_body(**overrides))
            assert r.status_code == 201, r.text
            return str(r.json()["tracking_id"])
        secret = await report(region_code="63.71.01", anonymous=True, confidential=True,
                              title=f"Pungli jembatan {SECRET}", body=f"Pungutan liar di jembatan, {SECRET}, mohon ditindak.",
                              reporter={"name": NAME, "phone": "+6281277665544", "email": "rahasia@example.org"})
        answered = await report(region_code="63.71.02", title="Jembatan kayu patah di Kelayan",
                                body="Papan jembatan kayu di Kelayan patah, anak sekolah melompatinya setiap pagi.")
        other = await report(region_code="63.71.03")
        banjar = await report(region_code="63.03")
    client: AsyncMongoClient = AsyncMongoClient(ov.iso.mongo_url, tz_aware=True)
    db = client[ov.iso.mongo_db]
    try:
        for tid in (secret, answered, other, banjar):
            await wait_until(lambda t=tid: db.cases.find_one({"_id": t, "agency_id": {"$ne": None}}),
                             message=f"{tid} routed")
        facts = await wait_until(lambda: db.sla_reports.find_one({"_id": answered, "agency_id": PUPR}),
                                 message="SLA facts of the answered report")
        month = facts["month_key"]
        ctx = await browser.new_context(base_url=ov["web"].url, viewport={"width": 1280, "height": 900})
        officer = await sign_in(ctx, "petugas.pupr", f"/staff/cases/{answered}")
        await officer.fill("#f-respond-message", "Tim PUPR memasang papan baru hari ini.")
        await officer.click("#step-respond button[type=submit]")
        await expect(officer.locator("#done")).to_be_visible()
        await ctx.close()
        await wait_until(lambda: db.sla_reports.find_one({"_id": answered, "fu_on_time": 1}),
                         message="the answer counted as an on-time first follow-up")
    finally:
        await client.close()
    return {"month": month, "secret": secret, "answered": answered, "banjar": banjar}


@pytest.fixture
async def ctx(browser: Browser, ov: Stack) -> AsyncIterator[BrowserContext]:
    context = await browser.new_context(base_url=ov["web"].url, viewport={"width": 1280, "height": 900})
    yield context
    await context.close()


async def test_oversight_pages_sort_drill_down_and_pass_axe(ctx: BrowserContext, ov: Stack,
                                                            month_and_cases: dict[str, Any]) -> None:
    month = month_and_cases["month"]
    page = await sign_in(ctx, "pengawas.ombudsman", f"/oversight?period={month}&region=63.71")
    row = page.locator("tbody tr", has_text="Pekerjaan Umum dan Penataan Ruang Kota Banjarmasin")
    await expect(row).to_have_count(1)
    await expect(page.locator("svg.chart")).to_have_count(1)                       # the chart beside the table
    assert "Kabupaten Banjar" not in await page.locator("table").inner_text()       # the region filter holds
    # sorting by a column, then the other way round
    await page.click("th a:has-text('Diterima')")
    await expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Diterima")
    await page.click("th a:has-text('Diterima')")
    await expect(page.locator("th[aria-sort=descending]")).to_contain_text("Diterima")
    # drill down: the cases behind PUPR's "received"
    await page.locator("tbody tr", has_text="Pekerjaan Umum dan Penataan Ruang Kota Banjarmasin") \
        .locator("td.num a").first.click()
    await expect(page.locator("h1")).to_contain_text("Laporan di balik")
    await expect(page.locator(f"a:has-text('{month_and_cases['answered']}')")).to_be_visible()
    pages = [f"/oversight?period={month}&region=63.71", f"/oversight?period={month}&by=category",
             f"/oversight/ranking?period={month}", "/oversight/breaches?target=99&at_least=1&months=2", page.url]
    for width in (1280, 360):
        await page.set_viewport_size({"width": width, "height": 900})
        for url in pages:
            await page.goto(url)
            html = await page.content()
            for leak in LEAKS:
                assert leak not in html, (url, leak)
            result = await Axe().run(page)
            bad = [(v["id"], v["impact"]) for v in result.response["violations"] if v["impact"] in ("serious", "critical")]
            assert not bad, (url, width, bad)


async def test_oversight_pages_are_for_oversight_only(ctx: BrowserContext, ov: Stack) -> None:
    page = await sign_in(ctx, "koordinator.kalsel", "/oversight")
    await expect(page.locator("h1")).to_contain_text("untuk pengawas")


def _agency_rows(text: str) -> list[tuple[int, int, int, int]]:
    """(rank, received, follow-up due, on time) of each agency row of the recap's text."""
    rows = []
    for line in text.splitlines():
        m = re.match(r"^\s*(\d+)\s+Dinas\b.*?\s{2,}(\d+)\s+(\d+)\s+(\d+)\s+(?:–|[\d.,]+ %)", line)
        if m:
            rows.append(tuple(int(g) for g in m.groups()))
    return rows  # type: ignore[return-value]


async def test_the_recap_pdf_carries_the_compliance_apis_figures(ctx: BrowserContext, ov: Stack, tmp_path: Path,
                                                                  month_and_cases: dict[str, Any]) -> None:
    month = month_and_cases["month"]
    page = await sign_in(ctx, "koordinator.kalsel", f"/recap/63.71/{month}")
    await expect(page.locator("h1")).to_contain_text("Kota Banjarmasin")
    response = await page.request.get(f"/recap/63.71/{month}.pdf")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "recap.pdf"
    pdf.write_bytes(await response.body())
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=60)
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert pngs and all(p.stat().st_size > 5000 for p in pngs)           # drawn pages, not blanks
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True,
                          timeout=60).stdout
    assert "Rekap bulanan" in text.replace("REKAP BULANAN", "Rekap bulanan") and "Kota Banjarmasin" in text
    async with httpx.AsyncClient(base_url=ov["sla"].url) as http:
        api = (await http.get("/v1/sla/ranking", params={"period": month, "region": "63.71"})).json()["rows"]
        total = sum(r["received"] for r in (await http.get("/v1/sla/compliance", params={
            "period": month, "by": "category", "region": "63.71"})).json()["rows"])
    expected = [(r["rank"], r["received"], r["followed_up_due"], r["followed_up_on_time"]) for r in api]
    assert _agency_rows(text) == expected and any(r[3] >= 1 for r in expected)
    volume = re.search(r"^\s*Diterima((?:\s+\d+)+)\s*$", text, re.M)
    assert volume and int(volume.group(1).split()[-1]) == total == 3
    for leak in LEAKS:
        assert leak not in text, leak
    assert month_and_cases["banjar"] not in text


async def test_send_recaps_mails_the_pdf_to_the_head_once(ov: Stack, smtp: SmtpSink, tmp_path: Path,
                                                           month_and_cases: dict[str, Any]) -> None:
    heads = tmp_path / "heads.yaml"
    heads.write_text("heads:\n- region: '63.71'\n  name: Wali Kota Banjarmasin\n  email: walikota@example.go.id\n")
    env = {**os.environ, "LAPOR_SLA_URL": ov["sla"].url, "LAPOR_ROUTING_URL": ov["routing"].url,
           "LAPOR_NOTIFIER_URL": ov["notifier"].url, "LAPOR_OPERATOR_TOKEN": ov.iso.operator_token,
           "LAPOR_WEB_SESSION_KEY": ov.iso.lookup_key}   # the portal's own settings, as its cron job has them
    command = [sys.executable, "-m", "services.web.cli", "send-recaps", "--month", month_and_cases["month"],
               "--heads", str(heads)]
    outputs = []
    for _ in range(2):   # a second run (cron retried, an operator re-ran it) sends nothing more
        run = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert run.returncode == 0, run.stdout + run.stderr
        outputs.append(run.stdout)
    assert "63.71" in outputs[1] and ": sent (" in outputs[1]   # the notifier answers with the one record

    def mails() -> list[Any]:
        return [m for m in smtp.messages if "walikota@example.go.id" in m["X-Envelope-To"]]

    async def arrived() -> list[Any]:
        return mails()
    await wait_until(arrived, message="the recap at the SMTP server")
    assert len(mails()) == 1
    mail = mails()[0]
    assert "Rekap bulanan LAPOR! Kota Banjarmasin" in mail["Subject"]
    parts = [p for p in mail.walk() if p.get_content_type() == "application/pdf"]
    assert len(parts) == 1 and parts[0].get_payload(decode=True).startswith(b"%PDF-")
    assert parts[0].get_filename() == f"lapor-rekap-63.71-{month_and_cases['month']}.pdf"


async def test_hand_edited_addresses_get_a_page_that_says_what_to_do(ctx: BrowserContext, ov: Stack) -> None:
    page = await sign_in(ctx, "pengawas.ombudsman", "/oversight")
    bad = {
        "/oversight?by=nope": (400, "tidak dikenal"),
        "/oversight/cases?by=agency&key=" + "x" * 65: (400, "tidak dikenal"),
        "/oversight/breaches?months=99": (400, "tidak dikenal"),
        "/command-centre/99.99": (404, "tidak ditemukan"),
        "/command-centre/%3Cscript%3E": (404, "tidak ditemukan"),
        "/recap/63.71/2026-13": (404, "tidak ditemukan"),
        "/recap/ID/2026-11.pdf": (404, "tidak ditemukan"),
    }
    for url, (status, words) in bad.items():
        response = await page.goto(url)
        assert response is not None and response.status == status, (url, response and response.status)
        assert response.headers["content-type"].startswith("text/html"), url
        await expect(page.locator("h1")).to_contain_text(words, ignore_case=True)
    # odd values where a page can still answer: it does, with its defaults and nothing reflected raw
    hostile = '"><svg>'
    response = await page.goto(f"/oversight?period={quote(hostile)}&sort=__proto__&region={quote(hostile)}&dir=asc")
    assert response is not None and response.status == 200
    assert hostile not in await page.content()
    await expect(page.locator("h1")).to_contain_text("Kepatuhan")
    response = await page.goto(f"/oversight?period={quote('<script>alert(1)</script>')}")   # too long: refused
    assert response is not None and response.status == 400 and "<script>alert" not in await page.content()
