"""Virtual networks, subnets, peerings, NSGs, route tables, Network Watcher and flow logs."""

from __future__ import annotations

from infra.arm import translate
from infra.compliance.index import ResourceIndex
from tests.infra.arm.expected import (AI, ARCHIVE, CONNECTIVITY, HUB_VNET, MANAGEMENT, SHARED, TAGS, WORKSPACE, document, rid,
                                      versionless)

COVERED = {
    "azure-native:network:VirtualNetwork",
    "azure-native:network:Subnet",
    "azure-native:network:VirtualNetworkPeering",
    "azure-native:network:NetworkSecurityGroup",
    "azure-native:network:RouteTable",
    "azure-native:network:NetworkWatcher",
    "azure-native:network:FlowLog",
}
AI_VNET = rid(AI, "Microsoft.Network/virtualNetworks/vnet-rbh-prod-ai")
AI_NSG = rid(AI, "Microsoft.Network/networkSecurityGroups/nsg-rbh-prod-ai-snet-apps")
AI_ROUTES = rid(AI, "Microsoft.Network/routeTables/rt-rbh-prod-ai")
WATCHER = rid("NetworkWatcherRG", "Microsoft.Network/networkWatchers/NetworkWatcher_eastus2")


def test_spoke_vnet_has_address_space_and_the_hub_resolver_as_dns(prod_rendering):
    assert versionless(document(prod_rendering, "spoke-ai-vnet")) == {
        "type": "Microsoft.Network/virtualNetworks",
        "name": "vnet-rbh-prod-ai",
        "id": AI_VNET,
        "location": "eastus2",
        "tags": TAGS,
        "properties": {
            "addressSpace": {"addressPrefixes": ["10.43.0.0/23"]},
            "dhcpOptions": {"dnsServers": ["10.40.1.4"]},
            "enableDdosProtection": False,
            "enableVmProtection": False,
        },
    }


def test_subnet_is_a_vnet_child_referencing_its_nsg_and_route_table_by_id(prod_rendering):
    assert versionless(document(prod_rendering, "spoke-ai-snet-apps")) == {
        "type": "Microsoft.Network/virtualNetworks/subnets",
        "name": "snet-apps",
        "id": f"{AI_VNET}/subnets/snet-apps",
        "properties": {
            "addressPrefix": "10.43.0.0/25",
            "defaultOutboundAccess": False,
            "networkSecurityGroup": {"id": AI_NSG},
            "privateEndpointNetworkPolicies": "Disabled",
            "privateLinkServiceNetworkPolicies": "Enabled",
            "routeTable": {"id": AI_ROUTES},
        },
    }


def test_inline_subnets_nest_their_properties_as_a_get_returns_them():
    # The program declares subnets as resources; a VNet written with inline subnets (a migrated
    # Bicep estate, a future component) must come out in the same shape the index expands.
    vnet_id = rid("rg", "Microsoft.Network/virtualNetworks/vnet")
    doc = translate("azure-native:network:VirtualNetwork", {
        "virtualNetworkName": "vnet", "resourceGroupName": "rg", "location": "eastus2",
        "addressSpace": {"addressPrefixes": ["10.9.0.0/24"]},
        "subnets": [{"name": "snet-a", "addressPrefix": "10.9.0.0/25",
                     "networkSecurityGroup": {"id": "/subscriptions/s/nsg", "location": "eastus2"}}],
    }, vnet_id)
    assert doc["properties"]["subnets"] == [{
        "name": "snet-a", "id": f"{vnet_id}/subnets/snet-a",
        "properties": {"addressPrefix": "10.9.0.0/25", "networkSecurityGroup": {"id": "/subscriptions/s/nsg"}},
    }]
    subnet = ResourceIndex([doc]).by_id(f"{vnet_id}/subnets/snet-a")
    assert subnet["properties"]["networkSecurityGroup"] == {"id": "/subscriptions/s/nsg"}


def test_peering_is_a_child_of_the_local_vnet_pointing_at_the_remote_one(prod_rendering):
    assert versionless(document(prod_rendering, "spoke-ai-peer-hub-to-spoke")) == {
        "type": "Microsoft.Network/virtualNetworks/virtualNetworkPeerings",
        "name": "peer-hub-to-ai",
        "id": f"{HUB_VNET}/virtualNetworkPeerings/peer-hub-to-ai",
        "properties": {
            "allowForwardedTraffic": False,
            "allowGatewayTransit": True,
            "allowVirtualNetworkAccess": True,
            "remoteVirtualNetwork": {"id": AI_VNET},
            "useRemoteGateways": False,
        },
    }


