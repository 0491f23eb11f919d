"""Governance: management groups, HIPAA policy baseline, remediation roles, Defender, budget."""

from __future__ import annotations

import datetime
import uuid

import pytest

from infra.components.governance import Governance, GovernanceArgs
from infra.config import ConfigError, StackConfig
from infra.render import OFFLINE_SUBSCRIPTION_ID, Rendering
from tests.conftest import load_stack
from tests.infra.components.conftest import build_under_mocks

SUBSCRIPTION = f"/subscriptions/{OFFLINE_SUBSCRIPTION_ID}"
MG = "/providers/Microsoft.Management/managementGroups"
POLICY_ASSIGNMENT = "azure-native:authorization:PolicyAssignment"
ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
MANAGEMENT_GROUP = "azure-native:management:ManagementGroup"
PRICING = "azure-native:security:Pricing"
BUDGET = "azure-native:consumption:Budget"

DEFINITIONS = {
    "hipaa-hitrust": "/providers/Microsoft.Authorization/policySetDefinitions/a169a624-5599-4385-a696-c8d643089fab",
    "mcsb": "/providers/Microsoft.Authorization/policySetDefinitions/1f3afdf9-d0c9-4c3d-847f-89da613e70a8",
    "allowed-locations": "/providers/Microsoft.Authorization/policyDefinitions/e56962a6-4747-49cd-b67b-bf8b01975c4c",
    "require-data-class-tag": "/providers/Microsoft.Authorization/policyDefinitions/871b6d14-10aa-478d-b590-94f262ecfa99",
}
INITIATIVES = ("hipaa-hitrust", "mcsb")
REMEDIATION_ROLES = {
    "b24988ac-6180-42a0-ab88-20f7382dd24c",  # Contributor
    "749f88d5-cbae-40b8-bcfc-e573ddc772fa",  # Monitoring Contributor
    "4d97b98b-1d4f-4787-a291-c67834d212e7",  # Network Contributor
}


def build_governance(config: StackConfig) -> Rendering:
    """Governance alone under the mock engine, for the offline subscription."""
    return build_under_mocks(lambda: Governance("governance", GovernanceArgs(
        config=config, subscription_id=OFFLINE_SUBSCRIPTION_ID)), config)[0]


def assignments(rendering) -> dict[str, dict]:
    return {r.inputs["policyAssignmentName"]: r for r in rendering.of_type(POLICY_ASSIGNMENT)}


def governance_role_assignments(rendering):
    return [r for r in rendering.of_type(ROLE_ASSIGNMENT) if r.name.startswith("governance-policy-")]


# ---------------------------------------------------------------------------- management groups


def test_prod_builds_the_landing_zone_management_group_tree_under_the_configured_root(prod_rendering):
    groups = {r.inputs["groupId"]: r for r in prod_rendering.of_type(MANAGEMENT_GROUP)}
    assert set(groups) == {
        "rbh", "rbh-platform", "rbh-platform-management", "rbh-platform-connectivity",
        "rbh-platform-identity", "rbh-landingzones", "rbh-landingzones-corp",
        "rbh-landingzones-clinical", "rbh-sandbox", "rbh-decommissioned",
    }
    assert groups["rbh"].inputs["displayName"] == "Riverbend Health"
    assert "details" not in groups["rbh"].inputs  # the root hangs under the tenant root group

    def parent(group_id):
        return groups[group_id].inputs["details"]["parent"]["id"]

    assert parent("rbh-platform") == f"{MG}/rbh"
    assert parent("rbh-landingzones") == f"{MG}/rbh"
    assert parent("rbh-sandbox") == f"{MG}/rbh"
    assert parent("rbh-decommissioned") == f"{MG}/rbh"
    for child in ("management", "connectivity", "identity"):
        assert parent(f"rbh-platform-{child}") == f"{MG}/rbh-platform"
    for child in ("corp", "clinical"):
        assert parent(f"rbh-landingzones-{child}") == f"{MG}/rbh-landingzones"


def test_dev_without_management_groups_creates_none(dev_rendering):
    assert dev_rendering.of_type(MANAGEMENT_GROUP) == []


def test_prod_assigns_policy_at_the_root_management_group(prod_rendering):
    for assignment in assignments(prod_rendering).values():
        assert assignment.inputs["scope"] == f"{MG}/rbh"


def test_dev_assigns_policy_at_the_subscription(dev_rendering):
    for assignment in assignments(dev_rendering).values():
        assert assignment.inputs["scope"] == SUBSCRIPTION


