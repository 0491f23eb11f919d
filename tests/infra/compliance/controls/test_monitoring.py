"""Log Analytics, subscription activity log and activity-log alert controls."""

from __future__ import annotations

from infra.compliance.controls import monitoring
from infra.compliance.model import Status
from tests.infra.compliance.arm import SUB, controls_of, extension, messages, rendered_statuses, resource, statuses

WORKSPACE = "Microsoft.OperationalInsights/workspaces"
ALERT = "Microsoft.Insights/activityLogAlerts"
SUBSCRIPTION = f"/subscriptions/{SUB}"
ACTION_GROUP = f"{SUBSCRIPTION}/resourceGroups/rg-test/providers/Microsoft.Insights/actionGroups/ag-security"


def workspace(name: str, **properties) -> dict:
    return resource(WORKSPACE, name, properties)


def activity_log_setting(categories: list[str], name: str = "activity-log", **properties) -> dict:
    """A subscription-level diagnostic setting (an extension of the subscription itself)."""
    return {"type": "Microsoft.Insights/diagnosticSettings", "name": name,
            "id": f"{SUBSCRIPTION}/providers/Microsoft.Insights/diagnosticSettings/{name}",
            "properties": {"workspaceId": "/w", **properties,
                           "logs": [{"category": c, "enabled": True} for c in categories]}}


def alert(operation: str, *, enabled: bool | None = True, scopes: list[str] | None = None,
          actions: bool = True, extra: list[dict] | None = None) -> dict:
    properties = {
        "scopes": [SUBSCRIPTION] if scopes is None else scopes,
        "condition": {"allOf": [{"field": "category", "equals": "Administrative"},
                                {"field": "operationName", "equals": operation}] + (extra or [])},
        "actions": {"actionGroups": [{"actionGroupId": ACTION_GROUP}] if actions else []},
    }
    if enabled is not None:
        properties["enabled"] = enabled
    name = "alert-" + operation.lower().replace("/", "-").replace(".", "-")
    return resource(ALERT, name, properties, location="Global")


# A resource group: documents deployed at subscription level make the subscription itself auditable.
ANCHOR = {"type": "Microsoft.Resources/resourceGroups", "name": "rg-test", "location": "eastus2",
          "id": f"{SUBSCRIPTION}/resourceGroups/rg-test", "properties": {}}
ALL_ALERTS = [ANCHOR] + [alert(op) for op in monitoring.ALERTED_OPERATIONS]


def all_alerts_but(operation: str) -> list[dict]:
    return [a for a in ALL_ALERTS if a is ANCHOR or a["properties"]["condition"]["allOf"][1]["equals"] != operation]


class TestWorkspaceRetention:
    def test_pass_at_and_above_90_days(self):
        documents = [workspace("log-90", retentionInDays=90), workspace("log-365", retentionInDays=365.0)]
        assert statuses(monitoring.workspace_retention, documents) == {"log-90": Status.PASS, "log-365": Status.PASS}

    def test_fail_when_short_or_absent(self):
        documents = [workspace("log-30", retentionInDays=30), workspace("log-unset"),
                     workspace("log-text", retentionInDays="[parameters('retention')]")]
        assert statuses(monitoring.workspace_retention, documents) == {
            "log-30": Status.FAIL, "log-unset": Status.FAIL, "log-text": Status.FAIL}
        assert messages(monitoring.workspace_retention, documents[:1]) == [
            "Log Analytics workspace 'log-30' keeps logs only 30 days; the audit trail needs at least 90 days."]

    def test_empty(self):
        assert statuses(monitoring.workspace_retention, []) == {}


class TestWorkspacePrivate:
    def test_pass(self):
        ws = workspace("log-private", publicNetworkAccessForIngestion="Disabled",
                       publicNetworkAccessForQuery="Disabled")
        assert statuses(monitoring.workspace_private, [ws]) == {"log-private": Status.PASS}

    def test_fail_each_way(self):
        documents = [workspace("log-ingest", publicNetworkAccessForIngestion="Enabled",
                               publicNetworkAccessForQuery="Disabled"),
                     workspace("log-query", publicNetworkAccessForIngestion="Disabled",
                               publicNetworkAccessForQuery="Enabled"),
                     workspace("log-unset")]
        assert statuses(monitoring.workspace_private, documents) == {
            "log-ingest": Status.FAIL, "log-query": Status.FAIL, "log-unset": Status.FAIL}
        assert messages(monitoring.workspace_private, documents[2:]) == [
            "Log Analytics workspace 'log-unset' does not disable public ingestion and public query, so the audit "
            "trail is reachable from public networks."]

    def test_empty(self):
        assert statuses(monitoring.workspace_private, []) == {}


