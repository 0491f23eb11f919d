"""SecureKeyVault: the values that make the vault private, RBAC-only, purge-protected and audited."""

from __future__ import annotations

import re

from infra.components.key_vault import SecureKeyVault, SecureKeyVaultArgs
from infra.config import KEY_VAULT_ROLES, StackConfig
from infra.render import Rendering
from tests.infra.components.conftest import TENANT_ID, WORKSPACE_ID, build_under_mocks, subnet_id, zone_id

VAULT_ZONE = "privatelink.vaultcore.azure.net"
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def children(rendering: Rendering, token: str, component: str = "key-vault"):
    parent = rendering.named(component).urn
    return [r for r in rendering.of_type(token) if r.parent == parent]


def only(rendering: Rendering, token: str, component: str = "key-vault"):
    found = children(rendering, token, component)
    assert len(found) == 1, [r.name for r in found]
    return found[0]


def build_vault(config: StackConfig) -> Rendering:
    """The vault alone under the mock engine, its private endpoint in the configured spoke."""
    spoke = config.key_vault.spoke
    return build_under_mocks(lambda: SecureKeyVault("key-vault", SecureKeyVaultArgs(
        vault_name=config.key_vault_name, name_prefix=config.name_prefix, location=config.location,
        tenant_id=TENANT_ID,
        private_endpoint_subnet_id=subnet_id(spoke, config.network.spoke(spoke).private_endpoint_subnet.name),
        vault_zone_id=zone_id(VAULT_ZONE), workspace_id=WORKSPACE_ID,
        role_assignments=config.key_vault.role_assignments)), config)[0]


def vault(rendering: Rendering):
    return only(rendering, "azure-native:keyvault:Vault")


def vault_properties(rendering: Rendering):
    return vault(rendering).inputs["properties"]


def cmk(rendering: Rendering):
    return only(rendering, "azure-native:keyvault:Key")


# ---------------------------------------------------------------------------- the vault


def test_vault_name_and_resource_group_come_from_the_stack(rendering):
    config = rendering.config
    v = vault(rendering)
    assert v.inputs["vaultName"] == config.key_vault_name
    assert v.inputs["resourceGroupName"] == f"rg-{config.name_prefix}-security"
    assert v.inputs["location"] == config.location
    group = only(rendering, "azure-native:resources:ResourceGroup")
    assert group.inputs["resourceGroupName"] == f"rg-{config.name_prefix}-security"


def test_vault_is_premium_so_keys_are_hsm_backed(rendering):
    assert vault_properties(rendering)["sku"] == {"family": "A", "name": "premium"}


def test_vault_authorizes_with_rbac_only_and_has_no_access_policies(rendering):
    props = vault_properties(rendering)
    assert props["enableRbacAuthorization"] is True
    assert "accessPolicies" not in props


def test_vault_keeps_deleted_objects_90_days_and_cannot_be_purged(rendering):
    props = vault_properties(rendering)
    assert props["enableSoftDelete"] is True
    assert props["softDeleteRetentionInDays"] == 90
    assert props["enablePurgeProtection"] is True


def test_vault_refuses_public_network_traffic(rendering):
    props = vault_properties(rendering)
    assert props["publicNetworkAccess"] == "Disabled"
    acls = props["networkAcls"]
    assert acls["defaultAction"] == "Deny"
    assert acls["ipRules"] == []
    assert acls["virtualNetworkRules"] == []


def test_vault_lets_only_trusted_azure_services_bypass_for_cmk_unwrap(rendering):
    # Azure OpenAI reaches the CMK over the trusted-services path, not the private endpoint.
    assert vault_properties(rendering)["networkAcls"]["bypass"] == "AzureServices"


def test_vault_is_not_enabled_for_vm_deployment_template_deployment_or_disk_encryption(rendering):
    props = vault_properties(rendering)
    assert props["enabledForDeployment"] is False
    assert props["enabledForTemplateDeployment"] is False
    assert props["enabledForDiskEncryption"] is False


def test_vault_trusts_the_deploying_tenant(rendering):
    from infra.render import OFFLINE_TENANT_ID

    assert vault_properties(rendering)["tenantId"] == OFFLINE_TENANT_ID


# ---------------------------------------------------------------------------- private endpoint


def test_vault_has_exactly_one_private_endpoint_for_the_vault_group(rendering):
    endpoint = only(rendering, "azure-native:network:PrivateEndpoint")
    connections = endpoint.inputs["privateLinkServiceConnections"]
    assert len(connections) == 1
    assert connections[0]["groupIds"] == ["vault"]
    assert connections[0]["privateLinkServiceId"] == vault(rendering).id
    assert endpoint.inputs["location"] == rendering.config.location
    assert endpoint.inputs["subnet"]["id"]


def test_vault_endpoint_has_one_zone_group_holding_only_the_vault_zone(rendering):
    endpoint = only(rendering, "azure-native:network:PrivateEndpoint")
    group = only(rendering, "azure-native:network:PrivateDnsZoneGroup")
    assert group.inputs["privateEndpointName"] == endpoint.inputs["privateEndpointName"]
    configs = group.inputs["privateDnsZoneConfigs"]
    assert len(configs) == 1
    assert configs[0]["privateDnsZoneId"].endswith(VAULT_ZONE)


