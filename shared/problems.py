"""RFC 9457 problem details for every error: a clear message, the field at fault, no trace."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pymongo.errors import ConnectionFailure
from starlette.exceptions import HTTPException as StarletteHTTPException

from shared.errors import DomainError, Kind
from shared.observability.logging import get_logger
from shared.observability.metrics import REQUESTS_REJECTED

log = get_logger(__name__)
PROBLEM_JSON = "application/problem+json"
# the one mapping of domain refusals to HTTP
STATUS_OF_KIND = {Kind.invalid: 422, Kind.conflict: 409, Kind.not_found: 404}


class Problem(Exception):
    """Raise from a handler to answer with problem details."""

    def __init__(self, status: int, title: str, detail: str | None = None, *, field: str | None = None,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.field = status, title, detail, field
        self.headers = headers
        self.extra = extra


def problem_response(status: int, title: str, detail: str | None = None, *, instance: str | None = None,
                     headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    REQUESTS_REJECTED.labels(str(status)).inc()
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc.status, exc.title, exc.detail, instance=request.url.path,
                                headers=exc.headers, field=exc.field, **exc.extra)

    @app.exception_handler(DomainError)
    async def _refused(request: Request, exc: DomainError) -> JSONResponse:
        return problem_response(STATUS_OF_KIND[exc.kind], exc.title, exc.reason, instance=request.url.path,
                                field=exc.field, choices=exc.choices)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field_path(err.get("loc", ())), "message": str(err.get("msg", "invalid"))}
            for err in exc.errors()
        ]
        first = errors[0] if errors else {"field": "body", "message": "invalid"}
        return problem_response(
            422, "Invalid request", f"{first['field']}: {first['message']}",
            instance=request.url.path, field=first["field"], errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = {404: "Not found", 405: "Method not allowed", 401: "Unauthorized", 403: "Forbidden"}.get(
            exc.status_code, "Error")
        detail = exc.detail if isinstance(exc.detail, str) else None
        return problem_response(exc.status_code, title, detail, instance=request.url.path,
                                headers=getattr(exc, "headers", None))

    @app.exception_handler(ConnectionFailure)
    async def _database_away(request: Request, exc: ConnectionFailure) -> JSONResponse:
        # the database is restarting or unreachable: nothing was accepted, and trying again
        # shortly is the right thing for the client to do (not a 500: nothing is broken here)
        log.warning("database unavailable", path=request.url.path, error=type(exc).__name__)
        return problem_response(503, "Service unavailable", "the database is briefly unavailable; nothing was "
                                "stored, try again", instance=request.url.path, headers={"Retry-After": "2"})

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", path=request.url.path)
        return problem_response(500, "Internal error", "the request could not be completed; it was logged",
                                instance=request.url.path)


# Every error this platform answers is problem+json; the OpenAPI document says so, so that
# clients (and schemathesis) can rely on it. 413 comes from the body-limit middleware.
_ERROR_STATUSES = {"400": "malformed request", "401": "missing or wrong credentials", "403": "not allowed",
                   "404": "no such resource", "409": "conflict with the current state", "413": "body too large",
                   "422": "invalid field", "429": "too many requests",
                   "503": "briefly unavailable (the database is restarting); retry after Retry-After"}
PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"}, "instance": {"type": "string"}, "field": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "message": {"type": "string"}}}},
    },
}


def install_problem_openapi(app: FastAPI) -> None:
    """Document problem+json for the error statuses of every operation (replacing FastAPI's
    own 422 shape, which the handlers above never send)."""
    from fastapi.openapi.utils import get_openapi

    def schema() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        doc.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        ref = {"$ref": "#/components/schemas/Problem"}
        for path in doc.get("paths", {}).values():
            for operation in path.values():
                responses = operation.setdefault("responses", {})
                for status, description in _ERROR_STATUSES.items():
                    given = responses.get(status, {})
                    responses[status] = {"description": given.get("description") or description,
                                         "content": {PROBLEM_JSON: {"schema": ref}}}
        app.openapi_schema = doc
        return doc

    app.openapi = schema  # type: ignore[method-assign]
