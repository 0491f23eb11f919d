"""The landing zone: `build(config)` composes the components in dependency order.

Order matters because each step consumes ids the previous ones produce:
governance → monitoring (workspace) → hub → private DNS zones (linked to the hub)
→ spokes (peered, DNS via the hub resolver) → audit archive (private endpoint in a spoke)
→ flow logs (stored in the archive) → Key Vault → private Azure OpenAI (CMK from the vault).
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pulumi
import pulumi_azure_native.authorization as authorization

from infra.components.ai_gateway import GATEWAY_ZONE, AIGateway, AIGatewayArgs
from infra.components.audit_archive import AuditArchive, AuditArchiveArgs
from infra.components.dns import PrivateDnsZones, PrivateDnsZonesArgs
from infra.components.flow_logs import NetworkFlowLogs, NetworkFlowLogsArgs
from infra.components.governance import Governance, GovernanceArgs
from infra.components.hub import HubNetwork, HubNetworkArgs
from infra.components.key_vault import SecureKeyVault, SecureKeyVaultArgs
from infra.components.monitoring import Monitoring, MonitoringArgs
from infra.components.openai import PrivateOpenAI, PrivateOpenAIArgs
from infra.components.spoke import SpokeNetwork, SpokeNetworkArgs
from infra.config import PROJECT, TOP_LEVEL_KEYS, ConfigError, StackConfig, parse_stack_config
from infra.landing_overlay import apply_overlay
from infra.stackfile import plaintext_secrets
from infra.tagging import register_default_tags

BLOB_ZONE = "privatelink.blob.core.windows.net"
VAULT_ZONE = "privatelink.vaultcore.azure.net"
OPENAI_ZONES = ("privatelink.openai.azure.com", "privatelink.cognitiveservices.azure.com")
_STRING_KEYS = frozenset({"environment", "organization", "uniqueSuffix", "location", "landingOverlay"})


def main(today: datetime.date | None = None, *, governance: bool = True) -> None:
    """Pulumi entry point: load and validate the stack config (AI register included), then build.

    `today` (default: the UTC date) is the deploy date the config is judged against; the
    offline render passes its own so that one render sees one date. The render also passes
    `governance=False`: an audit must see an ungoverned deployment (and fail its control) rather
    than be refused; `infra validate`/`render` enforce the register themselves.
    """
    from infra.ai.governance import enforce

    try:
        config = config_from_pulumi(today)
        for warning in enforce(config, f"stack {config.stack!r}") if governance else ():
            pulumi.log.warn(warning)
    except ConfigError as error:
        # RunError prints the message without a Python traceback.
        raise pulumi.RunError(str(error)) from None
    build(config)


def config_from_pulumi(today: datetime.date | None = None) -> StackConfig:
    """Read the ``carelift:`` keys from Pulumi's config and validate them.

    A plaintext value under a secret-looking key of any namespace (``azure-native:clientSecret``)
    is reported too, as `carelift infra validate` reports it from the stack file.
    """
    secrets = plaintext_secrets(_unencrypted_config())
    try:
        config = _parse_pulumi_config(today)
    except ConfigError as error:
        raise ConfigError(error.source, [*secrets, *error.issues]) from None
    if secrets:
        raise ConfigError(f"stack {pulumi.get_stack()!r}", secrets)
    return config


def _unencrypted_config() -> dict[str, object]:
    """Every config value of the stack, all namespaces, that Pulumi does not hold as a secret."""
    from pulumi.runtime.config import CONFIG, get_config_env, get_config_secret_keys_env, is_config_secret

    values = {**get_config_env(), **CONFIG.get()}
    secret = set(get_config_secret_keys_env())
    return {key: _json_or_text(value) if isinstance(value, str) else value
            for key, value in values.items() if key not in secret and not is_config_secret(key)}


def _parse_pulumi_config(today: datetime.date | None) -> StackConfig:
    cfg = pulumi.Config(PROJECT)
    raw = {}
    for key in TOP_LEVEL_KEYS:
        value = cfg.get(key)
        if value is None:
            continue
        raw[key] = value if key in _STRING_KEYS else _json_or_text(value)
    stack = pulumi.get_stack()
    # `pulumi up` runs in the project directory, where the overlay path is relative to.
    raw = apply_overlay(raw, Path.cwd(), f"stack {stack!r}")
    return parse_stack_config(raw, stack=stack, source=f"stack {stack!r}", today=today)


def _json_or_text(value: str):
    try:
        return json.loads(value)
    except ValueError:
        return value


def private_dns_zones(config: StackConfig) -> tuple[str, ...]:
    """Every private DNS zone an endpoint in this stack uses, and no other."""
    zones = [BLOB_ZONE, VAULT_ZONE]
    if config.openai.enabled:
        zones += OPENAI_ZONES
        if config.openai.gateway is not None:
            zones.append(GATEWAY_ZONE)  # API Management in internal mode: its names resolve privately
    return tuple(sorted(zones))


def build(config: StackConfig) -> None:
    register_default_tags(config.base_tags)
    client = authorization.get_client_config_output()
    prefix = config.name_prefix

    governance = Governance("governance", GovernanceArgs(
        config=config, subscription_id=client.subscription_id))

    monitoring = Monitoring("monitoring", MonitoringArgs(
        name_prefix=prefix, location=config.location, subscription_id=client.subscription_id,
        log_retention_days=config.monitoring.log_retention_days,
        alert_emails=config.monitoring.alert_emails))

    hub = HubNetwork("hub", HubNetworkArgs(
        name_prefix=prefix, location=config.location, network=config.network,
        workspace_id=monitoring.workspace_id))

    zones = PrivateDnsZones("private-dns", PrivateDnsZonesArgs(
        name_prefix=prefix, location=config.location, zones=private_dns_zones(config),
        hub_vnet_id=hub.vnet_id))

    spokes: dict[str, SpokeNetwork] = {}
    previous_peering = None
    for spoke in config.network.spokes:
        spokes[spoke.name] = SpokeNetwork(f"spoke-{spoke.name}", SpokeNetworkArgs(
            name_prefix=prefix, location=config.location, spoke=spoke,
            hub_vnet_id=hub.vnet_id, hub_vnet_name=hub.vnet_name,
            hub_resource_group_name=hub.resource_group_name,
            firewall_private_ip=hub.firewall_private_ip, dns_server_ip=hub.dns_inbound_ip,
            workspace_id=monitoring.workspace_id,
            hub_gateway=hub.gateway,
            bastion_subnet_prefix=config.network.hub.subnets.bastion,
            hub_peering_after=previous_peering,
            allowances=config.network.allowances(spoke.name),
        ))
        previous_peering = spokes[spoke.name].hub_peering

    archive = AuditArchive("audit-archive", AuditArchiveArgs(
        account_name=config.archive_storage_name, location=config.location,
        resource_group_name=monitoring.resource_group_name,
        immutability_days=config.monitoring.archive_immutability_days,
        private_endpoint_subnet_id=_private_endpoint_subnet_id(spokes[config.key_vault.spoke]),
        blob_zone_id=zones.zone_ids[BLOB_ZONE], workspace_id=monitoring.workspace_id))

    NetworkFlowLogs("flow-logs", NetworkFlowLogsArgs(
        name_prefix=prefix, identity_resource_group_name=monitoring.resource_group_name,
        location=config.location,
        vnet_ids={"hub": hub.vnet_id, **{name: s.vnet_id for name, s in spokes.items()}},
        storage_account_id=archive.account_id, workspace_id=monitoring.workspace_id,
        workspace_customer_id=monitoring.workspace_customer_id,
        workspace_location=config.location, storage_account_name=config.archive_storage_name))

    vault = SecureKeyVault("key-vault", SecureKeyVaultArgs(
        vault_name=config.key_vault_name, name_prefix=prefix, location=config.location,
        tenant_id=client.tenant_id,
        private_endpoint_subnet_id=_private_endpoint_subnet_id(spokes[config.key_vault.spoke]),
        vault_zone_id=zones.zone_ids[VAULT_ZONE], workspace_id=monitoring.workspace_id,
        role_assignments=config.key_vault.role_assignments))

    outputs = {
        "hubVnetId": hub.vnet_id,
        "firewallPrivateIp": hub.firewall_private_ip,
        "dnsResolverInboundIp": hub.dns_inbound_ip,
        "logAnalyticsWorkspaceId": monitoring.workspace_id,
        "auditArchiveAccount": archive.account_name,
        "keyVaultUri": vault.vault_uri,
        "policyAssignmentIds": governance.policy_assignment_ids,
    }
    if config.openai.enabled:
        openai = PrivateOpenAI("openai", PrivateOpenAIArgs(
            openai=config.openai, name_prefix=prefix,
            private_endpoint_subnet_id=_private_endpoint_subnet_id(spokes[config.openai.spoke]),
            zone_ids={zone: zones.zone_ids[zone] for zone in OPENAI_ZONES},
            key_vault_id=vault.vault_id, key_vault_uri=vault.vault_uri, key_name=vault.cmk_key_name,
            workspace_id=monitoring.workspace_id, network_location=config.location))
        outputs["openaiEndpoint"] = openai.endpoint
        outputs["openaiDeployments"] = openai.deployment_names
        if config.openai.gateway is not None:
            from infra.ai.governance import as_of

            gateway = AIGateway("ai-gateway", AIGatewayArgs(
                gateway=config.openai.gateway, use_cases=config.openai.use_cases, today=as_of(),
                resource_group_name=openai.resource_group_name, location=config.location,
                subnet_id=spokes[config.openai.spoke].subnet_ids[config.openai.gateway.subnet],
                zone_resource_group_name=zones.resource_group_name, zone_id=zones.zone_ids[GATEWAY_ZONE],
                account_id=openai.account_id, account_endpoint=openai.endpoint,
                workspace_id=monitoring.workspace_id, entra_groups=config.entra_groups))
            outputs["aiGatewayUrl"] = gateway.gateway_url
            outputs["aiGatewayProducts"] = gateway.products
    for key, value in outputs.items():
        pulumi.export(key, value)


def _private_endpoint_subnet_id(spoke: SpokeNetwork) -> pulumi.Output[str]:
    """The spoke's private endpoint subnet, where the archive, the vault and OpenAI get their endpoints."""
    if spoke.private_endpoint_subnet_id is None:  # the stack reader refuses such a spoke for them
        raise ValueError("the spoke has no subnet with privateEndpoints: true")
    return spoke.private_endpoint_subnet_id
