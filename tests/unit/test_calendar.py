"""Working days on real 2026 and 2027 dates, in each of Indonesia's three time zones."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from shared.calendar import WorkingCalendar

WIB, WITA, WIT = ZoneInfo("Asia/Jakarta"), ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jayapura")
cal = WorkingCalendar()


def test_idul_fitri_2026_and_its_collective_leave_are_not_working_days() -> None:
    # Nyepi 19 Mar, Idul Fitri 21-22 Mar, joint leave 18, 20, 23, 24 Mar 2026
    for day in (18, 19, 20, 21, 22, 23, 24):
        assert not cal.is_working_day(date(2026, 3, day)), day
    assert cal.is_working_day(date(2026, 3, 25))


def test_deadline_jumps_over_idul_fitri_2026() -> None:
    received = datetime(2026, 3, 17, 10, 0, tzinfo=WIB)       # Tuesday
    due = cal.add_working_days(received, 3, "Asia/Jakarta")
    assert due == datetime(2026, 3, 27, 23, 59, 59, tzinfo=WIB)


def test_idul_fitri_2027_with_nyepi_and_collective_leave() -> None:
    received = datetime(2027, 3, 5, 9, 0, tzinfo=WIB)         # Friday
    # 8 Nyepi, 9 joint, 10-11 Idul Fitri, 12 joint, 13-14 weekend, 15 joint leave
    assert cal.add_working_days(received, 1, "Asia/Jakarta").date() == date(2027, 3, 16)


def test_christmas_2026_and_its_joint_leave() -> None:
    received = datetime(2026, 12, 23, 10, 0, tzinfo=WIB)      # Wednesday
    assert cal.add_working_days(received, 2, "Asia/Jakarta").date() == date(2026, 12, 29)


def test_independence_day_across_time_zones() -> None:
    # 16:30 UTC on Thu 13 Aug 2026 is still Thursday in WIB but already Friday in WITA and WIT.
    received = datetime(2026, 8, 13, 16, 30, tzinfo=ZoneInfo("UTC"))
    assert cal.add_working_days(received, 1, "Asia/Jakarta") == datetime(2026, 8, 14, 23, 59, 59, tzinfo=WIB)
    # Friday's next working day skips the weekend and Monday 17 August
    assert cal.add_working_days(received, 1, "Asia/Makassar") == datetime(2026, 8, 18, 23, 59, 59, tzinfo=WITA)
    assert cal.add_working_days(received, 1, "Asia/Jayapura") == datetime(2026, 8, 18, 23, 59, 59, tzinfo=WIT)


def test_same_local_deadline_is_a_different_instant_per_zone() -> None:
    received = datetime(2026, 11, 23, 2, 0, tzinfo=ZoneInfo("UTC"))  # Monday morning everywhere
    wib = cal.add_working_days(received, 5, "Asia/Jakarta")
    wit = cal.add_working_days(received, 5, "Asia/Jayapura")
    assert wib.date() == wit.date() == date(2026, 11, 30)
    assert (wib - wit).total_seconds() == 2 * 3600


def test_configured_days_off_and_working_saturdays() -> None:
    custom = WorkingCalendar(extra_days_off=[date(2026, 11, 24)], extra_working_days=[date(2026, 11, 28)])
    received = datetime(2026, 11, 23, 9, 0, tzinfo=WIB)       # Monday
    # 24 off (configured), 25, 26, 27 working, 28 is a working Saturday
    assert custom.add_working_days(received, 4, "Asia/Jakarta").date() == date(2026, 11, 28)
    assert cal.add_working_days(received, 4, "Asia/Jakarta").date() == date(2026, 11, 27)


def test_working_days_between() -> None:
    start = datetime(2026, 3, 17, 10, 0, tzinfo=WIB)
    end = datetime(2026, 3, 27, 10, 0, tzinfo=WIB)
    assert cal.working_days_between(start, end, "Asia/Jakarta") == 3
