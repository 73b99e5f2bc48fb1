"""Pure logic of the web portal: catalogue coverage, the form's region lists and payload,
CSRF tokens, deadlines in working days, the SMS keyword of a region."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from starlette.datastructures import FormData
from starlette.requests import Request

from services.web import i18n, labels
from services.web.clients import Agency, Deadline, Directory
from services.web.deadlines import open_deadlines
from services.web.forms import ReportForm
from services.web.security import CSRF_COOKIE, CsrfFailed, check_csrf
from shared.statuses import LABELS_ID, Status

WEB = Path(__file__).resolve().parents[2] / "services" / "web"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def _used_messages() -> set[str]:
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(WEB), method_map, keywords={"_": None, "gettext": None,
                                                  "ngettext": (1, 2), "t": (2,), "N_": None},
                                                options_map={"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}):
        found.add(message[0] if isinstance(message, tuple) else message)
    return {m for m in found if m}


def test_every_message_on_the_pages_has_its_indonesian_translation() -> None:
    with open(WEB / "locale" / "id" / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f, locale="id")
    used = _used_messages()
    assert len(used) > 150
    missing = sorted(m for m in used if not catalog.get(m) or not (catalog.get(m).string if isinstance(catalog.get(m).string, str) else all(catalog.get(m).string)))
    assert not missing, missing
    for message in catalog:
        if message.id:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for translated in strings:
                assert set(PLACEHOLDER.findall(ids[0])) == set(PLACEHOLDER.findall(translated)), message.id


def test_statuses_read_in_laporS_own_words_in_indonesian() -> None:
    for status, word in LABELS_ID.items():
        assert i18n.t("id", labels.STATUS[status.value]) == word
    assert set(labels.STATUS) == {s.value for s in Status}
    assert i18n.t("en", labels.STATUS["received"]) == "Waiting for verification"


def _form(**values: str) -> ReportForm:
    return ReportForm.from_form(FormData(values))


def test_region_lists_follow_what_is_picked_and_a_changed_level_clears_the_ones_below() -> None:
    form = _form(province="63", regency="63.71", district="63.71.01", village="63.71.01.1001")
    assert form.region_code == "63.71.01.1001"
    choices = form.choices()
    assert ("63.71", "Kota Banjarmasin") in [(c, n.title()) for c, n in choices["regency"]] or \
        any(c == "63.71" for c, _ in choices["regency"])
    assert any(n == "Mantuil" for _, n in choices["village"])
    moved = _form(province="62", regency="63.71", district="63.71.01", village="63.71.01.1001")
    assert moved.region_code == "62" and moved.values["regency"] == moved.values["village"] == ""
    bogus = _form(province="63", regency="63.99", district="63.99.01")
    assert bogus.region_code == "63"
    assert _form(province="xx").region_code is None


def test_payload_carries_what_was_typed_and_leaves_out_what_was_not() -> None:
    form = _form(title=" Jalan ", body="Berlubang besar sekali", province="63", regency="63.71", phone="0812",
                 anonymous="1", category="", lat="-3.3", lon="114.6", address="Pasar")
    body = form.payload("en")
    assert body["region_code"] == "63.71" and body["anonymous"] is True and body["confidential"] is False
    assert body["reporter"] == {"phone": "0812"} and "category" not in body and body["language"] == "en"
    assert body["location"] == {"address": "Pasar", "lat": -3.3, "lon": 114.6}
    assert _form(lat="north", lon="1").payload("id").get("location") is None


def test_intake_faults_land_next_to_their_fields_in_the_visitors_language() -> None:
    form = _form()
    form.take_errors({"title": "too short", "reporter.email": "bad", "location.lat": "bad", "region_code": "bad"}, "id")
    assert [name for name, _ in form.ordered_errors()] == ["title", "region", "address", "email"]
    assert "karakter" in form.errors["title"]


def _request(cookie: str | None) -> Request:
    headers = [(b"cookie", f"{CSRF_COOKIE}={cookie}".encode())] if cookie else []
    return Request({"type": "http", "headers": headers, "state": {"csrf_value": cookie}})


def test_csrf_token_fits_only_its_own_cookie_and_key() -> None:
    import hashlib
    import hmac
    key = b"k" * 32
    token = hmac.new(key, b"abc", hashlib.sha256).hexdigest()
    check_csrf(_request("abc"), key, token)
    for cookie, submitted, k in (("abd", token, key), ("abc", token, b"other"), (None, token, key), ("abc", None, key)):
        with pytest.raises(CsrfFailed):
            check_csrf(_request(cookie), k, submitted)


def test_deadlines_count_working_days_left_and_say_when_late() -> None:
    now = datetime(2026, 12, 4, 3, 0, tzinfo=timezone.utc)        # a Friday
    items = [Deadline(stage="verification", status="open", due_at=datetime(2026, 12, 8, 15, 59, tzinfo=timezone.utc),
                      timezone="Asia/Makassar"),
             Deadline(stage="answer", status="open", due_at=now - timedelta(hours=1), timezone="Asia/Jakarta"),
             Deadline(stage="resolution", status="met", due_at=now + timedelta(days=30))]
    views = open_deadlines(items, now)
    assert [v.stage for v in views] == ["answer", "verification"]
    assert views[0].overdue and views[0].working_days_left == 0
    assert views[1].working_days_left == 2                           # Monday and Tuesday, not the weekend


def test_sms_keyword_of_a_region_is_its_nearest_agencys() -> None:
    d = Directory(agencies=[Agency(id="kalsel", name="Kalsel", level="province", region_code="63", keywords=["KALSEL"]),
                            Agency(id="bjm", name="Banjarmasin", level="city", region_code="63.71", keywords=["BJM"])],
                  categories=[])
    assert d.keyword_for("63.71.01.1001") == "BJM"
    assert d.keyword_for("63.03") == "KALSEL"
    assert d.keyword_for("11") is None
