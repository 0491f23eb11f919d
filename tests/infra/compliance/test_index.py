"""The resource graph the graph controls walk."""

from __future__ import annotations

from infra.compliance.model import Unknown, touched_unknowns
from infra.compliance.index import ResourceIndex, get, parent_id
from infra.compliance.model import SUBSCRIPTION_TYPE
from tests.infra.compliance.arm import SUB, extension, resource, rid


def test_parent_of_child_extension_and_top_level_resources():
    vnet = rid("Microsoft.Network/virtualNetworks", "vnet")
    subnet = rid("Microsoft.Network/virtualNetworks/subnets", "vnet/snet")
    assert parent_id(subnet) == vnet
    assert parent_id(f"{vnet}/providers/Microsoft.Insights/diagnosticSettings/d") == vnet
    assert parent_id(vnet) == f"/subscriptions/{SUB}/resourceGroups/rg-test"
    assert parent_id(f"/subscriptions/{SUB}/providers/Microsoft.Security/pricings/Arm") == f"/subscriptions/{SUB}"
    assert parent_id("/providers/Microsoft.Management/managementGroups/root") == ""


def test_lookups_ignore_case():
    vault = resource("Microsoft.KeyVault/vaults", "kv")
    index = ResourceIndex([vault])
    assert index.by_id(vault["id"].upper()) is vault
    assert index.of_type("microsoft.keyvault/VAULTS") == [vault]


def test_inline_subnets_and_rules_become_documents():
    vnet = resource("Microsoft.Network/virtualNetworks", "vnet", {"subnets": [
        {"name": "snet-a", "properties": {"addressPrefix": "10.0.0.0/24"}}]})
    nsg = resource("Microsoft.Network/networkSecurityGroups", "nsg", {"securityRules": [
        {"name": "deny-all", "properties": {"access": "Deny"}}]})
    index = ResourceIndex([vnet, nsg])
    (subnet,) = index.of_type("Microsoft.Network/virtualNetworks/subnets")
    assert subnet["id"] == f"{vnet['id']}/subnets/snet-a"
    assert index.children(vnet["id"], "Microsoft.Network/virtualNetworks/subnets") == [subnet]
    (rule,) = index.of_type("Microsoft.Network/networkSecurityGroups/securityRules")
    assert get(rule, "properties.access") == "Deny"


def test_separate_child_document_wins_over_the_inline_copy():
    vnet = resource("Microsoft.Network/virtualNetworks", "vnet", {"subnets": [{"name": "snet-a", "properties": {}}]})
    separate = resource("Microsoft.Network/virtualNetworks/subnets", "vnet/snet-a", {"networkSecurityGroup": {"id": "/nsg"}})
    index = ResourceIndex([vnet, separate])
    assert index.of_type("Microsoft.Network/virtualNetworks/subnets") == [separate]


def test_extensions_and_references():
    vault = resource("Microsoft.KeyVault/vaults", "kv")
    setting = extension(vault, "Microsoft.Insights/diagnosticSettings", "d", {})
    endpoint = resource("Microsoft.Network/privateEndpoints", "pe", {"privateLinkServiceConnections": [
        {"name": "c", "properties": {"privateLinkServiceId": vault["id"].upper(), "groupIds": ["vault"]}}]})
    index = ResourceIndex([vault, setting, endpoint])
    assert index.extensions(vault["id"], "Microsoft.Insights/diagnosticSettings") == [setting]
    assert index.referencing(vault["id"], "Microsoft.Network/privateEndpoints") == [endpoint]
    assert index.referencing(vault["id"], "Microsoft.Storage/storageAccounts") == []


def test_one_subscription_pseudo_resource_per_subscription_with_subscription_level_documents():
    pricing = {"type": "Microsoft.Security/pricings", "name": "VirtualMachines", "properties": {},
               "id": f"/subscriptions/{SUB}/providers/Microsoft.Security/pricings/VirtualMachines"}
    index = ResourceIndex([resource("Microsoft.KeyVault/vaults", "a"), pricing, resource("Microsoft.KeyVault/vaults", "b")])
    (subscription,) = index.of_type(SUBSCRIPTION_TYPE)
    assert subscription["id"] == f"/subscriptions/{SUB}"
    assert ResourceIndex([]).of_type(SUBSCRIPTION_TYPE) == []


def test_no_subscription_is_made_up_from_resource_group_resources():
    # A template of vaults says nothing about the subscription it lands in: subscription-wide controls
    # are not applicable rather than failed on an invented subscription.
    index = ResourceIndex([resource("Microsoft.KeyVault/vaults", "a"), resource("Microsoft.KeyVault/vaults", "b")])
    assert index.of_type(SUBSCRIPTION_TYPE) == []


def test_a_repeated_id_is_kept_once_and_reported():
    first, second = resource("Microsoft.KeyVault/vaults", "a"), resource("Microsoft.KeyVault/vaults", "A")
    index = ResourceIndex([first, second])
    assert index.of_type("Microsoft.KeyVault/vaults") == [first]
    assert index.duplicates == [second]


def test_get_returns_an_unknown_on_the_way_and_records_its_use():
    acls = Unknown("[parameters('acls')]", "properties.networkAcls")
    document = {"properties": {"networkAcls": acls}}
    with touched_unknowns() as touched:
        assert get(document, "properties.networkAcls.defaultAction") is acls
    assert touched == [acls]


def test_get_walks_maps_and_lists():
    document = {"properties": {"rules": [{"port": 22}]}}
    assert get(document, "properties.rules.0.port") == 22
    assert get(document, "properties.rules.3.port", "none") == "none"
    assert get(document, "properties.missing.deeper") is None
