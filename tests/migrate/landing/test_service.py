"""The landing services the CLI calls (migrate.landing.service): placement checked, runbooks and the
Azure Migrate CSV of a wave, targets in the plan, the stack file read, with the errors the CLI prints."""

from __future__ import annotations

import dataclasses

import pytest

from infra.config import ConfigError
from migrate.landing.factory import wave_csv
from migrate.landing.hybrid import hybrid_rules
from migrate.landing.placement import LandingError, place
from migrate.landing.propose import propose
from migrate.landing.runbook import runbook
from migrate.landing.service import (NoSuchWave, StackFileError, azure_migrate_export, landed, place_checked,
                                     plan_with_targets, stack_config, wave_runbook, with_proposal)
from tests.conftest import STACKS
from tests.migrate.landing.conftest import FACTS


@pytest.fixture
def deployed(plan, prod_bare):
    """The prod stack as it is once the overlay's proposed spokes and subnets exist."""
    return with_proposal(prod_bare, propose(place(plan, FACTS, prod_bare), prod_bare))


def test_a_plan_that_cannot_land_is_refused_with_every_problem(plan, prod_bare):
    with pytest.raises(LandingError) as caught:
        place_checked(plan, FACTS, prod_bare)  # the bare stack lacks the nonprod spoke and a clinical subnet
    assert len(caught.value.problems) == 2
    assert any("spoke 'nonprod' does not exist" in p for p in caught.value.problems)


def test_landed_is_the_checked_placement_and_its_hybrid_rules(plan, deployed):
    result = landed(plan, FACTS, deployed)
    assert result.placement == place(plan, FACTS, deployed)
    assert result.hybrid == hybrid_rules(plan, result.placement, FACTS)


def test_the_wave_runbook_is_the_runbook_of_the_landed_plan(plan, deployed):
    placement = place(plan, FACTS, deployed)
    expected = runbook(plan, 2, placement, hybrid_rules(plan, placement, FACTS), FACTS, deployed.stack)
    assert wave_runbook(plan, 2, FACTS, deployed) == expected


def test_a_wave_the_plan_lacks_is_named_with_the_waves_it_has(plan, deployed):
    with pytest.raises(NoSuchWave) as caught:
        wave_runbook(plan, 9, FACTS, deployed)
    assert caught.value.title == "the plan has no wave 9 (waves: 1, 2, 3, 4)"
    with pytest.raises(NoSuchWave, match="^the plan has no wave 9$"):
        azure_migrate_export(plan, 9, FACTS, deployed)


def test_the_azure_migrate_export_uses_the_stacks_project_and_tags(plan, deployed):
    export = azure_migrate_export(plan, 2, FACTS, deployed, test_vnet="vnet-test")
    placement = place(plan, FACTS, deployed)
    assert export == wave_csv(plan, 2, placement, FACTS, deployed.landing.azure_migrate, deployed.base_tags,
                              "vnet-test")
    assert export.rows == 1


def test_a_stack_without_an_azure_migrate_project_is_refused_not_invented(plan, deployed):
    config = dataclasses.replace(deployed, landing=dataclasses.replace(deployed.landing, azure_migrate=None))
    with pytest.raises(LandingError, match="names no Azure Migrate project: set carelift:landing.azureMigrate"):
        azure_migrate_export(plan, 2, FACTS, config)


def test_each_server_gets_its_target_or_the_reason_it_has_none(plan, deployed):
    targeted = plan_with_targets(plan, FACTS, deployed)
    assert targeted["servers"]["ehr-prd-app01"]["target"]["subnet"] == "snet-ehr-app"
    assert targeted["servers"]["erp-prd-db01"]["target"] is None
    assert "replatform" in targeted["servers"]["erp-prd-db01"]["target_reason"]
    assert {k: v for k, v in targeted.items() if k != "servers"} == {k: v for k, v in plan.items() if k != "servers"}


def test_a_missing_stack_file_is_a_config_error_as_deployed_and_unreadable_bare(tmp_path):
    with pytest.raises(ConfigError, match="1 configuration problem"):
        stack_config(tmp_path / "Pulumi.none.yaml", bare=False)
    with pytest.raises(StackFileError) as caught:
        stack_config(tmp_path / "Pulumi.none.yaml", bare=True)
    assert caught.value.title.startswith(f"cannot read {tmp_path / 'Pulumi.none.yaml'}: ")
    assert stack_config(STACKS / "Pulumi.prod.yaml", bare=True).stack == "prod"