def test_turning_management_groups_on_moves_policy_to_the_new_root(stack_config):
    def enable(cfg):
        cfg["carelift:governance"].update(managementGroups=True, rootManagementGroupId="rbh-dev",
                                          rootManagementGroupName="Riverbend Health (dev)")

    rendering = build_governance(stack_config(enable, stack="dev"))
    assert len(rendering.of_type(MANAGEMENT_GROUP)) == 10
    assert {a.inputs["scope"] for a in assignments(rendering).values()} == {f"{MG}/rbh-dev"}
    for role in governance_role_assignments(rendering):
        assert role.inputs["scope"] == f"{MG}/rbh-dev"
        assert role.inputs["roleDefinitionId"].startswith("/providers/Microsoft.Authorization/roleDefinitions/")


# ---------------------------------------------------------------------------- policy assignments


def test_all_four_baseline_assignments_use_the_exact_built_in_definitions(rendering):
    found = assignments(rendering)
    assert {name: a.inputs["policyDefinitionId"] for name, a in found.items()} == DEFINITIONS


def test_assignment_names_fit_the_24_character_management_group_limit(rendering):
    assert all(len(name) <= 24 for name in assignments(rendering))


def test_assignments_enforce_as_configured(rendering):
    for assignment in assignments(rendering).values():
        assert assignment.inputs["enforcementMode"] == "Default"


def test_do_not_enforce_reaches_every_assignment(stack_config):
    def audit_only(cfg):
        cfg["carelift:governance"]["policyEnforcement"] = "DoNotEnforce"

    rendering = build_governance(stack_config(audit_only, stack="dev"))
    assert len(assignments(rendering)) == len(DEFINITIONS)
    assert {a.inputs["enforcementMode"] for a in assignments(rendering).values()} == {"DoNotEnforce"}


def test_initiatives_get_a_system_identity_in_the_stack_location(rendering):
    found = assignments(rendering)
    for name in INITIATIVES:
        assert found[name].inputs["identity"] == {"type": "SystemAssigned"}
        assert found[name].inputs["location"] == "eastus2"


def test_deny_only_assignments_hold_no_identity(rendering):
    found = assignments(rendering)
    for name in ("allowed-locations", "require-data-class-tag"):
        assert "identity" not in found[name].inputs


def test_every_assignment_explains_non_compliance_in_a_full_sentence(rendering):
    for assignment in assignments(rendering).values():
        messages = assignment.inputs["nonComplianceMessages"]
        assert len(messages) == 1
        text = messages[0]["message"]
        assert text[0].isupper() and text.endswith(".") and len(text.split()) >= 8
        assert assignment.inputs["displayName"] and assignment.inputs["description"]


def test_allowed_locations_lists_exactly_the_configured_regions(rendering):
    parameters = assignments(rendering)["allowed-locations"].inputs["parameters"]
    assert parameters == {"listOfAllowedLocations": {"value": ["eastus2", "centralus"]}}


def test_required_tag_is_data_classification(rendering):
    parameters = assignments(rendering)["require-data-class-tag"].inputs["parameters"]
    assert parameters == {"tagName": {"value": "data-classification"}}


# ---------------------------------------------------------------------------- remediation roles


def test_each_initiative_identity_gets_the_three_remediation_roles(rendering):
    found = assignments(rendering)
    roles = governance_role_assignments(rendering)
    assert len(roles) == len(INITIATIVES) * len(REMEDIATION_ROLES)
    principal_ids = {}
    for name in INITIATIVES:
        mine = [r for r in roles if r.name.startswith(f"governance-policy-{name}-")]
        assert {r.inputs["roleDefinitionId"].rsplit("/", 1)[-1] for r in mine} == REMEDIATION_ROLES
        # The mocks give each SystemAssigned identity its own principal id; the roles read it
        # from the assignment's output, so they also wait for the assignment.
        (principal_ids[name],) = {r.inputs["principalId"] for r in mine}
        assert all(found[name].urn in r.depends_on for r in mine)
    assert principal_ids["hipaa-hitrust"] != principal_ids["mcsb"]


def test_remediation_roles_are_for_service_principals_at_the_policy_scope(dev_rendering):
    for role in governance_role_assignments(dev_rendering):
        assert role.inputs["principalType"] == "ServicePrincipal"
        assert role.inputs["scope"] == SUBSCRIPTION
        assert role.inputs["roleDefinitionId"].startswith(
            f"{SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/")


def test_role_assignment_names_are_stable_guids_unique_per_stack(prod_rendering, dev_rendering):
    prod = {r.inputs["roleAssignmentName"] for r in governance_role_assignments(prod_rendering)}
    dev = {r.inputs["roleAssignmentName"] for r in governance_role_assignments(dev_rendering)}
    for name in prod | dev:
        assert str(uuid.UUID(name)) == name
    assert len(prod) == len(dev) == 6
    assert not prod & dev  # names are tenant-wide: two stacks must never collide


# ---------------------------------------------------------------------------- Defender for Cloud


