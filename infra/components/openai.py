"""Private Azure OpenAI: no public endpoint, no keys, CMK-encrypted, content-filtered.

Callers authenticate with Entra ID only (local auth disabled), so there are no account
keys to list, store or leak; this module never calls ``list_account_keys``. People who
use the portal playground need the "Cognitive Services OpenAI User" role too: it is
granted here to the principals in ``openai.userPrincipals``.

PHI: Microsoft stores prompts and completions for up to 30 days for abuse monitoring
unless the customer is approved for modified abuse monitoring. That approval is an
application to Microsoft (its modified abuse monitoring form, reviewed per customer), not a
resource property, so no setting here can turn it on: obtain it, and the signed BAA,
before PHI reaches these deployments.

Microsoft Learn's Azure OpenAI CMK page (2025) says CMK supports only a system-assigned
identity and vaults using access policies, while the ARM API accepts
``keyVaultProperties.identityClientId`` and Azure Verified Modules use a user-assigned
identity with Key Vault RBAC, as this module does. Confirm on the first real deployment.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Mapping

import pulumi
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.cognitiveservices as cognitiveservices
import pulumi_azure_native.managedidentity as managedidentity
import pulumi_azure_native.resources as resources

from infra.ai.register import pinned, safety_tier
from infra.ai.safety import RISK_LEVELS, TIERS, SafetyTier
from infra.components.diagnostics import diagnostic_setting
from infra.components.private_link import private_endpoint
from infra.config import OpenAIConfig, Principal
from infra.config.names import OPENAI, resource_group_name

CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6"
OPENAI_USER = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"
LOG_CATEGORIES = ("Audit", "RequestResponse", "AzureOpenAIRequestUsage", "Trace")
# Fixed namespace: role assignment names are the same on every render and every machine.
_ROLE_ASSIGNMENT_NAMESPACE = uuid.UUID("5c3e9a1f-2b7d-4c86-9e0a-4d1f8b6c2e73")


@dataclass(frozen=True)
class PrivateOpenAIArgs:
    openai: OpenAIConfig
    """The stack's ``openai`` settings: region, subdomain, deployments, egress, users."""
    name_prefix: str
    """``<organization>-<environment>``: the middle of every Azure name."""
    private_endpoint_subnet_id: pulumi.Input[str]
    """Spoke subnet that receives the account's private endpoint."""
    zone_ids: Mapping[str, pulumi.Input[str]]
    """Private DNS zone name -> zone id for privatelink.openai.azure.com and
    privatelink.cognitiveservices.azure.com; both go in the endpoint's one zone group."""
    key_vault_id: pulumi.Input[str]
    """Resource id of the vault holding the CMK."""
    key_vault_uri: pulumi.Input[str]
    """``https://<vault>.vault.azure.net/`` of that vault."""
    key_name: pulumi.Input[str]
    """Name of the CMK (an output of the key, so the account waits for it)."""
    workspace_id: pulumi.Input[str]
    """Log Analytics workspace receiving audit and request logs and metrics."""
    network_location: str
    """Region of the spoke VNet: the private endpoint must sit in its VNet's region,
    which may differ from ``openai.location``."""


