"""Network controls: subnets, NSG rules, NICs, forced tunnelling and flow logs."""

from __future__ import annotations

from infra.compliance.controls import network
from infra.compliance.model import Status, Unknown
from tests.infra.compliance.arm import controls_of, messages, rendered_statuses, resource, rid, statuses

VNET = "Microsoft.Network/virtualNetworks"
SUBNET = "Microsoft.Network/virtualNetworks/subnets"
NSG = "Microsoft.Network/networkSecurityGroups"
RULE = "Microsoft.Network/networkSecurityGroups/securityRules"
NIC = "Microsoft.Network/networkInterfaces"
ROUTE_TABLE = "Microsoft.Network/routeTables"
FIREWALL = "Microsoft.Network/azureFirewalls"
FLOW_LOG = "Microsoft.Network/networkWatchers/flowLogs"
RESOLVER = {"name": "dns", "properties": {"serviceName": "Microsoft.Network/dnsResolvers"}}
MANAGED = ("GatewaySubnet", "AzureFirewallSubnet", "AzureFirewallManagementSubnet", "RouteServerSubnet")


def subnet(name: str, vnet: str = "vnet-spoke", **properties) -> dict:
    return resource(SUBNET, f"{vnet}/{name}", properties)


def rule(name: str, **properties) -> dict:
    base = {"direction": "Inbound", "access": "Allow", "protocol": "Tcp", "sourcePortRange": "*",
            "destinationAddressPrefix": "*", "priority": 100}
    return {"name": name, "properties": {**base, **properties}}


def nsg(name: str, *rules: dict) -> dict:
    return resource(NSG, name, {"securityRules": list(rules)})


DENY_ALL = rule("deny-all-inbound", access="Deny", protocol="*", sourceAddressPrefix="*", destinationPortRange="*",
                priority=4096)


class TestSubnetHasNsg:
    def test_pass_with_nsg_and_for_managed_subnets_without_one(self):
        documents = [subnet("snet-app", networkSecurityGroup={"id": rid(NSG, "nsg-app")})]
        documents += [subnet(name, vnet="vnet-hub") for name in MANAGED]
        assert statuses(network.subnet_has_nsg, documents) == {
            "snet-app": Status.PASS, **{name: Status.PASS for name in MANAGED}}

    def test_fail_without_nsg_including_bastion_and_resolver_subnets(self):
        documents = [subnet("snet-app"), subnet("AzureBastionSubnet", vnet="vnet-hub"),
                     subnet("snet-dns-inbound", vnet="vnet-hub", delegations=[RESOLVER])]
        assert statuses(network.subnet_has_nsg, documents) == {
            "snet-app": Status.FAIL, "AzureBastionSubnet": Status.FAIL, "snet-dns-inbound": Status.FAIL}

    def test_inline_subnets_of_a_vnet_are_judged(self):
        vnet = resource(VNET, "vnet-inline", {"subnets": [{"name": "snet-bare", "properties": {}}]})
        assert statuses(network.subnet_has_nsg, [vnet]) == {"snet-bare": Status.FAIL}

    def test_message_names_subnet_and_vnet(self):
        assert messages(network.subnet_has_nsg, [subnet("snet-app")]) == [
            "Subnet 'snet-app' in virtual network 'vnet-spoke' has no network security group, so nothing filters "
            "traffic into it."]

    def test_empty(self):
        assert statuses(network.subnet_has_nsg, []) == {}


