from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from shared.directory import DirectoryError, DirectoryFile, load_file, validate
from services.routing.rules import route
from shared.events import ReportReceived

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "directory" / "demo.yaml"
directory = load_file(DEMO)


def report(**kw: object) -> ReportReceived:
    base: dict[str, object] = {"tracking_id": "T", "type": "complaint", "title": "t", "body": "b",
                               "received_at": datetime.now(UTC)}
    base.update(kw)
    return ReportReceived(**base)  # type: ignore[arg-type]


def test_demo_directory_covers_the_required_regions() -> None:
    regions = {a.region_code for a in directory.agencies.values()}
    assert {"63", "63.71", "63.03", "63.72", "62", "62.71", "62.06"} <= regions
    assert directory.national_coordinator is not None
    assert directory.agencies["ombudsman"].level == "oversight"
    assert directory.agencies["kab-banjar"].timezone == "Asia/Makassar"
    assert directory.agencies["kab-katingan"].timezone == "Asia/Jakarta"


@pytest.mark.parametrize(("kw", "agency", "rule"), [
    ({"region_code": "63.03", "category": "infrastructure"}, "kab-banjar.pupr", "region_category"),
    ({"region_code": "62.71", "category": "health"}, "kota-palangkaraya.dinkes", "region_category"),
    ({"sms_keyword": "banjar", "category": "water"}, "kab-banjar.pdam", "sms_keyword"),
    ({"sms_keyword": "BANJAR"}, "kab-banjar", "sms_keyword"),
    ({"agency_id": "kota-banjarbaru", "category": "education"}, "kota-banjarbaru.disdik", "reporter_choice"),
    ({"agency_id": "bpjs-kesehatan"}, "bpjs-kesehatan", "reporter_choice"),
    ({"region_code": "63.03.01", "category": "environment"}, "kab-banjar.dlh", "region_category"),
])
def test_routing_rules_in_order(kw: dict[str, object], agency: str, rule: str) -> None:
    decision = route(report(**kw), directory)
    assert (decision.agency_id, decision.rule) == (agency, rule)


@pytest.mark.parametrize("kw", [
    {},                                                  # nothing to go on
    {"sms_keyword": "UNKNOWN"},                          # unknown keyword -> national coordinator
    {"region_code": "31.71", "category": "health"},      # a region outside the directory
    {"region_code": "63.03"},                            # a region but no category
])
def test_reports_without_a_clear_agency_wait_for_a_coordinator(kw: dict[str, object]) -> None:
    assert route(report(**kw), directory).agency_id is None


def _raw() -> dict:
    return yaml.safe_load(DEMO.read_text())


def _refusal(raw: dict) -> list[str]:
    with pytest.raises(DirectoryError) as exc:
        validate(DirectoryFile.model_validate(raw))
    return exc.value.problems


def test_duplicate_keyword_is_refused() -> None:
    raw = _raw()
    raw["agencies"][-1]["keywords"] = ["BANJAR"]
    assert any("SMS keyword BANJAR already belongs" in p for p in _refusal(raw))


def test_unknown_parent_and_loops_are_refused() -> None:
    raw = _raw()
    raw["agencies"][-1]["parent"] = "nowhere"
    assert any("unknown parent nowhere" in p for p in _refusal(raw))
    raw = _raw()
    by_id = {a["id"]: a for a in raw["agencies"]}
    by_id["kalsel"]["parent"] = "kab-banjar"
    assert any("loops" in p for p in _refusal(raw))


def test_region_outside_parent_and_bad_codes_are_refused(tmp_path: Path) -> None:
    raw = _raw()
    by_id = {a["id"]: a for a in raw["agencies"]}
    by_id["kab-banjar"]["region_code"] = "62.06"
    assert any("not within its parent" in p for p in _refusal(raw))
    raw = _raw()
    raw["agencies"][-1]["region_code"] = "6X.0"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(raw))
    with pytest.raises(DirectoryError) as exc:
        load_file(bad)
    assert any("Kemendagri region code" in p for p in exc.value.problems)


def test_a_categorys_questions_are_answered_by_their_keys() -> None:
    roads = directory.categories["infrastructure"]
    answers = roads.answers({"damage_size": ["medium"], "blocks_traffic": [" no "]})
    assert [(a.code, text) for a, text in answers] == [("damage_size", "Sedang (1-5 m)"), ("blocks_traffic", "Tidak")]
    assert roads.answers({}) == []                                       # none of them is required
    for given, field in [({"damage_size": ["huge"]}, "attribute[damage_size]"),
                         ({"damage_size": ["small", "large"]}, "attribute[damage_size]"),   # one value only
                         ({"colour": ["red"]}, "attribute[colour]")]:
        with pytest.raises(ValueError) as refused:
            roads.answers(given)
        assert refused.value.args[0] == field
    with pytest.raises(ValueError) as missing:
        directory.categories["health"].answers({"facility_name": ["   "]})
    assert missing.value.args[0] == "attribute[facility_name]"


def test_a_list_attribute_needs_its_values_and_codes_are_unique() -> None:
    raw = yaml.safe_load(DEMO.read_text())
    raw["categories"][0]["attributes"] = [{"code": "size", "description": "Ukuran", "datatype": "singlevaluelist"}]
    with pytest.raises(ValueError, match="needs values"):
        DirectoryFile.model_validate(raw)
    raw["categories"][0]["attributes"] = [{"code": "size", "description": "Ukuran"}] * 2
    with pytest.raises(DirectoryError, match="used twice"):
        validate(DirectoryFile.model_validate(raw))
