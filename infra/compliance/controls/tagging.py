"""Tags: every resource that can carry tags records its data classification and its owners.

Which ARM types are taggable. ARM has no flag for it: tracked resources (a `location`, a
`tags` map) are taggable, proxy resources mostly are not, and a few children break the rule
(Key Vault keys and secrets, OpenAI deployments and content filters, private DNS zone links,
flow logs and DNS resolver endpoints take tags; subnets, NSG rules, peerings, zone groups,
blob services and containers, forwarding rules and rule collection groups do not). Extension
resources (diagnostic settings, locks, role and policy assignments) and subscription-level
settings (Defender pricings, budgets, management groups) never take tags.

The controls therefore run on an explicit list: every taggable type the carelift program
creates (tests prove the list agrees with the azure-native SDK's `tags` inputs) plus the types
a migration lands (VMs, disks, NICs, SQL, App Service, AKS, backup...). A type missing from the
list is not tag-checked; add it here when a new service arrives.
"""

from __future__ import annotations

from typing import Any, Mapping

from infra.compliance.describe import sentence
from infra.compliance.index import ResourceIndex
from infra.compliance.model import Document, Outcome, failed, passed
from infra.compliance.registry import control

# Taggable ARM types that have no location of their own (they live inside their parent's region).
UNLOCATED_TAGGABLE_TYPES = (
    "Microsoft.CognitiveServices/accounts/deployments",
    "Microsoft.CognitiveServices/accounts/raiPolicies",
    "Microsoft.KeyVault/vaults/keys",
    "Microsoft.KeyVault/vaults/secrets",
)

# Tracked resources: a location and tags.
LOCATED_TYPES = (
    "Microsoft.ApiManagement/service",
    "Microsoft.App/containerApps",
    "Microsoft.App/managedEnvironments",
    "Microsoft.Automation/automationAccounts",
    "Microsoft.CognitiveServices/accounts",
    "Microsoft.Compute/availabilitySets",
    "Microsoft.Compute/diskEncryptionSets",
    "Microsoft.Compute/disks",
    "Microsoft.Compute/images",
    "Microsoft.Compute/snapshots",
    "Microsoft.Compute/virtualMachineScaleSets",
    "Microsoft.Compute/virtualMachines",
    "Microsoft.Compute/virtualMachines/extensions",
    "Microsoft.ContainerRegistry/registries",
    "Microsoft.ContainerService/managedClusters",
    "Microsoft.DBforMySQL/flexibleServers",
    "Microsoft.DBforPostgreSQL/flexibleServers",
    "Microsoft.DesktopVirtualization/applicationGroups",
    "Microsoft.DesktopVirtualization/hostPools",
    "Microsoft.DesktopVirtualization/workspaces",
    "Microsoft.DocumentDB/databaseAccounts",
    "Microsoft.EventHub/namespaces",
    "Microsoft.HybridCompute/machines",
    "Microsoft.Insights/actionGroups",
    "Microsoft.Insights/activityLogAlerts",
    "Microsoft.Insights/components",
    "Microsoft.Insights/dataCollectionRules",
    "Microsoft.Insights/metricAlerts",
    "Microsoft.Insights/scheduledQueryRules",
    "Microsoft.KeyVault/vaults",
    "Microsoft.Logic/workflows",
    "Microsoft.ManagedIdentity/userAssignedIdentities",
    "Microsoft.Network/applicationGateways",
    "Microsoft.Network/applicationSecurityGroups",
    "Microsoft.Network/azureFirewalls",
    "Microsoft.Network/bastionHosts",
    "Microsoft.Network/connections",
    "Microsoft.Network/dnsForwardingRulesets",
    "Microsoft.Network/dnsResolvers",
    "Microsoft.Network/dnsResolvers/inboundEndpoints",
    "Microsoft.Network/dnsResolvers/outboundEndpoints",
    "Microsoft.Network/dnsZones",
    "Microsoft.Network/expressRouteCircuits",
    "Microsoft.Network/firewallPolicies",
    "Microsoft.Network/loadBalancers",
    "Microsoft.Network/localNetworkGateways",
    "Microsoft.Network/natGateways",
    "Microsoft.Network/networkInterfaces",
    "Microsoft.Network/networkSecurityGroups",
    "Microsoft.Network/networkWatchers",
    "Microsoft.Network/networkWatchers/flowLogs",
    "Microsoft.Network/privateDnsZones",
    "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    "Microsoft.Network/privateEndpoints",
    "Microsoft.Network/privateLinkServices",
    "Microsoft.Network/publicIPAddresses",
    "Microsoft.Network/publicIPPrefixes",
    "Microsoft.Network/routeTables",
    "Microsoft.Network/virtualNetworkGateways",
    "Microsoft.Network/virtualNetworks",
    "Microsoft.OperationalInsights/workspaces",
    "Microsoft.RecoveryServices/vaults",
    "Microsoft.Resources/resourceGroups",
    "Microsoft.ServiceBus/namespaces",
    "Microsoft.Sql/managedInstances",
    "Microsoft.Sql/servers",
    "Microsoft.Sql/servers/databases",
    "Microsoft.Sql/servers/elasticPools",
    "Microsoft.Storage/storageAccounts",
    "Microsoft.Web/serverFarms",
    "Microsoft.Web/sites",
)

