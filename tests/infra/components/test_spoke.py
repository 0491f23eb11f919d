"""SpokeNetwork: deny-by-default NSGs, forced tunnelling to the hub firewall, hub DNS, peerings."""

from __future__ import annotations

import ipaddress

from infra.components import hub as hub_component
from infra.components.spoke import SpokeNetwork, SpokeNetworkArgs
from infra.config import StackConfig
from infra.config.names import CONNECTIVITY, HUB, resource_group_name, vnet_name
from infra.render import Rendering
from tests.infra.components.conftest import HUB_VNET_ID, WORKSPACE_ID, build_under_mocks

PEERING = "azure-native:network:VirtualNetworkPeering"


def children(rendering: Rendering, token: str, spoke: str):
    parent = rendering.named(f"spoke-{spoke}").urn
    return [r for r in rendering.of_type(token) if r.parent == parent]


def only(rendering: Rendering, token: str, spoke: str):
    found = children(rendering, token, spoke)
    assert len(found) == 1, [r.name for r in found]
    return found[0]


def by_id(rendering: Rendering, resource_id: str):
    return next(r for r in rendering.resources if r.id == resource_id)


def spoke_subnets(rendering: Rendering):
    """(spoke config, subnet config, rendered subnet) for every subnet of every spoke."""
    for spoke in rendering.config.network.spokes:
        rendered = {s.inputs["subnetName"]: s for s in children(rendering, "azure-native:network:Subnet", spoke.name)}
        assert sorted(rendered) == sorted(s.name for s in spoke.subnets)
        for subnet in spoke.subnets:
            yield spoke, subnet, rendered[subnet.name]


def inbound_rules(rendering: Rendering, subnet):
    nsg = by_id(rendering, subnet.inputs["networkSecurityGroup"]["id"])
    return sorted((r for r in nsg.inputs["securityRules"] if r["direction"] == "Inbound"),
                  key=lambda r: r["priority"])


def ports(rule) -> set[str]:
    return set(rule.get("destinationPortRanges") or [rule["destinationPortRange"]])


def firewall_ip(rendering: Rendering) -> str:
    return str(ipaddress.ip_network(rendering.config.network.hub.subnets.firewall)[4])


def resolver_ip(rendering: Rendering) -> str:
    return str(ipaddress.ip_network(rendering.config.network.hub.subnets.dns_inbound)[4])


def peerings(rendering: Rendering, spoke: str):
    found = {p.inputs["virtualNetworkPeeringName"]: p for p in children(rendering, PEERING, spoke)}
    assert sorted(found) == sorted([f"peer-hub-to-{spoke}", f"peer-{spoke}-to-hub"])
    return found[f"peer-hub-to-{spoke}"], found[f"peer-{spoke}-to-hub"]


def build_spokes(config: StackConfig) -> Rendering:
    """Every spoke of the stack under the mock engine, wired as the program wires them to a hub without a
    gateway (its names and addresses derived from the config, as the hub derives them)."""
    network = config.network

    def build() -> None:
        previous_peering = None
        for spoke in network.spokes:
            built = SpokeNetwork(f"spoke-{spoke.name}", SpokeNetworkArgs(
                name_prefix=config.name_prefix, location=config.location, spoke=spoke, hub_vnet_id=HUB_VNET_ID,
                hub_vnet_name=vnet_name(config.name_prefix, HUB),
                hub_resource_group_name=resource_group_name(config.name_prefix, CONNECTIVITY),
                firewall_private_ip=hub_component.firewall_ip(network.hub.subnets.firewall),
                dns_server_ip=hub_component.resolver_inbound_ip(network.hub.subnets.dns_inbound), workspace_id=WORKSPACE_ID,
                hub_gateway=None, bastion_subnet_prefix=network.hub.subnets.bastion,
                hub_peering_after=previous_peering,
                allowances=network.allowances(spoke.name)))
            previous_peering = built.hub_peering

    return build_under_mocks(build, config)[0]