class PrivateOpenAI(pulumi.ComponentResource):
    """Azure OpenAI account reachable only by private endpoint, with CMK and model deployments."""

    endpoint: pulumi.Output[str]
    deployment_names: list[str]
    account_id: pulumi.Output[str]

    def __init__(self, name: str, args: PrivateOpenAIArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("carelift:ai:PrivateOpenAI", name, None, opts)
        config = args.openai
        prefix = args.name_prefix
        account_name = f"oai-{prefix}"

        group = resources.ResourceGroup(
            f"{name}-rg",
            resource_group_name=resource_group_name(prefix, OPENAI),
            location=config.location,
            opts=pulumi.ResourceOptions(parent=self),
        )
        # User-assigned, not system-assigned: a system identity exists only once the account
        # does, so it could not hold the key role yet and CMK could not be set at creation.
        identity = managedidentity.UserAssignedIdentity(
            f"{name}-identity",
            resource_name_=f"id-{prefix}-openai",
            resource_group_name=group.name,
            location=config.location,
            opts=pulumi.ResourceOptions(parent=self),
        )
        key_grant = self._grant_key_access(name, account_name, args, identity)
        account = cognitiveservices.Account(
            f"{name}-account",
            account_name=account_name,
            resource_group_name=group.name,
            location=config.location,
            kind="OpenAI",
            sku=cognitiveservices.SkuArgs(name="S0"),
            identity=cognitiveservices.IdentityArgs(
                type=cognitiveservices.ResourceIdentityType.USER_ASSIGNED,
                user_assigned_identities=[identity.id],
            ),
            properties=_account_properties(config, args, identity),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[key_grant]),
        )
        policies = {tier.risk_level: _content_filter(name, prefix, tier, group, account, self)
                    for tier in sorted({_tier(config, d.name) for d in config.deployments},
                                       key=lambda t: RISK_LEVELS.index(t.risk_level))}
        self._deploy_models(name, config, group, account, policies)

        private_endpoint(
            account_name,
            resource_group_name=group.name,
            location=args.network_location,
            subnet_id=args.private_endpoint_subnet_id,
            target_id=account.id,
            group_id="account",
            zone_ids=dict(args.zone_ids),
            parent=self,
        )
        diagnostic_setting(
            name,
            target_id=account.id,
            workspace_id=args.workspace_id,
            parent=self,
            categories=LOG_CATEGORIES,
            category_groups=(),
            metrics=True,
        )
        for principal in config.user_principals:
            self._grant_user(name, account_name, account, principal)

        self.endpoint = account.properties.apply(lambda p: p.endpoint)
        self.deployment_names = [d.name for d in config.deployments]
        self.account_id = account.id
        self.resource_group_name = group.name
        self.register_outputs({
            "endpoint": self.endpoint,
            "deployment_names": self.deployment_names,
            "account_id": self.account_id,
            "resource_group_name": self.resource_group_name,
        })

    def _grant_key_access(self, name: str, account_name: str, args: PrivateOpenAIArgs,
                          identity: managedidentity.UserAssignedIdentity) -> authorization.RoleAssignment:
        """Let the account's identity wrap/unwrap with the CMK, scoped to that one key.

        Azure RBAC can take minutes to propagate: if the first ``pulumi up`` fails to
        create the account because the vault denies the key, running it again succeeds.
        """
        assignment_name = _assignment_name(account_name, f"id-{args.name_prefix}-openai", CRYPTO_SERVICE_ENCRYPTION_USER)
        return authorization.RoleAssignment(
            f"{name}-cmk-access",
            role_assignment_name=assignment_name,
            scope=pulumi.Output.concat(args.key_vault_id, "/keys/", args.key_name),
            principal_id=identity.principal_id,
            # Explicit type: Entra replication of a new identity lags, and ARM then fails
            # to resolve the principal unless told it is a service principal.
            principal_type=authorization.PrincipalType.SERVICE_PRINCIPAL,
            role_definition_id=pulumi.Output.from_input(args.key_vault_id).apply(
                lambda vault_id: _role_definition_id(vault_id, CRYPTO_SERVICE_ENCRYPTION_USER)),
            description=f"CMK wrap/unwrap for {account_name}",
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _deploy_models(self, name: str, config: OpenAIConfig, group: resources.ResourceGroup,
                       account: cognitiveservices.Account,
                       policies: Mapping[str, cognitiveservices.RaiPolicy]) -> None:
        # One at a time: the service rejects concurrent deployment writes on one account.
        previous: pulumi.Resource = list(policies.values())[-1]
        for deployment in config.deployments:
            policy = policies[_tier(config, deployment.name).risk_level]
            previous = cognitiveservices.Deployment(
                f"{name}-deployment-{deployment.name}",
                deployment_name=deployment.name,
                account_name=account.name,
                resource_group_name=group.name,
                sku=cognitiveservices.SkuArgs(name=deployment.sku, capacity=deployment.capacity),
                properties=cognitiveservices.DeploymentPropertiesArgs(
                    model=cognitiveservices.DeploymentModelArgs(
                        format="OpenAI", name=deployment.model, version=deployment.version),
                    rai_policy_name=policy.name,
                    version_upgrade_option=_upgrade_option(config, deployment.name),
                ),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[previous]),
            )

    def _grant_user(self, name: str, account_name: str, account: cognitiveservices.Account,
                    principal: Principal) -> authorization.RoleAssignment:
        assignment_name = _assignment_name(account_name, principal.principal_id, OPENAI_USER)
        return authorization.RoleAssignment(
            f"{name}-user-{assignment_name[:8]}",
            role_assignment_name=assignment_name,
            scope=account.id,
            principal_id=principal.principal_id,
            principal_type=principal.principal_type,
            role_definition_id=account.id.apply(lambda account_id: _role_definition_id(account_id, OPENAI_USER)),
            description=f"Cognitive Services OpenAI User on {account_name} (carelift stack config)",
            opts=pulumi.ResourceOptions(parent=self),
        )


