"""Hub network: the connectivity subscription's VNet, firewall, Bastion, gateway and DNS resolver.

Every spoke routes 0.0.0.0/0 to the hub's Azure Firewall Premium, reaches on-premises
through the optional gateway, and resolves names through the hub's DNS Private Resolver:
private endpoint zones from Azure, on-premises domains forwarded to the domain controllers.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Sequence, TypedDict

import pulumi
import pulumi_azure_native.dnsresolver as dnsresolver
import pulumi_azure_native.network as network
import pulumi_azure_native.resources as resources

from infra.components.diagnostics import diagnostic_setting
from infra.config import HybridRule, HybridWave, NetworkConfig, SteadyStateWave
from infra.config.names import (CONNECTIVITY, HUB, HUB_SUBNET_NAMES, firewall_name, firewall_policy_name,
                                resource_group_name, vnet_name)
from infra.landing_overlay import HYBRID_GROUP_PRIORITY, STEADY_GROUP_PRIORITY

ZONES = ["1", "2", "3"]
RESOLVER_DELEGATION = "Microsoft.Network/dnsResolvers"
DENY_ALL_PRIORITY = 4096
DNS_PORT = 53

# Active Directory traffic to the on-premises domain controllers, which stay authoritative
# for identity while servers move (Kerberos, LDAP/LDAPS, global catalog, SYSVOL over SMB,
# kpasswd, RPC endpoint mapper and the dynamic RPC range, time sync).
AD_TCP_PORTS = ("88", "135", "389", "445", "464", "636", "3268-3269", "49152-65535")
AD_UDP_PORTS = ("88", "123", "389", "464")

# Clinical traffic that crosses the hybrid boundary during the migration: HL7 v2 over MLLP
# between the interface engine and the EHR, DICOM between modalities and PACS (104 is the
# registered port, 11112 the common non-privileged one), and HTTPS for FHIR APIs, web
# front ends and the private endpoints in the spokes.
CLINICAL_SERVICES = (
    ("hl7-mllp", ("2575",)),
    ("dicom", ("104", "11112")),
    ("https", ("443",)),
)

# Internet egress from the spokes is limited to Microsoft-maintained FQDN tags: patching,
# Defender for Endpoint, Windows diagnostics and Azure Backup (contingency plan).
EGRESS_FQDN_TAGS = ("WindowsUpdate", "WindowsDiagnostics", "MicrosoftActiveProtectionService", "AzureBackup")


def resolver_inbound_ip(dns_inbound_prefix: str) -> str:
    """The static address of the resolver's inbound endpoint: Azure reserves .0-.3 of a subnet."""
    return str(ipaddress.ip_network(dns_inbound_prefix)[4])


def firewall_ip(firewall_prefix: str) -> str:
    """The address Azure always gives the firewall: the first usable one (.4) of its subnet."""
    return str(ipaddress.ip_network(firewall_prefix)[4])


@dataclass(frozen=True)
class HubNetworkArgs:
    name_prefix: str
    """``<organization>-<environment>``, the middle of every Azure resource name."""
    location: str
    """Azure region of the hub."""
    network: NetworkConfig
    """The validated network section of the stack: hub prefixes, spokes, gateway, DNS forwarding."""
    workspace_id: pulumi.Input[str]
    """Log Analytics workspace receiving the diagnostic settings."""