def hub_vnet(rendering: Rendering):
    return rendering.named("hub-vnet")


# ---------------------------------------------------------------------------- VNet and DNS


def test_spoke_vnet_and_group_are_named_from_the_spoke(rendering):
    prefix = rendering.config.name_prefix
    for spoke in rendering.config.network.spokes:
        vnet = only(rendering, "azure-native:network:VirtualNetwork", spoke.name).inputs
        assert vnet["virtualNetworkName"] == f"vnet-{prefix}-{spoke.name}"
        assert vnet["resourceGroupName"] == f"rg-{prefix}-{spoke.name}"
        assert vnet["addressSpace"]["addressPrefixes"] == [spoke.address_space]


def test_spoke_vnets_resolve_through_the_hub_resolver_only(rendering):
    for spoke in rendering.config.network.spokes:
        vnet = only(rendering, "azure-native:network:VirtualNetwork", spoke.name).inputs
        assert vnet["dhcpOptions"]["dnsServers"] == [resolver_ip(rendering)]


# ---------------------------------------------------------------------------- NSGs


def test_every_spoke_subnet_has_its_own_named_nsg(rendering):
    prefix = rendering.config.name_prefix
    seen = set()
    for spoke, subnet, rendered in spoke_subnets(rendering):
        nsg = by_id(rendering, rendered.inputs["networkSecurityGroup"]["id"])
        assert nsg.inputs["networkSecurityGroupName"] == f"nsg-{prefix}-{spoke.name}-{subnet.name}"
        seen.add(nsg.urn)
    assert len(seen) == sum(len(s.subnets) for s in rendering.config.network.spokes)


def test_every_spoke_nsg_ends_inbound_with_explicit_deny_all_at_4096(rendering):
    for _, subnet, rendered in spoke_subnets(rendering):
        rules = inbound_rules(rendering, rendered)
        last = rules[-1]
        assert (last["priority"], last["access"], last["protocol"]) == (4096, "Deny", "*"), subnet.name
        assert (last["sourceAddressPrefix"], last["destinationAddressPrefix"]) == ("*", "*")
        assert last["destinationPortRange"] == "*"
        assert all(r["priority"] < 4096 for r in rules[:-1])


def test_no_spoke_nsg_allows_all_ports_from_virtual_network_or_anywhere(rendering):
    for _, subnet, rendered in spoke_subnets(rendering):
        for rule in inbound_rules(rendering, rendered):
            if rule["access"] != "Allow":
                continue
            assert rule.get("sourceAddressPrefix") not in ("*", "Internet", "Any"), (subnet.name, rule["name"])
            if rule.get("sourceAddressPrefix") == "VirtualNetwork":
                assert ports(rule) == {"443"}, (subnet.name, rule["name"])


def test_private_endpoint_subnets_accept_only_https_and_only_from_the_ai_gateway_where_one_exists(rendering):
    for spoke, subnet, rendered in spoke_subnets(rendering):
        if not subnet.private_endpoints:
            continue
        gateway = [s.address_prefix for s in spoke.subnets if s.api_management]
        allows = [r for r in inbound_rules(rendering, rendered) if r["access"] == "Allow"]
        assert [(r["sourceAddressPrefix"], r["protocol"], ports(r)) for r in allows] == [
            (gateway[0] if gateway else "VirtualNetwork", "Tcp", {"443"})]


def test_workload_subnets_accept_rdp_and_ssh_only_from_the_bastion_subnet(rendering):
    bastion = rendering.config.network.hub.subnets.bastion
    for _, subnet, rendered in spoke_subnets(rendering):
        if subnet.private_endpoints or subnet.api_management:
            continue
        for rule in inbound_rules(rendering, rendered):
            if rule["access"] == "Allow" and ports(rule) & {"22", "3389"}:
                assert rule["sourceAddressPrefix"] == bastion
                assert ports(rule) == {"22", "3389"}


