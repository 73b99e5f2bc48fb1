from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet
from opentelemetry import trace

from services.notifier import templates
from services.notifier.delivery import notification_id
from shared.events import Envelope, ReportReceived, make_event
from shared.observability.tracing import configure_tracing
from shared.privacy import Vault, mask_email, mask_phone
from shared.regions import is_region_code, timezone_for
from shared.settings import CommonSettings


def test_settings_refuse_placeholder_secrets_outside_development() -> None:
    assert CommonSettings(environment="development").data_key  # dev defaults are fine on a laptop
    with pytest.raises(ValueError, match="LAPOR_DATA_KEY"):
        CommonSettings(environment="production")
    with pytest.raises(ValueError, match="LAPOR_JWT_KEY"):
        CommonSettings(environment="production", data_key=Fernet.generate_key().decode(),
                       lookup_key="x" * 32, operator_token="y" * 32)
    ok = CommonSettings(environment="production", data_key=Fernet.generate_key().decode(),
                        lookup_key="x" * 32, operator_token="y" * 32, jwt_key="z" * 40)
    assert ok.environment == "production"


def test_one_policy_refuses_development_values_for_every_service_and_the_portal() -> None:
    from services.intake.settings import IntakeSettings
    from services.notifier.settings import NotifierSettings
    from services.web.settings import WebSettings

    real = {"data_key": Fernet.generate_key().decode(), "lookup_key": "x" * 32, "operator_token": "y" * 32,
            "jwt_key": "z" * 40}
    # the intake's development SMS key: refused in test as well as in production (it was production only)
    for environment in ("test", "production"):
        with pytest.raises(ValueError, match="LAPOR_SMS_CALLBACK_TOKEN"):
            IntakeSettings(environment=environment, **real)
    assert IntakeSettings(environment="production", sms_callback_token="k" * 32, **real)
    # console providers pretend to send: refused in production, allowed in test
    with pytest.raises(ValueError, match="LAPOR_SMS_PROVIDER, LAPOR_EMAIL_PROVIDER"):
        NotifierSettings(environment="production", **real)
    with pytest.raises(ValueError, match="LAPOR_KANNEL_PASSWORD"):
        NotifierSettings(environment="production", sms_provider="kannel", email_provider="smtp", **real)
    assert NotifierSettings(environment="production", sms_provider="kannel", email_provider="smtp",
                            kannel_password="p" * 20, **real)
    assert NotifierSettings(environment="test", **real).sms_provider == "console"
    # the portal: the same policy, its own secrets
    with pytest.raises(ValueError, match="LAPOR_OPERATOR_TOKEN"):
        WebSettings(environment="test", web_session_key="s" * 32, operator_token="dev-operator-token")
    with pytest.raises(ValueError, match="LAPOR_OIDC_CLIENT_SECRET"):
        WebSettings(environment="production", web_session_key="s" * 32)


def test_vault_encrypts_hashes_and_rotates_keys() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    v1 = Vault(old, "k")
    token = v1.encrypt("+6281234567890")
    assert "6281234567890" not in token
    assert v1.lookup_hash("+6281234567890") == Vault(new, "k").lookup_hash("+6281234567890")
    v2 = Vault(f"{new},{old}", "k")                      # new key first, old still readable
    assert v2.decrypt(token) == "+6281234567890"
    rotated = v2.rotate(token)
    assert Vault(new, "k").decrypt(rotated) == "+6281234567890"
    with pytest.raises(ValueError):
        Vault(new, "k").decrypt(token)


def test_masks() -> None:
    assert mask_phone("+6281234567890") == "+6281******890"
    assert mask_email("siti@example.com") == "s***@example.com"


def test_envelope_round_trip_and_trace_context() -> None:
    configure_tracing("test", None)
    payload = ReportReceived(tracking_id="ABCD-EFGHK", type="complaint", title="t", body="b",
                             received_at=datetime.now(UTC))
    with trace.get_tracer("t").start_as_current_span("request") as span:
        env = make_event(payload, correlation_id="ABCD-EFGHK", producer="intake")
    assert env.routing_key == "report.received.v1"
    assert format(span.get_span_context().trace_id, "032x") in env.trace["traceparent"]
    again = Envelope.model_validate_json(env.model_dump_json())
    assert again.parse(ReportReceived) == payload
    # additive schema change: unknown payload fields are ignored by older consumers
    env.payload["new_field"] = 1
    assert env.parse(ReportReceived).tracking_id == "ABCD-EFGHK"


def test_region_codes_and_time_zones() -> None:
    assert is_region_code("63.03.01.2001") and not is_region_code("63.3")
    assert timezone_for("63.03") == "Asia/Makassar"
    assert timezone_for("94.71") == "Asia/Jayapura"
    assert timezone_for("31.71") == "Asia/Jakarta"
    assert timezone_for(None) == "Asia/Jakarta"


def test_acknowledgement_sms_fits_one_gsm7_message() -> None:
    for lang in ("id", "en"):
        text = templates.render("ack", lang, "sms", tracking_id="ABCD-EFGHK")
        assert len(text) <= 160 and text.isascii()
        assert "ABCD-EFGHK" in text


def test_notification_identity_is_deterministic_per_event_channel_recipient() -> None:
    a = notification_id("e1", "ack", "sms", "h1")
    assert a == notification_id("e1", "ack", "sms", "h1")
    assert len({a, notification_id("e2", "ack", "sms", "h1"), notification_id("e1", "ack", "email", "h1"),
                notification_id("e1", "ack", "sms", "h2")}) == 4
