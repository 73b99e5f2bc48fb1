"""Automatic routing: which agency must answer a report. Pure functions of the directory.

In order: the agency the reporter chose; the SMS keyword; region and category. When none
applies the report waits for its coordinator (``agency_id is None``).
"""

from __future__ import annotations

from dataclasses import dataclass

from shared.directory import Directory
from shared.events import ReportReceived
from shared.regions import parent_of


@dataclass(frozen=True)
class Decision:
    agency_id: str | None
    rule: str
    confidence: float | None = None


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


def route(report: ReportReceived, directory: Directory) -> Decision:
    if report.agency_id and report.agency_id in directory.agencies:
        chosen = report.agency_id
        return Decision(_unit_for_category(directory, chosen, report.category) or chosen, "reporter_choice")
    if report.sms_keyword:
        keyword_agency = directory.by_keyword.get(report.sms_keyword.upper())
        if keyword_agency:
            unit = _unit_for_category(directory, keyword_agency, report.category)
            return Decision(unit or keyword_agency, "sms_keyword")
    if report.region_code:
        government = _agency_for_region(directory, report.region_code)
        if government:
            unit = _unit_for_category(directory, government, report.category)
            if unit:
                return Decision(unit, "region_category")
            if report.category is None:
                return Decision(None, "region_without_category")
    if report.category:
        national = _unit_for_category(directory, directory.national_coordinator.id, report.category) \
            if directory.national_coordinator else None
        if national and directory.agencies[national].level in ("ministry",) and not report.region_code:
            return Decision(national, "national_category")
    return Decision(None, "coordinator")
