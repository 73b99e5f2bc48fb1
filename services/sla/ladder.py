"""The escalation ladder of one stage clock, as pure arithmetic on the policy and calendar.

A ladder stage has up to three steps: a reminder to the officer before the deadline, the
breach (agency head and coordinator) at the deadline, and the persistent breach (oversight)
some time after it. The auto-close stage has one step: closing the report at its deadline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.sla.policy import Policy, due_at
from shared.calendar import WorkingCalendar

REMINDER, BREACH, PERSISTENT, AUTO_CLOSE = "reminder", "breach", "persistent", "auto_close"


@dataclass(frozen=True)
class Step:
    name: str
    at: datetime


def steps(stage: str, started_at: datetime, due: datetime, tz: str, policy: Policy,
          calendar: WorkingCalendar) -> list[Step]:
    """Every step of the stage, in order of time."""
    if stage == policy.auto_close_stage:
        return [Step(AUTO_CLOSE, due)]
    if stage not in policy.ladder.stages:
        return []
    out = []
    if policy.ladder.reminder_at is not None and due > started_at:
        out.append(Step(REMINDER, started_at + (due - started_at) * policy.ladder.reminder_at))
    out.append(Step(BREACH, due))
    if policy.ladder.persistent_after is not None:
        out.append(Step(PERSISTENT, due_at(due, policy.ladder.persistent_after, tz, calendar)))
    return out


def next_step(all_steps: list[Step], done: list[str]) -> Step | None:
    return next((s for s in all_steps if s.name not in done), None)


def worth_sending(step: Step, all_steps: list[Step], now: datetime) -> bool:
    """A reminder that comes after the deadline is noise: the breach says it all."""
    if step.name != REMINDER:
        return True
    breach = next((s for s in all_steps if s.name == BREACH), None)
    return breach is None or now < breach.at


def resume_due(due: datetime, paused_at: datetime, resumed_at: datetime, tz: str, working_days: bool,
               calendar: WorkingCalendar) -> datetime:
    """Move a deadline by the time the clock stood still.

    Working-day clocks move by the working days the pause covered, so a pause over a weekend
    costs the agency nothing; other clocks move by the time elapsed.
    """
    if resumed_at <= paused_at:
        return due
    if working_days:
        days = calendar.working_days_between(paused_at, resumed_at, tz)
        return calendar.add_working_days(due, days, tz) if days else due
    return due + (resumed_at - paused_at)


def overdue_hours(due: datetime, now: datetime) -> float:
    return round(max(now - due, timedelta(0)).total_seconds() / 3600, 2)
