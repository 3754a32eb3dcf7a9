"""The secret scan of CI: detect-secrets over the whole tree against the committed `.secrets.baseline`.

Why: no secret may enter the repository. detect-secrets (Yelp's scanner: keywords, entropy, AWS,
GitHub, Slack, JWT, private keys, credentials in URLs, ...) scans every file git tracks or would
track (untracked files that are not ignored too, so a secret is caught before its commit). The
baseline lists the audited findings, each a false positive marked `"is_secret": false`; anything
else fails this test, naming file, line and kind. The custom detector in test_deploy_files.py only
keeps what detect-secrets cannot express (LAN addresses, short secret names such as `KRX_PW`).

After an audited false positive appears (a test password built at run time, a sample post id):
  .venv/bin/detect-secrets scan --baseline .secrets.baseline   # adds it, keeps the audit marks
  .venv/bin/detect-secrets audit .secrets.baseline             # mark it as not a secret
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from pathlib import Path

from dag_shared.settings import repository_root

ROOT = repository_root()
BASELINE = ".secrets.baseline"


def tree_files(root: Path) -> list[str]:
    """Every file of the working tree git tracks or would track, relative to the root."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=root,
        check=True,
        capture_output=True,
    ).stdout.decode()
    return sorted(
        name for name in filter(None, listed.split("\0")) if name != BASELINE and (root / name).is_file()
    )


def new_findings(root: Path, files: list[str]) -> list[str]:
    """What detect-secrets finds in `files` that the root's baseline does not list, as `file:line: kind`."""
    from detect_secrets import SecretsCollection
    from detect_secrets.core import baseline
    from detect_secrets.settings import transient_settings

    config = baseline.load_from_file(str(root / BASELINE))
    known = SecretsCollection.load_from_baseline(config)
    # The baseline's own plugins and filters, so the scan is the one the baseline was made with.
    # From the root with relative names: findings compare by file name, which the baseline holds relative.
    settings = {"plugins_used": config["plugins_used"], "filters_used": config["filters_used"]}
    with transient_settings(settings), contextlib.chdir(root):
        found = SecretsCollection()
        found.scan_files(*files)
    return sorted(f"{name}:{secret.line_number}: {secret.type}" for name, secret in found - known)


def test_the_tree_holds_no_secret_beyond_the_audited_baseline():
    files = tree_files(ROOT)
    assert len(files) > 100, "git listed almost nothing: is this a checkout?"
    findings = new_findings(ROOT, files)
    assert not findings, (
        "detect-secrets found possible secrets that .secrets.baseline does not list:\n  "
        + "\n  ".join(findings)
        + "\nRemove real secrets; add an audited false positive as the module docstring says."
    )


def test_every_baseline_entry_is_audited_as_not_a_secret():
    import json

    results = json.loads((ROOT / BASELINE).read_text())["results"]
    unaudited = [
        f"{name}:{entry['line_number']}: {entry['type']}"
        for name, entries in results.items()
        for entry in entries
        if entry.get("is_secret") is not False
    ]
    assert not unaudited, f"baseline entries without an audit (detect-secrets audit): {unaudited}"


def test_a_secret_planted_in_a_copy_of_the_tree_is_found_naming_file_and_line(tmp_path):
    copied = [name for name in tree_files(ROOT) if name.startswith(("deploy/", "docs/"))]
    for name in [*copied, BASELINE]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, tmp_path / name)
    assert new_findings(tmp_path, copied) == [], "the copy alone must be as clean as the tree"
    values = tmp_path / "deploy" / "helm" / "values.yaml"
    text = values.read_text()
    # Assembled at run time, so the repository itself never holds the key-shaped literal.
    planted = "AKIA" + "Q7ZT3MV2XK5RW8PB"
    values.write_text(text + f"objectStoreAccessKeyId: {planted}\n")
    line = text.count("\n") + 1
    assert new_findings(tmp_path, copied) == [f"deploy/helm/values.yaml:{line}: AWS Access Key"]
