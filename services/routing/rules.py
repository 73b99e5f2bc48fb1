"""Automatic routing: which agency must answer a report. Pure functions of the directory
(and of the classifier, when one is given).

In order: the agency the reporter chose; the SMS keyword; region and category; the text
classifier's category, when it is confident enough. When none applies the report waits for
its coordinator (``agency_id is None``), with the classifier's suggestion recorded.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from services.routing.classifier import normalise
from shared.directory import Directory
from shared.events import ReportReceived
from shared.regions import parent_of


@dataclass(frozen=True)
class Decision:
    agency_id: str | None
    rule: str
    confidence: float | None = None
    category: str | None = None                 # the category routed on (the classifier's, if it chose)
    suggestion: dict[str, Any] | None = None    # the classifier's suggestion, whether used or not


def _unit_for_category(directory: Directory, root: str, category: str | None) -> str | None:
    """The deepest agency under ``root`` (itself included) that handles ``category``."""
    if not category:
        return None
    best: tuple[int, str] | None = None
    for agency_id in directory.subtree(root):
        if category in directory.agencies[agency_id].categories:
            depth = len(directory.ancestors(agency_id))
            if best is None or depth > best[0]:
                best = (depth, agency_id)
    return best[1] if best else None


def _agency_for_region(directory: Directory, region_code: str) -> str | None:
    """The government of a region, walking up (district -> regency -> province)."""
    code: str | None = region_code
    while code:
        for agency in directory.agencies.values():
            if agency.region_code == code and agency.level in ("province", "regency", "city"):
                return agency.id
        code = parent_of(code)
    return None


def route(report: ReportReceived, directory: Directory, classifier: Any = None, threshold: float = 0.6,
          normalised: str | None = None) -> Decision:
    """``normalised``: the report's title and body already through ``classifier.normalise``
    (the handler needs it for duplicates too; stemming is the costly part)."""
    suggestion = None
    category = report.category
    if category is None and classifier is not None:
        s = classifier.suggest_normalised(normalised if normalised is not None else normalise(f"{report.title} {report.body}"))
        suggestion = s.as_dict()
        if s.confidence >= threshold:
            category = s.category
    decision = _route(report, directory, category)
    if suggestion is not None:
        decision = replace(decision, suggestion=suggestion, category=category)
        if category is not None and decision.agency_id is not None and decision.rule == "region_category":
            decision = replace(decision, rule="classifier", confidence=suggestion["confidence"])
    elif decision.category is None:
        decision = replace(decision, category=category)
    return decision


def coordinator_of(report: ReportReceived, directory: Directory, agency_id: str | None) -> str | None:
    """Who verifies: the coordinator above the agency, else the region's, else the national one."""
    if agency_id:
        found = directory.coordinator_for(agency_id)
        return found.id if found else None
    government = _agency_for_region(directory, report.region_code) if report.region_code else None
    found = directory.coordinator_for(government) if government else directory.national_coordinator
    return found.id if found else None


def _route(report: ReportReceived, directory: Directory, category: str | None) -> Decision:
    if report.agency_id and report.agency_id in directory.agencies:
        chosen = report.agency_id
        return Decision(_unit_for_category(directory, chosen, category) or chosen, "reporter_choice")
    if report.sms_keyword:
        keyword_agency = directory.by_keyword.get(report.sms_keyword.upper())
        if keyword_agency:
            unit = _unit_for_category(directory, keyword_agency, category)
            return Decision(unit or keyword_agency, "sms_keyword")
    if report.region_code:
        government = _agency_for_region(directory, report.region_code)
        if government:
            unit = _unit_for_category(directory, government, category)
            if unit:
                return Decision(unit, "region_category")
            if category is None:
                return Decision(None, "region_without_category")
    if category:
        national = _unit_for_category(directory, directory.national_coordinator.id, category) \
            if directory.national_coordinator else None
        if national and directory.agencies[national].level in ("ministry",) and not report.region_code:
            return Decision(national, "national_category")
    return Decision(None, "coordinator")