class TestNoInternetAdminPorts:
    def test_pass_for_safe_rules(self):
        group = nsg("nsg-a",
                    rule("bastion-admin", sourceAddressPrefix="10.40.0.128/26", destinationPortRanges=["22", "3389"]),
                    rule("https", sourceAddressPrefix="Internet", destinationPortRange="443"),
                    rule("deny-ssh", access="Deny", sourceAddressPrefix="*", destinationPortRange="22"),
                    rule("out-ssh", direction="Outbound", sourceAddressPrefix="*", destinationPortRange="22"),
                    rule("ping", protocol="Icmp", sourceAddressPrefix="*", destinationPortRange="*"),
                    rule("asg", sourceApplicationSecurityGroups=[{"id": "/asg"}], destinationPortRange="22"))
        assert set(statuses(network.no_internet_admin_ports, [group]).values()) == {Status.PASS}

    def test_fail_for_each_way_of_opening_ssh_or_rdp(self):
        group = nsg("nsg-b",
                    rule("any-ssh", sourceAddressPrefix="*", destinationPortRange="22"),
                    rule("internet-rdp", sourceAddressPrefix="Internet", destinationPortRange="3389"),
                    rule("range", sourceAddressPrefix="0.0.0.0/0", destinationPortRange="3380-3390"),
                    rule("lists", sourceAddressPrefixes=["10.0.0.0/8", "Internet"], destinationPortRanges=["80", "20-25"]),
                    rule("all-ports", sourceAddressPrefix="Any", destinationPortRange="*"),
                    # RDP also runs over UDP 3389.
                    rule("udp-rdp", protocol="Udp", sourceAddressPrefix="*", destinationPortRange="3389"),
                    rule("no-ports", sourceAddressPrefix="*"),
                    rule("no-source", destinationPortRange="22"))
        assert set(statuses(network.no_internet_admin_ports, [group]).values()) == {Status.FAIL}
        assert len(statuses(network.no_internet_admin_ports, [group])) == 8

    def test_unparseable_port_fails(self):
        group = nsg("nsg-c", rule("odd", sourceAddressPrefix="*", destinationPortRange="ssh"))
        assert statuses(network.no_internet_admin_ports, [group]) == {"odd": Status.FAIL}
        assert messages(network.no_internet_admin_ports, [group]) == [
            "Security rule 'odd' in network security group 'nsg-c' allows inbound traffic from * to port ssh, "
            "which are not all port numbers or ranges."]

    def test_separate_rule_documents_are_judged(self):
        group = nsg("nsg-d")
        child = {**rule("child-ssh", sourceAddressPrefix="*", destinationPortRange="22"), "type": RULE,
                 "id": f"{group['id']}/securityRules/child-ssh"}
        assert statuses(network.no_internet_admin_ports, [group, child]) == {"child-ssh": Status.FAIL}

    def test_message(self):
        group = nsg("nsg-e", rule("range", sourceAddressPrefix="Internet", destinationPortRange="20-3390"))
        assert messages(network.no_internet_admin_ports, [group]) == [
            "Security rule 'range' in network security group 'nsg-e' allows SSH (22) and RDP (3389) inbound from "
            "Internet (ports 20-3390), exposing remote administration to the internet."]

    def test_empty(self):
        assert statuses(network.no_internet_admin_ports, [nsg("nsg-empty")]) == {}


class TestNoInternetInbound:
    def test_pass_for_narrow_sources_outbound_deny_and_icmp(self):
        group = nsg("nsg-app",
                    rule("from-hub", sourceAddressPrefix="10.40.0.0/16", destinationPortRange="443"),
                    rule("out", direction="outbound", sourceAddressPrefix="*", destinationPortRange="*"),
                    rule("deny", access="deny", sourceAddressPrefix="Internet", destinationPortRange="*"),
                    rule("ping", protocol="Icmp", sourceAddressPrefix="*", destinationPortRange="*"))
        assert set(statuses(network.no_internet_inbound, [group]).values()) == {Status.PASS}

    def test_fail_for_any_port_open_to_the_internet(self):
        group = nsg("nsg-web",
                    rule("web", sourceAddressPrefix="Internet", destinationPortRange="443"),
                    rule("high", sourceAddressPrefixes=["10.0.0.0/8", "0.0.0.0/0"], destinationPortRanges=["8080-8090"]),
                    rule("anything", sourceAddressPrefix="*", destinationPortRange="*"))
        assert statuses(network.no_internet_inbound, [group]) == {
            "web": Status.FAIL, "high": Status.FAIL, "anything": Status.FAIL}
        assert messages(network.no_internet_inbound, [nsg("nsg-web", group["properties"]["securityRules"][0])]) == [
            "Security rule 'web' in network security group 'nsg-web' allows inbound traffic from Internet to port "
            "443, so whatever listens there is reachable from the internet without passing the firewall."]

    def test_bastion_rule_is_accepted_only_on_the_bastion_subnet(self):
        https = rule("allow-https-inbound", sourceAddressPrefix="Internet", destinationPortRange="443")
        bastion_nsg, app_nsg = nsg("nsg-bastion", https), nsg("nsg-app", https)
        documents = [bastion_nsg, app_nsg,
                     subnet("AzureBastionSubnet", vnet="vnet-hub", networkSecurityGroup={"id": bastion_nsg["id"]}),
                     subnet("snet-app", networkSecurityGroup={"id": app_nsg["id"]})]
        assert messages(network.no_internet_inbound, documents) == [
            "Security rule 'allow-https-inbound' in network security group 'nsg-app' allows inbound traffic from "
            "Internet to port 443, so whatever listens there is reachable from the internet without passing the "
            "firewall.",
            "Security rule 'allow-https-inbound' in network security group 'nsg-bastion' allows TCP 443 from Internet "
            "on the AzureBastionSubnet, the inbound rule Azure Bastion requires."]

    def test_a_list_given_as_one_expression_is_manual_not_an_error(self):
        sources = Unknown("[parameters('allowedSources')]", "properties.sourceAddressPrefixes")
        group = nsg("nsg-param", rule("from-param", sourceAddressPrefixes=sources, destinationPortRange="443"))
        assert statuses(network.no_internet_inbound, [group]) == {"from-param": Status.MANUAL}

    def test_empty(self):
        assert statuses(network.no_internet_inbound, []) == {}


