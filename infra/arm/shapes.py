"""How an azure-native type's inputs differ from its ARM document: the common rules' key sets, and
a `Shape` for each type that deviates beyond them (every other type follows the common rules)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

# Keys ARM keeps beside `properties` (the envelope of a tracked resource).
ENVELOPE = ("location", "tags", "sku", "kind", "identity", "zones", "extendedLocation", "plan", "etag",
            "eTag", "managedBy")
# Keys of an inline sub-resource that stay beside its `properties`.
SUB_ENVELOPE = ("name", "id", "etag", "type")
# Properties that are references to another resource: ARM returns only their id
# (Pulumi's input types carry defaults, e.g. a private endpoint's subnet's network policies).
REFERENCES = frozenset({"subnet", "networkSecurityGroup", "routeTable", "natGateway", "publicIPAddress",
                        "publicIPPrefix", "firewallPolicy", "basePolicy", "virtualNetwork", "remoteVirtualNetwork",
                        "ddosProtectionPlan", "gatewayDefaultSite", "virtualHub"})
# Path inputs that ARM also returns inside `properties` (a role assignment's scope).
SCOPE_IN_PROPERTIES = frozenset({"azure-native:authorization:PolicyAssignment",
                                 "azure-native:authorization:RoleAssignment"})
PLACEMENT = "azure-native:management:ManagementGroupSubscription"

Renames = Mapping[str, "str | tuple[str, Renames]"]


@dataclass(frozen=True)
class Shape:
    """How one azure-native type differs from its ARM document, beyond the common rules."""

    in_properties: frozenset[str] = frozenset()
    """Envelope-looking inputs that ARM keeps inside `properties` (a firewall's sku)."""
    renames: Renames = field(default_factory=dict)
    """Pulumi property -> ARM property, or (ARM property, renames inside it)."""
    sub_resources: Mapping[str, str | None] = field(default_factory=dict)
    """Inline sub-resource property -> the id segment ARM gives each item (None: items have no id)."""


_IP_CONFIGS = {"ipConfigurations": "ipConfigurations"}
_STORAGE_ENCRYPTION: Renames = {
    "keyVaultProperties": ("keyvaultproperties", {"keyName": "keyname", "keyVaultUri": "keyvaulturi",
                                                  "keyVersion": "keyversion"}),
    "encryptionIdentity": ("identity", {"encryptionUserAssignedIdentity": "userAssignedIdentity",
                                        "encryptionFederatedIdentityClientId": "federatedIdentityClientId"}),
}

# Only the types that deviate; every other type follows the common rules.
SHAPES: dict[str, Shape] = {
    "azure-native:storage:StorageAccount": Shape(renames={
        "networkRuleSet": "networkAcls",
        "enableHttpsTrafficOnly": "supportsHttpsTrafficOnly",
        "enableNfsV3": "isNfsV3Enabled",
        "encryption": ("encryption", _STORAGE_ENCRYPTION),
    }),
    "azure-native:operationalinsights:Workspace": Shape(in_properties=frozenset({"sku"})),
    "azure-native:network:AzureFirewall": Shape(in_properties=frozenset({"sku"}), sub_resources={
        "ipConfigurations": "ipConfigurations", "managementIpConfiguration": "ipConfigurations",
        "applicationRuleCollections": "applicationRuleCollections", "natRuleCollections": "natRuleCollections",
        "networkRuleCollections": "networkRuleCollections"}),
    "azure-native:network:FirewallPolicy": Shape(in_properties=frozenset({"sku"})),
    "azure-native:network:VirtualNetworkGateway": Shape(in_properties=frozenset({"sku"}), sub_resources=_IP_CONFIGS),
    "azure-native:network:BastionHost": Shape(sub_resources={"ipConfigurations": "bastionHostIpConfigurations"}),
    "azure-native:network:NetworkSecurityGroup": Shape(sub_resources={"securityRules": "securityRules"}),
    "azure-native:network:RouteTable": Shape(sub_resources={"routes": "routes"}),
    # ARM nests a delegation's serviceName under properties (CL-NET-004/006 read it there).
    "azure-native:network:Subnet": Shape(sub_resources={"delegations": "delegations"}),
    "azure-native:network:VirtualNetwork": Shape(sub_resources={
        "subnets": "subnets", "virtualNetworkPeerings": "virtualNetworkPeerings"}),
    "azure-native:network:PrivateEndpoint": Shape(sub_resources={
        "privateLinkServiceConnections": "privateLinkServiceConnections",
        "manualPrivateLinkServiceConnections": "manualPrivateLinkServiceConnections",
        "ipConfigurations": None}),
    "azure-native:network:PrivateDnsZoneGroup": Shape(sub_resources={"privateDnsZoneConfigs": None}),
}
_PLAIN = Shape()

