"""A real browser (Debian's Chromium, driven by Playwright) against the real web portal and the
four services behind it."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, BrowserContext, async_playwright

from tests.support.stack import ServiceProcess

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
