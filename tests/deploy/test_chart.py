"""The Helm chart (deploy/helm/lapor) cannot be installed here (no cluster): keep it true by
rendering it with Helm for every values file, validating what it renders against Kubernetes'
own schemas and the operators' CRDs, and reading it against the code and docker-compose.yml.

Helm and the CRDs come from ``scripts/setup.sh --browser`` (``make test`` runs it): Helm at
``$(go env GOPATH)/bin/helm-<HELM_VERSION>`` or ``$LAPOR_HELM``, the CRDs in ``.local/crds``.
"""

from __future__ import annotations

import functools
import inspect
import math
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

import jsonschema
import kubernetes_validate
import pytest
import yaml
from pydantic import SecretStr
from pydantic_settings import BaseSettings

from services.intake.settings import IntakeSettings
from services.notifier.settings import NotifierSettings
from services.routing.settings import RoutingSettings
from services.sla.settings import SlaSettings
from services.web.settings import WebSettings
from shared.messaging.topology import SUBSCRIPTIONS, queue_names
from harness.helpers import setting_env_names

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "lapor"
SETUP = (ROOT / "scripts" / "setup.sh").read_text()
KUBE_VERSION = "1.37.0"   # the Kubernetes the rendered objects are validated against (Helm 3.22's client libraries)
RELEASE = "lapor"
SERVICES: dict[str, type[BaseSettings]] = {
    "intake": IntakeSettings, "routing": RoutingSettings, "notifier": NotifierSettings,
    "sla": SlaSettings, "web": WebSettings,
}
# the image's own switch (deploy/Dockerfile: python -m services.${LAPOR_SERVICE}), not a setting
IMAGE_SWITCH = "LAPOR_SERVICE"
OPERATOR_KINDS = {("rabbitmq.com", "v1beta1", "RabbitmqCluster"), ("mongodbcommunity.mongodb.com", "v1", "MongoDBCommunity"),
                  ("keda.sh", "v1alpha1", "ScaledObject"), ("keda.sh", "v1alpha1", "TriggerAuthentication")}


def _setup_value(name: str) -> str:
    found = re.search(rf"^{name}=(\S+)", SETUP, re.M)
    assert found, f"scripts/setup.sh sets no {name}"
    return found.group(1).strip('"')


@functools.cache
def _helm() -> str:
    if os.environ.get("LAPOR_HELM"):
        return os.environ["LAPOR_HELM"]
    gopath = None
    if shutil.which("go"):
        gopath = subprocess.run(["go", "env", "GOPATH"], capture_output=True, text=True, check=False).stdout.strip()
    path = Path(gopath or Path.home() / "go") / "bin" / f"helm-{_setup_value('HELM_VERSION')}"
    if not path.is_file():
        pytest.fail(f"no Helm at {path}: run scripts/setup.sh --browser (make test does), or set LAPOR_HELM")
    return str(path)


def _crd_dir() -> Path:
    return Path(os.environ.get("LAPOR_STATE_DIR", ROOT / ".local")) / "crds"


# --- rendering -------------------------------------------------------------------------------

DIRECTORY = ROOT / "data" / "directory" / "demo.yaml"
# each values file, as an operator would install with it (production brings its own directory)
VALUE_SETS: dict[str, list[str]] = {
    "defaults": [],
    "staging": ["-f", str(CHART / "values-staging.yaml")],
    "production": ["-f", str(CHART / "values-production.yaml"), "--set-file", f"directoryLoad.content={DIRECTORY}"],
    "external-engines": ["-f", str(CHART / "values-production.yaml"), "-f", str(CHART / "values-external-engines.yaml"),
                         "--set-file", f"directoryLoad.content={DIRECTORY}"],
}


def helm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_helm(), *args], capture_output=True, text=True, timeout=120, check=False)


def render(*values: str, chart: Path = CHART) -> list[dict[str, Any]]:
    done = helm("template", RELEASE, str(chart), "--namespace", "lapor", "--kube-version", KUBE_VERSION, *values)
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


