"""The plan joined to a stack with the workspace (migrate.workflows.landing): a plan file or the
stored plan, the stack file, the inventory's facts."""

from __future__ import annotations

import json

import pytest
import yaml

from migrate.landing.placement import LandingError
from migrate.planning.service import PlanFileError
from migrate.workflows.landing import azure_migrate_csv, inventory_facts, land_plan, overlay_destination, runbook
from migrate.workflows.sources import NoInventory
from tests.conftest import STACKS
from tests.migrate.landing.conftest import PLAN


@pytest.fixture
def one_subnet_stack(tmp_path):
    """The prod stack with every server sent to one existing subnet (no rule needs a new spoke)."""
    document = yaml.safe_load((STACKS / "Pulumi.prod.yaml").read_text(encoding="utf-8"))
    document["config"]["carelift:landing"]["rules"] = []
    document["config"]["carelift:landing"]["default"] = {"spoke": "clinical", "subnet": "snet-ehr-app"}
    path = tmp_path / "Pulumi.prod.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


@pytest.fixture
def plan_file(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(PLAN), encoding="utf-8")
    return path


def test_the_facts_are_the_inventorys_and_the_overlay_sits_beside_the_stack(workspace, tmp_path):
    facts = inventory_facts(workspace)
    assert sorted(facts) == ["dc01", "epic-prd-app01", "epic-prd-db01", "epic-tst-app01", "old01"]
    assert facts["epic-prd-db01"].data_classification == "phi"
    assert overlay_destination(str(tmp_path / "Pulumi.prod.yaml")) == tmp_path / "Pulumi.prod.landing.yaml"


def test_a_stack_without_landing_rules_is_refused(workspace, plan_file):
    with pytest.raises(LandingError, match="stack dev has no carelift:landing rules"):
        land_plan(workspace, str(STACKS / "Pulumi.dev.yaml"), plan_file)


def test_landing_a_plan_file_writes_nothing_and_returns_the_overlay(workspace, plan_file, one_subnet_stack):
    result = land_plan(workspace, str(one_subnet_stack), plan_file)
    assert result.stack == "prod"
    assert set(result.landing.placement.targets) == {"ehr-prd-app01", "ehr-tst-app01", "hl7-prd-eng01",
                                                     "lis-prd-app01"}
    assert "hybridWaves" in result.landing.overlay
    assert not (one_subnet_stack.parent / "Pulumi.prod.landing.yaml").exists()


def test_a_runbook_and_a_waves_csv_from_a_plan_file(workspace, plan_file, one_subnet_stack):
    text = runbook(workspace, 2, str(one_subnet_stack), plan_file)
    assert text.startswith("# Wave 2 runbook (stack prod)")
    export = azure_migrate_csv(workspace, 2, str(one_subnet_stack), plan_file, "vnet-test")
    assert export.rows == 1 and "ehr-prd-app01" in export.text


def test_the_plan_is_read_before_the_inventory_as_the_commands_always_did(tmp_path, plan_file, one_subnet_stack):
    (tmp_path / "bad.json").write_text("[]", encoding="utf-8")
    with pytest.raises(PlanFileError):
        runbook(tmp_path / "none", 2, str(one_subnet_stack), tmp_path / "bad.json")
    with pytest.raises(NoInventory):  # the plan file was fine: the missing inventory is what is said
        runbook(tmp_path / "none", 2, str(one_subnet_stack), plan_file)


def test_the_landed_links_come_from_the_workspaces_dependencies(workspace):
    """The plan JSON lists only crossing links; `plan landing` reads the workspace's dependencies, the
    same edges the plan was computed from, for the links whose two ends both land."""
    from migrate.workflows.plan import plan_workspace

    plan_workspace(workspace)
    result = land_plan(workspace, str(STACKS / "Pulumi.prod.yaml"))
    steady = result.landing.steady
    # Four of the five edges join two landed servers; the fifth goes to an address outside the inventory.
    assert steady.links == 4 and steady.skipped == ()
    links = [(a["subnet"], a["ports"]) for wave in steady.waves for a in wave["allowances"]]
    assert sorted(links) == [("snet-clinical-apps", ["1972"]), ("snet-clinical-apps", ["443"]),
                             ("snet-corp-apps", ["389"]), ("snet-corp-apps", ["389"])]
    assert yaml.safe_load(result.landing.overlay)["overlay"]["steadyStateWaves"] == list(steady.waves)