def test_nsg_rules_nest_under_properties_with_their_own_ids(prod_rendering):
    def rule(name: str, priority: int, access: str, source: str, protocol: str, **ports) -> dict:
        return {"name": name, "id": f"{AI_NSG}/securityRules/{name}", "properties": {
            "access": access, "destinationAddressPrefix": "*", "direction": "Inbound", "priority": priority,
            "protocol": protocol, "sourceAddressPrefix": source, "sourcePortRange": "*", **ports}}

    assert versionless(document(prod_rendering, "spoke-ai-nsg-snet-apps")) == {
        "type": "Microsoft.Network/networkSecurityGroups",
        "name": "nsg-rbh-prod-ai-snet-apps",
        "id": AI_NSG,
        "location": "eastus2",
        "tags": TAGS,
        "properties": {"securityRules": [
            rule("allow-rdp-ssh-from-bastion", 100, "Allow", "10.40.0.128/26", "Tcp",
                 destinationPortRanges=["22", "3389"]),
            rule("allow-azure-load-balancer-probes", 110, "Allow", "AzureLoadBalancer", "*",
                 destinationPortRange="*"),
            rule("deny-all-inbound", 4096, "Deny", "*", "*", destinationPortRange="*"),
        ]},
    }


def test_route_table_sends_the_default_route_to_the_firewall(prod_rendering):
    firewall = document(prod_rendering, "hub-fw")
    firewall_ip = firewall["properties"]["ipConfigurations"][0]["properties"]["privateIPAddress"]
    assert versionless(document(prod_rendering, "spoke-ai-rt")) == {
        "type": "Microsoft.Network/routeTables",
        "name": "rt-rbh-prod-ai",
        "id": AI_ROUTES,
        "location": "eastus2",
        "tags": TAGS,
        "properties": {
            "disableBgpRoutePropagation": True,
            "routes": [{"name": "default-via-firewall", "id": f"{AI_ROUTES}/routes/default-via-firewall",
                        "properties": {"addressPrefix": "0.0.0.0/0", "nextHopIpAddress": firewall_ip,
                                       "nextHopType": "VirtualAppliance"}},
                       # The AI gateway's control plane answers from its service tag, not through the firewall.
                       {"name": "apim-control-plane", "id": f"{AI_ROUTES}/routes/apim-control-plane",
                        "properties": {"addressPrefix": "ApiManagement", "nextHopType": "Internet"}}],
        },
    }
    assert firewall_ip == "10.40.0.4"


def test_network_watcher_is_the_regional_one_azure_names(prod_rendering):
    assert versionless(document(prod_rendering, "flow-logs-watcher")) == {
        "type": "Microsoft.Network/networkWatchers",
        "name": "NetworkWatcher_eastus2",
        "id": WATCHER,
        "location": "eastus2",
        "tags": TAGS,
        "properties": {},
    }


FLOW_LOG_IDENTITY = rid(MANAGEMENT, "Microsoft.ManagedIdentity/userAssignedIdentities/id-rbh-prod-flowlogs")


def test_flow_log_is_a_watcher_child_targeting_a_vnet(prod_rendering):
    doc = document(prod_rendering, "flow-logs-shared")
    assert versionless(doc) == {
        "type": "Microsoft.Network/networkWatchers/flowLogs",
        "name": "fl-vnet-rbh-prod-shared",
        "id": f"{WATCHER}/flowLogs/fl-vnet-rbh-prod-shared",
        "location": "eastus2",
        "tags": TAGS,
        # ARM maps each user-assigned identity id to its principal and client ids.
        "identity": {"type": "UserAssigned", "userAssignedIdentities": {
            FLOW_LOG_IDENTITY: doc["identity"]["userAssignedIdentities"][FLOW_LOG_IDENTITY]}},
        "properties": {
            "enabled": True,
            "flowAnalyticsConfiguration": {"networkWatcherFlowAnalyticsConfiguration": {
                "enabled": True,
                "trafficAnalyticsInterval": 10,
                "workspaceId": doc["properties"]["flowAnalyticsConfiguration"][
                    "networkWatcherFlowAnalyticsConfiguration"]["workspaceId"],
                "workspaceRegion": "eastus2",
                "workspaceResourceId": WORKSPACE,
            }},
            "format": {"type": "JSON", "version": 2},
            "retentionPolicy": {"days": 0, "enabled": False},
            "storageId": ARCHIVE,
            "targetResourceId": rid(SHARED, "Microsoft.Network/virtualNetworks/vnet-rbh-prod-shared"),
        },
    }


def test_hub_gateway_subnet_takes_the_gateway_route_table_and_no_nsg(prod_rendering):
    properties = document(prod_rendering, "hub-snet-gateway")["properties"]
    assert properties["routeTable"] == {"id": rid(CONNECTIVITY, "Microsoft.Network/routeTables/rt-rbh-prod-gateway")}
    assert "networkSecurityGroup" not in properties


def test_subnet_delegations_nest_their_service_name():
    # No landing-zone subnet is delegated; migrated workloads (SQL MI, App Service) will be.
    subnet_id = rid("rg", "Microsoft.Network/virtualNetworks/vnet/subnets/snet-sqlmi")
    doc = translate("azure-native:network:Subnet", {
        "subnetName": "snet-sqlmi", "virtualNetworkName": "vnet", "resourceGroupName": "rg",
        "addressPrefix": "10.9.1.0/24",
        "delegations": [{"name": "sqlmi", "serviceName": "Microsoft.Sql/managedInstances"}],
    }, subnet_id)
    assert doc["properties"]["delegations"] == [{
        "name": "sqlmi", "id": f"{subnet_id}/delegations/sqlmi",
        "properties": {"serviceName": "Microsoft.Sql/managedInstances"},
    }]
