from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from services.sla.policy import Duration, Policy, due_at, load_policy

ROOT = Path(__file__).resolve().parents[2]
policy = load_policy(ROOT / "data" / "sla" / "policies" / "2026.1.yaml")
WITA = ZoneInfo("Asia/Makassar")


def test_defaults_match_the_design() -> None:
    assert policy.stages["verification"].working_days == 3
    assert policy.stages["first_follow_up"].working_days == 5
    assert policy.stages["answer"].calendar_days == 14
    assert policy.stages["resolution"].calendar_days == 60
    assert policy.stages["auto_close"].working_days == 10


def test_most_specific_duration_wins() -> None:
    assert policy.duration("first_follow_up", "standard", "kab-banjar.pupr").working_days == 5
    assert policy.duration("first_follow_up", "urgent", "kab-banjar.dinkes").hours == 24
    assert policy.duration("first_follow_up", "urgent", "kemendagri").working_days == 7
    assert policy.report_class("health") == "urgent" and policy.report_class("water") == "standard"


def test_due_times() -> None:
    start = datetime(2026, 11, 23, 9, 0, tzinfo=WITA)          # Monday
    cal = policy.make_calendar()
    assert due_at(start, Duration(working_days=5), "Asia/Makassar", cal) == datetime(2026, 11, 30, 23, 59, 59, tzinfo=WITA)
    assert due_at(start, Duration(hours=24), "Asia/Makassar", cal) == start + timedelta(hours=24)
    assert due_at(start, Duration(calendar_days=14), "Asia/Makassar", cal) == start + timedelta(days=14)


def test_a_policy_naming_unknown_stages_or_double_durations_is_refused() -> None:
    with pytest.raises(ValidationError):
        Duration(working_days=1, hours=2)
    with pytest.raises(ValidationError, match="unknown stages"):
        Policy(version="x", stages={"verification": Duration(working_days=3)}, opens={"received": ["nope"]})
