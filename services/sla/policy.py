"""The SLA policy as data, and the deadline arithmetic on the working-day calendar."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import yaml
from fastapi import Depends
from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.calendar import WorkingCalendar
from shared.runtime import Runtime, part_dependency, part_of


class Duration(BaseModel):
    model_config = ConfigDict(extra="forbid")
    working_days: int | None = Field(None, ge=0)
    calendar_days: int | None = Field(None, ge=0)
    hours: float | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _exactly_one(self) -> "Duration":
        if sum(v is not None for v in (self.working_days, self.calendar_days, self.hours)) != 1:
            raise ValueError("a duration is exactly one of working_days, calendar_days, hours")
        return self


class CalendarAdditions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    extra_days_off: list[date] = Field(default_factory=list)
    extra_working_days: list[date] = Field(default_factory=list)


class Ladder(BaseModel):
    """Escalation steps of a stage: reminder before the deadline, breach, persistent breach."""

    model_config = ConfigDict(extra="forbid")
    stages: list[str] = Field(default_factory=list)
    reminder_at: float | None = Field(0.8, gt=0, lt=1, description="share of the stage's time")
    persistent_after: Duration | None = None


class Policy(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: str
    stages: dict[str, Duration]
    classes: dict[str, dict[str, Duration]] = Field(default_factory=dict)
    urgent_categories: list[str] = Field(default_factory=list)
    agency_overrides: dict[str, dict[str, Duration]] = Field(default_factory=dict)
    opens: dict[str, list[str]] = Field(default_factory=dict)
    closes: dict[str, list[str]] = Field(default_factory=dict)
    pauses: list[str] = Field(default_factory=list)
    ladder: Ladder = Field(default_factory=Ladder)
    auto_close_stage: str | None = None
    calendar: CalendarAdditions = Field(default_factory=CalendarAdditions)

    @model_validator(mode="after")
    def _known_stages(self) -> "Policy":
        named = {s for table in (self.opens, self.closes) for stages in table.values() for s in stages}
        named |= set(self.ladder.stages) | ({self.auto_close_stage} if self.auto_close_stage else set())
        unknown = named - set(self.stages)
        if unknown:
            raise ValueError(f"opens/closes/ladder name unknown stages: {sorted(unknown)}")
        return self

    def report_class(self, category: str | None) -> str:
        return "urgent" if category in self.urgent_categories else "standard"

    def duration(self, stage: str, report_class: str, agency_id: str | None) -> Duration:
        """Most specific wins: the agency's override, then the report class, then the default."""
        if agency_id and stage in self.agency_overrides.get(agency_id, {}):
            return self.agency_overrides[agency_id][stage]
        if stage in self.classes.get(report_class, {}):
            return self.classes[report_class][stage]
        return self.stages[stage]

    def make_calendar(self) -> WorkingCalendar:
        return WorkingCalendar(self.calendar.extra_days_off, self.calendar.extra_working_days)


def due_at(start: datetime, duration: Duration, tz: str, calendar: WorkingCalendar) -> datetime:
    if duration.working_days is not None:
        return calendar.add_working_days(start, duration.working_days, tz)
    if duration.calendar_days is not None:
        return start + timedelta(days=duration.calendar_days)
    assert duration.hours is not None
    return start + timedelta(hours=duration.hours)


def load_policy(path: Path) -> Policy:
    return Policy.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


class PolicyBook:
    """Every published policy version; new reports start under the current one."""

    def __init__(self, policies: list[Policy], current: str | None = None) -> None:
        if not policies:
            raise ValueError("no SLA policy found")
        self.versions = {p.version: p for p in policies}
        if len(self.versions) != len(policies):
            raise ValueError("two policy files carry the same version")
        self.current = self.versions[current] if current else max(policies, key=lambda p: _version_key(p.version))
        self.calendars = {v: p.make_calendar() for v, p in self.versions.items()}

    def get(self, version: str | None) -> Policy:
        """The version a report started under (the current one if it is unknown here)."""
        return self.versions.get(version or "", self.current)

    def calendar(self, version: str) -> WorkingCalendar:
        return self.calendars[self.get(version).version]


def _version_key(version: str) -> tuple[int | str, ...]:
    return tuple(int(part) if part.isdigit() else part for part in version.split("."))


def book_of(runtime: Runtime) -> PolicyBook:
    """The SLA service's policy book (Runtime.parts), loaded before it starts."""
    return part_of(runtime, PolicyBook)


PoliciesDep = Annotated[PolicyBook, Depends(part_dependency(PolicyBook))]


def load_book(folder: Path, current: str | None = None) -> PolicyBook:
    files = sorted(folder.glob("*.yaml"))
    policies = []
    for f in files:
        try:
            policies.append(load_policy(f))
        except Exception as exc:
            raise ValueError(f"{f.name}: {exc}") from exc
    if current and current not in {p.version for p in policies}:
        raise ValueError(f"policy version {current!r} is not in {folder}")
    return PolicyBook(policies, current)
