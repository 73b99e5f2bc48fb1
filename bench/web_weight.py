"""Page weight of the citizen pages: bytes a phone downloads on a first visit (gzip, cold
cache), per resource, and how long the page takes to load on an emulated slow mobile link.

Starts the four services and the web portal on loopback, loads each page in Debian's Chromium
with an empty cache, and sums what the network carried (headers and bodies as transferred).
The floor is the page's own HTML: what no page can do without; the ratio says what the rest
(CSS, htmx, the app script, icons) adds. The budget for the submit page is 60 KB.

    python -m bench.web_weight        # writes bench/results/web_weight.{json,md}
"""

from __future__ import annotations

import asyncio
import json
import shutil
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, async_playwright

from harness.infra import ROOT, Isolation
from harness.stack import Stack

RESULTS = ROOT / "bench" / "results"
BUDGET = 60 * 1024
# Chrome DevTools' "Slow 3G" preset: what many citizens have outside the cities
SLOW = {"offline": False, "latency": 400, "downloadThroughput": 400 * 1024 // 8, "uploadThroughput": 400 * 1024 // 8}


async def _weigh(page: Page, url: str) -> dict[str, Any]:
    resources: list[dict[str, Any]] = []

    async def on_finished(request: Any) -> None:
        sizes = await request.sizes()
        response = await request.response()
        resources.append({"url": request.url.split("?")[0].rsplit("/", 1)[-1] or "/", "type": request.resource_type,
                          "transferred": sizes["responseBodySize"] + sizes["responseHeadersSize"],
                          "encoding": (await response.header_value("content-encoding")) if response else None})

    page.on("requestfinished", on_finished)
    await page.goto(url, wait_until="networkidle")
    await asyncio.sleep(0.3)   # the last requestfinished handlers
    page.remove_listener("requestfinished", on_finished)
    html = next((r["transferred"] for r in resources if r["type"] == "document"), 0)
    # the service worker's own fetches fill its cache and are not part of the page
    page_bytes = sum(r["transferred"] for r in resources if r["type"] != "other")
    return {"url": url, "total_bytes": page_bytes, "html_bytes": html,
            "ratio_to_html_floor": round(page_bytes / html, 2) if html else None,
            "resources": sorted(resources, key=lambda r: -r["transferred"])}


async def run() -> dict[str, Any]:
    iso = Isolation.create()
    stack = Stack(iso, RESULTS / "logs")
    try:
        stack.start()
        web = stack.start_web()
        async with httpx.AsyncClient(base_url=stack["intake"].url) as http:
            created = (await http.post("/v1/reports", json={
                "title": "Jalan rusak di depan pasar", "category": "infrastructure", "region_code": "63.71",
                "body": "Jalan berlubang besar di depan pasar, membahayakan pengendara motor."})).json()
        pages = {"home": "/", "submit": "/lapor", "tracking": f"/lapor/{created['tracking_id']}",
                 "receipt": f"/lapor/{created['tracking_id']}/receipt?k={created['reporter_token']}"}
        out: dict[str, Any] = {"budget_bytes": BUDGET, "pages": {}}
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium")
            for name, path in pages.items():
                ctx = await browser.new_context(base_url=web.url, viewport={"width": 360, "height": 640})
                page = await ctx.new_page()
                out["pages"][name] = await _weigh(page, path)
                await ctx.close()
            # the submit page over an emulated slow mobile link, cold cache
            ctx = await browser.new_context(base_url=web.url, viewport={"width": 360, "height": 640})
            page = await ctx.new_page()
            cdp = await ctx.new_cdp_session(page)
            await cdp.send("Network.enable")
            await cdp.send("Network.emulateNetworkConditions", SLOW)
            started = time.perf_counter()
            await page.goto("/lapor", wait_until="load")
            out["submit_slow_3g_load_ms"] = round((time.perf_counter() - started) * 1000)
            await ctx.close()
            await browser.close()
        submit = out["pages"]["submit"]["total_bytes"]
        out["submit_within_budget"] = submit <= BUDGET
        out["submit_ratio_to_budget"] = round(submit / BUDGET, 2)
        return out
    finally:
        stack.stop()
        iso.drop()


def _markdown(r: dict[str, Any]) -> str:
    lines = ["# Web page weight (first visit, gzip, cold cache, 360 px Chromium)", "",
             f"Submit page: **{r['pages']['submit']['total_bytes']:,} bytes** of a {r['budget_bytes']:,}-byte budget "
             f"({r['submit_ratio_to_budget']} of it); load on emulated Slow 3G (400 kbit/s, 400 ms RTT): "
             f"{r['submit_slow_3g_load_ms']:,} ms.", "",
             "| page | total bytes | HTML (floor) | total / floor |", "|---|---|---|---|"]
    for name, p in r["pages"].items():
        lines.append(f"| {name} | {p['total_bytes']:,} | {p['html_bytes']:,} | {p['ratio_to_html_floor']} |")
    lines += ["", "Submit page, per resource:", "", "| resource | type | bytes | encoding |", "|---|---|---|---|"]
    for res in r["pages"]["submit"]["resources"]:
        lines.append(f"| {res['url']} | {res['type']} | {res['transferred']:,} | {res['encoding'] or '-'} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    result = asyncio.run(run())
    RESULTS.mkdir(parents=True, exist_ok=True)
    Path(RESULTS / "web_weight.json").write_text(json.dumps(result, indent=2) + "\n")
    Path(RESULTS / "web_weight.md").write_text(_markdown(result))
    print(_markdown(result))


if __name__ == "__main__":
    main()
