"""The escalation ladder, pauses and policy versions: pure arithmetic on real calendar dates."""

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from services.sla import compliance, ladder
from services.sla.policy import Duration, Ladder, Policy, PolicyBook, load_book, load_policy
from services.sla.repository import bucket_id, minute_key, minute_of

ROOT = Path(__file__).resolve().parents[2]
policy = load_policy(ROOT / "data" / "sla" / "policies" / "2026.1.yaml")
cal = policy.make_calendar()
WITA, WIT = ZoneInfo("Asia/Makassar"), ZoneInfo("Asia/Jayapura")


def test_ladder_of_a_working_day_stage_before_idul_fitri_2026() -> None:
    # assigned Tuesday 17 March 2026; Nyepi, Idul Fitri and its joint leave run 18-24 March
    start = datetime(2026, 3, 17, 10, 0, tzinfo=WITA)
    due = datetime(2026, 3, 31, 23, 59, 59, tzinfo=WITA)  # 5 working days: 25, 26, 27, 30, 31
    steps = ladder.steps("first_follow_up", start, due, "Asia/Makassar", policy, cal)
    assert [s.name for s in steps] == ["reminder", "breach", "persistent"]
    assert steps[0].at == start + (due - start) * 0.8
    assert steps[1].at == due
    assert steps[2].at == datetime(2026, 4, 8, 23, 59, 59, tzinfo=WITA)  # 5 more: 1, 2, (3 Good Friday), 6, 7, 8


def test_auto_close_stage_has_one_step_and_other_stages_none() -> None:
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    due = start + timedelta(days=14)
    assert [s.name for s in ladder.steps("auto_close", start, due, "Asia/Jakarta", policy, cal)] == ["auto_close"]
    quiet = policy.model_copy(update={"ladder": Ladder(stages=["verification"])})
    assert ladder.steps("resolution", start, due, "Asia/Jakarta", quiet, cal) == []


def test_next_step_and_late_reminders_are_skipped() -> None:
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    due = start + timedelta(days=10)
    steps = ladder.steps("resolution", start, due, "Asia/Jakarta", policy, cal)
    assert ladder.next_step(steps, []) == steps[0]
    assert ladder.next_step(steps, ["reminder", "breach"]) == steps[2]
    assert ladder.next_step(steps, ["reminder", "breach", "persistent"]) is None
    assert ladder.worth_sending(steps[0], steps, now=due - timedelta(hours=1))
    assert not ladder.worth_sending(steps[0], steps, now=due + timedelta(seconds=1))
    assert ladder.worth_sending(steps[1], steps, now=due + timedelta(days=30))


def test_a_pause_over_a_weekend_costs_no_working_day_but_one_over_christmas_leave_moves_the_deadline() -> None:
    due = datetime(2026, 12, 31, 23, 59, 59, tzinfo=WIT)
    friday, monday = datetime(2026, 12, 18, 17, 0, tzinfo=WIT), datetime(2026, 12, 21, 8, 0, tzinfo=WIT)
    assert ladder.resume_due(due, friday, monday, "Asia/Jayapura", True, cal) == datetime(2027, 1, 4, 23, 59, 59, tzinfo=WIT)
    # paused Wednesday 23 Dec, resumed Monday 28 Dec: only the 28th counts (24-25 are leave)
    wed, mon = datetime(2026, 12, 23, 9, 0, tzinfo=WIT), datetime(2026, 12, 28, 9, 0, tzinfo=WIT)
    assert ladder.resume_due(due, wed, mon, "Asia/Jayapura", True, cal) == datetime(2027, 1, 4, 23, 59, 59, tzinfo=WIT)
    hours_due = datetime(2026, 12, 23, 12, 0, tzinfo=UTC)
    assert ladder.resume_due(hours_due, wed, wed + timedelta(hours=5), "Asia/Jayapura", False, cal) == hours_due + timedelta(hours=5)
    assert ladder.resume_due(due, mon, wed, "Asia/Jayapura", True, cal) == due  # clock skew: nothing to give back


def test_a_report_keeps_the_policy_version_it_started_under() -> None:
    newer = policy.model_copy(update={"version": "2027.1", "stages": {**policy.stages,
                                                                      "verification": Duration(working_days=2)}})
    book = PolicyBook([policy, newer])
    assert book.current.version == "2027.1"
    assert book.get("2026.1").stages["verification"].working_days == 3
    assert book.get("unknown").version == "2027.1"
    assert PolicyBook([policy, newer], current="2026.1").current.version == "2026.1"
    with pytest.raises(ValueError, match="same version"):
        PolicyBook([policy, policy])
    assert load_book(ROOT / "data" / "sla" / "policies").current.version == "2026.1"


def test_a_ladder_naming_an_unknown_stage_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown stages"):
        Policy(version="x", stages={"verification": Duration(working_days=3)}, ladder=Ladder(stages=["nope"]))


def test_due_buckets_are_minutes_and_shards() -> None:
    at = datetime(2026, 11, 23, 10, 7, 59, tzinfo=WITA)
    assert minute_key(at) == "202611230207"
    assert minute_of("202611230207") == datetime(2026, 11, 23, 2, 7, tzinfo=UTC)
    shards = {bucket_id("202611230207", f"T{i}:verification", 4) for i in range(200)}
    assert shards == {f"202611230207:{s}" for s in range(4)}
    assert bucket_id("202611230207", "A:b", 4) == bucket_id("202611230207", "A:b", 4)


def test_compliance_periods_ranking_and_csv_escaping() -> None:
    assert compliance.months_of("2026-11") == ["2026-11"]
    assert compliance.months_of("2027")[::11] == ["2027-01", "2027-12"]
    for bad in ("2026-13", "26", "2026-1", "2026-11; drop"):
        with pytest.raises(ValueError):
            compliance.months_of(bad)
    rows = [
        {"key": "a", "received": 10, "on_time_pct": 50.0, "median_first_response_hours": 5, "average_rating": 4},
        {"key": "b", "received": 10, "on_time_pct": 90.0, "median_first_response_hours": 9, "average_rating": 3},
        {"key": "c", "received": 10, "on_time_pct": 90.0, "median_first_response_hours": 2, "average_rating": None},
        {"key": "d", "received": 10, "on_time_pct": None, "median_first_response_hours": None, "average_rating": None},
        {"key": "e", "received": 1, "on_time_pct": 100.0, "median_first_response_hours": 1, "average_rating": 5},
    ]
    assert [r["key"] for r in compliance.ranking(rows, min_received=5)] == ["c", "b", "a", "d"]
    text = compliance.to_csv([{"key": "=HYPERLINK(\"x\")", "name": "Dinas, \"PU\"", "received": 3}])
    header, row = list(csv.reader(io.StringIO(text)))
    assert header[:3] == ["key", "name", "received"]
    assert row[:3] == ["'=HYPERLINK(\"x\")", 'Dinas, "PU"', "3"]      # a formula stays text
