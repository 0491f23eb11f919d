"""Private endpoints, their DNS zone groups, private DNS zones and their VNet links."""

from __future__ import annotations

from tests.infra.arm.expected import DNS, HUB_VNET, SECURITY, SHARED, TAGS, VAULT, document, rid, versionless

COVERED = {
    "azure-native:network:PrivateEndpoint",
    "azure-native:network:PrivateDnsZoneGroup",
    "azure-native:privatedns:PrivateZone",
    "azure-native:privatedns:VirtualNetworkLink",
}
ENDPOINT = rid(SECURITY, "Microsoft.Network/privateEndpoints/pe-kv-rbh-prod-p01")
VAULT_ZONE = rid(DNS, "Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net")


def test_private_endpoint_nests_its_connection_and_references_the_subnet_by_id_only(prod_rendering):
    assert versionless(document(prod_rendering, "kv-rbh-prod-p01-pe")) == {
        "type": "Microsoft.Network/privateEndpoints",
        "name": "pe-kv-rbh-prod-p01",
        "id": ENDPOINT,
        "location": "eastus2",
        "tags": TAGS,
        "properties": {
            "customNetworkInterfaceName": "nic-pe-kv-rbh-prod-p01",
            "privateLinkServiceConnections": [{
                "name": "pe-kv-rbh-prod-p01-vault",
                "id": f"{ENDPOINT}/privateLinkServiceConnections/pe-kv-rbh-prod-p01-vault",
                "properties": {"groupIds": ["vault"], "privateLinkServiceId": VAULT},
            }],
            # Pulumi's subnet input carries network-policy defaults; ARM returns the reference only.
            "subnet": {"id": rid(SHARED, "Microsoft.Network/virtualNetworks/vnet-rbh-prod-shared/subnets/"
                                         "snet-privatelink")},
        },
    }


def test_zone_group_nests_each_zone_config(prod_rendering):
    assert versionless(document(prod_rendering, "kv-rbh-prod-p01-pe-dns")) == {
        "type": "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
        "name": "default",
        "id": f"{ENDPOINT}/privateDnsZoneGroups/default",
        "properties": {"privateDnsZoneConfigs": [
            {"name": "privatelink-vaultcore-azure-net", "properties": {"privateDnsZoneId": VAULT_ZONE}},
        ]},
    }


def test_private_zone_is_global(prod_rendering):
    assert versionless(document(prod_rendering, "private-dns-privatelink-vaultcore-azure-net")) == {
        "type": "Microsoft.Network/privateDnsZones",
        "name": "privatelink.vaultcore.azure.net",
        "id": VAULT_ZONE,
        "location": "global",
        "tags": TAGS,
        "properties": {},
    }


def test_zone_link_points_at_the_hub_without_registration(prod_rendering):
    assert versionless(document(prod_rendering, "private-dns-privatelink-vaultcore-azure-net-hub-link")) == {
        "type": "Microsoft.Network/privateDnsZones/virtualNetworkLinks",
        "name": "link-rbh-prod-hub",
        "id": f"{VAULT_ZONE}/virtualNetworkLinks/link-rbh-prod-hub",
        "location": "global",
        "tags": TAGS,
        "properties": {"registrationEnabled": False, "resolutionPolicy": "Default",
                       "virtualNetwork": {"id": HUB_VNET}},
    }
