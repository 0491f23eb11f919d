"""The hardened Key Vault: the landing zone's customer-managed key (CMK) and secret store.

Reachable only through its private endpoint (plus the trusted-services path Azure
services use for CMK), RBAC only, purge-protected, every data-plane call audited to
Log Analytics, and locked against deletion.

The CMK is created through Azure Resource Manager (``Microsoft.KeyVault/vaults/keys``,
management plane), which works with public network access disabled; creating it through
the data plane (``https://<vault>.vault.azure.net/keys``) would need a network path into
the private endpoint from wherever ``pulumi up`` runs.

Teardown: the CanNotDelete lock must be removed before ``pulumi destroy``, and purge
protection keeps the vault name reserved for the 90-day soft-delete window.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pulumi
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.keyvault as keyvault
import pulumi_azure_native.resources as resources

from infra.components.diagnostics import diagnostic_setting
from infra.components.private_link import private_endpoint
from infra.config import RoleAssignment
from infra.config.names import SECURITY, resource_group_name

VAULT_ZONE = "privatelink.vaultcore.azure.net"
SOFT_DELETE_RETENTION_DAYS = 90
# Azure OpenAI (and Azure AI services) CMK accepts only 2048-bit RSA / RSA-HSM keys
# (Microsoft Learn, "Azure OpenAI encryption of data at rest"); a 4096-bit key would be
# rejected when the account is created. RSA-2048 remains NIST-approved (SP 800-57).
CMK_KEY_SIZE = 2048
# ISO-8601 durations, relative to each key version's creation: an absolute `expires`
# epoch would need wall-clock time and break deterministic renders.
CMK_EXPIRY = "P2Y"
CMK_ROTATE_AFTER = "P18M"
CMK_NOTIFY_BEFORE_EXPIRY = "P30D"
AUDIT_LOG_CATEGORIES = ("AuditEvent", "AzurePolicyEvaluationDetails")
# Fixed namespace: role assignment names are the same on every render and every machine.
_ROLE_ASSIGNMENT_NAMESPACE = uuid.UUID("1b0f2c4e-8d7a-4e55-b0c2-6a9f3e1d7c84")


@dataclass(frozen=True)
class SecureKeyVaultArgs:
    vault_name: str
    """Globally unique vault name (3-24 characters), e.g. ``kv-rbh-prod-p01``."""
    name_prefix: str
    """``<organization>-<environment>``: the middle of every Azure name."""
    location: str
    """Azure region of the vault and its resource group."""
    tenant_id: pulumi.Input[str]
    """Entra ID tenant that authenticates data-plane requests."""
    private_endpoint_subnet_id: pulumi.Input[str]
    """Spoke subnet that receives the vault's private endpoint."""
    vault_zone_id: pulumi.Input[str]
    """Resource id of the ``privatelink.vaultcore.azure.net`` private DNS zone."""
    workspace_id: pulumi.Input[str]
    """Log Analytics workspace receiving the vault's audit events and metrics."""
    role_assignments: tuple[RoleAssignment, ...] = ()
    """Data-plane roles (Key Vault RBAC) granted on the vault, from the stack config."""


