"""Monitoring: private Log Analytics, activity-log export, security alerts and who gets them."""

from __future__ import annotations

from infra.render import OFFLINE_SUBSCRIPTION_ID

SUBSCRIPTION = f"/subscriptions/{OFFLINE_SUBSCRIPTION_ID}"
WORKSPACE = "azure-native:operationalinsights:Workspace"
ALERT = "azure-native:monitor:ActivityLogAlert"
ACTION_GROUP = "azure-native:monitor:ActionGroup"
LOCK = "azure-native:authorization:ManagementLockByScope"

EXPECTED_OPERATIONS = {
    "Microsoft.Authorization/policyAssignments/write",
    "Microsoft.Authorization/policyAssignments/delete",
    "Microsoft.Authorization/roleAssignments/write",
    "Microsoft.Authorization/roleAssignments/delete",
    "Microsoft.Network/networkSecurityGroups/write",
    "Microsoft.Network/networkSecurityGroups/delete",
    "Microsoft.Network/networkSecurityGroups/securityRules/write",
    "Microsoft.Network/networkSecurityGroups/securityRules/delete",
    "Microsoft.Security/securitySolutions/write",
    "Microsoft.Security/securitySolutions/delete",
    "Microsoft.Security/policies/write",
    "Microsoft.KeyVault/vaults/delete",
}


def workspace(rendering):
    (found,) = rendering.of_type(WORKSPACE)
    return found


def test_management_resource_group_is_named_for_the_stack(rendering):
    group = rendering.named("monitoring-rg")
    assert group.inputs["resourceGroupName"] == f"rg-rbh-{rendering.stack}-management"
    assert workspace(rendering).inputs["resourceGroupName"] == group.inputs["resourceGroupName"]


def test_workspace_retention_follows_the_stack(prod_rendering, dev_rendering):
    assert workspace(prod_rendering).inputs["retentionInDays"] == 365
    assert workspace(dev_rendering).inputs["retentionInDays"] == 90


def test_workspace_takes_no_public_ingestion_or_queries(rendering):
    inputs = workspace(rendering).inputs
    assert inputs["publicNetworkAccessForIngestion"] == "Disabled"
    assert inputs["publicNetworkAccessForQuery"] == "Disabled"


def test_workspace_accepts_entra_id_only_and_resource_scoped_reads(rendering):
    inputs = workspace(rendering).inputs
    assert inputs["features"]["disableLocalAuth"] is True
    assert inputs["features"]["enableLogAccessUsingOnlyResourcePermissions"] is True
    assert inputs["sku"] == {"name": "PerGB2018"}
    assert inputs["workspaceName"] == f"log-rbh-{rendering.stack}"


def test_workspace_is_locked_against_deletion(rendering):
    lock = rendering.named("monitoring-workspace-lock")
    assert lock.type == LOCK
    assert lock.inputs["scope"] == workspace(rendering).id
    assert lock.inputs["level"] == "CanNotDelete"
    assert lock.inputs["notes"]


def test_subscription_activity_log_goes_to_the_workspace_in_every_category(rendering):
    (setting,) = rendering.of_type("azure-native:monitor:SubscriptionDiagnosticSetting")
    assert setting.inputs["workspaceId"] == workspace(rendering).id
    logs = setting.inputs["logs"]
    assert {log["category"] for log in logs} == {
        "Administrative", "Security", "ServiceHealth", "Alert", "Recommendation", "Policy",
        "Autoscale", "ResourceHealth",
    }
    assert all(log["enabled"] is True for log in logs)


def test_workspace_audits_its_own_queries(rendering):
    setting = rendering.named("monitoring-workspace-diag")
    assert setting.inputs["resourceUri"] == workspace(rendering).id
    assert setting.inputs["workspaceId"] == workspace(rendering).id
    assert setting.inputs["logs"] == [{"categoryGroup": "audit", "enabled": True}]


def test_action_group_emails_every_configured_address_with_the_common_schema(prod_rendering, dev_rendering):
    for rendering, emails in ((prod_rendering, ["secops@riverbendhealth.org", "privacy-officer@riverbendhealth.org"]),
                              (dev_rendering, ["secops@riverbendhealth.org"])):
        (group,) = rendering.of_type(ACTION_GROUP)
        receivers = group.inputs["emailReceivers"]
        assert [r["emailAddress"] for r in receivers] == emails
        assert all(r["useCommonAlertSchema"] is True for r in receivers)
        assert len({r["name"] for r in receivers}) == len(receivers)


def test_action_group_is_global_with_a_short_name_azure_accepts(rendering):
    (group,) = rendering.of_type(ACTION_GROUP)
    assert group.inputs["location"] == "Global"
    assert group.inputs["enabled"] is True
    assert 1 <= len(group.inputs["groupShortName"]) <= 12


def test_one_alert_per_security_operation(rendering):
    alerts = rendering.of_type(ALERT)
    operations = [
        next(c["equals"] for c in a.inputs["condition"]["allOf"] if c["field"] == "operationName")
        for a in alerts
    ]
    assert sorted(operations) == sorted(EXPECTED_OPERATIONS)


def test_every_alert_watches_administrative_events_on_the_subscription_and_pages_the_action_group(rendering):
    (group,) = rendering.of_type(ACTION_GROUP)
    for alert in rendering.of_type(ALERT):
        inputs = alert.inputs
        assert inputs["scopes"] == [SUBSCRIPTION]
        assert inputs["location"] == "Global"
        assert inputs["enabled"] is True
        conditions = inputs["condition"]["allOf"]
        assert {"field": "category", "equals": "Administrative"} in conditions
        assert len(conditions) == 2
        assert inputs["actions"] == {"actionGroups": [{"actionGroupId": group.id}]}
        assert inputs["description"].endswith(".")


def test_alert_names_are_unique_and_carry_the_stack_prefix(rendering):
    names = [a.inputs["activityLogAlertName"] for a in rendering.of_type(ALERT)]
    assert len(set(names)) == len(names)
    assert all(name.startswith(f"alert-rbh-{rendering.stack}-") for name in names)