class HubNetwork(pulumi.ComponentResource):
    """Hub VNet with Azure Firewall Premium, Bastion, an optional gateway and a DNS Private Resolver."""

    def __init__(self, name: str, args: HubNetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("carelift:network:HubNetwork", name, None, opts)
        prefix, cfg = args.name_prefix, args.network
        hub = cfg.hub.subnets
        child = pulumi.ResourceOptions(parent=self)

        rg = resources.ResourceGroup(
            f"{name}-rg", resource_group_name=resource_group_name(prefix, CONNECTIVITY), location=args.location, opts=child)
        vnet = network.VirtualNetwork(
            f"{name}-vnet",
            virtual_network_name=vnet_name(prefix, HUB),
            resource_group_name=rg.name,
            location=args.location,
            address_space=network.AddressSpaceArgs(address_prefixes=[cfg.hub.address_space]),
            opts=child,
        )

        def nsg(suffix: str, rules: list[network.SecurityRuleArgs]) -> network.NetworkSecurityGroup:
            group = network.NetworkSecurityGroup(
                f"{name}-nsg-{suffix}",
                network_security_group_name=f"nsg-{prefix}-hub-{suffix}",
                resource_group_name=rg.name,
                location=args.location,
                security_rules=rules,
                opts=child,
            )
            # NSGs emit logs only (rule counters and events); there are no NSG metrics.
            diagnostic_setting(f"{name}-nsg-{suffix}", target_id=group.id, workspace_id=args.workspace_id,
                               parent=self, metrics=False)
            return group

        bastion_nsg = nsg("bastion", _bastion_rules())
        dns_inbound_nsg = nsg("dns-inbound", _dns_inbound_rules(cfg.on_premises_address_spaces))
        # The outbound endpoint only originates queries; replies return statefully.
        dns_outbound_nsg = nsg("dns-outbound", [_deny_all_inbound()])

        gateway_routes = None
        if cfg.gateway.type != "None":
            gateway_routes = _gateway_route_table(name, prefix, rg.name, args.location, cfg, self)

        # Separate Subnet resources, created one at a time: Azure rejects concurrent subnet
        # writes on one VNet. Subnets hosting managed services with their own public IPs
        # are made private; delegated subnets ignore the setting, so it is left unset.
        subnet_specs: list[tuple[str, str, str, _SubnetOptions]] = [
            ("firewall", HUB_SUBNET_NAMES["firewall"], hub.firewall, {"default_outbound_access": False}),
            ("firewall-mgmt", HUB_SUBNET_NAMES["firewallManagement"], hub.firewall_management,
             {"default_outbound_access": False}),
            ("bastion", HUB_SUBNET_NAMES["bastion"], hub.bastion,
             {"default_outbound_access": False,
              "network_security_group": network.NetworkSecurityGroupArgs(id=bastion_nsg.id)}),
            ("gateway", HUB_SUBNET_NAMES["gateway"], hub.gateway,
             {"default_outbound_access": False,
              "route_table": network.RouteTableArgs(id=gateway_routes.id) if gateway_routes else None}),
            ("dns-inbound", HUB_SUBNET_NAMES["dnsInbound"], hub.dns_inbound,
             {"delegations": [_resolver_delegation()],
              "network_security_group": network.NetworkSecurityGroupArgs(id=dns_inbound_nsg.id)}),
            ("dns-outbound", HUB_SUBNET_NAMES["dnsOutbound"], hub.dns_outbound,
             {"delegations": [_resolver_delegation()],
              "network_security_group": network.NetworkSecurityGroupArgs(id=dns_outbound_nsg.id)}),
        ]
        subnets: dict[str, network.Subnet] = {}
        previous: list[pulumi.Resource] = []
        for suffix, subnet_name, address_prefix, extra in subnet_specs:
            subnets[suffix] = network.Subnet(
                f"{name}-snet-{suffix}",
                subnet_name=subnet_name,
                virtual_network_name=vnet.name,
                resource_group_name=rg.name,
                address_prefix=address_prefix,
                **extra,
                opts=pulumi.ResourceOptions(parent=self, depends_on=previous),
            )
            previous = [subnets[suffix]]
        # Appliances join subnets (a VNet write): wait until every subnet exists.
        all_subnets = previous

        dns_ip = resolver_inbound_ip(hub.dns_inbound)
        policy = _firewall_policy(name, prefix, rg.name, args.location, dns_ip, self)
        rule_groups = _rule_collection_groups(name, rg.name, policy, cfg, self)
        firewall = _firewall(name, prefix, rg.name, args.location, subnets, policy, [*all_subnets, *rule_groups],
                             args.workspace_id, self)
        _bastion(name, prefix, rg.name, args.location, subnets["bastion"], all_subnets, args.workspace_id, self)
        gateway = None
        if cfg.gateway.type != "None":
            gateway = _gateway(name, prefix, rg.name, args.location, cfg, subnets["gateway"], all_subnets,
                               args.workspace_id, self)
        _resolver(name, prefix, rg.name, args.location, cfg, vnet, subnets, dns_ip, all_subnets, self)

        self.resource_group_name = rg.name
        self.vnet_id = vnet.id
        self.vnet_name = vnet.name
        self.firewall_private_ip = firewall.ip_configurations.apply(_first_private_ip)
        self.dns_inbound_ip = dns_ip
        self.gateway: network.VirtualNetworkGateway | None = gateway
        """The VPN/ExpressRoute gateway, if any: peerings that use it must wait for it to exist."""
        self.register_outputs({
            "resource_group_name": self.resource_group_name,
            "vnet_id": self.vnet_id,
            "vnet_name": self.vnet_name,
            "firewall_private_ip": self.firewall_private_ip,
            "dns_inbound_ip": self.dns_inbound_ip,
            "gateway_id": gateway.id if gateway else None,
        })


# ---------------------------------------------------------------------------- NSG rules


def _rule(name: str, priority: int, direction: str, access: str, protocol: str, source: str | Sequence[str],
          destination: str, ports: Sequence[str]) -> network.SecurityRuleArgs:
    sources = [source] if isinstance(source, str) else list(source)
    return network.SecurityRuleArgs(
        name=name, priority=priority, direction=direction, access=access, protocol=protocol,
        source_address_prefix=sources[0] if len(sources) == 1 else None,
        source_address_prefixes=sources if len(sources) > 1 else None,
        source_port_range="*",
        destination_address_prefix=destination,
        destination_port_range=ports[0] if len(ports) == 1 else None,
        destination_port_ranges=list(ports) if len(ports) > 1 else None,
    )


def _deny_all_inbound() -> network.SecurityRuleArgs:
    # Explicit, so Azure's implicit allows (VirtualNetwork, AzureLoadBalancer) never apply.
    return _rule("deny-all-inbound", DENY_ALL_PRIORITY, "Inbound", "Deny", "*", "*", "*", ["*"])


def _bastion_rules() -> list[network.SecurityRuleArgs]:
    """The rules Azure documents for AzureBastionSubnet (it refuses an NSG without them)."""
    return [
        _rule("allow-https-inbound", 120, "Inbound", "Allow", "Tcp", "Internet", "*", ["443"]),
        _rule("allow-gateway-manager-inbound", 130, "Inbound", "Allow", "Tcp", "GatewayManager", "*", ["443"]),
        _rule("allow-azure-load-balancer-inbound", 140, "Inbound", "Allow", "Tcp", "AzureLoadBalancer", "*", ["443"]),
        _rule("allow-bastion-host-communication", 150, "Inbound", "Allow", "*", "VirtualNetwork",
              "VirtualNetwork", ["8080", "5701"]),
        _deny_all_inbound(),
        _rule("allow-ssh-rdp-outbound", 100, "Outbound", "Allow", "*", "*", "VirtualNetwork", ["22", "3389"]),
        _rule("allow-azure-cloud-outbound", 110, "Outbound", "Allow", "Tcp", "*", "AzureCloud", ["443"]),
        _rule("allow-bastion-communication", 120, "Outbound", "Allow", "*", "VirtualNetwork",
              "VirtualNetwork", ["8080", "5701"]),
        _rule("allow-get-session-information", 130, "Outbound", "Allow", "*", "*", "Internet", ["80"]),
    ]


def _dns_inbound_rules(on_premises: Sequence[str]) -> list[network.SecurityRuleArgs]:
    """Only DNS reaches the resolver's inbound endpoint: from Azure VNets and from on-premises."""
    rules = []
    for offset, protocol in enumerate(("Udp", "Tcp")):
        rules.append(_rule(f"allow-dns-{protocol.lower()}-from-vnets", 100 + offset, "Inbound", "Allow",
                           protocol, "VirtualNetwork", "*", [str(DNS_PORT)]))
        if on_premises:
            rules.append(_rule(f"allow-dns-{protocol.lower()}-from-on-premises", 110 + offset, "Inbound",
                               "Allow", protocol, on_premises, "*", [str(DNS_PORT)]))
    return rules + [_deny_all_inbound()]


class _SubnetOptions(TypedDict, total=False):
    """What a hub subnet sets beyond its name and prefix (network.Subnet's keyword arguments)."""
    default_outbound_access: bool
    route_table: network.RouteTableArgs | None
    network_security_group: network.NetworkSecurityGroupArgs
    delegations: list[network.DelegationArgs]


def _resolver_delegation() -> network.DelegationArgs:
    return network.DelegationArgs(name="dns-resolver", service_name=RESOLVER_DELEGATION)


# ---------------------------------------------------------------------------- routing


def _gateway_route_table(name: str, prefix: str, rg_name: pulumi.Output[str], location: str,
                         cfg: NetworkConfig, parent: pulumi.Resource) -> network.RouteTable:
    """Send on-premises traffic for the spokes through the firewall too.

    Spokes reach on-premises via the firewall (their 0.0.0.0/0 route); without this table the
    replies would come back straight through the peering and the firewall would drop the
    asymmetric flows. The firewall address is computed from its subnet rather than read from
    the firewall so that every subnet exists before any appliance joins the VNet.
    BGP propagation stays on: the gateway subnet must learn on-premises routes.
    """
    next_hop = firewall_ip(cfg.hub.subnets.firewall)
    return network.RouteTable(
        f"{name}-rt-gateway",
        route_table_name=f"rt-{prefix}-gateway",
        resource_group_name=rg_name,
        location=location,
        disable_bgp_route_propagation=False,
        routes=[network.RouteArgs(name=f"to-spoke-{spoke.name}", address_prefix=spoke.address_space,
                                  next_hop_type="VirtualAppliance", next_hop_ip_address=next_hop)
                for spoke in cfg.spokes],
        opts=pulumi.ResourceOptions(parent=parent),
    )


# ---------------------------------------------------------------------------- firewall


def _firewall_policy(name: str, prefix: str, rg_name: pulumi.Output[str], location: str, dns_ip: str,
                     parent: pulumi.Resource) -> network.FirewallPolicy:
    return network.FirewallPolicy(
        f"{name}-fw-policy",
        firewall_policy_name=firewall_policy_name(prefix),
        resource_group_name=rg_name,
        location=location,
        sku=network.FirewallPolicySkuArgs(tier="Premium"),
        threat_intel_mode="Deny",
        intrusion_detection=network.FirewallPolicyIntrusionDetectionArgs(mode="Deny"),
        # The firewall resolves through the hub resolver, so FQDN rules see the same private
        # and on-premises names the spokes see.
        dns_settings=network.DnsSettingsArgs(enable_proxy=True, servers=[dns_ip]),
        opts=pulumi.ResourceOptions(parent=parent),
    )


def _rule_collection_groups(name: str, rg_name: pulumi.Output[str], policy: network.FirewallPolicy,
                            cfg: NetworkConfig, parent: pulumi.Resource) -> list[pulumi.Resource]:
    """Explicit allows only; the firewall denies everything else."""
    spokes = [s.address_space for s in cfg.spokes]
    on_prem = list(cfg.on_premises_address_spaces)
    # Azure rejects concurrent writes to a policy's rule collection groups: one after the other.
    network_rules = network.FirewallPolicyRuleCollectionGroup(
        f"{name}-fw-rcg-network",
        rule_collection_group_name="rcg-hybrid-network",
        firewall_policy_name=policy.name,
        resource_group_name=rg_name,
        priority=200,
        rule_collections=[network.FirewallPolicyFilterRuleCollectionArgs(
            rule_collection_type="FirewallPolicyFilterRuleCollection",
            name="allow-hybrid-clinical",
            priority=100,
            action=network.FirewallPolicyFilterRuleCollectionActionArgs(type="Allow"),
            rules=_network_rules(spokes, on_prem, _domain_controllers(cfg)) + _apim_rules(cfg),
        )],
        opts=pulumi.ResourceOptions(parent=parent),
    )
    application_rules = network.FirewallPolicyRuleCollectionGroup(
        f"{name}-fw-rcg-application",
        rule_collection_group_name="rcg-platform-egress",
        firewall_policy_name=policy.name,
        resource_group_name=rg_name,
        priority=300,
        rule_collections=[network.FirewallPolicyFilterRuleCollectionArgs(
            rule_collection_type="FirewallPolicyFilterRuleCollection",
            name="allow-platform-fqdn-tags",
            priority=100,
            action=network.FirewallPolicyFilterRuleCollectionActionArgs(type="Allow"),
            rules=[network.ApplicationRuleArgs(
                rule_type="ApplicationRule",
                name="windows-update-defender-backup",
                description="Patching, Defender for Endpoint, diagnostics and Azure Backup only.",
                source_addresses=spokes,
                fqdn_tags=list(EGRESS_FQDN_TAGS),
                protocols=[
                    network.FirewallPolicyRuleApplicationProtocolArgs(protocol_type="Http", port=80),
                    network.FirewallPolicyRuleApplicationProtocolArgs(protocol_type="Https", port=443),
                ],
            )],
        )],
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[network_rules]),
    )
    groups: list[pulumi.Resource] = [network_rules, application_rules]
    for wave in (w for w in cfg.hybrid_waves if w.rules):  # Azure refuses an empty collection
        groups.append(_wave_rules(name, rg_name, policy, wave, parent, after=groups[-1]))
    for steady in (w for w in cfg.steady_state_waves if w.rules):
        groups.append(_steady_rules(name, rg_name, policy, steady, parent, after=groups[-1]))
    return groups


