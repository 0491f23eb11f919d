"""`carelift plan report` through CliRunner: formats, destinations, and plans it refuses."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from migrate.cli import main
from migrate.inventory.store import Workspace
from tests.migrate.reports.conftest import sample_plan  # noqa: F401  (the sample estate's plan, a fixture)

pytestmark = pytest.mark.slow  # every test needs the sample estate's plan


def invoke(*args: str, workspace: Path | None = None):
    prefix = ["--workspace", str(workspace)] if workspace else []
    return CliRunner().invoke(main, [*prefix, "plan", "report", *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def plan_file(sample_plan, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "plan.json"
    path.write_text(json.dumps(sample_plan), encoding="utf-8")
    return path


def test_markdown_and_html_go_to_standard_output(plan_file, sample_plan):
    result = invoke("--plan", str(plan_file), "--format", "md")
    assert result.exit_code == 0
    assert result.output.startswith("# Migration plan") and f"${sample_plan['metrics']['monthly_cost']:,.2f}" in result.output
    result = invoke("--plan", str(plan_file), "--format", "html")
    assert result.exit_code == 0 and result.output.startswith("<!DOCTYPE html>")


def test_the_workbook_is_written_to_a_file_and_reads_back(plan_file, tmp_path):
    out = tmp_path / "plan.xlsx"
    result = invoke("--plan", str(plan_file), "--format", "xlsx", "-o", str(out))
    assert result.exit_code == 0, result.output
    book = CalamineWorkbook.from_filelike(io.BytesIO(out.read_bytes()))
    assert book.sheet_names[:3] == ["Summary", "Waves", "Servers"]


def test_the_workspaces_latest_plan_is_the_default(sample_plan, tmp_path):
    text = json.dumps(sample_plan)
    with Workspace.open(tmp_path / "ws") as ws:
        ws.save_plan(text, hashlib.sha256(text.encode()).hexdigest(), "2026-12-01T00:00:00Z")
    out = tmp_path / "r.html"
    result = invoke("--format", "html", "-o", str(out), workspace=tmp_path / "ws")
    assert result.exit_code == 0, result.output
    assert f'data-figure="servers">{sample_plan["metrics"]["servers"]:,}<' in out.read_text(encoding="utf-8")


def test_mistakes_exit_2_with_one_clear_line_and_write_nothing(plan_file, tmp_path):
    result = invoke("--plan", str(plan_file), "--format", "xlsx")
    assert result.exit_code == 2 and "needs -o FILE" in result.output
    other = tmp_path / "other.json"
    other.write_text('{"schema": "carelift.audit/v1"}')
    out = tmp_path / "r.md"
    result = invoke("--plan", str(other), "--format", "md", "-o", str(out))
    assert result.exit_code == 2 and "other.json is not a carelift plan" in result.output
    assert not out.exists()
    result = invoke("--plan", str(plan_file), "--format", "md", "-o", str(tmp_path / "missing" / "r.md"))
    assert result.exit_code == 2 and "does not exist" in result.output
    result = invoke("--format", "md", workspace=tmp_path / "empty")
    assert result.exit_code == 2 and "Traceback" not in result.output
