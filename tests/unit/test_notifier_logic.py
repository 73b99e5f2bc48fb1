"""Pure logic of the notifier: SMS encoding and parts, back-off, webhook signatures, texts."""

import random

import pytest

from services.notifier import templates
from services.notifier.delivery import backoff, notification_id
from shared import webhooks


@pytest.mark.parametrize("text, expected", [
    ("a" * 160, {"encoding": "gsm7", "units": 160, "parts": 1}),
    ("a" * 161, {"encoding": "gsm7", "units": 161, "parts": 2}),          # 153 a part once split
    ("a" * 306, {"encoding": "gsm7", "units": 306, "parts": 2}),
    ("a" * 307, {"encoding": "gsm7", "units": 307, "parts": 3}),
    ("€" * 80, {"encoding": "gsm7", "units": 160, "parts": 1}),           # extension: two septets each
    ("[" + "a" * 159, {"encoding": "gsm7", "units": 161, "parts": 2}),
    ("Jalan rusak 😀", {"encoding": "ucs2", "units": 14, "parts": 1}),   # emoji: a surrogate pair
    ("ş" * 70, {"encoding": "ucs2", "units": 70, "parts": 1}),
    ("ş" * 71, {"encoding": "ucs2", "units": 71, "parts": 2}),            # 67 a part
])
def test_sms_segments(text: str, expected: dict[str, object]) -> None:
    assert templates.sms_segments(text) == expected


def test_every_sms_template_fits_one_gsm7_message_with_long_values() -> None:
    values = {"tracking_id": "4MF7-FNDUC", "agency_name": "Dinas Pekerjaan Umum dan Penataan Ruang Kab. Banjar",
              "status_text": templates.status_text("resolved", "id"), "note": ""}
    for (kind, language, channel), _ in templates.TEMPLATES.items():
        if channel != "sms":
            continue
        text = templates.render(kind, language, channel, **values)
        seg = templates.sms_segments(text)
        assert seg["encoding"] == "gsm7" and seg["parts"] == 1, (kind, language, text, seg)


def test_an_acknowledgement_asking_for_confirmation_still_fits_one_sms() -> None:
    url = "https://lapor.kotabanjarmasin.go.id/k/ABCDEFGHJK"      # a long portal address
    for language in ("id", "en"):
        text = templates.with_confirmation("ignored on SMS", language, "sms", url, "4MF7-FNDUC")
        assert url in text and "4MF7-FNDUC" in text
        assert templates.sms_segments(text) == {"encoding": "gsm7", "units": len(text), "parts": 1}, text
        mail = templates.with_confirmation("Laporan diterima.", language, "email", url, "4MF7-FNDUC")
        assert mail.startswith("Laporan diterima.") and mail.endswith(url)


def test_public_notes_are_trimmed_without_leaving_gsm7() -> None:
    note = templates.short_note("Jalan   sudah ditambal\noleh tim PUPR pada 20 November, mohon dicek kembali di lokasi ya.")
    assert len(note) <= templates.NOTE_LIMIT + 1 and note.endswith("...") and "  " not in note
    assert templates.short_note(None) == "" and templates.short_note("Selesai") == " Selesai"


def test_backoff_grows_with_full_jitter_and_a_cap() -> None:
    rng = random.Random(1)
    for attempt, ceiling in ((1, 10), (2, 20), (3, 40), (10, 3600), (30, 3600)):
        samples = [backoff(attempt, 10, 3600, rng) for _ in range(200)]
        assert all(0 <= s <= ceiling for s in samples)
        assert max(samples) > ceiling * 0.8          # spread over the whole window, not fixed


def test_notification_identity_is_deterministic_per_event_kind_channel_and_recipient() -> None:
    a = notification_id("e1", "ack", "sms", "h1")
    assert a == notification_id("e1", "ack", "sms", "h1")
    assert len({a, notification_id("e2", "ack", "sms", "h1"), notification_id("e1", "assigned", "sms", "h1"),
                notification_id("e1", "ack", "email", "h1"), notification_id("e1", "ack", "sms", "h2")}) == 5


def test_webhook_signature_checks_body_secret_and_freshness() -> None:
    body = b'{"event_id":"e1","type":"report.assigned.v1"}'
    header = webhooks.sign("whsec_a", body, timestamp=1_800_000_000)
    assert webhooks.verify("whsec_a", body, header, now=1_800_000_100)
    assert not webhooks.verify("whsec_b", body, header, now=1_800_000_100)          # other secret
    assert not webhooks.verify("whsec_a", body + b" ", header, now=1_800_000_100)    # tampered
    assert not webhooks.verify("whsec_a", body, header, now=1_800_000_000 + 301)     # replayed late
    for broken in ("", "t=abc,v1=00", "v1=00", "t=1800000000", "garbage"):
        assert not webhooks.verify("whsec_a", body, broken, now=1_800_000_000)


async def test_subscriptions_need_a_real_url_known_events_and_https_in_production() -> None:
    from ipaddress import ip_network

    from services.notifier.subscriptions import SubscriptionError, check

    await check("https://93.184.216.34/lapor", ["report.assigned.v1"], "production", [])
    await check("http://127.0.0.1:9000/hook", ["report.received.v1"], "test", [ip_network("127.0.0.0/8")])
    for url, events, env, field in (
        ("http://app.example.id/hook", ["report.assigned.v1"], "production", "url"),
        ("ftp://app.example.id/hook", ["report.assigned.v1"], "test", "url"),
        ("/relative", ["report.assigned.v1"], "test", "url"),
        ("https://user:pw@93.184.216.34/hook", ["report.assigned.v1"], "test", "url"),
        ("https://93.184.216.34:99999/hook", ["report.assigned.v1"], "test", "url"),
        ("http://127.0.0.1:9000/hook", ["report.received.v1"], "test", "url"),       # not without the allow-list
        ("https://app.example.id", ["sla.breached.v1"], "test", "events"),   # internal alerts are not for integrators
        ("https://app.example.id", [], "test", "events"),
    ):
        with pytest.raises(SubscriptionError) as err:
            await check(url, events, env, [])
        assert err.value.field == field, url


def test_only_public_addresses_are_webhook_destinations() -> None:
    from ipaddress import ip_address, ip_network

    from services.notifier.outbound import refusal

    for text in ("127.0.0.1", "127.8.9.1", "::1", "10.0.0.1", "172.31.255.1", "192.168.1.1", "169.254.169.254",
                 "fe80::1", "100.64.0.1", "0.0.0.0", "::", "224.0.0.1", "ff02::1", "240.0.0.1", "fc00::1",
                 "::ffff:10.0.0.1", "::ffff:127.0.0.1", "2002:a00:1::", "192.0.2.1", "198.18.0.1"):
        assert refusal(ip_address(text), []) is not None, text
    for text in ("93.184.216.34", "8.8.8.8", "2606:4700:4700::1111", "::ffff:8.8.8.8", "103.10.20.30"):
        assert refusal(ip_address(text), []) is None, text
    # the development allow-list opens only what it names
    allow = [ip_network("127.0.0.0/8")]
    assert refusal(ip_address("127.0.0.1"), allow) is None
    assert refusal(ip_address("::ffff:127.0.0.1"), allow) is None
    assert refusal(ip_address("10.0.0.1"), allow) is not None
    assert refusal(ip_address("169.254.169.254"), allow) is not None
