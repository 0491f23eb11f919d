"""Monitoring: Log Analytics, diagnostic settings (resource and subscription), action group, alerts."""

from __future__ import annotations

from infra.arm import to_arm_document
from tests.infra.arm.expected import (MANAGEMENT, OPENAI, SUBSCRIPTION, TAGS, VAULT, WORKSPACE, document, rid,
                                      versionless)

COVERED = {
    "azure-native:operationalinsights:Workspace",
    "azure-native:monitor:DiagnosticSetting",
    "azure-native:monitor:SubscriptionDiagnosticSetting",
    "azure-native:monitor:ActionGroup",
    "azure-native:monitor:ActivityLogAlert",
}
ACTION_GROUP = rid(MANAGEMENT, "Microsoft.Insights/actionGroups/ag-rbh-prod-security")


def test_workspace_keeps_its_sku_inside_properties(prod_rendering):
    doc = document(prod_rendering, "monitoring-workspace")
    assert versionless(doc) == {
        "type": "Microsoft.OperationalInsights/workspaces",
        "name": "log-rbh-prod",
        "id": WORKSPACE,
        "location": "eastus2",
        "tags": TAGS,
        "properties": {
            "customerId": doc["properties"]["customerId"],
            "features": {"disableLocalAuth": True, "enableLogAccessUsingOnlyResourcePermissions": True},
            "publicNetworkAccessForIngestion": "Disabled",
            "publicNetworkAccessForQuery": "Disabled",
            "retentionInDays": 365,
            "sku": {"name": "PerGB2018"},
        },
    }


def test_workspace_customer_id_is_the_one_flow_logs_send_to(prod_rendering):
    workspace = document(prod_rendering, "monitoring-workspace")
    flow_log = document(prod_rendering, "flow-logs-hub")
    analytics = flow_log["properties"]["flowAnalyticsConfiguration"]["networkWatcherFlowAnalyticsConfiguration"]
    assert analytics["workspaceId"] == workspace["properties"]["customerId"]


def test_diagnostic_setting_is_an_extension_of_its_target_with_logs_and_workspace(prod_rendering):
    assert versionless(document(prod_rendering, "openai-diag")) == {
        "type": "Microsoft.Insights/diagnosticSettings",
        "name": "send-to-log-analytics",
        "id": f"{OPENAI}/providers/Microsoft.Insights/diagnosticSettings/send-to-log-analytics",
        "properties": {
            "logAnalyticsDestinationType": "Dedicated",
            "logs": [{"category": "Audit", "enabled": True},
                     {"category": "RequestResponse", "enabled": True},
                     {"category": "AzureOpenAIRequestUsage", "enabled": True},
                     {"category": "Trace", "enabled": True}],
            "metrics": [{"category": "AllMetrics", "enabled": True}],
            "workspaceId": WORKSPACE,
        },
    }


def test_vault_diagnostic_setting_hangs_off_the_vault_id(prod_rendering):
    documents = map(to_arm_document, prod_rendering.of_type("azure-native:monitor:DiagnosticSetting"))
    settings = [d for d in documents if d["id"].startswith(f"{VAULT}/providers/")]
    assert [s["name"] for s in settings] == ["send-to-log-analytics"]
    assert {"category": "AuditEvent", "enabled": True} in settings[0]["properties"]["logs"]


def test_subscription_diagnostic_setting_exports_the_activity_log(prod_rendering):
    categories = ["Administrative", "Security", "ServiceHealth", "Alert", "Recommendation", "Policy",
                  "Autoscale", "ResourceHealth"]
    assert versionless(document(prod_rendering, "monitoring-activity-log")) == {
        "type": "Microsoft.Insights/diagnosticSettings",
        "name": "activity-log-to-log-analytics",
        "id": f"{SUBSCRIPTION}/providers/Microsoft.Insights/diagnosticSettings/activity-log-to-log-analytics",
        "properties": {"logs": [{"category": c, "enabled": True} for c in categories], "workspaceId": WORKSPACE},
    }


def test_action_group_receivers_stay_as_arm_lists(prod_rendering):
    assert versionless(document(prod_rendering, "monitoring-action-group")) == {
        "type": "Microsoft.Insights/actionGroups",
        "name": "ag-rbh-prod-security",
        "id": ACTION_GROUP,
        "location": "Global",
        "tags": TAGS,
        "properties": {
            "emailReceivers": [
                {"emailAddress": "secops@riverbendhealth.org", "name": "email-1-secops",
                 "useCommonAlertSchema": True},
                {"emailAddress": "privacy-officer@riverbendhealth.org", "name": "email-2-privacy-officer",
                 "useCommonAlertSchema": True},
            ],
            "enabled": True,
            "groupShortName": "sec-rbh-prod",
        },
    }


def test_activity_log_alert_condition_and_action_group(prod_rendering):
    assert versionless(document(prod_rendering, "monitoring-alert-nsg-write")) == {
        "type": "Microsoft.Insights/activityLogAlerts",
        "name": "alert-rbh-prod-nsg-write",
        "id": rid(MANAGEMENT, "Microsoft.Insights/activityLogAlerts/alert-rbh-prod-nsg-write"),
        "location": "Global",
        "tags": TAGS,
        "properties": {
            "actions": {"actionGroups": [{"actionGroupId": ACTION_GROUP}]},
            "condition": {"allOf": [
                {"equals": "Administrative", "field": "category"},
                {"equals": "Microsoft.Network/networkSecurityGroups/write", "field": "operationName"},
            ]},
            "description": "A network security group was created or changed. Confirm it was an approved change.",
            "enabled": True,
            "scopes": [SUBSCRIPTION],
        },
    }
