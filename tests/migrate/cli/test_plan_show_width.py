"""`carelift plan show` fits a 100-column terminal; --wide shows every column."""

from __future__ import annotations

import hashlib
import json

from click.testing import CliRunner

import pytest

from migrate.cli import main
from migrate.inventory.store import Workspace
from tests.migrate.reports.conftest import sample_plan  # noqa: F401  (the sample estate's plan, a fixture)

pytestmark = pytest.mark.slow  # every test needs the sample estate's plan


def show(workspace, *args):
    result = CliRunner().invoke(main, ["--workspace", str(workspace), "plan", "show", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def stored(plan, tmp_path):
    text = json.dumps(plan)
    with Workspace.open(tmp_path / "ws") as ws:
        ws.save_plan(text, hashlib.sha256(text.encode()).hexdigest(), "2026-12-01T00:00:00Z")
    return tmp_path / "ws"


def test_the_timeline_fits_100_columns_with_every_wave(sample_plan, tmp_path):
    output = show(stored(sample_plan, tmp_path))
    assert max(len(line) for line in output.splitlines()) <= 100
    header = next(line for line in output.splitlines() if " wave " in f" {line} " and "cutover" in line)
    assert "vCPU" not in header and "starts" not in header and "crossing" in header
    for wave in sample_plan["waves"]:
        assert f"${wave['metrics']['monthly_cost']:,.2f}" in output


def test_wide_shows_every_column(sample_plan, tmp_path):
    output = show(stored(sample_plan, tmp_path), "--wide")
    header = next(line for line in output.splitlines() if "cutover" in line and "vCPU" in line)
    assert "starts" in header and "TB" in header and "crossing links" in header
    assert f"${sample_plan['waves'][0]['metrics']['monthly_cost']:,.2f}" in output