TAGGABLE_TYPES = tuple(sorted(LOCATED_TYPES + UNLOCATED_TAGGABLE_TYPES, key=str.lower))

DATA_CLASSIFICATION = "data-classification"
CLASSIFICATIONS = ("phi", "pii", "internal", "public")
OWNERSHIP_TAGS = ("environment", "owner", "cost-center")


def tags_of(document: Document) -> dict[str, Any]:
    """Tags with lower-cased keys: Azure treats tag names case-insensitively."""
    tags = document.get("tags")
    return {str(k).lower(): v for k, v in tags.items()} if isinstance(tags, Mapping) else {}


@control(
    id="CL-TAG-001", title="Resources carry a valid data-classification tag", severity="medium", scope="resource",
    citations=("45 CFR 164.308(a)(1)(ii)(A)", "45 CFR 164.308(a)(1)(ii)(B)"),
    types=TAGGABLE_TYPES, policy=("871b6d14-10aa-478d-b590-94f262ecfa99",),
    remediation="Tag the resource data-classification=phi, pii, internal or public (the most sensitive data it "
                "holds). carelift applies the stack's tags to every taggable resource (infra/tagging.py).",
)
def data_classification(resource: Document, index: ResourceIndex) -> Outcome:
    """The risk analysis needs to know which resources hold ePHI; the tag is that inventory."""
    value = tags_of(resource).get(DATA_CLASSIFICATION)
    if value is None:
        return failed(sentence(resource, "has no data-classification tag, so nobody can tell whether it holds "
                                         "protected health information"))
    if str(value).strip().lower() in CLASSIFICATIONS:
        return passed(sentence(resource, f"is tagged data-classification={value}"))
    return failed(sentence(resource, f"has data-classification '{value}', which is not one of "
                                     f"{', '.join(CLASSIFICATIONS)}"))


@control(
    id="CL-TAG-002", title="Resources carry environment, owner and cost-center tags", severity="low",
    scope="resource",
    citations=("45 CFR 164.308(a)(1)(ii)(A)", "45 CFR 164.308(a)(2)"),
    types=TAGGABLE_TYPES, policy=("871b6d14-10aa-478d-b590-94f262ecfa99",),
    remediation="Add non-empty environment, owner and cost-center tags (the stack's `tags` setting in carelift).",
)
def ownership_tags(resource: Document, index: ResourceIndex) -> Outcome:
    """Every resource has an accountable owner the security official can reach."""
    tags = tags_of(resource)
    missing = [name for name in OWNERSHIP_TAGS if not str(tags.get(name) or "").strip()]
    if not missing:
        return passed(sentence(resource, "has environment, owner and cost-center tags"))
    return failed(sentence(resource, f"lacks the {', '.join(missing)} tag{'s' if len(missing) > 1 else ''}, "
                                     "so no accountable owner is recorded"))
