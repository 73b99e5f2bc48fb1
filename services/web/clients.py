"""Typed clients of the services' public HTTP APIs: the portal is one more integrator.

A service that does not answer (refused, timed out, 503) raises ``ServiceDown``; an error it
answers with problem+json raises ``ApiError`` carrying the fields at fault. Trace context goes
along in the W3C headers, so one trace runs from the page through every queue hop.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

import httpx
from opentelemetry import propagate
from pydantic import BaseModel, ConfigDict, Field


class ServiceDown(Exception):
    def __init__(self, service: str, retry_after: int = 5) -> None:
        super().__init__(f"{service} is not answering")
        self.service, self.retry_after = service, retry_after


class ApiError(Exception):
    """A 4xx problem+json answer: ``errors`` maps each field at fault to the service's message."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(problem.get("detail") or problem.get("title") or str(status))
        self.status, self.problem = status, problem
        errors = problem.get("errors") or ([{"field": problem["field"], "message": problem.get("detail", "")}]
                                           if problem.get("field") else [])
        self.errors: dict[str, str] = {}
        for e in errors:
            self.errors.setdefault(str(e.get("field", "")), str(e.get("message", "")))


class _Api:
    name = "service"

    def __init__(self, base_url: str, timeout: float, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport,
                                       headers={"User-Agent": "lapor-web"})

    async def close(self) -> None:
        await self._http.aclose()

    async def _call(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                    **kwargs: Any) -> httpx.Response:
        carrier: dict[str, str] = dict(headers or {})
        propagate.inject(carrier)
        try:
            response = await self._http.request(method, path, headers=carrier, **kwargs)
        except httpx.TransportError as exc:  # refused, reset, timed out: the service is away
            raise ServiceDown(self.name) from exc
        if response.status_code in (502, 503, 504):
            raise ServiceDown(self.name, int(response.headers.get("Retry-After", "5") or 5))
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {"title": response.reason_phrase}
            raise ApiError(response.status_code, problem if isinstance(problem, dict) else {})
        return response


# --- intake ---------------------------------------------------------------------------------

class TimelineEntry(BaseModel):
    model_config = ConfigDict(extra="ignore")
    at: datetime
    action: str
    status: str
    note: str | None = None


