"""Every command's output on the shipped sample estate and both stacks, compared with snapshots
recorded before the seams were moved (issue 11): a refactor that changes what a user sees fails here.

The snapshots live in tests/snapshots/cli/, one file per invocation: the exit code, standard output and
standard error, with the temporary directory and the clock taken out. After a change that is meant to
alter an output, re-record with `CARELIFT_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_cli_snapshots.py`
and review the diff like any other change.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from migrate.cli import main
from tests.conftest import REPO

SNAPSHOTS = REPO / "tests" / "snapshots" / "cli"
SAMPLE = REPO / "migrate" / "data" / "sample_estate"
SETTINGS = REPO / "migrate" / "data" / "demo-settings.yaml"
UPDATE = os.environ.get("CARELIFT_UPDATE_SNAPSHOTS") == "1"
AS_OF = "2026-12-06"  # the day the snapshots were recorded

# (snapshot name, arguments after `carelift --workspace WS`, files the command writes under TMP).
# The order is the order a user follows: import, look, plan, look, land, audit. Later steps read
# what earlier ones stored, so the list runs as one sequence in one workspace.
SEQUENCE: list[tuple[str, list[str], list[str]]] = [
    ("inventory-import", ["inventory", "import", "{SAMPLE}/rvtools-export.xlsx",
                          "{SAMPLE}/azure-migrate-import.csv"], []),
    ("inventory-import-mapping", ["inventory", "import", "{SAMPLE}/application-mapping.csv"], []),
    ("deps-import", ["deps", "import", "{SAMPLE}/azure-migrate-dependencies.csv"], []),
    ("inventory-list", ["inventory", "list"], []),
    ("inventory-list-json", ["inventory", "list", "--format", "json"], []),
    ("inventory-list-csv", ["inventory", "list", "--format", "csv"], []),
    ("inventory-show", ["inventory", "show", "ehr-dr-odb01"], []),
    ("inventory-show-json", ["inventory", "show", "ehr-dr-odb01", "--format", "json"], []),
    ("inventory-show-unknown", ["inventory", "show", "no-such-server"], []),
    ("inventory-stats", ["inventory", "stats"], []),
    ("inventory-stats-json", ["inventory", "stats", "--format", "json"], []),
    ("inventory-quality", ["inventory", "quality"], []),
    ("inventory-quality-json", ["inventory", "quality", "--format", "json"], []),
    ("inventory-history", ["inventory", "history"], []),
    ("deps-show", ["deps", "show", "hl7-prd-eng01"], []),
    ("deps-show-json", ["deps", "show", "hl7-prd-eng01", "--format", "json"], []),
    ("plan", ["plan", "--settings", "{SETTINGS}", "--out", "{TMP}/plan.json"], ["plan.json"]),
    ("plan-bad-settings", ["plan", "--settings", "{TMP}/missing.yaml"], []),
    ("plan-show", ["plan", "show"], []),
    ("plan-show-wide", ["plan", "show", "--wide"], []),
    ("plan-show-json", ["plan", "show", "--format", "json"], []),
    ("plan-explain", ["plan", "explain", "hl7-prd-eng01"], []),
    ("plan-explain-json", ["plan", "explain", "hl7-prd-eng01", "--format", "json"], []),
    ("plan-export", ["plan", "export"], []),
    ("plan-diff", ["plan", "diff", "{TMP}/plan.json", "{TMP}/plan.json"], []),
    ("plan-diff-json", ["plan", "diff", "{TMP}/plan.json", "{TMP}/plan.json", "--format", "json"], []),
    ("plan-report-md", ["plan", "report", "--format", "md", "-o", "{TMP}/plan.md"], ["plan.md"]),
    ("plan-stack", ["plan", "--settings", "{SETTINGS}", "--stack", "prod", "--out", "{TMP}/plan-prod.json"],
     ["plan-prod.json"]),
    ("plan-landing", ["plan", "landing", "--stack", "prod", "-o", "{TMP}/landing.yaml"], ["landing.yaml"]),
    ("plan-runbook", ["plan", "runbook", "--wave", "1", "--stack", "prod"], []),
    ("plan-export-azure-migrate", ["plan", "export", "--format", "azure-migrate-csv", "--wave", "1",
                                   "--stack", "prod"], []),
    ("infra-validate-prod", ["infra", "validate", "--stack", "prod"], []),
    ("infra-validate-dev", ["infra", "validate", "--stack", "dev"], []),
    ("infra-validate-missing", ["infra", "validate", "--stack", "{TMP}/missing.yaml"], []),
    ("infra-render-prod", ["infra", "render", "--stack", "prod"], []),
    ("infra-render-dev-json", ["infra", "render", "--stack", "dev", "--format", "json"], []),
    ("infra-export-arm-prod", ["infra", "export-arm", "--stack", "prod"], []),
    ("audit-prod", ["audit", "--stack", "prod"], []),
    ("audit-dev-json", ["audit", "--stack", "dev", "--format", "json"], []),
    ("audit-controls", ["audit", "controls"], []),
    ("audit-controls-json", ["audit", "controls", "--format", "json"], []),
    ("ai-register", ["ai", "register", "--stack", "prod"], []),
    ("ai-register-json", ["ai", "register", "--stack", "prod", "--format", "json"], []),
    ("ai-card", ["ai", "card", "ambient-note-summaries", "--stack", "prod"], []),
]

_CLOCK = re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")  # the wall clock (UTC); planned dates carry an offset
_GENERATED = re.compile(r'("generatedAt"|"created_at"|"imported_at")\s*:\s*"[^"]*"')
_DURATION = re.compile(r"\b\d+(?:\.\d+)? ?(?:s|ms)\b(?= |\)|$)", re.MULTILINE)


def normalise(text: str, tmp: Path) -> str:
    """Take out what differs between two runs of the same commands: the directory and the clock."""
    text = text.replace(str(tmp), "<TMP>").replace(str(REPO), "<REPO>")
    text = _GENERATED.sub(r'\1: "<TIME>"', text)
    text = _CLOCK.sub("<TIME>", text)
    return _DURATION.sub("<DURATION>", text)


def written_file(path: Path) -> str:
    """A written file whole, or a large one by its digest (its content is another step's standard output)."""
    if not path.exists():
        return "<missing>"
    data = path.read_bytes()
    if len(data) > 64_000:
        return f"{len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}"
    return data.decode("utf-8")


def record(tmp: Path) -> dict[str, str]:
    workspace = tmp / "ws"
    runner = CliRunner()
    outputs: dict[str, str] = {}
    for name, arguments, written in SEQUENCE:
        args = [a.replace("{SAMPLE}", str(SAMPLE)).replace("{SETTINGS}", str(SETTINGS)).replace("{TMP}", str(tmp))
                for a in arguments]
        # A wide, colourless terminal, so a table's wrapping and a snapshot do not depend on who runs it;
        # a fixed audit day, so OS support, Azure's dated defaults and AI reviews do not depend on when.
        result = runner.invoke(main, ["--workspace", str(workspace), "--quiet", *args],
                               env={"COLUMNS": "160", "NO_COLOR": "1", "CARELIFT_AS_OF": AS_OF},
                               catch_exceptions=False)
        parts = [f"$ carelift {' '.join(arguments)}", f"exit {result.exit_code}",
                 "--- stdout", result.stdout, "--- stderr", result.stderr]
        for file in written:
            path = tmp / file
            parts += [f"--- file {file}", written_file(path)]
        outputs[name] = normalise("\n".join(parts), tmp)
    return outputs


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> dict[str, str]:
    return record(tmp_path_factory.mktemp("snapshots"))


@pytest.mark.slow
@pytest.mark.parametrize("name", [name for name, _, _ in SEQUENCE])
def test_command_output_matches_its_snapshot(recorded, name):
    path = SNAPSHOTS / f"{name}.txt"
    if UPDATE:
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        path.write_text(recorded[name], encoding="utf-8")
    assert path.exists(), f"no snapshot {path.name}: record with CARELIFT_UPDATE_SNAPSHOTS=1"
    assert recorded[name] == path.read_text(encoding="utf-8")


def test_every_snapshot_belongs_to_a_command():
    # A snapshot left behind by a renamed step would otherwise never be compared again.
    names = {name for name, _, _ in SEQUENCE}
    assert {p.stem for p in SNAPSHOTS.glob("*.txt")} <= names
