"""Spoke network: a workload VNet peered to the hub, egress forced through the hub firewall.

Each subnet has its own NSG that denies inbound by default, and one route table sends
everything leaving the VNet (Internet, on-premises, other spokes) to the firewall.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import pulumi
import pulumi_azure_native.network as network
import pulumi_azure_native.resources as resources

from infra.components.diagnostics import diagnostic_setting
from infra.config import Spoke, Subnet, SubnetAllowance
from infra.config.names import resource_group_name, vnet_name
from infra.landing_overlay import NSG_ALLOWANCE_PRIORITY as ALLOWANCE_PRIORITY
from infra.landing_overlay import NSG_DENY_ALL_PRIORITY as DENY_ALL_PRIORITY


@dataclass(frozen=True)
class SpokeNetworkArgs:
    name_prefix: str
    """``<organization>-<environment>``, the middle of every Azure resource name."""
    location: str
    """Azure region of the spoke."""
    spoke: Spoke
    """The spoke from the stack config: name, address space, subnets."""
    hub_vnet_id: pulumi.Input[str]
    """Resource id of the hub VNet to peer with."""
    hub_vnet_name: pulumi.Input[str]
    """Name of the hub VNet (the hub-to-spoke peering is its child)."""
    hub_resource_group_name: pulumi.Input[str]
    """Resource group of the hub VNet."""
    firewall_private_ip: pulumi.Input[str]
    """The hub firewall's private address: next hop of the spoke's default route."""
    dns_server_ip: pulumi.Input[str]
    """The hub DNS resolver's inbound endpoint: the spoke's only DNS server."""
    workspace_id: pulumi.Input[str]
    """Log Analytics workspace receiving the NSG diagnostic settings."""
    hub_gateway: pulumi.Resource | None
    """The hub's VPN/ExpressRoute gateway the spoke uses, or None when the hub has none."""
    bastion_subnet_prefix: str
    """The hub's AzureBastionSubnet prefix: the only source allowed to open RDP/SSH sessions."""
    hub_peering_after: pulumi.Resource | None = None
    """The previous spoke's hub-side peering: peerings on one hub VNet are written one at a time."""
    allowances: Sequence[SubnetAllowance] = ()
    """Inbound flows migration waves need into this spoke's subnets (landing overlay), above deny-all."""