class AgencyRef(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    name: str | None = None


class Reply(BaseModel):
    model_config = ConfigDict(extra="ignore")
    at: datetime
    channel: str
    message: str


class Report(BaseModel):
    """A report as intake shows it: the public view, or the reporter's with the private fields."""

    model_config = ConfigDict(extra="ignore")
    tracking_id: str
    type: str
    status: str
    title: str | None
    body: str | None
    category: str | None
    region_code: str | None
    agency: AgencyRef | None
    anonymous: bool
    confidential: bool
    received_at: datetime
    updated_at: datetime
    timeline: list[TimelineEntry]
    reporter: dict[str, str | None] | None = None
    replies: list[Reply] | None = None
    rating: int | None = None
    reopen_until: datetime | None = None


class Created(BaseModel):
    model_config = ConfigDict(extra="ignore")
    tracking_id: str
    status: str
    received_at: datetime
    reporter_token: str
    replayed: bool = False


class IntakeClient(_Api):
    name = "intake"

    async def submit(self, report: dict[str, Any], idempotency_key: str, client: str | None = None) -> Created:
        """``client``: the citizen's address, which intake counts (it trusts the portal as a proxy)."""
        headers = {"Idempotency-Key": idempotency_key, **({"X-Forwarded-For": client} if client else {})}
        response = await self._call("POST", "/v1/reports", json=report, headers=headers)
        return Created(**response.json(), replayed=response.headers.get("Idempotent-Replayed") == "true")

    async def report(self, tracking_id: str, token: str | None = None) -> Report | None:
        """None when there is no such report; ApiError(403) when the token is not this report's."""
        try:
            response = await self._call("GET", f"/v1/reports/{tracking_id}",
                                        headers={"X-Reporter-Token": token} if token else None)
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise
        return Report(**response.json())

    async def reply(self, tracking_id: str, token: str, message: str, idempotency_key: str) -> None:
        await self._call("POST", f"/v1/reports/{tracking_id}/replies", json={"message": message},
                         headers={"X-Reporter-Token": token, "Idempotency-Key": idempotency_key})

    async def rate(self, tracking_id: str, token: str, rating: int, comment: str | None) -> None:
        await self._call("POST", f"/v1/reports/{tracking_id}/rating", json={"rating": rating, "comment": comment},
                         headers={"X-Reporter-Token": token})

    async def reopen(self, tracking_id: str, token: str, reason: str) -> None:
        await self._call("POST", f"/v1/reports/{tracking_id}/reopen", json={"reason": reason},
                         headers={"X-Reporter-Token": token})


# --- routing --------------------------------------------------------------------------------

class Category(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    name: str
    description: str | None = None
    urgent: bool = False


class Agency(BaseModel):
    model_config = ConfigDict(extra="ignore")
    id: str
    name: str
    level: str
    parent: str | None = None
    region_code: str | None = None
    timezone: str = "WIB"
    categories: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)


class Directory(BaseModel):
    version: str | None = None
    agencies: list[Agency]
    categories: list[Category]

    def agency(self, agency_id: str | None) -> Agency | None:
        return next((a for a in self.agencies if a.id == agency_id), None)

    def category(self, category_id: str | None) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def keyword_for(self, region_code: str | None) -> str | None:
        """The SMS keyword of the agency nearest to a region (its own, else its parents')."""
        code = region_code
        while code:
            for a in self.agencies:
                if a.region_code == code and a.keywords:
                    return a.keywords[0]
            code = code.rsplit(".", 1)[0] if "." in code else None
        return None


class RoutingClient(_Api):
    """The directory changes rarely: it is kept for ``cache_s`` and served stale if routing is away."""

    name = "routing"

    def __init__(self, base_url: str, timeout: float, cache_s: float = 60.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        super().__init__(base_url, timeout, transport)
        self._cache_s = cache_s
        self._directory: Directory | None = None
        self._fetched = 0.0

    async def directory(self) -> Directory:
        if self._directory is not None and time.monotonic() - self._fetched < self._cache_s:
            return self._directory
        try:
            body = (await self._call("GET", "/v1/agencies")).json()
        except ServiceDown:
            if self._directory is not None:
                return self._directory
            raise
        self._directory = Directory(version=body.get("version"), agencies=body["items"], categories=body["categories"])
        self._fetched = time.monotonic()
        return self._directory


class CaseClient(_Api):
    """Routing's case API on behalf of a signed-in staff member (their bearer token)."""

    name = "routing"

    @staticmethod
    def _auth(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    async def inbox(self, token: str, params: dict[str, str]) -> dict[str, Any]:
        return dict((await self._call("GET", "/v1/cases", params={"sort": "urgency", **params},
                                      headers=self._auth(token))).json())

    async def counts(self, token: str, params: dict[str, str]) -> dict[str, Any]:
        return dict((await self._call("GET", "/v1/cases/counts", params=params, headers=self._auth(token))).json())

    async def case(self, token: str, tracking_id: str) -> dict[str, Any] | None:
        try:
            return dict((await self._call("GET", f"/v1/cases/{tracking_id}", headers=self._auth(token))).json())
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise

    async def act(self, token: str, tracking_id: str, action: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict((await self._call("POST", f"/v1/cases/{tracking_id}/{action}", json=body,
                                      headers=self._auth(token))).json())

    async def agency(self, token: str, agency_id: str) -> dict[str, Any] | None:
        try:
            return dict((await self._call("GET", f"/v1/agencies/{agency_id}/staff",
                                          headers=self._auth(token))).json())
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise


# --- sla ------------------------------------------------------------------------------------

class Deadline(BaseModel):
    model_config = ConfigDict(extra="ignore")
    stage: str
    status: str
    due_at: datetime | None = None
    met_at: datetime | None = None
    timezone: str | None = None
    paused_at: datetime | None = None


class Duration(BaseModel):
    model_config = ConfigDict(extra="ignore")
    working_days: int | None = None
    calendar_days: int | None = None
    hours: float | None = None


class PolicySummary(BaseModel):
    model_config = ConfigDict(extra="ignore")
    version: str
    report_class: str
    stages: dict[str, Duration]


class SlaClient(_Api):
    name = "sla"

    async def deadlines(self, tracking_id: str) -> list[Deadline]:
        body = (await self._call("GET", f"/v1/sla/reports/{tracking_id}")).json()
        return [Deadline(**d) for d in body["items"]]

    async def policy(self, category: str | None, agency_id: str | None) -> PolicySummary:
        params = {k: v for k, v in (("category", category), ("agency_id", agency_id)) if v}
        return PolicySummary(**(await self._call("GET", "/v1/sla/policy", params=params)).json())

    async def board(self, token: str, scope: str) -> "BoardFigures":
        response = await self._call("GET", "/v1/sla/board", params={"scope": scope}, headers=_bearer(token))
        return BoardFigures(**response.json())

    async def recap(self, token: str, region: str, month: str) -> "Recap":
        response = await self._call("GET", "/v1/sla/recap", params={"region": region, "month": month},
                                    headers=_bearer(token))
        return Recap(**response.json())

    async def compliance(self, period: str, by: str, region: str | None = None) -> list[dict[str, Any]]:
        params = {"period": period, "by": by, **({"region": region} if region else {})}
        return list((await self._call("GET", "/v1/sla/compliance", params=params)).json()["rows"])

    async def cases_behind(self, token: str, params: dict[str, str]) -> dict[str, Any]:
        return dict((await self._call("GET", "/v1/sla/compliance/cases", params=params, headers=_bearer(token))).json())


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class BoardFigures(BaseModel):
    """One room's wallboard (``GET /v1/sla/board``)."""

    model_config = ConfigDict(extra="ignore")
    scope: str
    timezone: str
    as_of: datetime
    day: str
    month: str
    today: dict[str, Any]
    this_month: dict[str, Any]
    open: dict[str, Any]
    cases: list[dict[str, Any]]
    overdue: list[dict[str, Any]]
    league: list[dict[str, Any]] | None    # None while SLA computes it
    top_categories: list[dict[str, Any]]
    top_regions: list[dict[str, Any]]
    trend: list[dict[str, Any]]


class Recap(BaseModel):
    """A region's month for its head (``GET /v1/sla/recap``)."""

    model_config = ConfigDict(extra="ignore")
    region: str
    month: str
    as_of: datetime
    totals: dict[str, Any] | None
    national: dict[str, Any] | None
    trend: list[dict[str, Any]]
    top_categories: list[dict[str, Any]]
    top_places: list[dict[str, Any]]
    agencies: list[dict[str, Any]]
    slowest: list[dict[str, Any]]
    old_cases: list[dict[str, Any]]
    old_cases_total: int
    old_after_days: int


# --- notifier -------------------------------------------------------------------------------

class NotifierClient(_Api):
    name = "notifier"

    async def confirm_contact(self, code: str) -> str | None:
        """The channel of the contact this code confirms (``sms`` or ``email``); None if unknown."""
        try:
            body = (await self._call("POST", "/v1/contacts/confirm", json={"code": code[:32]})).json()
        except ApiError as exc:
            if exc.status in (404, 422):
                return None
            raise
        return str(body.get("channel") or "")
