"""The images: one location Dockerfile (ARG LOCATION) plus the host's, checked by parsing them.

Why: images cannot be built here (no Docker engine), so the rules are checked on the parsed
instructions (dockerfile-parse joins line continuations and splits stages): multi-stage with
`uv sync --frozen --no-dev`, a slim runtime stage that installs nothing, a non-root USER, CMD in
exec form and no ENTRYPOINT (the run launcher replaces CMD to run `dagster api execute_run`), and
every file copied from the build context exists and is not excluded by .dockerignore.
"""

from __future__ import annotations

import fnmatch
import io
import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from dag_shared.locations import location as registered
from dag_shared.settings import LOCATIONS
from dockerfile_parse import DockerfileParser

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILES = {"host": ROOT / "Dockerfile", "location": ROOT / "Dockerfile.location"}


@dataclass
class Stage:
    name: str
    image: str
    instructions: list[dict] = field(default_factory=list)

    def of(self, kind: str) -> list[dict]:
        return [i for i in self.instructions if i["instruction"] == kind]


def _stages(path: Path, location: str | None = None) -> list[Stage]:
    """The stages of a Dockerfile; `location` stands in for the LOCATION build argument and its
    registered package for MODULE (the value compose passes, or the default dag_<location>)."""
    text = path.read_text()
    if location is not None:
        text = text.replace("${MODULE}", registered(location).module).replace("${LOCATION}", location)
    parser = DockerfileParser(fileobj=io.BytesIO(text.encode()))
    stages: list[Stage] = []
    base_defaults: dict[str, str] = {}  # ARGs before the first FROM name the base images
    for instruction in parser.structure:
        if instruction["instruction"] == "FROM":
            words = instruction["value"].split()
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else ""
            image = words[0]
            for arg, default in base_defaults.items():
                image = image.replace("${" + arg + "}", default)
            stages.append(Stage(name=name, image=image))
        elif stages:
            stages[-1].instructions.append(instruction)
        else:
            assert instruction["instruction"] in {"ARG", "COMMENT"}, f"{path}: {instruction} before FROM"
            if instruction["instruction"] == "ARG" and "=" in instruction["value"]:
                arg, default = instruction["value"].split("=", 1)
                base_defaults[arg.strip()] = default.strip()
    return stages


def _commands(run: dict) -> list[list[str]]:
    """The simple commands of one RUN (shell form), split on && and ;."""
    words = shlex.split(run["value"], comments=False)
    commands, current = [], []
    for word in words:
        if word in {"&&", ";", "||"}:
            commands.append(current)
            current = []
        else:
            current.append(word)
    return [c for c in [*commands, current] if c]


def _copy_sources(copy: dict) -> list[str]:
    words = shlex.split(copy["value"])
    args = [w for w in words if not w.startswith("--")]
    return args[:-1]


@pytest.mark.parametrize("image", DOCKERFILES)
def test_every_image_is_multi_stage_with_a_slim_runtime(image):
    stages = _stages(DOCKERFILES[image])
    assert len(stages) >= 2
    assert all(stage.name for stage in stages), "every stage is named (FROM ... AS name)"
    runtime = stages[-1]
    assert "slim" in runtime.image, f"runtime base {runtime.image} is not a slim image"
    copied_from = {
        i["value"].split("--from=")[1].split()[0] for i in runtime.of("COPY") if "--from=" in i["value"]
    }
    assert copied_from & {s.name for s in stages[:-1]}, "the runtime stage copies the build stage's result"


@pytest.mark.parametrize("image", DOCKERFILES)
def test_every_image_installs_with_uv_sync_frozen_and_without_dev_dependencies(image):
    stages = _stages(DOCKERFILES[image])
    syncs = [
        command
        for stage in stages[:-1]
        for run in stage.of("RUN")
        for command in _commands(run)
        if command[:2] == ["uv", "sync"]
    ]
    assert syncs, "no `uv sync` in a build stage"
    for command in syncs:
        assert "--frozen" in command and "--no-dev" in command, " ".join(command)
    for run in stages[-1].of("RUN"):
        for command in _commands(run):
            assert command[0] not in {"uv", "pip", "pip3", "apt-get"}, f"runtime stage installs: {command}"


@pytest.mark.parametrize("image", DOCKERFILES)
def test_every_image_runs_as_a_non_root_user(image):
    runtime = _stages(DOCKERFILES[image])[-1]
    users = runtime.of("USER")
    assert users, "no USER in the runtime stage"
    user = users[-1]["value"].split(":")[0]
    assert user not in {"root", "0"}
    later = [i for i in runtime.instructions if i["startline"] > users[-1]["startline"]]
    assert not [i for i in later if i["instruction"] == "RUN"], (
        "RUN after USER would run as that user by surprise"
    )