class TestExplicitDenyAllInbound:
    def test_pass_with_inline_deny_all(self):
        group = nsg("nsg-good", rule("https", sourceAddressPrefix="VirtualNetwork", destinationPortRange="443"),
                    DENY_ALL)
        assert statuses(network.explicit_deny_all_inbound, [group]) == {"nsg-good": Status.PASS}

    def test_pass_with_deny_all_as_a_separate_document(self):
        group = nsg("nsg-child")
        child = {**DENY_ALL, "type": RULE, "id": f"{group['id']}/securityRules/deny-all-inbound"}
        assert statuses(network.explicit_deny_all_inbound, [group, child]) == {"nsg-child": Status.PASS}

    def test_fail_without_a_full_inbound_deny(self):
        documents = [
            nsg("nsg-none"),
            nsg("nsg-allow-only", rule("https", sourceAddressPrefix="*", destinationPortRange="443")),
            nsg("nsg-outbound", {**DENY_ALL, "properties": {**DENY_ALL["properties"], "direction": "Outbound"}}),
            nsg("nsg-one-port", {**DENY_ALL, "properties": {**DENY_ALL["properties"], "destinationPortRange": "22"}}),
            nsg("nsg-internet", {**DENY_ALL, "properties": {**DENY_ALL["properties"], "sourceAddressPrefix": "Internet"}}),
        ]
        assert set(statuses(network.explicit_deny_all_inbound, documents).values()) == {Status.FAIL}
        assert len(statuses(network.explicit_deny_all_inbound, documents)) == 5

    def test_message(self):
        assert messages(network.explicit_deny_all_inbound, [nsg("nsg-none")]) == [
            "Network security group 'nsg-none' has no explicit deny-all inbound rule, so Azure's default "
            "AllowVnetInBound rule admits all traffic from the virtual network and peered networks."]

    def test_empty(self):
        assert statuses(network.explicit_deny_all_inbound, []) == {}


class TestNoDefaultOutbound:
    def test_pass_when_disabled_or_managed_or_delegated(self):
        documents = [subnet("snet-app", defaultOutboundAccess=False), subnet("GatewaySubnet", vnet="vnet-hub"),
                     subnet("snet-dns", vnet="vnet-hub", delegations=[RESOLVER])]
        assert statuses(network.no_default_outbound, documents) == {
            "snet-app": Status.PASS, "GatewaySubnet": Status.PASS, "snet-dns": Status.PASS}

    def test_fail_when_true_or_unset(self):
        documents = [subnet("snet-open", defaultOutboundAccess=True), subnet("snet-unset")]
        assert statuses(network.no_default_outbound, documents) == {"snet-open": Status.FAIL, "snet-unset": Status.FAIL}

    def test_empty(self):
        assert statuses(network.no_default_outbound, []) == {}


