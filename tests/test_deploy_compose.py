"""The container stack: docker-compose.yml, workspace.compose.yaml and deploy/dagster.compose.yaml.

Why: the stack cannot be started here (no Docker engine), so these tests check what can be checked
without one: compose validates and resolves (`docker-compose config`, from Debian's docker-compose
package that `.ci/run` installs; a structural Python check when it is missing), every location has
its code server with image, health check and container context, start-up order is enforced, and
the container instance matches the root instance and loads its DockerRunLauncher.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from dag_shared.locations import location as registered
from dag_shared.settings import LOCATIONS

ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = ROOT / "docker-compose.yml"
# Stand-ins for `.env` while resolving: the file itself must carry no value.
PLACEHOLDER_ENV = {"POSTGRES_PASSWORD": "placeholder-not-a-secret"}
COMPOSE_NETWORK = "dag-platform"
HOST_COMMANDS = {
    "migrate": ["dagster", "instance", "migrate"],
    "webserver": ["dagster-webserver", "-h", "0.0.0.0", "-p", "3000", "-w", "/opt/dagster/workspace.yaml"],
    "daemon": ["dagster-daemon", "run", "-w", "/opt/dagster/workspace.yaml"],
}
# Set by compose itself from POSTGRES_USER/POSTGRES_PASSWORD (libpq's own names), not from `.env`.
COMPOSE_DERIVED_VARIABLES = {"PGUSER", "PGPASSWORD"}
_INTERPOLATION = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")


def _interpolate(value, env: dict[str, str]):
    """Compose's variable substitution (`${X}`, `${X:-d}`, `${X-d}`, `${X:?e}`, `$$`) for the fallback."""
    if isinstance(value, dict):
        return {key: _interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [_interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name, operator, argument = match.group(1), match.group(2), match.group(3)
        current = env.get(name)
        empty = current is None or (operator and operator.startswith(":") and current == "")
        if operator in (":?", "?") and empty:
            raise ValueError(f"required variable {name} is missing: {argument}")
        if operator in (":-", "-") and empty:
            return argument
        return current or ""

    return _INTERPOLATION.sub(substitute, value)


def _python_resolve() -> dict:
    """Parse with YAML merge keys and anchors, then substitute variables as compose does."""
    raw = yaml.safe_load(COMPOSE_FILE.read_text())
    resolved = _interpolate({k: v for k, v in raw.items() if not k.startswith("x-")}, PLACEHOLDER_ENV)
    for service in resolved["services"].values():
        environment = service.get("environment", {})
        assert isinstance(environment, dict), "use the mapping form of `environment`"
        service["environment"] = {
            key: "" if value is None else str(value) for key, value in environment.items()
        }
    return resolved


def _compose_binary() -> str | None:
    return shutil.which("docker-compose")


def _run_compose(*args: str, tmp_path: Path, placeholders: bool = True) -> subprocess.CompletedProcess:
    """`docker-compose` on the repository's file with an empty env file (never the developer's `.env`);
    `placeholders` supplies the required variables so only the file itself is judged."""
    env_file = tmp_path / "empty.env"
    env_file.write_text("")
    environment = {"PATH": os.environ.get("PATH", ""), **(PLACEHOLDER_ENV if placeholders else {})}
    return subprocess.run(
        [
            _compose_binary(),
            "--project-directory",
            str(ROOT),
            "--env-file",
            str(env_file),
            "-f",
            str(COMPOSE_FILE),
            *args,
        ],
        check=False,
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        cwd=ROOT,
    )


@pytest.fixture(scope="module")
def compose(tmp_path_factory) -> dict:
    """The resolved compose model: from `docker-compose config` when installed, else from Python."""
    if _compose_binary() is None:
        return _python_resolve()
    result = _run_compose("config", tmp_path=tmp_path_factory.mktemp("compose"))
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_the_compose_file_validates_with_docker_compose_config(tmp_path):
    if _compose_binary() is None:
        pytest.skip(
            "docker-compose is not installed (apt package docker-compose, installed by .ci/run); "
            "the structural Python checks in this file stand in for it"
        )
    result = _run_compose("config", "-q", tmp_path=tmp_path)
    assert result.returncode == 0, f"docker-compose config -q failed:\n{result.stderr}"


def test_the_compose_file_refuses_to_start_without_a_postgres_password(tmp_path):
    raw = yaml.safe_load(COMPOSE_FILE.read_text())
    with pytest.raises(ValueError, match="POSTGRES_PASSWORD"):
        _interpolate(raw["services"]["postgres"], {})
    if _compose_binary() is not None:
        result = _run_compose("config", "-q", tmp_path=tmp_path, placeholders=False)
        assert result.returncode != 0 and "POSTGRES_PASSWORD" in result.stderr


def test_the_structure_holds_the_compose_essentials_checked_in_python():
    """The fallback validator, run always: references resolve to declared services, volumes, networks."""
    model = _python_resolve()
    services, volumes, networks = model["services"], model.get("volumes", {}), model.get("networks", {})
    for name, service in services.items():
        assert "image" in service or "build" in service, f"{name}: neither image nor build"
        for network in service.get("networks", []):
            assert network in networks, f"{name}: undeclared network {network}"
        for mount in service.get("volumes", []):
            source = mount.split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in volumes, f"{name}: undeclared named volume {source}"
            elif source.startswith("./"):
                assert (ROOT / source).exists(), f"{name}: bind-mount source {source} does not exist"
        for dependency, condition in service.get("depends_on", {}).items():
            assert dependency in services, f"{name}: depends on unknown service {dependency}"
            assert condition["condition"] in {
                "service_started",
                "service_healthy",
                "service_completed_successfully",
            }
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in services[dependency], f"{dependency} has no health check to wait for"
        if "healthcheck" in service:
            assert service["healthcheck"]["test"][0] in {"CMD", "CMD-SHELL"}


def test_postgres_keeps_its_data_in_a_named_volume_with_a_health_check_and_env_credentials(compose):
    postgres = compose["services"]["postgres"]
    assert any(v.startswith("postgres-data:/var/lib/postgresql/data") for v in postgres["volumes"])
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    assert postgres["environment"]["POSTGRES_PASSWORD"] == PLACEHOLDER_ENV["POSTGRES_PASSWORD"]
    raw = COMPOSE_FILE.read_text()
    assert "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?" in raw


def test_the_migration_runs_once_after_postgres_is_healthy(compose):
    migrate = compose["services"]["migrate"]
    assert migrate["command"] == HOST_COMMANDS["migrate"]
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert migrate.get("restart") == "no"


def test_the_code_servers_of_the_compose_file_are_exactly_the_registered_locations(compose):
    code_services = [name for name in compose["services"] if name.startswith("code-")]
    assert sorted(code_services) == sorted(f"code-{location}" for location in LOCATIONS)


@pytest.mark.parametrize("location", LOCATIONS)
def test_every_location_has_a_code_server_from_its_own_image_with_a_grpc_health_check(compose, location):
    service = compose["services"][f"code-{location}"]
    assert service["build"]["dockerfile"] == "Dockerfile.location"
    # MODULE only where the registry names a package other than dag_<location> (the Dockerfile's default).
    module = {"MODULE": registered(location).module} if registered(location).module_name else {}
    assert service["build"]["args"] == {
        "LOCATION": location,
        **module,
        "PYTHON_BUILD_IMAGE": "python:3.11-bookworm",
        "PYTHON_RUNTIME_IMAGE": "python:3.11-slim-bookworm",
    }, "one location image per Dockerfile.location, on the official bases unless a mirror is named"
    assert service["build"]["network"] == "host", "builds reach the registries without a default bridge"
    assert Path(service["build"]["context"]).resolve() == ROOT  # the repo root: shared/ is a path dependency
    assert service["image"].endswith(f"/dag-{location}:dev")
    assert "command" not in service, "the image's CMD starts the code server; runs reuse the image"
    assert service["healthcheck"]["test"] == ["CMD", "dagster", "api", "grpc-health-check", "-p", "4000"]
    assert service["environment"]["DAGSTER_CURRENT_IMAGE"] == service["image"]
    mounts = service["volumes"]
    assert any(m.endswith(f":/app/locations/{location}/src:ro") for m in mounts), (
        "source bind mount for Reload"
    )
    assert any(m.endswith(":/app/shared/src:ro") for m in mounts)


@pytest.mark.parametrize("location", LOCATIONS)
def test_every_location_launches_runs_with_its_own_container_context(compose, location):
    from dagster._core.launcher import RunLauncher
    from dagster._serdes.config_class import ConfigurableClassData
    from dagster_docker.container_context import DockerContainerContext

    service = compose["services"][f"code-{location}"]
    context = json.loads(service["environment"]["DAGSTER_CONTAINER_CONTEXT"])
    parsed = DockerContainerContext.create_from_config(context)  # the launcher's own schema check
    instance = yaml.safe_load((ROOT / "deploy" / "dagster.compose.yaml").read_text())["run_launcher"]
    launcher = ConfigurableClassData(
        instance["module"], instance["class"], yaml.safe_dump(instance["config"])
    ).rehydrate(as_type=RunLauncher)
    merged = DockerContainerContext(
        env_vars=launcher.env_vars, networks=launcher.networks, container_kwargs=launcher.container_kwargs
    ).merge(parsed)
    assert merged.networks == [COMPOSE_NETWORK], "exactly one network: a repeated one fails at connect"
    assert (
        COMPOSE_NETWORK in compose["networks"]
        and compose["networks"][COMPOSE_NETWORK]["name"] == COMPOSE_NETWORK
    )
    assert merged.container_kwargs["volumes_from"] == [service["container_name"]]
    assert merged.container_kwargs["init"] is True, "runs spawn step processes: tini reaps them"
    # Every variable the code server gets is passed to its runs, by name, from the daemon.
    own = set(service["environment"]) - {"DAGSTER_CURRENT_IMAGE", "DAGSTER_CONTAINER_CONTEXT"}
    assert own <= set(parsed.env_vars)
    daemon_env = set(compose["services"]["daemon"]["environment"])
    missing = {name for name in merged.env_vars if "=" not in name} - daemon_env - {"DAG_DATA_DIR"}
    assert not missing, f"run containers take these from the daemon, which lacks them: {missing}"


@pytest.mark.parametrize("location", LOCATIONS)
def test_every_variable_a_location_declares_reaches_its_code_server_and_runs(compose, location):
    """A `<LOC>_...` variable in dag_shared.settings belongs to that location: compose must pass it."""
    from dag_shared.settings import ENVIRONMENT_VARIABLES

    own = {var.name for var in ENVIRONMENT_VARIABLES if var.name.startswith(f"{location.upper()}_")}
    service = compose["services"][f"code-{location}"]
    context = json.loads(service["environment"]["DAGSTER_CONTAINER_CONTEXT"])["docker"]["env_vars"]
    missing = own - set(service["environment"]) | own - set(context)
    assert not missing, (
        f"declared for {location} but not passed by docker-compose.yml: {sorted(missing)}; add them to "
        f"x-{location}-env and to the env_vars of code-{location}'s DAGSTER_CONTAINER_CONTEXT"
    )


def test_the_webserver_and_daemon_start_after_postgres_the_migration_and_every_code_server(compose):
    expected = {
        "postgres": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
        **{f"code-{loc}": {"condition": "service_healthy"} for loc in LOCATIONS},
    }
    host_image = compose["services"]["migrate"]["image"]
    for name in ("webserver", "daemon"):
        service = compose["services"][name]
        assert service["depends_on"] == expected, name
        assert service["image"] == host_image and service["build"]["dockerfile"] == "Dockerfile"
        assert service["command"] == HOST_COMMANDS[name]
        assert "healthcheck" in service
        assert "/var/run/docker.sock:/var/run/docker.sock" in " ".join(service["volumes"])


def test_every_long_running_service_has_an_init_process_and_a_restart_policy(compose):
    for name, service in compose["services"].items():
        if name in {"postgres", "migrate"}:
            continue  # postgres' own entrypoint is PID 1-aware; migrate is one-shot
        assert service.get("init") is True, name
        assert service.get("restart") == "unless-stopped", name


def test_the_webserver_is_published_on_localhost_only_by_default(compose):
    ports = compose["services"]["webserver"]["ports"]
    assert len(ports) == 1
    port = ports[0]
    if isinstance(port, dict):  # docker-compose v1 long form
        assert (port.get("host_ip"), str(port["published"]), port["target"]) == ("127.0.0.1", "3000", 3000)
    else:
        assert port.removesuffix("/tcp") == "127.0.0.1:3000:3000"
    for name, service in compose["services"].items():
        if name != "webserver":
            assert "ports" not in service, f"{name} publishes a port"


def _locations_of(workspace: Path) -> list[dict]:
    from dagster._config import process_config
    from dagster._core.workspace.config_schema import WORKSPACE_CONFIG_SCHEMA

    config = yaml.safe_load(workspace.read_text())
    assert process_config(WORKSPACE_CONFIG_SCHEMA, config).success, (
        f"{workspace.name} is not a valid workspace"
    )
    return [entry["grpc_server"] for entry in config["load_from"]]


def test_the_compose_workspace_and_the_local_workspace_describe_the_same_locations(compose):
    local = _locations_of(ROOT / "workspace.yaml")
    containers = _locations_of(ROOT / "workspace.compose.yaml")
    assert [e["location_name"] for e in containers] == [e["location_name"] for e in local] == list(LOCATIONS)
    for entry in containers:
        service = compose["services"][entry["host"]]
        assert entry["host"] == f"code-{entry['location_name']}" and entry["port"] == 4000
        # The image serves the location named by its LOCATION build argument (test_deploy_dockerfiles).
        assert service["build"]["args"]["LOCATION"] == entry["location_name"]


def test_the_container_instance_matches_the_root_instance_except_storage_and_launcher(monkeypatch):
    from dagster._config import process_config
    from dagster._core.instance.config import dagster_instance_config_schema

    root = yaml.safe_load((ROOT / "deploy" / "dagster.local.yaml").read_text())
    containers = yaml.safe_load((ROOT / "deploy" / "dagster.compose.yaml").read_text())
    differing = {"storage", "run_launcher"}
    assert {k: v for k, v in containers.items() if k not in differing} == {
        k: v for k, v in root.items() if k not in differing
    }
    assert containers["run_launcher"] == {
        **containers["run_launcher"],
        "module": "dagster_docker",
        "class": "DockerRunLauncher",
    }
    for name in ("POSTGRES_HOST", "POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"):
        monkeypatch.setenv(name, "placeholder")
    result = process_config(dagster_instance_config_schema(), containers)
    assert result.success, result.errors


def test_the_container_instance_config_is_the_one_baked_into_and_mounted_on_the_host_image(compose):
    for name in ("migrate", "webserver", "daemon"):
        mounts = compose["services"][name]["volumes"]
        assert any(
            m.endswith("/deploy/dagster.compose.yaml:/opt/dagster/dagster_home/dagster.yaml:ro")
            for m in mounts
        ), name
        assert any(m.endswith("/workspace.compose.yaml:/opt/dagster/workspace.yaml:ro") for m in mounts), name


def test_the_deploy_command_rebuilds_and_restarts_only_the_named_location():
    dry_run = subprocess.run(
        ["make", "-n", "deploy", "LOCATION=nps", "COMPOSE=docker-compose"],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert dry_run.returncode == 0, dry_run.stderr
    assert "docker-compose up -d --no-deps --build code-nps" in dry_run.stdout
    assert "code-cd" not in dry_run.stdout and "webserver" not in dry_run.stdout
    refused = subprocess.run(
        ["make", "deploy", "LOCATION=nope", "COMPOSE=false"],
        check=False,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert refused.returncode != 0 and "unknown location" in refused.stdout + refused.stderr


def test_the_container_instance_migrates_and_loads_its_docker_run_launcher_on_a_real_postgres(
    postgres_url, tmp_path, monkeypatch
):
    """The instance the host image bakes in, on a real server: only the port follows the test server."""
    import sys
    from urllib.parse import unquote, urlsplit

    from dagster import DagsterInstance

    url = urlsplit(postgres_url)
    config = yaml.safe_load((ROOT / "deploy" / "dagster.compose.yaml").read_text())
    config["storage"]["postgres"]["postgres_db"]["port"] = url.port or 5432
    (tmp_path / "dagster.yaml").write_text(yaml.safe_dump(config))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    monkeypatch.setenv("POSTGRES_HOST", url.hostname or "127.0.0.1")
    monkeypatch.setenv("POSTGRES_USER", unquote(url.username or "postgres"))
    monkeypatch.setenv("POSTGRES_PASSWORD", unquote(url.password or "unused-with-trust-auth"))
    monkeypatch.setenv("POSTGRES_DB", url.path.lstrip("/"))
    migrate = subprocess.run(
        [str(Path(sys.executable).parent / "dagster"), "instance", "migrate"],
        check=False,
        capture_output=True,
        text=True,
        timeout=180,
        cwd=tmp_path,
    )
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    instance = DagsterInstance.from_config(str(tmp_path))
    try:
        assert type(instance.run_launcher).__name__ == "DockerRunLauncher"
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert instance.get_runs() == []
    finally:
        instance.dispose()
