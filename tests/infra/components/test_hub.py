"""HubNetwork: subnets, Bastion NSG, Azure Firewall Premium, gateway per config, DNS Private Resolver."""

from __future__ import annotations

import ipaddress

import pulumi_azure_native.network as network
import pytest

from infra.components.hub import HubNetwork, HubNetworkArgs, _first_private_ip
from infra.config import StackConfig
from infra.render import Rendering
from tests.infra.components.conftest import WORKSPACE_ID, build_under_mocks

FIXED_SUBNETS = {
    "firewall": "AzureFirewallSubnet",
    "firewall_management": "AzureFirewallManagementSubnet",
    "bastion": "AzureBastionSubnet",
    "gateway": "GatewaySubnet",
    "dns_inbound": "snet-dns-inbound",
    "dns_outbound": "snet-dns-outbound",
}
NO_NSG_SUBNETS = ("AzureFirewallSubnet", "AzureFirewallManagementSubnet", "GatewaySubnet")


def children(rendering: Rendering, token: str, component: str = "hub"):
    parent = rendering.named(component).urn
    return [r for r in rendering.of_type(token) if r.parent == parent]


def only(rendering: Rendering, token: str, component: str = "hub"):
    found = children(rendering, token, component)
    assert len(found) == 1, [r.name for r in found]
    return found[0]


def by_id(rendering: Rendering, resource_id: str):
    return next(r for r in rendering.resources if r.id == resource_id)


def hub_subnet(rendering: Rendering, subnet_name: str):
    matches = [s for s in children(rendering, "azure-native:network:Subnet") if s.inputs["subnetName"] == subnet_name]
    assert len(matches) == 1, subnet_name
    return matches[0]


def nsg_rules(rendering: Rendering, subnet_name: str, direction: str):
    nsg = by_id(rendering, hub_subnet(rendering, subnet_name).inputs["networkSecurityGroup"]["id"])
    return sorted((r for r in nsg.inputs["securityRules"] if r["direction"] == direction),
                  key=lambda r: r["priority"])


def ports(rule) -> set[str]:
    return set(rule.get("destinationPortRanges") or [rule["destinationPortRange"]])


def sources(rule) -> set[str]:
    return set(rule.get("sourceAddressPrefixes") or [rule["sourceAddressPrefix"]])


def firewall_rules(rendering: Rendering):
    for group in children(rendering, "azure-native:network:FirewallPolicyRuleCollectionGroup"):
        for collection in group.inputs["ruleCollections"]:
            for rule in collection["rules"]:
                yield collection, rule


def fifth_address(prefix: str) -> str:
    return str(ipaddress.ip_network(prefix)[4])


def without_gateway(config):
    config["carelift:network"]["gateway"] = {"type": "None"}


def build_hub(config: StackConfig) -> tuple[Rendering, HubNetwork]:
    """The hub alone under the mock engine, as the program builds it."""
    return build_under_mocks(lambda: HubNetwork("hub", HubNetworkArgs(
        name_prefix=config.name_prefix, location=config.location, network=config.network,
        workspace_id=WORKSPACE_ID)), config)


# ---------------------------------------------------------------------------- VNet and subnets


def test_hub_vnet_uses_the_configured_address_space_in_the_connectivity_group(rendering):
    config = rendering.config
    vnet = only(rendering, "azure-native:network:VirtualNetwork")
    assert vnet.inputs["virtualNetworkName"] == f"vnet-{config.name_prefix}-hub"
    assert vnet.inputs["resourceGroupName"] == f"rg-{config.name_prefix}-connectivity"
    assert vnet.inputs["addressSpace"]["addressPrefixes"] == [config.network.hub.address_space]
    assert "subnets" not in vnet.inputs


def test_hub_subnets_have_azure_names_and_the_configured_prefixes(rendering):
    config = rendering.config
    subnets = children(rendering, "azure-native:network:Subnet")
    assert sorted(s.inputs["subnetName"] for s in subnets) == sorted(FIXED_SUBNETS.values())
    for field, subnet_name in FIXED_SUBNETS.items():
        subnet = hub_subnet(rendering, subnet_name)
        assert subnet.inputs["addressPrefix"] == getattr(config.network.hub.subnets, field)
        assert subnet.inputs["virtualNetworkName"] == f"vnet-{config.name_prefix}-hub"