def _account_properties(config: OpenAIConfig, args: PrivateOpenAIArgs,
                        identity: managedidentity.UserAssignedIdentity) -> cognitiveservices.AccountPropertiesArgs:
    return cognitiveservices.AccountPropertiesArgs(
        # Required for private endpoints and Entra ID tokens.
        custom_sub_domain_name=config.custom_subdomain,
        public_network_access=cognitiveservices.PublicNetworkAccess.DISABLED,
        disable_local_auth=True,
        network_acls=cognitiveservices.NetworkRuleSetArgs(
            default_action=cognitiveservices.NetworkRuleAction.DENY,
            bypass=cognitiveservices.ByPassSelection.NONE,
            ip_rules=[],
            virtual_network_rules=[],
        ),
        # The service may only call out to these hosts (e.g. the search index behind
        # "on your data"): PHI cannot be sent anywhere else.
        restrict_outbound_network_access=True,
        allowed_fqdn_list=list(config.allowed_fqdns),
        encryption=cognitiveservices.EncryptionArgs(
            key_source=cognitiveservices.KeySource.MICROSOFT_KEY_VAULT,
            key_vault_properties=cognitiveservices.KeyVaultPropertiesArgs(
                key_vault_uri=args.key_vault_uri,
                key_name=args.key_name,
                identity_client_id=identity.client_id,
                # No key_version: the account follows the key's current version, so the
                # vault's rotation policy rotates it without a redeploy.
            ),
        ),
    )


def _tier(config: OpenAIConfig, deployment: str) -> SafetyTier:
    """The register's tier for the deployment; with no use case naming it, the strictest (purpose unknown)."""
    if not any(u.deployment == deployment for u in config.use_cases):
        return TIERS["high"]
    return safety_tier(config.use_cases, deployment)


def _upgrade_option(config: OpenAIConfig, deployment: str) -> str:
    """Clinical and high-risk use (or unknown use) pins the version: a model change is change control."""
    if pinned(config.use_cases, deployment) or not any(u.deployment == deployment for u in config.use_cases):
        return cognitiveservices.DeploymentModelVersionUpgradeOption.NO_AUTO_UPGRADE
    return cognitiveservices.DeploymentModelVersionUpgradeOption.ONCE_CURRENT_VERSION_EXPIRED


def _content_filter(name: str, prefix: str, tier: SafetyTier, group: resources.ResourceGroup,
                    account: cognitiveservices.Account, parent: pulumi.Resource) -> cognitiveservices.RaiPolicy:
    filters = [cognitiveservices.RaiPolicyContentFilterArgs(
        name=f.name, source=f.source, enabled=f.enabled, blocking=f.blocking, severity_threshold=f.severity_threshold)
        for f in tier.filters()]
    return cognitiveservices.RaiPolicy(
        f"{name}-content-filter-{tier.policy_suffix}",
        rai_policy_name=f"rai-{prefix}-{tier.policy_suffix}",
        account_name=account.name,
        resource_group_name=group.name,
        properties=cognitiveservices.RaiPolicyPropertiesArgs(
            base_policy_name="Microsoft.DefaultV2",
            # Blocking: filtered output never streams to the caller before the verdict.
            mode=cognitiveservices.RaiPolicyMode.BLOCKING,
            content_filters=filters,
        ),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def _assignment_name(account_name: str, principal: str, role_guid: str) -> str:
    return str(uuid.uuid5(_ROLE_ASSIGNMENT_NAMESPACE, f"{account_name}/{principal}/{role_guid}"))


def _role_definition_id(resource_id: str, role_guid: str) -> str:
    subscription = resource_id.split("/")[2]
    return f"/subscriptions/{subscription}/providers/Microsoft.Authorization/roleDefinitions/{role_guid}"