class SpokeNetwork(pulumi.ComponentResource):
    """Spoke VNet, per-subnet NSGs, a firewall-bound route table and both peerings."""

    def __init__(self, name: str, args: SpokeNetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("carelift:network:SpokeNetwork", name, None, opts)
        prefix, spoke = args.name_prefix, args.spoke
        child = pulumi.ResourceOptions(parent=self)

        rg = resources.ResourceGroup(
            f"{name}-rg", resource_group_name=resource_group_name(prefix, spoke.name), location=args.location, opts=child)
        vnet = network.VirtualNetwork(
            f"{name}-vnet",
            virtual_network_name=vnet_name(prefix, spoke.name),
            resource_group_name=rg.name,
            location=args.location,
            address_space=network.AddressSpaceArgs(address_prefixes=[spoke.address_space]),
            # Hybrid name resolution: private endpoint zones and on-premises domains both
            # resolve through the hub's resolver.
            dhcp_options=network.DhcpOptionsArgs(dns_servers=[args.dns_server_ip]),
            opts=child,
        )
        routes = network.RouteTable(
            f"{name}-rt",
            route_table_name=f"rt-{prefix}-{spoke.name}",
            resource_group_name=rg.name,
            location=args.location,
            # Routes learned from on-premises must not bypass the firewall.
            disable_bgp_route_propagation=True,
            routes=[network.RouteArgs(
                name="default-via-firewall",
                address_prefix="0.0.0.0/0",
                next_hop_type="VirtualAppliance",
                next_hop_ip_address=args.firewall_private_ip,
            )] + ([network.RouteArgs(
                # API Management's control plane answers from its service tag only; with the
                # default route at the firewall the replies would be dropped (asymmetric routing).
                name="apim-control-plane", address_prefix="ApiManagement", next_hop_type="Internet",
            )] if any(s.api_management for s in spoke.subnets) else []),
            opts=child,
        )

        # Separate Subnet resources, created one at a time: Azure rejects concurrent subnet
        # writes on one VNet.
        subnet_ids: dict[str, pulumi.Output[str]] = {}
        private_endpoint_subnet_id = None
        previous: list[pulumi.Resource] = []
        # With an AI gateway in the spoke, only the gateway may reach the spoke's private endpoints.
        gateways = [s.address_prefix for s in spoke.subnets if s.api_management]
        for subnet in spoke.subnets:
            nsg = network.NetworkSecurityGroup(
                f"{name}-nsg-{subnet.name}",
                network_security_group_name=f"nsg-{prefix}-{spoke.name}-{subnet.name}",
                resource_group_name=rg.name,
                location=args.location,
                security_rules=_with_allowances(_subnet_rules(subnet, args.bastion_subnet_prefix, gateways),
                                                [a for a in args.allowances if a.subnet == subnet.name]),
                opts=child,
            )
            # NSGs emit logs only (rule counters and events); there are no NSG metrics.
            diagnostic_setting(f"{name}-nsg-{subnet.name}", target_id=nsg.id, workspace_id=args.workspace_id,
                               parent=self, metrics=False)
            created = network.Subnet(
                f"{name}-{subnet.name}",
                subnet_name=subnet.name,
                virtual_network_name=vnet.name,
                resource_group_name=rg.name,
                address_prefix=subnet.address_prefix,
                network_security_group=network.NetworkSecurityGroupArgs(id=nsg.id),
                route_table=network.RouteTableArgs(id=routes.id),
                default_outbound_access=False,
                # Enabled so the NSG and the route table also apply to private endpoints.
                private_endpoint_network_policies="Enabled" if subnet.private_endpoints else None,
                opts=pulumi.ResourceOptions(parent=self, depends_on=previous),
            )
            previous = [created]
            subnet_ids[subnet.name] = created.id
            if subnet.private_endpoints and private_endpoint_subnet_id is None:
                private_endpoint_subnet_id = created.id

        # Hub side first: the spoke may only use the hub's gateway once the hub offers transit.
        # Both wait for the subnets, since a peering is also a write on the VNet, and for the
        # gateway itself: Azure refuses useRemoteGateways (and gateway transit) while the hub
        # has no gateway, and a gateway takes 30-45 minutes to create.
        has_gateway = args.hub_gateway is not None
        gateway = [args.hub_gateway] if args.hub_gateway is not None else []
        hub_to_spoke = network.VirtualNetworkPeering(
            f"{name}-peer-hub-to-spoke",
            virtual_network_peering_name=f"peer-hub-to-{spoke.name}",
            resource_group_name=args.hub_resource_group_name,
            virtual_network_name=args.hub_vnet_name,
            remote_virtual_network=network.SubResourceArgs(id=vnet.id),
            allow_virtual_network_access=True,
            # Nothing in a spoke forwards traffic into the hub.
            allow_forwarded_traffic=False,
            allow_gateway_transit=has_gateway,
            use_remote_gateways=False,
            opts=pulumi.ResourceOptions(
                parent=self,
                depends_on=[*previous, *gateway, *([args.hub_peering_after] if args.hub_peering_after else [])]),
        )
        self.hub_peering = hub_to_spoke
        network.VirtualNetworkPeering(
            f"{name}-peer-spoke-to-hub",
            virtual_network_peering_name=f"peer-{spoke.name}-to-hub",
            resource_group_name=rg.name,
            virtual_network_name=vnet.name,
            remote_virtual_network=network.SubResourceArgs(id=args.hub_vnet_id),
            allow_virtual_network_access=True,
            # Traffic the hub firewall forwards (from on-premises and other spokes) must get in.
            allow_forwarded_traffic=True,
            allow_gateway_transit=False,
            use_remote_gateways=has_gateway,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[hub_to_spoke, *gateway]),
        )

        self.resource_group_name = rg.name
        self.vnet_id = vnet.id
        self.subnet_ids = subnet_ids
        self.private_endpoint_subnet_id = private_endpoint_subnet_id
        self.register_outputs({
            "resource_group_name": self.resource_group_name,
            "vnet_id": self.vnet_id,
            "subnet_ids": self.subnet_ids,
            "private_endpoint_subnet_id": self.private_endpoint_subnet_id,
        })


