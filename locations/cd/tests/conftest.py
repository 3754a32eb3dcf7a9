"""Shared fixtures (dag_shared.testing), and a private temporary folder for each session.

pytest's default temporary folders live under one per-user directory, and every new session
deletes all but the three latest: another suite started meanwhile on the same machine would
delete this session's folders, with the embedded PostgreSQL's data inside. Each session of this
suite therefore gets its own folder, removed at the end.
"""

import shutil
import tempfile

import pytest

pytest_plugins = ["dag_shared.testing"]


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    if not config.option.basetemp:
        config._cd_private_basetemp = tempfile.mkdtemp(prefix="dag-cd-tests-")
        config.option.basetemp = config._cd_private_basetemp


def pytest_unconfigure(config):
    path = getattr(config, "_cd_private_basetemp", None)
    if path:
        shutil.rmtree(path, ignore_errors=True)