def test_hub_subnets_are_created_one_after_another(rendering):
    subnets = children(rendering, "azure-native:network:Subnet")
    urns = {s.urn for s in subnets}
    previous = [[d for d in s.depends_on if d in urns] for s in subnets]
    # A single chain: one head with no subnet before it, every other subnet after exactly one.
    assert sorted(len(p) for p in previous) == [0] + [1] * (len(subnets) - 1)
    assert len({p[0] for p in previous if p}) == len(subnets) - 1


def test_fixed_name_subnets_other_than_bastion_have_no_nsg(rendering):
    for subnet_name in NO_NSG_SUBNETS:
        assert "networkSecurityGroup" not in hub_subnet(rendering, subnet_name).inputs


def test_non_delegated_hub_subnets_have_no_default_outbound_access(rendering):
    for subnet_name in (*NO_NSG_SUBNETS, "AzureBastionSubnet"):
        assert hub_subnet(rendering, subnet_name).inputs["defaultOutboundAccess"] is False


def test_bastion_subnet_nsg_allows_exactly_what_azure_documents_inbound(rendering):
    inbound = nsg_rules(rendering, "AzureBastionSubnet", "Inbound")
    allowed = {(frozenset(sources(r)), frozenset(ports(r))) for r in inbound if r["access"] == "Allow"}
    assert allowed == {
        (frozenset({"Internet"}), frozenset({"443"})),
        (frozenset({"GatewayManager"}), frozenset({"443"})),
        (frozenset({"AzureLoadBalancer"}), frozenset({"443"})),
        (frozenset({"VirtualNetwork"}), frozenset({"8080", "5701"})),
    }


def test_bastion_subnet_nsg_ends_inbound_with_explicit_deny_all_at_4096(rendering):
    last = nsg_rules(rendering, "AzureBastionSubnet", "Inbound")[-1]
    assert (last["priority"], last["access"], last["protocol"]) == (4096, "Deny", "*")
    assert (last["sourceAddressPrefix"], last["destinationAddressPrefix"]) == ("*", "*")
    assert last["destinationPortRange"] == "*"


def test_bastion_subnet_nsg_allows_the_documented_outbound_flows(rendering):
    outbound = nsg_rules(rendering, "AzureBastionSubnet", "Outbound")
    allowed = {(r["destinationAddressPrefix"], frozenset(ports(r))) for r in outbound if r["access"] == "Allow"}
    assert allowed == {
        ("VirtualNetwork", frozenset({"22", "3389"})),
        ("AzureCloud", frozenset({"443"})),
        ("VirtualNetwork", frozenset({"8080", "5701"})),
        ("Internet", frozenset({"80"})),
    }


def test_resolver_subnets_are_delegated_to_dns_resolvers(rendering):
    for subnet_name in ("snet-dns-inbound", "snet-dns-outbound"):
        delegations = hub_subnet(rendering, subnet_name).inputs["delegations"]
        assert [d["serviceName"] for d in delegations] == ["Microsoft.Network/dnsResolvers"]


def test_resolver_inbound_subnet_accepts_only_dns_from_vnets_and_on_premises(rendering):
    inbound = nsg_rules(rendering, "snet-dns-inbound", "Inbound")
    allows = [r for r in inbound if r["access"] == "Allow"]
    assert {p for r in allows for p in ports(r)} == {"53"}
    assert {r["protocol"] for r in allows} == {"Udp", "Tcp"}
    assert set().union(*(sources(r) for r in allows)) == {
        "VirtualNetwork", *rendering.config.network.on_premises_address_spaces}
    assert (inbound[-1]["priority"], inbound[-1]["access"], inbound[-1]["sourceAddressPrefix"]) == (4096, "Deny", "*")


def test_resolver_outbound_subnet_denies_all_inbound(rendering):
    inbound = nsg_rules(rendering, "snet-dns-outbound", "Inbound")
    assert [(r["priority"], r["access"], r["sourceAddressPrefix"]) for r in inbound] == [(4096, "Deny", "*")]


# ---------------------------------------------------------------------------- firewall


def test_firewall_policy_is_premium_with_threat_intel_and_idps_denying_and_dns_proxy(rendering):
    policy = only(rendering, "azure-native:network:FirewallPolicy").inputs
    assert policy["sku"] == {"tier": "Premium"}
    assert policy["threatIntelMode"] == "Deny"
    assert policy["intrusionDetection"]["mode"] == "Deny"
    assert policy["dnsSettings"]["enableProxy"] is True
    assert policy["dnsSettings"]["servers"] == [fifth_address(rendering.config.network.hub.subnets.dns_inbound)]