@dataclass
class Rendered:
    objects: list[dict[str, Any]]
    by_kind: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for obj in self.objects:
            self.by_kind.setdefault(obj["kind"], []).append(obj)

    def kind(self, kind: str) -> list[dict[str, Any]]:
        return self.by_kind.get(kind, [])

    def named(self, kind: str, name: str) -> dict[str, Any]:
        found = [o for o in self.kind(kind) if o["metadata"]["name"] == name]
        assert len(found) == 1, f"{kind}/{name}: {len(found)} rendered"
        return found[0]

    def deployment_of(self, component: str) -> dict[str, Any]:
        return self.named("Deployment", f"{RELEASE}-{component}")

    def environment(self, pod_spec: dict[str, Any], secret: Callable[[str, dict[str, Any]], str]) -> dict[str, str]:
        """The container's environment as the kubelet builds it: ConfigMaps, then env entries
        (a secret's value made by ``secret(env name, secretKeyRef)``)."""
        (container,) = pod_spec["containers"]
        env: dict[str, str] = {}
        for source in container.get("envFrom", []):
            env.update(self.named("ConfigMap", source["configMapRef"]["name"])["data"])
        for entry in container.get("env", []):
            if "value" in entry:
                env[entry["name"]] = entry["value"]
            else:
                env[entry["name"]] = secret(entry["name"], entry["valueFrom"]["secretKeyRef"])
        return env


_rendered: dict[str, Rendered] = {}


def rendered(name: str) -> Rendered:
    """The chart rendered with one of VALUE_SETS (once per test run)."""
    if name not in _rendered:
        _rendered[name] = Rendered(render(*VALUE_SETS[name]))
    return _rendered[name]


@pytest.fixture(params=sorted(VALUE_SETS), scope="module")
def chart(request: pytest.FixtureRequest) -> Rendered:
    return rendered(request.param)


@pytest.fixture(scope="module")
def default_chart() -> Rendered:
    return rendered("defaults")


def _containers(obj: dict[str, Any]) -> Iterator[dict[str, Any]]:
    spec = obj["spec"]["template"]["spec"]
    yield from spec.get("initContainers", [])
    yield from spec["containers"]


def _pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    return obj["spec"]["template"]["spec"]


def _component(obj: dict[str, Any]) -> str:
    return obj["metadata"]["labels"]["app.kubernetes.io/component"]


# --- Helm's own checks ------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(VALUE_SETS))
def test_helm_lint_is_clean_with_each_values_file(name: str) -> None:
    done = helm("lint", "--strict", str(CHART), "--kube-version", KUBE_VERSION, *VALUE_SETS[name])
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[WARNING]" not in done.stdout and "[ERROR]" not in done.stdout, done.stdout


def test_production_refuses_to_load_the_demo_directory_unasked() -> None:
    done = helm("template", RELEASE, str(CHART), "--kube-version", KUBE_VERSION, "-f", str(CHART / "values-production.yaml"))
    assert done.returncode != 0 and "directoryLoad" in done.stderr


def test_values_refuse_an_inlined_secret() -> None:
    done = helm("lint", "--strict", str(CHART), "--set", "secrets.dataKey.value=not-here")
    assert done.returncode != 0 and "additional properties 'value' not allowed" in done.stdout


# --- schemas: Kubernetes' and the operators' --------------------------------------------------

