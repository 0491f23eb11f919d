"""The hub's edge: Azure Firewall and its policy, rule collection groups, Bastion, gateway, public IPs."""

from __future__ import annotations

from tests.infra.arm.expected import CONNECTIVITY, HUB_VNET, TAGS, document, rid, versionless

COVERED = {
    "azure-native:network:AzureFirewall",
    "azure-native:network:FirewallPolicy",
    "azure-native:network:FirewallPolicyRuleCollectionGroup",
    "azure-native:network:BastionHost",
    "azure-native:network:VirtualNetworkGateway",
    "azure-native:network:PublicIPAddress",
}
FIREWALL = rid(CONNECTIVITY, "Microsoft.Network/azureFirewalls/afw-rbh-prod-hub")
POLICY = rid(CONNECTIVITY, "Microsoft.Network/firewallPolicies/afwp-rbh-prod-hub")


def pip(name: str) -> str:
    return rid(CONNECTIVITY, f"Microsoft.Network/publicIPAddresses/{name}")


def test_firewall_keeps_sku_in_properties_and_nests_ip_configurations(prod_rendering):
    assert versionless(document(prod_rendering, "hub-fw")) == {
        "type": "Microsoft.Network/azureFirewalls",
        "name": "afw-rbh-prod-hub",
        "id": FIREWALL,
        "location": "eastus2",
        "tags": TAGS,
        "zones": ["1", "2", "3"],
        "properties": {
            "firewallPolicy": {"id": POLICY},
            "ipConfigurations": [{
                "name": "ipconfig-data",
                "id": f"{FIREWALL}/ipConfigurations/ipconfig-data",
                "properties": {"privateIPAddress": "10.40.0.4",
                               "publicIPAddress": {"id": pip("pip-rbh-prod-afw")},
                               "subnet": {"id": f"{HUB_VNET}/subnets/AzureFirewallSubnet"}},
            }],
            "managementIpConfiguration": {
                "name": "ipconfig-management",
                "id": f"{FIREWALL}/ipConfigurations/ipconfig-management",
                "properties": {"publicIPAddress": {"id": pip("pip-rbh-prod-afw-mgmt")},
                               "subnet": {"id": f"{HUB_VNET}/subnets/AzureFirewallManagementSubnet"}},
            },
            "sku": {"name": "AZFW_VNet", "tier": "Premium"},
        },
    }


def test_firewall_policy_keeps_sku_threat_intel_and_idps_in_properties(prod_rendering):
    assert versionless(document(prod_rendering, "hub-fw-policy")) == {
        "type": "Microsoft.Network/firewallPolicies",
        "name": "afwp-rbh-prod-hub",
        "id": POLICY,
        "location": "eastus2",
        "tags": TAGS,
        "properties": {
            "dnsSettings": {"enableProxy": True, "servers": ["10.40.1.4"]},
            "intrusionDetection": {"mode": "Deny"},
            "sku": {"tier": "Premium"},
            "threatIntelMode": "Deny",
        },
    }


def test_rule_collection_group_keeps_arm_rule_collections_as_they_are(prod_rendering):
    assert versionless(document(prod_rendering, "hub-fw-rcg-application")) == {
        "type": "Microsoft.Network/firewallPolicies/ruleCollectionGroups",
        "name": "rcg-platform-egress",
        "id": f"{POLICY}/ruleCollectionGroups/rcg-platform-egress",
        "properties": {"priority": 300, "ruleCollections": [{
            "action": {"type": "Allow"},
            "name": "allow-platform-fqdn-tags",
            "priority": 100,
            "ruleCollectionType": "FirewallPolicyFilterRuleCollection",
            "rules": [{
                "description": "Patching, Defender for Endpoint, diagnostics and Azure Backup only.",
                "fqdnTags": ["WindowsUpdate", "WindowsDiagnostics", "MicrosoftActiveProtectionService",
                             "AzureBackup"],
                "name": "windows-update-defender-backup",
                "protocols": [{"port": 80, "protocolType": "Http"}, {"port": 443, "protocolType": "Https"}],
                "ruleType": "ApplicationRule",
                "sourceAddresses": ["10.41.0.0/22", "10.42.0.0/20", "10.43.0.0/23"],
            }],
        }]},
    }


def test_bastion_keeps_sku_beside_properties_and_nests_its_ip_configuration(prod_rendering):
    bastion = rid(CONNECTIVITY, "Microsoft.Network/bastionHosts/bas-rbh-prod-hub")
    assert versionless(document(prod_rendering, "hub-bastion")) == {
        "type": "Microsoft.Network/bastionHosts",
        "name": "bas-rbh-prod-hub",
        "id": bastion,
        "location": "eastus2",
        "sku": {"name": "Standard"},
        "tags": TAGS,
        "properties": {
            "disableCopyPaste": False,
            "enableFileCopy": False,
            "enableIpConnect": False,
            "enableKerberos": False,
            "enablePrivateOnlyBastion": False,
            "enableSessionRecording": False,
            "enableShareableLink": False,
            "enableTunneling": False,
            "ipConfigurations": [{
                "name": "ipconfig",
                "id": f"{bastion}/bastionHostIpConfigurations/ipconfig",
                "properties": {"publicIPAddress": {"id": pip("pip-rbh-prod-bas")},
                               "subnet": {"id": f"{HUB_VNET}/subnets/AzureBastionSubnet"}},
            }],
        },
    }


def test_gateway_keeps_sku_in_properties(prod_rendering):
    gateway = rid(CONNECTIVITY, "Microsoft.Network/virtualNetworkGateways/vgw-rbh-prod-hub")
    assert versionless(document(prod_rendering, "hub-gateway")) == {
        "type": "Microsoft.Network/virtualNetworkGateways",
        "name": "vgw-rbh-prod-hub",
        "id": gateway,
        "location": "eastus2",
        "tags": TAGS,
        "properties": {
            "activeActive": False,
            "gatewayType": "ExpressRoute",
            "ipConfigurations": [{
                "name": "ipconfig",
                "id": f"{gateway}/ipConfigurations/ipconfig",
                "properties": {"privateIPAllocationMethod": "Dynamic",
                               "publicIPAddress": {"id": pip("pip-rbh-prod-vgw")},
                               "subnet": {"id": f"{HUB_VNET}/subnets/GatewaySubnet"}},
            }],
            "sku": {"name": "ErGw2AZ", "tier": "ErGw2AZ"},
        },
    }


def test_public_ip_keeps_sku_and_zones_beside_properties(prod_rendering):
    assert versionless(document(prod_rendering, "hub-pip-bas")) == {
        "type": "Microsoft.Network/publicIPAddresses",
        "name": "pip-rbh-prod-bas",
        "id": pip("pip-rbh-prod-bas"),
        "location": "eastus2",
        "sku": {"name": "Standard", "tier": "Regional"},
        "tags": TAGS,
        "zones": ["1", "2", "3"],
        "properties": {"publicIPAddressVersion": "IPv4", "publicIPAllocationMethod": "Static"},
    }
