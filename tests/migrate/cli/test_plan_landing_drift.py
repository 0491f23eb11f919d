"""`carelift plan landing --plan FILE` when the workspace's dependencies changed since the plan was computed:
exit 2 naming both inventory digests and nothing written, or, with --allow-drift, the overlay written
and the same digests in a warning on standard error."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from migrate.cli import main
from migrate.inventory.model import Dependency, ParsedFile
from migrate.inventory.store import SourceFile, Workspace
from tests.conftest import STACKS
from tests.migrate.planning.test_plan import APPLICATIONS, DEPENDENCIES, SERVERS

NOW = "2026-12-06T00:00:00Z"


@pytest.fixture
def drifted(tmp_path):
    """A workspace planned to a file, then a second dependency export imported: the plan's inventory digest is
    no longer the workspace's."""
    workspace = tmp_path / "ws"
    with Workspace.open(workspace) as store:
        store.import_files([(SourceFile("inventory.csv", "a" * 64, "csv"),
                             ParsedFile("inventory.csv", "csv", servers=SERVERS, applications=APPLICATIONS,
                                        dependencies=DEPENDENCIES))], now=NOW)
    plan = tmp_path / "plan.json"
    result = CliRunner().invoke(main, ["--workspace", str(workspace), "plan", "--out", str(plan)])
    assert result.exit_code == 0, result.output
    with Workspace.open(workspace) as store:
        store.import_files([(SourceFile("more-deps.csv", "b" * 64, "csv"),
                             ParsedFile("more-deps.csv", "csv",
                                        dependencies=(Dependency("epic-prd-db01", "10.9.9.10", 1521),)))], now=NOW)
    return workspace, plan


def land(workspace, plan, output, *extra):
    return CliRunner().invoke(main, ["--workspace", str(workspace), "plan", "landing", "--stack",
                                     str(STACKS / "Pulumi.prod.yaml"), "--plan", str(plan), "-o", str(output), *extra])


def test_drift_exits_2_naming_both_digests_and_writes_nothing(drifted, tmp_path):
    workspace, plan = drifted
    recorded = json.loads(plan.read_text())["inputs"]["inventory"]["sha256"]
    output = tmp_path / "landing.yaml"
    result = land(workspace, plan, output)
    assert result.exit_code == 2
    assert "error: the inventory of the workspace changed since the plan was computed" in result.output
    text = " ".join(result.output.split())  # the terminal wraps long lines
    assert f"the plan was computed from inventory sha256 {recorded} with 5 dependencies" in text
    assert "with 6 dependencies" in text and "--allow-drift" in text
    assert "…" not in result.output  # no line shortened: every digest whole
    assert not output.exists()


def test_allow_drift_writes_the_overlay_with_the_warning(drifted, tmp_path):
    workspace, plan = drifted
    recorded = json.loads(plan.read_text())["inputs"]["inventory"]["sha256"]
    output = tmp_path / "landing.yaml"
    result = land(workspace, plan, output, "--allow-drift")
    assert result.exit_code == 0, result.output
    assert ("warning: the inventory of the workspace changed since the plan was computed: the landing would mix "
            "the crossing links of the plan with other dependencies (--allow-drift: written anyway)") in result.output
    assert "…" not in result.output  # no line shortened
    assert f"inventory sha256 {recorded} with 5 dependencies" in " ".join(result.output.split())
    assert "10.9.9.10/32" in output.read_text(encoding="utf-8")
