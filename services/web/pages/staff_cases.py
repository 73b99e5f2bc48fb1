"""The staff workspace: the inbox (urgent first, then least time left), its CSV export and
bulk actions, and the case page with exactly the steps the state machine allows now.

Every call goes to routing's case API with the signed-in user's own token, so what a page
shows is what the case API's scoping lets that user see; a case outside it is a 404 page.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from services.web.clients import ApiError, Directory, ServiceDown
from services.web.context import Ctx, WebContext
from services.web.deadlines import countdown, open_deadlines
from services.web.i18n import t
from services.web.labels import N_
from services.web.security import CSRF_FIELD, check_csrf
from services.web.sessions import StaffSession
from services.web.staff import StaffDep, token_for
from services.web.pages.tracking import place_name
from shared.calendar import ZONES
from shared.events import utcnow
from shared.tracking import normalize_tracking_id

router = APIRouter()

FILTERS = ("status", "category", "region_code", "agency_id", "overdue", "urgent", "channel", "from", "to", "q")
CHANNELS = ("web", "sms", "app", "integrator", "open311")
CSV_LIMIT = 5000
# what each step needs from the form, beside the case version
STEP_FIELDS = {
    "verify": ("agency_id", "category", "anonymous", "confidential", "message", "internal_note"),
    "forward": ("agency_id", "internal_note"),
    "bounce": ("reason", "internal_note"),
    "respond": ("message", "internal_note"),
    "resolve": ("message", "internal_note"),
    "postpone": ("reason", "internal_note"),
    "archive": ("reason", "internal_note"),
    "merge": ("parent", "internal_note"),
    "close": ("message", "internal_note"),
    "urgency": ("urgent", "reason"),           # a coordinator raises or lowers the triage's flag
}
# the most common step first: its form is the one open on arrival
ACTION_ORDER = ("verify", "respond", "resolve", "forward", "postpone", "bounce", "archive", "merge", "close")
REFUSED = {
    "message": N_("Write a message of 3 to 2,000 characters."),
    "reason": N_("Write a reason of 3 to 1,000 characters."),
    "agency_id": N_("Pick an agency this step can go to."),
    "category": N_("Pick a topic from the list."),
    "parent": N_("Give the tracking ID of a case you coordinate."),
    "internal_note": N_("An internal note has at most 2,000 characters."),
}


def _filters(request: Request) -> dict[str, str]:
    params = request.query_params
    out = {k: params[k].strip() for k in FILTERS if params.get(k, "").strip()}
    for k in ("from", "to"):   # a date input gives a day: the API takes an instant
        if k in out and len(out[k]) == 10:
            out[k] += "T00:00:00+07:00" if k == "from" else "T23:59:59+07:00"
    return out


def _zone(directory: Directory | None, agency_id: str | None) -> str:
    agency = directory.agency(agency_id) if directory and agency_id else None
    return agency.timezone if agency else "WIB"


def _rows(items: list[dict[str, Any]], directory: Directory | None) -> list[dict[str, Any]]:
    now = utcnow()
    rows = []
    for c in items:
        due = datetime.fromisoformat(c["due_at"]) if c.get("due_at") else None
        zone = _zone(directory, c.get("agency_id"))
        rows.append({**c, "countdown": countdown(due, now, zone), "tz": ZONES.get(zone, zone),
                     "due": due, "received": datetime.fromisoformat(c["received_at"])})
    return rows


async def _directory(web: WebContext) -> Directory | None:
    try:
        return await web.routing.directory()
    except (ServiceDown, ApiError):
        return None


@router.get("/staff")
async def inbox(request: Request, web: Ctx, staff: StaffDep,
                cursor: Annotated[str | None, Query(max_length=300)] = None,
                done: Annotated[str | None, Query(max_length=40)] = None) -> Response:
    token = await token_for(web, staff, request)
    filters = _filters(request)
    params = {**filters, "limit": "25", **({"cursor": cursor} if cursor else {})}
    error = None
    try:
        page = await web.cases.inbox(token, params)
    except ApiError as exc:
        if exc.status == 401:
            raise
        error, page = next(iter(exc.errors), "filter"), {"items": [], "next_cursor": None}
    counts = await web.cases.counts(token, {k: v for k, v in filters.items() if k != "status"}) if not error else None
    directory = await _directory(web)
    base = {k: v for k, v in request.query_params.items() if k in FILTERS}
    next_url = f"/staff?{urlencode({**base, 'cursor': page['next_cursor']})}" if page.get("next_cursor") else None
    return web.render(request, "staff_inbox.html", rows=_rows(page["items"], directory), counts=counts,
                      directory=directory, values=base, next_url=next_url, first_url=f"/staff?{urlencode(base)}",
                      paged=bool(cursor), channels=CHANNELS, filter_error=error, done=done,
                      csv_url=f"/staff/cases.csv?{urlencode(base)}", bulk=request.query_params.get("bulk"))


def _cell(value: Any) -> str:
    """A spreadsheet never runs what a reporter typed: a leading =, +, -, @ or control
    character is neutralised with a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r", "\n") else text


