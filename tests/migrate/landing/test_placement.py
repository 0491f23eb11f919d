from __future__ import annotations

import dataclasses

from infra.config import PlacementRule
from migrate.landing.placement import place, usable_addresses
from tests.migrate.landing.conftest import FACTS


def test_first_matching_rule_wins_and_other_strategies_say_why(plan, prod_bare):
    placement = place(plan, FACTS, prod_bare)
    assert placement.targets["ehr-prd-app01"].subnet == "snet-ehr-app"  # rule "ehr"
    assert placement.targets["ehr-prd-app01"].rule == "ehr"
    assert placement.targets["hl7-prd-eng01"].subnet == "snet-integration"
    assert placement.targets["ehr-prd-app01"].resource_group == "rg-rbh-prod-clinical"
    assert placement.targets["ehr-prd-app01"].vnet == "vnet-rbh-prod-clinical"
    assert placement.not_placed == {"erp-prd-db01": "replatform to Azure SQL Managed Instance: it lands on no VM "
                                                    "subnet"}
    assert "old-prd-app01" not in placement.targets  # retired: not planned into a wave


def test_rules_naming_what_the_stack_lacks_are_missing_not_placed(plan, prod_bare):
    placement = place(plan, FACTS, prod_bare)
    # ehr-tst-app01 goes to the nonprod spoke (absent), lis-prd-app01 to snet-clinical-apps (absent).
    assert "ehr-tst-app01" not in placement.targets and "lis-prd-app01" not in placement.targets
    assert len(placement.missing) == 2
    assert any("spoke 'nonprod' does not exist" in m for m in placement.missing)
    assert any("subnet 'snet-clinical-apps' of spoke 'clinical' does not exist" in m for m in placement.missing)


def test_overflow_and_unplaced_servers_are_reported_together(plan, prod_bare):
    tiny = dataclasses.replace(prod_bare.landing, rules=(
        PlacementRule("cramped", "shared", "snet-management", environments=("prd",)),), default=None)
    config = dataclasses.replace(prod_bare, landing=dataclasses.replace(tiny, headroom_percent=90))
    for i in range(10):
        plan["servers"][f"app{i:02d}"] = dict(plan["servers"]["ehr-prd-app01"])
    placement = place(plan, FACTS, config)
    assert any(p.startswith("subnet shared/snet-management (10.41.0.64/26: 59 usable, 5 with 90 % headroom) "
                            "would receive 13 servers") for p in placement.problems)
    assert any("1 server(s) match no landing rule and there is no landing.default: ehr-tst-app01" in p
               for p in placement.problems)


def test_usable_addresses_leave_azures_five():
    assert usable_addresses("10.0.0.0/24") == 251
    assert usable_addresses("10.0.0.0/29") == 3
