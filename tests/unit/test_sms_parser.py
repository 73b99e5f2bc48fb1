"""The SMS 1708 grammar, with examples and generated messages (hypothesis)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from services.intake.integrators import Integrator
from services.intake.sms import parse, title_of
from shared.tracking import new_tracking_id

KEYWORDS = {"BANJAR", "BANJARMASIN", "KALSEL", "LAPOR"}


def test_keyword_reports_in_any_case_and_spacing() -> None:
    for raw in ("BANJAR jalan rusak di depan pasar", "banjar   jalan rusak di depan pasar  ", "Banjar: jalan rusak di depan pasar",
                "\tBANJAR\njalan rusak di depan pasar"):
        cmd = parse(raw, KEYWORDS)
        assert (cmd.kind, cmd.keyword) == ("report", "BANJAR"), raw
        assert cmd.text.startswith("jalan rusak"), raw


def test_unknown_or_missing_keyword_keeps_the_whole_message_for_the_coordinator() -> None:
    cmd = parse("SAMARINDA air PDAM keruh sudah 3 hari", KEYWORDS)
    assert (cmd.kind, cmd.keyword, cmd.text) == ("report", None, "SAMARINDA air PDAM keruh sudah 3 hari")
    cmd = parse("air PDAM keruh sudah tiga hari 😡", KEYWORDS)
    assert cmd.keyword is None and cmd.text.endswith("😡")


def test_info_and_reply_commands_with_aliases_and_sloppy_ids() -> None:
    tid = new_tracking_id()
    for word in ("INFO", "info", "Cek", "STATUS"):
        assert parse(f"{word} {tid.lower().replace('-', ' ')}", KEYWORDS) == parse(f"INFO {tid}", KEYWORDS)
    assert parse(f"INFO {tid}", KEYWORDS).tracking_id == tid
    reply = parse(f"balas {tid} lokasinya di depan masjid raya", KEYWORDS)
    assert (reply.kind, reply.tracking_id, reply.text) == ("reply", tid, "lokasinya di depan masjid raya")


def test_what_cannot_be_a_report_gets_the_format_hint() -> None:
    for raw in ("", "   ", "BANJAR", "BANJAR rusak", "INFO", "INFO 1234-5678", "BALAS", f"BALAS {new_tracking_id()}", "halo"):
        assert parse(raw, KEYWORDS).kind == "help", raw


def test_markup_and_controls_are_neutralised_but_unicode_kept() -> None:
    cmd = parse("BANJAR <script>alert(1)</script>jalan\x00 rusak ‮parah di Martapura 🚧", KEYWORDS)
    assert cmd.kind == "report" and "<script>" not in cmd.text and "\x00" not in cmd.text and "‮" not in cmd.text
    assert cmd.text.endswith("🚧")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_message_parses_to_one_of_four_commands(raw: str) -> None:
    cmd = parse(raw, KEYWORDS)
    assert cmd.kind in ("report", "info", "reply", "help")
    if cmd.kind == "report":
        assert len(cmd.text) >= 10 and (cmd.keyword is None or cmd.keyword in KEYWORDS)
    if cmd.kind in ("info", "reply"):
        assert cmd.tracking_id is not None


def test_titles_cut_at_a_word() -> None:
    assert title_of("pendek") == "pendek"
    long = "Jalan berlubang besar di depan Pasar Martapura sudah tiga bulan tidak diperbaiki dan membahayakan"
    t = title_of(long)
    assert len(t) <= 83 and t.endswith("...") and long.startswith(t[:-3])


def test_integrator_scope_is_its_regions_below_them_or_its_agencies() -> None:
    key = Integrator("k1", "banjarmasin-app", ["63.71"], ["kalsel.pupr"], 60)
    assert key.may_submit("63.71", None) and key.may_submit("63.71.01", None)
    assert not key.may_submit("63.72", None) and not key.may_submit("63.710", None) and not key.may_submit(None, None)
    assert key.may_submit(None, "kalsel.pupr") and not key.may_submit(None, "kalsel.dinkes")
