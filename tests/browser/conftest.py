"""A real browser (Debian's Chromium, driven by Playwright) against the real web portal and the
four services behind it."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, async_playwright

from harness.infra import ROOT, Isolation, port_open
from harness.stack import ServiceProcess, Stack

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"viewport": {"width": 360, "height": 640}, "has_touch": True, "is_mobile": True, "device_scale_factor": 2}


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        await b.close()


@pytest.fixture
async def phone(browser: Browser, web: ServiceProcess) -> AsyncIterator[BrowserContext]:
    """A 360x640 touch phone; every request it makes outside the portal fails the test."""
    ctx = await browser.new_context(base_url=web.url, **PHONE)
    outside: list[str] = []
    ctx.on("request", lambda r: outside.append(r.url) if not r.url.startswith((web.url, "data:")) else None)
    yield ctx
    await ctx.close()
    assert not outside, f"requests left the platform: {outside}"


@pytest.fixture
async def phone_nojs(browser: Browser, web: ServiceProcess) -> AsyncIterator[BrowserContext]:
    ctx = await browser.new_context(base_url=web.url, java_script_enabled=False, **PHONE)
    yield ctx
    await ctx.close()


KEYCLOAK = "http://127.0.0.1:8180/realms/lapor"
FAST_SLA = {"LAPOR_POLICY_DIR": str(ROOT / "tests" / "data" / "sla-fast"), "LAPOR_WATCH_INTERVAL_S": "0.2",
            "LAPOR_WATCH_LEASE_S": "3", "LAPOR_WATCH_MARGIN_S": "5"}   # clocks in seconds


def keycloak_stack(name: str, **env: str) -> Iterator[Stack]:
    """A private platform whose APIs verify the demo Keycloak's tokens (JWKS), with the portal
    in front; for a module-scoped fixture to yield from."""
    if not port_open(8180):
        pytest.fail("Keycloak is not running on 127.0.0.1:8180: scripts/setup.sh starts it (make test does)")
    iso = Isolation.create()
    stack = Stack(iso, Path("/tmp") / f"lapor-{name}-{iso.vhost}", LAPOR_JWT_ISSUER=KEYCLOAK,
                  LAPOR_JWT_JWKS_URL=f"{KEYCLOAK}/protocol/openid-connect/certs", LAPOR_JWT_ALGORITHMS='["RS256"]',
                  **env)
    stack.start()
    stack.start_web()
    yield stack
    stack.stop()
    iso.drop()