def test_six_defender_plans_are_on_at_standard_for_the_subscription(rendering):
    plans = {r.inputs["pricingName"]: r.inputs for r in rendering.of_type(PRICING)}
    assert set(plans) == {"VirtualMachines", "SqlServers", "StorageAccounts", "KeyVaults", "Arm", "AI"}
    for plan in plans.values():
        assert plan["pricingTier"] == "Standard"
        assert plan["scopeId"] == SUBSCRIPTION
    assert plans["VirtualMachines"]["subPlan"] == "P2"
    assert plans["StorageAccounts"]["subPlan"] == "DefenderForStorageV2"
    assert plans["KeyVaults"]["subPlan"] == "PerKeyVault"
    assert plans["Arm"]["subPlan"] == "PerSubscription"
    assert "subPlan" not in plans["SqlServers"] and "subPlan" not in plans["AI"]


# ---------------------------------------------------------------------------- budget


def test_prod_budget_alerts_at_each_threshold_and_on_forecast(prod_rendering):
    (budget,) = prod_rendering.of_type(BUDGET)
    inputs = budget.inputs
    assert inputs["scope"] == SUBSCRIPTION
    assert inputs["amount"] == 185000
    assert inputs["timeGrain"] == "Monthly" and inputs["category"] == "Cost"
    notifications = inputs["notifications"]
    actual = sorted(n["threshold"] for n in notifications.values() if n["thresholdType"] == "Actual")
    assert actual == [50, 80, 100, 120]
    forecast = [n for n in notifications.values() if n["thresholdType"] == "Forecasted"]
    assert [n["threshold"] for n in forecast] == [100]
    for notification in notifications.values():
        assert notification["enabled"] is True
        assert notification["operator"] == "GreaterThan"
        assert notification["contactEmails"] == ["cloud-finops@riverbendhealth.org", "cio-office@riverbendhealth.org"]


def test_dev_budget_uses_its_own_amount_and_thresholds(dev_rendering):
    (budget,) = dev_rendering.of_type(BUDGET)
    assert budget.inputs["amount"] == 15000
    assert sorted(n["threshold"] for n in budget.inputs["notifications"].values()
                  if n["thresholdType"] == "Actual") == [80, 100]


def test_no_budget_when_none_is_configured(stack_config):
    def drop_budget(cfg):
        del cfg["carelift:governance"]["budget"]

    rendering = build_governance(stack_config(drop_budget, stack="dev"))
    assert rendering.of_type(BUDGET) == []
    assert len(rendering.of_type(POLICY_ASSIGNMENT)) == 4


def test_more_thresholds_than_azure_allows_fail_with_the_config_key(stack_config):
    def too_many(cfg):
        cfg["carelift:governance"]["budget"]["thresholds"] = [50, 60, 70, 80, 90]

    with pytest.raises(ConfigError, match="governance.budget.thresholds"):
        stack_config(too_many, stack="dev")


def test_without_a_start_date_the_budget_starts_on_the_first_day_of_the_deploy_month(stack_config):
    # Azure rejects a budget that starts in a past month: a date fixed in the stack file
    # would stop the stack deploying once that month is over.
    config = stack_config(lambda cfg: cfg["carelift:governance"]["budget"].pop("startDate", None), stack="dev",
                          today=datetime.date(2027, 3, 17))
    (budget,) = build_governance(config).of_type(BUDGET)
    assert budget.inputs["timePeriod"] == {"startDate": "2027-03-01T00:00:00Z"}
    # Later deploys keep the month the budget was created in instead of moving it monthly.
    assert budget.ignore_changes == ("timePeriod.startDate",)


def test_an_explicit_start_month_is_deployed_as_given_and_kept_under_management(stack_config):
    def start_in_may(cfg):
        cfg["carelift:governance"]["budget"]["startDate"] = "2027-05-01"

    (budget,) = build_governance(stack_config(start_in_may, stack="dev",
                                              today=datetime.date(2027, 3, 17))).of_type(BUDGET)
    assert budget.inputs["timePeriod"] == {"startDate": "2027-05-01T00:00:00Z"}
    assert budget.ignore_changes == ()


def test_the_shipped_stacks_leave_the_budget_start_to_the_deploy_month():
    for stack in ("prod", "dev"):
        assert "startDate" not in load_stack(stack)["config"]["carelift:governance"]["budget"]


def test_prod_subscription_is_placed_under_the_clinical_landing_zone(prod_rendering):
    (placement,) = prod_rendering.of_type("azure-native:management:ManagementGroupSubscription")
    assert placement.inputs["groupId"] == "rbh-landingzones-clinical"


def test_no_subscription_placement_without_management_groups(dev_rendering):
    assert dev_rendering.of_type("azure-native:management:ManagementGroupSubscription") == []