def test_every_core_object_is_valid_for_the_pinned_kubernetes(chart: Rendered) -> None:
    core = [o for o in chart.objects if (o["apiVersion"].rsplit("/", 1)[0], o["apiVersion"].rsplit("/", 1)[-1], o["kind"])
            not in OPERATOR_KINDS]
    assert {"Deployment", "Service", "PodDisruptionBudget", "ConfigMap", "NetworkPolicy", "Job"} <= {o["kind"] for o in core}
    for obj in core:
        try:
            kubernetes_validate.validate(obj, KUBE_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            where = ".".join(str(p) for p in exc.path)
            pytest.fail(f"{obj['kind']}/{obj['metadata']['name']}: {where}: {exc.message}")


def _strict(schema: Any) -> Any:
    """A CRD schema that refuses unknown fields (as the API server's strict field validation
    does; by default it would drop them silently, which hides a misspelt field)."""
    if isinstance(schema, dict):
        schema = {k: _strict(v) for k, v in schema.items()}
        if "properties" in schema and "additionalProperties" not in schema \
                and not schema.get("x-kubernetes-preserve-unknown-fields"):
            schema["additionalProperties"] = False
        return schema
    if isinstance(schema, list):
        return [_strict(v) for v in schema]
    return schema


def _crd_schemas() -> dict[tuple[str, str, str], dict[str, Any]]:
    folder = _crd_dir()
    if not folder.is_dir():
        pytest.fail(f"no CRDs in {folder}: run scripts/setup.sh --browser (make test does)")
    schemas = {}
    for path in sorted(folder.glob("*.yaml")):
        for crd in yaml.safe_load_all(path.read_text()):
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            for version in crd["spec"]["versions"]:
                key = (crd["spec"]["group"], version["name"], crd["spec"]["names"]["kind"])
                schemas[key] = _strict(version["schema"]["openAPIV3Schema"])
    return schemas


def test_every_custom_resource_is_valid_for_its_operators_crd(chart: Rendered) -> None:
    schemas = _crd_schemas()
    assert OPERATOR_KINDS <= set(schemas), f"CRDs missing: {OPERATOR_KINDS - set(schemas)}"
    custom = [o for o in chart.objects if "/" in o["apiVersion"] and "." in o["apiVersion"].split("/")[0]
              and not o["apiVersion"].split("/")[0].endswith(".k8s.io")]
    for obj in custom:
        group, version = obj["apiVersion"].split("/")
        key = (group, version, obj["kind"])
        assert key in OPERATOR_KINDS, f"{key}: a custom resource the tests do not know"
        errors = sorted(jsonschema.Draft7Validator(schemas[key]).iter_errors(obj), key=lambda e: list(e.path))
        assert not errors, f"{obj['kind']}/{obj['metadata']['name']}: " + "; ".join(
            f"{'.'.join(map(str, e.path))}: {e.message}" for e in errors)


def test_the_engines_are_operator_objects_or_external_urls(chart: Rendered) -> None:
    clusters, replica_sets = chart.kind("RabbitmqCluster"), chart.kind("MongoDBCommunity")
    urls = {e["name"]: e["valueFrom"]["secretKeyRef"] for c in _containers(chart.deployment_of("routing"))
            for e in c["env"] if e["name"] in ("LAPOR_MONGO_URL", "LAPOR_AMQP_URL")}
    if clusters:
        (rabbit,) = clusters
        assert urls["LAPOR_AMQP_URL"] == {"name": f"{rabbit['metadata']['name']}-default-user", "key": "connection_string"}
    else:
        assert urls["LAPOR_AMQP_URL"]["name"] == "lapor-engines"
    if replica_sets:
        (mongo,) = replica_sets
        (user,) = mongo["spec"]["users"]
        assert urls["LAPOR_MONGO_URL"] == {"name": user["connectionStringSecretName"], "key": "connectionString.standard"}
        assert "SCRAM" in mongo["spec"]["security"]["authentication"]["modes"]
    else:
        assert urls["LAPOR_MONGO_URL"]["name"] == "lapor-engines"


def test_production_engines_have_three_members() -> None:
    production = rendered("production")
    assert production.kind("RabbitmqCluster")[0]["spec"]["replicas"] == 3
    assert production.kind("MongoDBCommunity")[0]["spec"]["members"] == 3


# --- what matters in production ---------------------------------------------------------------

def test_no_secret_is_rendered(chart: Rendered) -> None:
    assert chart.kind("Secret") == []
    secret_names = {f"LAPOR_{n.upper()}" for cls in SERVICES.values() for n, f in cls.model_fields.items()
                    if SecretStr in (get_args(f.annotation) or (f.annotation,))} | {"LAPOR_MONGO_URL", "LAPOR_AMQP_URL"}
    for cm in chart.kind("ConfigMap"):
        assert not set(cm.get("data", {})) & secret_names, f"ConfigMap/{cm['metadata']['name']} holds a secret"
    for obj in chart.kind("Deployment") + chart.kind("Job"):
        for container in _containers(obj):
            for entry in container.get("env", []):
                if entry["name"] in secret_names:
                    assert "secretKeyRef" in entry.get("valueFrom", {}), f"{entry['name']} given as a value"


def test_no_secret_value_or_machine_path_in_the_chart() -> None:
    from services.intake.settings import DEV_SMS_TOKENS
    from services.web.settings import DEV_OIDC_SECRET, DEV_SESSION_KEY
    from shared.settings import DEV_DATA_KEY, DEV_JWT_KEY, DEV_LOOKUP_KEY, DEV_OPERATOR_TOKEN

    placeholders = {DEV_DATA_KEY, DEV_JWT_KEY, DEV_LOOKUP_KEY, DEV_OPERATOR_TOKEN, DEV_OIDC_SECRET, DEV_SESSION_KEY,
                    *(t for t in DEV_SMS_TOKENS if len(t) > 6), "lapor-dev-secret"}
    for path in CHART.rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert not [p for p in placeholders if p in text], path
            assert not re.search(r"^kind:\s*Secret\b|stringData:", text, re.M), path
            assert str(ROOT) not in text and "/root/" not in text and "/home/" not in text, path


def test_every_container_is_non_root_and_read_only(chart: Rendered) -> None:
    for obj in chart.kind("Deployment") + chart.kind("Job"):
        pod = _pod_spec(obj)
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert pod.get("automountServiceAccountToken") is False
        for container in _containers(obj):
            sc = container["securityContext"]
            assert sc["runAsNonRoot"] is True and sc["readOnlyRootFilesystem"] is True, obj["metadata"]["name"]
            assert sc["allowPrivilegeEscalation"] is False and sc["capabilities"]["drop"] == ["ALL"]
            assert sc["seccompProfile"] == {"type": "RuntimeDefault"}
            mounts = {m["mountPath"] for m in container.get("volumeMounts", [])}
            if container["image"].startswith("lapor:"):
                assert "/tmp" in mounts          # uploads are checked in a temporary folder
                assert container["resources"]["requests"] and container["resources"]["limits"]


def test_the_image_runs_as_the_uid_the_chart_names(default_chart: Rendered) -> None:
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    uid = int(re.search(r"--uid (\d+)", dockerfile).group(1))
    for obj in default_chart.kind("Deployment"):
        if _component(obj) in SERVICES:
            assert _pod_spec(obj)["securityContext"]["runAsUser"] == uid


def _walk(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    for route in routes:
        if hasattr(route, "original_router"):   # an included router (FastAPI resolves them lazily)
            yield from _walk(route.original_router.routes, prefix + route.include_context.prefix)
        elif hasattr(route, "path"):
            yield prefix + route.path, set(getattr(route, "methods", None) or {"GET"})


APPS: dict[str, Any] = {}


def app_of(name: str) -> Any:
    """The service's FastAPI app, made as its __main__ makes it (not started: no lifespan)."""
    import importlib

    if name not in APPS:
        APPS[name] = importlib.import_module(f"services.{name}.main").create_app(SERVICES[name](environment="development"))
    return APPS[name]


def _app_routes(name: str) -> dict[str, set[str]]:
    """Every path the service's app answers, with its methods."""
    routes: dict[str, set[str]] = {}
    for path, methods in _walk(app_of(name).routes):
        routes.setdefault(path, set()).update(methods)
    return routes


async def _status(name: str, path: str) -> int:
    """GET path from the service's app in process; its lifespan (database, broker) does not run."""
    import httpx

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app_of(name)), base_url="http://probe") as client:
        return (await client.get(path)).status_code