def _wave_rules(name: str, rg_name: pulumi.Output[str], policy: network.FirewallPolicy, wave: HybridWave,
                parent: pulumi.Resource, after: pulumi.Resource) -> network.FirewallPolicyRuleCollectionGroup:
    """A wave's split dependencies in a group of their own: enabled for the wave, deleted after the last
    wave its links wait for (`carelift plan runbook` says when)."""
    return _overlay_group(f"{name}-fw-rcg-wave-{wave.wave:02d}", f"rcg-migration-wave-{wave.wave:02d}",
                          HYBRID_GROUP_PRIORITY + wave.wave, f"allow-wave-{wave.wave:02d}-hybrid",
                          wave.rules, f"Remove after wave {wave.remove_after_wave}.", rg_name, policy, parent, after)


def _steady_rules(name: str, rg_name: pulumi.Output[str], policy: network.FirewallPolicy, wave: SteadyStateWave,
                  parent: pulumi.Resource, after: pulumi.Resource) -> network.FirewallPolicyRuleCollectionGroup:
    """The spoke-to-spoke links whose two ends have both landed by this wave (spokes reach each other
    through this firewall, their routes), and the links between a server landed in this wave and one
    that stays on premises for good or an address outside the inventory, a device (rules p.. and e..:
    "Permanent: ..."): these flows stay after the migration."""
    return _overlay_group(f"{name}-fw-rcg-steady-{wave.wave:02d}", f"rcg-steady-wave-{wave.wave:02d}",
                          STEADY_GROUP_PRIORITY + wave.wave, f"allow-wave-{wave.wave:02d}-steady",
                          wave.rules, "Steady state: keep after the migration.", rg_name, policy, parent, after)