class TestNicWithoutPublicIp:
    def test_pass_and_fail(self):
        private = resource(NIC, "nic-private", {"ipConfigurations": [{"name": "ip1", "properties": {}}]})
        public = resource(NIC, "nic-public", {"ipConfigurations": [
            {"name": "ip1", "properties": {}},
            {"name": "ip2", "properties": {"publicIPAddress": {"id": "/pip"}}}]})
        assert statuses(network.nic_without_public_ip, [private, public]) == {
            "nic-private": Status.PASS, "nic-public": Status.FAIL}

    def test_message(self):
        config = {"name": "ip2", "properties": {"publicIPAddress": {"id": "/p"}}}
        public = resource(NIC, "nic-public", {"ipConfigurations": [config]})
        assert messages(network.nic_without_public_ip, [public]) == [
            "Network interface 'nic-public' has a public IP address on ip configuration ip2, so the machine is "
            "reachable from the internet without passing the firewall."]

    def test_empty(self):
        assert statuses(network.nic_without_public_ip, []) == {}


def firewall(private_ip: str | None = "10.40.0.4") -> dict:
    config = {"name": "ipconfig", "properties": {"subnet": {"id": rid(SUBNET, "vnet-hub/AzureFirewallSubnet")}}}
    if private_ip:
        config["properties"]["privateIPAddress"] = private_ip
    return resource(FIREWALL, "afw-hub", {"ipConfigurations": [config]})


def route_table(name: str, *routes: dict) -> dict:
    return resource(ROUTE_TABLE, name, {"routes": list(routes)})


def route(prefix: str = "0.0.0.0/0", hop: str = "VirtualAppliance", ip: str | None = "10.40.0.4") -> dict:
    properties = {"addressPrefix": prefix, "nextHopType": hop, **({"nextHopIpAddress": ip} if ip else {})}
    return {"name": "default", "properties": properties}


def routed(name: str, table: str) -> dict:
    return subnet(name, routeTable={"id": rid(ROUTE_TABLE, table)})


class TestForcedThroughFirewall:
    def test_pass_with_inline_route_to_the_firewall(self):
        documents = [firewall(), route_table("rt", route()), routed("snet-app", "rt")]
        assert statuses(network.forced_through_firewall, documents) == {"snet-app": Status.PASS}

    def test_pass_with_route_as_child_document(self):
        table = route_table("rt")
        child = {**route(), "type": "Microsoft.Network/routeTables/routes", "id": f"{table['id']}/routes/default"}
        documents = [firewall(), table, child, routed("snet-app", "rt")]
        assert statuses(network.forced_through_firewall, documents) == {"snet-app": Status.PASS}

    def test_pass_when_firewall_address_comes_from_its_subnet_prefix(self):
        # Templates and offline renders lack privateIPAddress; Azure gives the firewall .4 of its subnet.
        fw_subnet = subnet("AzureFirewallSubnet", vnet="vnet-hub", addressPrefix="10.40.0.0/26")
        documents = [firewall(private_ip=None), fw_subnet, route_table("rt", route()), routed("snet-app", "rt")]
        assert statuses(network.forced_through_firewall, documents)["snet-app"] is Status.PASS

    def test_managed_and_resolver_subnets_are_exempt(self):
        documents = [subnet("AzureBastionSubnet", vnet="vnet-hub"),
                     subnet("snet-dns", vnet="vnet-hub", delegations=[RESOLVER])]
        assert statuses(network.forced_through_firewall, documents) == {
            "AzureBastionSubnet": Status.PASS, "snet-dns": Status.PASS}

    def test_fail_each_way(self):
        documents = [
            firewall(),
            subnet("snet-no-table"),
            routed("snet-unknown-table", "rt-missing"),
            route_table("rt-no-default", route(prefix="10.0.0.0/8")), routed("snet-no-default", "rt-no-default"),
            route_table("rt-internet", route(hop="Internet", ip=None)), routed("snet-internet", "rt-internet"),
            route_table("rt-nva", route(ip="10.99.0.4")), routed("snet-nva", "rt-nva"),
            # Another subnet delegated to a PaaS service still needs forced tunnelling.
            subnet("snet-webapp", delegations=[{"name": "w", "properties": {"serviceName": "Microsoft.Web/serverFarms"}}]),
        ]
        result = statuses(network.forced_through_firewall, documents)
        assert result == {name: Status.FAIL for name in (
            "snet-no-table", "snet-unknown-table", "snet-no-default", "snet-internet", "snet-nva", "snet-webapp")}

    def test_fail_without_any_firewall_in_the_documents(self):
        documents = [route_table("rt", route()), routed("snet-app", "rt")]
        assert statuses(network.forced_through_firewall, documents) == {"snet-app": Status.FAIL}

    def test_messages(self):
        documents = [firewall(), route_table("rt-nva", route(ip="10.99.0.4")), routed("snet-nva", "rt-nva"),
                     route_table("rt", route()), routed("snet-app", "rt")]
        assert messages(network.forced_through_firewall, documents) == [
            "Subnet 'snet-app' in virtual network 'vnet-spoke' sends 0.0.0.0/0 through route table 'rt' to Azure "
            "Firewall 'afw-hub' at 10.40.0.4.",
            "Subnet 'snet-nva' in virtual network 'vnet-spoke' sends 0.0.0.0/0 to 10.99.0.4, which is not the "
            "private address of any Azure Firewall among the documents."]

    def test_empty(self):
        assert statuses(network.forced_through_firewall, []) == {}


