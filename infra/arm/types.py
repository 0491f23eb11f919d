"""ARM's tables: which ARM resource type each Pulumi type token renders to, the offline
identities of a render, the resource id Azure would give a rendered resource, its full ARM type,
and the API version azure-native uses for it.

A new resource type is one row in `ARM_TYPES`. The renderer (ids for the mocks), the ARM
translation (`infra.arm.documents`) and the policy pack read these tables from here, so neither
of the last two imports the renderer (and with it Pulumi's mock engine).
"""

from __future__ import annotations

import functools
import importlib.util
import re
import uuid
from pathlib import Path
from typing import Any, Mapping

from infra.arm.errors import ArmTranslationError

# Offline identities: stable, obviously synthetic GUIDs so renders are byte-for-byte repeatable.
_NS = uuid.UUID("6d1f9a52-5c1e-4f7e-9a43-7c2b1e0d9f10")
OFFLINE_SUBSCRIPTION_ID = str(uuid.uuid5(_NS, "subscription"))
OFFLINE_TENANT_ID = str(uuid.uuid5(_NS, "tenant"))
OFFLINE_OBJECT_ID = str(uuid.uuid5(_NS, "deployer"))

# Pulumi type token -> (ARM resource type path under the parent scope, the input holding the name).
# A path segment in braces is filled from the input of that name (child resources).
# Scope-based extension resources use "@scope" and are placed under the input named `scope`
# (or the resource-specific scope input given after the colon).
ARM_TYPES: dict[str, tuple[str, str]] = {
    "azure-native:resources:ResourceGroup": ("", "resourceGroupName"),
    "azure-native:management:ManagementGroup": ("@tenant:Microsoft.Management/managementGroups", "groupId"),
    "azure-native:management:ManagementGroupSubscription": ("@tenant:Microsoft.Management/managementGroups/{groupId}/subscriptions", "subscriptionId"),
    "azure-native:authorization:PolicyAssignment": ("@scope:Microsoft.Authorization/policyAssignments", "policyAssignmentName"),
    "azure-native:authorization:RoleAssignment": ("@scope:Microsoft.Authorization/roleAssignments", "roleAssignmentName"),
    "azure-native:authorization:ManagementLockByScope": ("@scope:Microsoft.Authorization/locks", "lockName"),
    "azure-native:security:Pricing": ("@scopeId:Microsoft.Security/pricings", "pricingName"),
    "azure-native:consumption:Budget": ("@scope:Microsoft.Consumption/budgets", "budgetName"),
    "azure-native:monitor:DiagnosticSetting": ("@resourceUri:Microsoft.Insights/diagnosticSettings", "name"),
    "azure-native:monitor:SubscriptionDiagnosticSetting": ("@subscription:Microsoft.Insights/diagnosticSettings", "name"),
    "azure-native:monitor:ActionGroup": ("Microsoft.Insights/actionGroups", "actionGroupName"),
    "azure-native:monitor:ActivityLogAlert": ("Microsoft.Insights/activityLogAlerts", "activityLogAlertName"),
    "azure-native:operationalinsights:Workspace": ("Microsoft.OperationalInsights/workspaces", "workspaceName"),
    "azure-native:storage:StorageAccount": ("Microsoft.Storage/storageAccounts", "accountName"),
    "azure-native:storage:BlobServiceProperties": ("Microsoft.Storage/storageAccounts/{accountName}/blobServices", "blobServicesName"),
    "azure-native:storage:BlobContainer": ("Microsoft.Storage/storageAccounts/{accountName}/blobServices/default/containers", "containerName"),
    "azure-native:storage:BlobContainerImmutabilityPolicy": ("Microsoft.Storage/storageAccounts/{accountName}/blobServices/default/containers/{containerName}/immutabilityPolicies", "immutabilityPolicyName"),
    "azure-native:network:VirtualNetwork": ("Microsoft.Network/virtualNetworks", "virtualNetworkName"),
    "azure-native:network:Subnet": ("Microsoft.Network/virtualNetworks/{virtualNetworkName}/subnets", "subnetName"),
    "azure-native:network:VirtualNetworkPeering": ("Microsoft.Network/virtualNetworks/{virtualNetworkName}/virtualNetworkPeerings", "virtualNetworkPeeringName"),
    "azure-native:network:NetworkSecurityGroup": ("Microsoft.Network/networkSecurityGroups", "networkSecurityGroupName"),
    "azure-native:network:RouteTable": ("Microsoft.Network/routeTables", "routeTableName"),
    "azure-native:network:PublicIPAddress": ("Microsoft.Network/publicIPAddresses", "publicIpAddressName"),
    "azure-native:network:AzureFirewall": ("Microsoft.Network/azureFirewalls", "azureFirewallName"),
    "azure-native:network:FirewallPolicy": ("Microsoft.Network/firewallPolicies", "firewallPolicyName"),
    "azure-native:network:FirewallPolicyRuleCollectionGroup": ("Microsoft.Network/firewallPolicies/{firewallPolicyName}/ruleCollectionGroups", "ruleCollectionGroupName"),
    "azure-native:network:BastionHost": ("Microsoft.Network/bastionHosts", "bastionHostName"),
    "azure-native:network:VirtualNetworkGateway": ("Microsoft.Network/virtualNetworkGateways", "virtualNetworkGatewayName"),
    "azure-native:network:NetworkWatcher": ("Microsoft.Network/networkWatchers", "networkWatcherName"),
    "azure-native:network:FlowLog": ("Microsoft.Network/networkWatchers/{networkWatcherName}/flowLogs", "flowLogName"),
    "azure-native:network:PrivateEndpoint": ("Microsoft.Network/privateEndpoints", "privateEndpointName"),
    "azure-native:network:PrivateDnsZoneGroup": ("Microsoft.Network/privateEndpoints/{privateEndpointName}/privateDnsZoneGroups", "privateDnsZoneGroupName"),
    "azure-native:privatedns:PrivateZone": ("Microsoft.Network/privateDnsZones", "privateZoneName"),
    "azure-native:privatedns:VirtualNetworkLink": ("Microsoft.Network/privateDnsZones/{privateZoneName}/virtualNetworkLinks", "virtualNetworkLinkName"),
    "azure-native:dnsresolver:DnsResolver": ("Microsoft.Network/dnsResolvers", "dnsResolverName"),
    "azure-native:dnsresolver:InboundEndpoint": ("Microsoft.Network/dnsResolvers/{dnsResolverName}/inboundEndpoints", "inboundEndpointName"),
    "azure-native:dnsresolver:OutboundEndpoint": ("Microsoft.Network/dnsResolvers/{dnsResolverName}/outboundEndpoints", "outboundEndpointName"),
    "azure-native:dnsresolver:DnsForwardingRuleset": ("Microsoft.Network/dnsForwardingRulesets", "dnsForwardingRulesetName"),
    "azure-native:dnsresolver:ForwardingRule": ("Microsoft.Network/dnsForwardingRulesets/{dnsForwardingRulesetName}/forwardingRules", "forwardingRuleName"),
    "azure-native:dnsresolver:PrivateResolverVirtualNetworkLink": ("Microsoft.Network/dnsForwardingRulesets/{dnsForwardingRulesetName}/virtualNetworkLinks", "virtualNetworkLinkName"),
    "azure-native:keyvault:Vault": ("Microsoft.KeyVault/vaults", "vaultName"),
    "azure-native:keyvault:Key": ("Microsoft.KeyVault/vaults/{vaultName}/keys", "keyName"),
    "azure-native:managedidentity:UserAssignedIdentity": ("Microsoft.ManagedIdentity/userAssignedIdentities", "resourceName"),
    "azure-native:cognitiveservices:Account": ("Microsoft.CognitiveServices/accounts", "accountName"),
    "azure-native:cognitiveservices:Deployment": ("Microsoft.CognitiveServices/accounts/{accountName}/deployments", "deploymentName"),
    "azure-native:cognitiveservices:RaiPolicy": ("Microsoft.CognitiveServices/accounts/{accountName}/raiPolicies", "raiPolicyName"),
    "azure-native:apimanagement:ApiManagementService": ("Microsoft.ApiManagement/service", "serviceName"),
    "azure-native:apimanagement:Backend": ("Microsoft.ApiManagement/service/{serviceName}/backends", "backendId"),
    "azure-native:apimanagement:Api": ("Microsoft.ApiManagement/service/{serviceName}/apis", "apiId"),
    "azure-native:apimanagement:ApiPolicy": ("Microsoft.ApiManagement/service/{serviceName}/apis/{apiId}/policies", "policyId"),
    "azure-native:apimanagement:ApiDiagnostic": ("Microsoft.ApiManagement/service/{serviceName}/apis/{apiId}/diagnostics", "diagnosticId"),
    "azure-native:apimanagement:Logger": ("Microsoft.ApiManagement/service/{serviceName}/loggers", "loggerId"),
    "azure-native:apimanagement:Product": ("Microsoft.ApiManagement/service/{serviceName}/products", "productId"),
    "azure-native:apimanagement:ProductApi": ("Microsoft.ApiManagement/service/{serviceName}/products/{productId}/apis", "apiId"),
    "azure-native:apimanagement:ProductPolicy": ("Microsoft.ApiManagement/service/{serviceName}/products/{productId}/policies", "policyId"),
    "azure-native:apimanagement:Group": ("Microsoft.ApiManagement/service/{serviceName}/groups", "groupId"),
    "azure-native:apimanagement:ProductGroup": ("Microsoft.ApiManagement/service/{serviceName}/products/{productId}/groups", "groupId"),
    "azure-native:privatedns:PrivateRecordSet": ("Microsoft.Network/privateDnsZones/{privateZoneName}/A", "relativeRecordSetName"),
}


