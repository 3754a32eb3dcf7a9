"""Every deploy file: no secret value, no LAN address, and only declared environment variables.

Why: compose, the images, the Helm values and the deploy docs are read by people and copied
around; the design forbids any secret, token, password or LAN address in them. Values come from
the environment, and every variable they name is declared in dag_shared.settings (from which the
README table and `.env.example` are generated), so `.env.example` lists them all.

The whole tree is scanned by detect-secrets (tests/test_secret_scan.py: keys, tokens, private keys,
credentials in URLs, JWTs, high-entropy strings). The detector here keeps only what detect-secrets
cannot express: private (LAN) addresses, a literal value given to a secret-named key that its
keyword list misses (`KRX_PW: ...`, `--from-literal=postgresql-password=...`, `ENV API_TOKEN=...`),
and OpenAI-style `sk-` keys of any shape.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from dag_shared.settings import ENVIRONMENT_VARIABLES, LOCATIONS

ROOT = Path(__file__).resolve().parents[1]
DEPLOY_FILES = sorted(
    {
        ROOT / "docker-compose.yml",
        ROOT / "workspace.compose.yaml",
        ROOT / "Dockerfile",
        ROOT / ".dockerignore",
        ROOT / "docs" / "deploy.md",
        ROOT / "Dockerfile.location",
        *(p for p in (ROOT / "deploy").rglob("*") if p.is_file()),
    }
)
DECLARED = {var.name for var in ENVIRONMENT_VARIABLES}
# Set inside the stack from declared ones (libpq reads them), or by the images themselves.
DERIVED = {"PGUSER", "PGPASSWORD", "DAGSTER_CURRENT_IMAGE", "DAGSTER_CONTAINER_CONTEXT"}

_SECRET_NAME = re.compile(
    r"(?i)password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|(?:^|_)pw$"
)
# A key that names where a secret lives (a Kubernetes Secret's name, a file) is not a secret.
_NAMES_A_SECRET = re.compile(r"(?i)(?:name|names|ref|file|path|secrets)$")
_LINE_ASSIGNMENT = re.compile(
    r"(?m)^[ \t]*(?:-[ \t]+)?(?:export[ \t]+|ENV[ \t]+)?[\"']?([A-Za-z_][\w.-]*)[\"']?[ \t]*[:=][ \t]*([^\n]*)$"
)
# Zero-width, so `--from-literal=key=value` is seen at `key` too.
_INLINE_ASSIGNMENT = re.compile(r"(?<![\w$.-])(?=([A-Za-z_][\w.-]*)=(\S+))")
PATTERNS = {
    # detect-secrets knows only the newer OpenAI key format; any `sk-` key shape is refused here.
    "API key shape": re.compile(r"\bsk-[A-Za-z0-9_-]{20,}"),
    # detect-secrets reports public addresses only.
    "private (LAN) address": re.compile(
        r"\b(?:10\.\d{1,3}|192\.168|172\.(?:1[6-9]|2\d|3[01]))\.\d{1,3}(?:\.\d{1,3})?\b"
    ),
}


def _is_literal(value: str) -> bool:
    """True for a written-out value; False for a reference (${X}, $X, env:), a placeholder or nothing."""
    value = value.split(" #", 1)[0].strip().strip("\"'`").strip()
    if len(value) < 4 or value[0] in "${[<(":
        return False
    return value.lower() not in {"true", "false", "null", "none", "empty", "env"}


def _findings(text: str) -> list[str]:
    found = [f"{name}: {m.group(0)!r}" for name, pattern in PATTERNS.items() for m in pattern.finditer(text)]
    for regex in (_LINE_ASSIGNMENT, _INLINE_ASSIGNMENT):
        for match in regex.finditer(text):
            key, value = match.group(1), match.group(2)
            if _SECRET_NAME.search(key) and not _NAMES_A_SECRET.search(key) and _is_literal(value):
                found.append(f"literal secret assignment: {key}={value.strip()!r}")
    return found


def test_the_secret_detector_catches_the_shapes_it_looks_for():
    samples = [
        "POSTGRES_PASSWORD: hunter2hunter2",
        "      password: s3cr3t-value",
        "LLM_API_KEY=abcd1234efgh",
        "token "
        + "sk-"
        + "abcdefghijklmnopqrstuvwxyz",  # assembled so the repository holds no key-like literal
        "host: " + ".".join(["192", "168", "1", "20"]),  # noqa: FLY002 - no LAN-address literal in the repository
        "KRX_PW: mypassword",
        "kubectl create secret generic x --from-literal=postgresql-password=opensesame",
        "ENV API_TOKEN=abcdef123456",
    ]
    for sample in samples:
        assert _findings(sample), f"not caught: {sample}"
    clean = [
        "POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD in .env}",
        "PGPASSWORD: ${POSTGRES_PASSWORD:?set it}",
        "      password:\n        env: POSTGRES_PASSWORD",
        "  NPS_POSTGRES_URL: ${NPS_POSTGRES_URL:-postgresql://postgres:5432/nps}",
        "global:\n  postgresqlSecretName: dagster-postgresql-secret",
        "envSecrets:\n  - name: dag-nps-env",
        'test: ["CMD-SHELL", "pg_isready -h 127.0.0.1 -U \\"$${POSTGRES_USER}\\""]',
        'kubectl create secret generic x --from-literal=postgresql-password="$POSTGRES_PASSWORD"',
        "generatePostgresqlPasswordSecret: false",
        "  envSecrets:\n    - name: dag-cd-env",
    ]
    for sample in clean:
        assert not _findings(sample), f"false alarm: {sample}: {_findings(sample)}"


@pytest.mark.parametrize("path", DEPLOY_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_deploy_file_contains_a_secret_value_or_a_lan_address(path):
    if not path.exists():
        pytest.fail(f"{path.relative_to(ROOT)} is missing")
    findings = _findings(path.read_text())
    assert not findings, f"{path.relative_to(ROOT)}: {findings}"


def _referenced_variables() -> dict[str, set[str]]:
    """Variables named by compose (${X}), the container instance (env: X) and run env_vars."""
    referenced: dict[str, set[str]] = {}
    compose_text = (ROOT / "docker-compose.yml").read_text()
    referenced["docker-compose.yml"] = set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", compose_text))
    compose = yaml.safe_load(compose_text)
    for name, service in compose["services"].items():
        referenced[f"docker-compose.yml: {name}"] = set(service.get("environment", {}))
    instance = yaml.safe_load((ROOT / "deploy" / "dagster.compose.yaml").read_text())
    referenced["deploy/dagster.compose.yaml"] = set(
        re.findall(r"env:\s*([A-Z_][A-Z0-9_]*)", (ROOT / "deploy" / "dagster.compose.yaml").read_text())
    ) | set(instance["run_launcher"]["config"].get("env_vars", []))
    return referenced


def test_every_variable_the_deploy_files_name_is_declared_in_settings():
    for source, names in _referenced_variables().items():
        undeclared = names - DECLARED - DERIVED
        assert not undeclared, (
            f"{source} uses undeclared variables {sorted(undeclared)}: add them to dag_shared.settings"
        )


def test_the_env_example_lists_every_variable_the_stack_reads_with_an_empty_value():
    example = ROOT / ".env.example"
    if not example.exists():
        pytest.skip(
            ".env.example is generated from dag_shared.settings by another tool and is not present yet"
        )
    entries = {}
    for line in example.read_text().splitlines():
        if "=" in line and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            entries[key.strip()] = value.strip()
    needed = set().union(*_referenced_variables().values()) - DERIVED
    assert needed <= set(entries), f"missing from .env.example: {sorted(needed - set(entries))}"
    assert not {k: v for k, v in entries.items() if v}, ".env.example must carry no values"


def test_the_deploy_doc_gives_the_commands_that_the_makefile_and_helm_values_use():
    doc = (ROOT / "docs" / "deploy.md").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "make deploy LOCATION=nps" in doc
    assert "docker compose up -d --no-deps --build code-nps" in doc
    assert "$(COMPOSE) up -d --no-deps --build code-$(LOCATION)" in makefile
    assert "helm upgrade --install dagster dagster/dagster" in doc and "-f deploy/helm/values.yaml" in doc
    values = yaml.safe_load((ROOT / "deploy" / "helm" / "values.yaml").read_text())
    names = [d["name"] for d in values["dagster-user-deployments"]["deployments"]]
    assert f"dagster-user-deployments.deployments[{names.index('nps')}].image.tag" in doc
    for location in LOCATIONS:
        assert f"dag-{location}-env" in doc, f"the doc does not say how to create {location}'s secret"