def _overlay_group(resource: str, group: str, priority: int, collection: str, rules: Sequence[HybridRule],
                   suffix: str, rg_name: pulumi.Output[str], policy: network.FirewallPolicy,
                   parent: pulumi.Resource, after: pulumi.Resource) -> network.FirewallPolicyRuleCollectionGroup:
    return network.FirewallPolicyRuleCollectionGroup(
        resource,
        rule_collection_group_name=group,
        firewall_policy_name=policy.name,
        resource_group_name=rg_name,
        priority=priority,
        rule_collections=[network.FirewallPolicyFilterRuleCollectionArgs(
            rule_collection_type="FirewallPolicyFilterRuleCollection",
            name=collection,
            priority=100,
            action=network.FirewallPolicyFilterRuleCollectionActionArgs(type="Allow"),
            rules=[_network_rule(rule.name, f"{rule.description} {suffix}",
                                 rule.sources, rule.destinations, [rule.protocol], rule.ports)
                   for rule in rules],
        )],
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[after]),
    )


# API Management's outbound dependencies in a VNet (Microsoft's "virtual network configuration reference"):
# storage, SQL, Key Vault, Entra ID and Azure Monitor, by service tag and port.
APIM_DEPENDENCIES = (
    ("apim-https-dependencies", ["Storage", "AzureKeyVault", "AzureActiveDirectory", "AzureMonitor"], ["443"]),
    ("apim-sql", ["Sql"], ["1433"]),
    ("apim-monitor-metrics", ["AzureMonitor"], ["1886"]),
)