class TestActivityLogExported:
    def test_pass(self):
        setting = activity_log_setting(["Administrative", "Security", "ServiceHealth", "Alert", "Policy"])
        assert messages(monitoring.activity_log_exported, [setting]) == [
            f"Subscription '{SUB}' sends its activity log (Administrative, Security, Policy, Alert) to Log Analytics "
            f"through 'activity-log'."]

    def test_pass_with_categories_split_over_two_settings(self):
        documents = [activity_log_setting(["Administrative", "Security"], name="a"),
                     activity_log_setting(["Policy", "Alert"], name="b")]
        assert statuses(monitoring.activity_log_exported, documents) == {SUB: Status.PASS}

    def test_fail_when_categories_missing_or_no_workspace(self):
        assert messages(monitoring.activity_log_exported, [activity_log_setting(["Administrative", "Security"])]) == [
            f"Subscription '{SUB}' does not send the activity log categories Policy, Alert to a Log Analytics "
            f"workspace."]
        storage_only = activity_log_setting(["Administrative", "Security", "Policy", "Alert"], workspaceId=None,
                                            storageAccountId="/s")
        assert statuses(monitoring.activity_log_exported, [storage_only]) == {SUB: Status.FAIL}

    def test_fail_without_any_setting(self):
        # A resource group makes the subscription itself auditable; a lone resource does not (see the engine).
        assert statuses(monitoring.activity_log_exported, [ANCHOR, workspace("log-a")]) == {SUB: Status.FAIL}

    def test_a_resource_level_setting_is_not_the_activity_log(self):
        ws = workspace("log-a")
        setting = {**activity_log_setting(["Administrative", "Security", "Policy", "Alert"]),
                   "id": f"{ws['id']}/providers/Microsoft.Insights/diagnosticSettings/activity-log"}
        assert statuses(monitoring.activity_log_exported, [ANCHOR, ws, setting]) == {SUB: Status.FAIL}

    def test_empty(self):
        assert statuses(monitoring.activity_log_exported, []) == {}


class TestSecurityChangesAlerted:
    def test_pass(self):
        assert statuses(monitoring.security_changes_alerted, ALL_ALERTS) == {SUB: Status.PASS}

    def test_fail_when_one_operation_is_missing(self):
        documents = all_alerts_but("Microsoft.Security/securitySolutions/delete")
        assert messages(monitoring.security_changes_alerted, documents) == [
            f"Subscription '{SUB}' has no enabled, subscription-wide activity-log alert notifying an action group "
            f"for Microsoft.Security/securitySolutions/delete."]

    def test_alerts_that_cannot_fire_or_notify_nobody_do_not_count(self):
        nsg_write = "Microsoft.Network/networkSecurityGroups/write"
        others = all_alerts_but(nsg_write)
        broken = [
            alert(nsg_write, enabled=False),
            alert(nsg_write, enabled=None),
            alert(nsg_write, scopes=[f"{SUBSCRIPTION}/resourceGroups/rg-one"]),
            alert(nsg_write, actions=False),
            alert(nsg_write, extra=[{"field": "status", "equals": "Failed"}]),
            alert(nsg_write, extra=[{"field": "operationName", "equals": f"{nsg_write[:-len('write')]}delete"}]),
            {**alert(nsg_write), "properties": {**alert(nsg_write)["properties"], "condition": {"allOf": [
                {"field": "category", "equals": "ServiceHealth"}, {"field": "operationName", "equals": nsg_write}]}}},
        ]
        for candidate in broken:
            assert statuses(monitoring.security_changes_alerted, others + [candidate]) == {SUB: Status.FAIL}, candidate

    def test_fail_without_alerts(self):
        assert statuses(monitoring.security_changes_alerted, [ANCHOR, workspace("log-a")]) == {SUB: Status.FAIL}

    def test_empty(self):
        assert statuses(monitoring.security_changes_alerted, []) == {}


def test_rendered_stacks_pass_every_control(rendering):
    """The landing zone's own resources, translated to ARM, pass each control here, and each judged something."""
    assert rendered_statuses(rendering, controls_of(monitoring)) == {c.id: {Status.PASS} for c in controls_of(monitoring)}


class TestPlatformLogsExported:
    def test_pass_and_fail_per_platform_resource(self):
        firewall = resource("Microsoft.Network/azureFirewalls", "afw")
        nsg = resource("Microsoft.Network/networkSecurityGroups", "nsg-quiet")
        bastion = resource("Microsoft.Network/bastionHosts", "bas")
        documents = [
            firewall, nsg, bastion,
            extension(firewall, "Microsoft.Insights/diagnosticSettings", "to-law",
                      {"workspaceId": "/w", "logs": [{"categoryGroup": "allLogs", "enabled": True}]}),
            # Storage-only and disabled settings do not count.
            extension(bastion, "Microsoft.Insights/diagnosticSettings", "to-storage",
                      {"storageAccountId": "/s", "logs": [{"categoryGroup": "allLogs", "enabled": True}]}),
            extension(nsg, "Microsoft.Insights/diagnosticSettings", "off",
                      {"workspaceId": "/w", "logs": [{"categoryGroup": "allLogs", "enabled": False}]}),
        ]
        assert statuses(monitoring.platform_logs_exported, documents) == {
            "afw": Status.PASS, "nsg-quiet": Status.FAIL, "bas": Status.FAIL}
        assert any("Network security group 'nsg-quiet' has no diagnostic setting" in m
                   for m in messages(monitoring.platform_logs_exported, documents))

    def test_empty(self):
        assert statuses(monitoring.platform_logs_exported, []) == {}