def _rule(name: str, priority: int, access: str, protocol: str, source: str,
          ports: Sequence[str]) -> network.SecurityRuleArgs:
    return network.SecurityRuleArgs(
        name=name, priority=priority, direction="Inbound", access=access, protocol=protocol,
        source_address_prefix=source, source_port_range="*", destination_address_prefix="*",
        destination_port_range=ports[0] if len(ports) == 1 else None,
        destination_port_ranges=list(ports) if len(ports) > 1 else None,
    )


def _with_allowances(rules: list[network.SecurityRuleArgs],
                     allowances: Sequence[SubnetAllowance]) -> list[network.SecurityRuleArgs]:
    """The subnet's own rules, then the waves' allowances, then its closing deny-all."""
    return rules[:-1] + _allowance_rules(allowances) + rules[-1:]


def _allowance_rules(allowances: Sequence[SubnetAllowance]) -> list[network.SecurityRuleArgs]:
    """The landing overlay's inbound flows (hybrid and steady state): exact sources and ports, named after
    their wave, with the overlay's short description (hybrid until a wave, steady state, permanent)."""
    return [network.SecurityRuleArgs(
        name=allow.name, description=allow.description or None, priority=ALLOWANCE_PRIORITY + i, direction="Inbound",
        access="Allow",
        protocol=allow.protocol.capitalize(), source_address_prefixes=list(allow.sources), source_port_range="*",
        destination_address_prefix="*",
        destination_port_range=allow.ports[0] if len(allow.ports) == 1 else None,
        destination_port_ranges=list(allow.ports) if len(allow.ports) > 1 else None,
    ) for i, allow in enumerate(allowances)]


def _subnet_rules(subnet: Subnet, bastion_prefix: str, gateways: Sequence[str] = ()) -> list[network.SecurityRuleArgs]:
    """Inbound rules: the few flows the subnet's role needs, then an explicit deny-all.

    Outbound stays at Azure's defaults: the route table already hands every flow that
    leaves the VNet to the firewall, which decides.
    """
    if subnet.api_management:
        rules = [
            # Microsoft's required flows for API Management in internal VNet mode (classic tiers):
            # management endpoint from the service's control plane, and the infrastructure load balancer.
            _rule("allow-apim-management", 100, "Allow", "Tcp", "ApiManagement", ["3443"]),
            _rule("allow-apim-load-balancer", 110, "Allow", "Tcp", "AzureLoadBalancer", ["6390"]),
            # Applications in the spokes and on premises call the gateway over HTTPS only.
            _rule("allow-https-to-gateway", 120, "Allow", "Tcp", "VirtualNetwork", ["443"]),
        ]
    elif subnet.private_endpoints and gateways:
        # Applications call the AI gateway, never the account: its endpoint admits the gateway only.
        rules = [_rule("allow-https-from-ai-gateway", 100, "Allow", "Tcp", gateways[0], ["443"])]
    elif subnet.private_endpoints:
        # Every endpoint here (blob, vault, OpenAI) speaks HTTPS only; VirtualNetwork covers
        # the spokes and hub (via the firewall) and on-premises behind the gateway.
        rules = [_rule("allow-https-to-private-endpoints", 100, "Allow", "Tcp", "VirtualNetwork", ["443"])]
    else:
        rules = [
            # Administration only through the hub's Bastion, never directly from anywhere else.
            _rule("allow-rdp-ssh-from-bastion", 100, "Allow", "Tcp", bastion_prefix, ["22", "3389"]),
            # The deny-all below would also hide workloads from load balancer health probes.
            _rule("allow-azure-load-balancer-probes", 110, "Allow", "*", "AzureLoadBalancer", ["*"]),
        ]
    # Explicit, so Azure's implicit allow-VirtualNetwork rule never applies: workloads add
    # the flows they need as named rules above this one.
    return rules + [_rule("deny-all-inbound", DENY_ALL_PRIORITY, "Deny", "*", "*", ["*"])]