@pytest.mark.parametrize("image", DOCKERFILES)
def test_every_image_has_an_exec_form_cmd_and_no_entrypoint(image):
    stages = _stages(DOCKERFILES[image])
    assert not [i for s in stages for i in s.of("ENTRYPOINT")], (
        "ENTRYPOINT would wrap the run launcher's command"
    )
    cmds = stages[-1].of("CMD")
    assert len(cmds) == 1
    assert isinstance(json.loads(cmds[0]["value"]), list), "CMD must be in exec (JSON) form"


@pytest.mark.parametrize("location", LOCATIONS)
def test_every_location_image_serves_its_own_definitions_on_port_4000(location):
    runtime = _stages(DOCKERFILES["location"], location)[-1]
    environment = dict(shlex.split(pair)[0].split("=", 1) for pair in _env_pairs(runtime))
    shell, flag, script = json.loads(runtime.of("CMD")[0]["value"])
    assert (shell, flag) == ("sh", "-c")
    for name in ("DAG_LOCATION", "DAG_MODULE"):
        script = script.replace("${" + name + "}", environment[name])
    command = shlex.split(script)
    assert command == [
        "exec",
        "dagster",
        "code-server",
        "start",
        "-m",
        registered(location).definitions_module,
        "-h",
        "0.0.0.0",
        "-p",
        "4000",
        "--location-name",
        location,
    ]


def test_the_location_image_refuses_to_build_without_a_location():
    build = _stages(DOCKERFILES["location"])[0]
    assert any('test -n "${LOCATION}"' in run["value"] for run in build.of("RUN"))


def _env_pairs(stage: Stage) -> list[str]:
    return [pair for env in stage.of("ENV") for pair in shlex.split(env["value"], posix=False)]


@pytest.mark.parametrize("location", LOCATIONS)
def test_every_location_image_keeps_the_repository_layout_for_the_shared_path_dependency(location):
    build = _stages(DOCKERFILES["location"], location)[0]
    workdirs = [i["value"] for i in build.of("WORKDIR")]
    assert workdirs[-1] == f"/app/locations/{location}"
    copies = {(tuple(_copy_sources(i)), shlex.split(i["value"])[-1]) for i in build.of("COPY")}
    assert (("shared/src",), "/app/shared/src") in copies
    assert ((f"locations/{location}/pyproject.toml", f"locations/{location}/uv.lock"), "./") in copies
    assert ((f"locations/{location}/src",), "./src") in copies
    assert not [
        c for c in copies if any(s.startswith("locations/") and f"/{location}/" not in s for s in c[0])
    ], "a location image copies no other location"


def test_the_host_image_carries_the_docker_run_launcher_and_serves_the_webserver():
    stages = _stages(DOCKERFILES["host"])
    syncs = [c for s in stages[:-1] for r in s.of("RUN") for c in _commands(r) if c[:2] == ["uv", "sync"]]
    assert all(c[c.index("--group") + 1] == "containers" for c in syncs), (
        "dagster-docker comes from the group"
    )
    assert json.loads(stages[-1].of("CMD")[0]["value"])[0] == "dagster-webserver"


def _ignored(path: str, patterns: list[str]) -> bool:
    ignored = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        candidates = (
            [pattern, f"{pattern}/*"]
            if not pattern.startswith("**/")
            else [
                pattern,
                pattern[3:],
                f"{pattern}/*",
                f"{pattern[3:]}/*",
                f"*/{pattern[3:]}",
                f"*/{pattern[3:]}/*",
            ]
        )
        if any(fnmatch.fnmatch(path, c) for c in candidates):
            ignored = not negate
    return ignored


@pytest.mark.parametrize("image", DOCKERFILES)
def test_every_file_copied_from_the_build_context_exists_and_is_not_dockerignored(image):
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for stage in _stages(DOCKERFILES[image], location="nps"):
        for copy in stage.of("COPY"):
            if "--from=" in copy["value"]:
                continue
            for source in _copy_sources(copy):
                assert (ROOT / source).exists(), f"{source} is not in the repository"
                assert not _ignored(source, patterns), f"{source} is excluded by .dockerignore"


def test_the_dockerignore_keeps_local_state_and_secrets_out_of_the_build_context():
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines() if line.strip()]
    for path in (".env", ".git/config", ".venv/bin/python", "locations/nps/.venv/bin/python", ".dag/x"):
        assert _ignored(path, patterns), path