def test_spoke_nsgs_send_logs_without_metrics(rendering):
    for spoke in rendering.config.network.spokes:
        settings = {d.inputs["resourceUri"]: d
                    for d in children(rendering, "azure-native:monitor:DiagnosticSetting", spoke.name)}
        for nsg in children(rendering, "azure-native:network:NetworkSecurityGroup", spoke.name):
            setting = settings[nsg.id].inputs
            assert setting["logs"] == [{"categoryGroup": "allLogs", "enabled": True}]
            assert "metrics" not in setting


# ---------------------------------------------------------------------------- subnets and routing


def test_every_spoke_subnet_uses_the_spoke_route_table(rendering):
    for spoke, _, rendered in spoke_subnets(rendering):
        table = only(rendering, "azure-native:network:RouteTable", spoke.name)
        assert rendered.inputs["routeTable"]["id"] == table.id


def test_spoke_route_sends_everything_to_the_firewall_private_ip(rendering):
    for spoke in rendering.config.network.spokes:
        table = only(rendering, "azure-native:network:RouteTable", spoke.name).inputs
        assert table["routeTableName"] == f"rt-{rendering.config.name_prefix}-{spoke.name}"
        assert table["disableBgpRoutePropagation"] is True
        expected = [("0.0.0.0/0", "VirtualAppliance", firewall_ip(rendering))]
        if any(s.api_management for s in spoke.subnets):
            # The AI gateway's control plane replies go straight to its service tag.
            expected.append(("ApiManagement", "Internet", None))
        assert [(r["addressPrefix"], r["nextHopType"], r.get("nextHopIpAddress")) for r in table["routes"]] == expected


def test_api_management_subnet_admits_only_its_required_flows_then_denies(rendering):
    found = 0
    for spoke, subnet, rendered in spoke_subnets(rendering):
        if not subnet.api_management:
            continue
        found += 1
        nsg = by_id(rendering, rendered.inputs["networkSecurityGroup"]["id"])
        rules = [(r["name"], r["sourceAddressPrefix"], r.get("destinationPortRange"), r["access"])
                 for r in sorted(nsg.inputs["securityRules"], key=lambda r: r["priority"])]
        assert rules == [("allow-apim-management", "ApiManagement", "3443", "Allow"),
                         ("allow-apim-load-balancer", "AzureLoadBalancer", "6390", "Allow"),
                         ("allow-https-to-gateway", "VirtualNetwork", "443", "Allow"),
                         ("deny-all-inbound", "*", "*", "Deny")]
    assert found == 1


def test_spoke_subnets_have_no_default_outbound_access(rendering):
    for _, subnet, rendered in spoke_subnets(rendering):
        assert rendered.inputs["defaultOutboundAccess"] is False, subnet.name
        assert rendered.inputs["addressPrefix"] == subnet.address_prefix


def test_private_endpoint_subnets_apply_nsg_and_routes_to_endpoints(rendering):
    for _, subnet, rendered in spoke_subnets(rendering):
        if subnet.private_endpoints:
            assert rendered.inputs["privateEndpointNetworkPolicies"] == "Enabled"


def test_spoke_subnets_are_created_one_after_another(rendering):
    for spoke in rendering.config.network.spokes:
        subnets = {s.inputs["subnetName"]: s for s in children(rendering, "azure-native:network:Subnet", spoke.name)}
        ordered = [subnets[s.name] for s in spoke.subnets]
        for before, after in zip(ordered, ordered[1:]):
            assert before.urn in after.depends_on


# ---------------------------------------------------------------------------- peerings


