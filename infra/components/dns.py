"""Private DNS zones for the private endpoints, linked to the hub VNet.

Only the hub is linked: the spokes use the hub's DNS Private Resolver as their DNS server,
and on-premises forwards the ``privatelink`` zones to the resolver's inbound endpoint, so
one link per zone serves every client.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native.privatedns as privatedns
import pulumi_azure_native.resources as resources

from infra.config.names import DNS, resource_group_name

ZONE_LOCATION = "global"


@dataclass(frozen=True)
class PrivateDnsZonesArgs:
    name_prefix: str
    """``<organization>-<environment>``, the middle of every Azure resource name."""
    location: str
    """Region of the resource group holding the zones (the zones themselves are global)."""
    zones: tuple[str, ...]
    """The private DNS zone names the stack's endpoints use, e.g. privatelink.vaultcore.azure.net."""
    hub_vnet_id: pulumi.Input[str]
    """Resource id of the hub VNet every zone is linked to."""


class PrivateDnsZones(pulumi.ComponentResource):
    """One private DNS zone per name, each with a single resolution-only link to the hub VNet."""

    def __init__(self, name: str, args: PrivateDnsZonesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("carelift:network:PrivateDnsZones", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        rg = resources.ResourceGroup(f"{name}-rg", resource_group_name=resource_group_name(args.name_prefix, DNS),
                                    location=args.location, opts=child)
        zone_ids: dict[str, pulumi.Output[str]] = {}
        for zone_name in args.zones:
            label = zone_name.replace(".", "-")
            zone = privatedns.PrivateZone(
                f"{name}-{label}",
                private_zone_name=zone_name,
                resource_group_name=rg.name,
                location=ZONE_LOCATION,
                opts=child,
            )
            privatedns.VirtualNetworkLink(
                f"{name}-{label}-hub-link",
                virtual_network_link_name=f"link-{args.name_prefix}-hub",
                private_zone_name=zone.name,
                resource_group_name=rg.name,
                location=ZONE_LOCATION,
                virtual_network=privatedns.SubResourceArgs(id=args.hub_vnet_id),
                # Endpoints register their records through their zone groups; VMs must not.
                registration_enabled=False,
                resolution_policy="Default",
                opts=child,
            )
            zone_ids[zone_name] = zone.id

        self.resource_group_name = rg.name
        self.zone_ids = zone_ids
        self.register_outputs({"resource_group_name": self.resource_group_name, "zone_ids": self.zone_ids})
