"""Every environment variable the code reads is declared once and documented in README and .env.example."""

from __future__ import annotations

import re
import subprocess

from dag_shared.settings import ENVIRONMENT_VARIABLES
from platform_locations import ROOT

from dag_platform.envdoc import env_example, readme_with_table

READ_PATTERNS = [
    re.compile(r"""\bEnvVar(?:\.int)?\(\s*["']([A-Z][A-Z0-9_]+)["']"""),
    re.compile(r"""\benv\(\s*["']([A-Z][A-Z0-9_]+)["']"""),
    re.compile(r"""os\.environ(?:\.get)?[\[(]\s*["']([A-Z][A-Z0-9_]+)["']"""),
    re.compile(r"""os\.getenv\(\s*["']([A-Z][A-Z0-9_]+)["']"""),
]
# Variables owned by tools rather than by the platform.
EXTERNAL = {"PATH", "HOME", "DAGSTER_CURRENT_IMAGE", "CI", "XDG_RUNTIME_DIR", "PGPASSWORD"}


def tracked_python_files():
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [ROOT / name for name in listed if "/tests/" not in f"/{name}" and not name.startswith("bench/")]


def test_env_example_lists_every_variable_with_an_empty_value():
    text = (ROOT / ".env.example").read_text()
    assert text == env_example(), "run `python -m dag_platform.envdoc`"
    assignments = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert assignments == [f"{var.name}=" for var in ENVIRONMENT_VARIABLES]


def test_the_readme_table_documents_every_variable():
    readme = (ROOT / "README.md").read_text()
    assert readme == readme_with_table(readme), "run `python -m dag_platform.envdoc`"


def test_every_variable_read_by_the_code_is_declared():
    declared = {var.name for var in ENVIRONMENT_VARIABLES}
    undeclared = {}
    for path in tracked_python_files():
        text = path.read_text(errors="replace")
        for pattern in READ_PATTERNS:
            for name in pattern.findall(text):
                if name not in declared and name not in EXTERNAL:
                    undeclared.setdefault(name, str(path.relative_to(ROOT)))
    assert undeclared == {}


def test_no_variable_is_declared_twice():
    names = [var.name for var in ENVIRONMENT_VARIABLES]
    assert len(names) == len(set(names))