def test_no_firewall_rule_uses_a_wildcard_source_or_destination(rendering):
    rules = list(firewall_rules(rendering))
    assert rules
    for collection, rule in rules:
        assert collection["action"]["type"] == "Allow"
        for key in ("sourceAddresses", "destinationAddresses", "destinationFqdns", "targetFqdns", "destinationPorts"):
            assert "*" not in (rule.get(key) or []), (rule["name"], key)
        assert rule.get("sourceAddresses"), rule["name"]


def test_firewall_rules_come_only_from_spokes_and_on_premises(rendering):
    network = rendering.config.network
    known = ({s.address_space for s in network.spokes} | set(network.on_premises_address_spaces)
             | {s.address_prefix for spoke in network.spokes for s in spoke.subnets if s.api_management})
    for _, rule in firewall_rules(rendering):
        assert set(rule["sourceAddresses"]) <= known, rule["name"]


def test_the_ai_gateway_reaches_only_its_dependencies_by_service_tag(rendering):
    (apim,) = [s.address_prefix for spoke in rendering.config.network.spokes for s in spoke.subnets
               if s.api_management]
    rules = {rule["name"]: rule for _, rule in firewall_rules(rendering) if rule["name"].startswith("apim-")}
    assert {name: (r["sourceAddresses"], sorted(r["destinationAddresses"]), r["destinationPorts"])
            for name, r in rules.items()} == {
        "apim-https-dependencies": ([apim], ["AzureActiveDirectory", "AzureKeyVault", "AzureMonitor", "Storage"],
                                    ["443"]),
        "apim-sql": ([apim], ["Sql"], ["1433"]),
        "apim-monitor-metrics": ([apim], ["AzureMonitor"], ["1886"]),
    }


def test_network_rules_carry_hybrid_clinical_and_directory_traffic(prod_rendering):
    network = prod_rendering.config.network
    rules = {rule["name"]: rule for _, rule in firewall_rules(prod_rendering) if rule["ruleType"] == "NetworkRule"}
    dcs = sorted({s for f in network.dns_forwarding for s in f.servers})
    assert sorted(rules["ad-tcp"]["destinationAddresses"]) == dcs
    assert {"88", "389", "636", "3268-3269"} <= set(rules["ad-tcp"]["destinationPorts"])
    assert rules["hl7-mllp-from-spokes"]["destinationPorts"] == ["2575"]
    assert rules["dicom-from-on-premises"]["destinationPorts"] == ["104", "11112"]
    assert rules["dicom-from-on-premises"]["sourceAddresses"] == list(network.on_premises_address_spaces)
    assert rules["dicom-from-on-premises"]["destinationAddresses"] == [s.address_space for s in network.spokes]
    assert all(rule["ipProtocols"] != ["Any"] for rule in rules.values())


def test_application_rules_allow_only_platform_fqdn_tags(rendering):
    app_rules = [rule for _, rule in firewall_rules(rendering) if rule["ruleType"] == "ApplicationRule"]
    assert len(app_rules) == 1
    rule = app_rules[0]
    assert set(rule["fqdnTags"]) == {"WindowsUpdate", "WindowsDiagnostics", "MicrosoftActiveProtectionService",
                                     "AzureBackup"}
    assert "targetFqdns" not in rule and "webCategories" not in rule


def test_rule_collection_groups_are_written_one_after_the_other(rendering):
    network_group = rendering.named("hub-fw-rcg-network")
    application_group = rendering.named("hub-fw-rcg-application")
    assert network_group.urn in application_group.depends_on


def test_firewall_is_zone_redundant_premium_with_data_and_management_ip_configurations(rendering):
    firewall = only(rendering, "azure-native:network:AzureFirewall").inputs
    assert firewall["sku"] == {"name": "AZFW_VNet", "tier": "Premium"}
    assert firewall["zones"] == ["1", "2", "3"]
    assert firewall["firewallPolicy"]["id"] == only(rendering, "azure-native:network:FirewallPolicy").id
    (data,) = firewall["ipConfigurations"]
    assert data["subnet"]["id"] == hub_subnet(rendering, "AzureFirewallSubnet").id
    management = firewall["managementIpConfiguration"]
    assert management["subnet"]["id"] == hub_subnet(rendering, "AzureFirewallManagementSubnet").id
    assert management["publicIPAddress"]["id"] != data["publicIPAddress"]["id"]