def test_hub_to_spoke_peering_lives_on_the_hub_and_offers_gateway_transit(rendering):
    for spoke in rendering.config.network.spokes:
        hub_side, _ = peerings(rendering, spoke.name)
        inputs = hub_side.inputs
        assert inputs["resourceGroupName"] == f"rg-{rendering.config.name_prefix}-connectivity"
        assert inputs["virtualNetworkName"] == hub_vnet(rendering).inputs["virtualNetworkName"]
        spoke_vnet = only(rendering, "azure-native:network:VirtualNetwork", spoke.name)
        assert inputs["remoteVirtualNetwork"]["id"] == spoke_vnet.id
        assert inputs["allowVirtualNetworkAccess"] is True
        assert inputs["allowGatewayTransit"] is True  # both stacks have a gateway
        assert inputs["useRemoteGateways"] is False


def test_spoke_to_hub_peering_accepts_forwarded_traffic_and_uses_the_gateway(rendering):
    for spoke in rendering.config.network.spokes:
        _, spoke_side = peerings(rendering, spoke.name)
        inputs = spoke_side.inputs
        assert inputs["virtualNetworkName"] == f"vnet-{rendering.config.name_prefix}-{spoke.name}"
        assert inputs["remoteVirtualNetwork"]["id"] == hub_vnet(rendering).id
        assert inputs["allowVirtualNetworkAccess"] is True
        assert inputs["allowForwardedTraffic"] is True
        assert inputs["useRemoteGateways"] is True
        assert inputs["allowGatewayTransit"] is False


def test_spoke_to_hub_peering_waits_for_the_hub_side(rendering):
    for spoke in rendering.config.network.spokes:
        hub_side, spoke_side = peerings(rendering, spoke.name)
        assert hub_side.urn in spoke_side.depends_on


def test_peerings_that_use_or_offer_the_hub_gateway_wait_for_it(rendering):
    # Azure refuses useRemoteGateways while the hub has no gateway, and a gateway takes
    # 30-45 minutes to create: without the dependency the first `pulumi up` fails.
    (gateway,) = rendering.of_type("azure-native:network:VirtualNetworkGateway")
    remote_gateway_peerings = [p for p in rendering.of_type("azure-native:network:VirtualNetworkPeering")
                               if p.inputs["useRemoteGateways"]]
    assert len(remote_gateway_peerings) == len(rendering.config.network.spokes)
    for peering in remote_gateway_peerings:
        assert gateway.urn in peering.depends_on, peering.name
    for spoke in rendering.config.network.spokes:
        hub_side, _ = peerings(rendering, spoke.name)
        assert gateway.urn in hub_side.depends_on


def test_peerings_wait_for_the_spoke_subnets(rendering):
    for spoke in rendering.config.network.spokes:
        hub_side, _ = peerings(rendering, spoke.name)
        last = {s.inputs["subnetName"]: s for s in children(rendering, "azure-native:network:Subnet", spoke.name)}[
            spoke.subnets[-1].name]
        assert last.urn in hub_side.depends_on


def test_no_remote_gateways_or_transit_when_gateway_type_is_none(stack_config):
    def without_gateway(config):
        config["carelift:network"]["gateway"] = {"type": "None"}

    # The hub then offers no gateway (test_hub: hub.gateway is None), which is what the spokes get.
    rendering = build_spokes(stack_config(without_gateway))
    for spoke in rendering.config.network.spokes:
        hub_side, spoke_side = peerings(rendering, spoke.name)
        assert spoke_side.inputs["useRemoteGateways"] is False
        assert hub_side.inputs["allowGatewayTransit"] is False
        assert spoke_side.inputs["allowForwardedTraffic"] is True


def test_hub_side_peerings_are_written_one_after_another(rendering):
    # Concurrent peering writes on one hub VNet fail with "another operation in progress".
    hub_side = sorted((r for r in rendering.of_type("azure-native:network:VirtualNetworkPeering")
                       if r.name.endswith("-peer-hub-to-spoke")),
                      key=lambda r: [s.name for s in rendering.config.network.spokes].index(
                          r.name[len("spoke-"):-len("-peer-hub-to-spoke")]))
    assert len(hub_side) == len(rendering.config.network.spokes)
    for earlier, later in zip(hub_side, hub_side[1:]):
        assert earlier.urn in later.depends_on
