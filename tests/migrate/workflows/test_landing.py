"""The plan joined to a stack with the workspace (migrate.workflows.landing): a plan file or the
stored plan, the stack file, the inventory's facts."""

from __future__ import annotations

import json

import pytest
import yaml

from migrate.landing.placement import LandingError
from migrate.landing.retained import merge_waves
from migrate.planning.service import PlanFileError
from migrate.workflows.landing import azure_migrate_csv, inventory_facts, land_plan, overlay_destination, runbook
from migrate.workflows.sources import NoInventory
from tests.conftest import STACKS
from tests.migrate.landing.conftest import PLAN, one_subnet_stack_file


@pytest.fixture
def one_subnet_stack(tmp_path):
    return one_subnet_stack_file(tmp_path)


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
    result = runbook(workspace, 2, str(one_subnet_stack), plan_file)
    assert result.text.startswith("# Wave 2 runbook (stack prod)")
    csv = azure_migrate_csv(workspace, 2, str(one_subnet_stack), plan_file, "vnet-test")
    assert csv.export.rows == 1 and "ehr-prd-app01" in csv.export.text
    # A hand-made plan records no inventory digest: both say it cannot be checked, neither refuses.
    assert [w.split(",")[0] for w in (*result.warnings, *csv.warnings)] == [
        "the plan records no inventory digest (inputs.inventory.sha256)"] * 2


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
    # The fifth, epic-prd-app01 -> 10.9.9.9 (an on-premises resolver outside the inventory), gets a permanent
    # rule of its own from the EHR's wave, beside the steady state's (retained servers: none here).
    external = result.landing.external
    assert (external.links, external.addresses, external.skipped) == (1, 1, ())
    assert [(r["name"], r["destinations"], r["ports"]) for w in external.waves for r in w["rules"]] == [
        ("e03-001-out", ["10.9.9.9/32"], ["53"])]
    kept = yaml.safe_load(result.landing.overlay)["overlay"]["steadyStateWaves"]
    assert kept == list(merge_waves(steady.waves, result.landing.retained.waves, external.waves))
    assert result.warnings == ()  # the plan was computed from this very inventory


def _plan_then_import(workspace, tmp_path, *edges):
    """A plan file computed from the workspace, then more dependency edges imported into it (as a second
    Azure Migrate export would be): the inventory the plan recorded is no longer the workspace's."""
    from migrate.inventory.model import Dependency, ParsedFile
    from migrate.inventory.store import SourceFile, Workspace
    from migrate.workflows.plan import plan_workspace

    path = tmp_path / "computed-plan.json"
    plan_workspace(workspace, write=lambda text: path.write_text(text, encoding="utf-8"))
    if edges:
        with Workspace.open(workspace) as store:
            store.import_files([(SourceFile("more.csv", "c" * 64, "csv"),
                                 ParsedFile("more.csv", "csv", dependencies=tuple(Dependency(*e) for e in edges)))],
                               now="2026-12-06T00:00:00Z")
    return path


def test_a_plan_of_another_inventory_is_refused_naming_both_digests(workspace, tmp_path):
    from migrate.landing.drift import InventoryDrift
    from migrate.workflows.landing import inventory_state

    plan_file = _plan_then_import(workspace, tmp_path, ("epic-prd-db01", "10.9.9.10", 1521))
    recorded = json.loads(plan_file.read_text())["inputs"]["inventory"]["sha256"]
    current = inventory_state(workspace)[2]
    assert recorded != current
    with pytest.raises(InventoryDrift) as caught:
        land_plan(workspace, str(STACKS / "Pulumi.prod.yaml"), plan_file)
    assert caught.value.exit_code == 2
    assert caught.value.title.startswith("the inventory of the workspace changed since the plan was computed")
    lines = caught.value.lines()
    assert lines[0] == (f"the plan was computed from inventory sha256 {recorded} with 5 dependencies; the inventory "
                        f"of the workspace is now sha256 {current} with 6 dependencies")
    assert "a link added since gets a kept rule the waves of the plan never accounted for" in lines[2]
    assert lines[3] == "plan again (`carelift plan`) and land that plan, or pass --allow-drift to write this overlay anyway"
    # The stored plan is as old as the file: the same refusal without --plan.
    with pytest.raises(InventoryDrift):
        land_plan(workspace, str(STACKS / "Pulumi.prod.yaml"))


def test_allow_drift_writes_the_overlay_and_says_so(workspace, tmp_path):
    plan_file = _plan_then_import(workspace, tmp_path, ("epic-prd-db01", "10.9.9.10", 1521))
    result = land_plan(workspace, str(STACKS / "Pulumi.prod.yaml"), plan_file, allow_drift=True)
    assert result.warnings[0] == ("the inventory of the workspace changed since the plan was computed: the landing "
                                  "would mix the crossing links of the plan with other dependencies (--allow-drift: "
                                  "written anyway)")
    assert "sha256" in result.warnings[1] and len(result.warnings) == 4
    # The link imported since is in the overlay: what the warning is about.
    assert "10.9.9.10/32" in result.landing.overlay