def test_public_ips_are_standard_static_and_zone_redundant(rendering):
    ips = children(rendering, "azure-native:network:PublicIPAddress")
    assert len(ips) == 4  # firewall data, firewall management, Bastion, gateway
    for ip in ips:
        assert ip.inputs["sku"]["name"] == "Standard"
        assert ip.inputs["publicIPAllocationMethod"] == "Static"
        assert ip.inputs["zones"] == ["1", "2", "3"]


def test_firewall_waits_for_every_hub_subnet(rendering):
    firewall = only(rendering, "azure-native:network:AzureFirewall")
    last = hub_subnet(rendering, "snet-dns-outbound")
    assert last.urn in firewall.depends_on


# ---------------------------------------------------------------------------- Bastion and gateway


def test_bastion_is_standard_in_its_subnet_with_file_transfer_paths_off(rendering):
    bastion = only(rendering, "azure-native:network:BastionHost").inputs
    assert bastion["sku"] == {"name": "Standard"}
    assert bastion["disableCopyPaste"] is False
    assert bastion["enableTunneling"] is False
    assert bastion["enableFileCopy"] is False
    assert bastion["enableShareableLink"] is False
    assert bastion["ipConfigurations"][0]["subnet"]["id"] == hub_subnet(rendering, "AzureBastionSubnet").id


def test_prod_gateway_is_expressroute_ergw2az(prod_rendering):
    gateway = only(prod_rendering, "azure-native:network:VirtualNetworkGateway").inputs
    assert gateway["gatewayType"] == "ExpressRoute"
    assert gateway["sku"] == {"name": "ErGw2AZ", "tier": "ErGw2AZ"}
    assert "vpnType" not in gateway
    assert gateway["activeActive"] is False


def test_dev_gateway_is_route_based_vpn(dev_rendering):
    gateway = only(dev_rendering, "azure-native:network:VirtualNetworkGateway").inputs
    assert gateway["gatewayType"] == "Vpn"
    assert gateway["vpnType"] == "RouteBased"
    assert gateway["sku"]["name"] == "VpnGw1AZ"
    assert gateway["activeActive"] is False


def test_gateway_sits_in_gateway_subnet(rendering):
    gateway = only(rendering, "azure-native:network:VirtualNetworkGateway").inputs
    assert gateway["ipConfigurations"][0]["subnet"]["id"] == hub_subnet(rendering, "GatewaySubnet").id


def test_gateway_subnet_sends_spoke_traffic_through_the_firewall(rendering):
    network = rendering.config.network
    table = by_id(rendering, hub_subnet(rendering, "GatewaySubnet").inputs["routeTable"]["id"]).inputs
    assert table["disableBgpRoutePropagation"] is False
    assert {(r["addressPrefix"], r["nextHopType"], r["nextHopIpAddress"]) for r in table["routes"]} == {
        (s.address_space, "VirtualAppliance", fifth_address(network.hub.subnets.firewall)) for s in network.spokes}


def test_no_gateway_resources_when_gateway_type_is_none(stack_config):
    gatewayless, hub = build_hub(stack_config(without_gateway))
    assert children(gatewayless, "azure-native:network:VirtualNetworkGateway") == []
    assert len(children(gatewayless, "azure-native:network:PublicIPAddress")) == 3
    assert children(gatewayless, "azure-native:network:RouteTable") == []
    # The subnet stays, so a gateway can be added later without re-addressing the hub.
    gateway_subnet = hub_subnet(gatewayless, "GatewaySubnet").inputs
    assert gateway_subnet["addressPrefix"] == gatewayless.config.network.hub.subnets.gateway
    assert "routeTable" not in gateway_subnet
    # What the program hands the spokes: no gateway to wait for or use (test_spoke checks they don't).
    assert hub.gateway is None


# ---------------------------------------------------------------------------- DNS Private Resolver


def test_resolver_lives_in_the_hub_vnet(rendering):
    resolver = only(rendering, "azure-native:dnsresolver:DnsResolver").inputs
    assert resolver["virtualNetwork"]["id"] == only(rendering, "azure-native:network:VirtualNetwork").id


def test_resolver_inbound_endpoint_has_the_static_fifth_address_of_its_subnet(rendering):
    inbound = only(rendering, "azure-native:dnsresolver:InboundEndpoint").inputs
    (ip_config,) = inbound["ipConfigurations"]
    assert ip_config["privateIpAllocationMethod"] == "Static"
    assert ip_config["privateIpAddress"] == fifth_address(rendering.config.network.hub.subnets.dns_inbound)
    assert ip_config["subnet"]["id"] == hub_subnet(rendering, "snet-dns-inbound").id


