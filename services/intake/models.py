"""Request and response shapes of the intake API (pydantic v2)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import phonenumbers
from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.events import ReportType
from shared.regions import is_region_code
from shared.text import clean_line, clean_text

_EMAIL = r"^[^@\s<>()\[\]\\,;:\"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"


def normalize_phone(value: str) -> str:
    """E.164 (+62…) from whatever a reporter or gateway typed; ValueError if not a number."""
    try:
        number = phonenumbers.parse(value, "ID")
    except phonenumbers.NumberParseException as exc:
        raise ValueError("not a phone number") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class ReporterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=120)
    phone: str | None = Field(None, max_length=32, examples=["0812-3456-7890"])
    email: str | None = Field(None, max_length=254, pattern=_EMAIL)
    national_id: str | None = Field(None, pattern=r"^\d{16}$", description="NIK, 16 digits")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str | None) -> str | None:
        return clean_line(v) or None if v is not None else None

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: str | None) -> str | None:
        return normalize_phone(v) if v else None

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        return v.lower() if v else None


class LocationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    address: str | None = Field(None, max_length=300)

    @field_validator("address")
    @classmethod
    def _address(cls, v: str | None) -> str | None:
        return clean_line(v) if v else None


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: ReportType = "complaint"
    title: str = Field(min_length=3, max_length=200)
    body: str = Field(min_length=10, max_length=5000)
    category: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]{1,47}$")
    region_code: str | None = Field(None, max_length=13, examples=["63.03"])
    agency_id: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9.\-]{1,63}$")
    location: LocationIn | None = None
    occurred_on: date | None = None
    anonymous: bool = False
    confidential: bool = False
    language: Literal["id", "en"] = "id"
    reporter: ReporterIn | None = None

    @field_validator("title")
    @classmethod
    def _title(cls, v: str) -> str:
        v = clean_line(v)
        if len(v) < 3:
            raise ValueError("title must have at least 3 visible characters")
        return v

    @field_validator("body")
    @classmethod
    def _body(cls, v: str) -> str:
        v = clean_text(v)
        if len(v) < 10:
            raise ValueError("body must have at least 10 visible characters")
        return v

    @field_validator("region_code")
    @classmethod
    def _region(cls, v: str | None) -> str | None:
        if v is not None and not is_region_code(v):
            raise ValueError("not a Kemendagri region code (e.g. 63 or 63.03)")
        return v

    @field_validator("occurred_on")
    @classmethod
    def _not_future(cls, v: date | None) -> date | None:
        if v is not None and v > date.today():
            raise ValueError("cannot be in the future")
        return v


class ReportCreated(BaseModel):
    tracking_id: str
    status: str
    received_at: datetime
    reporter_token: str = Field(description="keep it: it opens the reporter's private view")
    url: str


class TimelineEntry(BaseModel):
    at: datetime
    action: str
    status: str
    note: str | None = None


class AgencyRef(BaseModel):
    id: str
    name: str | None = None


class AttachmentView(BaseModel):
    """A file on the report as this reader may see it; ``url`` is None for what this reader
    may not fetch (a reporter's own PDF: documents are served to staff only)."""

    id: str
    kind: Literal["image", "document"]
    content_type: str
    size: int
    width: int | None = None
    height: int | None = None
    by: Literal["reporter", "agency"]
    purpose: str
    public: bool = Field(description="the public sees it")
    added_at: datetime
    url: str | None = None
    thumbnail_url: str | None = None


# OpenAPI of an upload endpoint (it reads the body itself, as it streams)
UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "array", "items": {"type": "string", "format": "binary"},
                            "description": "JPEG, PNG, WebP or HEIC photos, or PDF documents"}}}}}}}


class AttachmentsAdded(BaseModel):
    tracking_id: str
    attachments: list[AttachmentView]


class ReportView(BaseModel):
    """Public view; the reporter's view fills the private fields."""

    tracking_id: str
    type: ReportType
    status: str
    status_label: str
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
    replies: list[dict[str, str]] | None = Field(None, description="the reporter's own replies (reporter's view only)")
    rating: int | None = Field(None, description="the reporter's rating (reporter's view only)")
    reopen_until: datetime | None = Field(None, description="once resolved: until when the reporter may reopen (reporter's view only)")
    attachments: list[AttachmentView] = Field(default_factory=list, description="the files this reader may see")


class IntegratorReportIn(ReportIn):
    """A report from a regional government's system, with its own reference."""

    reference: str | None = Field(None, min_length=1, max_length=64, pattern=r"^[\w./:#\-]+$",
                                  description="the integrator's own ID for this report; searchable")


class IntegratorReportView(ReportView):
    reference: str | None = None


class IntegratorReportList(BaseModel):
    items: list[IntegratorReportView]
    next_before: datetime | None = None     # pass as ``before`` for the next page; None: the last page


class ReplyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: str = Field(min_length=2, max_length=2000)

    @field_validator("message")
    @classmethod
    def _message(cls, v: str) -> str:
        v = clean_text(v)
        if len(v) < 2:
            raise ValueError("message must have visible characters")
        return v


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rating: int = Field(ge=1, le=5)
    comment: str | None = Field(None, max_length=1000)

    @field_validator("comment")
    @classmethod
    def _comment(cls, v: str | None) -> str | None:
        return clean_text(v) or None if v else None


class ReopenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=5, max_length=1000)

    @field_validator("reason")
    @classmethod
    def _reason(cls, v: str) -> str:
        return clean_text(v)


class Accepted(BaseModel):
    tracking_id: str
    accepted: bool = True
    action: str
