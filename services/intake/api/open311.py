"""Open311 GeoReport v2 (JSON) beside the native API, for existing civic-tech clients.

Services are the directory's categories; ``jurisdiction_id`` is a Kemendagri region code;
``POST requests`` needs an integrator ``api_key`` and takes the standard form fields (JSON
too); statuses map to ``open``/``closed`` with ``status_notes``. Requests read back carry
the public view only: never an identity, and no description for a confidential report.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError

from services.intake import attachments, integrators, limits
from services.intake.models import LocationIn, ReporterIn, ReportIn
from services.intake.repository import ReportRepository
from services.intake.settings import IntakeSettingsDep
from services.intake.sms import title_of
from services.intake.submission import accept_report
from shared.tracking import normalize_tracking_id
from services.intake.views import REPORTS_BASE, status_label
from shared.attachments.service import ordered
from shared.directory import Directory, directory_of
from shared.events import utcnow
from shared.observability.metrics import INTAKE_REPORTS
from shared.problems import Problem
from shared.regions import is_region_code
from shared.runtime import Runtime, get_runtime
from shared.statuses import OPEN

router = APIRouter(prefix="/open311/v2", tags=["open311"])
RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
SPEC = "http://wiki.open311.org/GeoReport_v2"


def _directory(runtime: Runtime) -> Directory:
    return directory_of(runtime)


def _jurisdiction(value: str | None) -> str | None:
    if value in (None, "", "id", "lapor.go.id"):
        return None
    if not is_region_code(value):
        raise Problem(400, "Unknown jurisdiction", "jurisdiction_id is a Kemendagri region code, e.g. 63.71",
                      field="jurisdiction_id")
    return value


@router.get("/discovery.json")
async def discovery(request: Request, runtime: RuntimeDep) -> dict[str, Any]:
    base = str(request.base_url).rstrip("/") + "/open311/v2"
    changeset = _directory(runtime).published_at.isoformat().replace("+00:00", "Z")
    return {"changeset": changeset, "contact": "SP4N-LAPOR! operators",
            "key_service": "API keys are issued to regional governments by the platform operators",
            "endpoints": [{"specification": SPEC, "url": base, "changeset": changeset,
                           "type": "production", "formats": ["application/json"]}]}


@router.get("/services.json")
async def services(runtime: RuntimeDep, jurisdiction_id: Annotated[str | None, Query(max_length=13)] = None) -> list[dict[str, Any]]:
    _jurisdiction(jurisdiction_id)
    return [{"service_code": c.id, "service_name": c.name, "description": c.description, "metadata": bool(c.attributes),
             "type": "realtime", "keywords": ",".join(c.keywords), "group": "urgent" if c.urgent else "standard"}
            for c in sorted(_directory(runtime).categories.values(), key=lambda c: c.id)]


@router.get("/services/{service_code}.json")
async def service_definition(service_code: str, runtime: RuntimeDep) -> dict[str, Any]:
    category = _directory(runtime).categories.get(service_code)
    if category is None:
        raise Problem(404, "Not found", "no such service_code", field="service_code")
    return {"service_code": service_code, "attributes": [
        {"variable": True, "code": a.code, "datatype": a.datatype, "required": a.required,
         "datatype_description": a.datatype_description, "order": order, "description": a.description,
         "values": [{"key": v.key, "name": v.name} for v in a.values]}
        for order, a in enumerate(category.attributes, start=1)]}


async def _form(request: Request) -> dict[str, str]:
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = json.loads(raw or b"{}")
        except (ValueError, RecursionError) as exc:  # RecursionError: hostile nesting
            raise Problem(400, "Malformed JSON", "the body is not JSON (or nests too deeply)") from exc
        if not isinstance(data, dict):
            raise Problem(400, "Malformed request", "a JSON object of Open311 fields is expected")
        return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Problem(400, "Malformed request", "the form is not UTF-8") from exc
    # attribute[code][] repeats for a multivaluelist: its values are joined, as JSON lists are
    return {k: v[0] if len(v) == 1 else json.dumps(v) for k, v in parse_qs(text, keep_blank_values=True).items()}


ATTRIBUTE = re.compile(r"^attribute\[([^\]]{1,40})\](\[\])?$")


def _attributes(form: dict[str, str]) -> dict[str, list[str]]:
    """``attribute[code]`` fields (a form's or a JSON object's ``attribute``) as lists of values."""
    given: dict[str, list[str]] = {}
    raw: dict[str, Any] = {}
    if form.get("attribute"):
        try:
            nested = json.loads(form["attribute"])
        except ValueError:
            nested = None
        if not isinstance(nested, dict):
            raise Problem(400, "Invalid request", "attribute is an object of code: value", field="attribute")
        raw |= nested
    for key, value in form.items():
        m = ATTRIBUTE.match(key)
        if m:
            raw[m.group(1)] = value
    for code, value in list(raw.items())[:40]:
        if isinstance(value, str) and value.startswith("["):
            try:
                value = json.loads(value)
            except ValueError:
                pass
        given[str(code)] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return given


@router.post("/requests.json", status_code=201,
             openapi_extra={"requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
                 "api_key": {"type": "string"}, "service_code": {"type": "string"}, "description": {"type": "string"},
                 "jurisdiction_id": {"type": "string"}, "lat": {"type": "number"}, "long": {"type": "number"},
                 "address_string": {"type": "string"}, "email": {"type": "string"}, "phone": {"type": "string"},
                 "first_name": {"type": "string"}, "last_name": {"type": "string"},
                 "attribute": {"type": "object", "description": "answers to the service definition's attributes",
                               "additionalProperties": {"type": "string"}}},
                 "required": ["api_key", "service_code"]}}}}})
async def create_request(request: Request, runtime: RuntimeDep, settings: IntakeSettingsDep) -> list[dict[str, Any]]:
    form = await _form(request)
    integrator = await integrators.authenticate(runtime.db, form.get("api_key"), "api_key")
    await integrators.charge(runtime.db, integrator)
    code = form.get("service_code", "")
    if code not in _directory(runtime).categories:
        raise Problem(400, "Unknown service_code", "choose a service_code from services.json", field="service_code")
    region = _jurisdiction(form.get("jurisdiction_id"))
    if not integrator.may_submit(region, None):
        raise Problem(403, "Outside scope", "this key may submit only for its own jurisdictions", field="jurisdiction_id")
    try:
        answers = _directory(runtime).categories[code].answers(_attributes(form))
    except ValueError as exc:
        field, reason = exc.args
        raise Problem(400, "Invalid attribute", reason, field=field) from exc
    # the answers join the description under their questions: officers read them with it, and
    # a confidential report hides them with it
    description = form.get("description", "")
    if answers:
        description = "\n".join([description.rstrip(), "", *(f"{a.description}: {text}" for a, text in answers)]).strip()
    name = " ".join(p for p in (form.get("first_name"), form.get("last_name")) if p) or None
    try:
        lat = float(form["lat"]) if form.get("lat") else None
        lon = float(form["long"]) if form.get("long") else None
        location = LocationIn(lat=lat, lon=lon, address=form.get("address_string") or None)
        reporter = ReporterIn(name=name, phone=form.get("phone") or None, email=form.get("email") or None)
        report = ReportIn(title=title_of(description.strip() or "-"), body=description, category=code, region_code=region,
                          location=location, reporter=reporter if (name or reporter.phone or reporter.email) else None)
    except ValueError as exc:
        errors = exc.errors() if isinstance(exc, ValidationError) else []
        where = ".".join(str(p) for p in errors[0]["loc"]) if errors else None
        field = {"body": "description", "title": "description", "lon": "long"}.get(where or "", where)
        raise Problem(400, "Invalid request", errors[0]["msg"] if errors else str(exc), field=field) from exc
    if lat is None and not form.get("address_string"):
        raise Problem(400, "Location needed", "give lat and long, or address_string", field="lat")
    await limits.charge(runtime.db, runtime.vault, settings, "open311", report, None, fields=("phone", "email"))
    accepted = await accept_report(runtime, report, channel="open311", integrator_id=integrator.integrator_id,
                                   reference=(form.get("device_id") or form.get("account_id") or None),
                                   source={"key_id": integrator.key_id}, contacts_proven=integrator.contacts_verified)
    INTAKE_REPORTS.labels("open311", "accepted").inc()
    return [{"service_request_id": accepted.tracking_id, "service_notice": "Laporan diterima; simpan nomor ini.",
             "account_id": None}]


def _as_request(doc: dict[str, Any], directory: Directory, base_url: str) -> dict[str, Any]:
    confidential = doc["privacy"]["confidential"]
    category = directory.categories.get(doc.get("category") or "")
    notes = next((e.get("public_note") for e in reversed(doc.get("timeline", [])) if e.get("public_note")), None)
    location = doc.get("location") or {}
    return {
        "service_request_id": doc["_id"],
        "status": "open" if doc["status"] in OPEN else "closed",
        "status_notes": (None if confidential else notes) or status_label(doc["status"]),
        "service_name": category.name if category else None,
        "service_code": doc.get("category"),
        "description": None if confidential else doc["body"],
        "agency_responsible": (doc.get("agency") or {}).get("name"),
        "service_notice": None,
        "requested_datetime": doc["received_at"].isoformat(),
        "updated_datetime": (doc.get("updated_at") or doc["received_at"]).isoformat(),
        "expected_datetime": None,
        "address": None if confidential else location.get("address"),
        "address_id": None,
        "zipcode": None,
        "lat": None if confidential else location.get("lat"),
        "long": None if confidential else location.get("lon"),
        "media_url": _media_url(doc, base_url),
    }


def _media_url(doc: dict[str, Any], base_url: str) -> str | None:
    """The public photo: the reporter's, else the agency's; None if none is public."""
    photos = [m for m in ordered(doc.get("attachments")) if attachments.may_fetch(m, doc, "public")]
    photos.sort(key=lambda m: m["added_by"] == "officer")
    return f"{base_url}{REPORTS_BASE}/{doc['_id']}/attachments/{photos[0]['id']}" if photos else None


def _date(value: str | None, field: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise Problem(400, "Invalid date", "use w3 format, e.g. 2026-11-01T00:00:00Z", field=field) from exc
    if parsed.tzinfo is None:   # a wall-clock time is a different instant in WIB, WITA and WIT
        raise Problem(400, "Invalid date", "give the time zone, e.g. 2026-11-01T00:00:00+08:00 or ...Z", field=field)
    return parsed


MAX_PAGE = 100   # beyond 100 pages, narrow the dates or the region instead


@router.get("/requests.json")
async def list_requests(
    request: Request,
    runtime: RuntimeDep,
    settings: IntakeSettingsDep,
    service_request_id: Annotated[str | None, Query(max_length=2000)] = None,
    service_code: Annotated[str | None, Query(max_length=500)] = None,
    start_date: Annotated[str | None, Query(max_length=40)] = None,
    end_date: Annotated[str | None, Query(max_length=40)] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    jurisdiction_id: Annotated[str | None, Query(max_length=13)] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=1000)] = 1000,
) -> Response:
    """GeoReport v2's search (90 days at most, newest first), in pages: ``page_size`` (1000 by
    default, the standard's bound) and ``page``; a full page answers a ``Link: rel="next"``."""
    directory = _directory(runtime)
    repo = ReportRepository(runtime.db)
    if service_request_id:
        ids = [t for t in (normalize_tracking_id(x) for x in service_request_id.split(",")[:100]) if t]
        docs = [d for d in [await repo.get(t) for t in ids] if d]
        return JSONResponse([_as_request(d, directory, settings.public_base_url) for d in docs])
    end = _date(end_date, "end_date") or utcnow()
    start = _date(start_date, "start_date") or end - timedelta(days=90)
    if end - start > timedelta(days=90):
        raise Problem(400, "Range too long", "start_date and end_date may span 90 days at most", field="start_date")
    query: dict[str, Any] = {"received_at": {"$gte": start, "$lte": end}}
    if service_code:
        query["category"] = {"$in": [c for c in service_code.split(",") if c][:50]}
    if status:
        wanted = {s.strip() for s in status.split(",")}
        if not wanted <= {"open", "closed"}:
            raise Problem(400, "Invalid status", "status is open, closed or both", field="status")
        statuses = set().union(*(OPEN if s == "open" else {"resolved", "closed", "archived"} for s in wanted))
        query["status"] = {"$in": sorted(statuses)}
    region = _jurisdiction(jurisdiction_id)
    if region:   # the region and everything inside it: an anchored prefix an index serves
        query["region_code"] = {"$regex": f"^{re.escape(region)}(\\.|$)"}
    docs = await repo.search(query, page_size, skip=(page - 1) * page_size)
    headers = {}
    if len(docs) == page_size and page < MAX_PAGE:
        headers["Link"] = f'<{request.url.include_query_params(page=page + 1)}>; rel="next"'
    return JSONResponse([_as_request(d, directory, settings.public_base_url) for d in docs], headers=headers)


@router.get("/requests/{service_request_id}.json")
async def get_request(service_request_id: str, runtime: RuntimeDep, settings: IntakeSettingsDep) -> list[dict[str, Any]]:
    tid = normalize_tracking_id(service_request_id)
    doc = await ReportRepository(runtime.db).get(tid) if tid else None
    if doc is None:
        raise Problem(404, "Not found", "no service request with this id", field="service_request_id")
    return [_as_request(doc, _directory(runtime), settings.public_base_url)]
