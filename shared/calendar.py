"""Indonesia's working-day calendar, in each agency's own time zone.

National holidays and joint leave (cuti bersama, the library's ``government`` category) come
from the maintained ``holidays`` package; the SLA policy adds or removes days the package
does not know yet (a decree published late, a regional holiday).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

ZONES = {"WIB": "Asia/Jakarta", "WITA": "Asia/Makassar", "WIT": "Asia/Jayapura"}


class WorkingCalendar:
    def __init__(self, extra_days_off: Iterable[date] = (), extra_working_days: Iterable[date] = (),
                 years: Iterable[int] = range(2024, 2036)) -> None:
        self._off = set(holidays.country_holidays("ID", years=list(years), categories=("public", "government")))
        self._off.update(extra_days_off)
        self._working = set(extra_working_days)

    def is_working_day(self, day: date) -> bool:
        if day in self._working:
            return True
        return day.weekday() < 5 and day not in self._off

    def add_working_days(self, start: datetime, days: int, tz: str) -> datetime:
        """End of the ``days``-th working day after ``start``'s local date, as an aware instant.

        The day of receipt does not count; the deadline is the last instant of the day, local.
        """
        zone = ZoneInfo(tz)
        day = start.astimezone(zone).date()
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return end_of_day(day, zone)

    def working_days_between(self, start: datetime, end: datetime, tz: str) -> int:
        """Working days that end after ``start`` and no later than ``end`` (local dates)."""
        zone = ZoneInfo(tz)
        day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
        count = 0
        while day < last:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count


def end_of_day(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=zone)


@lru_cache(maxsize=1)
def default_calendar() -> WorkingCalendar:
    return WorkingCalendar()