# ---------------------------------------------------------------------------- the CMK


def test_cmk_is_named_for_the_environment_and_lives_in_the_vault(rendering):
    key = cmk(rendering)
    assert key.inputs["keyName"] == f"cmk-{rendering.config.name_prefix}"
    assert key.inputs["vaultName"] == rendering.config.key_vault_name


def test_cmk_is_an_hsm_rsa_key_of_the_size_azure_openai_accepts(rendering):
    props = cmk(rendering).inputs["properties"]
    assert props["kty"] == "RSA-HSM"
    # Azure OpenAI CMK accepts RSA / RSA-HSM 2048 only.
    assert props["keySize"] == 2048


def test_cmk_only_wraps_and_unwraps(rendering):
    assert cmk(rendering).inputs["properties"]["keyOps"] == ["wrapKey", "unwrapKey"]


def test_cmk_is_enabled_and_not_exportable(rendering):
    attributes = cmk(rendering).inputs["properties"]["attributes"]
    assert attributes["enabled"] is True
    assert attributes["exportable"] is False


def test_cmk_expiry_is_relative_so_renders_stay_deterministic(rendering):
    props = cmk(rendering).inputs["properties"]
    assert "expires" not in props["attributes"]
    assert props["rotationPolicy"]["attributes"] == {"expiryTime": "P2Y"}


def test_cmk_rotates_after_18_months_and_notifies_30_days_before_expiry(rendering):
    actions = cmk(rendering).inputs["properties"]["rotationPolicy"]["lifetimeActions"]
    by_type = {a["action"]["type"].lower(): a["trigger"] for a in actions}
    assert by_type == {"rotate": {"timeAfterCreate": "P18M"}, "notify": {"timeBeforeExpiry": "P30D"}}


# ---------------------------------------------------------------------------- audit, lock, roles


def test_vault_audit_events_and_policy_evaluations_go_to_log_analytics(rendering):
    setting = only(rendering, "azure-native:monitor:DiagnosticSetting")
    assert setting.inputs["resourceUri"] == vault(rendering).id
    assert setting.inputs["workspaceId"]
    logs = {log["category"]: log["enabled"] for log in setting.inputs["logs"]}
    assert logs == {"AuditEvent": True, "AzurePolicyEvaluationDetails": True}
    assert setting.inputs["metrics"] == [{"category": "AllMetrics", "enabled": True}]


def test_vault_is_locked_against_deletion(rendering):
    lock = only(rendering, "azure-native:authorization:ManagementLockByScope")
    assert lock.inputs["level"] == "CanNotDelete"
    assert lock.inputs["scope"] == vault(rendering).id


def test_vault_role_assignments_match_the_stack_config(rendering):
    v = vault(rendering)
    subscription = v.id.split("/")[2]
    expected = sorted(
        (a.principal_id, a.principal_type,
         f"/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{a.role_definition_guid}")
        for a in rendering.config.key_vault.role_assignments
    )
    assignments = children(rendering, "azure-native:authorization:RoleAssignment")
    assert len(assignments) == len(rendering.config.key_vault.role_assignments) > 0
    assert sorted((a.inputs["principalId"], a.inputs["principalType"], a.inputs["roleDefinitionId"])
                  for a in assignments) == expected
    assert {a.inputs["scope"] for a in assignments} == {v.id}


def test_vault_role_assignment_names_are_stable_guids(rendering):
    names = [a.inputs["roleAssignmentName"] for a in children(rendering, "azure-native:authorization:RoleAssignment")]
    assert all(GUID.fullmatch(n) for n in names)
    assert len(set(names)) == len(names)
    # Built again on its own, from the same config: the same names (nothing random, nothing from elsewhere).
    again = build_vault(rendering.config)
    assert sorted(a.inputs["roleAssignmentName"]
                  for a in children(again, "azure-native:authorization:RoleAssignment")) == sorted(names)


def test_no_role_assignments_when_the_stack_lists_none(stack_config):
    rendered = build_vault(stack_config(lambda cfg: cfg["carelift:keyVault"].pop("roleAssignments")))
    assert children(rendered, "azure-native:authorization:RoleAssignment") == []
    # The vault itself is unchanged: still RBAC-only, with nobody granted data access yet.
    assert vault_properties(rendered)["enableRbacAuthorization"] is True


def test_a_role_named_in_config_is_granted_as_its_builtin_role_guid(stack_config):
    principal = "11111111-2222-4333-8444-555555555555"

    def grant(cfg):
        cfg["carelift:keyVault"]["roleAssignments"] = [
            {"principalId": principal, "principalType": "ServicePrincipal", "role": "Key Vault Secrets User"}]

    rendered = build_vault(stack_config(grant))
    (assignment,) = children(rendered, "azure-native:authorization:RoleAssignment")
    assert assignment.inputs["principalId"] == principal
    assert assignment.inputs["principalType"] == "ServicePrincipal"
    assert assignment.inputs["roleDefinitionId"].endswith(
        f"/roleDefinitions/{KEY_VAULT_ROLES['Key Vault Secrets User']}")
