"""The submit form: what the visitor typed, the intake payload made from it, and the faults
intake found, each put back next to its field in the visitor's language."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from services.web.i18n import t
from services.web.labels import N_
from shared import regions

TEXT_FIELDS = ("type", "title", "body", "occurred_on", "province", "regency", "district", "village", "address",
               "lat", "lon", "category", "agency_id", "name", "phone", "email", "idem")
LEVELS = ("province", "regency", "district", "village")
REPORT_TYPES = ("complaint", "aspiration", "information_request")

# intake's field path -> the form field it belongs to
_FIELD_OF = {"title": "title", "body": "body", "occurred_on": "occurred_on", "region_code": "region",
             "location.address": "address", "location.lat": "address", "location.lon": "address",
             "category": "category", "agency_id": "agency_id", "type": "type", "reporter.name": "name",
             "reporter.phone": "phone", "reporter.email": "email", "reporter.national_id": "name"}

# the message shown for a fault in each field (message ids: English; the catalogue has Indonesian)
MESSAGES = {
    "title": N_("Write a title of 3 to 200 characters."),
    "body": N_("Describe what happened in 10 to 5,000 characters."),
    "occurred_on": N_("Enter the date it happened; it cannot be in the future."),
    "region": N_("Pick the region from the lists."),
    "address": N_("Describe the place in at most 300 characters."),
    "category": N_("Pick a topic from the list, or \u201cNot sure\u201d."),
    "agency_id": N_("Pick an agency from the list, or let us decide."),
    "type": N_("Pick the kind of report."),
    "name": N_("Write your name in at most 120 characters."),
    "phone": N_("Enter a mobile number like 0812 3456 7890."),
    "email": N_("Enter an e-mail address like name@example.com."),
}
# in the order the fields appear on the page, so the error summary follows the focus order
CONTACT_LIMIT = N_("Many reports gave this contact in the last hour. Try again later, or leave it empty: "
                   "you can follow your report with its tracking ID.")
ORDER = ("type", "title", "body", "occurred_on", "region", "address", "category", "agency_id", "name", "phone",
         "email")


@dataclass
class ReportForm:
    values: dict[str, str] = field(default_factory=dict)
    anonymous: bool = False
    confidential: bool = False
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def blank(cls) -> "ReportForm":
        return cls(values={"type": "complaint", "idem": uuid.uuid4().hex})

    @classmethod
    def from_form(cls, form: FormData) -> "ReportForm":
        values = {name: str(form.get(name) or "").strip() for name in TEXT_FIELDS}
        values["idem"] = values["idem"][:64] or uuid.uuid4().hex
        if values["type"] not in REPORT_TYPES:
            values["type"] = "complaint"
        made = cls(values=values, anonymous=form.get("anonymous") == "1", confidential=form.get("confidential") == "1")
        made._trim_region()
        return made

    def _trim_region(self) -> None:
        """A lower level only counts under the level above it (a changed province clears the rest)."""
        parent: str | None = None
        for level in LEVELS:
            code = self.values.get(level, "")
            if code and (parent is None and level != "province" or
                         parent is not None and not code.startswith(parent + ".")
                         or code not in {c for c, _ in regions.children_of(parent)}):
                code = ""
            self.values[level] = code
            if not code:
                for lower in LEVELS[LEVELS.index(level) + 1:]:
                    self.values[lower] = ""
                break
            parent = code

    @property
    def region_code(self) -> str | None:
        picked = [self.values[level] for level in LEVELS if self.values.get(level)]
        return picked[-1] if picked else None

    def choices(self) -> dict[str, tuple[tuple[str, str], ...]]:
        """Options of each region list: the provinces, then the children of each level picked."""
        out: dict[str, tuple[tuple[str, str], ...]] = {"province": regions.children_of(None)}
        for upper, lower in zip(LEVELS, LEVELS[1:]):
            code = self.values.get(upper)
            out[lower] = regions.children_of(code) if code else ()
        return out

    def payload(self, lang: str) -> dict[str, Any]:
        v = self.values
        location: dict[str, Any] = {}
        if v["address"]:
            location["address"] = v["address"]
        try:
            if v["lat"] and v["lon"]:
                location["lat"], location["lon"] = float(v["lat"]), float(v["lon"])
        except ValueError:
            pass  # the pin is optional: a bad one is dropped rather than refused
        reporter = {k: v[k] for k in ("name", "phone", "email") if v[k]}
        body: dict[str, Any] = {
            "type": v["type"], "title": v["title"], "body": v["body"], "anonymous": self.anonymous,
            "confidential": self.confidential, "language": lang,
            "region_code": self.region_code, "category": v["category"] or None, "agency_id": v["agency_id"] or None,
            "occurred_on": v["occurred_on"] or None, "location": location or None, "reporter": reporter or None,
        }
        return {k: val for k, val in body.items() if val is not None}

    def take_errors(self, api_errors: dict[str, str], lang: str) -> None:
        for path in api_errors:
            name = _FIELD_OF.get(path) or _FIELD_OF.get(path.split(".")[0]) or "body"
            self.errors.setdefault(name, t(lang, MESSAGES[name]))

    def take_contact_limit(self, api_errors: dict[str, str], lang: str) -> bool:
        """A 429 naming a contact: that field says why and what to do; False if none was named."""
        names = [_FIELD_OF.get(path) for path in api_errors if _FIELD_OF.get(path) in ("phone", "email")]
        for name in names:
            self.errors[name] = t(lang, CONTACT_LIMIT)
        return bool(names)

    def ordered_errors(self) -> list[tuple[str, str]]:
        return [(name, self.errors[name]) for name in ORDER if name in self.errors]
