"""Headers every page carries, the CSRF token of every form, and the visitor's cookies.

CSRF is a signed double submit: the browser holds a random value in an HttpOnly cookie, each
form carries HMAC(key, value); a cross-site page can neither read the cookie nor forge the MAC.
It needs no server-side session, so a citizen's page works on any replica.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "lapor_csrf"
CSRF_FIELD = "csrf"

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    # private links carry the reporter's token in the URL: never hand it to anyone as a referrer
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "permissions-policy": "geolocation=(self), camera=(), microphone=(), payment=()",
    "cross-origin-opener-policy": "same-origin",
}


class CsrfFailed(Exception):
    pass


class PageSecurityMiddleware:
    """Adds the security headers, and gives a visitor without one their CSRF cookie."""

    def __init__(self, app: ASGIApp, key: bytes, secure_cookies: bool) -> None:
        self.app, self.key, self.secure = app, key, secure_cookies

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        value = request.cookies.get(CSRF_COOKIE)
        fresh = not value or len(value) > 64
        if fresh:
            value = secrets.token_urlsafe(24)
        scope.setdefault("state", {})["csrf_value"] = value

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, header in HEADERS.items():
                    headers.setdefault(name, header)
                if not scope["path"].startswith("/static/"):
                    headers.setdefault("cache-control", "no-store")
                if fresh:
                    headers.append("set-cookie", cookie(CSRF_COOKIE, value, secure=self.secure))  # type: ignore[arg-type]
            await send(message)

        await self.app(scope, receive, with_headers)


def cookie(name: str, value: str, *, secure: bool, max_age: int | None = None) -> str:
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


def csrf_token(request: Request, key: bytes) -> str:
    value = request.scope["state"]["csrf_value"]
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def check_csrf(request: Request, key: bytes, submitted: object) -> None:
    value = request.cookies.get(CSRF_COOKIE)
    if not value or not isinstance(submitted, str):
        raise CsrfFailed
    expected = hmac.new(key, value.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, submitted):
        raise CsrfFailed