def _apim_rules(cfg: NetworkConfig) -> list[network.NetworkRuleArgs]:
    """The AI gateway's dependencies, from its subnet only (none without an API Management subnet)."""
    sources = [s.address_prefix for spoke in cfg.spokes for s in spoke.subnets if s.api_management]
    if not sources:
        return []
    return [_network_rule(name, "API Management dependency (storage, SQL, Key Vault, Entra ID, monitoring).",
                          sources, tags, ["TCP"], ports) for name, tags, ports in APIM_DEPENDENCIES]


def _domain_controllers(cfg: NetworkConfig) -> list[str]:
    """The on-premises DNS servers the forwarding rules target: the AD domain controllers."""
    return sorted({server for rule in cfg.dns_forwarding for server in rule.servers},
                  key=ipaddress.IPv4Address)


def _network_rule(name: str, description: str, sources: Sequence[str], destinations: Sequence[str],
                  protocols: Sequence[str], ports: Sequence[str]) -> network.NetworkRuleArgs:
    return network.NetworkRuleArgs(
        rule_type="NetworkRule", name=name, description=description,
        source_addresses=list(sources), destination_addresses=list(destinations),
        ip_protocols=list(protocols), destination_ports=list(ports),
    )


def _network_rules(spokes: list[str], on_prem: list[str], dcs: list[str]) -> list[network.NetworkRuleArgs]:
    """Spoke-to-spoke and hybrid flows, each named and scoped; nothing from or to "*".

    DNS from the spokes to the hub resolver never crosses the firewall (the hub prefix is
    more specific than the spokes' default route), so it needs no rule here.
    """
    rules = []
    if dcs:
        rules += [
            _network_rule("ad-dns", "Domain-joined servers resolving through the on-premises DCs.",
                          spokes, dcs, ["UDP", "TCP"], [str(DNS_PORT)]),
            _network_rule("ad-tcp", "Kerberos, LDAP(S), global catalog, SMB (SYSVOL), RPC to on-premises DCs.",
                          spokes, dcs, ["TCP"], AD_TCP_PORTS),
            _network_rule("ad-udp", "Kerberos, LDAP, kpasswd and NTP to on-premises DCs.",
                          spokes, dcs, ["UDP"], AD_UDP_PORTS),
        ]
    for service, ports in CLINICAL_SERVICES:
        rules.append(_network_rule(f"{service}-from-spokes", f"{service} between spokes and to on-premises.",
                                   spokes, spokes + on_prem, ["TCP"], ports))
        if on_prem:
            rules.append(_network_rule(f"{service}-from-on-premises", f"{service} from on-premises into the spokes.",
                                       on_prem, spokes, ["TCP"], ports))
    return rules


