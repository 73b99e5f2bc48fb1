"""Web portal: app factory. Run with ``python -m services.web``.

Server-rendered pages, progressively enhanced with htmx; every page works without JavaScript.
The portal calls the services' public APIs and never opens the database or the broker.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import RedirectResponse, Response
from urllib.parse import urlencode
from starlette.types import Send

from services.web.auth import OidcClient
from services.web.clients import (ApiError, CaseClient, IntakeClient, NotifierClient, RoutingClient, ServiceDown,
                                  SlaClient)
from services.web.context import WebContext, make_templates
from services.web.pages import (app_shell, command_centre, contact, home, oversight, recap, reporter, staff_agency,
                                staff_auth, staff_cases, submit, tracking)
from services.web.security import CsrfFailed, PageSecurityMiddleware
from services.web.sessions import Store
from services.web.staff import SignInRequired
from services.web.settings import WebSettings
from shared.http import BodyLimitMiddleware, LogContextMiddleware
from shared.observability.logging import configure_logging, get_logger
from shared.observability.tracing import configure_tracing, shutdown_tracing

log = get_logger(__name__)
STATIC = Path(__file__).parent / "static"
# a full report form at its field limits, every character four bytes and percent-encoded, fits
MAX_FORM_BYTES = 256 * 1024


class PageBodyLimit(BodyLimitMiddleware):
    """413 as a page a person can read (the services answer problem+json)."""

    async def _reject(self, send: Send, limit: int, field: str) -> None:
        body = TOO_LARGE_PAGE.encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


# Plain and bilingual: it is sent before the request is read, so the visitor's language is unknown.
TOO_LARGE_PAGE = """<!doctype html><html lang="id"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>413 · LAPOR!</title>
<link rel="stylesheet" href="/static/css/site.css"></head><body><main class="wrap">
<h1>Kiriman terlalu besar</h1><p>Isi formulir melebihi batas. Persingkat teks Anda, lalu kembali dan kirim lagi.</p>
<h2 lang="en">Too large</h2><p lang="en">The form is over the limit. Shorten your text, go back and send it again.</p>
<p><a href="/lapor">LAPOR!</a></p></main></body></html>"""


def create_app(settings: WebSettings | None = None) -> FastAPI:
    settings = settings or WebSettings()
    configure_logging(settings.service_name, settings.log_format, settings.log_level)
    configure_tracing(settings.service_name, settings.otel_exporter_otlp_endpoint)
    timeout = settings.api_timeout_s

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(settings.staff_session_idle_s)
        web = WebContext(settings, IntakeClient(settings.intake_url, timeout),
                         RoutingClient(settings.routing_url, timeout, settings.directory_cache_s),
                         SlaClient(settings.sla_url, timeout), make_templates(),
                         CaseClient(settings.routing_url, timeout), store, OidcClient(settings, store, timeout),
                         NotifierClient(settings.notifier_url, timeout))
        app.state.web = web
        log.info("service started", port=settings.port)
        try:
            yield
        finally:
            for client in (web.intake, web.routing, web.sla, web.cases, web.notifier):
                await client.close()
            shutdown_tracing()

    app = FastAPI(title="lapor web", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    for module in (home, submit, tracking, reporter, contact, app_shell, staff_auth, staff_cases, staff_agency,
                   command_centre, oversight, recap):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    _install_error_pages(app)
    app.add_middleware(GZipMiddleware, minimum_size=500)
    app.add_middleware(PageBodyLimit, max_bytes=MAX_FORM_BYTES)
    app.add_middleware(PageSecurityMiddleware, key=settings.web_session_key.get_secret_value().encode(),
                       secure_cookies=settings.secure_cookies)
    app.add_middleware(LogContextMiddleware)
    FastAPIInstrumentor.instrument_app(app, excluded_urls="health/.*,static/.*")
    return app


def _install_error_pages(app: FastAPI) -> None:
    def page(request: Request, status: int, kind: str, headers: dict[str, str] | None = None) -> Response:
        web: WebContext = request.app.state.web
        return web.render(request, "error.html", status, kind=kind, headers=headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        kind = {404: "not_found", 405: "not_found", 429: "busy"}.get(exc.status_code, "error")
        return page(request, exc.status_code, kind)

    @app.exception_handler(RequestValidationError)
    async def _bad_query(request: Request, exc: RequestValidationError) -> Response:
        # a hand-edited address (a filter this page does not know): a page, not a JSON error
        return page(request, 400, "bad_query")

    @app.exception_handler(ServiceDown)
    async def _down(request: Request, exc: ServiceDown) -> Response:
        log.warning("service unavailable", service=exc.service, path=request.url.path)
        return page(request, 503, "down", {"Retry-After": str(exc.retry_after)})

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> Response:
        if exc.status == 429:
            return page(request, 429, "busy", {"Retry-After": "60"})
        log.warning("service refused a request", status=exc.status, path=request.url.path)
        return page(request, 404 if exc.status == 404 else 400, "not_found" if exc.status == 404 else "error")

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        login = f"/staff/login?{urlencode({'next': exc.next_url})}"
        if request.method == "GET":
            return RedirectResponse(login, status_code=303)
        # after a form post the browser may not be redirected off the site (CSP form-action), and
        # the provider is another site: a page of our own moves on to sign-in by itself
        web: WebContext = request.app.state.web
        return web.render(request, "error.html", 401, kind="signin_expired", login_url=login)

    @app.exception_handler(CsrfFailed)
    async def _csrf(request: Request, exc: CsrfFailed) -> Response:
        return page(request, 403, "expired")

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", path=request.url.path)
        return page(request, 500, "error")
