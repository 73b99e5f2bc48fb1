"""What a reporter does through the private link: reply, rate once resolved, reopen.

Each form posts here, the step goes to intake's reporter API, and the browser is sent back to
the private page (post, redirect, get), where the step shows. A refusal is shown in words on the
same page, next to the form, with what was typed kept.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from services.web.clients import ApiError
from services.web.context import Ctx
from services.web.i18n import t
from services.web.labels import N_
from services.web.pages.tracking import tracking_page
from services.web.security import CSRF_FIELD, check_csrf
from shared.tracking import normalize_tracking_id

router = APIRouter()

_REFUSED = {
    "reply": N_("Your reply could not be sent: write at least 2 characters (at most 2,000)."),
    "rate": N_("Pick a rating from 1 to 5; a comment has at most 1,000 characters."),
    "reopen": N_("Say in at least 5 characters why the matter is not settled."),
}
_CONFLICT = {
    "reply": N_("This report is closed and takes no more replies."),
    "rate": N_("This report can be rated once, after it is done; it has been rated or is not done yet."),
    "reopen": N_("This report can no longer be reopened: the window after it was done has passed, or it was already reopened."),
}


@router.post("/lapor/{tracking_id}/{action}")
async def reporter_step(request: Request, web: Ctx, tracking_id: str, action: str) -> Response:
    if action not in _REFUSED:
        return web.render(request, "error.html", 404, kind="not_found")
    data = await request.form()
    check_csrf(request, web.key, data.get(CSRF_FIELD))
    token = str(data.get("k") or "")[:128]
    canonical = normalize_tracking_id(tracking_id) or tracking_id
    typed = {name: str(data.get(name) or "")[:2000] for name in ("message", "rating", "comment", "reason")}
    try:
        if action == "reply":
            await web.intake.reply(canonical, token, typed["message"], str(data.get("idem") or uuid.uuid4().hex)[:64])
        elif action == "rate":
            rating = int(typed["rating"]) if typed["rating"].isdigit() else 0
            await web.intake.rate(canonical, token, rating, typed["comment"] or None)
        else:
            await web.intake.reopen(canonical, token, typed["reason"])
    except ApiError as exc:
        if exc.status == 403 or exc.status == 404:
            raise
        lang = web.lang(request)
        message = t(lang, _CONFLICT[action] if exc.status == 409 else _REFUSED[action])
        return await tracking_page(request, web, canonical, token, status=exc.status if exc.status in (409, 422) else 400,
                                   action_error={action: message}, typed=typed)
    return RedirectResponse(f"/lapor/{canonical}?k={token}&done={action}", status_code=303)