def _public_ip(name: str, suffix: str, prefix: str, rg_name: pulumi.Output[str], location: str,
               workspace_id: pulumi.Input[str], parent: pulumi.Resource) -> network.PublicIPAddress:
    # No DDoS Network Protection plan: the cost is not justified for these four
    # management-plane addresses (no patient-facing endpoints here); they keep Azure's
    # default infrastructure protection. Attach a plan or per-IP protection if that changes.
    ip = network.PublicIPAddress(
        f"{name}-pip-{suffix}",
        public_ip_address_name=f"pip-{prefix}-{suffix}",
        resource_group_name=rg_name,
        location=location,
        sku=network.PublicIPAddressSkuArgs(name="Standard", tier="Regional"),
        public_ip_allocation_method="Static",
        public_ip_address_version="IPv4",
        zones=ZONES,
        opts=pulumi.ResourceOptions(parent=parent),
    )
    diagnostic_setting(f"{name}-pip-{suffix}", target_id=ip.id, workspace_id=workspace_id, parent=parent)
    return ip


def _firewall(name: str, prefix: str, rg_name: pulumi.Output[str], location: str,
              subnets: dict[str, network.Subnet], policy: network.FirewallPolicy,
              after: list[pulumi.Resource], workspace_id: pulumi.Input[str],
              parent: pulumi.Resource) -> network.AzureFirewall:
    data_ip = _public_ip(name, "afw", prefix, rg_name, location, workspace_id, parent)
    # A management NIC keeps the firewall manageable if a default route to on-premises
    # (forced tunnelling) is ever advertised over the gateway.
    management_ip = _public_ip(name, "afw-mgmt", prefix, rg_name, location, workspace_id, parent)
    firewall = network.AzureFirewall(
        f"{name}-fw",
        azure_firewall_name=firewall_name(prefix),
        resource_group_name=rg_name,
        location=location,
        sku=network.AzureFirewallSkuArgs(name="AZFW_VNet", tier="Premium"),
        zones=ZONES,
        firewall_policy=network.SubResourceArgs(id=policy.id),
        ip_configurations=[network.AzureFirewallIPConfigurationArgs(
            name="ipconfig-data",
            subnet=network.SubResourceArgs(id=subnets["firewall"].id),
            public_ip_address=network.SubResourceArgs(id=data_ip.id),
        )],
        management_ip_configuration=network.AzureFirewallIPConfigurationArgs(
            name="ipconfig-management",
            subnet=network.SubResourceArgs(id=subnets["firewall-mgmt"].id),
            public_ip_address=network.SubResourceArgs(id=management_ip.id),
        ),
        # `after` holds every subnet and the rule groups: policy writes during the firewall's
        # creation are rejected.
        opts=pulumi.ResourceOptions(parent=parent, depends_on=after),
    )
    diagnostic_setting(f"{name}-fw", target_id=firewall.id, workspace_id=workspace_id, parent=parent)
    return firewall


