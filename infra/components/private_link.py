"""Private endpoints with exactly one private DNS zone group (the API rejects a second)."""

from __future__ import annotations

from typing import Mapping, Sequence

import pulumi
import pulumi_azure_native.network as network

MAX_ZONE_CONFIGS = 5


def private_endpoint(
    name: str,
    *,
    resource_group_name: pulumi.Input[str],
    location: str,
    subnet_id: pulumi.Input[str],
    target_id: pulumi.Input[str],
    group_id: str,
    zone_ids: Mapping[str, pulumi.Input[str]],
    parent: pulumi.Resource,
    depends_on: Sequence[pulumi.Resource] = (),
) -> tuple[network.PrivateEndpoint, network.PrivateDnsZoneGroup]:
    """A private endpoint for `group_id` of `target_id` and its single DNS zone group.

    `zone_ids` maps each private DNS zone name (e.g. privatelink.vaultcore.azure.net) to
    its resource id; all of them go in one group so the A records are managed for us.
    """
    if not 1 <= len(zone_ids) <= MAX_ZONE_CONFIGS:
        raise ValueError(f"a private DNS zone group holds 1-{MAX_ZONE_CONFIGS} zones, got {len(zone_ids)}")
    endpoint_name = f"pe-{name}"
    endpoint = network.PrivateEndpoint(
        f"{name}-pe",
        private_endpoint_name=endpoint_name,
        resource_group_name=resource_group_name,
        location=location,
        subnet=network.SubnetArgs(id=subnet_id),
        custom_network_interface_name=f"nic-{endpoint_name}",
        private_link_service_connections=[network.PrivateLinkServiceConnectionArgs(
            name=f"{endpoint_name}-{group_id}",
            private_link_service_id=target_id,
            group_ids=[group_id],
        )],
        opts=pulumi.ResourceOptions(parent=parent, depends_on=list(depends_on)),
    )
    zone_group = network.PrivateDnsZoneGroup(
        f"{name}-pe-dns",
        private_dns_zone_group_name="default",
        private_endpoint_name=endpoint.name,
        resource_group_name=resource_group_name,
        private_dns_zone_configs=[
            network.PrivateDnsZoneConfigArgs(name=zone.replace(".", "-"), private_dns_zone_id=zone_id)
            for zone, zone_id in sorted(zone_ids.items())
        ],
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return endpoint, zone_group
