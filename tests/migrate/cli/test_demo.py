"""`carelift demo`: the seven files from the shipped sample estate, and the directory rules."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from migrate.cli import demo as demo_module
from migrate.cli import main

NAMES = [item.name for item in demo_module.FILES]


def invoke(*args: str):
    return CliRunner().invoke(main, ["demo", *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("demo") / "carelift-demo"
    result = invoke("--output", str(out))
    assert result.exit_code == 0, result.output
    return out, result.output


@pytest.mark.slow
def test_every_file_is_written_and_named_in_the_closing_table(demo_dir):
    out, output = demo_dir
    assert sorted(p.name for p in out.iterdir()) == sorted(NAMES)
    for item in demo_module.FILES:
        assert item.name in output and item.reader.split(",")[0] in output
    assert "carelift demo" in output.splitlines()[0]


@pytest.mark.slow
def test_the_plan_suits_the_sample_without_relaxing(demo_dir):
    out, _ = demo_dir
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert plan["schema"] == "carelift.plan/v1"
    assert plan["metrics"]["servers"] == 400 and plan["metrics"]["migration_waves"] >= 3
    assert not any("--relax" in note for note in plan["notes"])
    assert plan["settings"]["blackout_dates"]  # the timeline has a blackout to show


@pytest.mark.slow
def test_the_reports_are_the_plans(demo_dir):
    out, _ = demo_dir
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    html = (out / "report.html").read_text(encoding="utf-8")
    assert f'data-figure="servers_in_waves">{plan["metrics"]["servers_in_waves"]:,}<' in html
    book = CalamineWorkbook.from_filelike(io.BytesIO((out / "plan.xlsx").read_bytes()))
    assert "Crossing links" in book.sheet_names
    assert len((out / "plan.md").read_text(encoding="utf-8").splitlines()) <= 200


@pytest.mark.slow
def test_the_landing_zone_and_its_audit(demo_dir):
    out, _ = demo_dir
    template = json.loads((out / "landing-zone.arm.json").read_text(encoding="utf-8"))
    assert "deploymentTemplate.json" in template["$schema"] and len(template["resources"]) > 50
    # The demo says it does what the commands do: the template is `infra export-arm --stack prod`'s
    # (configuration in the body, computed values under metadata), the audit is `audit --stack prod`'s.
    exported = CliRunner().invoke(main, ["infra", "export-arm", "--stack", "prod"], catch_exceptions=False)
    assert (out / "landing-zone.arm.json").read_text(encoding="utf-8") == exported.stdout
    sarif = json.loads((out / "audit.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"] is not None
    audited = CliRunner().invoke(main, ["audit", "--stack", "prod", "--format", "sarif"], catch_exceptions=False)
    assert results_of(sarif) == results_of(json.loads(audited.stdout))
    # The prod stack passes, so its SARIF is empty: the HTML (every finding, the AI register's too) must match.
    page = CliRunner().invoke(main, ["audit", "--stack", "prod", "--format", "html"], catch_exceptions=False)
    assert without_clock((out / "audit.html").read_text(encoding="utf-8")) == without_clock(page.stdout)
    assert "<html" in (out / "audit.html").read_text(encoding="utf-8")


def without_clock(text: str) -> str:
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "<time>", text)


def results_of(sarif) -> list:
    return sorted(json.dumps(r, sort_keys=True) for r in sarif["runs"][0]["results"])


def fake_run(workspace, steps):
    return {name: b"x" if name.endswith(".xlsx") else "x" for name in NAMES}


def test_a_non_empty_directory_is_refused_unless_forced(tmp_path, monkeypatch):
    monkeypatch.setattr(demo_module, "run", fake_run)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    result = invoke("-o", str(out))
    assert result.exit_code == 2 and "is not empty" in result.output and "--force" in result.output
    assert "choose another --output" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    result = invoke("-o", str(out), "--force")
    assert result.exit_code == 0
    assert (out / "notes.txt").read_text() == "keep me" and (out / "report.html").read_text() == "x"


def test_a_file_or_a_link_is_not_a_directory_to_write_into(tmp_path, monkeypatch):
    # --out, the spelling before -o/--output, still works (a hidden alias): scripts written for it keep running.
    monkeypatch.setattr(demo_module, "run", fake_run)
    (tmp_path / "file").write_text("")
    assert invoke("--out", str(tmp_path / "file")).exit_code == 2
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    result = invoke("--out", str(tmp_path / "link"))
    assert result.exit_code == 2 and "symbolic link" in result.output
    assert list((tmp_path / "real").iterdir()) == []


def test_no_progress_display_when_standard_error_is_not_a_terminal(tmp_path, monkeypatch):
    monkeypatch.setattr(demo_module, "run", fake_run)
    result = CliRunner().invoke(main, ["demo", "-o", str(tmp_path / "d")])
    assert result.exit_code == 0 and result.stderr == ""
