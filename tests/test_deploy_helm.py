"""deploy/helm/values.yaml: values for the official Dagster Helm chart (`dagster/dagster`).

Why: there is no cluster or helm binary here, so the values are checked against the chart's
own value names (helm/dagster/schema in the Dagster repository: top-level keys, user deployment
keys), against the locations, and against the root instance's run policy, so that a typo or a
forgotten location fails here rather than at `helm upgrade`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from dag_shared.locations import location as registered
from dag_shared.settings import LOCATIONS

ROOT = Path(__file__).resolve().parents[1]
VALUES = ROOT / "deploy" / "helm" / "values.yaml"
# Field names of the chart's DagsterHelmValues and UserDeployment models (Dagster 1.13 chart).
CHART_TOP_LEVEL_KEYS = {
    "dagsterWebserver",
    "dagster-user-deployments",
    "postgresql",
    "generatePostgresqlPasswordSecret",
    "generateCeleryConfigSecret",
    "rabbitmq",
    "redis",
    "flower",
    "ingress",
    "imagePullSecrets",
    "computeLogManager",
    "scheduler",
    "runLauncher",
    "pythonLogs",
    "dagsterDaemon",
    "busybox",
    "migrate",
    "telemetry",
    "serviceAccount",
    "global",
    "retention",
    "concurrency",
    "additionalInstanceConfig",
}
USER_DEPLOYMENT_KEYS = {
    "name",
    "image",
    "port",
    "dagsterApiGrpcArgs",
    "codeServerArgs",
    "includeConfigInLaunchedRuns",
    "env",
    "envConfigMaps",
    "envSecrets",
    "annotations",
    "nodeSelector",
    "affinity",
    "tolerations",
    "podSecurityContext",
    "securityContext",
    "resources",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "labels",
    "volumeMounts",
    "volumes",
    "schedulerName",
}


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load(VALUES.read_text())


def _deployments(values: dict) -> dict[str, dict]:
    return {d["name"]: d for d in values["dagster-user-deployments"]["deployments"]}


def test_the_helm_values_use_only_keys_the_chart_knows(values):
    assert set(values) <= CHART_TOP_LEVEL_KEYS, set(values) - CHART_TOP_LEVEL_KEYS
    for deployment in values["dagster-user-deployments"]["deployments"]:
        assert set(deployment) <= USER_DEPLOYMENT_KEYS, set(deployment) - USER_DEPLOYMENT_KEYS


def test_the_helm_values_list_one_user_deployment_per_location(values):
    user_deployments = values["dagster-user-deployments"]
    assert user_deployments["enabled"] is True and user_deployments["enableSubchart"] is True
    assert list(_deployments(values)) == list(LOCATIONS)


@pytest.mark.parametrize("location", LOCATIONS)
def test_every_user_deployment_runs_its_location_image_with_secrets_and_a_readiness_probe(values, location):
    deployment = _deployments(values)[location]
    image = deployment["image"]
    assert image["repository"].endswith(f"/dag-{location}") and image["tag"] and image["pullPolicy"]
    args = deployment["codeServerArgs"]
    assert args[args.index("-m") + 1] == registered(location).definitions_module
    assert args[args.index("--location-name") + 1] == location
    assert deployment["port"] == 4000
    assert deployment["envSecrets"] == [{"name": f"dag-{location}-env"}]
    assert deployment["readinessProbe"]["enabled"] is True
    assert deployment["includeConfigInLaunchedRuns"] == {"enabled": True}, "runs get the same env and secrets"
    assert deployment["podSecurityContext"]["runAsNonRoot"] is True
    assert deployment["podSecurityContext"]["runAsUser"] == 10001, "the images' dagster user"
    mounted = {m["name"] for m in deployment["volumeMounts"]}
    assert mounted <= {v["name"] for v in deployment["volumes"]}


def test_runs_launch_as_kubernetes_jobs_after_the_instance_is_migrated(values):
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    assert values["migrate"]["enabled"] is True
    assert "k8sRunLauncher" in values["runLauncher"]["config"]


def test_postgres_is_configured_with_its_password_in_a_secret_not_in_the_values(values):
    postgresql = values["postgresql"]
    if postgresql["enabled"]:
        pytest.fail("the platform expects an external Postgres; the bundled one is for trials")
    assert values["generatePostgresqlPasswordSecret"] is False
    assert values["global"]["postgresqlSecretName"]
    assert "postgresqlPassword" not in postgresql
    assert postgresql["postgresqlHost"] == "", "the host is given at install time, never committed"
    assert postgresql["postgresqlUsername"] and postgresql["postgresqlDatabase"]


def test_the_helm_run_policy_matches_the_root_instance(values):
    root = yaml.safe_load((ROOT / "deploy" / "dagster.local.yaml").read_text())
    daemon, concurrency = values["dagsterDaemon"], values["concurrency"]
    assert daemon["runCoordinator"]["type"] == "QueuedRunCoordinator"
    assert daemon["runRetries"] == {
        "enabled": root["run_retries"]["enabled"],
        "maxRetries": root["run_retries"]["max_retries"],
        "retryOnAssetOrOpFailure": root["run_retries"]["retry_on_asset_or_op_failure"],
    }
    monitoring = root["run_monitoring"]
    assert daemon["runMonitoring"] == {
        "enabled": monitoring["enabled"],
        "startTimeoutSeconds": monitoring["start_timeout_seconds"],
        "cancelTimeoutSeconds": monitoring["cancel_timeout_seconds"],
        "pollIntervalSeconds": monitoring["poll_interval_seconds"],
        "maxResumeRuns": monitoring["max_resume_run_attempts"],
        "freeSlotsAfterRunEndSeconds": monitoring["free_slots_after_run_end_seconds"],
    }
    assert concurrency["enabled"] is True
    assert concurrency["runs"]["maxConcurrentRuns"] == root["concurrency"]["runs"]["max_concurrent_runs"]
    assert (
        concurrency["runs"]["tagConcurrencyLimits"] == root["concurrency"]["runs"]["tag_concurrency_limits"]
    )
    assert concurrency["pools"]["defaultLimit"] == root["concurrency"]["pools"]["default_limit"]
    assert (
        values["retention"]["schedule"]["purgeAfterDays"] == root["retention"]["schedule"]["purge_after_days"]
    )
    assert values["retention"]["sensor"]["purgeAfterDays"] == root["retention"]["sensor"]["purge_after_days"]
    assert values["telemetry"]["enabled"] == root["telemetry"]["enabled"]
    assert values["additionalInstanceConfig"]["freshness"] == root["freshness"]


def test_every_volume_claim_the_values_mount_is_defined_in_the_pvc_manifest(values):
    manifest = list(yaml.safe_load_all((ROOT / "deploy" / "helm" / "location-data-pvcs.yaml").read_text()))
    defined = {doc["metadata"]["name"] for doc in manifest if doc and doc["kind"] == "PersistentVolumeClaim"}
    claimed = {
        volume["persistentVolumeClaim"]["claimName"]
        for deployment in values["dagster-user-deployments"]["deployments"]
        for volume in deployment["volumes"]
        if "persistentVolumeClaim" in volume
    }
    assert claimed == defined == {f"dag-{loc}-data" for loc in LOCATIONS}
