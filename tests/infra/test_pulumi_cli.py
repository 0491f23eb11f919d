"""Checks that need the real Pulumi CLI; skipped where it is not installed (as in CI)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from tests.conftest import REPO

pytestmark = [
    pytest.mark.pulumi_cli,
    pytest.mark.skipif(shutil.which("pulumi") is None, reason="the Pulumi CLI is not installed"),
]


def test_pulumi_reads_the_project_and_stack_config(tmp_path):
    project = tmp_path / "project"
    shutil.copytree(REPO, project, ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__", "tests"))
    env = {**os.environ, "PULUMI_BACKEND_URL": f"file://{tmp_path / 'state'}", "PULUMI_CONFIG_PASSPHRASE": "test",
           "PULUMI_SKIP_UPDATE_CHECK": "1"}
    (tmp_path / "state").mkdir()
    subprocess.run(["pulumi", "stack", "init", "dev", "--non-interactive"], cwd=project, env=env, check=True)
    out = subprocess.run(["pulumi", "config", "get", "carelift:environment", "--stack", "dev"],
                         cwd=project, env=env, check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "dev"