def test_resolver_outbound_endpoint_uses_the_outbound_subnet(rendering):
    outbound = only(rendering, "azure-native:dnsresolver:OutboundEndpoint").inputs
    assert outbound["subnet"]["id"] == hub_subnet(rendering, "snet-dns-outbound").id


def test_forwarding_rules_match_the_configured_domains_and_servers(rendering):
    expected = {f.domain: [{"ipAddress": s, "port": 53} for s in f.servers]
                for f in rendering.config.network.dns_forwarding}
    rules = children(rendering, "azure-native:dnsresolver:ForwardingRule")
    assert {r.inputs["domainName"]: r.inputs["targetDnsServers"] for r in rules} == expected
    assert all(r.inputs["forwardingRuleState"] == "Enabled" for r in rules)


def test_forwarding_ruleset_uses_the_outbound_endpoint_and_links_the_hub(rendering):
    ruleset = only(rendering, "azure-native:dnsresolver:DnsForwardingRuleset").inputs
    outbound = only(rendering, "azure-native:dnsresolver:OutboundEndpoint")
    assert ruleset["dnsResolverOutboundEndpoints"] == [{"id": outbound.id}]
    link = only(rendering, "azure-native:dnsresolver:PrivateResolverVirtualNetworkLink").inputs
    assert link["virtualNetwork"]["id"] == only(rendering, "azure-native:network:VirtualNetwork").id
    assert link["dnsForwardingRulesetName"] == ruleset["dnsForwardingRulesetName"]


def test_no_forwarding_ruleset_without_dns_forwarding(stack_config):
    def drop_forwarding(config):
        config["carelift:network"].pop("dnsForwarding")

    rendering, _ = build_hub(stack_config(drop_forwarding, stack="dev"))
    assert children(rendering, "azure-native:dnsresolver:DnsForwardingRuleset") == []
    assert children(rendering, "azure-native:dnsresolver:ForwardingRule") == []
    assert len(children(rendering, "azure-native:dnsresolver:InboundEndpoint")) == 1


# ---------------------------------------------------------------------------- diagnostics


def diagnostics_for(rendering: Rendering, target):
    return [d for d in children(rendering, "azure-native:monitor:DiagnosticSetting")
            if d.inputs["resourceUri"] == target.id]


def test_firewall_sends_all_logs_and_metrics_to_the_workspace(rendering):
    firewall = only(rendering, "azure-native:network:AzureFirewall")
    (setting,) = diagnostics_for(rendering, firewall)
    assert setting.inputs["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]
    assert setting.inputs["metrics"] == [{"category": "AllMetrics", "enabled": True}]
    assert setting.inputs["logAnalyticsDestinationType"] == "Dedicated"
    workspace = rendering.of_type("azure-native:operationalinsights:Workspace")[0]
    assert setting.inputs["workspaceId"] == workspace.id


def test_bastion_gateway_and_public_ips_have_diagnostic_settings(rendering):
    targets = [only(rendering, "azure-native:network:BastionHost"),
               only(rendering, "azure-native:network:VirtualNetworkGateway"),
               *children(rendering, "azure-native:network:PublicIPAddress")]
    for target in targets:
        (setting,) = diagnostics_for(rendering, target)
        assert setting.inputs["logs"] == [{"categoryGroup": "allLogs", "enabled": True}], target.name


def test_hub_nsgs_send_logs_without_metrics(rendering):
    nsgs = children(rendering, "azure-native:network:NetworkSecurityGroup")
    assert len(nsgs) == 3
    for nsg in nsgs:
        (setting,) = diagnostics_for(rendering, nsg)
        assert setting.inputs["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]
        assert "metrics" not in setting.inputs


def _ip_configuration(address: str) -> network.outputs.AzureFirewallIPConfigurationResponse:
    return network.outputs.AzureFirewallIPConfigurationResponse(
        etag="W/1", private_ip_address=address, provisioning_state="Succeeded", type="Microsoft.Network/ipConfig")


def test_the_firewall_next_hop_is_the_first_ip_configuration_s_private_address():
    assert _first_private_ip([_ip_configuration("10.40.0.4"), _ip_configuration("10.40.0.5")]) == "10.40.0.4"


@pytest.mark.parametrize("configurations", [None, []])
def test_a_firewall_reporting_no_ip_configuration_is_a_clear_error(configurations):
    with pytest.raises(ValueError, match="no IP configuration"):
        _first_private_ip(configurations)