class SecureKeyVault(pulumi.ComponentResource):
    """Premium (HSM-backed) vault with a rotating RSA-HSM CMK, private endpoint, audit and lock."""

    vault_id: pulumi.Output[str]
    vault_uri: pulumi.Output[str]
    vault_name: pulumi.Output[str]
    cmk_key_name: pulumi.Output[str]
    resource_group_name: pulumi.Output[str]

    def __init__(self, name: str, args: SecureKeyVaultArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("carelift:security:SecureKeyVault", name, None, opts)

        group = resources.ResourceGroup(
            f"{name}-rg",
            resource_group_name=resource_group_name(args.name_prefix, SECURITY),
            location=args.location,
            opts=pulumi.ResourceOptions(parent=self),
        )
        vault = keyvault.Vault(
            f"{name}-vault",
            vault_name=args.vault_name,
            resource_group_name=group.name,
            location=args.location,
            properties=_vault_properties(args.tenant_id),
            opts=pulumi.ResourceOptions(parent=self),
        )
        key = _customer_managed_key(name, args.name_prefix, group, vault, self)

        private_endpoint(
            args.vault_name,
            resource_group_name=group.name,
            location=args.location,
            subnet_id=args.private_endpoint_subnet_id,
            target_id=vault.id,
            group_id="vault",
            zone_ids={VAULT_ZONE: args.vault_zone_id},
            parent=self,
        )
        diagnostic_setting(
            name,
            target_id=vault.id,
            workspace_id=args.workspace_id,
            parent=self,
            categories=AUDIT_LOG_CATEGORIES,
            category_groups=(),
            metrics=True,
        )
        for assignment in args.role_assignments:
            _grant(name, args.vault_name, vault, assignment, self)

        authorization.ManagementLockByScope(
            f"{name}-lock",
            lock_name=f"lock-{args.vault_name}-nodelete",
            scope=vault.id,
            level=authorization.LockLevel.CAN_NOT_DELETE,
            notes="Holds the CMK of PHI workloads: deleting the vault makes their data unreadable.",
            opts=pulumi.ResourceOptions(parent=self),
        )

        self.vault_id = vault.id
        self.vault_uri = vault.properties.apply(lambda p: p.vault_uri)
        self.vault_name = vault.name
        # The key's own output, not the plain name: consumers of the CMK then wait for it.
        self.cmk_key_name = key.name
        self.resource_group_name = group.name
        self.register_outputs({
            "vault_id": self.vault_id,
            "vault_uri": self.vault_uri,
            "vault_name": self.vault_name,
            "cmk_key_name": self.cmk_key_name,
            "resource_group_name": self.resource_group_name,
        })


def _vault_properties(tenant_id: pulumi.Input[str]) -> keyvault.VaultPropertiesArgs:
    return keyvault.VaultPropertiesArgs(
        tenant_id=tenant_id,
        # Premium: keys of kty RSA-HSM live in FIPS 140 validated HSMs.
        sku=keyvault.SkuArgs(family=keyvault.SkuFamily.A, name=keyvault.SkuName.PREMIUM),
        # RBAC only: access policies cannot be scoped, audited or PIM-elevated like roles.
        enable_rbac_authorization=True,
        enable_soft_delete=True,
        soft_delete_retention_in_days=SOFT_DELETE_RETENTION_DAYS,
        # Irreversible and only ever sent as true: Azure rejects false once enabled.
        enable_purge_protection=True,
        public_network_access="Disabled",
        network_acls=keyvault.NetworkRuleSetArgs(
            default_action=keyvault.NetworkRuleAction.DENY,
            # Workloads and operators come in through the private endpoint. Azure OpenAI's
            # CMK unwrap does not: the service calls the vault from Microsoft's network,
            # which Microsoft documents as requiring "allow trusted Microsoft services"
            # (bypass AzureServices). It still needs a role on the key; nothing else is let in.
            bypass=keyvault.NetworkRuleBypassOptions.AZURE_SERVICES,
            ip_rules=[],
            virtual_network_rules=[],
        ),
        # VM certificate push, ARM template secret reads and Azure Disk Encryption are not
        # used here; each would be another path to secrets.
        enabled_for_deployment=False,
        enabled_for_template_deployment=False,
        enabled_for_disk_encryption=False,
    )


def _customer_managed_key(name: str, prefix: str, group: resources.ResourceGroup, vault: keyvault.Vault,
                          parent: pulumi.Resource) -> keyvault.Key:
    return keyvault.Key(
        f"{name}-cmk",
        key_name=f"cmk-{prefix}",
        vault_name=vault.name,
        resource_group_name=group.name,
        properties=keyvault.KeyPropertiesArgs(
            kty=keyvault.JsonWebKeyType.RS_A_HSM,
            key_size=CMK_KEY_SIZE,
            # Envelope encryption only: services wrap their data keys with it.
            key_ops=[keyvault.JsonWebKeyOperation.WRAP_KEY, keyvault.JsonWebKeyOperation.UNWRAP_KEY],
            attributes=keyvault.KeyAttributesArgs(enabled=True, exportable=False),
            rotation_policy=keyvault.RotationPolicyArgs(
                attributes=keyvault.KeyRotationPolicyAttributesArgs(expiry_time=CMK_EXPIRY),
                lifetime_actions=[
                    keyvault.LifetimeActionArgs(
                        action=keyvault.ActionArgs(type=keyvault.KeyRotationPolicyActionType.ROTATE),
                        trigger=keyvault.TriggerArgs(time_after_create=CMK_ROTATE_AFTER),
                    ),
                    keyvault.LifetimeActionArgs(
                        action=keyvault.ActionArgs(type=keyvault.KeyRotationPolicyActionType.NOTIFY),
                        trigger=keyvault.TriggerArgs(time_before_expiry=CMK_NOTIFY_BEFORE_EXPIRY),
                    ),
                ],
            ),
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def _grant(name: str, vault_name: str, vault: keyvault.Vault, assignment: RoleAssignment,
           parent: pulumi.Resource) -> authorization.RoleAssignment:
    guid = assignment.role_definition_guid
    assignment_name = str(uuid.uuid5(_ROLE_ASSIGNMENT_NAMESPACE, f"{vault_name}/{assignment.principal_id}/{guid}"))
    return authorization.RoleAssignment(
        f"{name}-role-{assignment_name[:8]}",
        role_assignment_name=assignment_name,
        scope=vault.id,
        principal_id=assignment.principal_id,
        principal_type=assignment.principal_type,
        role_definition_id=vault.id.apply(lambda vault_id: role_definition_id(vault_id, guid)),
        description=f"{assignment.role} on {vault_name} (carelift stack config)",
        opts=pulumi.ResourceOptions(parent=parent),
    )


def role_definition_id(resource_id: str, role_guid: str) -> str:
    """The subscription-scoped id of a built-in role, in the subscription holding `resource_id`."""
    subscription = resource_id.split("/")[2]
    return f"/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{role_guid}"
