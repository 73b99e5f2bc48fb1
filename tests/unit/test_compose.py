"""docker-compose.yml cannot run here (no container engine): keep it true by reading it
against the services' own settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from services.intake.settings import IntakeSettings
from services.notifier.settings import NotifierSettings
from services.routing.settings import RoutingSettings
from services.sla.settings import SlaSettings
from harness.helpers import setting_env_names

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = {"intake": IntakeSettings, "routing": RoutingSettings, "notifier": NotifierSettings, "sla": SlaSettings}




def test_declares_infrastructure_and_the_four_services() -> None:
    assert {"mongo", "rabbitmq", "otel-collector", "jaeger", *SERVICES} <= set(COMPOSE["services"])


def test_mongo_is_a_replica_set_with_authentication_and_a_health_check() -> None:
    mongo = COMPOSE["services"]["mongo"]
    assert "--replSet" in mongo["command"] and "--keyFile" in " ".join(mongo["entrypoint"])
    assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]+\}", mongo["environment"]["MONGO_INITDB_ROOT_PASSWORD"])
    check = " ".join(mongo["healthcheck"]["test"])
    assert "rs.initiate" in check and "--authenticationDatabase" in check
    assert "ports" not in mongo                                   # reached inside the network only
    for name in SERVICES:
        url = COMPOSE["services"][name]["environment"]["LAPOR_MONGO_URL"]
        assert re.match(r"mongodb://lapor:\$\{MONGO_PASSWORD:\?[^}]+\}@mongo:27017/", url), url
        assert "replicaSet=rs0" in url and "authSource=admin" in url


def test_only_what_users_must_reach_is_published() -> None:
    published = {name: svc.get("ports", []) for name, svc in COMPOSE["services"].items()}
    public = {name: ports for name, ports in published.items() if any(not p.startswith("127.0.0.1:") for p in ports)}
    assert public == {"web": ["8000:8000"], "intake": ["8001:8001"], "notifier": ["8003:8003"]}, public
    grafana = COMPOSE["services"]["grafana"]["environment"]
    assert grafana["GF_AUTH_ANONYMOUS_ENABLED"] == "false" and grafana["GF_SECURITY_ADMIN_PASSWORD"].startswith("${")


def test_images_default_to_production() -> None:
    text = (ROOT / "deploy" / "Dockerfile").read_text()
    assert re.search(r"^ENV .*LAPOR_ENVIRONMENT=production", text, re.M)


def test_rabbitmq_has_management_and_a_health_check() -> None:
    rabbit = COMPOSE["services"]["rabbitmq"]
    assert "management" in rabbit["image"]
    assert "check_running" in rabbit["healthcheck"]["test"]
    assert rabbit["environment"]["RABBITMQ_DEFAULT_USER"] != "guest"
    assert rabbit["environment"]["RABBITMQ_DEFAULT_PASS"].startswith("${")


def test_collector_config_exports_to_jaeger() -> None:
    collector = COMPOSE["services"]["otel-collector"]
    mounted = collector["volumes"][0].split(":")[0]
    config = yaml.safe_load((ROOT / mounted).read_text())
    assert "otlp" in config["receivers"]
    assert config["exporters"]["otlp/jaeger"]["endpoint"].startswith("jaeger:")
    for name in SERVICES:
        assert COMPOSE["services"][name]["environment"]["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel-collector:4318"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_service_port_health_check_and_dependencies_match_its_settings(name: str) -> None:
    svc = COMPOSE["services"][name]
    settings_cls = SERVICES[name]
    default_port = settings_cls.model_fields["port"].default
    assert svc["environment"]["LAPOR_PORT"] == str(default_port)
    check = " ".join(svc["healthcheck"]["test"])
    assert f"127.0.0.1:{default_port}/health/ready" in check
    assert svc["depends_on"]["mongo"]["condition"] == "service_healthy"
    assert svc["depends_on"]["rabbitmq"]["condition"] == "service_healthy"
    assert svc["build"]["args"]["SERVICE"] == name
    assert (ROOT / svc["build"]["dockerfile"]).is_file()
    assert (ROOT / "services" / name / "__main__.py").is_file()


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_environment_variable_is_a_setting_of_that_service(name: str) -> None:
    known = setting_env_names(SERVICES[name])
    declared = set(COMPOSE["services"][name]["environment"])
    assert declared - known == set(), f"unknown to {name}'s settings: {sorted(declared - known)}"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_secrets_come_from_the_environment_never_from_the_file(name: str) -> None:
    env = COMPOSE["services"][name]["environment"]
    for key in ("LAPOR_DATA_KEY", "LAPOR_LOOKUP_KEY", "LAPOR_OPERATOR_TOKEN"):
        assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]+\}", env[key]), key
    assert env["LAPOR_ENVIRONMENT"] == "production"  # placeholder secrets are refused there


def test_routing_waits_for_the_directory_to_be_loaded() -> None:
    routing = COMPOSE["services"]["routing"]
    assert routing["depends_on"]["directory-loader"]["condition"] == "service_completed_successfully"
    loader = COMPOSE["services"]["directory-loader"]
    assert (ROOT / loader["command"][-1]).is_file()


def test_dockerfile_runs_the_service_named_by_its_build_argument() -> None:
    text = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "ARG SERVICE" in text and "python -m services.${LAPOR_SERVICE}" in text
    assert "COPY requirements.txt" in text and "USER lapor" in text


def _metric_names() -> set[str]:
    from prometheus_client import REGISTRY

    import shared.observability.metrics  # noqa: F401  (registers the series)

    suffixes = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}
    names = set()
    for family in REGISTRY.collect():
        names.update(family.name + suffix for suffix in suffixes.get(family.type, ("",)))
    return names


def _referenced(expr: str) -> set[str]:
    return set(re.findall(r"\blapor_[a-z_]+", expr))


def test_prometheus_scrapes_every_service_and_alerts_on_real_series() -> None:
    prom = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    targets = {t for job in prom["scrape_configs"] for sc in job["static_configs"] for t in sc["targets"]}
    for name, cls in SERVICES.items():
        assert f"{name}:{cls.model_fields['port'].default}" in targets
    rules = yaml.safe_load((ROOT / "deploy/prometheus/alerts.yml").read_text())["groups"][0]["rules"]
    known = _metric_names()
    alerts = {r["alert"] for r in rules}
    assert {"LaporMessagesParked", "LaporOutboxBacklog", "LaporQueueDepth", "LaporBreachSurge",
            "LaporSendingAbuseBurst"} <= alerts
    for rule in rules:
        assert _referenced(rule["expr"]) <= known, rule["alert"]
    assert "prometheus" in COMPOSE["services"] and "grafana" in COMPOSE["services"]


def test_grafana_dashboard_queries_real_series() -> None:
    import json

    dashboard = json.loads((ROOT / "deploy/grafana/lapor-dashboard.json").read_text())
    known = _metric_names()
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    assert len(exprs) >= 8
    for expr in exprs:
        assert _referenced(expr) and _referenced(expr) <= known, expr


def test_the_web_portal_knows_only_the_services_urls() -> None:
    from services.web.settings import WebSettings

    web = COMPOSE["services"]["web"]
    env = web["environment"]
    assert not any(k.startswith(("LAPOR_MONGO", "LAPOR_AMQP", "LAPOR_DATA_KEY")) for k in env)
    known = {f"LAPOR_{n.upper()}" for n in WebSettings.model_fields} | {"OTEL_EXPORTER_OTLP_ENDPOINT"}
    assert set(env) <= known, set(env) - known
    for name in ("intake", "routing", "sla", "notifier"):
        assert env[f"LAPOR_{name.upper()}_URL"].startswith(f"http://{name}:")
    assert "8000:8000" in web["ports"]


def test_the_services_that_take_files_keep_them_in_the_s3_store_with_keys_from_the_environment() -> None:
    seaweed = COMPOSE["services"]["seaweedfs"]
    assert "ports" not in seaweed and "-s3" in seaweed["command"][0]
    for name in ("intake", "routing"):
        env = COMPOSE["services"][name]["environment"]
        assert env["LAPOR_ATTACHMENTS_BACKEND"] == "s3" and env["LAPOR_S3_ENDPOINT_URL"] == "http://seaweedfs:8333"
        assert re.fullmatch(r"\$\{S3_SECRET_KEY:\?[^}]+\}", env["LAPOR_S3_SECRET_KEY"])
        assert COMPOSE["services"][name]["depends_on"]["seaweedfs"]["condition"] == "service_healthy"
    for name in ("notifier", "sla", "web"):   # no key where no file is taken
        assert "LAPOR_S3_SECRET_KEY" not in (COMPOSE["services"][name].get("environment") or {})
