"""Governance resources: resource groups, management groups, policy, roles, locks, Defender, budget."""

from __future__ import annotations

import re

from infra import clock
from tests.infra.arm.expected import (ARCHIVE, MANAGEMENT, MANAGEMENT_GROUPS, SUB, SUBSCRIPTION, TAGS, TENANT,
                                      document, versionless)

COVERED = {
    "azure-native:resources:ResourceGroup",
    "azure-native:management:ManagementGroup",
    "azure-native:management:ManagementGroupSubscription",
    "azure-native:authorization:PolicyAssignment",
    "azure-native:authorization:RoleAssignment",
    "azure-native:authorization:ManagementLockByScope",
    "azure-native:security:Pricing",
    "azure-native:consumption:Budget",
}
ROOT_GROUP = f"{MANAGEMENT_GROUPS}/rbh"


def test_resource_group_is_a_subscription_level_resource_with_location_and_tags(prod_rendering):
    assert versionless(document(prod_rendering, "monitoring-rg")) == {
        "type": "Microsoft.Resources/resourceGroups",
        "name": "rg-rbh-prod-management",
        "id": f"{SUBSCRIPTION}/resourceGroups/rg-rbh-prod-management",
        "location": "eastus2",
        "tags": TAGS,
        "properties": {},
    }


def test_management_group_names_its_parent_in_properties_details(prod_rendering):
    assert versionless(document(prod_rendering, "governance-mg-landingzones-clinical")) == {
        "type": "Microsoft.Management/managementGroups",
        "name": "rbh-landingzones-clinical",
        "id": f"{MANAGEMENT_GROUPS}/rbh-landingzones-clinical",
        "properties": {"displayName": "Clinical",
                       "details": {"parent": {"id": f"{MANAGEMENT_GROUPS}/rbh-landingzones"}}},
    }


def test_subscription_placement_is_named_after_the_subscription_under_its_group(prod_rendering):
    group = f"{MANAGEMENT_GROUPS}/rbh-landingzones-clinical"
    assert versionless(document(prod_rendering, "governance-subscription-placement")) == {
        "type": "Microsoft.Management/managementGroups/subscriptions",
        "name": SUB,
        "id": f"{group}/subscriptions/{SUB}",
        "properties": {"parent": {"id": group}},
    }


def test_policy_assignment_keeps_scope_in_properties_and_identity_beside_them(prod_rendering):
    doc = document(prod_rendering, "governance-policy-hipaa-hitrust")
    assert versionless(doc) == {
        "type": "Microsoft.Authorization/policyAssignments",
        "name": "hipaa-hitrust",
        "id": f"{ROOT_GROUP}/providers/Microsoft.Authorization/policyAssignments/hipaa-hitrust",
        "identity": {"type": "SystemAssigned", "principalId": doc["identity"]["principalId"], "tenantId": TENANT},
        "location": "eastus2",
        "properties": {
            "description": "Audits and remediates the HITRUST CSF controls mapped to the HIPAA Security Rule "
                           "(45 CFR Part 164 Subpart C) across the landing zone.",
            "displayName": "HITRUST/HIPAA",
            "enforcementMode": "Default",
            "nonComplianceMessages": [{"message": (
                "This resource does not meet a HITRUST/HIPAA control required for systems that store or process "
                "electronic protected health information; see the policy's compliance details for the failed "
                "control and remediate it before storing PHI.")}],
            "policyDefinitionId": "/providers/Microsoft.Authorization/policySetDefinitions/"
                                  "a169a624-5599-4385-a696-c8d643089fab",
            "scope": ROOT_GROUP,
        },
    }
    assert re.fullmatch(r"[0-9a-f-]{36}", doc["identity"]["principalId"])


def test_role_assignment_grants_the_assignment_identity_at_the_scope_it_extends(prod_rendering):
    assignment = document(prod_rendering, "governance-policy-hipaa-hitrust")
    doc = document(prod_rendering, "governance-policy-hipaa-hitrust-contributor")
    assert versionless(doc) == {
        "type": "Microsoft.Authorization/roleAssignments",
        "name": doc["name"],
        "id": f"{ROOT_GROUP}/providers/Microsoft.Authorization/roleAssignments/{doc['name']}",
        "properties": {
            "description": "Lets the HITRUST/HIPAA policy assignment remediate non-compliant resources.",
            "principalId": assignment["identity"]["principalId"],
            "principalType": "ServicePrincipal",
            "roleDefinitionId": "/providers/Microsoft.Authorization/roleDefinitions/"
                                "b24988ac-6180-42a0-ab88-20f7382dd24c",
            "scope": ROOT_GROUP,
        },
    }
    assert re.fullmatch(r"[0-9a-f-]{36}", doc["name"])


def test_lock_is_an_extension_of_the_locked_resource_with_level_and_notes(prod_rendering):
    assert versionless(document(prod_rendering, "audit-archive-lock")) == {
        "type": "Microsoft.Authorization/locks",
        "name": "do-not-delete",
        "id": f"{ARCHIVE}/providers/Microsoft.Authorization/locks/do-not-delete",
        "properties": {
            "level": "CanNotDelete",
            "notes": "Holds six years of HIPAA evidence (45 CFR 164.316(b)(2)(i)); remove only with the "
                     "privacy officer's approval.",
        },
    }


def test_defender_plan_is_a_subscription_pricing_without_its_scope_input(prod_rendering):
    assert versionless(document(prod_rendering, "governance-defender-keyvaults")) == {
        "type": "Microsoft.Security/pricings",
        "name": "KeyVaults",
        "id": f"{SUBSCRIPTION}/providers/Microsoft.Security/pricings/KeyVaults",
        "properties": {"pricingTier": "Standard", "subPlan": "PerKeyVault"},
    }


def test_budget_keeps_amounts_and_thresholds_as_integers(prod_rendering):
    emails = ["cloud-finops@riverbendhealth.org", "cio-office@riverbendhealth.org"]

    def alert(threshold: int, kind: str = "Actual") -> dict:
        return {"contactEmails": emails, "enabled": True, "operator": "GreaterThan", "threshold": threshold,
                "thresholdType": kind}

    assert versionless(document(prod_rendering, "governance-budget")) == {
        "type": "Microsoft.Consumption/budgets",
        "name": "budget-rbh-prod-monthly",
        "id": f"{SUBSCRIPTION}/providers/Microsoft.Consumption/budgets/budget-rbh-prod-monthly",
        "properties": {
            "amount": 185000,
            "category": "Cost",
            "notifications": {
                "actual-greater-than-100-percent": alert(100),
                "actual-greater-than-120-percent": alert(120),
                "actual-greater-than-50-percent": alert(50),
                "actual-greater-than-80-percent": alert(80),
                "forecast-greater-than-100-percent": alert(100, "Forecasted"),
            },
            "timeGrain": "Monthly",
            # The default first month is the render day's (infra.clock: CARELIFT_AS_OF, else today).
            "timePeriod": {"startDate": f"{clock.today():%Y-%m}-01T00:00:00Z"},
        },
    }


def test_workspace_lock_id_extends_the_workspace_id(prod_rendering):
    doc = document(prod_rendering, "monitoring-workspace-lock")
    assert doc["id"].startswith(f"{SUBSCRIPTION}/resourceGroups/{MANAGEMENT}/providers/"
                                "Microsoft.OperationalInsights/workspaces/log-rbh-prod/providers/")
    assert doc["properties"]["level"] == "CanNotDelete"
