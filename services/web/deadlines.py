"""Deadlines as a reporter reads them: what is due, by when, and how many working days are left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.web.clients import Deadline, Duration
from shared.calendar import ZONES, default_calendar


@dataclass
class DueView:
    stage: str
    due_at: datetime
    timezone: str
    working_days_left: int
    overdue: bool
    paused: bool


def open_deadlines(items: list[Deadline], now: datetime) -> list[DueView]:
    out = []
    for d in items:
        if d.status not in ("open", "paused") or d.due_at is None:
            continue
        tz = ZONES.get(d.timezone or "", d.timezone or "Asia/Jakarta")
        overdue = d.due_at < now
        left = 0 if overdue else default_calendar().working_days_between(now, d.due_at, tz)
        out.append(DueView(d.stage, d.due_at, tz, left, overdue, d.status == "paused"))
    return sorted(out, key=lambda v: v.due_at)


def duration_parts(duration: Duration) -> tuple[str, int | float]:
    """('working_days', 3), ('calendar_days', 14) or ('hours', 24): the template words it."""
    for unit in ("working_days", "calendar_days", "hours"):
        value = getattr(duration, unit)
        if value is not None:
            return unit, value
    return "calendar_days", 0


@dataclass
class Countdown:
    """Time left on a case's current deadline, as the inbox shows it: a state in words as well
    as in colour (green: on time, amber: less than a working day, red: late)."""

    state: str                 # "ok", "soon", "late", "none"
    working_days: int = 0
    hours: int = 0


def countdown(due_at: datetime | None, now: datetime, tz: str = "Asia/Jakarta") -> Countdown:
    if due_at is None:
        return Countdown("none")
    tz = ZONES.get(tz, tz)
    if due_at <= now:
        return Countdown("late", hours=int((now - due_at).total_seconds() // 3600))
    days = default_calendar().working_days_between(now, due_at, tz)
    hours = int((due_at - now).total_seconds() // 3600)
    return Countdown("soon" if days < 1 else "ok", working_days=days, hours=hours)
