import pytest
from pydantic import ValidationError

from services.intake.models import ReportIn, normalize_phone
from shared.text import clean_line, clean_text


@pytest.mark.parametrize(("raw", "e164"), [
    ("0812-3456-7890", "+6281234567890"),
    ("+62 812 3456 7890", "+6281234567890"),
    ("6281234567890", "+6281234567890"),
    ("(0511) 3350-123", "+625113350123"),
])
def test_phone_numbers_become_e164(raw: str, e164: str) -> None:
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize("raw", ["12", "abc", "+1 555", "0812"])
def test_bad_phone_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        normalize_phone(raw)


def _valid(**kw: object) -> dict:
    body = {"title": "Jalan rusak", "body": "Jalan berlubang di depan pasar", "region_code": "63.03"}
    body.update(kw)
    return body


def test_markup_and_control_characters_are_neutralised_unicode_kept() -> None:
    r = ReportIn.model_validate(_valid(
        title="<b>Jalan</b>\u202e rusak 🚧", body="<script>alert(1)</script>Lubang\x00 besar di jalan ☹️ café"))
    assert r.title == "Jalan rusak 🚧"
    assert r.body == "alert(1)Lubang besar di jalan ☹️ café"


@pytest.mark.parametrize(("field", "value"), [
    ("region_code", "63-03"), ("region_code", "6"), ("category", "Bad Category"), ("type", "rant"),
    ("title", "  "), ("body", "short"), ("agency_id", "$where"), ("occurred_on", "2999-01-01"),
])
def test_invalid_fields_are_named(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as exc:
        ReportIn.model_validate(_valid(**{field: value}))
    assert exc.value.errors()[0]["loc"][0] == field


def test_unknown_fields_and_operator_objects_are_refused() -> None:
    with pytest.raises(ValidationError):
        ReportIn.model_validate(_valid(**{"$set": {"status": "closed"}}))
    with pytest.raises(ValidationError):
        ReportIn.model_validate(_valid(category={"$ne": None}))
    with pytest.raises(ValidationError):
        ReportIn.model_validate(_valid(reporter={"phone": {"$gt": ""}}))


def test_clean_text_keeps_newlines_and_folds_lines() -> None:
    assert clean_text("a\r\nb\rc") == "a\nb\nc"
    assert clean_line("a \n\t b") == "a b"
