"""Monitoring: the central Log Analytics workspace, the activity log and security alerts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import pulumi
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.monitor as monitor
import pulumi_azure_native.operationalinsights as operationalinsights
import pulumi_azure_native.resources as resources

from infra.components.diagnostics import diagnostic_setting
from infra.config.names import MANAGEMENT, resource_group_name

ACTIVITY_LOG_CATEGORIES = (
    "Administrative", "Security", "ServiceHealth", "Alert", "Recommendation", "Policy",
    "Autoscale", "ResourceHealth",
)

# (alert name suffix, operation, what the alert tells the on-call reader). One alert per
# operation, as Azure (and the CIS benchmark) recommends: each maps to one control change.
SECURITY_OPERATIONS = (
    ("policy-assignment-write", "Microsoft.Authorization/policyAssignments/write",
     "A policy assignment was created or changed."),
    ("policy-assignment-delete", "Microsoft.Authorization/policyAssignments/delete",
     "A policy assignment was deleted."),
    ("role-assignment-write", "Microsoft.Authorization/roleAssignments/write",
     "An Azure role was granted."),
    ("role-assignment-delete", "Microsoft.Authorization/roleAssignments/delete",
     "An Azure role assignment was removed."),
    ("nsg-write", "Microsoft.Network/networkSecurityGroups/write",
     "A network security group was created or changed."),
    ("nsg-delete", "Microsoft.Network/networkSecurityGroups/delete",
     "A network security group was deleted."),
    ("nsg-rule-write", "Microsoft.Network/networkSecurityGroups/securityRules/write",
     "A network security group rule was created or changed."),
    ("nsg-rule-delete", "Microsoft.Network/networkSecurityGroups/securityRules/delete",
     "A network security group rule was deleted."),
    ("security-solution-write", "Microsoft.Security/securitySolutions/write",
     "A Defender for Cloud security solution was created or changed."),
    ("security-solution-delete", "Microsoft.Security/securitySolutions/delete",
     "A Defender for Cloud security solution was deleted."),
    ("security-policy-write", "Microsoft.Security/policies/write",
     "The Defender for Cloud security policy was changed."),
    ("key-vault-delete", "Microsoft.KeyVault/vaults/delete",
     "A Key Vault was deleted."),
)

GROUP_SHORT_NAME_MAX = 12


@dataclass(frozen=True)
class MonitoringArgs:
    name_prefix: str
    """``<organization>-<environment>``, the middle of every Azure resource name."""
    location: str
    """Region of the resource group and the workspace."""
    subscription_id: pulumi.Input[str]
    """The subscription whose activity log the alerts watch."""
    log_retention_days: int
    """Interactive retention of the workspace (90-730 days)."""
    alert_emails: Sequence[str]
    """Who receives security alerts (secops, privacy officer)."""


class Monitoring(pulumi.ComponentResource):
    """The management resource group, Log Analytics, activity-log export and security alerts.

    The workspace takes no public ingestion or queries and no workspace keys: diagnostic
    settings and the activity log export travel inside Azure Monitor, and agents must use
    Entra ID through a private link scope.
    """

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("carelift:monitoring:Monitoring", name, None, opts)
        subscription_scope = pulumi.Output.concat("/subscriptions/", args.subscription_id)

        group = resources.ResourceGroup(
            f"{name}-rg",
            resource_group_name=resource_group_name(args.name_prefix, MANAGEMENT),
            location=args.location,
            opts=pulumi.ResourceOptions(parent=self),
        )

        workspace = operationalinsights.Workspace(
            f"{name}-workspace",
            workspace_name=f"log-{args.name_prefix}",
            resource_group_name=group.name,
            location=args.location,
            sku=operationalinsights.WorkspaceSkuArgs(name="PerGB2018"),
            retention_in_days=args.log_retention_days,
            public_network_access_for_ingestion="Disabled",
            public_network_access_for_query="Disabled",
            features=operationalinsights.WorkspaceFeaturesArgs(
                # Workspace keys are shared secrets nobody can attribute; Entra ID only.
                disable_local_auth=True,
                # A reader of one resource's logs sees that resource only, not the whole estate.
                enable_log_access_using_only_resource_permissions=True,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )

        authorization.ManagementLockByScope(
            f"{name}-workspace-lock",
            lock_name="do-not-delete",
            scope=workspace.id,
            level="CanNotDelete",
            notes="Holds the HIPAA audit trail (45 CFR 164.312(b)); remove only with the privacy officer's approval.",
            opts=pulumi.ResourceOptions(parent=self),
        )

        monitor.SubscriptionDiagnosticSetting(
            f"{name}-activity-log",
            name="activity-log-to-log-analytics",
            workspace_id=workspace.id,
            logs=[monitor.SubscriptionLogSettingsArgs(category=category, enabled=True)
                  for category in ACTIVITY_LOG_CATEGORIES],
            opts=pulumi.ResourceOptions(parent=self),
        )

        # Who queried the audit trail is itself audit evidence.
        diagnostic_setting(f"{name}-workspace", target_id=workspace.id, workspace_id=workspace.id,
                           parent=self, category_groups=("audit",))

        action_group = monitor.ActionGroup(
            f"{name}-action-group",
            action_group_name=f"ag-{args.name_prefix}-security",
            group_short_name=f"sec-{args.name_prefix}"[:GROUP_SHORT_NAME_MAX],
            resource_group_name=group.name,
            location="Global",
            enabled=True,
            email_receivers=[
                monitor.MicrosoftCommonEmailReceiverArgs(
                    name=f"email-{index}-{re.sub(r'[^A-Za-z0-9-]', '-', email.split('@')[0])}",
                    email_address=email,
                    use_common_alert_schema=True,
                )
                for index, email in enumerate(args.alert_emails, start=1)
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )

        for suffix, operation, description in SECURITY_OPERATIONS:
            monitor.ActivityLogAlert(
                f"{name}-alert-{suffix}",
                activity_log_alert_name=f"alert-{args.name_prefix}-{suffix}",
                resource_group_name=group.name,
                location="Global",
                enabled=True,
                description=f"{description} Confirm it was an approved change.",
                scopes=[subscription_scope],
                condition=monitor.AlertRuleAllOfConditionArgs(all_of=[
                    monitor.AlertRuleAnyOfOrLeafConditionArgs(field="category", equals="Administrative"),
                    monitor.AlertRuleAnyOfOrLeafConditionArgs(field="operationName", equals=operation),
                ]),
                actions=monitor.ActionListArgs(action_groups=[
                    monitor.ActionGroupArgs(action_group_id=action_group.id)]),
                opts=pulumi.ResourceOptions(parent=self),
            )

        self.resource_group_name = group.name
        self.workspace_id = workspace.id
        self.workspace_customer_id = workspace.customer_id
        self.action_group_id = action_group.id
        self.register_outputs({
            "resource_group_name": self.resource_group_name,
            "workspace_id": self.workspace_id,
            "workspace_customer_id": self.workspace_customer_id,
            "action_group_id": self.action_group_id,
        })
