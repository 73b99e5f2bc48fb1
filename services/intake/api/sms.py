"""SMS 1708 in: Kannel's ``sms-service`` get-url callback.

    get-url = "http://intake:8001/v1/sms/inbound?key=TOKEN&from=%p&to=%P&text=%a&id=%I&smsc=%i"

Kannel joins a long (concatenated) message before calling. Every answer SMS (the tracking
ID of a new report, a status, a receipt for a reply, a format hint) goes out through the
notifier and Kannel's sendsms, never as this response's body (``max-messages = 0`` in the
service group). A gateway that calls twice for one message gets the first outcome again.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from services.intake import changes, idempotency, sms
from services.intake.models import ReporterIn, ReportIn, normalize_phone
from services.intake.repository import reports_of
from services.intake.settings import IntakeSettingsDep
from services.intake.submission import accept_report
from services.intake.views import status_label
from shared.directory import Directory, directory_of
from shared.events import SmsAnswer, make_event, utcnow
from shared.observability.metrics import INTAKE_REPORTS
from shared.observability.tracing import annotate
from shared.problems import Problem
from shared.runtime import Runtime, get_runtime

router = APIRouter(prefix="/v1/sms", tags=["sms"])


@router.api_route("/inbound", methods=["GET", "POST"])
async def inbound(
    runtime: Annotated[Runtime, Depends(get_runtime)],
    settings: IntakeSettingsDep,
    key: Annotated[str, Query(max_length=128)],
    sender: Annotated[str, Query(alias="from", max_length=32)],
    text: Annotated[str, Query(max_length=2000)],
    id: Annotated[str, Query(max_length=128, description="the gateway's message id")],
    to: Annotated[str, Query(max_length=32)] = "1708",
    smsc: Annotated[str, Query(max_length=64)] = "default",
) -> dict[str, Any]:
    if not hmac.compare_digest(key.encode(), settings.sms_callback_token.get_secret_value().encode()):
        raise Problem(403, "Forbidden", "unknown callback key", field="key")
    try:
        phone = normalize_phone(sender)
    except ValueError as exc:
        raise Problem(422, "Invalid sender", str(exc), field="from") from exc
    repo = reports_of(runtime)
    vault = runtime.vault
    sender_hash = vault.lookup_hash(phone)
    gateway_key = f"{smsc}:{id}"
    now = utcnow()
    if await repo.sms_count(sender_hash, now.strftime("%Y%m%d%H")) > settings.sms_per_sender_per_hour:
        INTAKE_REPORTS.labels("sms", "rate_limited").inc()
        return {"accepted": False, "reason": "rate limited"}   # dropped quietly: no SMS back to a flood
    directory: Directory = directory_of(runtime)
    command = sms.parse(text, set(directory.by_keyword))
    annotate(channel="sms", sms_command=command.kind)

    if command.kind == "report":
        body = {"from": phone, "text": command.text, "keyword": command.keyword}
        claim = await idempotency.claim(repo, vault, "sms", gateway_key, idempotency.body_fingerprint(body))
        report = ReportIn(title=sms.title_of(command.text), body=command.text, reporter=ReporterIn(phone=phone),
                          region_code=sms.region_of_keyword(directory, command.keyword))
        accepted = await accept_report(runtime, report, channel="sms", tracking_id=claim.tracking_id, token=claim.token,
                                       sms_keyword=command.keyword, source={"gateway_id": id, "smsc": smsc, "to": to})
        INTAKE_REPORTS.labels("sms", "replayed" if claim.replayed else "accepted").inc()
        # the acknowledgement with the tracking ID follows report.received to the notifier
        return {"accepted": True, "tracking_id": accepted.tracking_id}

    answer: dict[str, Any] = {"kind": command.kind, "values": {}}
    if command.kind in ("info", "reply"):
        doc = await repo.get(command.tracking_id or "")
        if doc is None:
            answer = {"kind": "unknown_report", "values": {"tracking_id": command.tracking_id or ""}}
        elif command.kind == "info":
            answer["values"] = info_values(doc)
        elif doc.get("reporter", {}).get("phone_hash") != sender_hash:
            # only the reporter's own number may add to a report
            answer = {"kind": "unknown_report", "values": {"tracking_id": doc["_id"]}}
        else:
            try:
                await changes.reply(runtime, doc, "sms", command.text, gateway_key)
                answer = {"kind": "reply_received", "values": {"tracking_id": doc["_id"]}}
            except changes.ReportRefused:
                # a closed report takes no reply: the sender is told its status instead of a receipt
                answer = {"kind": "info", "values": info_values(doc)}
    answer_event = make_event(
        SmsAnswer(kind=answer["kind"], to_enc=vault.encrypt(phone), to_hash=sender_hash, tracking_id=command.tracking_id,
                  values=answer["values"], at=now),
        correlation_id=command.tracking_id or gateway_key, producer=runtime.settings.service_name)
    await repo.record_sms(gateway_key, command.kind, sender_hash, now, command.tracking_id, [answer_event])
    INTAKE_REPORTS.labels("sms", command.kind).inc()
    return {"accepted": True, "answer": answer["kind"]}


def info_values(doc: dict[str, Any]) -> dict[str, str]:
    """What an INFO answer says: the report's status and the agency holding it."""
    return {"tracking_id": doc["_id"], "status_text": status_label(doc["status"]),
            "agency_name": (doc.get("agency") or {}).get("name") or "koordinator LAPOR!"}