ROUTES: dict[str, dict[str, set[str]]] = {}


def routes_of(name: str) -> dict[str, set[str]]:
    if name not in ROUTES:
        ROUTES[name] = _app_routes(name)
    return ROUTES[name]


async def test_every_service_has_probes_on_its_own_routes_and_port(chart: Rendered) -> None:
    for name, cls in SERVICES.items():
        deployment = chart.deployment_of(name)
        (container,) = _pod_spec(deployment)["containers"]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports == {"http": cls.model_fields["port"].default}, name
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            get = container[probe]["httpGet"]
            assert ports.get(get["port"], get["port"]) == cls.model_fields["port"].default, (name, probe)
            assert "GET" in routes_of(name).get(get["path"], set()), f"{name} has no GET {get['path']} ({probe})"
        assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
        assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
        live = container["livenessProbe"]["httpGet"]["path"]
        assert await _status(name, live) == 200, f"{name}: {live} does not answer"
        service = chart.named("Service", deployment["metadata"]["name"])
        assert service["spec"]["ports"][0]["port"] == cls.model_fields["port"].default


def _drain_seconds() -> float:
    """The longest a service takes from SIGTERM to exit: uvicorn's graceful shutdown of open
    requests, then the consumer's drain, then the outbox relay's (shared/runner.py, runtime.py)."""
    import uvicorn

    from shared.messaging.consumer import EventConsumer
    from shared.runner import serve
    from shared.storage.outbox import OutboxRelay

    seen: dict[str, Any] = {}
    original = uvicorn.run
    uvicorn.run = lambda *a, **kw: seen.update(kw)  # type: ignore[assignment]
    try:
        serve("x:y", IntakeSettings(environment="development"))
    finally:
        uvicorn.run = original  # type: ignore[assignment]
    http = seen["timeout_graceful_shutdown"]
    consumer = inspect.signature(EventConsumer.stop).parameters["drain_timeout"].default
    relay = inspect.signature(OutboxRelay.stop).parameters["drain_timeout"].default
    return float(http + consumer + relay)


