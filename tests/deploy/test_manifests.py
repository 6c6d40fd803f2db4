"""deploy/ checked offline: every Kubernetes object against its API schema (kubernetes-validate),
the Strimzi topics against the catalogue, the compose file against the compose-spec schema
(check-jsonschema's copy), and the rules the image, compose and manifests must keep."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from aftersales_events.services import SERVICE_NAMES

from .kit import DEPLOY, deploy_module, documents, documents_of_text

K8S_VERSION = "1.33.0"
BASE = DEPLOY / "k8s" / "base"
OVERLAYS = ("dev", "prod")

# The fields of a Strimzi KafkaTopic (kafka.strimzi.io/v1beta2) these manifests use; the
# Kubernetes schemas do not know the custom resource.
KAFKA_TOPIC_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "kafka.strimzi.io/v1beta2"},
        "kind": {"const": "KafkaTopic"},
        "metadata": {
            "type": "object",
            "required": ["name", "labels"],
            "properties": {
                "name": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 253},
                "labels": {"type": "object", "required": ["strimzi.io/cluster"]},
            },
        },
        "spec": {
            "type": "object",
            "required": ["topicName", "partitions", "replicas"],
            "additionalProperties": False,
            "properties": {
                "topicName": {"type": "string"},
                "partitions": {"type": "integer", "minimum": 1},
                "replicas": {"type": "integer", "minimum": 1, "maximum": 32767},
                "config": {"type": "object", "additionalProperties": {"type": ["string", "integer", "boolean"]}},
            },
        },
    },
}


def _validate(objects: list[dict[str, Any]]) -> None:
    for obj in objects:
        if obj["kind"] == "KafkaTopic":
            jsonschema.validate(obj, KAFKA_TOPIC_SCHEMA)
        else:
            kubernetes_validate.validate(obj, K8S_VERSION, strict=True)


def _base_objects() -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((BASE / "kustomization.yaml").read_text())
    return [obj for resource in kustomization["resources"] for obj in documents(BASE / resource)]


def test_generated_files_are_current() -> None:
    assert deploy_module("generate").main(["--check"]) == 0, "run .venv/bin/python deploy/generate.py"
    assert deploy_module("dashboards").main(["--check"]) == 0, "run .venv/bin/python deploy/dashboards.py"


def test_every_base_object_matches_its_schema() -> None:
    objects = _base_objects()
    assert len(objects) > 30
    _validate(objects)


def test_a_broken_object_is_refused() -> None:
    """The check can fail: a probe's port of the wrong type and an unknown field are caught."""
    deployment = next(o for o in _base_objects() if o["kind"] == "Deployment")
    broken = yaml.safe_load(yaml.safe_dump(deployment))
    broken["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["port"] = {"no": "port"}
    with pytest.raises(kubernetes_validate.ValidationError):
        _validate([broken])
    unknown = yaml.safe_load(yaml.safe_dump(deployment))
    unknown["spec"]["replicaz"] = 2
    with pytest.raises(kubernetes_validate.ValidationError):
        _validate([unknown])
    topic = next(o for o in _base_objects() if o["kind"] == "KafkaTopic")
    with pytest.raises(jsonschema.ValidationError):
        _validate([{**topic, "spec": {**topic["spec"], "partitions": 0}}])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_overlay_renders_to_valid_objects(overlay: str) -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl (its built-in kustomize) is not installed; the base is validated without it")
    rendered = subprocess.run(
        [kubectl, "kustomize", str(DEPLOY / "k8s" / "overlays" / overlay)], check=True, capture_output=True, text=True
    ).stdout
    objects = documents_of_text(rendered)
    _validate(objects)
    namespace = {"dev": "aftersales-dev", "prod": "aftersales"}[overlay]
    assert {o["metadata"].get("namespace") for o in objects} == {namespace}
    topics = [o for o in objects if o["kind"] == "KafkaTopic"]
    replicas = {"dev": (1, "1"), "prod": (3, "2")}[overlay]
    assert {(t["spec"]["replicas"], t["spec"]["config"]["min.insync.replicas"]) for t in topics} == {replicas}


def test_topics_are_the_catalogues_with_their_dlqs() -> None:
    generate = deploy_module("generate")
    topics = {o["spec"]["topicName"]: o["spec"]["partitions"] for o in documents(BASE / "kafka-topics.yaml")}
    assert topics == dict(generate.all_topics())
    assert {"returns.events", "returns.events.dlq", "finance.events", "aftersales.relay-markers"} <= set(topics)
    listed = [line.split() for line in (DEPLOY / "kafka" / "topics.txt").read_text().splitlines()]
    assert {name: int(n) for name, n in (row for row in listed if row and not row[0].startswith("#"))} == topics


def test_each_service_is_deployed_with_probes_limits_scaling_and_a_migration_job() -> None:
    objects = _base_objects()
    by_kind: dict[str, dict[str, dict[str, Any]]] = {}
    for obj in objects:
        by_kind.setdefault(obj["kind"], {})[obj["metadata"]["name"]] = obj
    for name in SERVICE_NAMES:
        pod = by_kind["Deployment"][name]["spec"]["template"]["spec"]
        [server] = pod["containers"]
        assert server["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert server["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert set(server["resources"]) == {"requests", "limits"}
        env = {e["name"]: e for e in server["env"]}
        drain = int(env["GRACEFUL_SHUTDOWN_SECONDS"]["value"])
        # preStop pause + uvicorn's drain + the outbox flush (10 s) must fit the grace period
        assert pod["terminationGracePeriodSeconds"] >= server["lifecycle"]["preStop"]["sleep"]["seconds"] + drain + 10
        assert env[f"{name.upper()}_KAFKA_IDEMPOTENCE"]["value"] == "true"
        assert "secretKeyRef" in env[f"{name.upper()}_JWT_SECRET"]["valueFrom"]
        assert pod["initContainers"][0]["args"][3:5] == [name, "check"]
        assert by_kind["Job"][f"{name}-migrate"]["spec"]["template"]["spec"]["containers"][0]["args"] == ["migrate"]
        assert by_kind["HorizontalPodAutoscaler"][name]["spec"]["scaleTargetRef"]["name"] == name
        assert name in by_kind["PodDisruptionBudget"]
        egress = by_kind["NetworkPolicy"][name]["spec"]["egress"]
        reached = [peer["podSelector"]["matchLabels"] for rule in egress for peer in rule["to"]]
        assert {"cnpg.io/cluster": f"{name}-db"} in reached  # its own database, no other
        assert not [r for r in reached if "cnpg.io/cluster" in r and r["cnpg.io/cluster"] != f"{name}-db"]
    assert by_kind["Deployment"]["returns"]["spec"]["replicas"] == 2
    assert by_kind["NetworkPolicy"]["default-deny"]["spec"]["podSelector"] == {}


def test_compose_file_matches_the_compose_spec() -> None:
    checked = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec",
         str(DEPLOY / "compose.yaml")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_compose_stack_has_every_part_and_no_secret() -> None:
    text = (DEPLOY / "compose.yaml").read_text()
    compose = yaml.safe_load(text)
    services = compose["services"]
    assert {"postgres", "kafka", "kafka-init", "prometheus", "grafana", "otel-collector"} <= set(services)
    for name in SERVICE_NAMES:
        assert services[f"{name}-migrate"]["command"] == ["migrate"]
        assert services[name]["depends_on"][f"{name}-migrate"] == {"condition": "service_completed_successfully"}
        assert services[name]["depends_on"]["kafka-init"] == {"condition": "service_completed_successfully"}
        env = services[name]["environment"]
        assert env[f"{name.upper()}_JWT_SECRET_FILE"] == "/run/secrets/jwt_secret"
        assert re.fullmatch(rf"postgresql://{name}:\$\{{{name.upper()}_DB_PASSWORD:\?\}}@postgres:5432/aftersales_{name}",
                            env[f"{name.upper()}_DATABASE_URL"])  # fmt: skip
    assert services["returns"]["deploy"]["replicas"] == 2
    assert services["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert services["kafka"]["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    # Every password is a reference to the environment, never a value.
    for key, value in services["postgres"]["environment"].items():
        if "PASSWORD" in key:
            assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]*\}", value), key
    assert compose["secrets"]["jwt_secret"] == {"environment": "JWT_SECRET"}


def test_the_image_is_multi_stage_hashed_non_root_and_health_checked() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", dockerfile, re.M)) == 2
    assert "--require-hashes" in dockerfile
    assert "requirements.lock" in dockerfile
    [user] = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert not user.startswith(("root", "0:", "0"))
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", dockerfile, re.M)
    entrypoint = (DEPLOY / "entrypoint.sh").read_text()
    assert "aftersales_chassis.migrate" in entrypoint
    assert "--timeout-graceful-shutdown" in entrypoint
    ignored = (DEPLOY.parent / ".dockerignore").read_text().splitlines()
    assert "**" in ignored
    assert "!requirements.lock" in ignored
