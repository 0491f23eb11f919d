"""Network flow logs: every VNet recorded to the immutable archive and Traffic Analytics."""

from __future__ import annotations

from infra.render import _guid

FLOW_LOG = "azure-native:network:FlowLog"
WATCHER = "azure-native:network:NetworkWatcher"


def vnet_ids(rendering) -> set[str]:
    return {v.id for v in rendering.of_type("azure-native:network:VirtualNetwork")}


def archive_id(rendering) -> str:
    (account,) = rendering.of_type("azure-native:storage:StorageAccount")
    return account.id


def test_one_watcher_with_azure_conventional_names(rendering):
    (watcher,) = rendering.of_type(WATCHER)
    assert watcher.inputs["networkWatcherName"] == "NetworkWatcher_eastus2"
    assert watcher.inputs["resourceGroupName"] == "NetworkWatcherRG"
    assert watcher.inputs["location"] == "eastus2"
    group = rendering.named("flow-logs-rg")
    assert group.inputs["resourceGroupName"] == "NetworkWatcherRG"


def test_prod_logs_the_hub_and_three_spokes(prod_rendering):
    logs = prod_rendering.of_type(FLOW_LOG)
    assert len(logs) == 4
    assert {log.inputs["targetResourceId"] for log in logs} == vnet_ids(prod_rendering)


def test_dev_logs_the_hub_and_two_spokes(dev_rendering):
    logs = dev_rendering.of_type(FLOW_LOG)
    assert len(logs) == 3
    assert {log.inputs["targetResourceId"] for log in logs} == vnet_ids(dev_rendering)


def test_flow_logs_are_named_after_their_vnet(rendering):
    for log in rendering.of_type(FLOW_LOG):
        vnet_name = log.inputs["targetResourceId"].rsplit("/", 1)[-1]
        assert log.inputs["flowLogName"] == f"fl-{vnet_name}"
        assert log.inputs["networkWatcherName"] == "NetworkWatcher_eastus2"
        assert log.inputs["resourceGroupName"] == "NetworkWatcherRG"
        assert log.inputs["location"] == "eastus2"


def test_flow_logs_are_enabled_json_v2_into_the_audit_archive(rendering):
    for log in rendering.of_type(FLOW_LOG):
        assert log.inputs["enabled"] is True
        assert log.inputs["storageId"] == archive_id(rendering)
        assert log.inputs["format"] == {"type": "JSON", "version": 2}
        # Retention is the archive's immutability policy, not a flow-log deletion rule.
        assert log.inputs["retentionPolicy"] == {"enabled": False, "days": 0}  # the SDK fills days


def test_flow_logs_wait_for_the_archive_containers_retention_policy(rendering):
    policy = next(p for p in rendering.of_type("azure-native:storage:BlobContainerImmutabilityPolicy")
                  if p.inputs["containerName"] == "insights-logs-flowlogflowevent")
    for log in rendering.of_type(FLOW_LOG):
        assert policy.urn in log.depends_on


def test_traffic_analytics_reports_every_ten_minutes_to_the_workspace(rendering):
    (workspace,) = rendering.of_type("azure-native:operationalinsights:Workspace")
    # Traffic Analytics wants the workspace GUID (customer id, as the mocks compute it) too.
    customer_id = _guid("workspace", workspace.id)
    for log in rendering.of_type(FLOW_LOG):
        analytics = log.inputs["flowAnalyticsConfiguration"]["networkWatcherFlowAnalyticsConfiguration"]
        assert analytics == {
            "enabled": True,
            "trafficAnalyticsInterval": 10,
            "workspaceId": customer_id,
            "workspaceRegion": "eastus2",
            "workspaceResourceId": workspace.id,
        }


# ---------------------------------------------------------------------------- identity


def flow_log_identity(rendering):
    (identity,) = [r for r in rendering.of_type("azure-native:managedidentity:UserAssignedIdentity")
                   if r.inputs["resourceName"].endswith("-flowlogs")]
    return identity


def test_flow_logs_write_as_one_user_assigned_identity_of_the_stack(rendering):
    # The archive refuses shared keys: without an identity Network Watcher cannot write.
    identity = flow_log_identity(rendering)
    assert identity.inputs["resourceName"] == f"id-{rendering.config.name_prefix}-flowlogs"
    assert identity.inputs["resourceGroupName"] == f"rg-{rendering.config.name_prefix}-management"
    assert identity.inputs["location"] == "eastus2"
    for log in rendering.of_type(FLOW_LOG):
        assert log.inputs["identity"] == {"type": "UserAssigned", "userAssignedIdentities": [identity.id]}


def test_the_identity_holds_blob_data_contributor_on_the_archive_only(rendering):
    identity = flow_log_identity(rendering)
    principal = identity.outputs["principalId"]
    grants = [a for a in rendering.of_type("azure-native:authorization:RoleAssignment")
              if a.inputs["principalId"] == principal]
    assert len(grants) == 1
    (grant,) = grants
    assert grant.inputs["scope"] == archive_id(rendering)
    subscription = archive_id(rendering).split("/")[2]
    assert grant.inputs["roleDefinitionId"] == (
        f"/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/"
        "ba92f5b4-2d11-453d-a403-e96b0029c9fe")
    assert grant.inputs["principalType"] == "ServicePrincipal"


def test_flow_logs_wait_for_the_identity_s_role_on_the_archive(rendering):
    principal = flow_log_identity(rendering).outputs["principalId"]
    (grant,) = [a for a in rendering.of_type("azure-native:authorization:RoleAssignment")
                if a.inputs["principalId"] == principal]
    for log in rendering.of_type(FLOW_LOG):
        assert grant.urn in log.depends_on


def test_the_flow_log_identity_s_role_assignment_name_is_a_guid(rendering):
    import uuid

    principal = flow_log_identity(rendering).outputs["principalId"]
    (grant,) = [a for a in rendering.of_type("azure-native:authorization:RoleAssignment")
                if a.inputs["principalId"] == principal]
    assert str(uuid.UUID(grant.inputs["roleAssignmentName"])) == grant.inputs["roleAssignmentName"]