def flow_log(name: str, target: str | None = None, **properties) -> dict:
    base = {"enabled": True, "retentionPolicy": {"enabled": False, "days": 0},
            "targetResourceId": target or rid(VNET, "vnet-a")}
    return resource(FLOW_LOG, f"NetworkWatcher_eastus2/{name}", {**base, **properties}, rg="NetworkWatcherRG")


class TestFlowLogRetained:
    def test_pass_when_enabled_and_kept_long_enough(self):
        documents = [flow_log("fl-off-retention"), flow_log("fl-forever", retentionPolicy={"enabled": True, "days": 0}),
                     flow_log("fl-90", retentionPolicy={"enabled": True, "days": 90}),
                     flow_log("fl-float", retentionPolicy={"enabled": True, "days": 365.0})]
        assert set(statuses(network.flow_log_retained, documents).values()) == {Status.PASS}

    def test_fail_each_way(self):
        documents = [flow_log("fl-disabled", enabled=False), flow_log("fl-unset", enabled=None),
                     flow_log("fl-no-policy", retentionPolicy=None),
                     flow_log("fl-30", retentionPolicy={"enabled": True, "days": 30}),
                     flow_log("fl-no-days", retentionPolicy={"enabled": True})]
        assert set(statuses(network.flow_log_retained, documents).values()) == {Status.FAIL}
        assert len(statuses(network.flow_log_retained, documents)) == 5

    def test_message(self):
        assert messages(network.flow_log_retained, [flow_log("fl-30", retentionPolicy={"enabled": True, "days": 30})]) == [
            "Flow log 'fl-30' is enabled but deletes records after 30 days, fewer than 90."]

    def test_empty(self):
        assert statuses(network.flow_log_retained, []) == {}


class TestVnetHasFlowLog:
    def test_pass_with_enabled_flow_log_on_the_vnet(self):
        documents = [resource(VNET, "vnet-a"), flow_log("fl-a", rid(VNET, "vnet-a"))]
        assert statuses(network.vnet_has_flow_log, documents) == {"vnet-a": Status.PASS}

    def test_fail_without_or_with_disabled_or_misdirected_flow_log(self):
        documents = [resource(VNET, "vnet-none"), resource(VNET, "vnet-disabled"), resource(VNET, "vnet-subnet-only"),
                     flow_log("fl-disabled", rid(VNET, "vnet-disabled"), enabled=False),
                     flow_log("fl-subnet", rid(SUBNET, "vnet-subnet-only/snet-a"))]
        assert statuses(network.vnet_has_flow_log, documents) == {
            "vnet-none": Status.FAIL, "vnet-disabled": Status.FAIL, "vnet-subnet-only": Status.FAIL}

    def test_message(self):
        assert messages(network.vnet_has_flow_log, [resource(VNET, "vnet-none")]) == [
            "Virtual network 'vnet-none' has no enabled flow log targeting it, so its traffic is not recorded."]

    def test_empty(self):
        assert statuses(network.vnet_has_flow_log, []) == {}


def test_rendered_stacks_pass_every_control(rendering):
    """The landing zone's own resources, translated to ARM, pass each control here, and each judged something."""
    # The landing zone attaches no NIC of its own (firewall, Bastion and gateway manage theirs).
    expected = {c.id: {Status.PASS} for c in controls_of(network) if c is not network.nic_without_public_ip}
    assert rendered_statuses(rendering, controls_of(network)) == expected