def test_the_grace_period_outlasts_the_drain(chart: Rendered) -> None:
    drain = _drain_seconds()
    assert drain >= 30
    for name in SERVICES:
        pod = _pod_spec(chart.deployment_of(name))
        (container,) = pod["containers"]
        pre_stop = container["lifecycle"]["preStop"]["exec"]["command"]
        assert pre_stop[0] == "sleep"
        assert pod["terminationGracePeriodSeconds"] > float(pre_stop[1]) + drain, name


def test_compose_lets_every_service_finish_its_drain() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    drain = _drain_seconds()
    for name in SERVICES:
        grace = compose["services"][name].get("stop_grace_period", "10s")   # Docker's default
        assert float(grace.removesuffix("s")) > drain, (name, grace)


def test_consumers_scale_on_their_own_queue(chart: Rendered) -> None:
    scaled = chart.kind("ScaledObject")
    assert {o["spec"]["scaleTargetRef"]["name"] for o in scaled} <= {f"{RELEASE}-{n}" for n in ("routing", "notifier", "sla")}
    auth = {a["metadata"]["name"]: a for a in chart.kind("TriggerAuthentication")}
    for obj in scaled:
        target = obj["spec"]["scaleTargetRef"]["name"]
        component = target.removeprefix(f"{RELEASE}-")
        chart.deployment_of(component)
        assert component in SUBSCRIPTIONS
        (trigger,) = obj["spec"]["triggers"]
        assert trigger["type"] == "rabbitmq"
        assert trigger["metadata"]["queueName"] == queue_names(component).main
        (ref,) = auth[trigger["authenticationRef"]["name"]]["spec"]["secretTargetRef"]
        deployment_amqp = next(e["valueFrom"]["secretKeyRef"] for e in _pod_spec(chart.deployment_of(component))
                               ["containers"][0]["env"] if e["name"] == "LAPOR_AMQP_URL")
        assert ref["parameter"] == "host" and {"name": ref["name"], "key": ref["key"]} == deployment_amqp
        # KEDA owns the replica count: a fixed one would be reset at every upgrade
        assert "replicas" not in chart.deployment_of(component)["spec"]
    hpas = {o["spec"]["scaleTargetRef"]["name"] for o in chart.kind("HorizontalPodAutoscaler")}
    assert hpas <= {f"{RELEASE}-web", f"{RELEASE}-intake"}


def test_default_autoscaling_is_cpu_for_web_and_intake_and_queues_for_consumers(default_chart: Rendered) -> None:
    hpas = {o["spec"]["scaleTargetRef"]["name"]: o for o in default_chart.kind("HorizontalPodAutoscaler")}
    assert set(hpas) == {f"{RELEASE}-web", f"{RELEASE}-intake"}
    scaled = {o["spec"]["scaleTargetRef"]["name"] for o in default_chart.kind("ScaledObject")}
    assert scaled == {f"{RELEASE}-{n}" for n in ("routing", "notifier", "sla")}
    for hpa in hpas.values():
        assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"