def _guid(kind: str, resource_id: str) -> str:
    return str(uuid.uuid5(_NS, f"{kind}:{resource_id.lower()}"))


def arm_id(token: str, inputs: Mapping[str, Any], logical_name: str) -> str:
    """The resource id Azure would give this resource (deterministic, offline subscription)."""
    sub = f"/subscriptions/{OFFLINE_SUBSCRIPTION_ID}"
    path, name_key = ARM_TYPES.get(token, (f"Carelift.Unmapped/{token.split(':')[-1]}", "name"))
    # A subscription-named resource (placement under a management group) is the deploying one.
    name = inputs.get(name_key) or (OFFLINE_SUBSCRIPTION_ID if name_key == "subscriptionId" else logical_name)
    if token == "azure-native:resources:ResourceGroup":
        return f"{sub}/resourceGroups/{name}"
    if path.startswith("@"):
        scope_key, _, arm_type = path[1:].partition(":")
        arm_type = "/".join(str(inputs.get(s[1:-1], s)) if s.startswith("{") else s for s in arm_type.split("/"))
        if scope_key == "tenant":
            return f"/providers/{arm_type}/{name}"
        scope = sub if scope_key == "subscription" else str(inputs.get(scope_key) or sub)
        return f"{scope.rstrip('/')}/providers/{arm_type}/{name}"
    segments = path.split("/")
    filled = [str(inputs.get(s[1:-1], s)) if s.startswith("{") else s for s in segments]
    namespace, types = filled[0], filled[1:]
    rg = inputs.get("resourceGroupName", "unknown")
    return f"{sub}/resourceGroups/{rg}/providers/{namespace}/{'/'.join(types)}/{name}"


