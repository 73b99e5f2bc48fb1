"""ASGI middleware shared by the services' HTTP side."""

from __future__ import annotations

import json
import re

import structlog

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.problems import PROBLEM_JSON


class BodyLimitMiddleware:
    """Answers 413 before reading more than ``max_bytes`` of a request body.

    Checks ``Content-Length`` first, and counts streamed chunks for chunked uploads, so an
    oversized body never reaches JSON parsing.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, uploads: tuple[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # (path pattern, limit): file uploads, whose reader enforces its own finer limits
        self.uploads = (re.compile(uploads[0]), uploads[1]) if uploads else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, field = self.max_bytes, "body"
        headers = dict(scope.get("headers", []))
        if (self.uploads is not None and scope.get("method") == "POST" and self.uploads[0].fullmatch(scope["path"])
                and headers.get(b"content-type", b"").lower().startswith(b"multipart/form-data")):
            limit, field = self.uploads[1], "file"   # only a form with files: a JSON body keeps its limit
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    too_big = int(value) > limit
                except ValueError:
                    too_big = False
                if too_big:
                    await self._reject(send, limit, field)
                    return
        seen = 0
        rejected = False

        async def limited_receive() -> Message:
            # Past the limit we answer 413 ourselves and tell the app the client left, so no
            # framework error handler turns it into something else.
            nonlocal seen, rejected
            if rejected:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    rejected = True
                    await self._reject(send, limit, field)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not rejected:
                await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not rejected:
                raise

    async def _reject(self, send: Send, limit: int, field: str) -> None:
        body = json.dumps({
            "type": "about:blank", "title": "Payload too large", "status": 413,
            "detail": f"request body exceeds {limit} bytes", "field": field,
        }).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", PROBLEM_JSON.encode()), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class LogContextMiddleware:
    """Each request starts with an empty log context: a keep-alive connection reuses its task,
    and one request's tracking_id must not label the next request's lines."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            structlog.contextvars.clear_contextvars()
        await self.app(scope, receive, send)