@pytest.mark.parametrize("name", sorted(VALUE_SETS))
def test_scaling_the_notifier_out_never_sends_above_the_contracted_rates(name: str) -> None:
    """The notifier's send rates are per process: at its maximum replicas the sum stays within
    the platform's budget (the values' sendingBudget), whatever the values file."""
    budget = yaml.safe_load((CHART / "values.yaml").read_text())["sendingBudget"]
    for flag, path in zip(VALUE_SETS[name][::2], VALUE_SETS[name][1::2]):
        if flag == "-f":
            budget = {**budget, **(yaml.safe_load(Path(path).read_text()) or {}).get("sendingBudget", {})}
    chart = rendered(name)
    deployment = chart.deployment_of("notifier")
    env = _chart_env(chart, _pod_spec(deployment))
    scaler = [o for o in chart.kind("ScaledObject") if o["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]]
    replicas = scaler[0]["spec"]["maxReplicaCount"] if scaler else deployment["spec"]["replicas"]
    # a rolling update runs up to maxSurge more at once (a percentage is rounded up)
    surge = str(deployment["spec"]["strategy"]["rollingUpdate"]["maxSurge"])
    at_once = replicas + (math.ceil(replicas * int(surge[:-1]) / 100) if surge.endswith("%") else int(surge))
    for setting, key in (("LAPOR_RATE_SMS_PER_S", "smsPerSecond"), ("LAPOR_RATE_EMAIL_PER_S", "emailPerSecond")):
        per_process = float(env.get(setting, NotifierSettings.model_fields[setting.removeprefix("LAPOR_").lower()].default))
        assert per_process * at_once <= budget[key] + 1e-9, (setting, per_process, at_once, budget[key])


def test_behind_the_ingress_the_portal_and_intake_believe_the_same_proxies(chart: Rendered) -> None:
    """The ingress terminates TLS and names the citizen: the portal must believe its
    X-Forwarded-* (https links, the citizen's address) and intake the portal's and the ingress's."""
    web = _chart_env(chart, _pod_spec(chart.deployment_of("web")))
    intake = _chart_env(chart, _pod_spec(chart.deployment_of("intake")))
    assert yaml.safe_load(web["LAPOR_FORWARDED_ALLOW_IPS"]) == yaml.safe_load(intake["LAPOR_TRUSTED_PROXIES"]) != []


def test_operator_managed_engines_lose_one_member_at_a_time(chart: Rendered) -> None:
    """The operators make no disruption budget: the chart's keep quorum through a node drain."""
    budgets = [o["spec"] for o in chart.kind("PodDisruptionBudget")]
    wanted = [{"app.kubernetes.io/name": o["metadata"]["name"]} for o in chart.kind("RabbitmqCluster")]
    wanted += [{"app": f'{o["metadata"]["name"]}-svc'} for o in chart.kind("MongoDBCommunity")]
    for labels in wanted:
        assert any(b["selector"]["matchLabels"] == labels and b["maxUnavailable"] == 1 for b in budgets), labels
    for cluster in chart.kind("RabbitmqCluster"):
        config = cluster["spec"]["rabbitmq"]["additionalConfig"]
        assert "cluster_partition_handling = pause_minority" in config and "queue_leader_locator = balanced" in config
        assert cluster["spec"]["image"].startswith("rabbitmq:3.")


def test_every_service_has_a_disruption_budget(chart: Rendered) -> None:
    budgets = {o["metadata"]["name"]: o for o in chart.kind("PodDisruptionBudget")}
    for name in SERVICES:
        deployment = chart.deployment_of(name)
        budget = budgets[deployment["metadata"]["name"]]
        assert budget["spec"]["selector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"]


# --- network policies -------------------------------------------------------------------------

def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.get("matchLabels", {}).items()) and all(
        (labels.get(e["key"]) in e["values"]) == (e["operator"] == "In") for e in selector.get("matchExpressions", []))


def test_network_policies_deny_by_default_and_open_only_the_drawn_paths(chart: Rendered) -> None:
    policies = chart.kind("NetworkPolicy")
    deny = [p for p in policies if p["metadata"]["name"].endswith("-default-deny")]
    assert len(deny) == 1 and set(deny[0]["spec"]["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny[0]["spec"] and "egress" not in deny[0]["spec"]
    for obj in chart.kind("Deployment") + chart.kind("Job"):
        labels = obj["spec"]["template"]["metadata"]["labels"]
        assert _selects(deny[0]["spec"]["podSelector"], labels), obj["metadata"]["name"]

    def rules(component: str, direction: str) -> list[dict[str, Any]]:
        labels = chart.deployment_of(component)["spec"]["template"]["metadata"]["labels"]
        return [r for p in policies if _selects(p["spec"]["podSelector"], labels) for r in p["spec"].get(direction, [])]

    def ports(rule: dict[str, Any]) -> set[int]:
        return {p["port"] for p in rule.get("ports", [])}

    for rule in rules("web", "ingress") + rules("intake", "ingress"):
        assert rule.get("from"), "an ingress rule without peers admits everyone"
    for name in ("routing", "notifier", "sla", "intake", "web"):
        for rule in rules(name, "egress"):
            assert rule.get("to"), f"{name}: an egress rule without peers reaches everywhere"
    web_ports = set().union(*(ports(r) for r in rules("web", "egress")))
    assert {8001, 8002, 8003, 8004} <= web_ports
    for backend in ("intake", "routing", "notifier", "sla"):
        egress = set().union(*(ports(r) for r in rules(backend, "egress")))
        assert {27017, 5672} <= egress, backend
        if any(_component(d) == "otel-collector" for d in chart.kind("Deployment")):
            assert 4318 in egress       # OTLP/HTTP to the collector
    assert {27017, 5672}.isdisjoint(set().union(*(ports(r) for r in rules("web", "egress"))))
    # only the services that outsiders call are reached from the ingress controller
    controller = {"kubernetes.io/metadata.name": "ingress-nginx"}
    for name in SERVICES:
        from_controller = any(peer.get("namespaceSelector", {}).get("matchLabels") == controller
                              for r in rules(name, "ingress") for peer in r["from"])
        assert from_controller == (name in {"web", "intake", "notifier"}), name
    smtp = set().union(*(ports(r) for r in rules("notifier", "egress")))
    assert {25, 587, 13013, 443} <= smtp
    for name in ("routing", "sla", "intake"):
        assert not {25, 587, 13013} & set().union(*(ports(r) for r in rules(name, "egress"))), name


# --- ingress ----------------------------------------------------------------------------------

def test_ingress_routes_only_to_paths_the_services_answer(default_chart: Rendered) -> None:
    ingresses = {o["metadata"]["name"]: o for o in default_chart.kind("Ingress")}
    assert set(ingresses) == {f"{RELEASE}-portal", f"{RELEASE}-api"}
    # staff sign-in is held by one web replica: the portal is sticky, the API is not
    assert ingresses[f"{RELEASE}-portal"]["metadata"]["annotations"]["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert "nginx.ingress.kubernetes.io/affinity" not in ingresses[f"{RELEASE}-api"]["metadata"]["annotations"]
    seen: dict[str, set[str]] = {}
    for rule in (r for o in ingresses.values() for r in o["spec"]["rules"]):
        for path in rule["http"]["paths"]:
            component = path["backend"]["service"]["name"].removeprefix(f"{RELEASE}-")
            prefix = path["path"]
            seen.setdefault(component, set()).add(prefix)
            answered = [p for p in routes_of(component) if prefix == "/" or p == prefix or p.startswith(prefix + "/")]
            assert answered, f"{component} answers nothing under {prefix}"
            assert path["backend"]["service"]["port"]["number"] == SERVICES[component].model_fields["port"].default
    assert "/v1/sms/inbound" in seen["intake"] and "/v1/sms/dlr" in seen["notifier"]   # Kannel's callbacks
    assert set(seen) == {"web", "intake", "notifier"}
    assert not any(p in ("/metrics", "/docs") for paths in seen.values() for p in paths)


# --- the chart, compose and the code declare the same -----------------------------------------

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def _compose_env(service: str) -> dict[str, str]:
    """A compose service's environment with the operator's variables filled in
    (``${X:?…}`` with a made-up value, ``${X:-d}`` with its default)."""
    def fill(value: str) -> str:
        value = re.sub(r"\$\{([A-Z_]+):\?[^}]*\}", lambda m: f"deploy-{m.group(1).lower()}", value)
        return re.sub(r"\$\{([A-Z_]+):-([^}]*)\}", lambda m: m.group(2), value)
    return {k: fill(str(v)) for k, v in (COMPOSE["services"][service].get("environment") or {}).items()}


def _chart_env(chart: Rendered, pod_spec: dict[str, Any]) -> dict[str, str]:
    return chart.environment(pod_spec, lambda name, ref: f"from-{ref['name']}-{ref['key']}")




def _settings_from(cls: type[BaseSettings], env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> BaseSettings:
    with monkeypatch.context() as m:
        for key in list(os.environ):
            if key.startswith(("LAPOR_", "OTEL_")):
                m.delenv(key)
        for key, value in env.items():
            m.setenv(key, value)
        return cls()


def _production_required(cls: type[BaseSettings], monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """What production refuses at the defaults (shared.settings.refuse_development_values):
    the development secrets and the console providers; they must be set for production."""
    defaults = _settings_from(cls, {}, monkeypatch)
    if hasattr(defaults, "development_values"):
        flagged = {name for name, is_dev in defaults.development_values() if is_dev}
        return flagged | set(defaults.console_providers())
    # the portal names its secrets in its own validator: ask it
    try:
        _settings_from(cls, {"LAPOR_ENVIRONMENT": "production"}, monkeypatch)
    except ValueError as exc:
        return set(re.findall(r"LAPOR_[A-Z_]+", str(exc)))
    return set()


def test_chart_compose_and_code_declare_the_same_services(default_chart: Rendered) -> None:
    code = {p.parent.name for p in (ROOT / "services").glob("*/__main__.py")}
    compose = {name for name, svc in COMPOSE["services"].items()
               if svc.get("build", {}).get("args", {}).get("SERVICE") == name and "command" not in svc}
    chart = {_component(d) for d in default_chart.kind("Deployment") if d["spec"]["template"]["spec"]["containers"][0]
             ["image"].startswith("lapor:")}
    assert code == compose == chart == set(SERVICES)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_chart_compose_and_code_agree_on_port_probes_and_settings(name: str, chart: Rendered,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    cls = SERVICES[name]
    port = cls.model_fields["port"].default
    compose_env = _compose_env(name)
    deployment = chart.deployment_of(name)
    chart_env = _chart_env(chart, _pod_spec(deployment))
    # the same port, and the same readiness path
    assert compose_env["LAPOR_PORT"] == chart_env["LAPOR_PORT"] == str(port)
    compose_check = " ".join(COMPOSE["services"][name]["healthcheck"]["test"])
    ready = _pod_spec(deployment)["containers"][0]["readinessProbe"]["httpGet"]["path"]
    assert f"127.0.0.1:{port}{ready}" in compose_check
    # every LAPOR_* name either sets is a setting of that service
    known = setting_env_names(cls)
    assert chart_env.pop(IMAGE_SWITCH) == name
    assert f"services.${{{IMAGE_SWITCH}}}" in (ROOT / "deploy" / "Dockerfile").read_text()
    assert set(chart_env) - known == set(), f"the chart sets what {name} does not read: {set(chart_env) - known}"
    assert set(compose_env) - known == set(), f"compose sets what {name} does not read: {set(compose_env) - known}"
    # the chart sets all that compose sets (and may say more, e.g. the S3 region)
    assert set(compose_env) - set(chart_env) == set(), f"compose sets, the chart not: {set(compose_env) - set(chart_env)}"
    # what production requires is set by both, and both pass the production checks
    required = _production_required(cls, monkeypatch)
    assert required, f"{name}: production requires nothing?"
    for env in (chart_env, compose_env):
        settings = _settings_from(cls, env, monkeypatch)
        assert settings.environment == "production"
        missing = {n for n in required if n not in env}
        # a JWT key is not needed where the keys come from the provider's JWKS
        if "LAPOR_JWT_JWKS_URL" in env:
            missing.discard("LAPOR_JWT_KEY")
        assert missing == set(), f"{name}: production needs {missing}"


def test_the_directory_load_runs_with_routings_settings_in_production(chart: Rendered,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (job,) = chart.kind("Job")
    (container,) = _pod_spec(job)["containers"]
    assert container["command"][:4] == ["python", "-m", "services.routing.cli", "load-directory"]
    compose_loader = COMPOSE["services"]["directory-loader"]["command"]
    assert container["command"][:4] == compose_loader[:4]
    env = _chart_env(chart, _pod_spec(job))
    settings = _settings_from(RoutingSettings, env, monkeypatch)
    assert settings.service_name == "directory-loader" and env["LAPOR_MONGO_URL"].startswith("from-")
    assert job["metadata"]["annotations"]["helm.sh/hook"] == "post-install,post-upgrade"
    path = container["command"][4]
    if path.startswith("/etc/lapor/"):
        mounted = {m["mountPath"] for m in container["volumeMounts"]}
        assert str(Path(path).parent) in mounted
        data = chart.named("ConfigMap", f"{RELEASE}-directory")["data"][Path(path).name]
        assert yaml.safe_load(data)["version"]
    else:
        assert (ROOT / path).is_file()      # the image holds the repository's data/


def test_sla_policies_are_the_images_or_a_mounted_folder(default_chart: Rendered) -> None:
    env = _chart_env(default_chart, _pod_spec(default_chart.deployment_of("sla")))
    assert (ROOT / env["LAPOR_POLICY_DIR"]).is_dir()
    policy = (ROOT / "data" / "sla" / "policies").glob("*.yaml").__next__()
    key = policy.name.replace(".", "\\.")     # a file name is one key: its dots escaped for --set-file
    mounted = Rendered(render("--set-file", f"slaPolicies.{key}={policy}"))
    sla = mounted.deployment_of("sla")
    env = _chart_env(mounted, _pod_spec(sla))
    mounts = {m["mountPath"]: m["name"] for m in _pod_spec(sla)["containers"][0]["volumeMounts"]}
    assert env["LAPOR_POLICY_DIR"] in mounts
    (cm,) = [c for c in mounted.kind("ConfigMap") if c["metadata"]["name"].endswith("-sla-policies")]
    assert yaml.safe_load(next(iter(cm["data"].values()))) == yaml.safe_load(policy.read_text())


def test_service_links_do_not_leak_into_the_settings(chart: Rendered) -> None:
    # Kubernetes would set LAPOR_<SERVICE>_PORT=tcp://… for every Service: the settings' prefix
    for obj in chart.kind("Deployment") + chart.kind("Job"):
        assert _pod_spec(obj)["enableServiceLinks"] is False, obj["metadata"]["name"]