def arm_type(token: str, resource_id: str) -> str:
    """The full ARM type (``Microsoft.Network/virtualNetworks/subnets``) of a resource."""
    if token == "azure-native:resources:ResourceGroup":
        return "Microsoft.Resources/resourceGroups"
    tail = resource_id[resource_id.lower().rfind("/providers/") + len("/providers/"):].split("/")
    return "/".join([tail[0], *tail[1::2]])



_API_VERSION = re.compile(r"Uses Azure REST API version (\d{4}-\d{2}-\d{2}(?:-preview)?)")


@functools.cache
def api_version(token: str) -> str:
    """The ARM API version azure-native uses for `token`, read from its class docstring.

    Reads the SDK's source file rather than importing the module: importing azure-native
    submodules costs seconds.
    """
    _, module, class_name = token.split(":")
    spec = importlib.util.find_spec("pulumi_azure_native")
    if spec is None or not spec.submodule_search_locations:
        raise ArmTranslationError(token, "apiVersion", "pulumi_azure_native is not installed")
    directory = Path(next(iter(spec.submodule_search_locations))) / module
    declaration = f"class {class_name}(pulumi.CustomResource)"
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", class_name).lower()
    candidates = [directory / f"{snake}.py", *sorted(directory.glob("*.py"))]
    for path in candidates:
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        if declaration in text:
            match = _API_VERSION.search(text, text.index(declaration))
            if match:
                return match.group(1)
            break
    raise ArmTranslationError(token, "apiVersion", f"no 'Uses Azure REST API version' docstring in {directory}")


# ---------------------------------------------------------------------------- template