def _first_private_ip(configurations: Sequence[network.outputs.AzureFirewallIPConfigurationResponse] | None) -> str:
    """The data IP configuration's private address: the next hop of every spoke's default route."""
    if not configurations:  # _firewall always gives one; the provider types the list as optional
        raise ValueError("the hub firewall has no IP configuration")
    return configurations[0].private_ip_address


# ---------------------------------------------------------------------------- Bastion and gateway


def _bastion(name: str, prefix: str, rg_name: pulumi.Output[str], location: str, subnet: network.Subnet,
             after: list[pulumi.Resource], workspace_id: pulumi.Input[str], parent: pulumi.Resource) -> None:
    ip = _public_ip(name, "bas", prefix, rg_name, location, workspace_id, parent)
    bastion = network.BastionHost(
        f"{name}-bastion",
        bastion_host_name=f"bas-{prefix}-hub",
        resource_group_name=rg_name,
        location=location,
        sku=network.SkuArgs(name="Standard"),
        ip_configurations=[network.BastionHostIPConfigurationArgs(
            name="ipconfig",
            subnet=network.SubResourceArgs(id=subnet.id),
            public_ip_address=network.SubResourceArgs(id=ip.id),
        )],
        # Clipboard stays usable for administrators; every path that moves files or opens
        # arbitrary ports into PHI subnets (native-client tunnelling, file copy, shareable
        # links, connect-by-IP) stays off until a documented need turns one on.
        disable_copy_paste=False,
        enable_tunneling=False,
        enable_file_copy=False,
        enable_shareable_link=False,
        enable_ip_connect=False,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=after),
    )
    diagnostic_setting(f"{name}-bastion", target_id=bastion.id, workspace_id=workspace_id, parent=parent)