@router.get("/staff/cases.csv")
async def export_csv(request: Request, web: Ctx, staff: StaffDep) -> Response:
    token = await token_for(web, staff, request)
    filters = _filters(request)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["tracking_id", "status", "urgent", "overdue", "due_at", "title", "category", "region_code",
                     "agency_id", "channel", "received_at"])
    cursor, written = None, 0
    while written < CSV_LIMIT:
        page = await web.cases.inbox(token, {**filters, "limit": "100", **({"cursor": cursor} if cursor else {})})
        for c in page["items"]:
            writer.writerow([_cell(c.get(k)) for k in ("tracking_id", "status", "urgent", "overdue", "due_at", "title",
                                                        "category", "region_code", "agency_id", "channel",
                                                        "received_at")])
            written += 1
        cursor = page.get("next_cursor")
        if not cursor:
            break
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="lapor-cases.csv"'})


@router.post("/staff/bulk")
async def bulk(request: Request, web: Ctx, staff: StaffDep) -> Response:
    data = await request.form()
    check_csrf(request, web.key, data.get(CSRF_FIELD))
    token = await token_for(web, staff, request, back_to="/staff")
    action = str(data.get("bulk_action") or "")
    selected = [normalize_tracking_id(str(v)) for v in data.getlist("case")][:100]
    lang = web.lang(request)
    body: dict[str, Any] = {}
    if action == "verify":
        body["agency_id"] = str(data.get("bulk_agency_id") or "") or None
    elif action == "archive":
        body["reason"] = str(data.get("bulk_reason") or "").strip() or None
    results = []
    for tid in selected:
        if tid is None:
            continue
        try:
            await web.cases.act(token, tid, action, {k: v for k, v in body.items() if v is not None})
            results.append((tid, True, t(lang, "done")))
        except ApiError as exc:
            if exc.status == 401:
                raise
            results.append((tid, False, _refusal(exc, lang)))
    if not selected or action not in ("verify", "archive"):
        return RedirectResponse("/staff", status_code=303)
    return web.render(request, "staff_bulk.html", results=results, action=action)


def _refusal(exc: ApiError, lang: str) -> str:
    field = next(iter(exc.errors), None)
    if exc.status == 409:
        return t(lang, "refused: the case is not in a state that allows this step (it may have changed)")
    if exc.status == 404:
        return t(lang, "not found among the cases you may act on")
    if field in REFUSED:
        return t(lang, REFUSED[field])
    return str(exc.problem.get("detail") or exc.problem.get("title") or exc.status)


