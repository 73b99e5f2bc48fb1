"""The portal behind a TLS-terminating ingress (as the Helm chart runs it): with the ingress
among LAPOR_FORWARDED_ALLOW_IPS, the citizen counted by intake's per-client limit is the one
the ingress names, not the ingress itself, and the links and sign-in address the portal hands
out are https. Without it (the default) neither header is believed."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import httpx

from harness.stack import Stack

FIELDS = {"title": "Lampu jalan mati", "body": "Lampu jalan di depan masjid mati sejak seminggu, gelap sekali.",
          "category": "infrastructure", "province": "63", "regency": "63.71"}


async def _submit(http: httpx.AsyncClient, headers: dict[str, str]) -> httpx.Response:
    page = await http.get("/lapor", headers=headers)
    form = {name: re.search(rf'name="{name}" value="([^"]*)"', page.text).group(1)  # type: ignore[union-attr]
            for name in ("csrf", "idem")}
    return await http.post("/lapor", data={**form, **FIELDS}, headers=headers)


async def test_behind_the_ingress_the_portal_names_the_citizen_and_links_https(make_stack) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack(LAPOR_REPORTS_PER_CLIENT_HOUR="2")
    web = stack.start_web(LAPOR_FORWARDED_ALLOW_IPS='["127.0.0.1/32"]')
    first = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    async with httpx.AsyncClient(base_url=web.url, timeout=30) as http:
        answers = [await _submit(http, first) for _ in range(3)]
        assert [r.status_code for r in answers] == [303, 303, 429]
        # another citizen behind the same ingress is not held up by the first
        other = await _submit(http, {"X-Forwarded-For": "203.0.113.8", "X-Forwarded-Proto": "https"})
        assert other.status_code == 303
        receipt = await http.get(other.headers["location"], headers=first)
        private = re.search(r'id="private-url">([^<]+)<', receipt.text).group(1)  # type: ignore[union-attr]
        assert private.startswith("https://") and "?k=" in private
        login = await http.get("/staff/login", headers=first)
        assert login.status_code == 303
        redirect = parse_qs(urlparse(login.headers["location"]).query)["redirect_uri"][0]
        assert redirect.startswith("https://") and redirect.endswith("/auth/callback")


async def test_without_a_trusted_ingress_the_headers_are_not_believed(make_stack) -> None:  # type: ignore[no-untyped-def]
    stack: Stack = make_stack(LAPOR_REPORTS_PER_CLIENT_HOUR="2")
    web = stack.start_web()
    async with httpx.AsyncClient(base_url=web.url, timeout=30) as http:
        # anyone may send the headers: each "citizen" here is the one visitor that connects
        answers = [await _submit(http, {"X-Forwarded-For": f"198.51.100.{i}", "X-Forwarded-Proto": "https"})
                   for i in range(1, 4)]
        assert [r.status_code for r in answers] == [303, 303, 429]
        receipt = await http.get(answers[0].headers["location"])
        private = re.search(r'id="private-url">([^<]+)<', receipt.text).group(1)  # type: ignore[union-attr]
        assert private.startswith("http://127.0.0.1:")