def _gateway(name: str, prefix: str, rg_name: pulumi.Output[str], location: str, cfg: NetworkConfig,
             subnet: network.Subnet, after: list[pulumi.Resource], workspace_id: pulumi.Input[str],
             parent: pulumi.Resource) -> network.VirtualNetworkGateway:
    is_vpn = cfg.gateway.type == "Vpn"
    ip = _public_ip(name, "vgw", prefix, rg_name, location, workspace_id, parent)
    gateway = network.VirtualNetworkGateway(
        f"{name}-gateway",
        virtual_network_gateway_name=f"vgw-{prefix}-hub",
        resource_group_name=rg_name,
        location=location,
        gateway_type=cfg.gateway.type,
        vpn_type="RouteBased" if is_vpn else None,
        sku=network.VirtualNetworkGatewaySkuArgs(name=cfg.gateway.sku, tier=cfg.gateway.sku),
        active_active=False,
        ip_configurations=[network.VirtualNetworkGatewayIPConfigurationArgs(
            name="ipconfig",
            private_ip_allocation_method="Dynamic",
            subnet=network.SubResourceArgs(id=subnet.id),
            public_ip_address=network.SubResourceArgs(id=ip.id),
        )],
        opts=pulumi.ResourceOptions(parent=parent, depends_on=after),
    )
    diagnostic_setting(f"{name}-gateway", target_id=gateway.id, workspace_id=workspace_id, parent=parent)
    return gateway


# ---------------------------------------------------------------------------- DNS resolver


def _resolver(name: str, prefix: str, rg_name: pulumi.Output[str], location: str, cfg: NetworkConfig,
              vnet: network.VirtualNetwork, subnets: dict[str, network.Subnet], dns_ip: str,
              after: list[pulumi.Resource], parent: pulumi.Resource) -> None:
    """Hybrid name resolution: on-premises asks the inbound endpoint for Azure private zones,
    and the outbound endpoint forwards on-premises domains to the domain controllers."""
    resolver = dnsresolver.DnsResolver(
        f"{name}-dns-resolver",
        dns_resolver_name=f"dnspr-{prefix}-hub",
        resource_group_name=rg_name,
        location=location,
        virtual_network=dnsresolver.SubResourceArgs(id=vnet.id),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=after),
    )
    # Static, because the spokes' DHCP options and on-premises conditional forwarders point at it.
    dnsresolver.InboundEndpoint(
        f"{name}-dns-inbound",
        inbound_endpoint_name=f"in-{prefix}-hub",
        dns_resolver_name=resolver.name,
        resource_group_name=rg_name,
        location=location,
        ip_configurations=[dnsresolver.IpConfigurationArgs(
            subnet=dnsresolver.SubResourceArgs(id=subnets["dns-inbound"].id),
            private_ip_allocation_method="Static",
            private_ip_address=dns_ip,
        )],
        opts=pulumi.ResourceOptions(parent=parent),
    )
    outbound = dnsresolver.OutboundEndpoint(
        f"{name}-dns-outbound",
        outbound_endpoint_name=f"out-{prefix}-hub",
        dns_resolver_name=resolver.name,
        resource_group_name=rg_name,
        location=location,
        subnet=dnsresolver.SubResourceArgs(id=subnets["dns-outbound"].id),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    if not cfg.dns_forwarding:
        return
    ruleset = dnsresolver.DnsForwardingRuleset(
        f"{name}-dns-ruleset",
        dns_forwarding_ruleset_name=f"dnsfrs-{prefix}-hub",
        resource_group_name=rg_name,
        location=location,
        dns_resolver_outbound_endpoints=[dnsresolver.SubResourceArgs(id=outbound.id)],
        opts=pulumi.ResourceOptions(parent=parent),
    )
    for rule in cfg.dns_forwarding:
        label = rule.domain.rstrip(".").replace(".", "-")
        dnsresolver.ForwardingRule(
            f"{name}-dns-rule-{label}",
            forwarding_rule_name=label,
            dns_forwarding_ruleset_name=ruleset.name,
            resource_group_name=rg_name,
            domain_name=rule.domain,
            forwarding_rule_state="Enabled",
            target_dns_servers=[dnsresolver.TargetDnsServerArgs(ip_address=server, port=DNS_PORT)
                                for server in rule.servers],
            opts=pulumi.ResourceOptions(parent=parent),
        )
    # Linked to the hub only: the spokes query the inbound endpoint, which resolves in the hub.
    dnsresolver.PrivateResolverVirtualNetworkLink(
        f"{name}-dns-ruleset-link",
        virtual_network_link_name=f"link-{prefix}-hub",
        dns_forwarding_ruleset_name=ruleset.name,
        resource_group_name=rg_name,
        virtual_network=dnsresolver.SubResourceArgs(id=vnet.id),
        opts=pulumi.ResourceOptions(parent=parent),
    )