async def case_page(request: Request, web: WebContext, staff: StaffSession, tracking_id: str, *, status: int = 200,
                    changed: bool = False, done: str | None = None, errors: dict[str, str] | None = None,
                    typed: dict[str, str] | None = None, failed: str | None = None) -> Response:
    canonical = normalize_tracking_id(tracking_id)
    token = await token_for(web, staff, request, back_to=f"/staff/cases/{canonical or tracking_id}")
    case = await web.cases.case(token, canonical) if canonical else None
    if case is None:
        return web.render(request, "error.html", 404, kind="not_found")
    directory = await _directory(web)
    deadlines = []
    try:
        deadlines = open_deadlines(await web.sla.deadlines(case["tracking_id"]), utcnow())
    except (ServiceDown, ApiError):
        pass
    duplicate = None
    dup_id = (case.get("duplicate_candidate") or {}).get("tracking_id")
    if dup_id:
        duplicate = await web.cases.case(token, dup_id)
    draft = web.store.take_draft(request.query_params.get("draft"))
    forward_to = []
    if directory and case.get("agency_id"):
        below = set()
        stack = [case["agency_id"]]
        while stack:
            node = stack.pop()
            kids = [a.id for a in directory.agencies if a.parent == node]
            below.update(kids)
            stack.extend(kids)
        forward_to = [a for a in directory.agencies if a.id in below]
    due = datetime.fromisoformat(case["due_at"]) if case.get("due_at") else None
    case["allowed_actions"] = sorted(case.get("allowed_actions") or [], key=lambda a: ACTION_ORDER.index(a)
                                     if a in ACTION_ORDER else len(ACTION_ORDER))
    return web.render(request, "staff_case.html", status, case=case, directory=directory, deadlines=deadlines,
                      duplicate=duplicate, changed=changed, done=done, errors=errors or {},
                      typed={**draft, **(typed or {})}, failed=failed, forward_to=forward_to,
                      countdown=countdown(due, utcnow(), _zone(directory, case.get("agency_id"))),
                      tz_name=ZONES.get(_zone(directory, case.get("agency_id")), _zone(directory, case.get("agency_id"))),
                      place=place_name(case.get("region_code")))


@router.get("/staff/cases/{tracking_id}")
async def case(request: Request, web: Ctx, staff: StaffDep, tracking_id: str,
               done: Annotated[str | None, Query(max_length=20)] = None) -> Response:
    return await case_page(request, web, staff, tracking_id, done=done)


@router.post("/staff/cases/{tracking_id}/{action}")
async def step(request: Request, web: Ctx, staff: StaffDep, tracking_id: str, action: str) -> Response:
    if action not in STEP_FIELDS:
        return web.render(request, "error.html", 404, kind="not_found")
    data = await request.form()
    check_csrf(request, web.key, data.get(CSRF_FIELD))
    canonical = normalize_tracking_id(tracking_id) or tracking_id
    typed = {f"{action}.{k}": str(data.get(k) or "")[:2000] for k in STEP_FIELDS[action]}
    token = await token_for(web, staff, request, back_to=f"/staff/cases/{canonical}", draft=typed)
    body: dict[str, Any] = {}
    for name in STEP_FIELDS[action]:
        value = str(data.get(name) or "").strip()
        if name in ("anonymous", "confidential", "urgent"):
            body[name] = value == "1"
        elif value:
            body[name] = value
    version = str(data.get("version") or "")
    if version.isdigit():
        body["version"] = int(version)
    lang = web.lang(request)
    try:
        await web.cases.act(token, canonical, action, body)
    except ApiError as exc:
        if exc.status in (401, 404):
            if exc.status == 404:
                return web.render(request, "error.html", 404, kind="not_found")
            raise
        field = next(iter(exc.errors), "")
        if exc.status == 409 and field in ("version", ""):
            # someone else's step landed first: show the case as it is now, keep what was typed
            return await case_page(request, web, staff, canonical, status=409, changed=True, typed=typed,
                                   failed=action)
        if exc.status == 409:
            message = t(lang, N_("This step is not allowed in the case's current state."))
        else:
            message = t(lang, REFUSED.get(field, N_("This step was refused: check the form.")))
        return await case_page(request, web, staff, canonical, status=422, errors={action: message}, typed=typed,
                               failed=action)
    return RedirectResponse(f"/staff/cases/{canonical}?done={action}", status_code=303)
