"""Audit archive: a private, geo-redundant, write-once evidence store kept six years."""

from __future__ import annotations

from infra.components.audit_archive import AuditArchive, AuditArchiveArgs
from infra.config.names import MANAGEMENT, resource_group_name
from tests.infra.components.conftest import WORKSPACE_ID, build_under_mocks, subnet_id, zone_id

ACCOUNT = "azure-native:storage:StorageAccount"
POLICY = "azure-native:storage:BlobContainerImmutabilityPolicy"


def account(rendering):
    (found,) = rendering.of_type(ACCOUNT)
    return found


def archive_children(rendering, token):
    return [r for r in rendering.of_type(token) if r.name.startswith("audit-archive-")]


def test_account_is_named_from_config_and_lives_in_the_management_group(rendering):
    inputs = account(rendering).inputs
    assert inputs["accountName"] == rendering.config.archive_storage_name
    assert inputs["resourceGroupName"] == f"rg-rbh-{rendering.stack}-management"
    assert inputs["kind"] == "StorageV2"
    assert inputs["sku"] == {"name": "Standard_GRS"}


def test_account_accepts_only_private_tls12_entra_id_traffic(rendering):
    inputs = account(rendering).inputs
    assert inputs["enableHttpsTrafficOnly"] is True
    assert inputs["minimumTlsVersion"] == "TLS1_2"
    assert inputs["allowBlobPublicAccess"] is False
    assert inputs["allowSharedKeyAccess"] is False
    assert inputs["defaultToOAuthAuthentication"] is True
    assert inputs["allowCrossTenantReplication"] is False
    assert inputs["publicNetworkAccess"] == "Disabled"
    assert inputs["networkRuleSet"] == {"defaultAction": "Deny", "bypass": "AzureServices"}
    assert inputs["identity"] == {"type": "SystemAssigned"}


def test_account_encrypts_twice(rendering):
    encryption = account(rendering).inputs["encryption"]
    assert encryption["keySource"] == "Microsoft.Storage"
    assert encryption["requireInfrastructureEncryption"] is True
    assert encryption["services"]["blob"]["enabled"] is True
    assert encryption["services"]["file"]["enabled"] is True


def test_blobs_are_versioned_soft_deleted_a_year_and_change_fed(rendering):
    (service,) = rendering.of_type("azure-native:storage:BlobServiceProperties")
    inputs = service.inputs
    assert inputs["blobServicesName"] == "default"
    assert inputs["accountName"] == account(rendering).inputs["accountName"]
    assert inputs["isVersioningEnabled"] is True
    assert inputs["deleteRetentionPolicy"] == {"enabled": True, "days": 365}
    assert inputs["containerDeleteRetentionPolicy"] == {"enabled": True, "days": 365}
    assert inputs["changeFeed"] == {"enabled": True}


def test_evidence_and_flow_log_containers_are_private(rendering):
    containers = {c.inputs["containerName"]: c.inputs for c in rendering.of_type("azure-native:storage:BlobContainer")}
    assert set(containers) == {"evidence", "insights-logs-flowlogflowevent"}
    assert all(c["publicAccess"] == "None" for c in containers.values())


def test_every_container_keeps_blobs_six_years_under_an_unlocked_policy(rendering):
    policies = {p.inputs["containerName"]: p.inputs for p in rendering.of_type(POLICY)}
    assert set(policies) == {"evidence", "insights-logs-flowlogflowevent"}
    for policy in policies.values():
        assert policy["immutabilityPeriodSinceCreationInDays"] == 2190
        assert policy["immutabilityPolicyName"] == "default"
        # Locking is irreversible and left to the privacy officer; no lock resource or call exists.
        assert "state" not in policy
    assert policies["evidence"]["allowProtectedAppendWrites"] is True
    assert policies["insights-logs-flowlogflowevent"]["allowProtectedAppendWritesAll"] is True
    assert "allowProtectedAppendWrites" not in policies["insights-logs-flowlogflowevent"]


def test_immutability_follows_the_configured_days(stack_config):
    def seven_years(cfg):
        cfg["carelift:monitoring"]["archiveImmutabilityDays"] = 2555

    config = stack_config(seven_years, stack="dev")
    spoke = config.key_vault.spoke
    rendering, _ = build_under_mocks(lambda: AuditArchive("audit-archive", AuditArchiveArgs(
        account_name=config.archive_storage_name, location=config.location,
        resource_group_name=resource_group_name(config.name_prefix, MANAGEMENT),
        immutability_days=config.monitoring.archive_immutability_days,
        private_endpoint_subnet_id=subnet_id(spoke, config.network.spoke(spoke).private_endpoint_subnet.name),
        blob_zone_id=zone_id("privatelink.blob.core.windows.net"), workspace_id=WORKSPACE_ID)), config)
    policies = rendering.of_type(POLICY)
    assert len(policies) == len(rendering.of_type("azure-native:storage:BlobContainer")) > 0
    assert {p.inputs["immutabilityPeriodSinceCreationInDays"] for p in policies} == {2555}


def test_exactly_one_blob_private_endpoint_with_one_zone_group(rendering):
    endpoints = archive_children(rendering, "azure-native:network:PrivateEndpoint")
    groups = archive_children(rendering, "azure-native:network:PrivateDnsZoneGroup")
    assert len(endpoints) == 1 and len(groups) == 1
    (connection,) = endpoints[0].inputs["privateLinkServiceConnections"]
    assert connection["privateLinkServiceId"] == account(rendering).id
    assert connection["groupIds"] == ["blob"]
    # program.py places the archive's endpoint in the Key Vault's spoke.
    spoke = rendering.config.key_vault.spoke
    subnet = rendering.config.network.spoke(spoke).private_endpoint_subnet.name
    assert endpoints[0].inputs["subnet"]["id"].endswith(
        f"/virtualNetworks/vnet-rbh-{rendering.stack}-{spoke}/subnets/{subnet}")
    assert groups[0].inputs["privateEndpointName"] == endpoints[0].inputs["privateEndpointName"]
    (zone,) = groups[0].inputs["privateDnsZoneConfigs"]
    blob_zone = next(z for z in rendering.of_type("azure-native:privatedns:PrivateZone")
                     if z.inputs["privateZoneName"] == "privatelink.blob.core.windows.net")
    assert zone["privateDnsZoneId"] == blob_zone.id


def test_blob_access_logs_go_to_the_workspace(rendering):
    setting = rendering.named("audit-archive-blob-diag")
    assert setting.inputs["resourceUri"] == f"{account(rendering).id}/blobServices/default"
    (workspace,) = rendering.of_type("azure-native:operationalinsights:Workspace")
    assert setting.inputs["workspaceId"] == workspace.id
    assert setting.inputs["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]


def test_account_is_locked_against_deletion(rendering):
    lock = rendering.named("audit-archive-lock")
    assert lock.inputs["scope"] == account(rendering).id
    assert lock.inputs["level"] == "CanNotDelete"
    assert "164.316" in lock.inputs["notes"]
