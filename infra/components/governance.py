"""Governance: management groups, the HIPAA policy baseline, Defender for Cloud and a budget.

The policy baseline is what an auditor asks for first: the HITRUST/HIPAA initiative and the
Microsoft Cloud Security Benchmark assigned with working remediation identities, resources
kept in US regions, and every resource tagged with its data classification.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pulumi
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.consumption as consumption
import pulumi_azure_native.management as management
import pulumi_azure_native.security as security

from infra.config import MANAGEMENT_GROUP_TREE, Budget, StackConfig

POLICY_SETS = "/providers/Microsoft.Authorization/policySetDefinitions"
POLICY_DEFINITIONS = "/providers/Microsoft.Authorization/policyDefinitions"
ROLE_DEFINITIONS = "/providers/Microsoft.Authorization/roleDefinitions"

HIPAA_HITRUST = "a169a624-5599-4385-a696-c8d643089fab"
CLOUD_SECURITY_BENCHMARK = "1f3afdf9-d0c9-4c3d-847f-89da613e70a8"
ALLOWED_LOCATIONS = "e56962a6-4747-49cd-b67b-bf8b01975c4c"
REQUIRE_TAG = "871b6d14-10aa-478d-b590-94f262ecfa99"

# Roles the initiatives' DeployIfNotExists/Modify policies need to remediate. Without them
# remediation tasks fail with AuthorizationFailed (the ALZ community's top complaint).
REMEDIATION_ROLES = {
    "Contributor": "b24988ac-6180-42a0-ab88-20f7382dd24c",
    "Monitoring Contributor": "749f88d5-cbae-40b8-bcfc-e573ddc772fa",
    "Network Contributor": "4d97b98b-1d4f-4787-a291-c67834d212e7",
}

# Defender plan -> sub-plan (None: the plan has a single offering).
DEFENDER_PLANS = {
    "VirtualMachines": "P2",  # P2 adds file integrity monitoring and agentless scanning.
    "SqlServers": None,
    "StorageAccounts": "DefenderForStorageV2",  # per-account pricing with malware scanning.
    "KeyVaults": "PerKeyVault",
    "Arm": "PerSubscription",
    "AI": None,
}

# Seeds role assignment names: they must be GUIDs, unique in the tenant, stable across runs.
_ROLE_ASSIGNMENT_NAMESPACE = uuid.UUID("0b5c3f4e-2a61-4f0d-9a7e-6c1d8e2f4b37")

# Display names of the groups in config.MANAGEMENT_GROUP_TREE (which gives their parents).
MANAGEMENT_GROUP_NAMES = {
    "platform": "Platform", "platform-management": "Management", "platform-connectivity": "Connectivity",
    "platform-identity": "Identity", "landingzones": "Landing zones", "landingzones-corp": "Corp",
    "landingzones-clinical": "Clinical", "sandbox": "Sandbox", "decommissioned": "Decommissioned",
}


@dataclass(frozen=True)
class _Assignment:
    key: str
    definition_id: str
    display_name: str
    description: str
    message: str
    remediates: bool
    parameters: dict[str, object] | None = None


@dataclass(frozen=True)
class GovernanceArgs:
    config: StackConfig
    """The validated stack: governance settings, allowed locations, location and names."""
    subscription_id: pulumi.Input[str]
    """The subscription Defender plans, the budget and (without management groups) policy apply to."""


class Governance(pulumi.ComponentResource):
    """Policy baseline, Defender for Cloud plans and a cost budget for the landing zone.

    With ``governance.managementGroups`` the Azure Landing Zones hierarchy is created under the
    tenant root (root → platform {management, connectivity, identity}, landingzones {corp,
    clinical}, sandbox, decommissioned) and policy is assigned at its root, so every
    subscription placed below inherits it. The deploying subscription is moved below the group
    named by ``governance.subscriptionManagementGroup``; without that key it stays where it is
    (moving it needs tenant-level rights and changes the policy of everything in it) and the
    root's policy does not reach it until a tenant administrator places it. Without management
    groups, policy is assigned at the subscription.
    """

    def __init__(self, name: str, args: GovernanceArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("carelift:governance:Governance", name, None, opts)
        config = args.config
        subscription_scope = pulumi.Output.concat("/subscriptions/", args.subscription_id)

        self.management_group_ids: dict[str, pulumi.Output[str]] = {}
        root_id = config.governance.root_management_group_id
        if config.governance.management_groups:
            assert root_id is not None, "the stack reader requires rootManagementGroupId with managementGroups: true"
            groups = self._management_groups(name, root_id, config)
            self.management_group_ids = {group_id: group.id for group_id, group in groups.items()}
            policy_scope: pulumi.Input[str] = groups[root_id].id
            role_definition_prefix: pulumi.Input[str] = ROLE_DEFINITIONS
            if config.governance.subscription_management_group:
                # Moves the deploying subscription (the provider's) below the root, so the
                # root's assignments reach it.
                management.ManagementGroupSubscription(
                    f"{name}-subscription-placement",
                    group_id=groups[f"{root_id}-{config.governance.subscription_management_group}"].name,
                    opts=pulumi.ResourceOptions(parent=self),
                )
        else:
            policy_scope = subscription_scope
            role_definition_prefix = pulumi.Output.concat(subscription_scope, ROLE_DEFINITIONS)

        self.policy_assignment_ids: dict[str, pulumi.Output[str]] = {}
        for spec in _assignments(config):
            assignment = self._assign(name, spec, config, policy_scope)
            self.policy_assignment_ids[spec.key] = assignment.id
            if spec.remediates:
                self._grant_remediation_roles(name, spec, config, assignment, policy_scope,
                                              role_definition_prefix)

        for plan, sub_plan in DEFENDER_PLANS.items():
            security.Pricing(
                f"{name}-defender-{plan.lower()}",
                scope_id=subscription_scope,
                pricing_name=plan,
                pricing_tier="Standard",
                sub_plan=sub_plan,
                opts=pulumi.ResourceOptions(parent=self),
            )

        self.budget_id: pulumi.Output[str] | None = None
        if config.governance.budget is not None:
            self.budget_id = self._budget(name, config.governance.budget, config, subscription_scope).id

        self.register_outputs({
            "policy_assignment_ids": self.policy_assignment_ids,
            "management_group_ids": self.management_group_ids,
            "budget_id": self.budget_id,
        })

    def _management_groups(self, name: str, root_id: str,
                           config: StackConfig) -> dict[str, management.ManagementGroup]:
        root = management.ManagementGroup(
            f"{name}-mg-root",
            group_id=root_id,
            display_name=config.governance.root_management_group_name,
            opts=pulumi.ResourceOptions(parent=self),
        )
        groups = {root_id: root}
        for suffix, parent_suffix in MANAGEMENT_GROUP_TREE.items():
            parent = groups[f"{root_id}-{parent_suffix}" if parent_suffix else root_id]
            group_id = f"{root_id}-{suffix}"
            groups[group_id] = management.ManagementGroup(
                f"{name}-mg-{suffix}",
                group_id=group_id,
                display_name=MANAGEMENT_GROUP_NAMES[suffix],
                details=management.CreateManagementGroupDetailsArgs(
                    parent=management.CreateParentGroupInfoArgs(id=parent.id)),
                opts=pulumi.ResourceOptions(parent=self),
            )
        return groups

    def _assign(self, name: str, spec: _Assignment, config: StackConfig,
                scope: pulumi.Input[str]) -> authorization.PolicyAssignment:
        return authorization.PolicyAssignment(
            f"{name}-policy-{spec.key}",
            # Assignment names at management-group scope are limited to 24 characters.
            policy_assignment_name=spec.key,
            scope=scope,
            policy_definition_id=spec.definition_id,
            display_name=spec.display_name,
            description=spec.description,
            enforcement_mode=config.governance.policy_enforcement,
            parameters={key: authorization.ParameterValuesValueArgs(value=value)
                        for key, value in (spec.parameters or {}).items()} or None,
            non_compliance_messages=[authorization.NonComplianceMessageArgs(message=spec.message)],
            # Only DeployIfNotExists/Modify policies need an identity; deny-only assignments
            # get none, so they hold no standing permissions.
            identity=authorization.IdentityArgs(type=authorization.ResourceIdentityType.SYSTEM_ASSIGNED)
            if spec.remediates else None,
            location=config.location if spec.remediates else None,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _grant_remediation_roles(self, name: str, spec: _Assignment, config: StackConfig,
                                 assignment: authorization.PolicyAssignment,
                                 scope: pulumi.Input[str], role_definition_prefix: pulumi.Input[str]) -> None:
        principal_id = assignment.identity.apply(lambda identity: identity.principal_id if identity else None)
        for role, role_guid in REMEDIATION_ROLES.items():
            seed = f"{config.name_prefix}:{config.stack}:{spec.key}:{role_guid}"
            authorization.RoleAssignment(
                f"{name}-policy-{spec.key}-{role.lower().replace(' ', '-')}",
                role_assignment_name=str(uuid.uuid5(_ROLE_ASSIGNMENT_NAMESPACE, seed)),
                scope=scope,
                role_definition_id=pulumi.Output.concat(role_definition_prefix, "/", role_guid),
                principal_id=principal_id,
                # Skips the Entra ID lookup that fails while a new identity replicates.
                principal_type="ServicePrincipal",
                description=f"Lets the {spec.display_name} policy assignment remediate non-compliant resources.",
                opts=pulumi.ResourceOptions(parent=self),
            )

    def _budget(self, name: str, budget: Budget, config: StackConfig,
                scope: pulumi.Input[str]) -> consumption.Budget:
        emails = list(budget.contact_emails)
        notifications = {
            f"actual-greater-than-{threshold}-percent": consumption.NotificationArgs(
                enabled=True, operator="GreaterThan", threshold=threshold,
                threshold_type="Actual", contact_emails=emails)
            for threshold in budget.thresholds
        }
        # Warns before the money is spent, not after.
        notifications["forecast-greater-than-100-percent"] = consumption.NotificationArgs(
            enabled=True, operator="GreaterThan", threshold=100, threshold_type="Forecasted",
            contact_emails=emails)
        return consumption.Budget(
            f"{name}-budget",
            budget_name=f"budget-{config.name_prefix}-monthly",
            scope=scope,
            amount=budget.amount,
            category="Cost",
            time_grain="Monthly",
            time_period=consumption.BudgetTimePeriodArgs(start_date=f"{budget.start_date}T00:00:00Z"),
            notifications=notifications,
            # A start date left out of the stack file is the deploy month: keep the month the
            # budget was created in rather than moving it on every later `pulumi up`.
            opts=pulumi.ResourceOptions(
                parent=self, ignore_changes=[] if budget.start_date_given else ["timePeriod.startDate"]),
        )


def _assignments(config: StackConfig) -> tuple[_Assignment, ...]:
    return (
        _Assignment(
            key="hipaa-hitrust",
            definition_id=f"{POLICY_SETS}/{HIPAA_HITRUST}",
            display_name="HITRUST/HIPAA",
            description="Audits and remediates the HITRUST CSF controls mapped to the HIPAA Security Rule "
                        "(45 CFR Part 164 Subpart C) across the landing zone.",
            message="This resource does not meet a HITRUST/HIPAA control required for systems that store "
                    "or process electronic protected health information; see the policy's compliance "
                    "details for the failed control and remediate it before storing PHI.",
            remediates=True,
        ),
        _Assignment(
            key="mcsb",
            definition_id=f"{POLICY_SETS}/{CLOUD_SECURITY_BENCHMARK}",
            display_name="Microsoft Cloud Security Benchmark",
            description="Microsoft's security baseline for Azure services, the default initiative of "
                        "Defender for Cloud.",
            message="This resource does not follow the Microsoft Cloud Security Benchmark; review the "
                    "Defender for Cloud recommendation for it and apply the fix.",
            remediates=True,
        ),
        _Assignment(
            key="allowed-locations",
            definition_id=f"{POLICY_DEFINITIONS}/{ALLOWED_LOCATIONS}",
            display_name="Allowed locations",
            description="Keeps resources in the US regions approved for this estate's data.",
            message=f"Resources must be deployed to an approved US region ({', '.join(config.allowed_locations)}) "
                    "so that protected health information stays in the United States.",
            remediates=False,
            # The built-in definition already exempts location "global" (private DNS zones,
            # action groups), so only the configured regions are listed.
            parameters={"listOfAllowedLocations": list(config.allowed_locations)},
        ),
        _Assignment(
            key="require-data-class-tag",
            definition_id=f"{POLICY_DEFINITIONS}/{REQUIRE_TAG}",
            display_name="Require a data-classification tag",
            description="Every resource records the most sensitive data it holds (phi, pii, internal, public).",
            message="Every resource needs a data-classification tag (phi, pii, internal or public) so that "
                    "the handling rules for its data can be applied.",
            remediates=False,
            parameters={"tagName": "data-classification"},
        ),
    )