def test_the_same_inventory_passes_and_a_plan_without_a_digest_is_only_warned_about(workspace, tmp_path, plan_file):
    same = _plan_then_import(workspace, tmp_path)
    assert land_plan(workspace, str(STACKS / "Pulumi.prod.yaml"), same).warnings == ()
    # A hand-made plan (no inputs section) cannot be checked: said, not refused.
    document = json.loads(plan_file.read_text())
    assert "inputs" not in document
    from migrate.landing.drift import drift

    found = drift(document, "ab" * 32, 5, "cd" * 32)
    assert not found.drifted and found.lines() == [
        "the plan records no inventory digest (inputs.inventory.sha256), so carelift cannot tell whether the 5 "
        f"dependencies of the workspace (sha256 {'cd' * 32}) are the ones it was computed from"]


def _plan_then_edit(workspace, tmp_path):
    """A plan file computed from the workspace, then a CMDB extract imported that gives the EHR server
    (wave 3) another owner and address: its facts are no longer those the plan was computed from."""
    from migrate.inventory.model import ParsedFile, Server
    from migrate.inventory.store import SourceFile, Workspace

    path = _plan_then_import(workspace, tmp_path)
    with Workspace.open(workspace) as store:
        store.import_files([(SourceFile("cmdb.csv", "e" * 64, "csv"),
                             ParsedFile("cmdb.csv", "csv", servers=(
                                 Server(name="epic-prd-app01", owner="Interfaces team", ips=("10.2.0.77",)),)))],
                           now="2026-12-06T00:00:00Z")
    return path


def test_a_runbook_and_a_csv_of_a_plan_whose_servers_changed_are_refused(workspace, tmp_path, one_subnet_stack):
    """The runbook and the Azure Migrate CSV join the plan's waves with the servers' facts as they are now
    (targets, addresses, owners, OS): after a server edit they are refused like `plan landing`, naming both
    digests, for the plan file and the stored plan alike."""
    from migrate.landing.drift import InventoryDrift
    from migrate.workflows.landing import inventory_state

    plan_file = _plan_then_edit(workspace, tmp_path)
    recorded = json.loads(plan_file.read_text())["inputs"]["inventory"]["sha256"]
    current = inventory_state(workspace)[2]
    stack = str(one_subnet_stack)
    for stored in (plan_file, None):
        with pytest.raises(InventoryDrift) as refused:
            runbook(workspace, 3, stack, stored)
        assert refused.value.exit_code == 2
        assert refused.value.title == ("the inventory of the workspace changed since the plan was computed: the "
                                       "runbook would join the waves of the plan with other server facts")
        lines = refused.value.lines()
        assert lines[0] == (f"the plan was computed from inventory sha256 {recorded} with 5 dependencies; the "
                            f"inventory of the workspace is now sha256 {current} with 5 dependencies")
        assert lines[3] == ("plan again (`carelift plan`), land that plan (`carelift plan landing`) and deploy it, "
                            "or pass --allow-drift to write this runbook anyway")
        with pytest.raises(InventoryDrift) as refused:
            azure_migrate_csv(workspace, 3, stack, stored)
        assert refused.value.title.endswith("the Azure Migrate CSV would join the waves of the plan with other "
                                            "server facts")
        assert refused.value.lines()[3].endswith("or pass --allow-drift to write this CSV anyway")


def test_allow_drift_writes_the_runbook_and_the_csv_with_the_warning(workspace, tmp_path, one_subnet_stack):
    plan_file = _plan_then_edit(workspace, tmp_path)
    result = runbook(workspace, 3, str(one_subnet_stack), plan_file, allow_drift=True)
    assert result.warnings[0].endswith("with other server facts (--allow-drift: written anyway)")
    assert len(result.warnings) == 4 and "sha256" in result.warnings[1]
    # What the warning is about: the owner the runbook names is the workspace's, not the plan's inventory's.
    assert "| epic-prd-app01 | rehost |" in result.text and "Interfaces team" in result.text
    csv = azure_migrate_csv(workspace, 3, str(one_subnet_stack), plan_file, allow_drift=True)
    assert csv.warnings[0].endswith("(--allow-drift: written anyway)") and "epic-prd-app01" in csv.export.text


def test_a_runbook_and_a_csv_of_the_workspaces_own_plan_pass_without_a_word(workspace, tmp_path, one_subnet_stack):
    plan_file = _plan_then_import(workspace, tmp_path)
    assert runbook(workspace, 3, str(one_subnet_stack), plan_file).warnings == ()
    assert azure_migrate_csv(workspace, 3, str(one_subnet_stack)).warnings == ()
