"""`carelift plan landing --plan FILE` when the workspace's dependencies changed since the plan was computed:
exit 2 naming both inventory digests and nothing written, or, with --allow-drift, the overlay written
and the same digests in a warning on standard error. `plan runbook` and `plan export --format
azure-migrate-csv` join the plan with the workspace's servers the same way, and are refused alike."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from migrate.cli import main
from migrate.inventory.model import Dependency, ParsedFile
from migrate.inventory.store import SourceFile, Workspace
from tests.conftest import STACKS
from tests.migrate.landing.conftest import one_subnet_stack_file
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


@pytest.fixture
def one_subnet(tmp_path):
    return str(one_subnet_stack_file(tmp_path))


COMMANDS = {
    "runbook": (["plan", "runbook", "--wave", "3"], "the runbook would join the waves of the plan with other server facts"),
    "csv": (["plan", "export", "--format", "azure-migrate-csv", "--wave", "3"],
            "the Azure Migrate CSV would join the waves of the plan with other server facts"),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_the_runbook_and_the_csv_exit_2_on_drift_and_write_nothing(drifted, one_subnet, tmp_path, command):
    workspace, plan = drifted
    arguments, joins = COMMANDS[command]
    recorded = json.loads(plan.read_text())["inputs"]["inventory"]["sha256"]
    output = tmp_path / "out.txt"
    result = CliRunner().invoke(main, ["--workspace", str(workspace), *arguments, "--stack", one_subnet, "--plan",
                                       str(plan), "-o", str(output)])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert f"error: the inventory of the workspace changed since the plan was computed: {joins}" in text
    assert f"the plan was computed from inventory sha256 {recorded} with 5 dependencies" in text
    assert "--allow-drift" in text and "…" not in result.output
    assert not output.exists()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_the_runbook_and_the_csv_with_allow_drift_are_written_with_the_warning(drifted, one_subnet, tmp_path,
                                                                             command):
    workspace, plan = drifted
    arguments, joins = COMMANDS[command]
    output = tmp_path / "out.txt"
    result = CliRunner().invoke(main, ["--workspace", str(workspace), *arguments, "--stack", one_subnet, "--plan",
                                       str(plan), "-o", str(output), "--allow-drift"])
    assert result.exit_code == 0, result.output
    assert f"warning: the inventory of the workspace changed since the plan was computed: {joins} (--allow-drift: " \
           f"written anyway)" in " ".join(result.output.split())
    assert "epic-prd-app01" in output.read_text(encoding="utf-8")


def test_allow_drift_belongs_to_the_csv_format(drifted):
    workspace, _ = drifted
    result = CliRunner().invoke(main, ["--workspace", str(workspace), "plan", "export", "--allow-drift"])
    assert result.exit_code == 2
    assert "--allow-drift belong to --format azure-migrate-csv" in result.output
