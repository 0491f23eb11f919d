"""Every name the landing zone derives from the stack config, in one place.

The config validation checks these names (lengths, reserved words) and the components create
resources under them, so both read them from here rather than keeping two spellings in step.
Imports nothing of carelift's: the components and every config section can depend on it.

``name_prefix`` is ``<organization>-<environment>`` (`StackConfig.name_prefix`).
"""

from __future__ import annotations

PROJECT = "carelift"
"""The Pulumi project: the namespace of every config key (``carelift:location``)."""

# ---------------------------------------------------------------------------- resource groups

# The platform's resource groups, rg-<org>-<env>-<workload>, by the component that owns each.
CONNECTIVITY = "connectivity"
"""The hub network (infra.components.hub)."""
MANAGEMENT = "management"
"""Log Analytics, alerts, the audit archive and the flow logs' identity (infra.components.monitoring)."""
SECURITY = "security"
"""The Key Vault (infra.components.key_vault)."""
DNS = "dns"
"""The private DNS zones (infra.components.dns)."""
OPENAI = "openai"
"""Azure OpenAI and the AI gateway (infra.components.openai)."""

RESERVED_WORKLOAD_NAMES = frozenset({CONNECTIVITY, MANAGEMENT, SECURITY, DNS, OPENAI})
"""A spoke's resource group is rg-<org>-<env>-<spoke>, so no spoke may take a platform group's name."""


def resource_group_name(name_prefix: str, workload: str) -> str:
    """A platform group (`CONNECTIVITY`, ...) or a spoke's (its name)."""
    return f"rg-{name_prefix}-{workload}"


# ---------------------------------------------------------------------------- networks

HUB = "hub"
"""The hub's place in the names of its VNet, firewall and the other connectivity resources."""

RESERVED_NETWORK_NAMES = frozenset({HUB})
"""A spoke's VNet is vnet-<org>-<env>-<spoke> and its flow log fl-vnet-<prefix>-<spoke>: a spoke named
`hub` would take the hub's names (and the program's VNet map would lose the hub's flow log)."""


def vnet_name(name_prefix: str, network: str) -> str:
    """The hub's VNet (`HUB`) or a spoke's (its name)."""
    return f"vnet-{name_prefix}-{network}"


def firewall_name(name_prefix: str) -> str:
    return f"afw-{name_prefix}-{HUB}"


def firewall_policy_name(name_prefix: str) -> str:
    return f"afwp-{name_prefix}-{HUB}"


# The hub's subnets by their config key (network.hub.subnets.<key>): Azure requires the first four
# names for the services they host; the DNS resolver's two are ours.
HUB_SUBNET_NAMES = {
    "firewall": "AzureFirewallSubnet",
    "firewallManagement": "AzureFirewallManagementSubnet",
    "bastion": "AzureBastionSubnet",
    "gateway": "GatewaySubnet",
    "dnsInbound": "snet-dns-inbound",
    "dnsOutbound": "snet-dns-outbound",
}

# ---------------------------------------------------------------------------- globally unique names


def key_vault_name(org: str, env: str, suffix: str) -> str:
    return f"kv-{org}-{env}-{suffix}"


def archive_storage_name(org: str, env: str, suffix: str) -> str:
    return f"st{org}{env}audit{suffix}"


def ai_gateway_name(org: str, env: str, suffix: str) -> str:
    """API Management names are global (``<name>.azure-api.net``)."""
    return f"apim-{org}-{env}-{suffix}"


def openai_subdomain(org: str, env: str, suffix: str) -> str:
    return f"oai-{org}-{env}-{suffix}"
